#!/usr/bin/env python3
"""The work of `hlh analyze STUDY`, written with pandas + numpy + scipy, for the speed comparison of
bench/analyze_vs_pandas.py. It follows the same contract (docs/analysis-schema.md with its default protocol,
docs/study-format.md, docs/criteria/README.md) column-wise, the way a pandas user would write it:

- reads the four CSV files as text and validates every cell (identifiers, dates, numbers with comparators,
  units and their conversion, possible ranges, vocabularies, booleans, repeated rows), reporting every
  problem with file, line and column, and stopping when there is one;
- derives per patient: Day 0, first-line, monotherapy, daily worst values of every analyte, their Day-0
  and Day-7 values, the HScore (with its min and max over unknown items), HLH-2004 (5 of 8) and OHI on the
  diagnosis window, febrile at baseline, fever-resolution day, the five response items and the response,
  death day, discontinuation for an adverse event;
- summarises the cohort: attrition, age, sex, first-line, monotherapy, HScore, HLH-2004 (Wilson CIs),
  response, fever resolution (days, Kaplan-Meier with Greenwood log-log CI and its median), every
  analyte's Day-0 vs Day-7 comparison (summaries, mean difference with its t CI, Hodges-Lehmann estimate,
  paired t-test, Wilcoxon signed-rank with R's defaults), daily trajectories, safety counts.

It prints the headline numbers as JSON, so the benchmark can check that both programs agree.

    python3 bench/pandas_analysis.py STUDY_FOLDER
"""
import json
import sys

import numpy as np
import pandas as pd
from scipy import stats

folder = sys.argv[1]
problems = []

# --- vocabularies and tables of the contract -------------------------------------------------------------

MAXIMUM_IS_WORSE = {"temperature", "ferritin", "crp", "triglycerides", "ast", "alt", "ldh", "scd25", "d_dimer",
                    "il18", "creatinine", "bilirubin"}
MINIMUM_IS_WORSE = {"hemoglobin", "leukocytes", "neutrophils", "lymphocytes", "platelets", "fibrinogen", "sodium"}
CELLS = ["10*9/L", "10^9/L", "G/L", "10*3/uL", "10^3/uL", "10*3/µL", "10^3/µL"]
PER_MICROLITRE = ["/mm3", "/mm³", "/uL", "/µL"]
MICROGRAM = ["ug/L", "µg/L", "μg/L", "mcg/L", "ng/mL"]
ENZYME = ["U/L", "IU/L", "[iU]/L", "[IU]/L"]
# (analyte, unit as written, operation, factor), the accepted units of docs/study-format.md.
UNIT_ROWS = (
    [("temperature", u, "id", 1.0) for u in ("Cel", "°C", "C")]
    + [("temperature", u, "degF", 1.0) for u in ("[degF]", "°F", "F")]
    + [("ferritin", u, "id", 1.0) for u in MICROGRAM]
    + [("crp", "mg/L", "id", 1.0), ("crp", "mg/dL", "mul", 10.0)]
    + [("hemoglobin", "g/dL", "id", 1.0), ("hemoglobin", "g/L", "div", 10.0), ("hemoglobin", "mmol/L", "div", 0.6206)]
    + [(a, u, "id", 1.0) for a in ("leukocytes", "neutrophils", "lymphocytes", "platelets") for u in CELLS]
    + [(a, u, "div", 1000.0) for a in ("leukocytes", "neutrophils", "lymphocytes", "platelets") for u in PER_MICROLITRE]
    + [("triglycerides", "mmol/L", "id", 1.0), ("triglycerides", "mg/dL", "div", 88.57)]
    + [("fibrinogen", "g/L", "id", 1.0), ("fibrinogen", "mg/dL", "div", 100.0)]
    + [(a, u, "id", 1.0) for a in ("ast", "alt", "ldh") for u in ENZYME]
    + [(a, u, "mul", 60.0) for a in ("ast", "alt", "ldh") for u in ("ukat/L", "µkat/L")]
    + [("scd25", "U/mL", "id", 1.0), ("scd25", "[U]/mL", "id", 1.0), ("il18", "pg/mL", "id", 1.0), ("il18", "ng/L", "id", 1.0)]
    + [(a, u, "id", 1.0) for a in ("creatinine", "bilirubin") for u in ("umol/L", "µmol/L")]
    + [("creatinine", "mg/dL", "mul", 88.42), ("bilirubin", "mg/dL", "mul", 17.1)]
    + [("sodium", "mmol/L", "id", 1.0), ("sodium", "mEq/L", "id", 1.0)]
    + [("d_dimer", u, "id", 1.0) for u in MICROGRAM] + [("d_dimer", "mg/L", "mul", 1000.0)]
)
UNITS = pd.DataFrame(UNIT_ROWS, columns=["analyte", "unit", "operation", "factor"])
# A lower-case litre is the litre: mg/dl is mg/dL (UCUM).
UNITS = pd.concat([UNITS, UNITS[UNITS.unit.str.endswith("L") & UNITS.unit.str[-2].isin(["/", "d", "m", "u", "µ", "μ"])]
                   .assign(unit=lambda t: t.unit.str[:-1] + "l")])
POSSIBLE = {"temperature": (25, 45), "ferritin": (0, 5e5), "crp": (0, 800), "hemoglobin": (1, 25), "leukocytes": (0, 500),
            "neutrophils": (0, 300), "lymphocytes": (0, 300), "platelets": (0, 3000), "triglycerides": (0, 60),
            "fibrinogen": (0, 15), "ast": (0, 3e4), "alt": (0, 3e4), "ldh": (0, 5e4), "scd25": (0, 2e5), "il18": (0, 1e7),
            "creatinine": (0, 3000), "bilirubin": (0, 1000), "sodium": (80, 200), "d_dimer": (0, 1e5)}
DRUGS = {"anakinra": "anakinra", "kineret": "anakinra", "corticosteroid": "corticosteroids", "steroids": "corticosteroids",
         "cyclosporine": "ciclosporin", "cyclosporin": "ciclosporin",
         **{d: d for d in ("corticosteroids", "methylprednisolone", "prednisone", "prednisolone", "dexamethasone",
                           "hydrocortisone", "ivig", "etoposide", "ciclosporin", "ruxolitinib", "emapalumab", "tocilizumab",
                           "canakinumab", "rituximab", "chemotherapy", "antimicrobial", "other")}}
HLH_DIRECTED = {"corticosteroids", "methylprednisolone", "prednisone", "prednisolone", "dexamethasone", "hydrocortisone",
                "ivig", "etoposide", "ciclosporin", "ruxolitinib", "emapalumab", "tocilizumab", "canakinumab"}
RESCUE = {"etoposide", "emapalumab", "ruxolitinib"}
STOP_REASONS = {"", "completed", "remission", "inefficacy", "adverse_event", "death", "other"}
EVENTS = {"adverse_event", "infection", "icu_admission", "icu_discharge", "relapse", "death", "discharge",
          "response_assessment"}
BOOLEAN = {"yes": True, "y": True, "true": True, "1": True, "no": False, "n": False, "false": False, "0": False,
           "unknown": np.nan, "": np.nan}
SEX = {"M": "M", "male": "M", "F": "F", "female": "F", "U": "U", "unknown": "U"}
TIME_PATTERN = r"\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2})?)?"
Z95 = stats.norm.ppf(0.975)


# --- reading and validating ------------------------------------------------------------------------------
# Cells are read as categoricals, so that each distinct text (a date, a unit, a number) is parsed and
# checked once and the result spread to its rows by the category codes; patients are keyed by their row
# position in patients.csv.

def load(name, required, present=True):
    try:
        table = pd.read_csv(f"{folder}/{name}", dtype="category", keep_default_na=False, low_memory=False,
                            encoding="utf-8-sig")
    except (FileNotFoundError, pd.errors.ParserError) as error:
        # A row with the wrong number of cells stops the C parser: reported as a problem of the file.
        if present or not isinstance(error, FileNotFoundError):
            problems.append((name, 0, "", "", str(error)))
        table = pd.DataFrame({column: pd.Categorical([]) for column in required})
    table.columns = table.columns.str.strip().str.lower()
    for column in required:
        if column not in table.columns:
            problems.append((name, 1, column, "", "this column"))
            table[column] = pd.Categorical([""] * len(table))
    return table


def distinct(table, column):
    """The distinct texts of a column, trimmed, and each row's position among them."""
    cells = table[column]
    return pd.Series(cells.cat.categories.astype(str), dtype=object).str.strip(), cells.cat.codes.to_numpy()


def flag(name, table, column, bad, expected):
    bad = np.asarray(bad, dtype=bool)
    if bad.any():
        rows = np.flatnonzero(bad)
        problems.extend((name, row + 2, column, table[column].iloc[row], expected) for row in rows)


def times(name, table, column, required=True):
    text, codes = distinct(table, column)
    parsed = pd.to_datetime(text.where(text.str.fullmatch(TIME_PATTERN)), format="ISO8601", errors="coerce")
    bad = (parsed.isna() & (text != "")) | ((text == "") & required)
    flag(name, table, column, bad.to_numpy()[codes], "a date or date-time")
    return parsed.to_numpy()[codes], (text.str.len() > 10).to_numpy()[codes]


def numbers(name, table, column, required=True):
    text, codes = distinct(table, column)
    two, one = text.str[:2], text.str[:1]
    comparator = two.where(two.isin(["<=", ">="]), one.where(one.isin(["<", ">"]), ""))
    rest = text.copy()
    for width in (1, 2):
        censored = comparator.str.len() == width
        rest[censored] = text[censored].str[width:].str.strip()
    number = pd.to_numeric(rest, errors="coerce").to_numpy(dtype=float, na_value=np.nan)
    bad = (~np.isfinite(number) & (text != "")) | ((text == "") & required)
    flag(name, table, column, bad.to_numpy()[codes], "a number")
    return number[codes]


def vocabulary(name, table, column, mapping, required=True):
    text, codes = distinct(table, column)
    bad = ~text.isin(list(mapping)) & ((text != "") | required)
    flag(name, table, column, bad.to_numpy()[codes], f"one of {sorted(mapping)}")
    return (text.map(mapping) if isinstance(mapping, dict) else text).to_numpy()[codes]


def patient_positions(name, table, identifiers):
    text, codes = distinct(table, "patient_id")
    position = identifiers.get_indexer(text)
    flag(name, table, "patient_id", (position < 0)[codes], "a patient_id of patients.csv")
    return position[codes]


patients = load("patients.csv", ["patient_id", "sex", "diagnosis_date"])
observation_cells = load("observations.csv", ["patient_id", "time", "analyte", "value", "unit"], present=False)
treatments = load("treatments.csv", ["patient_id", "drug", "start"])
events = load("events.csv", ["patient_id", "time", "event"], present=False)

ids = patients["patient_id"].astype(str).str.strip()
flag("patients.csv", patients, "patient_id", (ids == "") | ids.duplicated(), "a patient_id not empty and not used before")
identifiers = pd.Index(ids.where(ids != ""))
columns = {"patient_id": ids.to_numpy(), "sex": vocabulary("patients.csv", patients, "sex", SEX)}
columns["diagnosis_date"], _ = times("patients.csv", patients, "diagnosis_date")
columns["age_years"] = np.full(len(patients), np.nan)
if "age_years" in patients:
    columns["age_years"] = numbers("patients.csv", patients, "age_years", required=False)
    flag("patients.csv", patients, "age_years", (columns["age_years"] < 0) | (columns["age_years"] >= 120), "an age from 0 to 119")
for finding in ("immunosuppression", "hepatomegaly", "splenomegaly", "bm_hemophagocytosis", "nk_activity_low", "molecular_hlh"):
    columns[finding] = (vocabulary("patients.csv", patients, finding, BOOLEAN, required=False)
                        if finding in patients else np.full(len(patients), np.nan))
patients = pd.DataFrame(columns).rename_axis("patient")

time, with_clock = times("observations.csv", observation_cells, "time")
analyte = vocabulary("observations.csv", observation_cells, "analyte", {a: a for a in POSSIBLE})
number = numbers("observations.csv", observation_cells, "value")
units, unit_codes = distinct(observation_cells, "unit")
observations = pd.DataFrame({"patient_id": patient_positions("observations.csv", observation_cells, identifiers),
                             "time": time, "clock": with_clock, "analyte": analyte, "number": number,
                             "unit": unit_codes})
# The conversion of each (analyte, unit) pair, from the few distinct pairs.
pairs = observations[["analyte", "unit"]].drop_duplicates()
pairs = pairs.assign(spelling=units.to_numpy()[pairs.unit]).merge(UNITS, how="left", left_on=["analyte", "spelling"],
                                                                   right_on=["analyte", "unit"], suffixes=("", "_accepted"))
observations = observations.merge(pairs[["analyte", "unit", "operation", "factor"]], how="left", on=["analyte", "unit"])
flag("observations.csv", observation_cells, "unit",
     observations.operation.isna() & observations.analyte.notna(), "a unit accepted for the analyte")
operation, factor, number = observations.operation.to_numpy(), observations.factor.to_numpy(), observations.number.to_numpy()
value = np.select([operation == "mul", operation == "div", operation == "degF"],
                  [number * factor, number / factor, (number - 32.0) * 5.0 / 9.0], number)
low = observations.analyte.map({a: r[0] for a, r in POSSIBLE.items()}).to_numpy(dtype=float)
high = observations.analyte.map({a: r[1] for a, r in POSSIBLE.items()}).to_numpy(dtype=float)
flag("observations.csv", observation_cells, "value", (value < low) | (value > high), "a possible value")
observations = observations[["patient_id", "time", "clock", "analyte"]].assign(value=value)
# One result entered twice (same patient, time, analyte and converted value) is kept once, with a warning.
observations = observations[~observations.duplicated()]

start, _ = times("treatments.csv", treatments, "start")
end = times("treatments.csv", treatments, "end", required=False)[0] if "end" in treatments else np.full(len(treatments), np.datetime64("NaT"))
flag("treatments.csv", treatments, "end", end < start, "an end on or after the start")
treatments = pd.DataFrame({
    "patient_id": patient_positions("treatments.csv", treatments, identifiers),
    "drug": vocabulary("treatments.csv", treatments, "drug", DRUGS), "start": start, "end": end,
    "stop_reason": vocabulary("treatments.csv", treatments, "stop_reason", STOP_REASONS, required=False) if "stop_reason" in treatments else "",
    "line": distinct(treatments, "line")[0].to_numpy()[treatments["line"].cat.codes] if "line" in treatments else "",
})
event_time, _ = times("events.csv", events, "time")
events = pd.DataFrame({
    "patient_id": patient_positions("events.csv", events, identifiers), "time": event_time,
    "event": vocabulary("events.csv", events, "event", {e: e for e in EVENTS}),
    "led_to_discontinuation": vocabulary("events.csv", events, "led_to_discontinuation", BOOLEAN, required=False)
    if "led_to_discontinuation" in events else np.nan,
    **{column: distinct(events, column)[0].to_numpy()[events[column].cat.codes] if column in events else ""
       for column in ("drug", "detail", "grade")},
})

if problems:
    for file, line, column, cell, expected in sorted(problems):
        print(f"{file}:{line}: column {column}: {cell!r}: expected {expected}", file=sys.stderr)
    sys.exit(1)

# --- per patient -----------------------------------------------------------------------------------------

def dates(series):
    return series.dt.normalize()


index_rows = treatments[treatments.drug == "anakinra"]
day0 = dates(index_rows.start).groupby(index_rows.patient_id).min().rename("day0")
# A course without an end is ongoing: it lasts to the end of the record.
course_end = dates(index_rows.end).fillna(pd.Timestamp.max).groupby(index_rows.patient_id).max().rename("course_end")
cohort = pd.DataFrame(index=pd.Index(patients.index[patients.index.isin(day0.index)], name="patient_id"))
cohort["day0"] = day0
directed = treatments[treatments.drug.isin(HLH_DIRECTED)].merge(day0, on="patient_id").merge(course_end, on="patient_id")
directed_start, directed_end = dates(directed.start), dates(directed.end)
cohort["first_line"] = ~cohort.index.isin(directed.patient_id[directed_start < directed.day0])
# The `line` of the earliest index-drug row decides when it is filled.
earliest = index_rows.assign(start=dates(index_rows.start)).sort_values("start").groupby("patient_id").line.first()
given = earliest[earliest != ""] == "first"
cohort.loc[given.index, "first_line"] = given
cohort["monotherapy"] = ~cohort.index.isin(directed.patient_id[(directed_start <= directed.course_end)
                                                               & (directed_end.isna() | (directed_end >= directed.day0))])


def study_days(frame, moment):
    return (dates(frame[moment]) - frame.day0).dt.days


obs = observations.merge(day0, left_on="patient_id", right_index=True)
obs["day"] = study_days(obs, "time")
# The day's worst value: the maximum, or the minimum for the analytes where low is bad (sign flipped).
obs["sign"] = np.where(obs.analyte.isin(MINIMUM_IS_WORSE), -1.0, 1.0)
obs["signed"] = obs.value * obs.sign
daily = obs.groupby(["patient_id", "analyte", "day"], sort=True).agg(signed=("signed", "max"), sign=("sign", "first")).reset_index()
daily["value"] = daily.signed * daily.sign
day0_values = daily[daily.day.between(-2, 0)].groupby(["patient_id", "analyte"]).value.last()
late = daily[daily.day.between(5, 9)].assign(distance=lambda d: (d.day - 7).abs())
day7_values = late.sort_values(["patient_id", "analyte", "distance", "day"]).groupby(["patient_id", "analyte"]).value.first()
labs = pd.DataFrame({"day0": day0_values, "day7": day7_values})

# Scores: the worst value of each analyte in [diagnosis date - 3, + 3], with the findings of patients.csv.
diagnosis = patients.loc[cohort.index, "diagnosis_date"]
obs["diagnosis_day"] = (dates(obs.time) - dates(obs.patient_id.map(diagnosis))).dt.days
window = obs[obs.diagnosis_day.between(-3, 3)]
worst = window.groupby(["patient_id", "analyte"]).signed.max().unstack()
for name in POSSIBLE:
    worst[name] = worst[name] * (-1.0 if name in MINIMUM_IS_WORSE else 1.0) if name in worst else np.nan
worst = worst.reindex(cohort.index)
findings = patients.loc[cohort.index]


def points(value, edges, values):
    """Points of a lab by its thresholds; NaN (unknown) stays NaN."""
    return pd.Series(np.where(value.isna(), np.nan, np.select(edges, values[:-1], values[-1])), index=value.index)


t, f, tg, fib, ast = worst.temperature, worst.ferritin, worst.triglycerides, worst.fibrinogen, worst.ast
labs_points = {
    "temperature": (points(t, [t < 38.4, t <= 39.4], [0, 33, 49]), 49),
    "ferritin": (points(f, [f < 2000, f <= 6000], [0, 35, 50]), 50),
    "triglycerides": (points(tg, [tg < 1.5, tg <= 4.0], [0, 44, 64]), 64),
    "fibrinogen": (points(fib, [fib <= 2.5], [30, 0]), 30),
    "ast": (points(ast, [ast >= 30], [19, 0]), 19),
}
score, top = pd.Series(0.0, index=cohort.index), pd.Series(0.0, index=cohort.index)
for item_points, most in labs_points.values():
    score += item_points.fillna(0)
    top += item_points.fillna(most)
for finding, worth in (("immunosuppression", 18), ("bm_hemophagocytosis", 35)):
    present = findings[finding]
    score += np.where(present == True, worth, 0)  # noqa: E712 (NaN is unknown)
    top += np.where(present == False, 0, worth)  # noqa: E712
organs = findings[["hepatomegaly", "splenomegaly"]]
enlarged, unknown_organs = (organs == True).sum(axis=1), organs.isna().sum(axis=1)  # noqa: E712
organ_points = np.array([0, 23, 38])
score += organ_points[enlarged]
top += organ_points[enlarged + unknown_organs]
lineages = pd.DataFrame({"hb": worst.hemoglobin <= 9.2, "wbc": worst.leukocytes <= 5.0, "plt": worst.platelets <= 110})
lineage_unknown = worst[["hemoglobin", "leukocytes", "platelets"]].isna().to_numpy()
low_lineages = (lineages.to_numpy() & ~lineage_unknown).sum(axis=1)
cytopenia_points = np.array([0, 0, 24, 34])
score += cytopenia_points[low_lineages]
top += cytopenia_points[low_lineages + lineage_unknown.sum(axis=1)]
cohort["hscore"], cohort["hscore_max"] = score, top


def status(test, value):
    """Three-valued: 1 met, 0 not met, NaN unknown."""
    return pd.Series(np.where(value.isna(), np.nan, test.astype(float)), index=value.index)


def boolean_status(finding):
    return findings[finding].astype(float)


age = findings.age_years
hb = worst.hemoglobin
hb_low = pd.Series(np.select([hb.isna(), hb < 9.0, hb >= 10.0], [np.nan, 1.0, 0.0],
                             np.where(age.isna(), np.nan, (age * 365.25 < 28).astype(float))), index=hb.index)
cytopenias = pd.concat([hb_low, status(worst.platelets < 100, worst.platelets), status(worst.neutrophils < 1.0, worst.neutrophils)], axis=1)
met_lineages, open_lineages = (cytopenias == 1).sum(axis=1), cytopenias.isna().sum(axis=1)
triglycerides = status(worst.triglycerides >= 3.0, worst.triglycerides)
fibrinogen = status(worst.fibrinogen <= 1.5, worst.fibrinogen)
criteria = pd.DataFrame({
    "fever": status(t >= 38.5, t),
    "splenomegaly": boolean_status("splenomegaly"),
    "cytopenias": np.where(met_lineages >= 2, 1.0, np.where(met_lineages + open_lineages < 2, 0.0, np.nan)),
    "triglycerides_or_fibrinogen": np.where((triglycerides == 1) | (fibrinogen == 1), 1.0,
                                            np.where((triglycerides == 0) & (fibrinogen == 0), 0.0, np.nan)),
    "hemophagocytosis": boolean_status("bm_hemophagocytosis"),
    "nk_activity": boolean_status("nk_activity_low"),
    "ferritin": status(f >= 500, f),
    "scd25": status(worst.scd25 >= 2400, worst.scd25),
})
met, unknown = (criteria == 1).sum(axis=1), criteria.isna().sum(axis=1)
molecular = boolean_status("molecular_hlh")
cohort["hlh2004"] = np.where((met >= 5) | (molecular == 1), "met",
                             np.where((met + unknown < 5) & (molecular == 0), "not_met", "indeterminate"))
ohi_scd25, ohi_ferritin = status(worst.scd25 > 3900, worst.scd25), status(f > 1000, f)
cohort["ohi"] = np.where((ohi_scd25 == 0) | (ohi_ferritin == 0), "negative",
                         np.where((ohi_scd25 == 1) & (ohi_ferritin == 1), "positive", "unknown"))

# Fever: febrile at baseline on Day -1 or 0; resolution on the first day d >= 0 with a reading, without fever
# on d and d + 1 (a day without a reading does not break the run).
temperature = daily[daily.analyte == "temperature"].set_index(["patient_id", "day"]).value >= 38.0
baseline = temperature[temperature.index.get_level_values("day").isin([-1, 0])].groupby("patient_id").any()
cohort["febrile"] = baseline.reindex(cohort.index)
fever = temperature.rename("fever").reset_index()
following = fever.assign(day=fever.day - 1).rename(columns={"fever": "fever_next"})
fever = fever.merge(following, on=["patient_id", "day"], how="left")
resolved = fever[(fever.day >= 0) & ~fever.fever & (fever.fever_next != True)]  # noqa: E712 (NaN: no reading)
cohort["resolution_day"] = resolved.groupby("patient_id").day.min().reindex(cohort.index).where(cohort.febrile == True)  # noqa: E712
cohort["last_temperature_day"] = fever.groupby("patient_id").day.max()

events = events.merge(day0, on="patient_id")
events["day"] = study_days(events, "time")
deaths = events[events.event == "death"]
cohort["death_day"] = deaths.groupby("patient_id").day.min()
inefficacy = index_rows[index_rows.stop_reason == "inefficacy"].merge(day0, on="patient_id")
rescue = treatments[treatments.drug.isin(RESCUE)].merge(day0, on="patient_id")
failed_rescue = set(inefficacy.patient_id[study_days(inefficacy, "end") < 7]) | set(
    rescue.patient_id[study_days(rescue, "start").between(1, 7)])
pairs = labs.unstack("analyte")


def decreased(analyte):
    if ("day0", analyte) not in pairs:
        return pd.Series(np.nan, index=cohort.index)
    before, after = pairs[("day0", analyte)].reindex(cohort.index), pairs[("day7", analyte)].reindex(cohort.index)
    return pd.Series(np.where(before.isna() | after.isna(), np.nan, (after < before).astype(float)), index=cohort.index)


items = pd.DataFrame({
    "fever": np.where(cohort.febrile.isna(), np.nan,
                      np.where(cohort.febrile == True, (cohort.resolution_day <= 7).astype(float), 1.0)),  # noqa: E712
    "crp": decreased("crp"),
    "ferritin": decreased("ferritin"),
    "alive": np.where(cohort.death_day <= 7, 0.0, 1.0),
    "no_inefficacy_or_rescue": np.where(cohort.index.isin(failed_rescue), 0.0, 1.0),
}, index=cohort.index)
cohort["response"] = np.where((items == 0).any(axis=1), 0.0, np.where(items.isna().any(axis=1), np.nan, 1.0))
stopped = set(index_rows.patient_id[index_rows.stop_reason == "adverse_event"]) | set(
    events.patient_id[(events.drug == "anakinra") & (events.led_to_discontinuation == True)])  # noqa: E712
cohort["discontinued_adverse_event"] = cohort.index.isin(stopped)

# --- cohort ----------------------------------------------------------------------------------------------

def summary(values):
    values = pd.Series(values).dropna()
    if values.empty:
        return {"n": 0}
    q1, median, q3 = np.quantile(values, [0.25, 0.5, 0.75])  # Hyndman-Fan type 7
    return {"n": len(values), "mean": values.mean(), "sd": values.std(), "median": median, "q1": q1, "q3": q3,
            "min": values.min(), "max": values.max()}


def wilson(count, n):
    p, z = count / n, Z95
    centre, half = p + z * z / (2 * n), z * np.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    return {"count": int(count), "n": int(n), "proportion": p, "ci95": [(centre - half) / (1 + z * z / n),
                                                                          (centre + half) / (1 + z * z / n)]}


def hodges_lehmann(differences):
    """Median of the Walsh averages of the non-zero differences, by bisection on counts (n is too large to
    list the n(n+1)/2 averages)."""
    d = np.sort(differences[differences != 0])
    n = len(d)
    if n == 0:
        return None
    total = n * (n + 1) // 2
    positions = np.arange(n)

    def at_most(w):  # Walsh averages (d_i + d_j) / 2 <= w with i <= j
        return int(np.maximum(np.searchsorted(d, 2 * w - d, side="right") - positions, 0).sum())

    def kth(k):  # 0-based
        lo, hi = d[0], d[-1]
        while True:
            mid = (lo + hi) / 2
            if mid in (lo, hi):
                return hi if at_most(lo) <= k else lo
            lo, hi = (lo, mid) if at_most(mid) > k else (mid, hi)

    return kth(total // 2) if total % 2 else (kth(total // 2 - 1) + kth(total // 2)) / 2


def comparison(frame):
    complete = frame.dropna()
    before, after = complete.day0.to_numpy(), complete.day7.to_numpy()
    difference = after - before
    nonzero = difference[difference != 0]
    if len(nonzero) < 2:
        return {"n_pairs": len(complete)}
    t_test = stats.ttest_rel(after, before)
    exact = len(nonzero) < 50 and len(np.unique(np.abs(nonzero))) == len(nonzero) and len(nonzero) == len(difference)
    wilcoxon = stats.wilcoxon(nonzero, correction=not exact, method="exact" if exact else "approx")
    return {"n_pairs": len(complete), "day0": summary(before), "day7": summary(after),
            "difference": {"mean": difference.mean(), "ci95": list(t_test.confidence_interval()),
                           "hodges_lehmann": hodges_lehmann(difference)},
            # Differences all equal: no variance, so no statistic (scipy would divide rounding noise).
            "paired_t": {"statistic": t_test.statistic, "p_value": t_test.pvalue} if np.ptp(difference) > 0 else None,
            "wilcoxon": {"statistic": float(stats.rankdata(np.abs(nonzero))[nonzero > 0].sum()), "p_value": wilcoxon.pvalue}}


def kaplan_meier(times, observed):
    fit = stats.ecdf(stats.CensoredData(uncensored=times[observed], right=times[~observed]))
    survival, at = fit.sf.probabilities, fit.sf.quantiles
    interval = fit.sf.confidence_interval(method="log-log")
    below = np.flatnonzero(survival <= 0.5)
    median = None
    if below.size:
        first = below[0]
        median = (at[first] + at[first + 1]) / 2 if survival[first] == 0.5 and first + 1 < len(at) else at[first]
    return {"median": median, "table": len(at), "lower": interval.low.probabilities.tolist()}


n = len(cohort)
febrile = cohort[cohort.febrile == True]  # noqa: E712
died_unresolved = febrile.death_day.where(febrile.resolution_day.isna())
censor_day = died_unresolved.fillna(febrile.last_temperature_day).clip(lower=0)
observed = febrile.resolution_day.notna().to_numpy()
km_times = np.where(observed, febrile.resolution_day, censor_day).astype(float)
judged = cohort.response.dropna()
window_days = daily[daily.day.between(-2, 14) & daily.analyte.isin(["temperature", "crp", "ferritin"])]
trajectories = window_days.groupby(["analyte", "day"]).value.quantile([0.25, 0.5, 0.75]).unstack()
after_day0 = events[events.day >= 0]
safety = {kind: {"patients": after_day0.patient_id[after_day0.event == kind].nunique(),
                 "events": int((after_day0.event == kind).sum()),
                 "by_type": after_day0[after_day0.event == kind].groupby(["detail", "grade"]).patient_id.agg(["size", "nunique"]).shape[0]}
          for kind in ("adverse_event", "infection")}
safety["icu_admission"] = events.patient_id[events.event == "icu_admission"].nunique()

result = {
    "attrition": [len(patients), n],
    "n_patients": n,
    "age_years": summary(findings.age_years),
    "sex": findings.sex.value_counts().to_dict(),
    "first_line": wilson(cohort.first_line.sum(), n),
    "monotherapy": wilson(cohort.monotherapy.sum(), n),
    "hscore": summary(cohort.hscore),
    "hscore_max": summary(cohort.hscore_max),
    "hlh2004_met": wilson((cohort.hlh2004 == "met").sum(), n),
    "ohi_positive": int((cohort.ohi == "positive").sum()),
    "response": {**wilson(judged.sum(), len(judged)), "unknown": int(cohort.response.isna().sum())},
    "fever_resolution": {"febrile_at_baseline": len(febrile), "resolved_by_day7": int((febrile.resolution_day <= 7).sum()),
                         "days": summary(febrile.resolution_day), "km": kaplan_meier(km_times, observed)},
    "labs": {analyte: comparison(frame.droplevel("analyte")) for analyte, frame in labs.groupby(level="analyte")},
    "trajectories": len(trajectories),
    "safety": safety,
    "deaths": int(cohort.death_day.notna().sum()),
    "discontinued_adverse_event": wilson(cohort.discontinued_adverse_event.sum(), n),
}
print(json.dumps(result, default=float))
