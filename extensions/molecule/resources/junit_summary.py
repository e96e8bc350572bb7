# Copyright (c) hwcloud.tasks contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Print a JUnit XML report as JSON, for the scenarios' verify playbooks: python junit_summary.py REPORT.xml

Parsing with a real XML parser is the check: a report a CI server cannot read fails here.
"""

from __future__ import annotations

import json
import sys
import xml.etree.ElementTree as ET


def summary(path):
    root = ET.parse(path).getroot()
    if root.tag != "testsuites":
        raise SystemExit("%s: the root element is %s, not testsuites" % (path, root.tag))
    suites = []
    for suite in root.findall("testsuite"):
        cases = []
        for case in suite.findall("testcase"):
            outcome = [child for child in case if child.tag in ("failure", "error", "skipped")]
            cases.append({
                "name": case.get("name"),
                "classname": case.get("classname"),
                "time": float(case.get("time")),
                "outcome": outcome[0].tag if outcome else "passed",
                "type": outcome[0].get("type") if outcome else None,
                "message": outcome[0].get("message") if outcome else None,
            })
        suites.append(dict(
            dict((name, int(suite.get(name))) for name in ("tests", "failures", "errors", "skipped")),
            name=suite.get("name"), time=float(suite.get("time")), cases=cases,
        ))
    return {"name": root.get("name"), "tests": int(root.get("tests")), "failures": int(root.get("failures")),
            "suites": suites}


if __name__ == "__main__":
    print(json.dumps(summary(sys.argv[1])))
