#!/usr/bin/env python3
"""Benchmark: `hlh validate study.xlsx` (read the workbook, then validate every cell, convert units, check
ranges) against pandas.read_excel with the calamine engine and openpyxl in read-only mode, both parsing
alone, on the same workbook of 1,000,000 observation rows.

The study is the one of bench/ingest_vs_pandas.py (seeded), turned into a workbook by `hlh convert`. The
three run alternately, several times; the script prints medians, ratios and peak resident memory:

    cargo build --release -p hlh-cli
    pip install pandas python-calamine openpyxl
    python3 bench/workbook_vs_python.py [--rows 1000000] [--repeat 5]
"""
import argparse
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from ingest_vs_pandas import ROOT, generate, peak_rss_kib, run_timed  # noqa: E402

# Every sheet, every cell: what a study reader must at least do.
PANDAS_SCRIPT = """
import sys, pandas
sheets = pandas.read_excel(sys.argv[1], sheet_name=None, engine="calamine")
print(sum(len(frame) for frame in sheets.values()))
"""

OPENPYXL_SCRIPT = """
import sys, openpyxl
workbook = openpyxl.load_workbook(sys.argv[1], read_only=True, data_only=True)
rows = 0
for sheet in workbook.worksheets:
    for row in sheet.iter_rows(values_only=True):
        rows += 1
print(rows)
"""


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()

    import openpyxl
    import pandas
    import python_calamine  # noqa: F401  (pandas' calamine engine)

    hlh = ROOT / "target" / "release" / "hlh"
    if not hlh.exists():
        sys.exit("build first: cargo build --release -p hlh-cli")
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "study"
        folder.mkdir()
        generate(folder, args.rows)
        workbook = Path(tmp) / "study.xlsx"
        subprocess.run([str(hlh), "convert", str(folder), "--out", str(workbook)], check=True, stdout=subprocess.DEVNULL)
        commands = {
            "hlh validate (read + validate + convert)": [str(hlh), "validate", str(workbook)],
            f"pandas {pandas.__version__} read_excel, calamine engine (parse only)": [sys.executable, "-c", PANDAS_SCRIPT, str(workbook)],
            f"openpyxl {openpyxl.__version__} read-only (parse only)": [sys.executable, "-c", OPENPYXL_SCRIPT, str(workbook)],
        }
        for command in commands.values():
            run_timed(command)
        times = {name: [] for name in commands}
        for _ in range(args.repeat):
            for name, command in commands.items():
                times[name].append(run_timed(command))
        rss = {name: peak_rss_kib(command) for name, command in commands.items()}
        size = workbook.stat().st_size
    print(f"workbook: {args.rows:,} observation rows, {size / 1e6:.1f} MB")
    medians = {name: statistics.median(values) for name, values in times.items()}
    hlh_name = next(iter(commands))
    for name, median in medians.items():
        print(f"{name}: median {median:.2f} s over {args.repeat} runs, peak RSS {rss[name] / 1024:.0f} MiB, {median / medians[hlh_name]:.2f}x hlh's time")


if __name__ == "__main__":
    main()
