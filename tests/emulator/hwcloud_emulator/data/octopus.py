"""Octopus system jobs: integer ids, epoch-ms times, filters and sorting."""

from .common import BASE_MS, Dataset, StateMix, below, pick, uuid4
from .tasks import UNKNOWN_STATE

JOB_TYPES = ("PACKAGE_IMPORT", "PACKAGE_DELETE", "SCENARIO_AUTO_MINING", "SCENARIO_TO_SIM",
             "FRAME_EXTRACT", "SCENARIO_EXTRACT")
STATUSES = ("QUEUING", "SUBMIT_FAILED", "RUNNING", "RUN_FAILED", "FINISHED", "STOPPED",
            "LAUNCHING", "UPLOADING", "UPLOAD_FAILED")
STATUS_MIX = StateMix({"RUNNING": 350, "FINISHED": 300, "QUEUING": 80, "LAUNCHING": 50,
                       "UPLOADING": 40, "RUN_FAILED": 60, "SUBMIT_FAILED": 30, "UPLOAD_FAILED": 20,
                       "STOPPED": 50, UNKNOWN_STATE: 20})
#: Statuses that imply the job ran (start_at, running_duration) or ended (end_at).
STARTED = {"RUNNING", "RUN_FAILED", "FINISHED", "STOPPED", "UPLOADING", "UPLOAD_FAILED"}
ENDED = {"RUN_FAILED", "FINISHED", "STOPPED", "UPLOAD_FAILED"}
FAILURES = {"SUBMIT_FAILED": (1001, "Failed to submit the job: the resource pool quota is exhausted."),
            "RUN_FAILED": (1002, "The job exited abnormally: out of memory."),
            "UPLOAD_FAILED": (1003, "Failed to upload the results to OBS: access denied.")}
WORKSPACES = ("ws-emu-0001", "ws-emu-0002", "ws-emu-0003")
#: Accepted ``sort`` fields (value ``field`` or ``field,asc|desc``; direction defaults to desc).
SORT_FIELDS = {"create_at": "create_at", "update_at": "update_at", "id": "id"}


class OctopusJobs(Dataset):
    service = "octopus"

    def __init__(self, size, **kwargs):
        super().__init__(**kwargs)
        self.records = []
        self._clock = BASE_MS - size * 300_000
        for index in range(size):
            self.records.append(self._new(index))
        self.by_id = {r["id"]: r for r in self.records}

    def _new(self, index):
        """Ids increase with creation time, like a database sequence."""
        rng = self.rng
        self._clock += 1_000 + below(rng, 600_000)
        return {"index": index, "id": index + 1, "job_type": pick(rng, JOB_TYPES),
                "data_id": f"DPK{1 + below(rng, len(self.records) // 3 + 1):07d}",
                "workspace_id": pick(rng, WORKSPACES), "state": STATUS_MIX.pick(rng, index),
                "create_at": self._clock, "update_at": self._clock + 1_000 + below(rng, 7_200_000)}

    def add(self, job_id, state, created, job_type=None, workspace_id=None, data_id=None):
        """A job a scenario defines."""
        record = self._new(len(self.records))
        record.update(id=job_id, state=state, create_at=created, update_at=created)
        record.update((k, v) for k, v in (("job_type", job_type), ("workspace_id", workspace_id),
                                          ("data_id", data_id)) if v is not None)
        self.records.append(record)
        self.by_id[job_id] = record
        return record

    def next_id(self):
        return max(self.by_id, default=0) + 1

    def insert_head(self, count):
        """Newer jobs (head of the default create_at,desc order)."""
        for _index in range(count):
            record = self._new(len(self.records))
            record["id"] = self.next_id()
            self.records.append(record)
            self.by_id[record["id"]] = record

    def effective(self, record):
        """(status, update_at) after any schedule."""
        forced = self.scheduled(record)
        if forced is None:
            return record["state"], record["update_at"]
        status, wall = forced
        return status, int(wall * 1000) if wall is not None else record["update_at"]

    def query(self, *, workspace_id=None, data_id=None, job_id=None, job_types=(), statuses=(),
              start_time=None, end_time=None, sort=("create_at", True), offset=0, limit=10):
        field, descending = sort
        rows = []
        for record in self.records:
            status, update_at = self.effective(record)
            if ((workspace_id and record["workspace_id"] != workspace_id)
                    or (data_id and record["data_id"] != data_id)
                    or (job_id is not None and record["id"] != job_id)
                    or (job_types and record["job_type"] not in job_types)
                    or (statuses and status not in statuses)
                    or (start_time is not None and record["create_at"] < start_time)
                    or (end_time is not None and update_at > end_time)):
                continue
            rows.append((record, status, update_at))
        key = {"id": lambda row: row[0]["id"],
               "create_at": lambda row: (row[0]["create_at"], row[0]["id"]),
               "update_at": lambda row: (row[2], row[0]["id"])}[field]
        rows.sort(key=key, reverse=descending)
        return len(rows), [self.render(*row) for row in rows[offset:offset + limit]]

    def render(self, record, status, update_at):
        r = self.detail_rng(record)
        submitting = r.randrange(1_000, 120_000)
        job = {"id": record["id"], "job_type": record["job_type"], "data_id": record["data_id"],
               "status": status, "create_at": record["create_at"], "update_at": update_at,
               "project_id": self.project_id, "submitting_duration": submitting,
               "resource_spec": r.choice(["1Core_4GiB", "4Core_16GiB", "8Core_32GiB_1GPU"]),
               "workspace_id": record["workspace_id"]}
        if status in STARTED:
            job["start_at"] = min(record["create_at"] + submitting, update_at)
            job["running_duration"] = update_at - job["start_at"]
        if status in ENDED:
            job["end_at"] = update_at
        if status in FAILURES:
            job["msg_code"], job["msg_error"] = FAILURES[status]
        if r.random() < 0.1:
            job["trace_id"] = uuid4(r)  # undocumented extra field, as real responses carry
        return job
