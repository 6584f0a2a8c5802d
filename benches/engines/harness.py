"""Times lakehunt's seed rule against DuckDB, Polars and the scan floor on the same lakes.

Run through benches/engines.sh, which builds lakehunt and prepares the Python environment.

For each lake size the harness generates a lake with `lakehunt generate` (kept between runs
under the cache folder), runs every engine once to warm the page cache and to check that
DuckDB's and Polars's findings equal lakehunt's, then runs them in alternating turns, each as
a whole process writing its findings to Parquet. It reports the median, min and max wall time
and the peak memory (max RSS) of each, the ratios of lakehunt to the others, and writes the
table as markdown, the raw figures as JSON and a chart as SVG under benches/results/.
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
ENGINES = ["lakehunt", "duckdb", "polars", "floor"]
DEVICES = 20_000
DAYS = 30
SEED = 7


@dataclass
class Measurement:
    seconds: list = field(default_factory=list)
    peak_kib: list = field(default_factory=list)

    def median(self) -> float:
        return statistics.median(self.seconds)


def parse_size(text: str) -> int:
    scale = {"K": 1_000, "M": 1_000_000, "G": 1_000_000_000}
    if text[-1].upper() in scale:
        return int(float(text[:-1]) * scale[text[-1].upper()])
    return int(text)


def label_of(logons: int) -> str:
    if logons % 1_000_000 == 0:
        return f"{logons // 1_000_000}M"
    return str(logons)


def ensure_lake(lakehunt: str, lakes: Path, logons: int) -> Path:
    """The lake for `logons`, generated unless a lake with the same options is cached."""
    lake = lakes / f"logons-{label_of(logons)}"
    wanted = {"logons": logons, "devices": DEVICES, "days": DAYS, "seed": SEED}
    truth = lake / "_lakehunt_truth.json"
    if truth.exists():
        generator = json.loads(truth.read_text())["generator"]
        if all(generator.get(k) == v for k, v in wanted.items()):
            return lake
    print(f"generating {lake} ...", file=sys.stderr, flush=True)
    command = [lakehunt, "generate", "--out", str(lake), "--quiet", "--force"]
    for key, value in wanted.items():
        command += [f"--{key}", str(value)]
    subprocess.run(command, check=True)
    return lake


def commands(lakehunt: str, python: str, lake: Path, out: Path) -> dict:
    hunt = ["--lake", str(lake), "--force", "--quiet"]
    return {
        "lakehunt": [lakehunt, "run", *hunt, "--out", str(out / "lakehunt.parquet")],
        "duckdb": [python, str(HERE / "duckdb_hunt.py"), str(lake), str(out / "duckdb.parquet")],
        "polars": [python, str(HERE / "polars_hunt.py"), str(lake), str(out / "polars.parquet")],
        "floor": [lakehunt, "run", str(HERE / "floor.sql"), *hunt, "--out", str(out / "floor.parquet")],
    }


def timed(command: list, log: Path) -> tuple:
    """Runs `command` to its end: wall seconds and the process's peak RSS in KiB.

    The peak is taken by /usr/bin/time, a small process that starts the command: a process
    forked straight from this one would inherit this one's high-water mark.
    """
    rss = log.with_suffix(".rss")
    with open(log, "w") as stderr:
        start = time.perf_counter()
        process = subprocess.run(
            ["/usr/bin/time", "-f", "%M", "-o", str(rss), *command],
            stdout=subprocess.DEVNULL,
            stderr=stderr,
        )
        seconds = time.perf_counter() - start
    if process.returncode != 0:
        sys.exit(f"{command[0]} failed with {process.returncode}; see {log}")
    return seconds, int(rss.read_text().split()[-1])


def findings(path: Path) -> list:
    """The findings of one output as sorted tuples of Python values, timestamps in ns."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    table = pq.read_table(path)
    columns = []
    for column in table.columns:
        if pa.types.is_timestamp(column.type):
            column = column.cast(pa.timestamp("ns", tz="UTC")).cast(pa.int64())
        columns.append(column.to_pylist())
    return sorted(zip(*columns))


def check_answers(out: Path) -> None:
    expected = findings(out / "lakehunt.parquet")
    for engine in ["duckdb", "polars"]:
        got = findings(out / f"{engine}.parquet")
        if got != expected:
            missing = len(set(expected) - set(got))
            extra = len(set(got) - set(expected))
            sys.exit(
                f"{engine} disagrees with lakehunt: {len(got)} findings against "
                f"{len(expected)}, {missing} missing, {extra} extra ({out})"
            )
    print(f"  answers agree: {len(expected)} findings", file=sys.stderr, flush=True)


def bench_lake(lakehunt: str, python: str, lake: Path, runs: int, scratch: Path) -> dict:
    scratch.mkdir(parents=True, exist_ok=True)
    argv = commands(lakehunt, python, lake, scratch)
    for engine in ENGINES:
        timed(argv[engine], scratch / f"{engine}.log")
    check_answers(scratch)

    results = {engine: Measurement() for engine in ENGINES}
    for turn in range(runs):
        order = ENGINES[turn % len(ENGINES):] + ENGINES[: turn % len(ENGINES)]
        for engine in order:
            seconds, peak = timed(argv[engine], scratch / f"{engine}.log")
            results[engine].seconds.append(seconds)
            results[engine].peak_kib.append(peak)
        line = ", ".join(f"{e} {results[e].seconds[-1]:.2f}s" for e in ENGINES)
        print(f"  turn {turn + 1}: {line}", file=sys.stderr, flush=True)
    return results


def markdown(table: dict, runs: int, machine: str) -> str:
    lines = [
        "# lakehunt against DuckDB, Polars and the scan floor",
        "",
        f"Seed rule, whole processes writing Parquet, {runs} alternating turns after a warm-up; "
        f"lakes from `lakehunt generate --devices {DEVICES} --days {DAYS} --seed {SEED}`. "
        f"{machine}.",
        "",
        "| logons | engine | median s | min s | max s | ns per logon | peak MiB | lakehunt / engine |",
        "|---:|---|---:|---:|---:|---:|---:|---:|",
    ]
    for label, results in table.items():
        ours = results["lakehunt"].median()
        for engine in ENGINES:
            m = results[engine]
            ratio = "" if engine == "lakehunt" else f"{ours / m.median():.2f}"
            lines.append(
                f"| {label} | {engine} | {m.median():.2f} | {min(m.seconds):.2f} | "
                f"{max(m.seconds):.2f} | {m.median() / parse_size(label) * 1e9:.0f} | "
                f"{max(m.peak_kib) / 1024:.0f} | {ratio} |"
            )
    return "\n".join(lines) + "\n"


def svg_chart(table: dict) -> str:
    """Median time against lake size on log-log axes, one line per engine."""
    import math

    width, height, margin = 640, 400, 60
    sizes = [parse_size(label) for label in table]
    times = [r[e].median() for r in table.values() for e in ENGINES]
    x_lo, x_hi = math.log10(min(sizes)), math.log10(max(sizes))
    y_lo, y_hi = math.log10(min(times) / 1.5), math.log10(max(times) * 1.5)
    x_span = max(x_hi - x_lo, 1.0)

    def x(size):
        return margin + (math.log10(size) - x_lo) / x_span * (width - 2 * margin)

    def y(seconds):
        return height - margin - (math.log10(seconds) - y_lo) / (y_hi - y_lo) * (height - 2 * margin)

    colours = {"lakehunt": "#d62728", "duckdb": "#1f77b4", "polars": "#2ca02c", "floor": "#7f7f7f"}
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        'font-family="sans-serif" font-size="12">',
        f'<rect width="{width}" height="{height}" fill="white"/>',
        f'<text x="{width / 2}" y="20" text-anchor="middle">Seed rule: median seconds '
        "against DeviceLogonEvents rows (log-log)</text>",
        f'<line x1="{margin}" y1="{height - margin}" x2="{width - margin}" '
        f'y2="{height - margin}" stroke="black"/>',
        f'<line x1="{margin}" y1="{margin}" x2="{margin}" y2="{height - margin}" stroke="black"/>',
    ]
    for label, size in zip(table, sizes):
        parts.append(
            f'<text x="{x(size):.1f}" y="{height - margin + 18}" text-anchor="middle">{label}</text>'
        )
    for exponent in range(math.floor(y_lo), math.ceil(y_hi) + 1):
        for mantissa in (1, 2, 5):
            seconds = mantissa * 10**exponent
            if y_lo <= math.log10(seconds) <= y_hi:
                parts.append(
                    f'<text x="{margin - 6}" y="{y(seconds) + 4:.1f}" text-anchor="end">'
                    f"{seconds:g}s</text>"
                )
    for index, engine in enumerate(ENGINES):
        points = " ".join(
            f"{x(size):.1f},{y(r[engine].median()):.1f}" for size, r in zip(sizes, table.values())
        )
        colour = colours[engine]
        parts.append(f'<polyline points="{points}" fill="none" stroke="{colour}" stroke-width="2"/>')
        parts.append(
            f'<text x="{width - margin - 80}" y="{margin + 16 * index}" fill="{colour}">{engine}</text>'
        )
    parts.append("</svg>")
    return "\n".join(parts) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lakehunt", required=True, help="the lakehunt binary")
    parser.add_argument("--sizes", default="1M,10M,100M", help="DeviceLogonEvents rows per lake")
    parser.add_argument("--runs", type=int, default=5, help="timed turns per engine and size")
    parser.add_argument("--lakes", type=Path, required=True, help="where lakes are cached")
    parser.add_argument("--results", type=Path, default=HERE.parent / "results")
    args = parser.parse_args()

    python = sys.executable
    table = {}
    for text in args.sizes.split(","):
        logons = parse_size(text)
        lake = ensure_lake(args.lakehunt, args.lakes, logons)
        print(f"{label_of(logons)} logons: {lake}", file=sys.stderr, flush=True)
        scratch = args.lakes / "scratch" / label_of(logons)
        table[label_of(logons)] = bench_lake(args.lakehunt, python, lake, args.runs, scratch)

    machine = f"{os.cpu_count()} cores, {os.uname().machine}"
    report = markdown(table, args.runs, machine)
    args.results.mkdir(parents=True, exist_ok=True)
    (args.results / "engines.md").write_text(report)
    (args.results / "engines.svg").write_text(svg_chart(table))
    raw = {label: {e: vars(m) for e, m in r.items()} for label, r in table.items()}
    (args.results / "engines.json").write_text(json.dumps(raw, indent=2) + "\n")
    print(report)


if __name__ == "__main__":
    main()
