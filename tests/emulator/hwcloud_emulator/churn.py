"""Churn: a rollout in progress, lists that move while a client reads them.

A real list API is backed by a database: each response is a consistent
slice of the list as it stands when that response is produced, and nothing
stops the list from changing between two pages of the same read.  A churn
rule makes one list (a HiLens deployment's tasks, a VAS service's tasks,
the Octopus system jobs or the VIAS batch tasks) move like that: after the
responses it is triggered by, it deletes items and inserts new ones, with
the count kept or changed, new items at the front (the newest, in a
newest-first order), in the middle, at the end or anywhere.  It can also
hold back the first page of a read, so that later pages are answered first.

What it never does: delete an item that was not running when the rule was
armed (a failed or pending task exists for the whole run, so a client that
misses it has misread the list), or insert anything but a running item.
``truth: true`` makes every item of the list run (for measuring how often
a reader reaches a true green during the same rollout).

Everything is seeded: the same rule and the same sequence of requests give
the same steps.  ``GET /_emulator/churn`` reports what each rule did.
"""

import asyncio
import random

from . import checks
from .checks import SpecError, join
from .data.common import hex32, uuid4
from .data.tasks import VAS_SERVICE

ROUTES = ("hilens_tasks", "vas_tasks", "octopus_jobs", "vias_batch_tasks")
#: route -> (service of its records, the query parameter that says where a page starts, and its first value)
PAGING = {"hilens_tasks": ("hilens", "offset", 0), "vas_tasks": ("vas", "offset", 0),
          "octopus_jobs": ("octopus", "offset", 0), "vias_batch_tasks": ("vias_batch", "page_num", 1)}
TRIGGERS = ("first_page", "later_pages", "every_page")
WHERE = ("front", "middle", "end", "random")
KEYS = ("route", "deployment_id", "service", "seed", "trigger", "share", "after", "times", "delete", "delete_at", "insert",
        "where", "truth", "delay_first_page_ms")
MAX_ITEMS = 1000
RUNNING = "RUNNING"


def parse(value, path="churn"):
    """A list of churn rules (``{"route": ..., ...}``) -> keyword arguments of ``Rule``; SpecError naming the entry."""
    return [_rule(spec, join(path, i)) for i, spec in enumerate(checks.sequence(value, path))]


def _rule(spec, path):
    checks.mapping(spec, path, KEYS, required=("route",))
    route = checks.choice(spec["route"], join(path, "route"), ROUTES)
    if route == "hilens_tasks" and spec.get("deployment_id") is None:
        raise SpecError(join(path, "deployment_id"), "the hilens_tasks route needs the deployment whose tasks move")
    if route != "hilens_tasks" and spec.get("deployment_id") is not None:
        raise SpecError(join(path, "deployment_id"), "only for the hilens_tasks route")
    if route != "vas_tasks" and spec.get("service") is not None:
        raise SpecError(join(path, "service"), "only for the vas_tasks route")
    delete = checks.number(spec.get("delete", 1), join(path, "delete"), minimum=0, maximum=MAX_ITEMS, integer=True)
    delete_at = [checks.number(position, join(join(path, "delete_at"), i), minimum=0, integer=True)
                 for i, position in enumerate(checks.sequence(spec.get("delete_at") or [], join(path, "delete_at")))]
    return {
        "route": route,
        "deployment_id": None if route != "hilens_tasks" else checks.string(
            spec["deployment_id"], join(path, "deployment_id"), pattern=r"[A-Za-z0-9][A-Za-z0-9_.-]{0,63}"),
        "service": None if route != "vas_tasks" else checks.string(
            spec.get("service", VAS_SERVICE), join(path, "service"), pattern=r"[a-z0-9][a-z0-9-]{0,63}"),
        "seed": checks.number(spec.get("seed", 0), join(path, "seed"), integer=True),
        "trigger": checks.choice(spec.get("trigger", "first_page"), join(path, "trigger"), TRIGGERS),
        "share": checks.number(spec.get("share", 1), join(path, "share"), minimum=0, maximum=1),
        "after": checks.number(spec.get("after", 0), join(path, "after"), minimum=0, integer=True),
        "times": checks.number(spec.get("times", 1), join(path, "times"), minimum=0, integer=True, nullable=True),
        "delete": max(delete, len(delete_at)),
        "delete_at": delete_at,
        "insert": checks.number(spec.get("insert", max(delete, len(delete_at))), join(path, "insert"), minimum=0,
                                maximum=MAX_ITEMS, integer=True),
        "where": checks.choice(spec.get("where", "random"), join(path, "where"), WHERE),
        "truth": checks.boolean(spec.get("truth", False), join(path, "truth")),
        "delay_first_page_ms": checks.number(spec.get("delay_first_page_ms", 0), join(path, "delay_first_page_ms"),
                                             minimum=0, maximum=60_000),
    }


class _HilensList:
    """A deployment's tasks, in the order the API lists them (the order they are stored in)."""

    def __init__(self, store, deployment_id):
        self.dataset = store.hilens
        self.deployment_id = deployment_id

    def order(self):
        return self.dataset.deployments.get(self.deployment_id, [])

    def running(self, record):
        forced = self.dataset.scheduled(record)
        return forced[0] == RUNNING if forced else set(record["pods"]) == {RUNNING}

    def make_running(self, record):
        record["pods"] = (RUNNING,) * len(record["pods"])

    def delete(self, record):
        self.order().remove(record)
        self.dataset.by_id.pop(record["id"], None)

    def insert(self, position, rng, name):
        tasks = self.order()
        record = self.dataset._new(position)  # pylint: disable=protected-access  # the dataset's own record maker
        record.update(id=uuid4(rng), pods=(RUNNING,) * len(record["pods"]), name=name)
        tasks.insert(position, record)
        self.dataset.by_id[record["id"]] = record
        return record["id"]


class _SortedList:
    """A list the API sorts newest first by default (VAS, Octopus, VIAS batch): a new item's creation time puts it
    where it goes."""

    def __init__(self, store, route, service=None):
        self.route = route
        self.service = service
        self.dataset = {"vas_tasks": store.vas, "octopus_jobs": store.octopus, "vias_batch_tasks": store.batch}[route]
        self.created = {"vas_tasks": "created", "octopus_jobs": "create_at", "vias_batch_tasks": "created_at"}[route]

    def order(self):
        records = [r for r in self.dataset.records if self.service is None or r.get("service") == self.service]
        return sorted(records, key=lambda r: (r[self.created], r["id"]), reverse=True)

    def current(self, record):
        if self.route == "vas_tasks":
            return self.dataset.state_and_update(record)[0]
        if self.route == "octopus_jobs":
            return self.dataset.effective(record)[0]
        return ",".join(sorted(self.dataset.counts(record))).upper()

    def running(self, record):
        return self.current(record) == RUNNING

    def make_running(self, record):
        if self.route == "vias_batch_tasks":
            record["counts"] = {"running": record["num_task"]}
        else:
            record["state"] = RUNNING

    def delete(self, record):
        self.dataset.records.remove(record)
        self.dataset.by_id.pop(record["id"], None)

    def insert(self, position, rng, name):
        order = self.order()
        if not order:
            created = 1_704_067_200_000
        elif position <= 0:
            created = order[0][self.created] + 1000
        elif position >= len(order):
            created = order[-1][self.created] - 1000
        else:
            newer, older = order[position - 1][self.created], order[position][self.created]
            # Between its neighbours; when they are too close, at the front instead (still a real position).
            created = older + (newer - older) // 2 if newer - older >= 2 else order[0][self.created] + 1000
        if self.route == "vas_tasks":
            return self.dataset.add(hex32(rng), RUNNING, created, service=self.service, name=name)["id"]
        if self.route == "octopus_jobs":
            return self.dataset.add(self.dataset.next_id(), RUNNING, created)["id"]
        return self.dataset.add(hex32(rng), {"running": 1}, created, name=name)["id"]


class Rule:
    """One churning list: when it moves, how, and what it did so far."""

    def __init__(self, index, route, deployment_id, service, seed, trigger, share, after, times, delete, delete_at, insert,
                 where, truth, delay_first_page_ms):
        self.index = index
        self.route = route
        self.deployment_id = deployment_id
        self.service = service
        self.settings = {"route": route, "deployment_id": deployment_id, "service": service, "seed": seed, "trigger": trigger,
                         "share": share, "after": after, "times": times, "delete": delete, "delete_at": delete_at,
                         "insert": insert, "where": where, "truth": truth, "delay_first_page_ms": delay_first_page_ms}
        self._rng = random.Random(f"churn:{seed}:{index}")
        self.triggers = 0
        self.steps = 0
        self.deleted = []
        self.inserted = []
        self.protected = []
        self.delayed = 0
        self._view = None

    def arm(self, store):
        """Bind to the store's list: note what may never be deleted, and in truth mode make everything run."""
        self._view = _HilensList(store, self.deployment_id) if self.route == "hilens_tasks" else _SortedList(
            store, self.route, self.service)
        records = self._view.order()
        self.protected = [r["id"] for r in records if not self._view.running(r)]
        if self.settings["truth"]:
            for record in records:
                store.schedules.cancel(self._view.dataset.service, record["id"])
                self._view.make_running(record)

    def matches(self, route, match_info):
        if route != self.route:
            return False
        if self.route == "hilens_tasks":
            return match_info.get("deployment_id") == self.deployment_id
        if self.route == "vas_tasks":
            return match_info.get("service_name") == self.service
        return True

    def first_page(self, query):
        _service, name, first = PAGING[self.route]
        if self.route == "vias_batch_tasks" and query.get("is_paged", "true").lower() == "false":
            return True
        try:
            return int(query.get(name, first)) == first
        except ValueError:
            return False

    def delay(self, query):
        """Seconds to hold this response back before it is produced."""
        if self.settings["delay_first_page_ms"] and self.first_page(query):
            self.delayed += 1
            return self.settings["delay_first_page_ms"] / 1000
        return 0.0

    def after_page(self, query):
        """A page of the list was just produced: move the list if this response is a trigger."""
        first = self.first_page(query)
        trigger = self.settings["trigger"]
        if (trigger == "first_page" and not first) or (trigger == "later_pages" and first):
            return
        self.triggers += 1
        times = self.settings["times"]
        if self.triggers <= self.settings["after"] or (times is not None and self.steps >= times):
            return
        if self._rng.random() >= self.settings["share"]:
            return
        self.steps += 1
        self._step()

    def _step(self):
        rng, view = self._rng, self._view
        protected = set(self.protected)
        order = view.order()
        chosen = []
        for position in self.settings["delete_at"]:
            # The item at that position, or the first one after it that may go (running, not protected).
            for record in order[position:]:
                if view.running(record) and record["id"] not in protected and record not in chosen:
                    chosen.append(record)
                    break
        candidates = [r for r in order if view.running(r) and r["id"] not in protected and r not in chosen]
        while len(chosen) < self.settings["delete"] and candidates:
            chosen.append(candidates.pop(int(rng.random() * len(candidates))))
        for record in chosen:
            view.delete(record)
            self.deleted.append(record["id"])
        for _number in range(self.settings["insert"]):
            size = len(view.order())
            where = self.settings["where"]
            position = {"front": 0, "end": size, "middle": size // 2}.get(where)
            if position is None:
                position = int(rng.random() * (size + 1))
            self.inserted.append(view.insert(position, rng, f"rollout-{self.index}-{len(self.inserted) + 1:04d}"))

    def as_dict(self):
        return {**self.settings, "triggers": self.triggers, "steps": self.steps, "deleted": list(self.deleted),
                "inserted": list(self.inserted), "protected": list(self.protected), "delayed": self.delayed}


class Churn:
    """The churn rules of one emulator (``state.churn``), consulted around every genuine list response."""

    def __init__(self):
        self.rules = []

    def stop(self):
        self.rules = []

    def start(self, rules, store):
        """Replace the rules (``parse``'s output) and arm them against ``store``."""
        self.rules = [Rule(index, **settings) for index, settings in enumerate(rules)]
        for rule in self.rules:
            rule.arm(store)

    def _matching(self, request):
        route = request.match_info.route.name
        return [rule for rule in self.rules if rule.matches(route, request.match_info)]

    async def before(self, request):
        """Hold a response back when a rule delays its page (other pages are answered meanwhile)."""
        delay = max((rule.delay(request.query) for rule in self._matching(request)), default=0.0)
        if delay:
            await asyncio.sleep(delay)

    def after(self, request, response):
        """A genuine response was produced: each matching rule may move its list before the next one is."""
        if response.status != 200:
            return
        for rule in self._matching(request):
            rule.after_page(request.query)

    def as_dict(self):
        return {"enabled": bool(self.rules), "rules": [rule.as_dict() for rule in self.rules]}
