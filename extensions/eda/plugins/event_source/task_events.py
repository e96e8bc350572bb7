# -*- coding: utf-8 -*-
# Copyright: hwcloud.tasks contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""hwcloud.tasks.task_events: an Event-Driven Ansible source that watches tasks of the five services.

It polls the selection an info module would read (same options, same
environment fallbacks, same authentication methods, the same engine), keeps
the last complete picture of it, and puts one event on the queue per change:
an item appeared, its phase or raw state changed, or it disappeared. A poll
that fails, or a list read that is not complete, changes nothing: it becomes
an ``error`` event, the next poll waits longer (bounded exponential backoff),
and the picture of the last good poll stays the one compared against.
"""

from __future__ import annotations

import asyncio
import datetime
import difflib
import importlib
import logging
import sys
import time
from pathlib import Path
from typing import Any

from ansible.module_utils.common.arg_spec import ArgumentSpecValidator
from ansible.module_utils.common.parameters import remove_values

DOCUMENTATION = r"""
---
short_description: Events for Huawei Cloud tasks that appear, change phase or state, or disappear
description:
  - An ansible-rulebook event source plugin that polls the tasks of one service every O(interval) seconds through
    the engine of the collection's info modules, and puts one event per change on the queue.
  - Watches what the service's info module would read; the selection, connection and authentication options are
    those of that module (for example M(hwcloud.tasks.hilens_task_info) takes O(deployment_id),
    M(hwcloud.tasks.vias_task_info) O(task_ids), M(hwcloud.tasks.vas_task_info) O(service_name) and its filters),
    with the same environment variables as fallbacks (E(HW_PROJECT_ID), E(HW_ACCESS_KEY), E(HW_SECRET_KEY) ...).
    The wait options, O(summary), O(return_items) and the options that name one page are refused.
  - 'An option set to null is as if it was not set, so that a rulebook can leave an option to a variable that may
    not be defined, for example C(endpoint: "{{ HWCLOUD_ENDPOINT | default(none\) }}").'
  - Each event is a mapping with one key, C(hwcloud_task_event), whose C(type) is one of V(initial), V(appeared),
    V(changed), V(disappeared) or V(error).
  - A failed poll (the API refused or failed, or a list read that is not complete) is an V(error) event, never a
    comparison against a partial list; the last complete picture is kept, so that nothing is reported twice or
    missed after the service recovers. Polls after a failure wait O(interval) doubled per failure in a row, at most
    O(max_backoff) seconds.
  - No event carries a secret (O(auth_token), O(secret_key), O(password), O(security_token) or an IAM token
    issued during the run).
  - Needs ansible-core and the collection's Python requirements (C(requests), C(jsonschema)) in the Python that
    runs ansible-rulebook.
options:
  service:
    description:
      - The service whose items to watch; the options of its info module select them, for example V(vias_batch).
    type: str
    required: true
    choices: [hilens, vias, vas, octopus, vias_batch]
  interval:
    description:
      - Seconds between the end of one poll and the start of the next, while polls succeed, for example V(60).
    type: float
    default: 30
  max_backoff:
    description:
      - The longest wait, in seconds, before a poll that follows failed polls (the wait doubles per failure in a row,
        starting from O(interval)). Never shorter than O(interval). For example V(600).
    type: float
    default: 300
  initial_state:
    description:
      - Put one V(initial) event per item on the queue after the first good poll, with its current phase and state.
      - When false, the first good poll is only the picture later polls are compared with.
      - Example V(true).
    type: bool
    default: false
  fields:
    description:
      - Keep only these top-level fields of the item in each event, plus its id and C(phase). All fields when not set.
      - The event's own keys (C(name), C(new_state), C(reason) ...) are always there.
      - Example V([name, task_status]).
    type: list
    elements: str
  max_polls:
    description:
      - Stop after this many polls, failed ones included; V(0) never stops. For tests and one-off checks, for example
        V(10).
    type: int
    default: 0
  max_run_time:
    description:
      - Stop after this many seconds (no poll starts after it); V(0) never stops. For tests and one-off checks, for
        example V(600).
      - When the source stops, ansible-rulebook shuts down once the running actions end. That is the whole rulebook,
        every ruleset and every other source with it - with several sources, the first to stop ends them all.
    type: float
    default: 0
notes:
  - Event keys - C(type), C(service), C(title) (for example V(VIAS task)), C(id), C(name), C(old_phase), C(new_phase),
    C(old_state), C(new_state) (the raw state as the service spells it, C(running=3,failed=1) for aggregates),
    C(reason) (what the API says about why, or null), C(seen_at) (UTC, ISO 8601), C(poll) (the poll's number), and
    C(item) (the item as the module returns it, or only O(fields)). V(appeared) and V(initial) have null C(old_*),
    V(disappeared) null C(new_*) and the last C(item) seen.
  - Error event keys - C(type=error), C(service), C(message), C(failed_polls) (in a row), C(retry_in) (seconds),
    C(seen_at), C(poll), and when the API answered C(status), C(error_code) and C(request_id).
  - Each request of a poll is retried as the modules retry it (O(retries), 4 by default, for a server error, a
    connection failure or a timeout; throttling until O(retry_timeout)), so a transient fault that a retry
    overcomes makes no V(error) event. Only a poll whose requests fail after their retries is one.
  - Items read by id (V(vias), V(vas) with O(task_ids)) cannot disappear from a list; a task that no longer exists
    makes the read fail, which is an V(error) event naming it.
"""

EXAMPLES = r"""
- name: React to failed VIAS batch tasks
  hosts: localhost
  sources:
    - hwcloud.tasks.task_events:
        service: vias_batch
        region: cn-north-4
        interval: 60
  rules:
    - name: A batch task failed
      condition: >-
        event.hwcloud_task_event.type == "changed" and event.hwcloud_task_event.new_phase == "failed"
      action:
        debug:
          msg: "{{ event.hwcloud_task_event.name }}: {{ event.hwcloud_task_event.reason }}"

- name: Watch the tasks of one HiLens deployment, with their state at start
  hosts: localhost
  sources:
    - hwcloud.tasks.task_events:
        service: hilens
        deployment_id: 0c3a5f4e-2f9d-4c9b-8d2a-6b1e7f0a9c11
        initial_state: true
        fields: [name, task_status]
  rules:
    - name: Print every event
      condition: event.hwcloud_task_event is defined
      action:
        print_event:
          pretty: true
"""

EVENT_KEY = "hwcloud_task_event"
LOGGER = logging.getLogger("hwcloud.tasks.task_events")

# The source's own options; every other option goes to the service's info module.
SOURCE_SPEC = dict(
    service=dict(type="str", required=True),  # choices: the registry's services (kinds.SERVICES), added by Watch
    interval=dict(type="float", default=30),
    max_backoff=dict(type="float", default=300),
    initial_state=dict(type="bool", default=False),
    fields=dict(type="list", elements="str"),
    max_polls=dict(type="int", default=0),
    max_run_time=dict(type="float", default=0),
)
# Options of the modules that make no sense for a watch: waiting, and the shape of a module's result.
REFUSED = ("wait_for", "wait_for_states", "fail_on", "wait_timeout", "wait_sleep", "wait_progress", "wait_min_count",
           "summary", "return_items")
# What ansible-rulebook may add to a source's arguments.
RULEBOOK_ARGUMENTS = ("eda_feedback_queue",)


class TaskEventsError(ValueError):
    """The source's arguments cannot make a watch (raised before the first poll)."""


def _import(name):
    """A module of the collection, importable even when ansible-rulebook runs this file with ``runpy``
    from an installed collection that is not on ``sys.path``."""
    qualified = "ansible_collections.hwcloud.tasks." + name
    try:
        return importlib.import_module(qualified)
    except ImportError:
        here = Path(__file__).resolve()
        root = here.parents[6]  # .../ansible_collections/hwcloud/tasks/extensions/eda/plugins/event_source/this.py
        if root.name != "ansible_collections" or str(root.parent) in sys.path:
            raise
        sys.path.append(str(root.parent))
        importlib.invalidate_caches()
        return importlib.import_module(qualified)


def now_text():
    return datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")


class Snapshot:
    """One item as a poll saw it: what the events compare and report."""

    __slots__ = ("id", "name", "phase", "state", "reason", "item")

    def __init__(self, kind, item, fields):
        self.id = kind.id_of(item)
        self.name = kind.name_of(item)
        self.phase = item.get("phase") or kind.phase(item)
        self.state = kind.state_text(item)
        self.reason = kind.reason_of(item)
        if fields:
            keep = set(fields) | {kind.id_field, "phase"}
            item = dict((key, value) for key, value in item.items() if key in keep)
        self.item = item


class Watch:
    """The validated options of one source, its picture of the last good poll and the events between pictures."""

    def __init__(self, args):
        # A rulebook has no omit: an option set to null (for example "{{ VAR | default(none) }}") is as if not set.
        args = dict((name, value) for name, value in dict(args or {}).items() if name not in RULEBOOK_ARGUMENTS and value is not None)
        self._engine = _import("plugins.module_utils.engine")
        self.masker = _import("plugins.module_utils.masking").Masker()
        own = dict((name, args.pop(name)) for name in list(args) if name in SOURCE_SPEC)
        kinds = _import("plugins.module_utils.kinds")
        source_spec = dict(SOURCE_SPEC, service=dict(SOURCE_SPEC["service"], choices=list(kinds.SERVICES)))
        validation = ArgumentSpecValidator(source_spec).validate(own)
        if validation.error_messages:
            raise TaskEventsError("hwcloud.tasks.task_events: %s" % validation.errors.msg)
        self.options = validation.validated_parameters
        for name, low in (("interval", 0.01), ("max_backoff", 0), ("max_polls", 0), ("max_run_time", 0)):
            if self.options[name] < low:
                raise TaskEventsError("hwcloud.tasks.task_events: %s must be at least %s (got %r)" % (name, low, self.options[name]))

        self.kind = kinds.kind_of(self.options["service"])
        self.declaration = _import("plugins.modules." + self.kind.module).DECLARATION
        module_name = "hwcloud.tasks." + self.kind.module
        spec = self.declaration.argument_spec()
        self._check_names(args, spec, module_name)

        # Validated as the in-process front-end validates a task's arguments: one helper serves both.
        arguments = _import("plugins.module_utils.arguments").validated(self.declaration, args)
        self.params = arguments.params
        self.remember_secrets(arguments.no_log_values)
        if arguments.error:
            raise TaskEventsError(self.scrub_text("hwcloud.tasks.task_events (options of %s): %s" % (module_name, arguments.error)))
        self._check_selection(module_name)

        self.picture = None  # id -> Snapshot of the last good poll (None before the first)
        self.polls = 0
        self.failed_in_a_row = 0

    def _check_names(self, args, spec, module_name):
        """Options the module has but a watch cannot use are refused with the reason; any other unknown name with
        the nearest name the source takes and the list of what it takes (its own options and the module's usable ones)."""
        refused = sorted(set(args) & set(REFUSED))
        if refused:
            raise TaskEventsError("hwcloud.tasks.task_events: %s cannot be used to watch (options of %s that wait or shape "
                                  "one result)" % (", ".join(refused), module_name))
        paging = self.kind.list_api.paging if self.kind.list_api is not None else None
        one_page = (paging.start_param, "limit") if paging is not None else ()
        page_names = set(one_page).union(*(spec.get(name, {}).get("aliases") or () for name in one_page))
        if page_names & set(args):
            raise TaskEventsError("hwcloud.tasks.task_events: %s and limit name one page, whose items move between pages: "
                                  "omit them, the source watches every page" % paging.start_param)
        accepted = dict((name, list(SOURCE_SPEC[name].get("aliases") or ())) for name in SOURCE_SPEC)
        accepted.update((name, list(option.get("aliases") or ())) for name, option in spec.items() if name not in REFUSED + one_page)
        known = set(accepted).union(*accepted.values())
        unknown = sorted(name for name in args if name not in known)
        if unknown:
            nearest = difflib.get_close_matches(unknown[0], known, n=1, cutoff=0.6)
            listed = ("%s (%s)" % (name, ", ".join(aliases)) if aliases else name for name, aliases in sorted(accepted.items()))
            # Names only, never values: nothing to mask.
            raise TaskEventsError("hwcloud.tasks.task_events (service %s): unknown option %s%s; the source takes %s"
                                  % (self.kind.name, ", ".join(unknown), " (did you mean %s?)" % nearest[0] if nearest else "", ", ".join(listed)))

    def _check_selection(self, module_name):
        """The mistakes the engine would only find at each poll, found once before the first."""
        # A bad time filter (created_since ...) is a TimestampError, not a ParameterError: both are the user's to fix.
        refusals = (_import("plugins.module_utils.errors").ParameterError, _import("plugins.module_utils.timestamps").TimestampError)
        try:
            self._engine.prepare_options(self.declaration, self.params)
            self.declaration.select(self.params)
        except refusals as exc:
            raise TaskEventsError(self.scrub_text("hwcloud.tasks.task_events (options of %s): %s" % (module_name, exc))) from None

    # -- secrets -------------------------------------------------------------------------------------

    @property
    def no_log_values(self):
        """Every form of every secret the watch knows: its options' and the tokens its reads were issued."""
        return set(self.masker.forms)

    def remember_secrets(self, secrets):
        for secret in secrets or ():
            self.masker.add(secret)

    def scrub_text(self, text):
        return self.masker.scrub(text)

    def scrub(self, event):
        return remove_values(event, self.no_log_values)

    # -- one poll ------------------------------------------------------------------------------------

    def read(self):
        """One blocking read of the selection: (items, None) or (None, error details). Runs in a thread."""
        try:
            result, secrets, warnings = self._engine.run_call(self.declaration, self.params)
        except self._engine.CallFailed as exc:
            self.remember_secrets(exc.secrets)
            message = exc.message
            if exc.missing_library:
                message = "Failed to import the required Python library (%s) in the Python that runs ansible-rulebook" % exc.missing_library
            details = dict((key, exc.result[key]) for key in ("status", "error_code", "request_id") if exc.result.get(key) is not None)
            return None, dict(details, message=message)
        self.remember_secrets(secrets)
        for warning in warnings:
            LOGGER.warning("%s", self.scrub_text(warning))
        if result.get("complete") is False:
            reason = result.get("incomplete_reason") or "the list was not read completely"
            return None, {"message": "incomplete read, not compared: %s" % reason}
        if self.kind.items_key in result:
            items = result[self.kind.items_key] or []
        else:
            items = [result.get(self.kind.item_key)] if result.get(self.kind.item_key) is not None else []
        return [item for item in items if isinstance(item, dict)], None

    def events_of(self, items, seen_at):
        """The events between the last good picture and ``items`` (which become the picture)."""
        fields = self.options["fields"]
        picture = {}
        for item in items:
            snapshot = Snapshot(self.kind, item, fields)
            picture.setdefault(str(snapshot.id), snapshot)  # an id asked twice is one item
        events = []
        if self.picture is None:
            if self.options["initial_state"]:
                events = [self.event("initial", None, snapshot, seen_at) for snapshot in picture.values()]
        else:
            for item_id, snapshot in picture.items():
                old = self.picture.get(item_id)
                if old is None:
                    events.append(self.event("appeared", None, snapshot, seen_at))
                elif (old.phase, old.state) != (snapshot.phase, snapshot.state):
                    events.append(self.event("changed", old, snapshot, seen_at))
            events.extend(self.event("disappeared", old, None, seen_at) for item_id, old in self.picture.items() if item_id not in picture)
        self.picture = picture
        return events

    def event(self, event_type, old, new, seen_at):
        latest = new or old
        return {EVENT_KEY: {
            "type": event_type,
            "service": self.kind.name,
            "title": self.kind.title,
            "id": latest.id,
            "name": latest.name,
            "old_phase": old.phase if old else None,
            "new_phase": new.phase if new else None,
            "old_state": old.state if old else None,
            "new_state": new.state if new else None,
            "reason": latest.reason,
            "seen_at": seen_at,
            "poll": self.polls,
            "item": latest.item,
        }}

    def error_event(self, details, retry_in, seen_at):
        body = {
            "type": "error",
            "service": self.kind.name,
            "title": self.kind.title,
            "message": self.scrub_text(details.pop("message")),
            "failed_polls": self.failed_in_a_row,
            "retry_in": retry_in,
            "seen_at": seen_at,
            "poll": self.polls,
        }
        body.update(details)
        return {EVENT_KEY: body}

    def next_delay(self):
        """Seconds until the next poll: the interval, doubled per failed poll in a row, bounded."""
        interval = self.options["interval"]
        if not self.failed_in_a_row:
            return interval
        return min(interval * 2 ** (self.failed_in_a_row - 1), max(interval, self.options["max_backoff"]))

    async def poll(self, queue):
        """Read once, put this poll's events on the queue; the delay before the next poll."""
        self.polls += 1
        items, failure = await asyncio.to_thread(self.read)
        seen_at = now_text()
        if failure is not None:
            self.failed_in_a_row += 1
            delay = self.next_delay()
            await queue.put(self.scrub(self.error_event(failure, delay, seen_at)))
            return delay
        self.failed_in_a_row = 0
        for event in self.events_of(items, seen_at):
            await queue.put(self.scrub(event))
        return self.next_delay()

    async def run(self, queue):
        max_polls, max_run_time = self.options["max_polls"], self.options["max_run_time"]
        deadline = time.monotonic() + max_run_time if max_run_time else None
        while True:
            delay = await self.poll(queue)
            if max_polls and self.polls >= max_polls:
                return
            if deadline is not None:
                remaining = deadline - time.monotonic()
                if remaining <= delay:
                    await asyncio.sleep(max(remaining, 0))
                    return
            await asyncio.sleep(delay)


async def main(queue: asyncio.Queue, args: dict[str, Any]) -> None:
    """Watch the selection ``args`` describes and put one event per change on ``queue``."""
    watch = Watch(args)
    LOGGER.info("watching %ss of %s every %s s", watch.kind.title, watch.declaration.name, watch.options["interval"])
    await watch.run(queue)


if __name__ == "__main__":
    # Print the events of a watch described by a JSON argument: python task_events.py '{"service": "vias_batch", ...}'
    import json

    class PrintQueue:
        """A queue that prints."""

        async def put(self, event):
            print(json.dumps(event, sort_keys=True))

    asyncio.run(main(PrintQueue(), json.loads(sys.argv[1]) if len(sys.argv) > 1 else {}))
