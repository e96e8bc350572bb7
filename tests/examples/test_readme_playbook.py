"""The README's "A complete playbook", run verbatim against the API emulator.

The block is taken from README.md between the heading "### A complete playbook"
and the next heading, and run as it is written. It reads project_id,
access_key and secret_key from HW_PROJECT_ID, HW_ACCESS_KEY and HW_SECRET_KEY
(AK/SK signing) and the rollout's task ids from ``rollout_task_ids``. Its
module_defaults set ``region``; to reach a private cloud, a proxy or this test
server it must also take ``endpoint`` from the variable ``hwcloud_endpoint``
(omitted when the variable is not set), which the test passes as an extra var.
"""

from __future__ import annotations

import re

import yaml

from examples_support import COLLECTION, ROOT, count_tasks, prepare_emulator

HEADING = "### A complete playbook"
ENDPOINT_VARIABLE = "hwcloud_endpoint"
SUGGESTED_LINE = 'endpoint: "{{ %s | default(omit) }}"' % ENDPOINT_VARIABLE


def readme_playbook():
    """The first ```yaml block of the README section "A complete playbook", verbatim."""
    lines = (ROOT / "README.md").read_text(encoding="utf-8").splitlines()
    assert HEADING in lines, "README.md has no heading %r" % HEADING
    section, fenced = [], False
    for line in lines[lines.index(HEADING) + 1:]:
        if line.startswith("```"):
            fenced = not fenced
        elif not fenced and re.match(r"^#{1,6} ", line):
            break
        section.append(line)
    text = "\n".join(section)
    match = re.search(r"^```ya?ml\n(.*?)^```", text, re.MULTILINE | re.DOTALL)
    assert match, "no ```yaml block under %r in README.md" % HEADING
    return match.group(1)


def test_readme_playbook_runs(examples_emulator, run_playbook, tmp_path):
    text = readme_playbook()
    plays = yaml.safe_load(text)
    assert isinstance(plays, list) and plays, "the README block is not a playbook"
    for play in plays:
        defaults = (play.get("module_defaults") or {}).get("group/%s.hwcloud" % COLLECTION) or {}
        # Without it every request would go to the public cloud: fail here rather than try.
        assert ENDPOINT_VARIABLE in str(defaults.get("endpoint", "")), (
            "The README playbook cannot be pointed at a test server: its module_defaults set region and no "
            "endpoint. Add under group/%s.hwcloud, after region: %s" % (COLLECTION, SUGGESTED_LINE))

    variables = prepare_emulator(examples_emulator)
    credentials = examples_emulator.credentials
    env = {"HW_PROJECT_ID": credentials["project_id"], "HW_ACCESS_KEY": credentials["access_key"],
           "HW_SECRET_KEY": credentials["secret_key"]}
    playbook = tmp_path / "readme_playbook.yml"
    playbook.write_text(text, encoding="utf-8")
    expected = sum(count_tasks(play.get("tasks")) for play in plays)
    run_playbook(playbook, expected_ok=expected, env=env,
                 extra_vars={"rollout_task_ids": variables["rollout_task_ids"], ENDPOINT_VARIABLE: examples_emulator.url})

    stats = examples_emulator.admin("GET", "stats")
    assert stats["api_requests"] >= 2 and stats["iam_token_requests"] == 0, \
        "the README playbook should have signed its requests with AK/SK: %s" % stats
