"""Run every benchmark: ``python -m bench [--reuse]`` (see each module for its options)."""
from __future__ import annotations

import importlib
import inspect
import sys

#: benchmark modules, run in this order; later areas add theirs
BENCHMARKS = ["bench.foundation_pages", "bench.timetable_generation", "bench.import_staff",
              "bench.import_pupils", "bench.journal_grid", "bench.journal_diary"]


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    status = 0
    for name in BENCHMARKS:
        print(f"== {name}", flush=True)
        run = importlib.import_module(name).main
        result = run(argv) if inspect.signature(run).parameters else run()
        status |= result or 0
    return status


if __name__ == "__main__":
    raise SystemExit(main())
