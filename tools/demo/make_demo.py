#!/usr/bin/env python3
"""Writes the bundled demo study of hlhkit: 21 synthetic patients (not real people).

The study is built so that the default analysis of docs/analysis-schema.md reproduces the figures of the
abstract of Baverez et al., J Clin Med 2022;11(19):5799: 21 patients, median age 45, 13 men, anakinra
first-line in 10 and monotherapy in 5, response 19/21, fever resolution in 19 with median 1 day (Q1 1, Q3 2),
Day-7 CRP decrease p < 0.001 and ferritin p = 0.011 under the paired t-test, discontinuation for adverse
events 3/21.

Run:  python3 tools/demo/make_demo.py crates/hlh-cli/demo
then: python3 tools/demo/check_demo.py crates/hlh-cli/demo   (an independent check of those figures)

Deterministic: the same script writes the same bytes (random.Random with a fixed seed, no clock).
"""
import csv
import datetime as dt
import random
import sys
from pathlib import Path

SEED = 20221001
rng = random.Random(SEED)
# A second stream for what was added later (each patient's own change of the blood counts, the panel at
# an earlier diagnosis), so that the first stream, and every value drawn from it, is unchanged.
variation = random.Random(SEED + 1)

# One line per patient: id, centre, sex, age, triggers, detail, first day (Day 0), diagnosis offset from Day 0,
# fever-resolution day (None: not resolved by Day 7), role. Six second-line patients were diagnosed 6 to 12
# days before anakinra was started (steroids first), the others within 2 days.
# Roles: mono = anakinra alone (first-line); fl_* = first-line with another HLH-directed drug during the
# course; nfl = corticosteroids before Day 0; nr_etoposide / nr_death = the two non-responders.
PATIENTS = [
    ("SYN-01", "A", "M", 45, "aosd", "adult-onset Still's disease flare", "2016-03-14", 0, 1, "mono"),
    ("SYN-02", "A", "F", 23, "aosd", "adult-onset Still's disease, first episode", "2016-09-02", -1, 0, "mono"),
    ("SYN-03", "B", "M", 31, "infection", "EBV primary infection", "2017-01-20", 0, 1, "mono"),
    ("SYN-04", "A", "F", 38, "sle;autoimmune", "systemic lupus erythematosus flare", "2017-05-08", -2, 2, "mono"),
    ("SYN-05", "B", "M", 56, "infection", "CMV reactivation", "2017-11-27", 0, 1, "mono"),
    ("SYN-06", "A", "M", 28, "aosd", "adult-onset Still's disease", "2018-02-11", 0, 1, "fl_steroid_day0"),
    ("SYN-07", "B", "M", 47, "infection", "bacterial sepsis (E. coli)", "2018-06-30", -1, 2, "fl_hydrocortisone"),
    ("SYN-08", "A", "F", 41, "idiopathic", "", "2018-10-15", 0, 1, "fl_ivig"),
    ("SYN-09", "B", "M", 64, "malignancy", "angioimmunoblastic T-cell lymphoma", "2019-01-09", -1, None, "nr_etoposide"),
    ("SYN-10", "A", "M", 53, "drug", "DRESS (allopurinol)", "2019-04-22", 0, 1, "fl_methylprednisolone"),
    ("SYN-11", "B", "F", 19, "aosd", "adult-onset Still's disease", "2019-07-03", -6, 1, "nfl"),
    ("SYN-12", "A", "M", 44, "infection", "visceral leishmaniasis", "2019-09-18", -8, 3, "nfl"),
    ("SYN-13", "B", "M", 61, "malignancy", "Hodgkin lymphoma", "2020-01-06", -12, 4, "nfl"),
    ("SYN-14", "A", "F", 34, "sle;autoimmune", "systemic lupus erythematosus", "2020-03-25", -1, 0, "nfl"),
    ("SYN-15", "B", "M", 72, "infection", "SARS-CoV-2 pneumonia", "2020-11-12", 0, 1, "nfl"),
    ("SYN-16", "A", "M", 40, "aosd", "adult-onset Still's disease", "2021-01-28", -1, 1, "nfl"),
    ("SYN-17", "B", "F", 58, "malignancy", "diffuse large B-cell lymphoma", "2021-03-17", -9, 5, "nfl"),
    ("SYN-18", "A", "M", 67, "infection", "bacterial sepsis (S. aureus)", "2021-05-05", 0, None, "nr_death"),
    ("SYN-19", "B", "M", 43, "idiopathic", "", "2021-07-19", -7, 2, "nfl"),
    ("SYN-20", "A", "F", 78, "infection", "EBV reactivation", "2021-09-06", 0, 1, "nfl"),
    ("SYN-21", "B", "F", 51, "malignancy", "peripheral T-cell lymphoma", "2021-11-22", -6, 1, "nfl"),
]

# Day-0 and Day-7 ferritin (ug/L) of each patient, chosen so that the paired t-test gives p = 0.011 and the
# series stays clinically plausible (Still's disease and lymphoma highest). SYN-18 dies on Day 5.
FERRITIN = {
    "SYN-01": (42_500, 9_800), "SYN-02": (18_200, 6_100), "SYN-03": (9_600, 3_900), "SYN-04": (3_100, 1_750),
    "SYN-05": (5_400, 2_600), "SYN-06": (61_000, 54_800), "SYN-07": (4_200, 2_150), "SYN-08": (7_900, 3_300),
    "SYN-09": (12_400, 26_800), "SYN-10": (2_650, 1_500), "SYN-11": (38_900, 13_700), "SYN-12": (6_300, 3_050),
    "SYN-13": (15_800, 9_200), "SYN-14": (2_200, 1_180), "SYN-15": (1_850, 1_020), "SYN-16": (27_400, 8_900),
    "SYN-17": (21_600, 17_900), "SYN-18": (9_100, None), "SYN-19": (5_700, 2_400), "SYN-20": (3_900, 2_050),
    "SYN-21": (11_200, 5_950),
}

# Day on which the "Day-7" laboratory tests were drawn (the analysis takes the day in [5, 9] closest to 7).
DAY7_DAYS = {"SYN-04": [6], "SYN-12": [8], "SYN-20": [6, 8], "SYN-13": [9, 5]}
# Day on which the baseline tests were drawn, when not Day 0 (the analysis takes the latest in [-2, 0]).
DAY0_DAY = {"SYN-02": -1, "SYN-11": -1, "SYN-17": -2, "SYN-07": -1}

# Centre B reports in the units of its laboratory; temperatures of SYN-21 in degrees Fahrenheit.
FAHRENHEIT_PATIENTS = {"SYN-21"}


def day(base, offset):
    return base + dt.timedelta(days=offset)


def fmt_num(value, decimals):
    text = f"{value:.{decimals}f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text


def write(rows, path, header):
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows)


def main(out):
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    patients, observations, treatments, events = [], [], [], []
    for (pid, centre, sex, age, triggers, detail, day0_text, dx_offset, resolution, role) in PATIENTS:
        day0 = dt.date.fromisoformat(day0_text)
        diagnosis = day(day0, dx_offset)
        unit_b = centre == "B"
        death_day = 5 if role == "nr_death" else (48 if pid == "SYN-13" else None)
        last_day = death_day if death_day is not None else 90
        # Age written directly for centre A; as a birth year for two centre-B patients (age = year difference).
        if pid in ("SYN-05", "SYN-19"):
            age_cell, birth_cell = "", str(diagnosis.year - age)
        else:
            age_cell, birth_cell = str(age), ""
        spleno = "yes" if role in ("mono", "nr_etoposide", "nfl") and rng.random() < 0.6 else "no"
        hepato = "yes" if rng.random() < 0.45 else "no"
        marrow = "" if pid in ("SYN-02", "SYN-06", "SYN-16") else ("yes" if rng.random() < 0.7 else "no")
        immuno = "yes" if pid in ("SYN-04", "SYN-13", "SYN-14", "SYN-17", "SYN-21", "SYN-09") else "no"
        nk = "yes" if pid in ("SYN-03", "SYN-09") else ""
        molecular = "no" if pid in ("SYN-02", "SYN-11") else ""
        patients.append([
            pid, f"Synthetic centre {centre}", sex, age_cell, birth_cell, diagnosis.isoformat(), triggers, detail,
            immuno, hepato, spleno, marrow, nk, molecular, day(day0, last_day).isoformat(),
        ])

        # Temperatures: two to three readings a day from Day -2 until Day 10 (or death).
        last_febrile = (resolution - 1) if resolution is not None else 10
        for d in range(-2, min(10, last_day) + 1):
            if pid == "SYN-08" and d == 3:
                continue  # no reading that day: it does not break an afebrile run
            readings = [8, 20] if d % 2 else [7, 14, 21]
            febrile_day = d <= last_febrile and not (resolution == 0 and d >= 0)
            peak_index = rng.randrange(len(readings))
            for i, hour in enumerate(readings):
                if febrile_day and i == peak_index:
                    celsius = round(rng.uniform(38.4, 40.2), 1)
                elif febrile_day:
                    celsius = round(rng.uniform(37.2, 38.6), 1)
                else:
                    celsius = round(rng.uniform(36.3, 37.6), 1)
                if pid == "SYN-17" and d == 7 and i == peak_index:
                    # One fever two days after resolution (Day 5): resolved under the default two afebrile
                    # days, not by Day 7 when three are asked for (fever.sustained_days = 3). Set after the
                    # draw, so that every other value is unchanged.
                    celsius = 38.4
                stamp = f"{day(day0, d).isoformat()}T{hour:02d}:00"
                if pid in FAHRENHEIT_PATIENTS:
                    observations.append([pid, stamp, "temperature", fmt_num(celsius * 9 / 5 + 32, 1), "[degF]"])
                else:
                    observations.append([pid, stamp, "temperature", fmt_num(celsius, 1), "Cel"])

        # Laboratory tests at baseline, Day 3, around Day 7 and Day 14.
        base_day = DAY0_DAY.get(pid, 0)
        day7_days = DAY7_DAYS.get(pid, [7])
        lab_days = [base_day, 3] + [d for d in day7_days if d <= last_day] + ([14] if last_day >= 14 else [])
        if role == "nr_death":
            lab_days = [base_day, 3]
        ferritin0, ferritin7 = FERRITIN[pid]
        crp0 = rng.uniform(95, 320)
        crp7 = crp0 * rng.uniform(0.04, 0.3) if role not in ("nr_etoposide", "nr_death") else crp0 * 1.3
        hb0 = rng.uniform(7.2, 10.8)
        plt0 = rng.uniform(35, 160)
        wbc0 = rng.uniform(1.2, 6.5)
        # Each patient's own recovery of the blood counts by Day 7 (a non-responder's may fall further).
        recovering = role not in ("nr_etoposide", "nr_death")
        hb_change = variation.uniform(-0.4, 2.6) if recovering else variation.uniform(-1.2, 0.3)
        plt_change = variation.uniform(-15, 240) if recovering else variation.uniform(-30, 20)
        wbc_change = variation.uniform(-0.8, 4.6) if recovering else variation.uniform(-1.0, 0.5)
        for d in lab_days:
            progress = {base_day: 0.0, 3: 0.5}.get(d, 1.0 if d < 12 else 1.2)
            stamp = day(day0, d).isoformat() + ("T06:30" if d != base_day else "")
            crp = crp0 + (crp7 - crp0) * min(progress, 1.0)
            if d == 14:
                crp = max(1.5, crp7 * 0.4)
            if ferritin7 is None:
                ferritin = ferritin0 * (1 + 0.2 * progress)
            elif d == 14:
                ferritin = ferritin7 * 0.6
            else:
                ferritin = ferritin0 + (ferritin7 - ferritin0) * min(progress, 1.0)
            if d in day7_days and d != day7_days[0]:
                # A second draw in the Day-7 window, further from Day 7 or later in a tie: not the one used.
                ferritin *= 0.93
                crp *= 0.9
            if unit_b:
                observations.append([pid, stamp, "crp", fmt_num(crp / 10, 2), "mg/dL"])
                observations.append([pid, stamp, "ferritin", fmt_num(ferritin, 0), "ng/mL"])
            else:
                observations.append([pid, stamp, "crp", fmt_num(crp, 1), "mg/L"])
                observations.append([pid, stamp, "ferritin", fmt_num(ferritin, 0), "ug/L"])
            hb = hb0 + hb_change * min(progress, 1.0)
            plt = max(8, plt0 + plt_change * min(progress, 1.0))
            wbc = max(0.3, wbc0 + wbc_change * min(progress, 1.0))
            if unit_b:
                observations.append([pid, stamp, "hemoglobin", fmt_num(hb * 10, 0), "g/L"])
                observations.append([pid, stamp, "platelets", fmt_num(round(plt) * 1000, 0), "/mm3"])
            else:
                observations.append([pid, stamp, "hemoglobin", fmt_num(hb, 1), "g/dL"])
                observations.append([pid, stamp, "platelets", fmt_num(plt, 0), "10*9/L"])
            observations.append([pid, stamp, "leukocytes", fmt_num(wbc, 2), "G/L"])
            observations.append([pid, stamp, "neutrophils", fmt_num(wbc * rng.uniform(0.45, 0.8), 2), "G/L"])
            ast = rng.uniform(45, 380) * (1 - 0.6 * min(progress, 1.0))
            observations.append([pid, stamp, "ast", fmt_num(ast, 0), "IU/L" if unit_b else "U/L"])
            observations.append([pid, stamp, "alt", fmt_num(ast * rng.uniform(0.6, 1.3), 0), "IU/L" if unit_b else "U/L"])
            observations.append([pid, stamp, "ldh", fmt_num(rng.uniform(450, 1900) * (1 - 0.4 * min(progress, 1.0)), 0), "U/L"])
            if d == base_day:
                if pid not in ("SYN-03", "SYN-16"):  # triglycerides not measured
                    tg = rng.uniform(1.6, 5.2)
                    observations.append([pid, stamp, "triglycerides", fmt_num(tg * 88.57, 0) if unit_b else fmt_num(tg, 2), "mg/dL" if unit_b else "mmol/L"])
                if pid != "SYN-20":  # fibrinogen not measured
                    fib = rng.uniform(0.9, 4.2)
                    observations.append([pid, stamp, "fibrinogen", fmt_num(fib * 100, 0) if unit_b else fmt_num(fib, 2), "mg/dL" if unit_b else "g/L"])
                if pid in ("SYN-01", "SYN-09", "SYN-13", "SYN-17"):
                    observations.append([pid, stamp, "scd25", fmt_num(rng.uniform(2600, 14000), 0), "U/mL"])
                observations.append([pid, stamp, "sodium", fmt_num(rng.uniform(126, 141), 0), "mmol/L"])
                observations.append([pid, stamp, "creatinine", fmt_num(rng.uniform(0.6, 2.4), 2) if unit_b else fmt_num(rng.uniform(55, 210), 0), "mg/dL" if unit_b else "umol/L"])
        # Diagnosed more than 3 days before Day 0: the panel of the diagnosis day, which the scores read
        # (their window is the diagnosis date ± 3 days), at the height of the illness.
        if dx_offset < -3:
            stamp = diagnosis.isoformat() + "T09:00"
            panel = [
                ("temperature", fmt_num(round(variation.uniform(38.8, 40.1), 1), 1), "Cel"),
                ("ferritin", fmt_num(ferritin0 * variation.uniform(0.7, 1.1), 0), "ug/L"),
                ("crp", fmt_num(crp0 * variation.uniform(0.8, 1.1), 1), "mg/L"),
                ("hemoglobin", fmt_num(hb0 + variation.uniform(-0.3, 0.8), 1), "g/dL"),
                ("platelets", fmt_num(plt0 * variation.uniform(0.9, 1.4), 0), "10*9/L"),
                ("leukocytes", fmt_num(wbc0 * variation.uniform(0.9, 1.3), 2), "G/L"),
                ("triglycerides", fmt_num(variation.uniform(1.6, 4.8), 2), "mmol/L"),
                ("fibrinogen", fmt_num(variation.uniform(1.0, 3.8), 2), "g/L"),
                ("ast", fmt_num(variation.uniform(45, 320), 0), "U/L"),
            ]
            for analyte, value, unit in panel:
                observations.append([pid, stamp, analyte, value, unit])
        # Two CRP results on the baseline day for SYN-10: the day's worst (the higher) counts.
        if pid == "SYN-10":
            observations.append([pid, day(day0, base_day).isoformat() + "T18:00", "crp", fmt_num(crp0 * 0.8, 1), "mg/L"])
        # A censored result as the laboratory printed it.
        if pid == "SYN-14":
            observations.append([pid, day(day0, 14).isoformat(), "crp", "<5", "mg/L"])

        # Treatments.
        t = treatments.append
        iv_severe = role in ("fl_hydrocortisone", "nr_etoposide", "nr_death") or pid == "SYN-15"
        route, dose, frequency = ("iv", "100", "q6h") if iv_severe else ("sc", "100", "bid")
        first_line_cell = "first" if pid in ("SYN-01", "SYN-02", "SYN-06") else ("second" if pid in ("SYN-11", "SYN-16") else "")
        if role == "nr_etoposide":
            t([pid, "anakinra", day(day0, 0).isoformat(), day(day0, 5).isoformat(), dose, "mg", frequency, route, "inefficacy", ""])
            t([pid, "dexamethasone", day(day0, 0).isoformat(), day(day0, 20).isoformat(), "10", "mg/m2", "qd", "iv", "completed", ""])
            t([pid, "etoposide", day(day0, 5).isoformat(), day(day0, 19).isoformat(), "150", "mg/m2", "twice weekly", "iv", "completed", ""])
            t([pid, "chemotherapy", day(day0, 21).isoformat(), "", "", "", "CHOP", "iv", "", ""])
        elif role == "nr_death":
            t([pid, "anakinra", day(day0, 0).isoformat(), day(day0, 5).isoformat(), dose, "mg", frequency, route, "death", ""])
            t([pid, "antimicrobial", day(day0, -3).isoformat(), day(day0, 5).isoformat(), "", "", "", "iv", "death", ""])
            t([pid, "methylprednisolone", day(day0, -1).isoformat(), day(day0, 5).isoformat(), "1", "mg/kg", "qd", "iv", "death", ""])
        else:
            if pid == "SYN-06":
                end, reason = 10, "adverse_event"
            elif pid == "SYN-15":
                end, reason = 8, "adverse_event"
            elif pid == "SYN-19":
                end, reason = 13, "adverse_event"
            elif pid == "SYN-13":
                end, reason = 48, "death"
            elif pid == "SYN-16":
                end, reason = None, ""
            else:
                end, reason = rng.choice([14, 21, 28, 30, 42]), rng.choice(["completed", "remission"])
            if pid in ("SYN-01", "SYN-12"):
                # A dose change: two rows, listed later course first; Day 0 is still the earliest start.
                t([pid, "anakinra", day(day0, 3).isoformat(), day(day0, end).isoformat(), "100", "mg", "qd", route, reason, first_line_cell])
                t([pid, "anakinra", day(day0, 0).isoformat(), day(day0, 2).isoformat(), "200", "mg", "bid", route, "", first_line_cell])
            else:
                t([pid, "anakinra", day(day0, 0).isoformat(), "" if end is None else day(day0, end).isoformat(), dose, "mg", frequency, route, reason, first_line_cell])
            if role == "fl_steroid_day0":
                t([pid, "prednisone", day(day0, 0).isoformat(), day(day0, 40).isoformat(), "1", "mg/kg", "qd", "po", "completed", ""])
            elif role == "fl_hydrocortisone":
                t([pid, "hydrocortisone", day(day0, 1).isoformat(), day(day0, 6).isoformat(), "200", "mg", "continuous", "iv", "completed", ""])
                t([pid, "antimicrobial", day(day0, -2).isoformat(), day(day0, 12).isoformat(), "", "", "", "iv", "completed", ""])
            elif role == "fl_ivig":
                t([pid, "ivig", day(day0, 2).isoformat(), day(day0, 3).isoformat(), "1", "g/kg", "qd", "iv", "completed", ""])
            elif role == "fl_methylprednisolone":
                t([pid, "methylprednisolone", day(day0, 1).isoformat(), day(day0, 3).isoformat(), "500", "mg", "qd", "iv", "completed", ""])
                t([pid, "prednisone", day(day0, 4).isoformat(), day(day0, 45).isoformat(), "1", "mg/kg", "qd", "po", "completed", ""])
            elif role == "nfl":
                t([pid, "methylprednisolone", day(day0, -4).isoformat(), day(day0, -2).isoformat(), "1", "g", "qd", "iv", "completed", ""])
                t([pid, "prednisone", day(day0, -1).isoformat(), day(day0, 35).isoformat(), "1", "mg/kg", "qd", "po", "completed", ""])
            if pid in ("SYN-05",):
                t([pid, "antimicrobial", day(day0, 0).isoformat(), day(day0, 21).isoformat(), "5", "mg/kg", "bid", "iv", "completed", ""])
            if pid == "SYN-12":
                t([pid, "antimicrobial", day(day0, -1).isoformat(), day(day0, 20).isoformat(), "3", "mg/kg", "qd", "iv", "completed", ""])
            if pid == "SYN-17":
                t([pid, "chemotherapy", day(day0, 6).isoformat(), day(day0, 6).isoformat(), "", "", "R-CHOP", "iv", "completed", ""])
            if pid == "SYN-21":
                t([pid, "chemotherapy", day(day0, 9).isoformat(), day(day0, 9).isoformat(), "", "", "CHOP", "iv", "completed", ""])

        # Events.
        e = events.append
        if pid in ("SYN-07", "SYN-09", "SYN-15", "SYN-18"):
            e([pid, day(day0, -1).isoformat(), "icu_admission", "", "", "", "", ""])
            if death_day != 5:
                e([pid, day(day0, 9).isoformat(), "icu_discharge", "", "", "", "", ""])
        if pid == "SYN-06":
            e([pid, day(day0, 10).isoformat(), "adverse_event", "injection-site reaction", "2", "anakinra", "yes", ""])
        if pid == "SYN-15":
            e([pid, day(day0, 8).isoformat(), "adverse_event", "cytolytic hepatitis", "3", "anakinra", "yes", ""])
        if pid == "SYN-19":
            e([pid, day(day0, 13).isoformat(), "adverse_event", "rash with eosinophilia", "2", "anakinra", "yes", ""])
        if pid == "SYN-03":
            e([pid, day(day0, 4).isoformat(), "adverse_event", "injection-site reaction", "1", "anakinra", "no", ""])
        if pid == "SYN-13":
            e([pid, day(day0, 20).isoformat(), "infection", "pneumonia", "3", "", "", ""])
            e([pid, day(day0, 48).isoformat(), "death", "lymphoma progression", "", "", "", ""])
        if pid == "SYN-18":
            e([pid, day(day0, 5).isoformat(), "death", "refractory septic shock", "", "", "", ""])
        else:
            judgement = "none" if role == "nr_etoposide" else ("partial" if pid in ("SYN-17", "SYN-13", "SYN-06") else "complete")
            e([pid, day(day0, 7).isoformat(), "response_assessment", "", "", "", "", judgement])
        if death_day is None:
            e([pid, day(day0, rng.choice([16, 18, 21, 25])).isoformat(), "discharge", "", "", "", "", ""])

    write(patients, out / "patients.csv", [
        "patient_id", "centre", "sex", "age_years", "birth_year", "diagnosis_date", "triggers", "trigger_detail",
        "immunosuppression", "hepatomegaly", "splenomegaly", "bm_hemophagocytosis", "nk_activity_low",
        "molecular_hlh", "last_followup_date"])
    write(observations, out / "observations.csv", ["patient_id", "time", "analyte", "value", "unit"])
    write(treatments, out / "treatments.csv", [
        "patient_id", "drug", "start", "end", "dose", "dose_unit", "frequency", "route", "stop_reason", "line"])
    write(events, out / "events.csv", [
        "patient_id", "time", "event", "detail", "grade", "drug", "led_to_discontinuation", "value"])
    (out / "study.toml").write_text(
        'title = "hlhkit demo study: SYNTHETIC data, 21 invented patients (not real people)"\n'
        'centres = ["Synthetic centre A", "Synthetic centre B"]\n'
        '# The comparisons a manuscript reports beside the main outcomes.\n'
        '[protocol.compare]\n'
        'by = ["response", "first_line", "trigger", "centre", "early_anakinra"]\n',
        encoding="utf-8")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "crates/hlh-cli/demo")
