#!/usr/bin/env python3
"""Checks, independently of hlhkit's own code, that the demo study reproduces the Baverez 2022 abstract
under the default protocol of docs/analysis-schema.md. Needs scipy (paired t-test: scipy.stats.ttest_rel,
Wilcoxon: scipy.stats.wilcoxon). Prints each figure and exits 1 if one is off.

Run: python3 tools/demo/check_demo.py crates/hlh-cli/demo
"""
import csv
import datetime as dt
import statistics
import sys
from collections import defaultdict
from pathlib import Path

import numpy as np
import scipy
from scipy import stats

HLH_DIRECTED = {"corticosteroids", "methylprednisolone", "prednisone", "prednisolone", "dexamethasone",
                "hydrocortisone", "ivig", "etoposide", "ciclosporin", "ruxolitinib", "emapalumab", "tocilizumab",
                "canakinumab"}
TO_CANONICAL = {
    ("temperature", "Cel"): lambda v: v, ("temperature", "[degF]"): lambda v: (v - 32) * 5 / 9,
    ("crp", "mg/L"): lambda v: v, ("crp", "mg/dL"): lambda v: v * 10,
    ("ferritin", "ug/L"): lambda v: v, ("ferritin", "ng/mL"): lambda v: v,
}
WORST_IS_MIN = {"hemoglobin", "leukocytes", "neutrophils", "lymphocytes", "platelets", "fibrinogen", "sodium"}


def read(folder, name):
    with open(Path(folder) / name, newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def date_of(text):
    return dt.date.fromisoformat(text[:10])


def quantile7(values, p):
    return float(np.quantile(values, p))  # numpy's default 'linear' is Hyndman-Fan type 7


def main(folder):
    patients = read(folder, "patients.csv")
    observations = read(folder, "observations.csv")
    treatments = read(folder, "treatments.csv")
    events = read(folder, "events.csv")

    day0 = {}
    for row in treatments:
        if row["drug"] == "anakinra":
            start = date_of(row["start"])
            day0[row["patient_id"]] = min(day0.get(row["patient_id"], start), start)
    daily = defaultdict(dict)  # (patient, analyte) -> {study day: worst value}
    for row in observations:
        key = (row["analyte"], row["unit"])
        if key not in TO_CANONICAL:
            continue
        value = TO_CANONICAL[key](float(row["value"].lstrip("<>=")))
        pid = row["patient_id"]
        d = (date_of(row["time"]) - day0[pid]).days
        days = daily[(pid, row["analyte"])]
        days[d] = max(days.get(d, value), value) if row["analyte"] not in WORST_IS_MIN else min(days.get(d, value), value)

    def day0_value(pid, analyte):
        days = [d for d in daily[(pid, analyte)] if -2 <= d <= 0]
        return daily[(pid, analyte)][max(days)] if days else None

    def day7_value(pid, analyte):
        days = sorted((abs(d - 7), d) for d in daily[(pid, analyte)] if 5 <= d <= 9)
        return daily[(pid, analyte)][days[0][1]] if days else None

    figures = {}
    ages = [float(p["age_years"]) if p["age_years"] else date_of(p["diagnosis_date"]).year - int(p["birth_year"]) for p in patients]
    figures["patients"] = len(patients)
    figures["median age"] = statistics.median(ages)
    figures["men"] = sum(p["sex"] == "M" for p in patients)

    first_line = mono = responders = unknown = ae_stops = febrile = resolved7 = 0
    # Responders under the published definitions of a fall: ferritin >= 25 % and CRP >= 50 %
    # (Wang 2015, Quartier 2011), ferritin >= 50 % (Lin 2011); the other items as above.
    published = {"ferritin25_crp50": {"crp": 50.0, "ferritin": 25.0}, "ferritin50": {"crp": 0.0, "ferritin": 50.0}}
    published_responders = {name: 0 for name in published}
    resolution_days = []
    pairs = defaultdict(list)
    for p in patients:
        pid = p["patient_id"]
        d0 = day0[pid]
        rows = [t for t in treatments if t["patient_id"] == pid]
        index_rows = sorted((t for t in rows if t["drug"] == "anakinra"), key=lambda t: t["start"])
        if index_rows[0]["line"]:
            is_first = index_rows[0]["line"] == "first"
        else:
            is_first = not any(t["drug"] in HLH_DIRECTED and date_of(t["start"]) < d0 for t in rows)
        first_line += is_first
        ends = [date_of(t["end"]) if t["end"] else dt.date.max for t in index_rows]
        course_end = max(ends)
        mono += not any(t["drug"] in HLH_DIRECTED and date_of(t["start"]) <= course_end
                        and (date_of(t["end"]) if t["end"] else dt.date.max) >= d0 for t in rows)

        temps = daily[(pid, "temperature")]
        is_febrile = any(temps.get(d, 0) >= 38.0 for d in (-1, 0)) if any(d in temps for d in (-1, 0)) else None
        resolution = None
        if is_febrile:
            febrile += 1
            for d in sorted(x for x in temps if x >= 0):
                window = [temps[x] for x in (d, d + 1) if x in temps]
                if all(v < 38.0 for v in window):
                    resolution = d
                    break
            if resolution is not None:
                resolution_days.append(resolution)
                resolved7 += resolution <= 7

        death = [date_of(e["time"]) for e in events if e["patient_id"] == pid and e["event"] == "death"]
        items = []
        if is_febrile is None:
            items.append(None)
        elif is_febrile:
            items.append(resolution is not None and resolution <= 7)
        for analyte in ("crp", "ferritin"):
            v0, v7 = day0_value(pid, analyte), day7_value(pid, analyte)
            items.append(None if v0 is None or v7 is None else v7 < v0)
            if v0 is not None and v7 is not None:
                pairs[analyte].append((v0, v7))
        items.append(not any((d - d0).days <= 7 for d in death))
        stopped_inefficacy = any(t["stop_reason"] == "inefficacy" and t["end"] and (date_of(t["end"]) - d0).days < 7 for t in index_rows)
        rescue = any(t["drug"] in ("etoposide", "emapalumab", "ruxolitinib") and 0 < (date_of(t["start"]) - d0).days <= 7 for t in rows)
        items.append(not stopped_inefficacy and not rescue)
        # A co-intervention: an HLH-directed drug, chemotherapy or rituximab started on Day 1 to Day 7 that
        # was not already running on Day 0; failing item (e), it gives the "co_interventions_fail" row.
        def running_on_day0(drug):
            return any(t["drug"] == drug and date_of(t["start"]) <= d0
                       and (not t["end"] or date_of(t["end"]) >= d0) for t in rows)
        co_intervention = any(
            (t["drug"] in HLH_DIRECTED or t["drug"] in ("chemotherapy", "rituximab"))
            and 0 < (date_of(t["start"]) - d0).days <= 7 and not running_on_day0(t["drug"]) for t in rows)
        crediting_none = items[:-1] + [items[-1] and not co_intervention]
        published_responders["co_interventions_fail"] = published_responders.get("co_interventions_fail", 0) + (
            False not in crediting_none and None not in crediting_none)
        for name, falls in published.items():
            alternative = list(items)
            for position, analyte in ((1 if is_febrile is not False else 0, "crp"), (2 if is_febrile is not False else 1, "ferritin")):
                v0, v7 = day0_value(pid, analyte), day7_value(pid, analyte)
                alternative[position] = None if v0 is None or v7 is None else (v7 < v0 and v0 - v7 >= v0 * falls[analyte] / 100)
            published_responders[name] += False not in alternative and None not in alternative
        if False in items:
            pass
        elif None in items:
            unknown += 1
        else:
            responders += 1
        ae_stops += any(t["stop_reason"] == "adverse_event" for t in index_rows) or any(
            e["patient_id"] == pid and e["drug"] == "anakinra" and e["led_to_discontinuation"] == "yes" for e in events)

    figures["first-line"] = first_line
    figures["monotherapy"] = mono
    figures["responders"] = responders
    figures["response unknown"] = unknown
    for name, count in published_responders.items():
        figures[f"responders, {name}"] = count
    figures["febrile at baseline"] = febrile
    figures["fever resolved by Day 7"] = resolved7
    figures["resolution days (median, q1, q3)"] = (quantile7(resolution_days, 0.5), quantile7(resolution_days, 0.25), quantile7(resolution_days, 0.75))
    figures["discontinued for adverse event"] = ae_stops
    for analyte in ("crp", "ferritin"):
        before = [a for a, _ in pairs[analyte]]
        after = [b for _, b in pairs[analyte]]
        t = stats.ttest_rel(after, before)
        w = stats.wilcoxon(after, before)
        figures[f"{analyte} pairs, paired t p, Wilcoxon p"] = (len(before), round(float(t.pvalue), 6), float(w.pvalue))

    expected = {
        "patients": 21, "median age": 45, "men": 13, "first-line": 10, "monotherapy": 5, "responders": 19,
        "response unknown": 0, "fever resolved by Day 7": 19, "resolution days (median, q1, q3)": (1.0, 1.0, 2.0),
        "discontinued for adverse event": 3, "responders, ferritin25_crp50": 17, "responders, ferritin50": 9,
        "responders, co_interventions_fail": 15,
    }
    print(f"scipy {scipy.__version__}")
    failed = False
    for name, value in figures.items():
        verdict = ""
        if name in expected:
            ok = value == expected[name]
            failed |= not ok
            verdict = "ok" if ok else f"EXPECTED {expected[name]}"
        print(f"{name:40} {value}  {verdict}")
    crp_p = figures["crp pairs, paired t p, Wilcoxon p"][1]
    ferritin_p = figures["ferritin pairs, paired t p, Wilcoxon p"][1]
    if not crp_p < 0.001:
        print("CRP paired t p must be < 0.001"); failed = True
    if round(ferritin_p, 3) != 0.011:
        print("ferritin paired t p must round to 0.011"); failed = True
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "crates/hlh-cli/demo")
