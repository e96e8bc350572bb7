"""The collection under ansible-runner (what AWX and Automation Platform run), and the
AWX credential type of extensions/awx against the modules' own options."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import jinja2.sandbox
import pytest
import yaml

from release_support import BIN, ROOT, env_fallbacks

ansible_runner = pytest.importorskip("ansible_runner")

CREDENTIAL_TYPE = ROOT / "extensions" / "awx" / "credential_type.yml"
AWX_GUIDE = ROOT / "docs" / "awx.md"
# The playbook of docs/awx.md that a job template runs: the first yaml block after this marker.
PLAYBOOK_MARKER = "<!-- job template playbook: run by tests/release/test_ansible_runner.py -->"
# Inputs that no environment variable carries, and the extra var each one becomes.
EXTRA_VAR_INPUTS = {"auth_token": "hwcloud_auth_token", "endpoint": "hwcloud_endpoint"}


def credential_type():
    return yaml.safe_load(CREDENTIAL_TYPE.read_text(encoding="utf-8"))


def render_injectors(inputs):
    """What AWX does with a credential: render each injector template with the credential's inputs
    (a field left empty renders as an empty string)."""
    definition = credential_type()
    values = dict.fromkeys((field["id"] for field in definition["inputs"]["fields"]), "")
    values.update(inputs)
    environment = jinja2.sandbox.ImmutableSandboxedEnvironment(undefined=jinja2.StrictUndefined)
    rendered = {}
    for kind, templates in definition["injectors"].items():
        rendered[kind] = {name: environment.from_string(template).render(**values) for name, template in templates.items()}
    return rendered


def injected_input(template):
    """The input field an injector template passes on, unchanged: ``{{ field }}``."""
    match = re.fullmatch(r"\{\{\s*(\w+)\s*\}\}", template)
    assert match, "injector %r should pass one input on unchanged" % template
    return match.group(1)


def run_playbook(playbook, private_data_dir, collections_dir, envvars=None, extravars=None):
    env = {
        "ANSIBLE_COLLECTIONS_PATH": str(collections_dir),
        "ANSIBLE_PYTHON_INTERPRETER": sys.executable,
        "ANSIBLE_NOCOLOR": "1",
        "ANSIBLE_RETRY_FILES_ENABLED": "0",
        # ansible-playbook of this virtualenv, as in an execution environment.
        "PATH": "%s:/usr/bin:/bin" % BIN,
    }
    env.update(envvars or {})
    Path(private_data_dir).mkdir(parents=True, exist_ok=True)
    return ansible_runner.run(
        private_data_dir=str(private_data_dir),
        playbook=str(playbook),
        envvars=env,
        extravars=extravars or {},
        quiet=True,
        timeout=300,
    )


def output_of(result):
    return result.stdout.read() if result.stdout else ""


def strip_module_environment(monkeypatch):
    """Credentials of the developer's shell must not leak into a run that tests injected ones."""
    for option in env_fallbacks().values():
        for name in option["env"]:
            monkeypatch.delenv(name, raising=False)


# --- the demo under ansible-runner -------------------------------------------------------------


def test_demo_playbook_runs_successfully_under_ansible_runner(tmp_path, collections_dir, emulator, monkeypatch):
    strip_module_environment(monkeypatch)
    envvars = {"HWCLOUD_EMULATOR_URL": emulator.url, "HWCLOUD_DEMO_REPORTS": str(tmp_path / "reports")}
    result = run_playbook(ROOT / "playbooks" / "demo.yml", tmp_path / "runner", collections_dir, envvars=envvars)
    output = output_of(result)
    assert result.status == "successful", output
    assert result.rc == 0, output
    assert result.stats["ok"] and not result.stats["failures"], result.stats


# --- the credential type: its shape, then a job that uses it ------------------------------------


def test_credential_type_env_injectors_are_exactly_the_env_variables_the_modules_read():
    spec = env_fallbacks()
    env_injectors = credential_type()["injectors"]["env"]
    for name, template in env_injectors.items():
        field = injected_input(template)
        assert field in spec, "%s injects input %s, which is no option of COMMON_ARGUMENT_SPEC" % (name, field)
        assert name in spec[field]["env"], "%s is not an environment variable that option %s reads (it reads %s)" % (
            name,
            field,
            spec[field]["env"],
        )
    fields = {field["id"] for field in credential_type()["inputs"]["fields"]}
    with_env = {field for field in fields if spec[field]["env"]}
    assert sorted(injected_input(template) for template in env_injectors.values()) == sorted(with_env)
    assert set(env_injectors) == {"HW_PROJECT_ID", "HW_REGION_NAME", "HW_ACCESS_KEY", "HW_SECRET_KEY", "HW_SECURITY_TOKEN"}


def test_credential_type_inputs_without_env_fallback_become_extra_vars():
    spec = env_fallbacks()
    extra_vars = credential_type()["injectors"]["extra_vars"]
    fields = {field["id"] for field in credential_type()["inputs"]["fields"]}
    without_env = {field for field in fields if not spec[field]["env"]}
    assert without_env == set(EXTRA_VAR_INPUTS)
    assert {name: injected_input(template) for name, template in extra_vars.items()} == {
        variable: field for field, variable in EXTRA_VAR_INPUTS.items()
    }


def test_credential_type_marks_exactly_the_no_log_options_secret():
    spec = env_fallbacks()
    fields = credential_type()["inputs"]["fields"]
    assert {field["id"] for field in fields if field.get("secret")} == {field["id"] for field in fields if spec[field["id"]]["no_log"]}
    assert all(field["type"] == "string" for field in fields)
    assert credential_type()["kind"] == "cloud"  # the only kinds AWX allows a custom type: cloud, net


def test_awx_guide_shows_every_input_of_the_credential_type():
    guide = AWX_GUIDE.read_text(encoding="utf-8")
    for field in credential_type()["inputs"]["fields"]:
        assert "`%s`" % field["id"] in guide, "docs/awx.md does not mention input %s" % field["id"]
    for name in list(credential_type()["injectors"]["env"]) + list(credential_type()["injectors"]["extra_vars"]):
        assert name in guide, "docs/awx.md does not mention %s" % name


def guide_playbook(tmp_path):
    guide = AWX_GUIDE.read_text(encoding="utf-8")
    assert PLAYBOOK_MARKER in guide, "docs/awx.md lost its marked job template playbook"
    block = re.search(r"```yaml\n(.*?)```", guide[guide.index(PLAYBOOK_MARKER):], re.S)
    playbook = tmp_path / "project" / "verify_rollout.yml"
    playbook.parent.mkdir(parents=True)
    playbook.write_text(block.group(1), encoding="utf-8")
    return playbook


@pytest.mark.parametrize(
    "inputs",
    [
        pytest.param(dict(access_key="access_key", secret_key="secret_key"), id="ak-sk"),
        pytest.param(dict(access_key="access_key", secret_key="secret_key", security_token="security_token"), id="temporary-ak-sk"),
        pytest.param(dict(auth_token="static_token"), id="iam-token"),
    ],
)
def test_job_with_the_injected_credential_runs_the_guide_playbook(tmp_path, collections_dir, emulator, monkeypatch, inputs):
    strip_module_environment(monkeypatch)
    credentials = emulator.credentials
    values = {field: credentials[key] for field, key in inputs.items()}
    values.update(project_id=credentials["project_id"], endpoint=emulator.url)
    injected = render_injectors(values)
    result = run_playbook(guide_playbook(tmp_path), tmp_path / "runner", collections_dir, envvars=injected["env"], extravars=injected["extra_vars"])
    output = output_of(result)
    assert result.status == "successful" and result.rc == 0, output
    for secret in ("secret_key", "security_token", "auth_token"):
        if values.get(secret):
            assert values[secret] not in output, "%s appeared in the job output" % secret


def test_job_without_credentials_fails_saying_which_are_missing(tmp_path, collections_dir, emulator, monkeypatch):
    strip_module_environment(monkeypatch)
    injected = render_injectors(dict(project_id=emulator.credentials["project_id"], endpoint=emulator.url))
    result = run_playbook(guide_playbook(tmp_path), tmp_path / "runner", collections_dir, envvars=injected["env"], extravars=injected["extra_vars"])
    output = output_of(result)
    assert result.status == "failed" and result.rc != 0, output
    assert "No credentials" in output


def test_private_data_dir_is_self_contained(tmp_path, collections_dir, emulator, monkeypatch):
    """What AWX hands ansible-runner: env/envvars and env/extravars files in the private data dir."""
    strip_module_environment(monkeypatch)
    credentials = emulator.credentials
    injected = render_injectors(
        dict(project_id=credentials["project_id"], endpoint=emulator.url, access_key=credentials["access_key"], secret_key=credentials["secret_key"])
    )
    private = tmp_path / "runner"
    (private / "env").mkdir(parents=True)
    (private / "env" / "envvars").write_text(yaml.safe_dump(injected["env"]), encoding="utf-8")
    (private / "env" / "extravars").write_text(yaml.safe_dump(injected["extra_vars"]), encoding="utf-8")
    result = run_playbook(guide_playbook(tmp_path), private, collections_dir)
    output = output_of(result)
    assert result.status == "successful" and result.rc == 0, output
    assert Path(private, "artifacts").is_dir()
