"""Helpers shared by the generated data sets: deterministic randomness,
timestamps and the base class that applies schedules."""

import datetime
import random

from ..compat import UTC

#: Generated timestamps count back from here, so data never depends on the day the tests run.
BASE_MS = 1_704_067_200_000  # 2024-01-01T00:00:00Z
YEAR_MS = 365 * 86_400_000


def iso_ms(ms):
    """``2024-01-01T00:00:00.000Z`` (VIAS style)."""
    dt = datetime.datetime.fromtimestamp(ms / 1000, UTC)
    return dt.strftime("%Y-%m-%dT%H:%M:%S.") + f"{int(ms) % 1000:03d}Z"


def iso_s(ms):
    """``2024-01-01T00:00:00Z`` (VAS / Octopus style)."""
    return datetime.datetime.fromtimestamp(ms / 1000, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


# Core fields of tens of thousands of records are drawn with these instead of
# rng.choice/randrange/uuid.UUID, which are several times slower (start-up < 2 s).

def below(rng, n):
    return int(rng.random() * n)


def pick(rng, seq):
    return seq[int(rng.random() * len(seq))]


def hex32(rng):
    return f"{rng.getrandbits(128):032x}"


def uuid4(rng):
    """A UUID-shaped (8-4-4-4-12) random id."""
    h = f"{rng.getrandbits(128):032x}"
    return f"{h[:8]}-{h[8:12]}-4{h[13:16]}-{h[16:20]}-{h[20:]}"


class StateMix:
    """Weighted raw states; the first records cycle through every state so
    that even small data sets contain each one (tests look them up by state)."""

    def __init__(self, weights):
        self.states = list(weights)
        self._table = [state for state, weight in weights.items() for _repeat in range(weight)]

    def pick(self, rng, index):
        return self.states[index] if index < len(self.states) else self.draw(rng)

    def draw(self, rng):
        return pick(rng, self._table)


class Dataset:
    """Records generated from a seed: cheap core fields for every record up
    front, everything else rendered on demand from a per-record RNG."""

    service = ""
    #: How a schedule's state is spelled for this service.
    normalize_state = staticmethod(str.upper)

    def __init__(self, seed, schedules, project_id, creator):
        self.seed = seed
        self.schedules = schedules
        self.project_id = project_id
        self.creator = creator
        self.rng = random.Random(f"{self.service}:{seed}")

    def detail_rng(self, record):
        return random.Random(f"{self.service}:{self.seed}:{record['index']}")

    def scheduled(self, record):
        """(state, flip wall time) forced by a schedule, or None."""
        return self.schedules.current(self.service, record["id"])
