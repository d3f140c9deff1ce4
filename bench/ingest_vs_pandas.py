#!/usr/bin/env python3
"""Benchmark: `hlh validate` (read, validate, convert units) against pandas.read_csv (parsing alone) on the
same generated study of 1,000,000 observation rows.

Both run in the same process tree, alternating, several times; the script prints the median wall time of
each and their ratio, plus peak resident memory. It needs pandas (pip install pandas) and a release build:

    cargo build --release -p hlh-cli
    python3 bench/ingest_vs_pandas.py [--rows 1000000] [--repeat 5] [--keep DIR]

The study is generated deterministically (seeded) in a temporary folder: 10,000 patients with 100 results
each over 10 analytes, mixed units (mg/dL, [degF], /mm3, ng/mL), date-times and dates, a few censored
values, and the few repeated rows that random values produce (reported as warnings).
"""
import argparse
import os
import random
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ANALYTES = [
    ("temperature", [("Cel", lambda r: f"{r.uniform(36, 40.5):.1f}"), ("[degF]", lambda r: f"{r.uniform(97, 104.5):.1f}")]),
    ("crp", [("mg/L", lambda r: f"{r.uniform(1, 350):.1f}"), ("mg/dL", lambda r: f"{r.uniform(0.1, 35):.2f}")]),
    ("ferritin", [("ug/L", lambda r: f"{r.uniform(100, 90000):.0f}"), ("ng/mL", lambda r: f"{r.uniform(100, 90000):.0f}")]),
    ("platelets", [("10*9/L", lambda r: f"{r.uniform(10, 450):.0f}"), ("/mm3", lambda r: f"{r.randrange(10, 450) * 1000}")]),
    ("hemoglobin", [("g/dL", lambda r: f"{r.uniform(6, 15):.1f}"), ("g/L", lambda r: f"{r.uniform(60, 150):.0f}")]),
    ("leukocytes", [("G/L", lambda r: f"{r.uniform(0.5, 20):.2f}")]),
    ("triglycerides", [("mmol/L", lambda r: f"{r.uniform(0.8, 6):.2f}"), ("mg/dL", lambda r: f"{r.uniform(70, 530):.0f}")]),
    ("fibrinogen", [("g/L", lambda r: f"{r.uniform(0.8, 6):.2f}"), ("mg/dL", lambda r: f"{r.uniform(80, 600):.0f}")]),
    ("ast", [("U/L", lambda r: f"{r.uniform(15, 900):.0f}"), ("IU/L", lambda r: f"{r.uniform(15, 900):.0f}")]),
    ("ldh", [("U/L", lambda r: f"{r.uniform(150, 3000):.0f}")]),
]


def generate(folder: Path, rows: int, seed: int = 7) -> None:
    rng = random.Random(seed)
    rows_per_patient = 100
    n_patients = max(1, rows // rows_per_patient)
    with open(folder / "patients.csv", "w") as patients:
        patients.write("patient_id,centre,sex,age_years,diagnosis_date,triggers,hepatomegaly,splenomegaly\n")
        for i in range(n_patients):
            patients.write(f"P{i:07d},C{i % 7},{'MF'[i % 2]},{20 + i % 70},2020-{1 + i % 12:02d}-{1 + i % 28:02d},infection,yes,no\n")
    with open(folder / "observations.csv", "w") as observations:
        observations.write("patient_id,time,analyte,value,unit\n")
        written = 0
        for i in range(n_patients):
            month, day0 = 1 + i % 12, 1 + i % 28
            for k in range(rows_per_patient):
                if written == rows:
                    break
                analyte, units = ANALYTES[k % len(ANALYTES)]
                unit, value = rng.choice(units)
                value = value(rng)
                if analyte == "crp" and rng.random() < 0.01:
                    value = "<" + value
                d = min(28, day0 + k // 10)
                stamp = f"2020-{month:02d}-{d:02d}T{(k * 7) % 24:02d}:{(k * 13) % 60:02d}" if k % 3 else f"2020-{month:02d}-{d:02d}"
                observations.write(f"P{i:07d},{stamp},{analyte},{value},{unit}\n")
                written += 1
    with open(folder / "treatments.csv", "w") as treatments:
        treatments.write("patient_id,drug,start,end,dose,dose_unit,frequency,route,stop_reason,line\n")
        for i in range(n_patients):
            treatments.write(f"P{i:07d},anakinra,2020-{1 + i % 12:02d}-{1 + i % 28:02d},,100,mg,bid,sc,,\n")
    with open(folder / "events.csv", "w") as events:
        events.write("patient_id,time,event,detail,grade,drug,led_to_discontinuation,value\n")
        for i in range(0, n_patients, 10):
            events.write(f"P{i:07d},2020-{1 + i % 12:02d}-28,discharge,,,,,\n")


PANDAS_SCRIPT = """
import sys, pandas as pd
folder = sys.argv[1]
for name in ("patients.csv", "observations.csv", "treatments.csv", "events.csv"):
    pd.read_csv(f"{folder}/{name}")
"""


def run_timed(command):
    """Wall time of one child process (memory is measured apart, by peak_rss_kib)."""
    start = time.perf_counter()
    completed = subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    elapsed = time.perf_counter() - start
    if completed.returncode != 0:
        sys.exit(f"{command[0]} failed ({completed.returncode}): {completed.stderr.decode()[:2000]}")
    return elapsed


def peak_rss_kib(command):
    """Peak resident memory of a command, measured in a fresh child that waits on it."""
    code = (
        "import resource, subprocess, sys\n"
        "subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)\n"
        "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)\n"
    )
    out = subprocess.run([sys.executable, "-c", code, *command], capture_output=True, text=True, check=True)
    return int(out.stdout.strip())


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--keep", type=Path, help="generate into this folder and keep it")
    args = parser.parse_args()

    import pandas
    hlh = ROOT / "target" / "release" / "hlh"
    if not hlh.exists():
        sys.exit("build first: cargo build --release -p hlh-cli")
    with tempfile.TemporaryDirectory() as tmp:
        folder = args.keep or Path(tmp)
        folder.mkdir(parents=True, exist_ok=True)
        generate(folder, args.rows)
        size = sum(f.stat().st_size for f in folder.glob("*.csv"))
        hlh_command = [str(hlh), "validate", str(folder)]
        pandas_command = [sys.executable, "-c", PANDAS_SCRIPT, str(folder)]
        # Warm the page cache so that both read from memory.
        run_timed(hlh_command)
        run_timed(pandas_command)
        # hlh reads observations.csv on every core; pandas on one. The one-core run pins hlh to a single
        # core (taskset) for a like-for-like figure.
        one_core = ["taskset", "-c", "0", *hlh_command] if shutil.which("taskset") else None
        hlh_times, hlh_one_core_times, pandas_times = [], [], []
        for _ in range(args.repeat):
            hlh_times.append(run_timed(hlh_command))
            pandas_times.append(run_timed(pandas_command))
            if one_core:
                hlh_one_core_times.append(run_timed(one_core))
        hlh_rss, pandas_rss = peak_rss_kib(hlh_command), peak_rss_kib(pandas_command)
    hlh_median, pandas_median = statistics.median(hlh_times), statistics.median(pandas_times)
    print(f"study: {args.rows:,} observation rows, {size / 1e6:.1f} MB of CSV")
    print(f"hlh validate (read + validate + convert): median {hlh_median:.3f} s over {args.repeat} runs, peak RSS {hlh_rss / 1024:.0f} MiB")
    print(f"pandas {pandas.__version__} read_csv (parse only):    median {pandas_median:.3f} s over {args.repeat} runs, peak RSS {pandas_rss / 1024:.0f} MiB")
    print(f"ratio pandas / hlh: time {pandas_median / hlh_median:.2f}x, memory {pandas_rss / hlh_rss:.2f}x")
    if hlh_one_core_times:
        one_core_median = statistics.median(hlh_one_core_times)
        print(f"hlh validate pinned to one core: median {one_core_median:.3f} s; ratio pandas / hlh {pandas_median / one_core_median:.2f}x")


if __name__ == "__main__":
    main()
