# -*- coding: utf-8 -*-
# Copyright (c) hwcloud.tasks contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The one phase model: every raw task state of the five APIs, mapped to a phase.

Which states an item of each service is in is the business of ``kinds.py``;
this file only maps states to phases and aggregates them.

Phases: ``pending`` (accepted, not doing work yet), ``running`` (doing work),
``succeeded``, ``failed``, ``stopped`` (stopped, being stopped or frozen by
request or by the platform) and ``unknown`` (a state this model does not
know, or no state at all).

``PHASE_BY_STATE`` is the single table. Keys are upper-case and lookups are
case-insensitive, so the lower-case ``task_state`` keys of VIAS batch tasks
and the undocumented per-pod ``task_status`` values of HiLens go through the
same table as the upper-case VIAS/VAS ``state`` and Octopus ``status``.

Aggregation rule (a VIAS batch's ``batch_task_status_info`` counts, the pods
of a HiLens task): take the phase of every state with a non-zero count and
return the first phase present in this order::

    failed > unknown > pending > running > stopped > succeeded

so one failed task makes the batch failed, an unrecognised state is never
hidden behind a reassuring phase, work still to come (pending, running)
outranks work that ended, and ``succeeded`` needs every task to have
succeeded. No non-zero count at all gives ``unknown``.

How a HiLens task's pods and counters make its phase is the HiLens kind's rule (kinds.py).
"""

from __future__ import annotations

from collections import namedtuple

from collections.abc import Mapping

PHASES = ("pending", "running", "succeeded", "failed", "stopped", "unknown")

# Which phase wins when several are present (see the module docstring).
AGGREGATION_ORDER = ("failed", "unknown", "pending", "running", "stopped", "succeeded")

StateInfo = namedtuple("StateInfo", ("phase", "meaning"))

# In the vendor's documented order, which also orders the batch state display. Which service documents which
# state is each kind's own fact (kinds.py): this table only says what a state means.
PHASE_BY_STATE = {
    # VIAS / VAS `state`; lower-case in VIAS batch `task_state` counts.
    "PENDING": StateInfo("pending", "Waiting to be scheduled."),
    "RECOVERING": StateInfo("pending", "Being restored after an interruption."),
    "STARTING": StateInfo("pending", "Being started."),
    "UPGRADING": StateInfo("pending", "Being upgraded; starts again afterwards."),
    "CREATE_FAILED": StateInfo("failed", "Could not be created."),
    "START_FAILED": StateInfo("failed", "Could not be started."),
    "RUNNING": StateInfo("running", "Running."),
    "STOPPING": StateInfo("stopped", "Being stopped on request."),
    "STOPPED": StateInfo("stopped", "Stopped on request."),
    "ABNORMAL": StateInfo("failed", "Hit an error and is not working normally."),
    "SUCCEEDED": StateInfo("succeeded", "Ran to completion."),
    "FAILED": StateInfo("failed", "Ran and failed."),
    "DELETING": StateInfo("stopped", "Being deleted."),
    "FREEZING": StateInfo("stopped", "Being frozen by the platform."),
    "FROZEN": StateInfo("stopped", "Frozen by the platform; does not run."),
    # VIAS batch `task_state` only.
    "STOPPED_NO_SERVICE": StateInfo("pending", "Waiting for its service after the service was redeployed."),
    "SCHEDULING": StateInfo("pending", "Being scheduled onto resources."),
    "LACK_OF_RESOURCES": StateInfo("failed", "Could not be created: not enough resources."),
    # Octopus system job `status` (RUNNING and STOPPED are above).
    "QUEUING": StateInfo("pending", "Queued, waiting to be submitted."),
    "SUBMIT_FAILED": StateInfo("failed", "Could not be submitted."),
    "RUN_FAILED": StateInfo("failed", "Failed while running."),
    "FINISHED": StateInfo("succeeded", "Completed."),
    "LAUNCHING": StateInfo("pending", "Submitted; its containers are starting."),
    # The job is launched and transferring data: that is work in progress, and
    # calling it pending would make a job seem to fall back from running.
    "UPLOADING": StateInfo("running", "Launched and uploading data."),
    "UPLOAD_FAILED": StateInfo("failed", "The data upload failed."),
}

# Display value of an item that carries no state at all.
NO_STATE = "(none)"

_DOCUMENTED_ORDER = {state: index for index, state in enumerate(PHASE_BY_STATE)}


def documented_order(state):
    """Sort key of a raw state: the table's order; states the table does not know go last."""
    return _DOCUMENTED_ORDER.get(str(state).upper(), len(_DOCUMENTED_ORDER))


def phase_of_state(raw):
    """Phase of one raw state string, any case; ``unknown`` for anything else."""
    if not isinstance(raw, str):
        return "unknown"
    info = PHASE_BY_STATE.get(raw.strip().upper())
    return info.phase if info else "unknown"


def aggregate_phases(phases):
    """The phase of a whole made of parts in ``phases``: the first of AGGREGATION_ORDER present, else unknown."""
    for phase in AGGREGATION_ORDER:
        if phase in phases:
            return phase
    return "unknown"


def positive_count(value):
    return isinstance(value, int) and not isinstance(value, bool) and value > 0


def phase_of_counts(counts):
    """Phase of a VIAS batch from its ``batch_task_status_info`` counts."""
    if not isinstance(counts, Mapping):
        return "unknown"
    return aggregate_phases({phase_of_state(state) for state, count in counts.items() if positive_count(count)})


def render_phase_table_markdown(services_by_state):
    """The Markdown table of PHASE_BY_STATE, grouped by phase, for docs/phases.md; ``services_by_state`` names the
    services that document each state (kinds.services_by_state(): which states a service has is its kind's fact)."""
    lines = [
        "| Raw state | Phase | Services | Meaning |",
        "| --- | --- | --- | --- |",
    ]
    rows = sorted(PHASE_BY_STATE.items(), key=lambda row: PHASES.index(row[1].phase))
    for state, info in rows:
        services = ", ".join("`%s`" % service for service in services_by_state.get(state, ()))
        lines.append("| `%s` | %s | %s | %s |" % (state, info.phase, services, info.meaning))
    return "\n".join(lines) + "\n"
