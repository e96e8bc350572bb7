#!/bin/sh
# Run a verification playbook against the API emulator serving one scenario, then stop the
# emulator; the exit status is the playbook's.
#
#   sh run-against-emulator.sh SCENARIO PLAYBOOK [ANSIBLE-PLAYBOOK OPTIONS...]
#
# Needs hwcloud-emulator and ansible-playbook on PATH (pip install the emulator's wheel and
# ansible-core) and the hwcloud.tasks collection installed. The playbook finds the emulator's
# base URL in HWCLOUD_ENDPOINT. Used by docs/testing-without-a-cloud.md and run by
# tests/release/test_emulator_package.py.
set -eu

if [ "$#" -lt 2 ]; then
    echo "usage: sh $0 SCENARIO PLAYBOOK [ANSIBLE-PLAYBOOK OPTIONS...]" >&2
    exit 2
fi
scenario=$1
playbook=$2
shift 2

workdir=$(mktemp -d)
hwcloud-emulator --scenario "$scenario" --port 0 --port-file "$workdir/url" --log-file "$workdir/access.log" &
emulator=$!
trap 'kill "$emulator" 2>/dev/null || true; rm -rf "$workdir"' EXIT

# The port file appears once the emulator listens; an invalid scenario ends it with status 2.
tries=0
while [ ! -s "$workdir/url" ]; do
    if ! kill -0 "$emulator" 2>/dev/null; then
        wait "$emulator" || exit "$?"
        exit 1
    fi
    tries=$((tries + 1))
    if [ "$tries" -gt 300 ]; then
        echo "the emulator did not start within 30 s" >&2
        exit 1
    fi
    sleep 0.1
done

HWCLOUD_ENDPOINT=$(cat "$workdir/url")
export HWCLOUD_ENDPOINT
echo "emulator listening on $HWCLOUD_ENDPOINT, scenario $scenario"
status=0
ansible-playbook "$playbook" "$@" || status=$?
exit "$status"
