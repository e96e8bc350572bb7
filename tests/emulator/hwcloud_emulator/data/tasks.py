"""Single-task data sets: VIAS tasks and VAS (c-queue-status-analysis-edge) tasks."""

from .common import (
    BASE_MS,
    YEAR_MS,
    Dataset,
    StateMix,
    below,
    hex32,
    iso_ms,
    iso_s,
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

    def state_and_update(self, record):
        forced = self.scheduled(record)
        if forced is None:
            return record["state"], record["updated"]
        state, wall = forced
        return state, int(wall * 1000) if wall is not None else record["updated"]

    def ids_by_state(self, per_state=10):
        found = {}
        for record in self.records:
            ids = found.setdefault(record["state"], [])
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
            "name": f"{alg}-task-{record['index']:05d}",
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
        if r.random() < 0.2:
            task["schedule_status"] = "ACTIVATED"
            task["schedule"] = {"type": "weekly", "timezone": "GMT+08:00", "days_of_week": [1, 2, 3, 4, 5],
                                "periods": [[{"begin_at": "08:00:00", "end_at": "20:00:00"}]]}
        return task


class VasTasks(TaskSet):
    service = "vas"
    mix = VAS_STATES

    @staticmethod
    def is_wrapped(record):
        """Odd records are answered as ``{"task": {...}}`` (what the table says);
        the rest at the top level (what the example shows)."""
        return record["index"] % 2 == 1

    def render(self, record):
        r = self.detail_rng(record)
        state, updated = self.state_and_update(record)
        return {
            "id": record["id"],
            "name": f"queue-status-analysis-edge-{record['index']:05d}",
            "creator": self.creator,
            "project_id": self.project_id,
            "description": None,
            "service_version": "3.0",
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
