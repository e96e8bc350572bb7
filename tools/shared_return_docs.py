# Copyright (c) hwcloud.tasks contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Keep the return values modules share documented once: ``wait`` and ``api_calls`` (every module),
``total``, ``count``, ``complete``, ``incomplete_reason`` and ``pages`` (every module that reads a list).

Ansible has documentation fragments for options but not for return values,
and ansible-doc reads RETURN as a literal string, so each module carries its
own copy. This file holds the one text of each shared block; ``--write``
puts it into every module's RETURN, ``--check`` (and the unit test
tests/unit/test_shared_return_docs.py) fails when a copy differs.
"""

import argparse
import pathlib
import re
import sys

ROOT = pathlib.Path(__file__).resolve().parent.parent
MODULES = ROOT / "plugins" / "modules"
RETURN_START = 'RETURN = r"""\n'
RETURN_END = '"""'

SHARED = {
    "wait": """wait:
  description:
    - How the wait asked by O(wait_for) or O(wait_for_states) ended.
    - The same fields, rendered the same way, make the fact C(assert_task_states_result) of the role
      hwcloud.tasks.assert_task_states and the input of the report filters hwcloud.tasks.junit_report and
      hwcloud.tasks.markdown_report.
  returned: when O(wait_for) or O(wait_for_states) is set
  type: dict
  sample:
    succeeded: true
    reason: reached
    headline: all 4 VIAS task(s) running after 12.5 s
    waited: 12.5
    timeout: 300
    polls: 4
    failed_polls: 0
  contains:
    succeeded:
      description: Whether every item reached a wanted phase in time, none a forbidden one, and the read behind it was complete.
      type: bool
      sample: true
    reason:
      description:
        - V(reached); V(forbidden) (an item reached a phase of O(fail_on)); V(timeout);
          V(too_few) (fewer items than O(ignore:wait_min_count)); V(incomplete) (at the deadline the last read of the
          list was not consistent, or an object read answered with another object, so no verdict can be given); or
          V(unreachable) (the first read got no answer at all after its retries, so the wait ended at once).
      type: str
      sample: reached
    headline:
      description: One sentence that says how the wait ended, with the configured timeout and the time watched.
      type: str
      sample: "1 of 4 VIAS task(s) not running within wait_timeout=300 s (watched 300.2 s)"
    message:
      description:
        - The headline, then each offender (at most 20) with its raw state, phase and the reason the API gives.
        - The module's C(msg) when the wait failed.
      type: str
      sample: "1 of 4 VIAS task(s) not running within wait_timeout=300 s (watched 300.2 s): 8656...: state PENDING, phase pending"
    waited:
      description: Seconds the module waited.
      type: float
      sample: 12.5
    timeout:
      description: The O(wait_timeout) the wait had.
      type: float
      sample: 300
    polls:
      description: How many times the module read the selection.
      type: int
      sample: 4
    failed_polls:
      description:
        - Polls that were throttled, failed, or could not be trusted (an incomplete list, another object's answer),
          and were tried again at the next poll.
      type: int
      sample: 0
    count:
      description: How many items the last successful read held.
      type: int
      sample: 4
    transitions:
      description: Every change of phase seen during the wait, with the raw state and when it was seen.
      type: list
      elements: dict
      sample:
        - {id: 8656efdafebf440bb7008f174db6c567, from: pending, to: running, state: RUNNING, at: "2024-05-01T08:00:12.500000Z", after_seconds: 12.5}
    offenders:
      description:
        - The items in a forbidden phase, or not yet in a wanted one at the timeout, each with its raw state as shown
          (C(state)), its raw states (C(states), upper-case; several for a batch or a HiLens task's pods), its phase
          and the reason the API gives.
      type: list
      elements: dict
      sample:
        - id: 8656efdafebf440bb7008f174db6c567
          name: gate-3
          state: START_FAILED
          states: [START_FAILED]
          phase: failed
          reason: "VIAS.2001: no resources"
          watched_seconds: 30.1
    not_reached:
      description: The ids of the items that were not in a wanted phase when the wait ended.
      type: list
      elements: str
      sample: [8656efdafebf440bb7008f174db6c567]
    last_poll_error:
      description: Why the last failed poll failed, when one did (polls that fail are retried until O(wait_timeout)).
      type: str
      sample: "GET https://vias.cn-north-4.myhuaweicloud.com/v2/0a1b.../tasks/8656...: HTTP 429 APIGW.0308: The throttling threshold has been reached"
    wanted_phases:
      description: The phases waited for.
      type: list
      elements: str
      sample: [running]
    wanted_states:
      description: The raw states waited for, upper-case.
      type: list
      elements: str
      sample: []
    forbidden_phases:
      description: The phases that end the wait as a failure.
      type: list
      elements: str
      sample: [failed]
    min_count:
      description: The number of items that had to exist.
      type: int
      sample: 1
""",
    "api_calls": """api_calls:
  description: What the module sent to the API in this run, retries included; also returned when the module fails.
  returned: always
  type: dict
  sample: {requests: 50, retries: 0, throttled: 0}
  contains:
    requests:
      description: HTTP requests sent, every retry and IAM token request included.
      type: int
      sample: 50
    retries:
      description: Requests that were sent again after a throttle, a server error or a dropped connection.
      type: int
      sample: 0
    throttled:
      description: Answers that asked the module to slow down (HTTP 429).
      type: int
      sample: 0
""",
}

# Return values of the modules that read a list: the same names, with the same meaning, in each.
LIST_MODULES = ("hilens_task_info", "octopus_system_job_info", "vas_task_info", "vias_batch_task_info")
SHARED_BY_LISTS = {
    "total": """total:
  description:
    - The number of items the API reports for the query, over all pages; the same name in every module that reads a list
      (the API itself calls it C(count), or C(total) in Octopus).
  returned: when the list was read
  type: int
  sample: 5000
""",
    "count": """count:
  description: The same number as RV(total), under the name most of the APIs give it.
  returned: when the list was read
  type: int
  sample: 5000
""",
    "complete": """complete:
  description:
    - Whether the items gathered are one consistent read of the whole list. The pages overlap, so a record inserted or
      deleted before a page boundary while the pages were read shows where two pages disagree; such a read is read
      again, at most twice. False, with a warning and RV(incomplete_reason), when it kept moving, a page came back
      short, or the total changed while it was read; a wait never succeeds on such a read.
  returned: when the list was read
  type: bool
  sample: true
""",
    "incomplete_reason": """incomplete_reason:
  description:
    - Why the read is not complete, in one sentence with the evidence and what to do, for example which page began with
      which record where the page before it held another.
  returned: when RV(complete) is false
  type: str
  sample: "Gathered 5000 records of the 5000 the API reported across 51 pages, not a complete list: the list moved while it
    was being read, on each of 3 reads: the page at record 99 began with 4f1c... where the page before held 7a2b... at that
    place (records were inserted or deleted before it between the two reads). Run again for a consistent view, or filter
    the query to a stable set."
""",
    "pages": """pages:
  description: How many pages the last read of the list took (the pages overlap by a record).
  returned: when the list was read
  type: int
  sample: 50
""",
}


def block_pattern(key):
    """A top-level key of the RETURN YAML and every indented (or blank) line under it."""
    return re.compile(r"^%s:\n(?:(?:[ \t].*)?\n)*" % re.escape(key), re.M)


def split_return(source, path):
    """(text before RETURN's YAML, the YAML, text after it) of a module's source."""
    start = source.find(RETURN_START)
    if start < 0:
        raise ValueError("%s has no RETURN = r\"\"\" block" % path)
    start += len(RETURN_START)
    end = source.index(RETURN_END, start)
    return source[:start], source[start:end], source[end:]


def with_shared_blocks(source, path):
    """``source`` with each shared block of its RETURN replaced by the one text; ValueError if one is missing."""
    head, documentation, tail = split_return(source, path)
    shared = dict(SHARED)
    if pathlib.PurePath(path).stem in LIST_MODULES:
        shared.update(SHARED_BY_LISTS)
    for key, text in shared.items():
        documentation, found = block_pattern(key).subn(lambda _match, text=text: text, documentation)
        if found != 1:
            raise ValueError("%s: RETURN must document %r once (found %d)" % (path, key, found))
    return head + documentation + tail


def module_files():
    """The info modules (report_file reads no API and shares none of these values)."""
    return sorted(path for path in MODULES.glob("*_info.py"))


def stale_modules():
    """The modules whose RETURN differs from the shared text (or lacks a shared key), with why."""
    problems = []
    for path in module_files():
        source = path.read_text(encoding="utf-8")
        try:
            if with_shared_blocks(source, path) != source:
                problems.append("%s: a shared RETURN block differs; run python tools/shared_return_docs.py --write"
                                % path.relative_to(ROOT))
        except ValueError as exc:
            problems.append(str(exc))
    return problems


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--write", action="store_true", help="rewrite the shared blocks of every module's RETURN")
    args = parser.parse_args(argv)
    if args.write:
        for path in module_files():
            source = path.read_text(encoding="utf-8")
            updated = with_shared_blocks(source, path)
            if updated != source:
                path.write_text(updated, encoding="utf-8")
                print("updated %s" % path.relative_to(ROOT))
        return 0
    problems = stale_modules()
    for problem in problems:
        sys.stderr.write(problem + "\n")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
