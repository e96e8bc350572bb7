# Copyright (c) hwcloud.tasks contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Fixtures of the reliability tests: the collection ansible loads, the ansible environment,
in-process emulators, playbook runs, and the fault matrix report.

ansible must load the collection as ``hwcloud.tasks``: set ANSIBLE_COLLECTIONS_PATH to a
collections root holding it (``make view``, or ``python tools/sync_view.py DIR`` and
``ANSIBLE_COLLECTIONS_PATH=DIR``).

Rows of the fault matrix carry the marker ``fault_matrix(module, fault, mode, expected)``;
after the run the outcome of every row goes to ``tests/output/reliability/fault_matrix.md``
and the terminal prints ``fault matrix: N cases tried, N passed``. Their playbook runs start in
the background with the first test of this directory, and the rows themselves run last: on
two cores, the matrix (mostly ansible-playbook asleep between retries) and the other tests
overlap.
"""

from __future__ import annotations

import contextlib
import sys
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
if str(HERE) not in sys.path:  # also under --import-mode=importlib
    sys.path.insert(0, str(HERE))

# pylint: disable=wrong-import-position
from fault_matrix_support import Matrix  # noqa: E402
from reliability_support import (  # noqa: E402
    OUTPUT_DIR,
    ansible_environment,
    collections_root,
    run_playbook,
)
from hwcloud_emulator import start_emulator  # noqa: E402

MATRIX_ROWS = []  # (module, fault, mode, expected, outcome) of every fault matrix row that ran


def pytest_configure(config):
    config.addinivalue_line(
        "markers", "fault_matrix(module, fault, mode, expected): a row of the fault matrix report (tests/output/reliability)"
    )
    config.addinivalue_line("markers", "matrix_run(name): the playbook run of the fault matrix that a test reads")


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    marker = item.get_closest_marker("fault_matrix")
    if marker is None:
        return
    # A row is decided by its call phase, or by a setup that failed or skipped it.
    if report.when == "call" or (report.when == "setup" and not report.passed):
        result = "passed" if report.passed else ("skipped" if report.skipped else "FAILED")
        MATRIX_ROWS.append(dict(marker.kwargs, result=result, test=item.nodeid))


def pytest_terminal_summary(terminalreporter):
    if not MATRIX_ROWS:
        return
    tried = [row for row in MATRIX_ROWS if row["result"] != "skipped"]
    passed = [row for row in tried if row["result"] == "passed"]
    lines = [
        "# Fault matrix",
        "",
        "Every module (and the role) under every fault, through real ansible-playbook runs against the emulator.",
        "",
        "| module | fault | mode | expected | result |",
        "| --- | --- | --- | --- | --- |",
    ]
    for row in MATRIX_ROWS:
        lines.append("| %s | %s | %s | %s | %s |" % (row["module"], row["fault"], row["mode"], row["expected"], row["result"]))
    lines += ["", "fault matrix: %d cases tried, %d passed" % (len(tried), len(passed)), ""]
    try:
        OUTPUT_DIR.mkdir(parents=True, exist_ok=True)
        (OUTPUT_DIR / "fault_matrix.md").write_text("\n".join(lines), encoding="utf-8")
        where = " (table: %s)" % (OUTPUT_DIR / "fault_matrix.md")
    except OSError as exc:  # a read-only tree still gets the figures
        where = " (table not written: %s)" % exc
    terminalreporter.write_line("fault matrix: %d cases tried, %d passed%s" % (len(tried), len(passed), where))


def matrix_run_name(item):
    marker = item.get_closest_marker("matrix_run")
    return marker.args[0] if marker else None


def pytest_collection_modifyitems(session, config, items):  # pylint: disable=unused-argument
    """The fault matrix's rows last: they read a run that goes on while the other tests run."""
    rows = [item for item in items if matrix_run_name(item)]
    if rows:
        items[:] = [item for item in items if not matrix_run_name(item)] + rows


@pytest.fixture(scope="session")
def fault_matrix(request, ansible_env, tmp_path_factory):
    """The runs of the fault matrix (fault_matrix_support.Matrix) for the rows selected."""
    needed = set(filter(None, (matrix_run_name(item) for item in request.session.items)))
    matrix = Matrix(ansible_env, tmp_path_factory.mktemp("fault-matrix"), needed)
    yield matrix
    if matrix._threads:  # pylint: disable=protected-access  # never leave an ansible-playbook behind
        with contextlib.suppress(RuntimeError):  # its failures are reported by the tests that read it
            matrix.wait()


@pytest.fixture(scope="session", autouse=True)
def _start_fault_matrix_early(request):
    """Start the matrix's playbooks with the first test of this directory when any row is selected."""
    if any(matrix_run_name(item) for item in request.session.items):
        request.getfixturevalue("fault_matrix").start()


@pytest.fixture(scope="session")
def ansible_root():
    root = collections_root()
    if root is None:
        pytest.fail(
            "set ANSIBLE_COLLECTIONS_PATH to a collections root holding hwcloud.tasks "
            "(make view, or python tools/sync_view.py DIR and ANSIBLE_COLLECTIONS_PATH=DIR)"
        )
    return root


@pytest.fixture(scope="session")
def ansible_env(ansible_root, tmp_path_factory):
    return ansible_environment(ansible_root, tmp_path_factory.mktemp("ansible-home"))


@pytest.fixture
def playbook(ansible_env, tmp_path):
    """``playbook(calls, module_defaults, **options)`` runs one playbook in this test's tmp_path."""

    def run(calls, module_defaults=None, **options):
        options.setdefault("workdir", tmp_path / "run")
        return run_playbook(ansible_env, calls, module_defaults, **options)

    return run


@pytest.fixture(scope="session")
def emulator_server():
    """One small emulator for the tests that need nothing special (reset by ``emulator``)."""
    with start_emulator(tasks=20) as handle:
        yield handle


@pytest.fixture
def emulator(emulator_server):
    emulator_server.reset()
    return emulator_server
