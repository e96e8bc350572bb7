"""VIAS batch tasks: per-state counters, filters, two sort keys, page numbers."""

from .common import BASE_MS, YEAR_MS, Dataset, StateMix, below, hex32, pick
from .tasks import ALGORITHMS, COMPANIES

TASK_STATES = ("pending", "recovering", "starting", "upgrading", "create_failed", "start_failed",
               "running", "stopping", "stopped", "abnormal", "succeeded", "failed", "deleting",
               "freezing", "frozen", "stopped_no_service", "scheduling", "lack_of_resources")
#: "migrating" is in no documented table: clients must tolerate unknown counters.
STATE_MIX = StateMix({"running": 600, "stopped": 80, "pending": 50, "starting": 50, "failed": 50,
                      "migrating": 10, "start_failed": 20, "create_failed": 20, "abnormal": 20,
                      "succeeded": 30, "stopping": 10, "recovering": 10, "upgrading": 10,
                      "deleting": 10, "freezing": 10, "frozen": 10, "stopped_no_service": 10,
                      "scheduling": 10, "lack_of_resources": 10})
NAME_PREFIXES = ("parking", "queue", "helmet", "fire", "crowd", "gate")
VIDEO_GROUPS = ("2312", "1889", "927", "914", "east-gate", "lobby", "warehouse", "北门")


class BatchTasks(Dataset):
    service = "vias_batch"
    normalize_state = staticmethod(str.lower)

    def __init__(self, size, **kwargs):
        super().__init__(**kwargs)
        self.records = [self._new(i, BASE_MS - below(self.rng, YEAR_MS)) for i in range(size)]
        self.by_id = {r["id"]: r for r in self.records}

    def _new(self, index, created):
        rng = self.rng
        alg = pick(rng, ALGORITHMS)[0]
        num_task = pick(rng, (1, 1, 2, 3, 5, 8, 13, 40))
        primary = STATE_MIX.pick(rng, index)
        counts = {primary: num_task}
        if num_task > 1 and rng.random() < 0.3:
            other = STATE_MIX.draw(rng)
            moved = 1 + below(rng, num_task - 1)
            counts[primary] -= moved
            counts[other] = counts.get(other, 0) + moved
        # 1-3 distinct groups: stepping by 3 through 8 groups never repeats one.
        first, groups = below(rng, len(VIDEO_GROUPS)), 1 + below(rng, 3)
        return {"index": index, "id": hex32(rng),
                "batch_task_name": f"{pick(rng, NAME_PREFIXES)}-batch-{index:05d}",
                "video_source_name": f"camera-{1 + below(rng, 499):03d}",
                "video_group_name": ",".join(VIDEO_GROUPS[(first + 3 * k) % len(VIDEO_GROUPS)]
                                             for k in range(groups)),
                "alg_name": alg, "publish_service_name": f"svc-{alg}", "company": pick(rng, COMPANIES),
                "type": pick(rng, ("0", "0", "0", "1")), "priority": pick(rng, ("low", "low", "high")),
                "num_task": num_task, "created_at": created, "counts": counts}

    def add(self, batch_id, counts, created, name=None):
        """A batch a scenario defines: ``counts`` of its tasks by (lower-case) state."""
        record = self._new(len(self.records), created)
        record.update(id=batch_id, counts=dict(counts), num_task=sum(counts.values()))
        if name is not None:
            record["batch_task_name"] = name
        self.records.append(record)
        self.by_id[batch_id] = record
        return record

    def insert_head(self, count):
        """Newer batches (head of the default created_at,desc order)."""
        newest = max((r["created_at"] for r in self.records), default=BASE_MS)
        for i in range(count):
            record = self._new(len(self.records), newest + 1000 * (i + 1))
            self.records.append(record)
            self.by_id[record["id"]] = record

    def counts(self, record):
        """Non-zero counters; a schedule moves every task of the batch into its state."""
        forced = self.scheduled(record)
        return {forced[0]: record["num_task"]} if forced else record["counts"]

    def query(self, *, groups=(), task_state=None, type_like=None, name_like=None,
              manufacturer=None, title=None, sort_name="created_at", descending=True):
        rows = []
        for record in self.records:
            counts = self.counts(record)
            if ((groups and not any(g in record["video_group_name"] for g in groups))
                    or (task_state and not counts.get(task_state))
                    or (type_like and name_like and name_like not in record[type_like])
                    or (manufacturer and record["company"] != manufacturer)
                    or (title and record["alg_name"] != title)):
                continue
            rows.append((record, counts))
        field = "num_task" if sort_name == "task_count" else "created_at"
        rows.sort(key=lambda row: (row[0][field], row[0]["id"]), reverse=descending)
        return rows

    @staticmethod
    def render(record, counts):
        keys = ("id", "batch_task_name", "video_source_name", "video_group_name", "alg_name",
                "company", "type", "priority", "num_task", "created_at")
        return {**{k: record[k] for k in keys}, "publish_service_name": record["publish_service_name"],
                "batch_task_status_info": {state: n for state, n in counts.items() if n}}
