"""Scenario files: what the emulated cloud holds and does, written by a user.

A scenario lists the records of each service in the states the user wants,
the transitions they go through (seconds after the scenario is loaded), the
faults that hit which routes (the admin API's rule objects), the lists that
move while they are read (``churn``: a rollout in progress), and optionally
the account (project id, credentials), the seed, the quota, chaos mode and
generated background data.  Without ``sizes`` nothing is generated, so the
scenario is the whole cloud.

Validation is strict and names the offending entry
(``vias_tasks[1].state: 'RUNNNING' is not one of ...``): a typo must fail
loudly at start (or with a 400 when posted live), never yield a cloud that
silently differs from the file.  The format is documented with a complete
example in the emulator's README; ``rollout.yml`` is shipped as an example.
"""

import collections.abc
import dataclasses
import datetime
import random
import time
from pathlib import Path

from . import chaos as chaos_mode
from . import churn as churn_mode
from . import checks
from . import quota as account_quota
from .auth import PROJECT_ID_FORMAT
from .checks import SpecError, join
from .compat import UTC
from .credentials import Credentials
from .data import SIZE_KEYS
from .data.batch import TASK_STATES
from .data.common import hex32, uuid4
from .data.octopus import JOB_TYPES
from .data.octopus import STATUSES as OCTOPUS_STATES
from .data.tasks import UNKNOWN_STATE, VAS_LIST_STATES, VAS_SERVICE
from .faults import FaultRule

FORMAT_VERSION = 1
EXAMPLE = "rollout.yml"
TOP_KEYS = ("version", "description", "seed", "project_id", "credentials", "sizes", "hilens_deployments",
            "vias_tasks", "vas_tasks", "octopus_jobs", "batch_tasks", "faults", "quota", "chaos", "churn")
VIAS_STATES = ("PENDING", "RECOVERING", "STARTING", "UPGRADING", "CREATE_FAILED", "START_FAILED", "RUNNING",
               "STOPPING", "STOPPED", "ABNORMAL", "SUCCEEDED", "FAILED", "DELETING", "FREEZING", "FROZEN",
               UNKNOWN_STATE)
VAS_STATES = VAS_LIST_STATES + (UNKNOWN_STATE,)
OCTOPUS_STATES = OCTOPUS_STATES + (UNKNOWN_STATE,)
BATCH_STATES = TASK_STATES + (UNKNOWN_STATE.lower(),)
#: HiLens documents no list of pod statuses: any upper-case word.
POD_STATE = r"[A-Z][A-Z0-9_]{0,31}"
ID = r"[A-Za-z0-9][A-Za-z0-9_.-]{0,63}"
SERVICE_NAME = r"[a-z0-9][a-z0-9-]{0,63}"
MAX_COUNT = 100_000
COMMON = ("id", "name", "created_at", "transitions", "count")


@dataclasses.dataclass
class Entry:
    """One validated record (or ``count`` alike records) of the scenario."""

    path: str
    id: object = None
    name: str = None
    state: str = None
    created: int = None
    transitions: list = dataclasses.field(default_factory=list)
    count: int = 1
    extra: dict = dataclasses.field(default_factory=dict)


def _states(allowed, lower=False):
    def check(value, path):
        value = checks.string(value, path)
        value = value.lower() if lower else value.upper()
        if isinstance(allowed, str):
            return checks.string(value, path, pattern=allowed)
        return checks.string(value, path, choices=allowed)
    return check


def _created(value, path):
    """Epoch milliseconds, or an ISO 8601 time (YAML may already have parsed it)."""
    if isinstance(value, str) and not value.strip().lstrip("-").isdigit():
        try:
            value = datetime.datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
        except ValueError:
            raise SpecError(path, f"{value!r} is neither epoch milliseconds nor an ISO 8601 time") from None
    if isinstance(value, datetime.date) and not isinstance(value, datetime.datetime):
        value = datetime.datetime(value.year, value.month, value.day)
    if isinstance(value, datetime.datetime):
        moment = value if value.tzinfo else value.replace(tzinfo=UTC)
        return int(moment.timestamp() * 1000)
    return checks.number(value, path, minimum=0, integer=True)


def _transitions(value, path, state_check):
    steps = []
    for i, step in enumerate(checks.sequence(value, path)):
        where = join(path, i)
        checks.mapping(step, where, ("after", "state"), required=("after", "state"))
        steps.append((checks.number(step["after"], join(where, "after"), minimum=0),
                      state_check(step["state"], join(where, "state"))))
    return steps


def _entry(value, path, allowed, required, state_check, id_check):
    checks.mapping(value, path, allowed, required)
    entry = Entry(path=path)
    if value.get("id") is not None:
        entry.id = id_check(value["id"], join(path, "id"))
    if value.get("name") is not None:
        entry.name = checks.string(value["name"], join(path, "name"), max_length=255)
    if value.get("state") is not None:
        entry.state = state_check(value["state"], join(path, "state"))
    if value.get("created_at") is not None:
        entry.created = _created(value["created_at"], join(path, "created_at"))
    entry.transitions = _transitions(value.get("transitions") or [], join(path, "transitions"), state_check)
    entry.count = checks.number(value.get("count", 1), join(path, "count"), minimum=1, maximum=MAX_COUNT,
                                integer=True)
    if entry.count > 1 and entry.id is not None:
        raise SpecError(join(path, "count"), "must be 1 when id is given (ids are unique)")
    return entry


def _jsonable(value):
    """The document as JSON can carry it (YAML parses times into datetime objects)."""
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if isinstance(value, (datetime.date, datetime.datetime)):
        return value.isoformat()
    return value


def _string_id(value, path):
    return checks.string(value, path, pattern=ID)


def _job_id(value, path):
    return checks.number(value, path, minimum=1, maximum=2**53, integer=True)


def _list(document, key, parse):
    return [parse(value, join(key, i)) for i, value in enumerate(checks.sequence(document.get(key) or [], key))]


def _reasons(value, path):
    """``error`` ({code, message}: shown while the task is in a failed state) and ``status`` (the state's detail)."""
    reasons = {}
    if value.get("error") is not None:
        where = join(path, "error")
        error = checks.mapping(value["error"], where, ("code", "message"))
        if not error:
            raise SpecError(where, "give a code, a message or both, e.g. {code: VIAS.20002, message: no resources}")
        reasons["error"] = {key: checks.string(error[key], join(where, key), max_length=1000) for key in error}
    if value.get("status") is not None:
        reasons["status"] = checks.string(value["status"], join(path, "status"), max_length=1000)
    return reasons


def _vias_task(value, path):
    entry = _entry(value, path, COMMON + ("state", "error", "status"), ("state",), _states(VIAS_STATES), _string_id)
    entry.extra = _reasons(value, path)
    return entry


def _vas_task(value, path):
    entry = _entry(value, path, COMMON + ("state", "service", "service_version", "wrapped", "error", "status"), ("state",),
                   _states(VAS_STATES), _string_id)
    entry.extra = {
        **_reasons(value, path),
        "service": checks.string(value.get("service", VAS_SERVICE), join(path, "service"), pattern=SERVICE_NAME),
        "version": checks.string(value.get("service_version", "3.0"), join(path, "service_version"),
                                 pattern=r"\S{1,64}"),
        "wrapped": None if value.get("wrapped") is None else checks.boolean(value["wrapped"], join(path, "wrapped")),
    }
    return entry


def _octopus_job(value, path):
    entry = _entry(value, path, COMMON + ("state", "job_type", "workspace_id", "data_id"), ("state",),
                   _states(OCTOPUS_STATES), _job_id)
    entry.extra = {
        "job_type": None if value.get("job_type") is None else checks.string(
            value["job_type"], join(path, "job_type"), choices=JOB_TYPES),
        "workspace_id": None if value.get("workspace_id") is None else checks.string(
            value["workspace_id"], join(path, "workspace_id"), pattern=ID),
        "data_id": None if value.get("data_id") is None else checks.string(
            value["data_id"], join(path, "data_id"), pattern=ID),
    }
    return entry


def _batch_task(value, path):
    entry = _entry(value, path, COMMON + ("counts",), ("counts",), _states(BATCH_STATES, lower=True), _string_id)
    counts = {}
    raw = checks.mapping(value["counts"], join(path, "counts"), list(value["counts"] or {}))
    for state, number in raw.items():
        where = join(join(path, "counts"), state)
        counts[_states(BATCH_STATES, lower=True)(state, where)] = checks.number(
            number, where, minimum=0, maximum=MAX_COUNT, integer=True)
    if not any(counts.values()):
        raise SpecError(join(path, "counts"), "give at least one state with a count above 0, e.g. {running: 3}")
    entry.extra = {"counts": {state: n for state, n in counts.items() if n}}
    return entry


def _hilens_task(value, path):
    pod_state = _states(POD_STATE)
    entry = _entry(value, path, COMMON + ("pods", "state", "pod_count"), (), pod_state, _string_id)
    if ("pods" in value) == (value.get("state") is not None):
        raise SpecError(path, "give either pods (a list of pod states) or state (with an optional pod_count)")
    if "pods" in value:
        pods = checks.sequence(value["pods"], join(path, "pods"), max_items=64)
        if not pods:
            raise SpecError(join(path, "pods"), "list at least one pod state")
        entry.extra = {"pods": [pod_state(pod, join(join(path, "pods"), i)) for i, pod in enumerate(pods)]}
    else:
        pod_count = checks.number(value.get("pod_count", 1), join(path, "pod_count"), minimum=1, maximum=64,
                                  integer=True)
        entry.extra = {"pods": [entry.state] * pod_count}
    return entry


def _deployment(value, path):
    checks.mapping(value, path, ("id", "tasks", "transitions", "stagger", "shuffle_pods"), required=("id",))
    tasks = [_hilens_task(task, join(join(path, "tasks"), i))
             for i, task in enumerate(checks.sequence(value.get("tasks") or [], join(path, "tasks")))]
    return {"id": checks.string(value["id"], join(path, "id"), pattern=ID), "path": path, "tasks": tasks,
            "transitions": _transitions(value.get("transitions") or [], join(path, "transitions"),
                                        _states(POD_STATE)),
            "stagger": checks.number(value.get("stagger", 0), join(path, "stagger"), minimum=0),
            "shuffle_pods": checks.boolean(value.get("shuffle_pods", False), join(path, "shuffle_pods"))}


def _credentials(document):
    fields = [f.name for f in dataclasses.fields(Credentials)]
    given = dict(checks.mapping(document.get("credentials") or {}, "credentials", fields))
    for name, value in given.items():
        checks.string(value, join("credentials", name), pattern=r"\S(.*\S)?")
    if document.get("project_id") is not None:
        if given.get("project_id", document["project_id"]) != document["project_id"]:
            raise SpecError("project_id", "differs from credentials.project_id; give it once")
        given["project_id"] = document["project_id"]
    for key in ("project_id", "foreign_project_id"):
        if key in given:
            where = key if key == "project_id" and "project_id" in document else join("credentials", key)
            checks.string(given[key], where, pattern=PROJECT_ID_FORMAT.pattern)
    return given


def _unique_ids(entries):
    seen = {}
    for entry in entries:
        if entry.id is not None:
            if entry.id in seen:
                raise SpecError(join(entry.path, "id"), f"duplicate id {entry.id!r} (also at {seen[entry.id]})")
            seen[entry.id] = entry.path


class Scenario:
    """A validated scenario document, ready to be loaded into a store (again after every reset)."""

    def __init__(self, document):
        checks.mapping(document, "", TOP_KEYS)
        if document.get("version", FORMAT_VERSION) != FORMAT_VERSION:
            raise SpecError("version", f"must be {FORMAT_VERSION} (the only format so far)")
        self.document = _jsonable(document)
        self.description = checks.string(document.get("description", ""), "description")
        self._seed = checks.number(document.get("seed"), "seed", integer=True, nullable=True)
        self._credentials = _credentials(document)
        sizes = document.get("sizes")
        self.sizes = None if sizes is None else {
            key: checks.number(n, join("sizes", key), minimum=0, maximum=1_000_000, integer=True)
            for key, n in checks.mapping(sizes, "sizes", SIZE_KEYS).items()}
        self.deployments = _list(document, "hilens_deployments", _deployment)
        self.vias = _list(document, "vias_tasks", _vias_task)
        self.vas = _list(document, "vas_tasks", _vas_task)
        self.octopus = _list(document, "octopus_jobs", _octopus_job)
        self.batch = _list(document, "batch_tasks", _batch_task)
        names = [d["id"] for d in self.deployments]
        for i, name in enumerate(names):
            if name in names[:i]:
                raise SpecError(join(join("hilens_deployments", i), "id"), f"duplicate deployment {name!r}")
        for entries in (self.vias, self.vas, self.octopus, self.batch,
                        [task for d in self.deployments for task in d["tasks"]]):
            _unique_ids(entries)
        self.faults = checks.sequence(document.get("faults") or [], "faults")
        for i, spec in enumerate(self.faults):
            FaultRule.from_json(spec, join("faults", i))
        self.quota = None if document.get("quota") is None else account_quota.parse(document["quota"], "quota")
        self.chaos = None if document.get("chaos") is None else chaos_mode.parse(document["chaos"], "chaos")
        self.churn = churn_mode.parse(document.get("churn") or [], "churn")

    def seed(self, default):
        return default if self._seed is None else self._seed

    def credentials(self, base):
        return dataclasses.replace(base, **self._credentials)

    def populate(self, store):
        """Add the scenario's records to ``store`` and start their transitions' clocks."""
        loader = _Loader(store)
        for deployment in self.deployments:
            loader.deployment(deployment)
        loader.records("vias", self.vias, store.vias)
        loader.records("vas", self.vas, store.vas)
        loader.records("octopus", self.octopus, store.octopus)
        loader.records("vias_batch", self.batch, store.batch)
        store.scenario_ids = loader.ids

    def arm(self, state):
        """Install the scenario's faults, quota and chaos (after a reset cleared them)."""
        state.faults.add(self.faults, "faults")
        if self.quota is not None:
            state.quota.configure(**self.quota)
        if self.chaos is not None:
            state.chaos.start(**self.chaos)
        if self.churn:
            state.churn.start(self.churn, state.store)

    def as_dict(self):
        return {"description": self.description, "document": self.document}


class _Loader:
    """Puts entries into a store: ids generated where missing, creation times
    spread over the seconds before the load, transitions scheduled from now."""

    def __init__(self, store):
        self.store = store
        self.seed = store.seed
        self.now_ms = int(time.time() * 1000)
        self.ids = {"hilens": {}, "vias": [], "vas": [], "octopus": [], "vias_batch": []}

    def _id(self, entry, dataset, make):
        if entry.id is not None:
            if entry.id in dataset.by_id:
                raise SpecError(join(entry.path, "id"), f"id {entry.id!r} is already taken by a generated record")
            return entry.id
        while True:
            candidate = make()
            if candidate not in dataset.by_id:
                return candidate

    @staticmethod
    def _copies(entries):
        for entry in entries:
            for copy in range(entry.count):
                name = entry.name if entry.count == 1 or entry.name is None else f"{entry.name}-{copy + 1}"
                yield entry, name

    def _created(self, entry, position, total):
        return entry.created if entry.created is not None else self.now_ms - (total - position) * 1000

    def _rng(self, service):
        """One stream per service: a service's generated ids depend only on its own entries."""
        return random.Random(f"scenario:{self.seed}:{service}")

    def records(self, service, entries, dataset):
        rng = self._rng(service)
        copies = list(self._copies(entries))
        for position, (entry, name) in enumerate(copies):
            created = self._created(entry, position, len(copies))
            if service == "octopus":
                record_id = self._id(entry, dataset, dataset.next_id)
                dataset.add(record_id, entry.state, created, **entry.extra)
            elif service == "vias_batch":
                record_id = self._id(entry, dataset, lambda: hex32(rng))
                dataset.add(record_id, entry.extra["counts"], created, name=name)
            else:
                record_id = self._id(entry, dataset, lambda: hex32(rng))
                dataset.add(record_id, entry.state, created, name=name, **entry.extra)
            self.ids[service].append(record_id)
            if entry.transitions:
                self.store.schedules.set(service, record_id, entry.transitions)

    def deployment(self, deployment):
        hilens = self.store.hilens
        rng = self._rng(f"hilens:{deployment['id']}")
        if deployment["id"] in hilens.deployments:
            raise SpecError(join(deployment["path"], "id"), f"deployment {deployment['id']!r} already exists")
        hilens.deployments[deployment["id"]] = []
        if deployment["shuffle_pods"]:
            hilens.shuffled.add(deployment["id"])
        copies = list(self._copies(deployment["tasks"]))
        spread = deployment["stagger"] / (len(copies) - 1) if len(copies) > 1 else 0.0
        ids = self.ids["hilens"][deployment["id"]] = []
        for position, (entry, name) in enumerate(copies):
            task_id = self._id(entry, hilens, lambda: uuid4(rng))
            hilens.add_task(deployment["id"], task_id, entry.extra["pods"], name=name,
                            created=self._created(entry, position, len(copies)))
            ids.append(task_id)
            if entry.transitions:
                self.store.schedules.set("hilens", task_id, entry.transitions)
            elif deployment["transitions"]:
                self.store.schedules.set("hilens", task_id, deployment["transitions"], offset=position * spread)


def _strict_loader():
    """PyYAML's safe loader, refusing duplicate keys (which it would silently merge)."""
    import yaml  # a dependency of the package; only scenario files need it

    class Loader(yaml.SafeLoader):  # pylint: disable=too-many-ancestors
        pass

    def mapping(loader, node, deep=False):
        seen = set()
        for key_node, _value in node.value:
            key = loader.construct_object(key_node, deep=deep)
            if not isinstance(key, collections.abc.Hashable):
                continue  # construct_mapping below refuses it with PyYAML's own message
            if key in seen:
                raise SpecError("", f"duplicate key {key!r} at line {key_node.start_mark.line + 1}")
            seen.add(key)
        return loader.construct_mapping(node, deep=deep)

    Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, mapping)
    return yaml, Loader


def parse_yaml(text, source="scenario"):
    """The YAML (or JSON) document in ``text``; errors as ``SpecError``."""
    yaml, loader = _strict_loader()
    try:
        document = yaml.load(text, Loader=loader)  # noqa: S506 (a SafeLoader subclass)
    except yaml.YAMLError as exc:
        raise SpecError("", f"{source} is not valid YAML: {exc}") from None
    if document is None:
        raise SpecError("", f"{source} is empty; a scenario is a mapping (see the README for the format)")
    return document


def load_file(path):
    """Read, parse and validate a scenario file."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise SpecError("", f"cannot read scenario {path}: {exc}") from None
    return Scenario(parse_yaml(text, str(path)))


def example_text():
    """The shipped example scenario (package data when installed; the source tree otherwise)."""
    try:
        from importlib.resources import files

        resource = files(__package__).joinpath("scenarios", EXAMPLE)
        if resource.is_file():
            return resource.read_text(encoding="utf-8")
    except (ImportError, ModuleNotFoundError, FileNotFoundError):
        pass
    return (Path(__file__).resolve().parent.parent / "scenarios" / EXAMPLE).read_text(encoding="utf-8")
