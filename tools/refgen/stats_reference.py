#!/usr/bin/env python3
"""Reference values for hlh-stats from scipy, for what R does not compute: the Wilcoxon zero methods
"pratt" and "zsplit". Uses the paired inputs of the R fixture so that both references speak of the same
data. Writes crates/hlh-stats/tests/fixtures/scipy_reference.json.

    python3 tools/refgen/stats_reference.py

Each value records its exact call; the file records the versions of scipy and numpy.
"""
import json
import sys
from pathlib import Path

import numpy as np
import scipy
from scipy import stats

ROOT = Path(__file__).resolve().parent.parent.parent
FIXTURES = ROOT / "crates" / "hlh-stats" / "tests" / "fixtures"


def encode_infinity(value):
    """+inf as the string "Infinity", as the R fixture writes it."""
    if isinstance(value, float) and np.isinf(value):
        return "Infinity" if value > 0 else "-Infinity"
    if isinstance(value, dict):
        return {k: encode_infinity(v) for k, v in value.items()}
    if isinstance(value, list):
        return [encode_infinity(v) for v in value]
    return value


def main():
    r_reference = json.loads((FIXTURES / "r_reference.json").read_text())
    cases = []
    for case in r_reference["paired"]:
        before = np.array(case["before"], dtype=float)
        after = np.array(case["after"], dtype=float)
        d = after - before
        variants = []
        for zero_method in ("wilcox", "pratt", "zsplit"):
            for correction in (True, False):
                call = (f"scipy.stats.wilcoxon(after - before, zero_method={zero_method!r}, "
                        f"correction={correction}, method='asymptotic')")
                if np.all(d == 0):
                    continue
                result = stats.wilcoxon(d, zero_method=zero_method, correction=correction, method="asymptotic")
                if not np.isfinite(result.pvalue):
                    continue
                variants.append({"zero_method": zero_method, "correction": correction, "call": call,
                                 "p_value": float(result.pvalue)})
        cases.append({"name": case["name"], "variants": variants})
    fisher = []
    for case in r_reference["fisher"]:
        a, b, c, d = (int(v) for v in case["table"])
        if (a + b) * (c + d) * (a + c) * (b + d) == 0:
            continue
        result = stats.contingency.odds_ratio([[a, b], [c, d]], kind="conditional")
        ci = result.confidence_interval(confidence_level=0.95)
        fisher.append({"table": [a, b, c, d], "call": "scipy.stats.contingency.odds_ratio(table, kind='conditional')",
                       "odds_ratio": float(result.statistic), "ci": [float(ci.low), float(ci.high)]})
    out = {"tool": f"scipy {scipy.__version__}, numpy {np.__version__}, Python {sys.version.split()[0]}",
           "generated_by": "tools/refgen/stats_reference.py", "paired": cases, "fisher": fisher}
    text = json.dumps(encode_infinity(out), indent=1, allow_nan=False)
    (FIXTURES / "scipy_reference.json").write_text(text + "\n")


if __name__ == "__main__":
    main()
