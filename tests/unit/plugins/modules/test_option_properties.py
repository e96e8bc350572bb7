# Copyright (c) hwcloud.tasks contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Hostile input: any value of any option of any module either is refused before a request,
with a message that names the option, or becomes a well-formed request on the module's own
route; and valid JSON of the wrong shape fails cleanly.

Each module's real ``main()`` runs in-process (``patch_module_args``) against an in-process
emulator; ``SystemExit`` is caught and the JSON the module printed is read back (from a
redirected stdout: hypothesis does not mix with the function-scoped ``capsys``). The
requests are seen twice: as sent (``HTTPAdapter.send``), which catches a request to a path
the emulator does not route, and as answered (the emulator's per-route counts).

Every example starts from a valid call and replaces one to three options with a value drawn
from that option's valid values or from anything at all. Retry backoff is shrunk and waits
use a fake clock (conftest.fast_timing); valid wait_timeout values stay at 5 s or less so
that no example polls for long. ``endpoint`` and ``iam_endpoint`` are never drawn empty:
an empty one falls back to the public cloud's hosts.
"""

from __future__ import annotations

import decimal
import os
import re
from urllib.parse import urlsplit

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from ansible_collections.hwcloud.tasks.plugins.module_utils.apis import PATH_PARAM_PATTERN
from ansible_collections.hwcloud.tasks.plugins.module_utils.phase import PHASE_BY_STATE, PHASES

from modules_support import argument_spec, run_module
from hwcloud_emulator.credentials import FOREIGN_PROJECT_ID

MODULES = ("hilens_task_info", "vias_task_info", "vas_task_info", "octopus_system_job_info", "vias_batch_task_info")
ROUTE = {
    "hilens_task_info": {"hilens_tasks"},
    "vias_task_info": {"vias_task"},
    # By id, or the service's list when no id is given.
    "vas_task_info": {"vas_task", "vas_tasks"},
    "octopus_system_job_info": {"octopus_jobs"},
    "vias_batch_task_info": {"vias_batch_tasks"},
}
# The path of each module's API, as a pattern over what requests sends (segments percent-encoded).
SEGMENT = r"[^/?#]+"
ROUTE_PATH = {
    "hilens_task_info": r"/v3/%s/ai-mgr/deployments/%s/tasks" % (SEGMENT, SEGMENT),
    "vias_task_info": r"/v2/%s/tasks/%s" % (SEGMENT, SEGMENT),
    "vas_task_info": r"/v2/%s/services/%s/tasks(?:/%s)?" % (SEGMENT, SEGMENT, SEGMENT),
    "octopus_system_job_info": r"/v1.0/%s/data/system-jobs" % SEGMENT,
    "vias_batch_task_info": r"/v2/%s/batch-tasks" % SEGMENT,
}
IAM_PATH = "/v3/auth/tokens"
LIST_MODULES = ("hilens_task_info", "octopus_system_job_info", "vias_batch_task_info")
ITEMS_KEY = {"hilens_task_info": "tasks", "octopus_system_job_info": "jobs", "vias_batch_task_info": "batch_tasks"}
TOTAL_KEY = {"hilens_task_info": "count", "octopus_system_job_info": "total", "vias_batch_task_info": "count"}
ALIASES = {"job_id": "id", "page_size": "limit"}

# At least 1,000 examples per module (PROPERTY_EXAMPLES overrides it while developing).
EXAMPLES = int(os.environ.get("PROPERTY_EXAMPLES") or 1000)
PROPERTY_SETTINGS = settings(
    max_examples=EXAMPLES,
    deadline=None,
    database=None,
    phases=[Phase.explicit, Phase.generate, Phase.shrink],
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much],
)

# Ids that must never become another path: separators, traversal, encodings, query and fragment
# marks, spaces, unicode, control characters, very long values.
HOSTILE_IDS = [
    "a/b", "../tasks", "..", ".", "x/../../v2", "%2F", "a%2Fb", "%2e%2e", "a?b=1", "a#b", "a b", " a", "a\tb",
    "任务-1", "caf\u00e9", "\u202eab", "a\x00b", "a\r\nX-Injected: 1", "a" * 129, "1" * 10000, "", "a;b", "a\\b",
]
SPECIAL_VALUES = HOSTILE_IDS + [
    "-1", "0", "true", "no", "null", "{}", "[]", "1e3", "0x10", "nan", "inf", "\u20ac", "\U0001f600",
    "${HOME}", "{{ 7 * 7 }}", "http://127.0.0.1:1/", "file:///etc/passwd",
]
# Endpoints: never empty (that means "the public cloud"); never a reachable host but the emulator.
HOSTILE_ENDPOINTS = [
    "not a url", "ftp://127.0.0.1/", "http://", "http://127.0.0.1:1", "http://127.0.0.1:99999", "http://127.0.0.1:abc",
    "http://[::1", "http://\u00fc\u20ac.invalid", "http://127.0.0.1:1/a b", "http://127.0.0.1:1?x=1", "http://127.0.0.1:1#x",
    "https://127.0.0.1:1", " http://127.0.0.1:1", "http://user:pass@127.0.0.1:1", "//127.0.0.1:1", "\x00",
]

ANY_VALUE = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.integers(min_value=-(2 ** 70), max_value=2 ** 70),
    st.floats(),
    st.text(max_size=40),
    st.sampled_from(SPECIAL_VALUES),
    st.lists(st.one_of(st.text(max_size=12), st.integers(), st.none(), st.sampled_from(SPECIAL_VALUES)), max_size=4),
    st.dictionaries(st.text(max_size=6), st.one_of(st.integers(), st.text(max_size=6)), max_size=2),
)
VALID_ID = st.from_regex(PATH_PARAM_PATTERN, fullmatch=True).filter(lambda value: ".." not in value)


def common_valid(emulator):
    """Valid values of the options every module has."""
    creds = emulator.credentials
    return {
        "region": st.sampled_from(["cn-north-4", "ap-southeast-1"]),
        "project_id": st.sampled_from([creds["project_id"], FOREIGN_PROJECT_ID, "0" * 32]),
        "endpoint": st.sampled_from([emulator.url, emulator.url + "/"]),
        "auth_token": st.one_of(st.just(creds["static_token"]), st.text(alphabet=st.characters(min_codepoint=33, max_codepoint=126), min_size=1)),
        "access_key": st.just(creds["access_key"]),
        "secret_key": st.one_of(st.just(creds["secret_key"]), st.text(min_size=1, max_size=20)),
        "security_token": st.just(creds["security_token"]),
        "user_name": st.just(creds["user_name"]),
        "password": st.one_of(st.just(creds["password"]), st.text(min_size=1, max_size=20)),
        "domain_name": st.just(creds["domain_name"]),
        "iam_endpoint": st.sampled_from([emulator.url, emulator.url + "/v3"]),
        "validate_certs": st.booleans(),
        "ca_path": st.sampled_from(["/nonexistent/ca.pem", "/"]),
        "timeout": st.integers(1, 3600),
        "retries": st.integers(0, 10),
        "schema_validation": st.sampled_from(["strict", "warn", "off"]),
        "wait_for": st.lists(st.sampled_from(PHASES), max_size=2, unique=True),
        "wait_for_states": st.lists(st.sampled_from(sorted(PHASE_BY_STATE)), max_size=2),
        "fail_on": st.lists(st.sampled_from(PHASES), max_size=2, unique=True),
        "wait_timeout": st.integers(1, 5),
        "wait_sleep": st.integers(1, 3600),
    }


LIST_VALID = {
    "page_concurrency": st.integers(1, 32),
    "max_pages": st.integers(1, 100000),
    "fields": st.lists(st.text(max_size=12), max_size=3),
    "summary": st.booleans(),
    "return_items": st.booleans(),
    "wait_min_count": st.integers(0, 10),
}


def module_valid(name, emulator):
    """Valid values of each module's own options (ids from the emulator's data, or well-formed ones)."""
    data = emulator.data
    if name == "hilens_task_info":
        return {
            "deployment_id": st.one_of(st.sampled_from(sorted(data["hilens_deployments"])), VALID_ID),
            "offset": st.integers(0, 10),
            "limit": st.integers(1, 100),
        }
    if name in ("vias_task_info", "vas_task_info"):
        ids = st.one_of(st.sampled_from(data["vias_task_ids" if name == "vias_task_info" else "vas_task_ids"][:3]), VALID_ID)
        options = {"task_id": ids, "task_ids": st.lists(ids, min_size=1, max_size=4)}
        if name == "vas_task_info":
            options["service_name"] = st.one_of(st.just(data["vas_service_name"]), VALID_ID)
        return options
    if name == "octopus_system_job_info":
        iso = st.datetimes().map(lambda moment: moment.strftime("%Y-%m-%dT%H:%M:%SZ"))
        when = st.one_of(st.integers(0, 2 ** 42), iso)
        return {
            "workspace_id": st.text(max_size=20), "data_id": st.text(max_size=20), "id": st.integers(0, 2 ** 31),
            "job_id": st.integers(0, 2 ** 31),
            "job_types": st.lists(st.sampled_from(["PACKAGE_IMPORT", "FRAME_EXTRACT", "SCENARIO_EXTRACT"]), max_size=3),
            "statuses": st.lists(st.sampled_from(["QUEUING", "RUNNING", "FINISHED", "RUN_FAILED"]), max_size=3),
            "start_time": when, "end_time": when,
            "sort": st.sampled_from(["create_at,desc", "id,asc", "update_at", "id"]),
            "offset": st.integers(0, 10), "limit": st.integers(1, 100),
        }
    return {
        "is_paged": st.booleans(), "page_num": st.integers(1, 10000), "page_size": st.integers(5, 200),
        "order_by": st.sampled_from(["asc", "desc"]), "sort_name": st.sampled_from(["task_count", "created_at"]),
        "video_group": st.from_regex(r"[a-z0-9,]{1,20}", fullmatch=True),
        "task_state": st.sampled_from(["running", "failed", "pending"]),
        "type_like": st.sampled_from(["batch_task_name", "publish_service_name"]), "name_like": st.text(max_size=100),
        "manufacturer": st.from_regex(r"[a-zA-Z0-9]{2,64}", fullmatch=True), "title": st.from_regex(r"[a-z0-9-]{2,64}", fullmatch=True),
    }


def baseline(name, emulator):
    """A valid call of module ``name`` that succeeds (static token, no retries, short waits)."""
    creds = emulator.credentials
    data = emulator.data
    args = {"endpoint": emulator.url, "project_id": creds["project_id"], "auth_token": creds["static_token"],
            "retries": 0, "wait_timeout": 2, "wait_sleep": 1}
    if name == "hilens_task_info":
        args["deployment_id"] = "dep-small"
    elif name == "vias_task_info":
        args["task_id"] = data["vias_task_ids"][0]
    elif name == "vas_task_info":
        args["task_id"] = data["vas_task_ids"][0]
    return args


# Integer options: ansible-core itself raises before any module code runs on three kinds of values,
# which are therefore not drawn: an infinite number (check_type_int lets int(Decimal('Infinity'))'s
# OverflowError escape), a list (Decimal() reads it as a (sign, digits, exponent) tuple and may
# overflow) and an integer of more than 4,300 digits (AnsibleModule._log_invocation's str(int)
# hits Python's int_max_str_digits).
INT_OPTIONS = {"timeout", "retries", "wait_timeout", "wait_sleep", "page_concurrency", "max_pages", "wait_min_count",
               "offset", "limit", "id", "job_id", "page_num", "page_size"}


def within_ansible_int_limit(value):
    if isinstance(value, (list, tuple)):
        return False
    if isinstance(value, (str, float)) and not isinstance(value, bool):
        try:
            if decimal.Decimal(value).is_infinite():
                return False
        except (decimal.DecimalException, ValueError):
            pass
    text = value.strip().lstrip("+-") if isinstance(value, str) else ""
    return not (text.isdigit() and len(text) > 4300) and not (isinstance(value, int) and abs(value) >= 10 ** 4300)


def hostile(option):
    if option in INT_OPTIONS:
        values = ANY_VALUE.filter(within_ansible_int_limit)
        if option == "wait_timeout":  # a valid wait of hours would poll for hours
            return values.filter(lambda value: not (isinstance(value, int) and 6 <= value <= 86400))
        return values
    if option in ("endpoint", "iam_endpoint"):
        return st.one_of(st.sampled_from(HOSTILE_ENDPOINTS), st.text(min_size=1, max_size=40).filter(lambda text: not text.lower().startswith("http")))
    return ANY_VALUE


def option_strategies(name, emulator):
    """{option: strategy} for every option (and alias) the module's argument spec has, plus an unknown one.

    Options the tables above know get their valid values or anything; an option added to a
    module since gets anything (the property holds for it all the same).
    """
    spec = argument_spec(name)
    options = set(spec) | set(alias for settings in spec.values() for alias in settings.get("aliases") or [])
    int_options = set(option for option, settings in spec.items() if settings.get("type") == "int")
    valid = common_valid(emulator)
    if name in LIST_MODULES:
        valid.update(LIST_VALID)
    valid.update(module_valid(name, emulator))
    strategies = {}
    for option in sorted(options):
        anything = hostile(option)
        if option in int_options and option not in INT_OPTIONS:
            anything = ANY_VALUE.filter(within_ansible_int_limit)
        strategies[option] = st.one_of(valid[option], anything) if option in valid else anything
    strategies["an_unknown_option"] = ANY_VALUE
    return strategies


def names_for(option):
    """What a message may call an option: its name, the name an alias stands for, its singular."""
    names = {option, ALIASES.get(option, option)}
    names.update(name[:-1] for name in list(names) if name.endswith("s"))
    return names


def secret_values(args):
    """Every text ansible masks in messages: each secret, and, for a secret given as a dict or list, each value in it
    (the values only, not the keys, like ansible's no_log collection)."""

    def texts(value):
        if isinstance(value, str):
            return [value] if value else []
        if isinstance(value, dict):
            return [text for part in value.values() for text in texts(part)]
        if isinstance(value, (list, tuple)):
            return [text for part in value for text in texts(part)]
        return [str(value)] if value is not None and not isinstance(value, bool) else []

    return [text for option in ("auth_token", "secret_key", "password", "security_token") for text in texts(args.get(option))]


def path_prefix(args):
    endpoint = args.get("endpoint")
    try:
        return urlsplit(endpoint).path.rstrip("/") if isinstance(endpoint, str) else ""
    except ValueError:  # not a URL at all: the module must have refused it, and sent nothing
        return ""


def check_outcome(name, args, mutated, outcome):
    """The property: no traceback; refused with a message naming an option it was given, or a request on the right route."""
    assert outcome.error is None, "main() raised %s: %s\nargs=%r" % (type(outcome.error).__name__, outcome.error, args)
    assert outcome.result is not None, "the module printed no JSON object: %r\nargs=%r" % (outcome.output[:500], args)
    assert "Traceback" not in outcome.output, outcome
    assert "exception" not in outcome.result, outcome
    route = re.compile(r"^%s%s\Z" % (re.escape(path_prefix(args)), ROUTE_PATH[name]))
    api_requests = []
    for method, url in outcome.sent:
        path = urlsplit(url).path
        if path == IAM_PATH or path.endswith(IAM_PATH):
            assert method == "POST", outcome
            continue
        assert method == "GET" and route.match(path), "a request left the module's route: %s %s\nargs=%r" % (method, url, args)
        api_requests.append(url)
    other_routes = set(outcome.routes) - ROUTE[name]
    assert not other_routes, "the emulator answered on another route: %r\nargs=%r" % (dict(outcome.routes), args)
    if outcome.failed:
        assert outcome.msg.strip(), outcome
        if not api_requests and not any(url for _method, url in outcome.sent):
            words = set().union(*(names_for(option) for option in mutated))
            # ansible masks every no_log value wherever it appears: a secret "o" turns project_id into pr********ject_id.
            masked = any(secret in word for secret in secret_values(args) for word in words)
            said = [word for word in words if word in outcome.msg]
            assert said or masked, "refused before any request without naming %s: %r" % (", ".join(mutated), outcome.msg)
    else:
        assert sum(outcome.routes[route] for route in ROUTE[name]) >= 1, "succeeded without a request on %s: %r" % (ROUTE[name], outcome)


# -- the property ----------------------------------------------------------------------------------


@pytest.mark.parametrize("name", MODULES)
def test_any_value_of_any_option_is_refused_by_name_or_sent_on_the_right_route(name, emulator):
    strategies = option_strategies(name, emulator)
    options = sorted(strategies)
    base = baseline(name, emulator)

    @PROPERTY_SETTINGS
    @given(data=st.data())
    def prove(data):
        mutated = data.draw(st.lists(st.sampled_from(options), min_size=1, max_size=3, unique=True), label="options")
        args = dict(base)
        for option in mutated:
            args[option] = data.draw(strategies[option], label=option)
        check_outcome(name, args, mutated, run_module(emulator, name, args))

    prove()


# -- the same property at the values that broke it or that matter most -------------------------------


ID_OPTIONS = [
    ("hilens_task_info", "deployment_id"),
    ("hilens_task_info", "project_id"),
    ("vias_task_info", "task_id"),
    ("vias_task_info", "task_ids"),
    ("vas_task_info", "task_id"),
    ("vas_task_info", "service_name"),
    ("octopus_system_job_info", "project_id"),
    ("vias_batch_task_info", "project_id"),
]


@pytest.mark.parametrize("value", HOSTILE_IDS, ids=lambda value: repr(value[:20]))
@pytest.mark.parametrize("name, option", ID_OPTIONS)
def test_ids_with_path_characters_never_reach_another_route(emulator, name, option, value):
    args = baseline(name, emulator)
    args[option] = [value] if option == "task_ids" else value
    outcome = run_module(emulator, name, args)
    check_outcome(name, args, [option], outcome)
    # None of these is a valid path segment: refused before anything is sent.
    assert outcome.failed and not outcome.sent and not outcome.routes, outcome


HEADER_CREDENTIALS = [
    ("auth_token", "emu-tok\nen-1"),
    ("auth_token", "emu-tok\r\nX-Injected: 1"),
    ("auth_token", "emu-t\u20acken"),
    ("access_key", "EMU\u20acAK"),
    ("access_key", "EMUAK\nX-Injected: 1"),
    ("security_token", "emu-\u20ac-security-token"),
    ("security_token", "emu-security\r\ntoken"),
]


@pytest.mark.parametrize("option, value", HEADER_CREDENTIALS, ids=lambda value: repr(value)[:24])
def test_credentials_that_cannot_be_a_header_are_refused_by_name_without_a_traceback(emulator, option, value):
    creds = emulator.credentials
    args = baseline("vias_task_info", emulator)
    if option != "auth_token":
        del args["auth_token"]
        args.update(access_key=creds["access_key"], secret_key=creds["secret_key"])
    args[option] = value
    outcome = run_module(emulator, "vias_task_info", args)
    check_outcome("vias_task_info", args, [option], outcome)
    assert outcome.failed and option in outcome.msg, outcome
    if option != "access_key":  # the access key is not a secret; the others must not be echoed
        for piece in re.split(r"[\s\u20ac]+", value):
            assert len(piece) < 6 or piece not in outcome.output, "the secret %r is in the output" % piece


@pytest.mark.parametrize("option", ["endpoint", "iam_endpoint"])
@pytest.mark.parametrize("value", ["http://127.0.0.1:99999", "http://127.0.0.1:abc", "http://[::1", "http://\u00fc\u20ac.invalid"])
def test_endpoints_requests_cannot_parse_are_refused_by_name(emulator, option, value):
    creds = emulator.credentials
    args = baseline("vias_task_info", emulator)
    if option == "iam_endpoint":
        del args["auth_token"]
        args.update(user_name=creds["user_name"], password=creds["password"], domain_name=creds["domain_name"])
    args[option] = value
    outcome = run_module(emulator, "vias_task_info", args)
    check_outcome("vias_task_info", args, [option], outcome)
    assert outcome.failed and option in outcome.msg, outcome


@pytest.mark.parametrize("option", ["timeout", "page_concurrency"])
def test_a_boolean_where_a_number_belongs_is_refused_by_name(emulator, option):
    """ansible's int type lets True through as 1; requests then refuses a boolean timeout with a ValueError."""
    args = dict(baseline("hilens_task_info", emulator), **{option: True})
    outcome = run_module(emulator, "hilens_task_info", args)
    check_outcome("hilens_task_info", args, [option], outcome)
    assert outcome.failed and option in outcome.msg, outcome


@pytest.mark.parametrize("value", ["1" * 5000, "9" * 4301])
def test_a_timestamp_of_thousands_of_digits_is_refused_by_name(emulator, value):
    args = dict(baseline("octopus_system_job_info", emulator), start_time=value)
    outcome = run_module(emulator, "octopus_system_job_info", args)
    check_outcome("octopus_system_job_info", args, ["start_time"], outcome)
    assert outcome.failed and "start_time" in outcome.msg, outcome


# -- valid JSON of the wrong shape ----------------------------------------------------------------------


def wrong_shape(emulator, name, shape, mode, **extra):
    emulator.admin("POST", "faults", {"faults": [{"kind": "wrong_shape", "shape": shape, "times": None}]})
    args = dict(baseline(name, emulator), schema_validation=mode, **extra)
    outcome = run_module(emulator, name, args)
    check_outcome(name, args, ["schema_validation"], outcome)
    return outcome


@pytest.mark.parametrize("mode", ["strict", "warn", "off"])
@pytest.mark.parametrize("name", MODULES)
def test_a_list_where_an_object_belongs_fails_cleanly(emulator, name, mode):
    outcome = wrong_shape(emulator, name, "list", mode)
    assert outcome.failed, "a list instead of the response object was accepted: %r" % outcome


@pytest.mark.parametrize("mode", ["strict", "warn", "off"])
@pytest.mark.parametrize("name", ["vias_task_info", "vas_task_info"])
def test_a_list_where_an_object_belongs_fails_cleanly_while_waiting(emulator, name, mode):
    outcome = wrong_shape(emulator, name, "list", mode, wait_for=["succeeded"], wait_timeout=2)
    assert outcome.failed, outcome


@pytest.mark.parametrize("mode", ["strict", "warn", "off"])
@pytest.mark.parametrize("name", MODULES)
def test_ten_megabytes_of_nesting_fails_cleanly(emulator, name, mode):
    outcome = wrong_shape(emulator, name, "deep", mode)
    assert outcome.failed and "nested too deeply" in outcome.msg, outcome


@pytest.mark.parametrize("name", LIST_MODULES)
def test_a_count_sent_as_a_string_fails_in_strict_mode(emulator, name):
    outcome = wrong_shape(emulator, name, "string_count", "strict")
    assert outcome.failed and "expected integer" in outcome.msg, outcome


@pytest.mark.parametrize("mode", ["warn", "off"])
@pytest.mark.parametrize("name", LIST_MODULES)
def test_a_count_sent_as_a_string_is_read_as_a_number_when_validation_allows(emulator, name, mode):
    outcome = wrong_shape(emulator, name, "string_count", mode)
    assert not outcome.failed, outcome
    result = outcome.result
    assert isinstance(result[TOTAL_KEY[name]], int) and result[TOTAL_KEY[name]] == len(result[ITEMS_KEY[name]]), outcome
    assert result["complete"] is True, outcome
    if mode == "warn":
        assert any("expected integer" in warning for warning in outcome.warnings), outcome
