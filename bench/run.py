"""Run every bench/bench_*.py module and let each print its figures; then, for the modules that
measure at more than one scale, print their figures side by side, each beside its goal.

`make bench` runs this. It is a script that reports timings, not a test: nothing here fails
on a slow figure. Each module runs in its own process (each points Django at the database it
needs). A module defining `run(scale)` is run once per scale in BENCH_SCALES (default "1 10":
one year of England made in a rolled-back transaction, and the ten-year history of
bench/decade.py, built once into its own database and kept); any other module's main() is run
once. BENCH_REBUILD=1 builds the ten-year database again; BENCH_ONLY=batches runs only the
modules whose names contain one of the words given. BENCH_LOAD=1 ends with the month-end load
test (bench/month_end.py; `make loadtest` runs it alone).
"""

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
sys.path[:0] = [str(BENCH), str(ROOT)]

from figures import SCALE_NAMES, load, table  # noqa: E402


def _scales() -> list[int]:
    return [int(s) for s in os.environ.get("BENCH_SCALES", "1 10").split()]


def _run_module(stem: str, *args: str) -> int:
    """The module's main(), or its run(scale) when args are given, in a child process."""
    code = f"import sys; sys.path[:0] = {[str(BENCH), str(ROOT)]!r}; import figures, {stem}; " + (
        f"figures.child({stem}.run, sys.argv[1:])" if args else f"{stem}.main()"
    )
    return subprocess.run([sys.executable, "-c", code, *args], cwd=ROOT).returncode


def _prepare_ten_years() -> None:
    """Build the ten-year database now if it is missing (once, for every module after)."""
    code = (
        f"import sys; sys.path[:0] = {[str(BENCH), str(ROOT)]!r}; import decade; "
        "decade.connect(rebuild=sys.argv[1] == '1')"
    )
    print("== ten-year history (bench/decade.py)", flush=True)
    started = time.perf_counter()
    subprocess.run(
        [sys.executable, "-c", code, os.environ.get("BENCH_REBUILD", "")], cwd=ROOT, check=True
    )
    print(f"   ({time.perf_counter() - started:.1f} s)\n", flush=True)


def main() -> int:
    only = os.environ.get("BENCH_ONLY", "").split()
    modules = [
        path.stem
        for path in sorted(BENCH.glob("bench_*.py"))
        if not only or any(word in path.stem for word in only)
    ]
    if 10 in _scales():
        _prepare_ten_years()
        # Built (again, if asked) once: the benches after it use it as it is.
        os.environ.pop("BENCH_REBUILD", None)
    failed = 0
    tables = []
    for stem in modules:
        scaled = "\ndef run(scale" in (BENCH / f"{stem}.py").read_text()
        for scale in _scales() if scaled else [None]:
            title = stem if scale is None else f"{stem}, {SCALE_NAMES.get(scale, scale)}"
            print(f"== {title}", flush=True)
            started = time.perf_counter()
            if scale is None:
                failed += bool(_run_module(stem))
            else:
                with tempfile.NamedTemporaryFile(suffix=".json", delete=False) as out:
                    path = out.name
                if _run_module(stem, str(scale), path):
                    failed += 1
                else:
                    tables.append((stem, scale, load(path)))
                os.unlink(path)
            print(f"   ({time.perf_counter() - started:.1f} s in all)\n", flush=True)
    for stem in dict.fromkeys(stem for stem, _, _ in tables):
        by_scale = {scale: figures for s, scale, figures in tables if s == stem}
        print(table(stem, by_scale) + "\n", flush=True)
    if os.environ.get("BENCH_LOAD"):
        print("== month_end (load test)", flush=True)
        failed += bool(_run_module("month_end"))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
