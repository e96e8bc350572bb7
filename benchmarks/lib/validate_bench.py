# -*- coding: utf-8 -*-
# Copyright: hwcloud.tasks contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Scenario 5a: the cost of schema validation against the cost of parsing the same JSON.

    PYTHONPATH=<collections root> python benchmarks/lib/validate_bench.py --items DIR/batch_raw.json \
        --schema vias_batch_task_list --items-key batch_task_list --page-size 200 --repeat 5

Builds the whole-list document ``{"count": N, "<items key>": [...]}`` and its
JSON text, then measures the CPU time (median of ``--repeat``, in this process,
nothing else running in it) of: ``json.loads`` of the text; ``validate_document`` on the whole
document (the first call, which compiles the schema and imports jsonschema,
apart); ``validate_document`` page by page as the module calls it; and, for
reference, jsonschema alone (what the fast path saves). Prints one JSON object.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time


def timed(function, repeat):
    """CPU seconds of ``function`` (median, min, max; a busy machine disturbs them less than wall time), and wall seconds."""
    samples, walls = [], []
    for _repeat in range(repeat):
        started, wall = time.process_time(), time.perf_counter()
        function()
        samples.append(time.process_time() - started)
        walls.append(time.perf_counter() - wall)
    return {"median": statistics.median(samples), "min": min(samples), "max": max(samples), "n": repeat, "samples": samples,
            "wall_median": statistics.median(walls)}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", required=True)
    parser.add_argument("--schema", required=True)
    parser.add_argument("--items-key", required=True)
    parser.add_argument("--page-size", type=int, required=True)
    parser.add_argument("--repeat", type=int, default=5)
    options = parser.parse_args()

    with open(options.items, encoding="utf-8") as stream:
        items = json.load(stream)
    text = json.dumps({"count": len(items), options.items_key: items}, ensure_ascii=False).encode("utf-8")
    pages = [
        json.dumps({"count": len(items), options.items_key: items[start:start + options.page_size]}, ensure_ascii=False).encode("utf-8")
        for start in range(0, len(items), options.page_size)
    ]
    parsed_pages = [json.loads(page) for page in pages]

    started = time.perf_counter()
    from ansible_collections.hwcloud.tasks.plugins.module_utils import validation  # pylint: disable=import-outside-toplevel

    import_seconds = time.perf_counter() - started
    document = json.loads(text)
    started = time.perf_counter()
    validation.validate_document(options.schema, document, "strict")
    first_call = time.perf_counter() - started

    result = {
        "items": len(items),
        "bytes": len(text),
        "pages": len(pages),
        "import_validation_module_s": import_seconds,
        "first_validate_s": first_call,
        "json_loads_s": timed(lambda: json.loads(text), options.repeat),
        "json_loads_pages_s": timed(lambda: [json.loads(page) for page in pages], options.repeat),
        "validate_s": timed(lambda: validation.validate_document(options.schema, document, "strict"), options.repeat),
        "validate_pages_s": timed(
            lambda: [validation.validate_document(options.schema, page, "strict") for page in parsed_pages], options.repeat
        ),
    }
    # For reference only: what jsonschema alone costs on the same document (the fast path's saving).
    from jsonschema.validators import validator_for  # pylint: disable=import-outside-toplevel

    schema = validation.get_schema(options.schema)
    validator = validator_for(schema)(schema)
    result["jsonschema_only_s"] = timed(lambda: next(validator.iter_errors(document), None), 1)
    json.dump(result, sys.stdout)


if __name__ == "__main__":
    main()
