"""`make bench`: run every bench/bench_*.py module's main() in turn.

Each benchmark prints its figures and ratios against a baseline measured in the same run.
"""

from __future__ import annotations

import importlib.util
import os
import sys
import time
from pathlib import Path


def main() -> int:
    here = Path(__file__).resolve().parent
    args = sys.argv[1:]
    if "--size" in args:  # `bench/run.py push --size 100000`: a quicker run of a sized benchmark
        at = args.index("--size")
        os.environ["BENCH_PUSH_SIZE"] = args[at + 1]
        del args[at : at + 2]
    selected = set(args)
    for path in sorted(here.glob("bench_*.py")):
        name = path.stem.removeprefix("bench_")
        if selected and name not in selected:
            continue
        spec = importlib.util.spec_from_file_location(path.stem, path)
        assert spec and spec.loader
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        print(f"== {name} ==", flush=True)
        started = time.perf_counter()
        module.main()
        print(f"({name} took {time.perf_counter() - started:.1f} s)\n", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
