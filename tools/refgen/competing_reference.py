#!/usr/bin/env python3
"""Reference values for the Aalen-Johansen cumulative incidence of hlh-stats (competing.rs) from
lifelines. Writes crates/hlh-stats/tests/fixtures/lifelines_reference.json.

    pip install lifelines
    python3 tools/refgen/competing_reference.py

lifelines breaks tied times by jittering them, so the cases have no ties (hlh-stats' own tests cover
ties by hand). Each case records its exact call; the file records the versions of lifelines and numpy.
"""
import json
from pathlib import Path

import lifelines
import numpy as np
from lifelines import AalenJohansenFitter

ROOT = Path(__file__).resolve().parent.parent.parent
OUT = ROOT / "crates" / "hlh-stats" / "tests" / "fixtures" / "lifelines_reference.json"

# status: 0 censored, 1 the event of interest (fever resolved), 2 competing (death).
CASES = {
    "ten_subjects": ([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], [1, 2, 1, 0, 1, 2, 0, 1, 1, 0]),
    "deaths_early": ([0.5, 1.5, 2.5, 3.5, 4.5, 5.5, 6.5, 7.5], [2, 2, 1, 0, 1, 1, 2, 1]),
    "fever_days": ([1, 2, 3, 4, 6, 7, 9, 11, 12, 14, 15, 21], [1, 1, 2, 1, 1, 0, 1, 2, 1, 0, 1, 0]),
}

cases = []
for name, (times, status) in CASES.items():
    fitter = AalenJohansenFitter(calculate_variance=False)
    fitter.fit(np.array(times, dtype=float), np.array(status), event_of_interest=1)
    cif = fitter.cumulative_density_.iloc[:, 0]
    cases.append({
        "name": name,
        "times": times,
        "status": status,
        "call": "AalenJohansenFitter(calculate_variance=False).fit(times, status, event_of_interest=1)"
                ".cumulative_density_",
        "incidence": {str(float(t)): float(v) for t, v in cif.items() if t > 0},
    })
OUT.write_text(json.dumps({"lifelines": lifelines.__version__, "numpy": np.__version__, "cases": cases},
                          indent=2) + "\n")
print(f"wrote {OUT}")
