"""Run every bench/bench_*.py module's main() in turn and let each print its figures.

`make bench` runs this. It is a script that reports timings, not a test: nothing here fails
on a slow figure. Each module sets up what it needs (bench_imports uses PostgreSQL).
"""

import importlib
import sys
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
sys.path[:0] = [str(BENCH), str(BENCH.parent)]


def main() -> int:
    failed = 0
    for module_path in sorted(BENCH.glob("bench_*.py")):
        print(f"== {module_path.stem}", flush=True)
        started = time.perf_counter()
        try:
            importlib.import_module(module_path.stem).main()
        except Exception as exc:  # one broken bench should not hide the others' figures
            failed += 1
            print(f"   FAILED: {type(exc).__name__}: {exc}", flush=True)
        print(f"   ({time.perf_counter() - started:.1f} s in all)\n", flush=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
