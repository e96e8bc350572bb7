# Copyright (c) hwcloud.tasks contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Keep the return values every module shares documented once: ``wait`` and ``api_calls``.

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
  returned: when O(wait_for) or O(wait_for_states) is set
  type: dict
  sample: {succeeded: true, reason: reached, waited: 12.5, polls: 4, failed_polls: 0}
  contains:
    succeeded:
      description: Whether every item reached a wanted phase in time and none a forbidden one.
      type: bool
      sample: true
    reason:
      description: V(reached), V(forbidden) (an item reached a phase of O(fail_on)), V(timeout), or V(too_few) (fewer items than O(ignore:wait_min_count)).
      type: str
      sample: reached
    waited:
      description: Seconds the module waited.
      type: float
      sample: 12.5
    polls:
      description: How many times the module read the selection.
      type: int
      sample: 4
    failed_polls:
      description: Polls that were throttled or failed and were tried again at the next poll.
      type: int
      sample: 0
    transitions:
      description: Every change of phase seen during the wait, with the raw state and when it was seen.
      type: list
      elements: dict
      sample:
        - {id: 8656efdafebf440bb7008f174db6c567, from: pending, to: running, state: RUNNING, at: "2024-05-01T08:00:12.500000Z", after_seconds: 12.5}
    offenders:
      description: The items in a forbidden phase, or not yet in a wanted one at the timeout, with the reason the API gives.
      type: list
      elements: dict
      sample:
        - {id: 8656efdafebf440bb7008f174db6c567, name: gate-3, state: START_FAILED, phase: failed, reason: "VIAS.2001: no resources", watched_seconds: 30.1}
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
  description: What the module sent to the API in this run, retries included.
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
    for key, text in SHARED.items():
        documentation, found = block_pattern(key).subn(lambda _match, text=text: text, documentation)
        if found != 1:
            raise ValueError("%s: RETURN must document %r once (found %d)" % (path, key, found))
    return head + documentation + tail


def module_files():
    return sorted(path for path in MODULES.glob("*.py") if path.name != "__init__.py")


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
