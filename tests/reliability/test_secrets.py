# Copyright (c) hwcloud.tasks contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""No secret ever leaves a module: not in results, messages, warnings or ``-vvvv`` output.

Every way to authenticate (static token, IAM password, AK/SK, AK/SK with a security token,
each also from the environment) runs through its success and its error paths: a wrong
password, an API 401 whose body echoes the request's secret headers (``echo_token``), an IAM
401 whose body repeats the password, a bad signature, a TLS error, a connection reset after
the request was signed, an IAM endpoint that refuses connections, and a token that cannot be
a header. The whole stdout/stderr of the ``-vvvv`` run, the ansible log and every registered
result (written to files) are scanned for every secret used, including the IAM tokens the
emulators issued (read from their state): zero hits. The secrets are random per run, so a hit
is never a coincidence.

A static check adds that every secret option is ``no_log`` in the argument spec of every
module, and that the role passes its connection secrets only where they are no_log.
"""

from __future__ import annotations

import contextlib
import importlib
import json
import re
import secrets
import sys
from pathlib import Path

import pytest
import yaml

from reliability_support import EXECUTION_PATHS, ROOT, collections_root, connection, no_traceback, run_concurrently, run_hosts, run_playbook
from hwcloud_emulator import Credentials, start_emulator

SECRET_OPTIONS = ("auth_token", "secret_key", "password", "security_token")
MASK = "********"
ROLE = ROOT / "roles" / "assert_task_states"


def random_secret(prefix):
    return "%s-%s" % (prefix, secrets.token_hex(12))


CREDENTIALS = Credentials(
    password=random_secret("pw"),
    secret_key=random_secret("sk"),
    security_token=random_secret("st"),
    static_token=random_secret("tok"),
)
WRONG_PASSWORD = random_secret("wrong-pw")
WRONG_SECRET_KEY = random_secret("wrong-sk")
MALFORMED_TOKEN = "%s\n%s" % (random_secret("tok"), random_secret("line"))
CLOSED_PORT_URL = "http://127.0.0.1:9"  # discard: nothing listens on loopback


def echo_401(match):
    """An API 401 whose body quotes the request's X-Auth-Token, Authorization and X-Security-Token."""
    return {"kind": "status", "status": 401, "echo_token": True, "match": match, "times": None}


def secret_pieces(value):
    """A secret and the parts of it that a message could carry alone (split at whitespace or control characters)."""
    pieces = {value, json.dumps(value)[1:-1], repr(value)[1:-1]}
    pieces.update(piece for piece in re.split(r"[\s\x00-\x1f]+", value) if len(piece) >= 8)
    return pieces


class Case:
    """A host of the secrets run: an emulator, a connection, the calls."""

    def __init__(self, emulator, auth, calls, **options):
        self.emulator = emulator
        self.spec = {"connection": connection(emulator, auth=auth, **options), "calls": calls}


def task_path(emulator, index):
    data = emulator.data
    return "/v2/%s/tasks/%s" % (data["project_id"], data["vias_task_ids"][index])


@pytest.fixture(scope="module", params=sorted(EXECUTION_PATHS))
def secrets_run(request, ansible_env, tmp_path_factory):
    ansible_env = dict(ansible_env, **EXECUTION_PATHS[request.param])
    workdir = tmp_path_factory.mktemp("secrets-" + request.param)
    log_path = workdir / "ansible.log"
    started = []
    with contextlib.ExitStack() as stack:

        def emulator(**options):
            handle = stack.enter_context(start_emulator(tasks=20, credentials=CREDENTIALS, **options))
            started.append(handle)
            return handle

        cases = {}
        for auth in ("token", "password", "aksk", "sts"):
            emu = emulator()
            emu.admin("POST", "faults", {"faults": [echo_401(task_path(emu, 1)), {"kind": "reset", "match": task_path(emu, 2), "times": None}]})
            calls = {"ok": {"task_id": emu.data["vias_task_ids"][0]}, "echo_401": {"task_id": emu.data["vias_task_ids"][1]},
                     "reset_after_signing": {"task_id": emu.data["vias_task_ids"][2]},
                     # The VAS list mode: pages read concurrently with the same credentials.
                     "vas_list": {"service_name": emu.data["vas_service_name"], "summary": True}}
            if auth == "password":
                calls["wrong_password"] = {"task_id": emu.data["vias_task_ids"][0], "password": WRONG_PASSWORD}
            if auth in ("aksk", "sts"):
                calls["bad_signature"] = {"task_id": emu.data["vias_task_ids"][0], "secret_key": WRONG_SECRET_KEY}
            cases[auth] = Case(emu, auth, calls)
        # IAM answers 401 with a body that repeats the password it was sent.
        emu = emulator()
        emu.admin("POST", "faults", {"faults": [{"kind": "status", "status": 401, "match": "/v3/auth/tokens", "times": None, "body": {
            "error": {"code": 401, "title": "Unauthorized", "message": "password %s is wrong" % CREDENTIALS.password}}}]})
        cases["iam_401"] = Case(emu, "password", {"ok": {"task_id": emu.data["vias_task_ids"][0]}})
        # IAM cannot be reached: the password was in the body of a request that never arrived.
        emu = emulator()
        cases["iam_unreachable"] = Case(emu, "password", {"ok": {"task_id": emu.data["vias_task_ids"][0]}}, iam_endpoint=CLOSED_PORT_URL)
        # A token that cannot be a header value.
        emu = emulator()
        cases["malformed_token"] = Case(emu, "token", {"ok": {"task_id": emu.data["vias_task_ids"][0]}}, auth_token=MALFORMED_TOKEN)
        # TLS errors, for every kind of credentials (an HTTPS emulator, its CA not given).
        tls = emulator(https=True)
        for auth in ("token", "password", "sts"):
            cases["tls_" + auth] = Case(tls, auth, {"ok": {"task_id": tls.data["vias_task_ids"][0]}})

        slots = [(key, "vias_task_info") for key in ("ok", "echo_401", "reset_after_signing", "wrong_password", "bad_signature")]
        slots.append(("vas_list", "vas_task_info"))
        # Secrets from the controller's environment (HW_*), not from the task: a run of their own,
        # as every module of a run sees that environment. The password case sets an empty AK/SK
        # so that the environment's AK/SK (which take precedence) are not used.
        env_emulator = emulator()
        env_emulator.admin("POST", "faults", {"faults": [echo_401(task_path(env_emulator, 1))]})
        env_calls = {"ok": {"task_id": env_emulator.data["vias_task_ids"][0]}, "echo_401": {"task_id": env_emulator.data["vias_task_ids"][1]}}
        env_hosts = {
            "env_sts": {"connection": {"endpoint": env_emulator.url}, "calls": env_calls},
            "env_password": {"connection": {"endpoint": env_emulator.url, "access_key": "", "secret_key": ""}, "calls": env_calls},
        }
        environment = {
            "HW_PROJECT_ID": CREDENTIALS.project_id, "HW_ACCESS_KEY": CREDENTIALS.access_key, "HW_SECRET_KEY": CREDENTIALS.secret_key,
            "HW_SECURITY_TOKEN": CREDENTIALS.security_token, "HW_USER_NAME": CREDENTIALS.user_name, "HW_PASSWORD": CREDENTIALS.password,
            "HW_DOMAIN_NAME": CREDENTIALS.domain_name, "HW_AUTH_URL": env_emulator.url + "/v3",
        }
        jobs = [
            lambda: run_hosts(ansible_env, dict((name, case.spec) for name, case in cases.items()), slots, workdir / "task_options",
                              verbosity=4, extra_env={"ANSIBLE_LOG_PATH": str(log_path)}),
            lambda: run_hosts(ansible_env, env_hosts, slots, workdir / "environment", verbosity=4,
                              extra_env=dict(environment, ANSIBLE_LOG_PATH=str(workdir / "ansible-environment.log"))),
        ]
        (run, results), (env_run, env_results) = run_concurrently(jobs, workers=2)
        results.update(env_results)
        issued = set()
        for handle in started:
            issued.update(token for token in handle.state.tokens._tokens if token != CREDENTIALS.static_token)  # pylint: disable=protected-access
    dump = workdir / "registered_results.json"
    dump.write_text(json.dumps(dict((host, host_run.results) for host, host_run in results.items()), indent=1), encoding="utf-8")
    (workdir / "output.txt").write_text(run.output, encoding="utf-8")
    (workdir / "output-environment.txt").write_text(env_run.output, encoding="utf-8")
    files = [workdir / "output.txt", workdir / "output-environment.txt", dump, log_path, workdir / "ansible-environment.log"]
    yield run, results, issued, files + sorted(workdir.glob("*/results_*.json"))


def used_secrets(issued, malformed=False):
    """{name: value} of every secret the run used; the token that cannot be a header has a test of its own."""
    named = {
        "static token": CREDENTIALS.static_token,
        "password": CREDENTIALS.password,
        "wrong password": WRONG_PASSWORD,
        "secret key": CREDENTIALS.secret_key,
        "wrong secret key": WRONG_SECRET_KEY,
        "security token": CREDENTIALS.security_token,
    }
    if malformed:
        named["malformed token"] = MALFORMED_TOKEN
    named.update(("IAM token %d" % index, token) for index, token in enumerate(sorted(issued)))
    return named


def scan(paths, named):
    """{secret name: [files where it or a piece of it was found]}."""
    hits = {}
    texts = dict((path.name, path.read_text(encoding="utf-8", errors="replace")) for path in paths if path.is_file())
    for name, value in named.items():
        for piece in secret_pieces(value):
            for file_name, text in texts.items():
                if piece in text:
                    hits.setdefault(name, set()).add(file_name)
    return dict((name, sorted(files)) for name, files in hits.items())


def test_no_secret_appears_in_output_log_or_results_of_any_auth_case(secrets_run):
    run, results, issued, files = secrets_run
    cases = sum(len(host_run.results) for name, host_run in results.items() if name != "malformed_token")
    assert cases >= 20 and len(issued) >= 4, "the run did not exercise the auth cases: %s" % run.output[-3000:]
    named = used_secrets(issued)
    hits = scan(files, named)
    print("\nsecret scan: %d cases, %d secrets, %d hits" % (cases, len(named), sum(len(where) for where in hits.values())))
    assert not hits, "secrets found: %s (files under %s)" % (hits, files[0].parent)


def test_a_token_that_cannot_be_a_header_is_refused_without_echoing_it(secrets_run):
    run, results, _issued, files = secrets_run
    result = results["malformed_token"]["ok"]
    assert result.get("failed") is True, results["malformed_token"].describe("ok")
    assert not no_traceback(run, result), "%s\n%s" % (no_traceback(run, result), results["malformed_token"].describe("ok"))
    assert "auth_token" in result.get("msg", ""), result
    hits = scan(files, {"malformed token": MALFORMED_TOKEN})
    assert not hits, "the token was echoed: %s (files under %s)" % (hits, files[0].parent)


def test_every_error_path_failed_cleanly_and_every_success_path_succeeded(secrets_run):
    run, results, _issued, _files = secrets_run
    for host, host_run in results.items():
        for key, result in host_run.results.items():
            context = host_run.describe(key)
            if host == "malformed_token":  # test_a_token_that_cannot_be_a_header_is_refused_without_echoing_it
                continue
            should_succeed = key in ("ok", "vas_list") and host not in ("iam_401", "iam_unreachable") and not host.startswith("tls_")
            if should_succeed:
                assert not result.get("failed"), context
            else:
                assert result.get("failed") is True, context
                assert not no_traceback(run, result), "%s\n%s" % (no_traceback(run, result), context)


def test_echoed_secret_headers_are_masked_not_dropped(secrets_run):
    """The 401 bodies did carry the secrets (so the scan proves something): the modules masked them."""
    _run, results, _issued, _files = secrets_run
    for host, header in (("token", "X-Auth-Token"), ("password", "X-Auth-Token"), ("sts", "X-Security-Token"),
                         ("env_sts", "X-Security-Token"), ("env_password", "X-Auth-Token")):
        message = results[host]["echo_401"]["msg"]
        assert "%s: %s" % (header, MASK) in message, "%s: %s" % (host, message)
    assert MASK in results["iam_401"]["ok"]["msg"], results["iam_401"]["ok"]["msg"]


def test_an_expired_iam_token_is_renewed_once_and_both_tokens_stay_masked(secrets_run):
    _run, results, issued, _files = secrets_run
    result = results["password"]["echo_401"]
    assert result.get("failed") is True and result.get("status") == 401, result
    assert len(issued) >= 2


# -- static checks ---------------------------------------------------------------------------------


def import_collection():
    root = collections_root()
    if root is None:
        pytest.fail("set ANSIBLE_COLLECTIONS_PATH to a collections root holding hwcloud.tasks")
    if str(root) not in sys.path:
        sys.path.insert(0, str(root))
    from ansible_collections.hwcloud.tasks.plugins.module_utils import declaration as module_utils  # pylint: disable=import-outside-toplevel

    return module_utils


def module_argument_specs():
    """The full argument spec of every module: what both front-ends validate against (the info modules'
    declarations, report_file's own spec)."""
    specs = {}
    for path in sorted((ROOT / "plugins" / "modules").glob("*.py")):
        if path.stem == "__init__":
            continue
        module = importlib.import_module("ansible_collections.hwcloud.tasks.plugins.modules." + path.stem)
        declaration = getattr(module, "DECLARATION", None)
        specs[path.stem] = declaration.argument_spec() if declaration is not None else module.ARGUMENT_SPEC
    return specs


def secret_like(name):
    return name in SECRET_OPTIONS or re.search(r"(token|password|secret|passphrase|private)", name) is not None


def test_every_secret_option_is_no_log_in_every_module():
    module_utils = import_collection()
    for name in SECRET_OPTIONS:
        assert module_utils.COMMON_ARGUMENT_SPEC[name].get("no_log") is True, name
    assert set(module_utils.SECRET_OPTIONS) == set(SECRET_OPTIONS)
    specs = module_argument_specs()
    assert len(specs) == 6, sorted(specs)
    for module, spec in specs.items():
        for option, settings in spec.items():
            if secret_like(option):
                assert settings.get("no_log") is True, "%s: option %s is not no_log" % (module, option)
            for alias in settings.get("aliases") or []:
                assert not secret_like(alias) or settings.get("no_log") is True, "%s: alias %s" % (module, alias)


def role_tasks():
    for path in sorted((ROLE / "tasks").glob("*.yml")):
        for task in walk_tasks(yaml.safe_load(path.read_text(encoding="utf-8")) or []):
            yield path.name, task


def walk_tasks(tasks):
    for task in tasks:
        if not isinstance(task, dict):
            continue
        yield task
        for key in ("block", "rescue", "always"):
            yield from walk_tasks(task.get(key) or [])


@pytest.mark.skipif(not (ROLE / "meta" / "argument_specs.yml").is_file(), reason="the role assert_task_states is not there yet")
def test_role_connection_secrets_are_no_log_wherever_they_reach_a_task():
    specs = yaml.safe_load((ROLE / "meta" / "argument_specs.yml").read_text(encoding="utf-8"))
    options = specs["argument_specs"]["main"]["options"]["assert_task_states_connection"]["options"]
    for name in SECRET_OPTIONS:
        assert options[name].get("no_log") is True, "assert_task_states_connection.%s is not no_log in meta/argument_specs.yml" % name
    uses = 0
    for file_name, task in role_tasks():
        if "block" in task:
            continue
        text = yaml.safe_dump(task)
        if "assert_task_states_connection" not in text:
            continue
        uses += 1
        modules = [key for key in task if key.startswith("hwcloud.tasks.")]
        # Only a module of the collection may receive them (its options are no_log), and only as its options.
        passed_to_module = bool(modules) and all(key.startswith("hwcloud.tasks.") for key in (task.get("module_defaults") or {}))
        assert passed_to_module or task.get("no_log") is True, (
            "%s: task %r uses assert_task_states_connection without no_log: %s" % (file_name, task.get("name"), text))
    assert uses >= 1


@pytest.mark.skipif(not (ROLE / "meta" / "argument_specs.yml").is_file(), reason="the role assert_task_states is not there yet")
def test_role_run_with_password_and_a_401_echo_leaks_no_secret(ansible_env, tmp_path):
    """The role at -vvvv, its connection given as a role variable, the API echoing the secret headers."""
    with start_emulator(tasks=20, credentials=CREDENTIALS) as emulator:
        ids = emulator.data["vias_task_ids"]
        emulator.admin("POST", "faults", {"faults": [echo_401("/tasks/%s" % ids[0])]})
        cases = []
        for auth in ("password", "sts", "token"):
            cases.append({"name": "role with %s" % auth, "block": [{
                "name": "run the role with %s" % auth,
                "ansible.builtin.include_role": {"name": "hwcloud.tasks.assert_task_states"},
                "vars": {"assert_task_states_service": "vias", "assert_task_states_task_ids": [ids[0]],
                         "assert_task_states_timeout": 2, "assert_task_states_poll_interval": 1,
                         "assert_task_states_connection": connection(emulator, auth=auth, retries=0)},
            }], "rescue": [{"name": "the role failed with %s" % auth, "ansible.builtin.debug": {"msg": "role failed as expected"}}]})
        document = [{"name": "role", "hosts": "localhost", "gather_facts": False,
                     "vars": {"ansible_python_interpreter": "{{ ansible_playbook_python }}"}, "tasks": cases}]
        run = run_playbook(ansible_env, [], document=document, verbosity=4,
                           workdir=tmp_path / "role", extra_env={"ANSIBLE_LOG_PATH": str(tmp_path / "role.log")})
        issued = [token for token in emulator.state.tokens._tokens if token != CREDENTIALS.static_token]  # pylint: disable=protected-access
    (tmp_path / "role_output.txt").write_text(run.output, encoding="utf-8")
    assert run.output.count("role failed as expected") >= 3, "the role did not fail three times:\n" + run.output[-3000:]
    assert issued, "the password case got no token"
    hits = scan([tmp_path / "role_output.txt", tmp_path / "role.log"], used_secrets(issued))
    print("\nsecret scan (role): 3 cases, %d secrets, %d hits" % (len(used_secrets(issued)), sum(len(where) for where in hits.values())))
    assert not hits, "secrets found: %s (files under %s)" % (hits, tmp_path)


def test_secret_scan_helpers_find_what_they_look_for(tmp_path):
    """The scan itself: a secret, a line of a multi-line secret and an escaped one are all found."""
    path = tmp_path / "sample.txt"
    path.write_text("a %s b %r c" % (MALFORMED_TOKEN.split("\n")[1], MALFORMED_TOKEN), encoding="utf-8")
    assert "malformed token" in scan([path], used_secrets([], malformed=True))
    assert scan([path], {"absent": random_secret("absent")}) == {}
    assert Path(path).is_file()


def test_the_scan_ran_through_the_path_it_names(request, secrets_run):
    run, _results, _issued, _files = secrets_run
    in_process = "running on the controller, in process" in run.output
    shipped = "shipping the module (HWCLOUD_TASKS_IN_PROCESS is false)" in run.output
    if "module" in request.node.callspec.id:
        assert shipped and not in_process, run.output[-2000:]
    else:
        assert in_process and not shipped, run.output[-2000:]
