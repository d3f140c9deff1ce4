#!/usr/bin/env python3
"""Benchmark: `hlh analyze` against the same analysis written with pandas + scipy, on the same generated
study of 100,000 patients (about 3.4 million observation rows), in the same run, alternating.

Both read the four CSV files and derive, per patient: Day 0, first-line, monotherapy, daily worst
values, Day-0 and Day-7 CRP and ferritin, febrile at baseline, fever-resolution day, the derived
response, discontinuation for adverse events; then the cohort: summaries, Wilson intervals, the paired
t-test and Wilcoxon signed-rank test for CRP and ferritin, and the Kaplan-Meier of time to resolution
(scipy.stats.ecdf on censored data). hlh does more (full validation of every cell, unit conversion, the
HScore and HLH-2004 of every patient, every analyte's comparison, provenance), so the ratio understates
its speed. Peak resident memory is measured for each.

    cargo build --release -p hlh-cli
    pip install pandas scipy
    python3 bench/analyze_vs_pandas.py [--patients 100000] [--repeat 3]
"""
import argparse
import resource
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


PANDAS_ANALYSIS = r'''
import sys
import numpy as np, pandas as pd
from scipy import stats
folder = sys.argv[1]
patients = pd.read_csv(f"{folder}/patients.csv")
obs = pd.read_csv(f"{folder}/observations.csv")
tr = pd.read_csv(f"{folder}/treatments.csv")
ev = pd.read_csv(f"{folder}/events.csv")
hlh_directed = {"corticosteroids", "methylprednisolone", "prednisone", "prednisolone", "dexamethasone",
                "hydrocortisone", "ivig", "etoposide", "ciclosporin", "ruxolitinib", "emapalumab", "tocilizumab", "canakinumab"}
tr["start"] = pd.to_datetime(tr["start"]); tr["end"] = pd.to_datetime(tr["end"])
ana = tr[tr.drug == "anakinra"]
day0 = ana.groupby("patient_id")["start"].min().rename("day0")
course_end = ana.groupby("patient_id")["end"].max().rename("course_end")
directed = tr[tr.drug.isin(hlh_directed)].merge(day0, on="patient_id").merge(course_end, on="patient_id")
first_line = ~day0.index.isin(directed.loc[directed.start < directed.day0, "patient_id"])
mono = ~day0.index.isin(directed.loc[(directed.start <= directed.course_end) & (directed.end >= directed.day0), "patient_id"])
obs["date"] = pd.to_datetime(obs["time"].str.slice(0, 10))
obs = obs.merge(day0, on="patient_id")
obs["day"] = (obs["date"] - obs["day0"]).dt.days
daily = obs.groupby(["patient_id", "analyte", "day"])["value"].max().reset_index()
def window_value(analyte, lo, hi, target=None):
    d = daily[(daily.analyte == analyte) & daily.day.between(lo, hi)].copy()
    if target is None:
        return d.sort_values("day").groupby("patient_id")["value"].last()
    d["distance"] = (d.day - target).abs()
    return d.sort_values(["distance", "day"]).groupby("patient_id")["value"].first()
labs = {}
for analyte in ("crp", "ferritin"):
    labs[analyte] = pd.DataFrame({"d0": window_value(analyte, -2, 0), "d7": window_value(analyte, 5, 9, 7)})
temp = daily[daily.analyte == "temperature"].set_index(["patient_id", "day"])["value"]
fever = (temp >= 38.0)
baseline = fever[fever.index.get_level_values("day").isin([-1, 0])].groupby("patient_id").any()
f = fever.reset_index().rename(columns={"value": "fever"})
nxt = f.assign(day=f.day - 1).rename(columns={"fever": "fever_next"})
f = f.merge(nxt, on=["patient_id", "day"], how="left")
ok = f[(f.day >= 0) & (~f.fever) & (f.fever_next != True)]
resolution = ok.groupby("patient_id")["day"].min().reindex(baseline[baseline].index)
ev["date"] = pd.to_datetime(ev["time"])
death = ev[ev.event == "death"].merge(day0, on="patient_id")
death_day = ((death.date - death.day0).dt.days).groupby(death.patient_id).min()
last_temp = f.groupby("patient_id")["day"].max()
resp = pd.DataFrame(index=day0.index)
resp["a"] = np.where(baseline.reindex(resp.index).fillna(False), resolution.reindex(resp.index).le(7), True)
resp["b"] = labs["crp"].d7 < labs["crp"].d0
resp["c"] = labs["ferritin"].d7 < labs["ferritin"].d0
resp["d"] = ~death_day.reindex(resp.index).le(7).fillna(False)
responders = resp.all(axis=1).sum()
ae = ana[ana.stop_reason == "adverse_event"].patient_id.nunique()
def wilson(k, n, z=1.959963984540054):
    p = k / n; d = 1 + z * z / n
    return ((p + z * z / (2 * n) - z * np.sqrt(p * (1 - p) / n + z * z / (4 * n * n))) / d,
            (p + z * z / (2 * n) + z * np.sqrt(p * (1 - p) / n + z * z / (4 * n * n))) / d)
n = len(day0)
out = {"n": n, "first_line": wilson(first_line.sum(), n), "mono": wilson(mono.sum(), n), "response": wilson(responders, n), "ae": wilson(ae, n)}
ages = patients.age_years
out["age"] = (ages.mean(), ages.std(), ages.quantile([0.25, 0.5, 0.75]).tolist())
for analyte, frame in labs.items():
    pairs = frame.dropna()
    out[analyte] = (stats.ttest_rel(pairs.d7, pairs.d0).pvalue, stats.wilcoxon(pairs.d7, pairs.d0).pvalue)
febrile = baseline[baseline].index
times = resolution.reindex(febrile)
event = times.notna()
censor = death_day.reindex(febrile).fillna(last_temp.reindex(febrile)).clip(lower=0)
km = stats.ecdf(stats.CensoredData(uncensored=times[event].to_numpy(), right=censor[~event].to_numpy()))
out["km_median"] = float(np.interp(0.5, 1 - km.sf.probabilities, km.sf.quantiles))
out["resolution"] = times.dropna().quantile([0.25, 0.5, 0.75]).tolist()
print(out)
'''


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
        python_command = [sys.executable, "-c", PANDAS_ANALYSIS, str(study)]
        hlh_times, python_times = [], []
        for _ in range(args.repeat):
            hlh_times.append(timed(hlh_command))
            python_times.append(timed(python_command))
        hlh_rss, python_rss = peak_rss_mib(hlh_command), peak_rss_mib(python_command)
    hlh_median, python_median = statistics.median(hlh_times), statistics.median(python_times)
    print(f"study: {args.patients:,} patients, {rows:,} observation rows, {size:.0f} MB of CSV")
    print(f"hlh analyze:     median {hlh_median:.2f} s over {args.repeat} runs, peak RSS {hlh_rss:.0f} MiB")
    print(f"pandas {pd.__version__} + scipy {scipy.__version__}: median {python_median:.2f} s, peak RSS {python_rss:.0f} MiB")
    print(f"ratio pandas / hlh: time {python_median / hlh_median:.1f}x, memory {python_rss / hlh_rss:.1f}x")


if __name__ == "__main__":
    main()
