# -*- coding: utf-8 -*-
# Copyright (c) hwcloud.tasks contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""One description per kind of item: the only place that knows how each service spells its items.

A kind says where an item keeps its id, which raw states it can be in and how
they make its phase, what to show as its name, state and reason, which filters
select items of that kind (with their types, the argument spec the module
uses), and which APIs read them. The engine, the waiter, the ``phase`` filter,
the report filters, the modules and both roles read these descriptions; no
other code asks which service an item comes from.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ansible_collections.hwcloud.tasks.plugins.module_utils.apis import (
    HILENS_TASKS,
    OCTOPUS_SYSTEM_JOBS,
    VAS_TASK,
    VAS_TASKS,
    VIAS_BATCH_TASKS,
    VIAS_TASK,
)
from ansible_collections.hwcloud.tasks.plugins.module_utils.errors import HwcloudTasksError
from ansible_collections.hwcloud.tasks.plugins.module_utils.phase import (
    NO_STATE,
    PHASE_BY_STATE,
    PHASES,
    aggregate_phases,
    documented_order,
    phase_of_counts,
    phase_of_state,
    positive_count,
    render_phase_table_markdown,
)

VAS_DEFAULT_SERVICE = "c-queue-status-analysis-edge"

OCTOPUS_JOB_TYPES = ("PACKAGE_IMPORT", "PACKAGE_DELETE", "SCENARIO_AUTO_MINING", "SCENARIO_TO_SIM", "FRAME_EXTRACT", "SCENARIO_EXTRACT")
VAS_ORDERS = ("name:ASC", "name:DESC", "created_at:ASC", "created_at:DESC", "updated_at:ASC", "updated_at:DESC")
# The counters of a HiLens task, in the order its fallback phase rule reads them.
HILENS_POD_COUNTERS = ("fail_pod_number", "pending_pod_number", "cur_pod_number", "ok_pod_number", "sum_pod_number")


# The raw states each service documents (VIAS batch tasks spell them in lower case).
VIDEO_TASK_STATES = (
    "PENDING", "RECOVERING", "STARTING", "UPGRADING", "CREATE_FAILED", "START_FAILED", "RUNNING", "STOPPING", "STOPPED",
    "ABNORMAL", "SUCCEEDED", "FAILED", "DELETING", "FREEZING", "FROZEN")
BATCH_TASK_STATES = VIDEO_TASK_STATES + ("STOPPED_NO_SERVICE", "SCHEDULING", "LACK_OF_RESOURCES")
OCTOPUS_JOB_STATES = (
    "RUNNING", "STOPPED", "QUEUING", "SUBMIT_FAILED", "RUN_FAILED", "FINISHED", "LAUNCHING", "UPLOADING", "UPLOAD_FAILED")


def state_or_none(value):
    """A raw state as shown: the value as text, or ``(none)`` when the API gave none (a state is always shown)."""
    return NO_STATE if value is None or value == "" else str(value)


def _join_counts(counts):
    return ",".join("%s=%s" % pair for pair in counts)


def canonical_order(state):
    """Sort key of a raw state shown or compared: the table's order, then the spelling, so that a state text never
    depends on the order in which the API listed the parts it is made of (a HiLens task's pods)."""
    return (documented_order(state), str(state))


class ItemKind:
    """What the collection knows of one kind of item. Subclasses fill in the service's spelling."""

    name = None            # the service's short name: hilens, vias, vas, octopus, vias_batch
    title = None           # for people: "VIAS task"
    module = None          # the info module that reads this kind
    items_key = "tasks"    # where a module returns several items
    item_key = None        # where a module returns the one item asked for by id (object kinds)
    list_api = None
    object_api = None
    filters = {}           # argument spec of the options that select items of a list
    selection = {}         # argument spec of the options that name the items (ids, deployment, service)
    report_fields = ()     # the fields name, state and reason are read from (all a report needs of an item)

    documented_states = ()  # the raw states the service's API documents, upper-case (each must be in the phase table)

    @property
    def states(self) -> tuple[str, ...]:
        """The raw states this kind documents, upper-case, in the vendor's order."""
        return tuple(sorted(self.documented_states, key=documented_order))

    @property
    def list_module(self) -> bool:
        return self.list_api is not None

    @property
    def id_field(self) -> str:
        """The field that holds an item's id: its API's (one fact, kept in apis.py)."""
        return (self.list_api or self.object_api).id_field

    def unwrap(self, item: Any) -> Any:
        return item

    def raw_states(self, item: Any) -> list[str]:
        """The upper-case raw states the item is in (several for aggregates), in the documented order."""
        raise NotImplementedError

    def phase(self, item: Any) -> str:
        if not isinstance(item, Mapping):
            return "unknown"
        states = self.raw_states(item)
        return phase_of_state(states[0]) if states else "unknown"

    def state_text(self, item: Any) -> str:
        """An item's raw state as people read it: ``RUNNING``; ``running=3,failed=1`` for an aggregate."""
        if not isinstance(item, Mapping):
            return NO_STATE
        states = self.raw_states(item)
        return states[0] if states else NO_STATE

    def name_of(self, item: Any) -> str | None:
        return text_or_none(item.get("name")) if isinstance(item, Mapping) else None

    def reason_of(self, item: Any) -> str | None:  # pylint: disable=unused-argument
        """Why the API says the item is where it is, when it says (None: this kind never says)."""

    def id_of(self, item: Any) -> Any:
        return item.get(self.id_field) if isinstance(item, Mapping) else None

    def describe(self, item: Any, phase: str | None = None) -> dict[str, Any]:
        """id, name, state, states, phase and reason of one item: what messages and reports show."""
        return {
            "id": self.id_of(item),
            "name": self.name_of(item),
            "state": self.state_text(item),
            "states": self.raw_states(item) if isinstance(item, Mapping) else [],
            "phase": phase if phase is not None else self.phase(item),
            "reason": self.reason_of(item),
        }


def text_or_none(value):
    """A name or a reason as text, or None when the API gave none (such fields are left out where absent)."""
    return None if value is None or value == "" else str(value)


class _TaskWithState(ItemKind):
    """VIAS and VAS tasks: one upper-case ``state``, and an ``error`` or ``status`` that says why."""

    documented_states = VIDEO_TASK_STATES

    item_key = "task"
    report_fields = ("name", "state", "status", "error", "task")
    selection = {
        "task_id": dict(type="str"),
        "task_ids": dict(type="list", elements="str"),
    }

    def raw_states(self, item):
        state = self.unwrap(item).get("state")
        return [str(state).strip().upper()] if state not in (None, "") else []

    def state_text(self, item):
        if not isinstance(item, Mapping):
            return NO_STATE
        return state_or_none(self.unwrap(item).get("state"))

    def name_of(self, item):
        return text_or_none(self.unwrap(item).get("name")) if isinstance(item, Mapping) else None

    def id_of(self, item):
        return self.unwrap(item).get(self.id_field) if isinstance(item, Mapping) else None

    def reason_of(self, item):
        if not isinstance(item, Mapping):
            return None
        item = self.unwrap(item)
        error = item.get("error")
        if isinstance(error, Mapping) and (error.get("message") or error.get("code")):
            return ": ".join(str(part) for part in (error.get("code"), error.get("message")) if part)
        return text_or_none(item.get("status"))


class ViasTaskKind(_TaskWithState):
    name = "vias"
    module = "vias_task_info"
    title = "VIAS task"
    object_api = VIAS_TASK


class VasTaskKind(_TaskWithState):
    name = "vas"
    module = "vas_task_info"
    title = "VAS task"
    object_api = VAS_TASK
    list_api = VAS_TASKS
    selection = dict(_TaskWithState.selection, service_name=dict(type="str", default=VAS_DEFAULT_SERVICE))
    filters = {
        "service_version": dict(type="str"),
        "state": dict(type="str", choices=list(VIDEO_TASK_STATES)),
        "name_like": dict(type="str"),
        "id_like": dict(type="str"),
        "created_since": dict(type="raw"),
        "created_until": dict(type="raw"),
        "order": dict(type="str", choices=list(VAS_ORDERS)),
    }

    def unwrap(self, item):
        # VAS returns the task at the top level or wrapped under `task`.
        if isinstance(item, Mapping) and "state" not in item and isinstance(item.get("task"), Mapping):
            return item["task"]
        return item


class OctopusJobKind(ItemKind):
    name = "octopus"
    module = "octopus_system_job_info"
    title = "Octopus system job"
    items_key = "jobs"
    report_fields = ("job_type", "data_id", "status", "msg_error")
    list_api = OCTOPUS_SYSTEM_JOBS
    documented_states = OCTOPUS_JOB_STATES
    filters = {
        "workspace_id": dict(type="str"),
        "data_id": dict(type="str"),
        "id": dict(type="int", aliases=["job_id"]),
        "job_types": dict(type="list", elements="str", choices=list(OCTOPUS_JOB_TYPES)),
        "statuses": dict(type="list", elements="str", choices=list(OCTOPUS_JOB_STATES)),
        "start_time": dict(type="raw"),
        "end_time": dict(type="raw"),
        "sort": dict(type="str"),
    }

    def raw_states(self, item):
        status = item.get("status")
        return [str(status).strip().upper()] if status not in (None, "") else []

    def state_text(self, item):
        return state_or_none(item.get("status")) if isinstance(item, Mapping) else NO_STATE

    def name_of(self, item):
        if not isinstance(item, Mapping):
            return None
        return "%s %s" % (item.get("job_type"), item.get("data_id"))

    def reason_of(self, item):
        return text_or_none(item.get("msg_error")) if isinstance(item, Mapping) else None


class ViasBatchTaskKind(ItemKind):
    name = "vias_batch"
    module = "vias_batch_task_info"
    title = "VIAS batch task"
    items_key = "batch_tasks"
    report_fields = ("batch_task_name", "batch_task_status_info")
    list_api = VIAS_BATCH_TASKS
    documented_states = BATCH_TASK_STATES
    filters = {
        "is_paged": dict(type="bool", default=True),
        "order_by": dict(type="str", choices=["asc", "desc"], default="desc"),
        "sort_name": dict(type="str", choices=["task_count", "created_at"], default="created_at"),
        "video_group": dict(type="str"),
        "task_state": dict(type="str", choices=[state.lower() for state in BATCH_TASK_STATES]),
        "type_like": dict(type="str", choices=["batch_task_name", "publish_service_name"]),
        "name_like": dict(type="str"),
        "manufacturer": dict(type="str"),
        "title": dict(type="str"),
    }

    def _nonzero_counts(self, item):
        """(state as sent, count) of every state with tasks in it, in the vendor's state order."""
        counts = item.get("batch_task_status_info")
        nonzero = [(state, count) for state, count in (counts if isinstance(counts, Mapping) else {}).items() if positive_count(count)]
        return sorted(nonzero, key=lambda pair: canonical_order(pair[0]))

    def raw_states(self, item):
        return sorted(set(str(state).upper() for state, _count in self._nonzero_counts(item)), key=canonical_order)

    def phase(self, item):
        if not isinstance(item, Mapping):
            return "unknown"
        return phase_of_counts(item.get("batch_task_status_info"))

    def state_text(self, item):
        """The non-zero counts in the vendor's state order: ``running=3,failed=1``."""
        if not isinstance(item, Mapping):
            return NO_STATE
        return _join_counts(self._nonzero_counts(item)) or NO_STATE

    def name_of(self, item):
        return text_or_none(item.get("batch_task_name")) if isinstance(item, Mapping) else None


class HilensTaskKind(ItemKind):
    name = "hilens"
    module = "hilens_task_info"
    title = "HiLens task"
    report_fields = ("name", "task_status") + HILENS_POD_COUNTERS
    list_api = HILENS_TASKS
    selection = {"deployment_id": dict(type="str", required=True)}

    @property
    def states(self):
        # The pods' task_status values are undocumented: any state of the table is accepted.
        return tuple(PHASE_BY_STATE)

    def _pod_statuses(self, item):
        pods = item.get("task_status")
        if not isinstance(pods, list):
            return []
        return [str(pod.get("task_status")) for pod in pods if isinstance(pod, Mapping) and pod.get("task_status") is not None]

    def raw_states(self, item):
        return sorted(set(status.strip().upper() for status in self._pod_statuses(item)), key=canonical_order)

    def phase(self, item):
        """The pods' statuses first (aggregated like a batch's counts); when they give no answer (no pods, or statuses
        the table does not know), the documented pod counters: any failed pod is failed, else any pending pod pending,
        else any current pod running, else every pod ok succeeded, else unknown."""
        if not isinstance(item, Mapping):
            return "unknown"
        phase = aggregate_phases({phase_of_state(status) for status in self._pod_statuses(item)})
        if phase != "unknown":
            return phase
        counters = dict((name, item.get(name) if positive_count(item.get(name)) else 0) for name in HILENS_POD_COUNTERS)
        if counters["fail_pod_number"]:
            return "failed"
        if counters["pending_pod_number"]:
            return "pending"
        if counters["cur_pod_number"]:
            return "running"
        if counters["sum_pod_number"] and counters["ok_pod_number"] == counters["sum_pod_number"]:
            return "succeeded"
        return "unknown"

    def state_text(self, item):
        """The pods' statuses with their counts in the table's order (``RUNNING=2,FAILED=1`` however the pods are
        listed), else the non-zero pod counters."""
        if not isinstance(item, Mapping):
            return NO_STATE
        pods = {}
        for status in self._pod_statuses(item):
            pods[status] = pods.get(status, 0) + 1
        if pods:
            return _join_counts(sorted(pods.items(), key=lambda pair: canonical_order(pair[0])))
        return _join_counts((name, item[name]) for name in HILENS_POD_COUNTERS if positive_count(item.get(name))) or NO_STATE

    def reason_of(self, item):
        if not isinstance(item, Mapping):
            return None
        pods = item.get("task_status") if isinstance(item.get("task_status"), list) else []
        causes = [str(pod.get("cause")) for pod in pods if isinstance(pod, Mapping) and pod.get("cause")]
        return "; ".join(sorted(set(causes))) or None


KINDS = dict((kind.name, kind) for kind in (HilensTaskKind(), ViasTaskKind(), VasTaskKind(), OctopusJobKind(), ViasBatchTaskKind()))
SERVICES = tuple(KINDS)


def services_by_state():
    """For each raw state of the phase table, the services whose API documents it (HiLens documents none: its
    pods' statuses are undocumented and read through the whole table)."""
    return dict((state, [kind.name for kind in KINDS.values() if state in kind.documented_states]) for state in PHASE_BY_STATE)


def phase_table_markdown():
    """The phase table as docs/phases.md shows it: every raw state, its phase, the services that document it."""
    return render_phase_table_markdown(services_by_state())


class UnknownKindError(HwcloudTasksError, ValueError):
    """A service name that is not one of the five kinds."""


def kind_of(service):
    """The description of ``service`` (UnknownKindError naming the five when it is none of them)."""
    try:
        return KINDS[service]
    except (KeyError, TypeError):
        raise UnknownKindError("unknown service %r; expected one of %s" % (service, ", ".join(SERVICES))) from None


def detect_kind(item):
    """The kind an item comes from, told by the keys it carries, or None.

    VIAS and VAS tasks look alike and share their states, so a task with a
    top-level ``state`` is taken for VIAS; only a wrapped VAS answer
    (``{"task": {...}}``) is taken for VAS.
    """
    if not isinstance(item, Mapping):
        return None
    if "batch_task_status_info" in item:
        return KINDS["vias_batch"]
    if isinstance(item.get("task_status"), list) or any(name in item for name in HILENS_POD_COUNTERS):
        return KINDS["hilens"]
    if "status" in item and "job_type" in item:
        return KINDS["octopus"]
    if "state" in item:
        return KINDS["vias"]
    if isinstance(item.get("task"), Mapping) and "state" in item["task"]:
        return KINDS["vas"]
    return None


def summarize(kind, items, reuse_phase=False):
    """Count ``items`` per phase (all six listed) and per raw state.

    With ``kind`` None each item's kind is detected from its keys; ValueError
    if an item gives no clue. ``reuse_phase``: the items carry a ``phase``
    this run computed (the engine), so it is counted as is instead of being
    worked out again; an item without one is still judged.
    """
    items = list(items or ())
    by_phase = dict.fromkeys(PHASES, 0)
    by_state = {}
    for item in items:
        item_kind = kind or detect_kind(item)
        if item_kind is None:
            raise ValueError("cannot tell which service this item comes from; name the service (one of %s)" % ", ".join(SERVICES))
        phase = item.get("phase") if reuse_phase and isinstance(item, Mapping) else None
        by_phase[phase if phase in by_phase else item_kind.phase(item)] += 1
        raw = item_kind.state_text(item)
        by_state[raw] = by_state.get(raw, 0) + 1
    return {"total": len(items), "by_phase": by_phase, "by_state": by_state}
