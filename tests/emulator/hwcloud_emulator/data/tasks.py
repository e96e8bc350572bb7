"""Single-task data sets: VIAS tasks and VAS tasks (service c-queue-status-analysis-edge,
plus any service a scenario names), and the filtered, sorted VAS task list."""

import random

from .common import (
    BASE_MS,
    YEAR_MS,
    Dataset,
    StateMix,
    below,
    hex32,
    iso_ms,
    iso_s,
    pick,
    uuid4,
)

#: Raw states beyond the documented tables, so clients can test unknown-state handling.
UNKNOWN_STATE = "MIGRATING"

VIAS_STATES = StateMix({
    "RUNNING": 600, "PENDING": 60, "STARTING": 60, "FAILED": 40, "STOPPED": 50,
    "SUCCEEDED": 30, UNKNOWN_STATE: 10, "START_FAILED": 15, "CREATE_FAILED": 15,
    "ABNORMAL": 15, "STOPPING": 10, "RECOVERING": 10, "UPGRADING": 10, "DELETING": 5,
    "FREEZING": 5, "FROZEN": 10,
})
VIAS_ERRORS = {
    "CREATE_FAILED": ("VIAS.20001", "Failed to create the task: the video source does not exist."),
    "START_FAILED": ("VIAS.20002", "Failed to start the task: insufficient resources in the edge pool."),
    "FAILED": ("VIAS.20003", "The task failed: the input stream was interrupted."),
    "ABNORMAL": ("VIAS.20004", "The algorithm container restarted too many times."),
}
VIAS_STATUS_DETAILS = {
    "PENDING": "waiting for resources", "STARTING": "pulling the algorithm image",
    "STOPPED": "stopped by the user", "ABNORMAL": "container restarting",
    "FROZEN": "the account is frozen", UNKNOWN_STATE: "moving to another node",
}
ALGORITHMS = [("helmet-detect", "安全帽检测"), ("queue-status", "排队检测"),
              ("crowd-density", "人群密度"), ("fire-smoke", "烟火检测"), ("intrusion", "区域入侵")]
COMPANIES = ["HuaweiCloud", "AcmeVision", "DeepEye", "视界科技"]

VAS_SERVICE = "c-queue-status-analysis-edge"
#: The states the VAS list API filters on (``state``); MIGRATING is served but not filterable.
VAS_LIST_STATES = ("PENDING", "RECOVERING", "STARTING", "UPGRADING", "CREATE_FAILED", "START_FAILED", "RUNNING",
                   "STOPPING", "STOPPED", "ABNORMAL", "SUCCEEDED", "FAILED", "DELETING", "FREEZING", "FROZEN")
VAS_ORDERS = {"name": "name", "created_at": "created", "updated_at": "updated"}
#: (weight, version) and (weight, name template): spaces and non-ASCII names for the list filters.
VAS_VERSIONS = (60, "3.0"), (20, "3.1"), (12, "2.2"), (8, "3.2.1")
VAS_NAMES = ((70, "queue-status-analysis-edge-{index:05d}"), (10, "Queue at gate {gate} {index:05d}"),
             (10, "排队检测 东门 {index:05d}"), (10, "收银台-{gate}-排队 {index:05d}"))
VAS_STATES = StateMix({
    "RUNNING": 700, "PENDING": 60, "STARTING": 60, "FAILED": 50, "STOPPED": 60,
    "SUCCEEDED": 30, UNKNOWN_STATE: 15, "ABNORMAL": 15, "STOPPING": 10,
})


class TaskSet(Dataset):
    """Tasks looked up by a 32-hex id; records carry only what lookups need."""

    mix = None

    def __init__(self, size, **kwargs):
        super().__init__(**kwargs)
        rng = self.rng
        self.records = []
        for index in range(size):
            created = BASE_MS - below(rng, YEAR_MS)
            self.records.append({"index": index, "id": hex32(rng), "state": self.mix.pick(rng, index),
                                 "created": created, "updated": created + below(rng, 86_400_000)})
        self.by_id = {r["id"]: r for r in self.records}

    def add(self, record_id, state, created, **extra):
        """A record a scenario defines (``extra``: name and service-specific fields)."""
        record = {"index": len(self.records), "id": record_id, "state": state, "created": created,
                  "updated": created, **{k: v for k, v in extra.items() if v is not None}}
        self.records.append(record)
        self.by_id[record_id] = record
        return record

    def neighbour(self, record_id):
        """Another record of the same service (the next one, cyclically), or None."""
        record = self.by_id.get(record_id)
        if record is None:
            return None
        position = self.records.index(record)
        for step in range(1, len(self.records)):
            other = self.records[(position + step) % len(self.records)]
            if other["id"] != record_id and other.get("service") == record.get("service"):
                return other
        return None

    def state_and_update(self, record):
        forced = self.scheduled(record)
        if forced is None:
            return record["state"], record["updated"]
        state, wall = forced
        return state, int(wall * 1000) if wall is not None else record["updated"]

    @staticmethod
    def reasons(record, state):
        """What a scenario says about the task: its ``status`` always, its ``error`` while it is in a failed state."""
        reasons = {"status": record["status"]} if record.get("status") is not None else {}
        if record.get("error") is not None and state in VIAS_ERRORS:
            reasons["error"] = dict(record["error"])
        return reasons

    def ids_by_state(self, per_state=10):
        """Up to ``per_state`` ids per current state (scheduled transitions applied)."""
        found = {}
        for record in self.records:
            ids = found.setdefault(self.state_and_update(record)[0], [])
            if len(ids) < per_state:
                ids.append(record["id"])
        return found


class ViasTasks(TaskSet):
    service = "vias"
    mix = VIAS_STATES

    def render(self, record):
        r = self.detail_rng(record)
        state, updated = self.state_and_update(record)
        alg, title = r.choice(ALGORITHMS)
        task = {
            "id": record["id"],
            "name": record.get("name") or f"{alg}-task-{record['index']:05d}",
            "creator": self.creator,
            "project_id": self.project_id,
            "description": r.choice([None, "", f"{title} at gate {r.randrange(1, 9)}"]),
            "release_id": uuid4(r),
            "service_id": uuid4(r),
            "created_at": iso_ms(record["created"]),
            "updated_at": iso_ms(updated),
            "event_type": 0,
            "priority": r.choice(["low", "low", "medium", "high"]),
            "steal": 0,
            "state": state,
            "input": {"type": "video_source", "data": [{"video_source_id": uuid4(r)}]},
            "output": r.choice([{"event_center": True},
                                {"obs": {"bucket": "emu-results", "path": f"tasks/{record['index']}/"}},
                                {"webhook": {"url": "https://hooks.example.com/vias",
                                             "headers": {"content-type": "application/json"}}}]),
            "config": {"common": {}},
            "video_source_name": f"camera-{r.randrange(1, 500):03d}",
            "title": title,
            "group_name": ",".join(str(r.randrange(900, 2400)) for _group in range(r.randrange(1, 3))),
            "company": r.choice(COMPANIES),
            "type": r.choice(["0", "0", "0", "cloud", "edge"]),
            "package_id": uuid4(r),
        }
        if state in VIAS_STATUS_DETAILS:
            task["status"] = VIAS_STATUS_DETAILS[state]
        if state in VIAS_ERRORS:
            code, message = VIAS_ERRORS[state]
            task["error"] = {"code": code, "message": message}
        task.update(self.reasons(record, state))
        if r.random() < 0.2:
            task["schedule_status"] = "ACTIVATED"
            task["schedule"] = {"type": "weekly", "timezone": "GMT+08:00", "days_of_week": [1, 2, 3, 4, 5],
                                "periods": [[{"begin_at": "08:00:00", "end_at": "20:00:00"}]]}
        return task


class VasTasks(TaskSet):
    service = "vas"
    mix = VAS_STATES

    def __init__(self, size, **kwargs):
        super().__init__(size, **kwargs)
        # A separate stream, so ids, states and times stay what they were before names and versions varied.
        rng = random.Random(f"vas-list:{self.seed}")
        versions = [version for weight, version in VAS_VERSIONS for _repeat in range(weight)]
        names = [name for weight, name in VAS_NAMES for _repeat in range(weight)]
        for record in self.records:
            record["service"] = VAS_SERVICE
            record["version"] = pick(rng, versions)
            record["name"] = pick(rng, names).format(index=record["index"], gate=1 + below(rng, 9))
        self.services = {VAS_SERVICE}

    def add(self, record_id, state, created, service=VAS_SERVICE, version="3.0", name=None, **extra):
        self.services.add(service)
        name = name or f"{service}-{len(self.records):05d}"
        return super().add(record_id, state, created, service=service, version=version, name=name, **extra)

    def insert_head(self, service, count):
        """Newer tasks (head of the default created_at:DESC order), so an ongoing walk sees pages shift."""
        newest = max((r["created"] for r in self.records), default=BASE_MS)
        for i in range(count):
            self.add(hex32(self.rng), "RUNNING", newest + 1000 * (i + 1), service=service)

    @staticmethod
    def is_wrapped(record):
        """Odd records are answered as ``{"task": {...}}`` (what the table says);
        the rest at the top level (what the example shows).  A scenario may choose."""
        wrapped = record.get("wrapped")
        return record["index"] % 2 == 1 if wrapped is None else wrapped

    def query(self, service, *, version=None, state=None, name_like=None, id_like=None, since=None, until=None,
              order=("created", True), offset=0, limit=10):
        """(matches over all pages, rendered page) as the list route answers; states after schedules."""
        rows = []
        for record in self.records:
            if record.get("service") != service:
                continue
            current, updated = self.state_and_update(record)
            if ((version is not None and record["version"] != version)
                    or (state is not None and current != state)
                    or (name_like and name_like not in record["name"])
                    or (id_like and id_like not in record["id"])
                    or (since is not None and record["created"] < since)
                    or (until is not None and record["created"] > until)):
                continue
            rows.append((record, updated))
        field, descending = order
        key = {"name": lambda row: (row[0]["name"], row[0]["id"]),
               "created": lambda row: (row[0]["created"], row[0]["id"]),
               "updated": lambda row: (row[1], row[0]["id"])}[field]
        rows.sort(key=key, reverse=descending)
        page = [self.render(record) for record, _updated in rows[offset:offset + limit]]
        for task in page:
            task.pop("hosting_result", None)  # only the single-task answer carries it
        return len(rows), page

    def render(self, record):
        r = self.detail_rng(record)
        state, updated = self.state_and_update(record)
        task = {
            "id": record["id"],
            "name": record.get("name") or f"queue-status-analysis-edge-{record['index']:05d}",
            "creator": self.creator,
            "project_id": self.project_id,
            "description": None,
            "service_version": record.get("version", "3.0"),
            "edge_pool_id": hex32(r),
            "resource_order_id": hex32(r),
            "created_at": iso_s(record["created"]),
            "updated_at": iso_s(updated),
            "state": state,
            "input": {"type": "edgecamera", "data": [{"id": uuid4(r), "index": 0}]},
            "output": {"webhook": {"url": "https://apigw.example.com/api/mqs/sit",
                                   "headers": {"content-type": "application/json"}}},
            "service_config": {"common": {
                "image_compression_ratio": 90, "render_result_sw": 1, "render_roi_sw": 1,
                "queue_length_count_sw": 1,
                "target_roi": '{"polygons":[{"data":[[0, 0], [0, 1000], [1920, 1000], [1920, 0]]}]}',
            }},
        }
        task.update(self.reasons(record, state))
        return task
