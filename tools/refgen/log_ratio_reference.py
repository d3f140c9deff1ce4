#!/usr/bin/env python3
"""Reference values for the geometric mean ratio of the analysis (outcomes.labs.<analyte>.ratio): the
paired t-test on the logarithms of Day-7 and Day-0 values, back-transformed. Writes
crates/hlh-outcomes/tests/fixtures/log_ratio.json.

    python3 tools/refgen/log_ratio_reference.py

Each case records its exact call; the file records the versions of scipy and numpy.
"""
import json
from pathlib import Path

import numpy as np
import scipy
from scipy import stats

ROOT = Path(__file__).resolve().parent.parent.parent
OUT = ROOT / "crates" / "hlh-outcomes" / "tests" / "fixtures" / "log_ratio.json"

# Ferritin (µg/L) on Day 0 and Day 7 of invented patients: skewed, as ferritin is.
CASES = {
    "ferritin_falls": ([12000, 5000, 48000, 2500, 9000, 30000], [3000, 4500, 9000, 2600, 2000, 15000]),
    "ferritin_mixed": ([800, 1500, 60000, 7000], [1200, 900, 20000, 7100]),
}

cases = []
for name, (day0, day7) in CASES.items():
    log0, log7 = np.log(day0), np.log(day7)
    result = stats.ttest_rel(log7, log0)
    ci = result.confidence_interval(0.95)
    cases.append({
        "name": name,
        "day0": day0,
        "day7": day7,
        "call": "r = scipy.stats.ttest_rel(np.log(day7), np.log(day0)); "
                "exp(mean(log(day7) - log(day0))), exp(r.confidence_interval(0.95)), r.pvalue",
        "geometric_mean_ratio": float(np.exp(np.mean(log7 - log0))),
        "ci95": [float(np.exp(ci.low)), float(np.exp(ci.high))],
        "p_value": float(result.pvalue),
    })
OUT.write_text(json.dumps({"scipy": scipy.__version__, "numpy": np.__version__, "cases": cases}, indent=2) + "\n")
print(f"wrote {OUT}")
