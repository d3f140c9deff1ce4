#!/usr/bin/env python3
"""Benchmark: `hlh analyze` against the same analysis written with pandas + scipy, on the same generated
study of 100,000 patients (about 3.4 million observation rows), in the same run, alternating.

The pandas side is bench/pandas_analysis.py: the same work as `hlh analyze` (every cell validated, units
converted, repeated rows dropped; per patient Day 0, first-line, monotherapy, daily worst values and the
Day-0/Day-7 values of every analyte, HScore, HLH-2004 and OHI, fever, the five response items, death,
discontinuation; the cohort's summaries, Wilson intervals, paired t-test, Wilcoxon signed-rank and
Hodges-Lehmann estimate of every analyte, Kaplan-Meier with its log-log CI, trajectories and safety),
written column-wise: text cells are read as categoricals so that each distinct text is parsed once,
patients are keyed by position. Before timing, both run once and their headline numbers must agree (the
benchmark stops otherwise). Like for like, neither writes per-patient output: hlh prints its summary,
the script prints its headline numbers. Peak resident memory is measured for each.

    cargo build --release -p hlh-cli
    pip install pandas scipy
    python3 bench/analyze_vs_pandas.py [--patients 100000] [--repeat 3]
"""
import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parent.parent


def generate(folder: Path, n: int, seed: int = 11) -> None:
    rng = np.random.default_rng(seed)
    ids = np.array([f"P{i:06d}" for i in range(n)])
    day0 = pd.Timestamp("2018-01-01") + pd.to_timedelta(rng.integers(0, 1500, n), unit="D")
    pd.DataFrame({
        "patient_id": ids, "sex": rng.choice(["M", "F"], n), "age_years": rng.integers(18, 90, n),
        "diagnosis_date": (day0 - pd.to_timedelta(rng.integers(0, 3, n), unit="D")).strftime("%Y-%m-%d"),
        "hepatomegaly": rng.choice(["yes", "no", ""], n), "splenomegaly": rng.choice(["yes", "no"], n),
    }).to_csv(folder / "patients.csv", index=False)

    resolution = rng.integers(0, 9, n)  # day the fever ends; 8 = not by Day 7
    frames = []
    for day in range(-2, 11):
        for hour in (8, 20):
            febrile = day < resolution
            celsius = np.where(febrile, rng.uniform(38.2, 40.0, n), rng.uniform(36.2, 37.7, n))
            frames.append(pd.DataFrame({
                "patient_id": ids,
                "time": (day0 + pd.Timedelta(days=day, hours=hour)).strftime("%Y-%m-%dT%H:%M"),
                "analyte": "temperature", "value": np.round(celsius, 1), "unit": "Cel"}))
    crp0 = rng.uniform(50, 300, n)
    ferritin0 = rng.uniform(1000, 40000, n)
    for day, crp, ferritin in ((-1, crp0, ferritin0), (0, crp0 * 1.1, ferritin0 * 1.05),
                               (7, crp0 * rng.uniform(0.05, 1.2, n), ferritin0 * rng.uniform(0.2, 1.3, n))):
        stamp = (day0 + pd.Timedelta(days=day)).strftime("%Y-%m-%d")
        frames.append(pd.DataFrame({"patient_id": ids, "time": stamp, "analyte": "crp", "value": np.round(crp, 1), "unit": "mg/L"}))
        frames.append(pd.DataFrame({"patient_id": ids, "time": stamp, "analyte": "ferritin", "value": np.round(ferritin), "unit": "ug/L"}))
    pd.concat(frames).to_csv(folder / "observations.csv", index=False)

    steroid_start = rng.integers(-5, 5, n)
    stop = np.where(rng.random(n) < 0.1, "adverse_event", "completed")
    treatments = pd.concat([
        pd.DataFrame({"patient_id": ids, "drug": "anakinra", "start": day0.strftime("%Y-%m-%d"),
                      "end": (day0 + pd.Timedelta(days=21)).strftime("%Y-%m-%d"), "stop_reason": stop}),
        pd.DataFrame({"patient_id": ids, "drug": "prednisone",
                      "start": (day0 + pd.to_timedelta(steroid_start, unit="D")).strftime("%Y-%m-%d"),
                      "end": (day0 + pd.to_timedelta(steroid_start + 10, unit="D")).strftime("%Y-%m-%d"),
                      "stop_reason": "completed"}),
    ])
    treatments.to_csv(folder / "treatments.csv", index=False)
    dead = rng.random(n) < 0.05
    pd.DataFrame({"patient_id": ids[dead], "time": (day0[dead] + pd.to_timedelta(rng.integers(1, 30, dead.sum()), unit="D")).strftime("%Y-%m-%d"),
                  "event": "death"}).to_csv(folder / "events.csv", index=False)


PANDAS_ANALYSIS = ROOT / "bench" / "pandas_analysis.py"


def close(a, b):
    if a is None or b is None:
        return a is None and b is None
    return abs(a - b) <= 1e-9 * max(1.0, abs(a), abs(b)) or max(abs(a), abs(b)) < 1e-300


def check_agreement(hlh_json, pandas_json):
    """The two programs must report the same numbers, or the timing compares different work."""
    h, p = json.loads(hlh_json), json.loads(pandas_json)
    base, out = h["baseline"], h["outcomes"]
    fever = out["fever_resolution"]
    pairs = [
        ("patients", h["n_patients"], p["n_patients"]),
        ("first-line", base["first_line"]["count"], p["first_line"]["count"]),
        ("monotherapy", base["monotherapy"]["count"], p["monotherapy"]["count"]),
        ("mean age", base["age_years"]["mean"], p["age_years"]["mean"]),
        ("mean HScore", base["hscore"]["mean"], p["hscore"]["mean"]),
        ("HLH-2004 met", base["hlh2004_met"]["count"], p["hlh2004_met"]["count"]),
        ("responders", out["response"]["count"], p["response"]["count"]),
        ("response unknown", out["response"]["unknown"], p["response"]["unknown"]),
        ("febrile", fever["febrile_at_baseline"], p["fever_resolution"]["febrile_at_baseline"]),
        ("resolved by Day 7", fever["resolved_by_day7"], p["fever_resolution"]["resolved_by_day7"]),
        ("median resolution day", fever["days"]["median"], p["fever_resolution"]["days"]["median"]),
        ("Kaplan-Meier median", fever["km"]["median"], p["fever_resolution"]["km"]["median"]),
        ("stopped for adverse events", out["discontinued_adverse_event"]["count"], p["discontinued_adverse_event"]["count"]),
    ]
    for analyte, lab in out["labs"].items():
        other = p["labs"].get(analyte, {"n_pairs": 0})
        pairs.append((f"{analyte} pairs", lab["n_pairs"], other["n_pairs"]))
        if "difference" in other:
            pairs += [(f"{analyte} mean difference", lab["difference"]["mean"], other["difference"]["mean"]),
                      (f"{analyte} Hodges-Lehmann", lab["difference"]["hodges_lehmann"], other["difference"]["hodges_lehmann"]),
                      (f"{analyte} Wilcoxon V", lab["wilcoxon"]["statistic"], other["wilcoxon"]["statistic"]),
                      (f"{analyte} Wilcoxon p", lab["wilcoxon"]["p_value"], other["wilcoxon"]["p_value"])]
    differ = [f"{name}: hlh {a}, pandas {b}" for name, a, b in pairs if not close(a, b)]
    if differ:
        sys.exit("the two programs disagree, so their times are not comparable:\n  " + "\n  ".join(differ))
    return len(pairs)


def peak_rss_mib(command):
    code = ("import resource, subprocess, sys\n"
            "subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)\n"
            "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)\n")
    out = subprocess.run([sys.executable, "-c", code, *command], capture_output=True, text=True, check=True)
    return int(out.stdout.strip()) / 1024


def timed(command):
    start = time.perf_counter()
    completed = subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    if completed.returncode != 0:
        sys.exit(f"{command[:2]} failed: {completed.stderr.decode()[-3000:]}")
    return time.perf_counter() - start


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--patients", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--study", type=Path, help="use (or generate into) this folder and keep it")
    args = parser.parse_args()
    import scipy
    hlh = ROOT / "target" / "release" / "hlh"
    if not hlh.exists():
        sys.exit("build first: cargo build --release -p hlh-cli")
    with tempfile.TemporaryDirectory() as tmp:
        study = args.study or Path(tmp) / "study"
        if not (study / "patients.csv").exists():
            study.mkdir(parents=True, exist_ok=True)
            generate(study, args.patients)
        rows = sum(1 for _ in open(study / "observations.csv")) - 1
        size = sum(f.stat().st_size for f in study.glob("*.csv")) / 1e6
        # Like for like: the Python script writes no per-patient output, so hlh prints its summary only
        # (with --json it would also write every patient's endpoints and provenance, ~450 MB).
        hlh_command = [str(hlh), "analyze", str(study)]
        python_command = [sys.executable, str(PANDAS_ANALYSIS), str(study)]
        hlh_json = subprocess.run([*hlh_command, "--json", "-"], capture_output=True, check=True).stdout
        pandas_json = subprocess.run(python_command, capture_output=True, check=True).stdout
        agreed = check_agreement(hlh_json, pandas_json)
        hlh_times, python_times = [], []
        for _ in range(args.repeat):
            hlh_times.append(timed(hlh_command))
            python_times.append(timed(python_command))
        hlh_rss, python_rss = peak_rss_mib(hlh_command), peak_rss_mib(python_command)
    hlh_median, python_median = statistics.median(hlh_times), statistics.median(python_times)
    print(f"study: {args.patients:,} patients, {rows:,} observation rows, {size:.0f} MB of CSV")
    print(f"hlh analyze:     median {hlh_median:.2f} s over {args.repeat} runs, peak RSS {hlh_rss:.0f} MiB")
    print(f"pandas {pd.__version__} + scipy {scipy.__version__}: median {python_median:.2f} s, peak RSS {python_rss:.0f} MiB")
    print(f"agreement: {agreed} headline numbers equal (to 1e-9 relative)")
    print(f"ratio pandas / hlh: time {python_median / hlh_median:.1f}x, memory {python_rss / hlh_rss:.1f}x")


if __name__ == "__main__":
    main()
