#!/usr/bin/env python3
"""Benchmark: hlh-stats against scipy and lifelines, on the same data, in the same run.

1. Exact Wilcoxon signed-rank distribution at n = 1,000 (1,000 untied pairs): `hlh stats paired`
   (the whole command: CSV reading, paired t, every Wilcoxon variant including the exact one,
   Hodges-Lehmann) against scipy.stats.wilcoxon(d, method="exact") alone, timed in-process.
2. Kaplan-Meier and log-rank on 1,000,000 rows (3 groups, integer days 0-365, 30 % censored):
   `hlh stats km FILE --group` (CSV reading, three fits with Greenwood log-log intervals, median with CI,
   log-rank) against pandas.read_csv + lifelines KaplanMeierFitter per group (with median and
   confidence intervals) + multivariate_logrank_test, timed in-process.

Two comparisons each: whole commands (hlh's process, CSV reading included, against Python reading the
same CSV with pandas, interpreter start-up and imports excluded), and compute alone (hlh-stats timed
in-process by `cargo bench -p hlh-stats --bench compute` on the same data, against the scipy or lifelines
calls alone). Needs a release build and `pip install scipy pandas lifelines`:

    cargo build --release -p hlh-cli
    python3 bench/stats_vs_python.py [--repeat 5]
"""
import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent


def timed(function, repeat):
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def run_hlh(args):
    completed = subprocess.run([str(ROOT / "target" / "release" / "hlh"), *args], stdout=subprocess.DEVNULL,
                               stderr=subprocess.PIPE)
    if completed.returncode != 0:
        sys.exit(completed.stderr.decode())


def rust_compute(args):
    """Median seconds printed by the compute bench of hlh-stats."""
    completed = subprocess.run(["cargo", "bench", "-q", "-p", "hlh-stats", "--bench", "compute", "--", *args],
                               cwd=ROOT, capture_output=True, text=True, check=True)
    return {line.split()[0]: float(line.split()[1]) for line in completed.stdout.splitlines() if line.strip()}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--rows", type=int, default=1_000_000)
    args = parser.parse_args()

    import lifelines
    import pandas as pd
    import scipy
    from lifelines import KaplanMeierFitter
    from lifelines.statistics import multivariate_logrank_test
    from scipy import stats

    rng = np.random.default_rng(7)
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        # 1. Exact Wilcoxon at n = 1000.
        n = 1000
        d = rng.permutation(np.arange(1, n + 1)) * rng.choice([-1.0, 1.0], n) + 0.25
        before = rng.uniform(100, 200, n)
        pd.DataFrame({"before": before, "after": before + d}).to_csv(tmp / "pairs.csv", index=False)
        diffs = (pd.read_csv(tmp / "pairs.csv")["after"] - pd.read_csv(tmp / "pairs.csv")["before"]).to_numpy()
        hlh_wilcoxon = timed(lambda: run_hlh(["stats", "paired", str(tmp / "pairs.csv"), "--before", "before",
                                             "--after", "after", "--json"]), args.repeat)
        scipy_wilcoxon = timed(lambda: stats.wilcoxon(diffs, method="exact"), args.repeat)
        # The compute bench builds its own untied differences of the same size and shape.
        rust_wilcoxon = rust_compute(["wilcoxon", str(n), str(args.repeat)])[f"exact_wilcoxon_n{n}_seconds"]

        # 2. Kaplan-Meier and log-rank on 1M rows.
        rows = args.rows
        frame = pd.DataFrame({
            "time": rng.integers(0, 366, rows),
            "event": (rng.random(rows) > 0.3).astype(int),
            "group": rng.choice(["anakinra", "steroids", "etoposide"], rows),
        })
        frame.to_csv(tmp / "km.csv", index=False)
        hlh_km = timed(lambda: run_hlh(["stats", "km", str(tmp / "km.csv"), "--time", "time", "--event", "event",
                                       "--group", "group", "--json"]), args.repeat)

        def lifelines_km():
            data = pd.read_csv(tmp / "km.csv")
            for _, part in data.groupby("group"):
                fitter = KaplanMeierFitter().fit(part["time"], part["event"])
                _ = fitter.median_survival_time_, fitter.confidence_interval_
            multivariate_logrank_test(data["time"], data["group"], data["event"]).p_value

        python_km = timed(lifelines_km, args.repeat)
        data = pd.read_csv(tmp / "km.csv")

        def lifelines_km_compute():
            for _, part in data.groupby("group"):
                fitter = KaplanMeierFitter().fit(part["time"], part["event"])
                _ = fitter.median_survival_time_, fitter.confidence_interval_
            multivariate_logrank_test(data["time"], data["group"], data["event"]).p_value

        python_km_compute = timed(lifelines_km_compute, args.repeat)
        rust_km = rust_compute(["km", str(tmp / "km.csv"), str(args.repeat)])[f"km_logrank_rows{rows}_seconds"]

    print(f"scipy {scipy.__version__}, lifelines {lifelines.__version__}, pandas {pd.__version__}, "
          f"{args.repeat} runs each, medians")
    print(f"exact Wilcoxon, n = 1000, compute: hlh-stats {rust_wilcoxon:.4f} s   "
          f"scipy wilcoxon(method='exact') {scipy_wilcoxon:.4f} s   ratio {scipy_wilcoxon / rust_wilcoxon:.1f}x")
    print(f"  whole command: hlh stats paired {hlh_wilcoxon:.4f} s (every test and variant, CSV included)")
    print(f"KM + log-rank, {rows:,} rows, compute: hlh-stats {rust_km:.4f} s   "
          f"lifelines {python_km_compute:.4f} s   ratio {python_km_compute / rust_km:.1f}x")
    print(f"  whole command: hlh stats km {hlh_km:.4f} s   pandas read_csv + lifelines {python_km:.4f} s   "
          f"ratio {python_km / hlh_km:.1f}x")


if __name__ == "__main__":
    main()
