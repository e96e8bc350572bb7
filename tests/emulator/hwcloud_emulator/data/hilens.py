"""HiLens deployments and their tasks (pods with raw upper-case statuses)."""

from .common import BASE_MS, YEAR_MS, Dataset, StateMix, below, pick, uuid4
from .tasks import UNKNOWN_STATE

POD_STATES = StateMix({"RUNNING": 700, "PENDING": 60, "STARTING": 60, "FAILED": 70,
                       "STOPPED": 40, "SUCCEEDED": 40, UNKNOWN_STATE: 30})
FAILURE_CAUSES = ["ImagePullBackOff: the algorithm image could not be pulled",
                  "OOMKilled: the container exceeded its memory limit",
                  "CrashLoopBackOff: the task exited with code 137",
                  "camera stream unreachable: rtsp connection timed out"]


class HilensTasks(Dataset):
    """Fixed deployments: ``dep-large`` (configurable size), ``dep-small`` (3),
    ``dep-empty`` (0) and ``dep-moving`` (10, all PENDING: a target for schedules).
    A scenario without generated data has none of them (``fixed=False``)."""

    service = "hilens"

    def __init__(self, size, fixed=True, **kwargs):
        super().__init__(**kwargs)
        self._next_index = 0
        self.deployments = {}
        #: deployments whose tasks list their pods in another order on every answer (``shuffle_pods``)
        self.shuffled = set()
        # dep-large last, so the small deployments do not change with its size.
        for name, count, state in (("dep-small", 3, None), ("dep-empty", 0, None),
                                   ("dep-moving", 10, "PENDING"), ("dep-large", size, None)):
            if fixed:
                self.deployments[name] = [self._new(i, state) for i in range(count)]
        self.by_id = {r["id"]: r for tasks in self.deployments.values() for r in tasks}

    def add_task(self, deployment_id, task_id, pods, name=None, created=None):
        """A task a scenario defines, appended to its deployment (created if new)."""
        tasks = self.deployments.setdefault(deployment_id, [])
        record = self._new(len(tasks))
        record.update(id=task_id, pods=tuple(pods))
        if name is not None:
            record["name"] = name
        if created is not None:
            record["created"] = created
        tasks.append(record)
        self.by_id[task_id] = record
        return record

    def _new(self, position, state=None):
        rng = self.rng
        index, self._next_index = self._next_index, self._next_index + 1
        pods = pick(rng, (1, 1, 1, 1, 1, 1, 1, 2, 2, 3))
        primary = state or POD_STATES.pick(rng, position)
        statuses = [primary] * pods
        if pods > 1 and state is None and rng.random() < 0.3:
            statuses[-1] = "FAILED" if primary != "FAILED" else "RUNNING"
        return {"index": index, "id": uuid4(rng), "pods": tuple(statuses),
                "created": BASE_MS - below(rng, YEAR_MS)}

    def insert_head(self, deployment_id, count):
        """New tasks at the head of the list, so an ongoing walk sees pages shift."""
        tasks = self.deployments[deployment_id]
        new = [self._new(len(tasks) + i) for i in range(count)]
        tasks[:0] = new
        self.by_id.update((r["id"], r) for r in new)

    def page(self, deployment_id, offset, limit):
        tasks = self.deployments[deployment_id]
        return len(tasks), [self.render(deployment_id, r) for r in tasks[offset:offset + limit]]

    def render(self, deployment_id, record):
        r = self.detail_rng(record)
        forced = self.scheduled(record)
        statuses = [forced[0]] * len(record["pods"]) if forced else record["pods"]
        pods = []
        for number, status in enumerate(statuses):
            pod = {"pod_id": uuid4(r), "pod_name": f"{deployment_id}-{record['index']}-pod-{number}",
                   "task_status": status}
            # Drawn for every pod so pod ids stay stable when a schedule changes statuses.
            cause = r.choice(FAILURE_CAUSES)
            if status == "FAILED":
                pod = {"cause": cause, **pod}
            pods.append(pod)
        if deployment_id in self.shuffled and pods:
            # The same pods, listed from another one on every answer, as a service that keeps no order does.
            turn = record["answers"] = record.get("answers", -1) + 1
            pods = pods[turn % len(pods):] + pods[:turn % len(pods)]
        start = record["created"] + r.randrange(60_000, 3_600_000)
        return {
            "name": record.get("name") or f"task-{record['index']:05d}",
            "timestamp": str(record["created"]),
            "description": r.choice([None, "", "people counting at the east entrance"]),
            "streams": [{
                "common": None,
                "input": {"type": "camera", "template": False, "data": {
                    "name": f"camera-{r.randrange(1, 300):03d}", "create_time": str(record["created"]),
                    "tag": [{"config_type": "roi"}], "id": uuid4(r),
                    "rtsp": f"rtsp://10.0.{r.randrange(256)}.{r.randrange(1, 255)}:554/stream1"}},
                "outputs": [{"type": "dis", "template": False, "data": {
                    "projectId": self.project_id, "streamId": uuid4(r), "streamName": "dis-emu-results"}}],
            }],
            "ok_pod_number": statuses.count("SUCCEEDED"),
            "cur_pod_number": statuses.count("RUNNING"),
            "sum_pod_number": len(statuses),
            "fail_pod_number": statuses.count("FAILED"),
            "pending_pod_number": statuses.count("PENDING") + statuses.count("STARTING"),
            "task_status": pods,
            "task_id": record["id"],
            "user_task_id": r.choice([None, f"user-task-{record['index']:05d}"]),
            "start_time_info": {
                "start_time": str(start), "frequency": r.choice(["once", "daily"]),
                "mode": r.choice(["period", "frequency"]),
                "day_time_frame": [{"start": "08:00", "stop": "20:00"}], "single_time_frame": [],
            },
            "source_usage_estimate": {"cpu": r.choice([0.5, 1.0, 2.0]), "memory": r.choice([512, 1024, 2048])},
        }
