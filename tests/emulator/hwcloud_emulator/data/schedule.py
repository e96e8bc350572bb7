"""Timed state changes, evaluated lazily.

A schedule is a list of (monotonic time, wall time, raw state) steps per
record.  Nothing runs in the background: whenever a record is rendered or
filtered, the latest step whose time has passed decides its state, so the
emulator behaves the same under any load and tests can use sub-second delays.
"""

import time


class Schedules:
    def __init__(self):
        self._entries = {}

    def clear(self):
        self._entries.clear()

    def set(self, service, record_id, steps, offset=0.0):
        """Replace the record's schedule; ``steps`` are (delay seconds, state).

        The state reached so far becomes the new baseline, so rescheduling never
        makes a record jump back to its generated state.
        Returns [(wall time, state), ...] of the flips.
        """
        now_mono, now_wall = time.monotonic(), time.time()
        base = self.current(service, record_id)
        timed = [(now_mono + offset + after, now_wall + offset + after, state)
                 for after, state in sorted(steps, key=lambda s: s[0])]
        self._entries[(service, record_id)] = (base, timed)
        return [(wall, state) for _monotonic, wall, state in timed]

    def cancel(self, service, record_id):
        """Forget the record's schedule (its stored state rules again)."""
        self._entries.pop((service, record_id), None)

    def current(self, service, record_id):
        """(state, wall time of the flip) set by a schedule, or None if untouched."""
        entry = self._entries.get((service, record_id))
        if entry is None:
            return None
        base, steps = entry
        now = time.monotonic()
        reached = base
        for mono, wall, state in steps:
            if mono <= now:
                reached = (state, wall)
        return reached
