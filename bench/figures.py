"""Figures a bench reports at each scale, and the side-by-side table `make bench` ends with.

A bench module that defines `run(scale) -> list[Figure]` is run by bench/run.py once per scale
(1: one year of England, made in a rolled-back transaction; 10: the kept ten-year history of
bench/decade.py), each in its own process, so each can point Django at its own database. The
figures of the scales are then printed side by side, each beside its goal with yes or no.
"""

import json
from dataclasses import asdict, dataclass

SCALE_NAMES = {1: "one year", 10: "ten years"}


@dataclass
class Figure:
    label: str
    value: str  # as printed, e.g. "104.2 ms"
    goal: str = ""  # e.g. "< 150 ms"; empty for a figure that only informs
    met: bool | None = None  # None: no goal

    @property
    def verdict(self) -> str:
        return "" if self.met is None else ("yes" if self.met else "NO")


def dump(figures: list[Figure], path: str) -> None:
    with open(path, "w") as out:
        json.dump([asdict(f) for f in figures], out)


def load(path: str) -> list[Figure]:
    with open(path) as source:
        return [Figure(**row) for row in json.load(source)]


def table(title: str, by_scale: dict[int, list[Figure]]) -> str:
    """One line per figure label: its value and verdict at each scale, and its goal."""
    scales = sorted(by_scale)
    labels: list[str] = []
    for scale in scales:
        for figure in by_scale[scale]:
            if figure.label not in labels:
                labels.append(figure.label)
    found = {(scale, figure.label): figure for scale in scales for figure in by_scale[scale]}
    width = max([len(label) for label in labels] + [10])
    head = f"   {title:<{width}}" + "".join(
        f" | {SCALE_NAMES.get(scale, f'{scale} years'):>22}" for scale in scales
    )
    lines = [head + " | goal", "   " + "-" * (len(head) + 20)]
    for label in labels:
        goal = next(
            (found[s, label].goal for s in scales if (s, label) in found and found[s, label].goal),
            "",
        )
        cells = []
        for scale in scales:
            figure = found.get((scale, label))
            if figure is None:
                cells.append(f" | {'-':>22}")
            else:
                text = figure.value + (f" {figure.verdict}" if figure.verdict else "")
                cells.append(f" | {text:>22}")
        if goal.startswith("fixed"):
            # A figure that should not grow with the data: the same at every scale.
            values = [found[s, label].value for s in scales if (s, label) in found]
            if len(values) > 1:
                goal += ": yes" if len(set(values)) == 1 else ": NO"
        lines.append(f"   {label:<{width}}" + "".join(cells) + (f" | {goal}" if goal else ""))
    return "\n".join(lines)


def connect_scale(scale: int, bench: str) -> bool:
    """Point Django at the scale's database: the one-year bench database (the bench makes its
    year there in a transaction it rolls back) or the kept ten-year history, built first if
    missing. Says which; False, having said why, when it is not PostgreSQL."""
    import os

    if scale == 1:
        import national

        national.connect()
    else:
        import decade

        decade.connect(rebuild=bool(os.environ.get("BENCH_REBUILD")))
    from django.db import connection

    print(f"   database: {connection.vendor} {connection.settings_dict['NAME']}", flush=True)
    if connection.vendor != "postgresql":
        print(f"   SKIPPED: {bench} needs PostgreSQL (set DATABASE_URL).", flush=True)
        return False
    return True


def child(run, argv: list[str]) -> None:
    """bench/run.py's child process: run(scale) and keep its figures in the file named."""
    scale, path = int(argv[0]), argv[1]
    dump(run(scale), path)
