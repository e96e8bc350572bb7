"""The emulator's generated data: five data sets built from one seed."""

from .batch import BatchTasks
from .hilens import HilensTasks
from .octopus import OctopusJobs
from .schedule import Schedules
from .tasks import VAS_SERVICE, VasTasks, ViasTasks

SIZE_KEYS = ("batch_tasks", "hilens_tasks", "octopus_jobs", "vias_tasks", "vas_tasks")


class Store:
    """All data sets plus the schedules that move their states."""

    def __init__(self, seed, sizes, project_id, creator, fixed_deployments=True):
        self.seed = seed
        self.sizes = dict(sizes)
        self.schedules = Schedules()
        #: service -> ids a scenario defined, in file order (HiLens: deployment -> ids)
        self.scenario_ids = {}
        common = {"seed": seed, "schedules": self.schedules, "project_id": project_id, "creator": creator}
        self.vias = ViasTasks(sizes["vias_tasks"], **common)
        self.vas = VasTasks(sizes["vas_tasks"], **common)
        self.hilens = HilensTasks(sizes["hilens_tasks"], fixed=fixed_deployments, **common)
        self.octopus = OctopusJobs(sizes["octopus_jobs"], **common)
        self.batch = BatchTasks(sizes["batch_tasks"], **common)
        self.services = {d.service: d for d in (self.vias, self.vas, self.hilens, self.octopus, self.batch)}

    def vas_service_name(self):
        """The VAS service a scenario's first VAS task belongs to; else the generated tasks' own."""
        for record_id in self.scenario_ids.get("vas", []):
            record = self.vas.by_id.get(record_id)
            if record is not None:
                return record["service"]
        return VAS_SERVICE

    def summary(self):
        """Well-known ids for tests (``GET /_emulator/data``)."""
        return {
            "seed": self.seed,
            "sizes": self.sizes,
            "vias_task_ids": [r["id"] for r in self.vias.records[:20]],
            "vias_task_ids_by_state": self.vias.ids_by_state(),
            "vas_service_name": self.vas_service_name(),
            "vas_task_ids": [r["id"] for r in self.vas.records[:20]],
            "vas_wrapped_task_ids": [r["id"] for r in self.vas.records[:40] if self.vas.is_wrapped(r)],
            "vas_task_ids_by_state": self.vas.ids_by_state(),
            "vas_task_count": len(self.vas.records),
            "vas_services": sorted(self.vas.services),
            "vas_service_versions": sorted({r["version"] for r in self.vas.records}),
            "hilens_deployments": {name: len(tasks) for name, tasks in self.hilens.deployments.items()},
            "hilens_task_ids": {name: [r["id"] for r in tasks[:5]]
                                for name, tasks in self.hilens.deployments.items()},
            "octopus_job_ids": [r["id"] for r in self.octopus.records[:20]],
            "batch_task_ids": [r["id"] for r in self.batch.records[:20]],
            "scenario_ids": self.scenario_ids,
        }
