#!/usr/bin/env python3
"""`hlh omop find` against the same cohort logic written as SQL in DuckDB, on the same Parquet CDM.

For each size: writes the CDM once with `hlh omop synth`, then runs the two tools in alternation
(hlh, duckdb, hlh, duckdb, ...), each as its own process under /usr/bin/time, and reports wall time and
peak resident memory with their ratios. Both write the study's rows (patients, observations, treatments)
to files, and the DuckDB cohort is checked to equal hlh's (same person ids and inclusion reasons).

    python3 bench/omop_vs_duckdb.py --persons 200000 1000000 --runs 3 [--layout spark|files]

`--layout spark` (the default) lays the CDM out as Spark writes a warehouse (a folder of 40 part files per
table, row groups of 1,048,576 rows, every CDM column, rows in no order within a part); `files` writes one
file per table with the columns the cohort reads.

Needs: a release build (cargo build --release), Python with duckdb (pip install duckdb).
"""

import argparse
import csv
import os
import subprocess
import sys
import tempfile
import time

# The DuckDB side: the cohort of docs/omop.md with the default concept sets, in one SQL script. Units and the
# HScore lower bound are CASE expressions over the study format's conversion table.
DUCKDB_SQL = r"""
CREATE VIEW person AS SELECT * FROM read_parquet('{person}');
CREATE VIEW drug_exposure AS SELECT * FROM read_parquet('{drug_exposure}');
CREATE VIEW condition_occurrence AS SELECT * FROM read_parquet('{condition_occurrence}');
CREATE VIEW measurement AS SELECT * FROM read_parquet('{measurement}');
CREATE VIEW death AS SELECT * FROM read_parquet('{death}');
CREATE VIEW concept_ancestor AS SELECT * FROM read_csv('{cdm}/concept_ancestor.csv', header = true);

CREATE TEMP TABLE drug_listed AS SELECT * FROM (VALUES
  (1114375, 0), (1114379, 0), (1518254, 1), (1506270, 2), (1550557, 3), (1551099, 4), (975125, 5),
  (1350504, 6), (19010482, 7), (40171288, 8), (1314273, 9), (40244464, 10)) t(concept_id, rank);
CREATE TEMP TABLE drug_concepts AS
  SELECT concept_id, min(rank) AS rank FROM (
    SELECT concept_id, rank FROM drug_listed
    UNION ALL SELECT a.descendant_concept_id, l.rank FROM concept_ancestor a JOIN drug_listed l ON a.ancestor_concept_id = l.concept_id)
  GROUP BY concept_id;
CREATE TEMP TABLE exposed AS
  SELECT d.person_id, min(d.drug_exposure_start_date) AS day0 FROM drug_exposure d
  LEFT JOIN drug_concepts c ON d.drug_concept_id = c.concept_id
  WHERE c.rank = 0 OR lower(d.drug_source_value) LIKE '%anakinra%' OR lower(d.drug_source_value) LIKE '%kineret%'
  GROUP BY d.person_id;

CREATE TEMP TABLE condition_concepts AS
  SELECT DISTINCT concept_id, kind FROM (
    SELECT * FROM (VALUES (4121123, 'hlh'), (200527, 'splenomegaly')) t(concept_id, kind)
    UNION ALL SELECT a.descendant_concept_id, l.kind FROM concept_ancestor a
      JOIN (VALUES (4121123, 'hlh'), (200527, 'splenomegaly')) l(concept_id, kind) ON a.ancestor_concept_id = l.concept_id);
CREATE TEMP TABLE conditions AS
  SELECT DISTINCT c.condition_occurrence_id, c.person_id, c.condition_start_date,
    CASE WHEN replace(upper(trim(c.condition_source_value)), '.', '') IN ('D761', 'D762') THEN 'hlh' ELSE k.kind END AS kind
  FROM condition_occurrence c JOIN exposed e USING (person_id)
  LEFT JOIN condition_concepts k ON c.condition_concept_id = k.concept_id
  WHERE (k.kind IS NOT NULL OR replace(upper(trim(c.condition_source_value)), '.', '') IN ('D761', 'D762'))
    AND c.condition_start_date BETWEEN e.day0 - INTERVAL 30 DAY AND e.day0 + INTERVAL 7 DAY;

CREATE TEMP TABLE unit_ids AS SELECT * FROM (VALUES
  (8842, 'ng/mL'), (8748, 'ug/L'), (8751, 'mg/L'), (8840, 'mg/dL'), (8753, 'mmol/L'), (8713, 'g/dL'),
  (8636, 'g/L'), (8645, 'U/L'), (8923, '[iU]/L'), (8848, '10*3/uL'), (8961, '10*3/uL'), (9444, '10*9/L'),
  (586323, 'Cel'), (9289, '[degF]')) t(unit_concept_id, unit);
CREATE TEMP TABLE accepted AS SELECT * FROM (VALUES
  ('temperature', 'Cel', 1.0, 0.0), ('temperature', '[degF]', 5.0 / 9.0, -32.0 * 5.0 / 9.0),
  ('ferritin', 'ug/L', 1.0, 0.0), ('ferritin', 'ng/mL', 1.0, 0.0),
  ('crp', 'mg/L', 1.0, 0.0), ('crp', 'mg/dL', 10.0, 0.0),
  ('hemoglobin', 'g/dL', 1.0, 0.0), ('hemoglobin', 'g/L', 0.1, 0.0),
  ('leukocytes', '10*9/L', 1.0, 0.0), ('leukocytes', '10*3/uL', 1.0, 0.0),
  ('neutrophils', '10*9/L', 1.0, 0.0), ('neutrophils', '10*3/uL', 1.0, 0.0),
  ('platelets', '10*9/L', 1.0, 0.0), ('platelets', '10*3/uL', 1.0, 0.0),
  ('triglycerides', 'mmol/L', 1.0, 0.0), ('triglycerides', 'mg/dL', 1.0 / 88.57, 0.0),
  ('fibrinogen', 'g/L', 1.0, 0.0), ('fibrinogen', 'mg/dL', 0.01, 0.0),
  ('ast', 'U/L', 1.0, 0.0), ('ast', '[iU]/L', 1.0, 0.0), ('alt', 'U/L', 1.0, 0.0), ('alt', '[iU]/L', 1.0, 0.0)
  ) t(analyte, unit, mul, add);
CREATE TEMP TABLE measurement_concepts AS SELECT * FROM (VALUES
  (3001122, 'ferritin'), (3020460, 'crp'), (3022192, 'triglycerides'), (3013721, 'ast'), (3006923, 'alt'),
  (3000963, 'hemoglobin'), (3027484, 'hemoglobin'), (3000905, 'leukocytes'), (3010813, 'leukocytes'),
  (3013650, 'neutrophils'), (3017732, 'neutrophils'), (3017501, 'neutrophils'), (3024929, 'platelets'),
  (3007461, 'platelets'), (3020891, 'temperature'), (3025926, 'temperature'), (3016715, 'temperature'),
  (3006322, 'temperature')) t(concept_id, analyte);
CREATE TEMP TABLE labs AS
  WITH raw AS (
    SELECT m.measurement_id, m.person_id, m.measurement_date, e.day0,
      CASE WHEN trim(m.measurement_source_value) = '3255-7' THEN 'fibrinogen' ELSE a.analyte END AS analyte,
      m.value_as_number, m.unit_concept_id, trim(m.unit_source_value) AS unit_source_value,
      row_number() OVER (PARTITION BY m.measurement_id) AS copy
    FROM measurement m JOIN exposed e USING (person_id)
    LEFT JOIN measurement_concepts a ON m.measurement_concept_id = a.concept_id
    WHERE (a.analyte IS NOT NULL OR trim(m.measurement_source_value) = '3255-7')
      AND m.measurement_date BETWEEN e.day0 - INTERVAL 30 DAY AND e.day0 + INTERVAL 60 DAY)
  SELECT r.measurement_id, r.person_id, r.measurement_date, r.day0, r.analyte,
    r.value_as_number * u.mul + u.add AS value
  FROM raw r LEFT JOIN unit_ids i ON r.unit_concept_id = i.unit_concept_id
  JOIN accepted u ON u.analyte = r.analyte AND u.unit = coalesce(i.unit, r.unit_source_value)
  WHERE r.copy = 1 AND r.value_as_number IS NOT NULL;

CREATE TEMP TABLE worst AS
  SELECT person_id,
    max(value) FILTER (WHERE analyte = 'temperature') AS temperature,
    max(value) FILTER (WHERE analyte = 'ferritin') AS ferritin,
    max(value) FILTER (WHERE analyte = 'triglycerides') AS triglycerides,
    min(value) FILTER (WHERE analyte = 'fibrinogen') AS fibrinogen,
    max(value) FILTER (WHERE analyte = 'ast') AS ast,
    min(value) FILTER (WHERE analyte = 'hemoglobin') AS hemoglobin,
    min(value) FILTER (WHERE analyte = 'leukocytes') AS leukocytes,
    min(value) FILTER (WHERE analyte = 'platelets') AS platelets
  FROM labs WHERE measurement_date BETWEEN day0 - INTERVAL 7 DAY AND day0 + INTERVAL 1 DAY
  GROUP BY person_id;
CREATE TEMP TABLE cohort AS
  SELECT e.person_id, e.day0, p.gender_concept_id, p.year_of_birth,
    CASE WHEN h.first_hlh IS NOT NULL THEN 'hlh_code' ELSE 'hscore' END AS inclusion,
    coalesce(h.first_hlh, e.day0) AS diagnosis_date
  FROM exposed e
  JOIN (SELECT person_id, min(gender_concept_id) AS gender_concept_id, min(year_of_birth) AS year_of_birth FROM person GROUP BY person_id) p USING (person_id)
  LEFT JOIN (SELECT person_id, min(condition_start_date) AS first_hlh FROM conditions WHERE kind = 'hlh' GROUP BY person_id) h USING (person_id)
  LEFT JOIN (SELECT DISTINCT person_id, TRUE AS spleen FROM conditions WHERE kind = 'splenomegaly') s USING (person_id)
  LEFT JOIN worst w USING (person_id)
  WHERE h.first_hlh IS NOT NULL OR (
      CASE WHEN w.temperature > 39.4 THEN 49 WHEN w.temperature >= 38.4 THEN 33 ELSE 0 END
    + CASE WHEN s.spleen THEN 23 ELSE 0 END
    + CASE (CASE WHEN w.hemoglobin <= 9.2 THEN 1 ELSE 0 END + CASE WHEN w.leukocytes <= 5.0 THEN 1 ELSE 0 END
            + CASE WHEN w.platelets <= 110 THEN 1 ELSE 0 END) WHEN 2 THEN 24 WHEN 3 THEN 34 ELSE 0 END
    + CASE WHEN w.ferritin > 6000 THEN 50 WHEN w.ferritin >= 2000 THEN 35 ELSE 0 END
    + CASE WHEN w.triglycerides > 4 THEN 64 WHEN w.triglycerides >= 1.5 THEN 44 ELSE 0 END
    + CASE WHEN w.fibrinogen <= 2.5 THEN 30 ELSE 0 END
    + CASE WHEN w.ast >= 30 THEN 19 ELSE 0 END) >= 169;

COPY (SELECT person_id, inclusion, diagnosis_date FROM cohort ORDER BY person_id) TO '{out}/patients.csv' (HEADER);
COPY (SELECT l.person_id, l.measurement_date, l.analyte, l.value FROM labs l JOIN cohort c USING (person_id)
      ORDER BY l.person_id, l.measurement_date, l.analyte, l.measurement_id) TO '{out}/observations.csv' (HEADER);
COPY (SELECT DISTINCT d.drug_exposure_id, d.person_id, d.drug_exposure_start_date, d.drug_exposure_end_date
      FROM drug_exposure d JOIN cohort c USING (person_id) LEFT JOIN drug_concepts k ON d.drug_concept_id = k.concept_id
      WHERE (k.rank IS NOT NULL OR lower(d.drug_source_value) LIKE '%anakinra%' OR lower(d.drug_source_value) LIKE '%kineret%')
        AND d.drug_exposure_start_date BETWEEN c.day0 - INTERVAL 30 DAY AND c.day0 + INTERVAL 60 DAY
      ORDER BY 2, 3, 1) TO '{out}/treatments.csv' (HEADER);
"""

DUCKDB_RUNNER = r"""
import sys, duckdb
sql, threads = sys.argv[1], sys.argv[2]
con = duckdb.connect()
con.execute(f"SET threads = {threads}")
con.execute(open(sql).read())
"""


def timed(command):
    """Runs a command under /usr/bin/time; returns (seconds, peak MiB)."""
    started = time.perf_counter()
    result = subprocess.run(["/usr/bin/time", "-f", "%M"] + command, capture_output=True, text=True)
    elapsed = time.perf_counter() - started
    if result.returncode != 0:
        sys.exit(f"failed: {' '.join(command)}\n{result.stderr}")
    peak_kib = int(result.stderr.strip().splitlines()[-1])
    return elapsed, peak_kib / 1024


def cohort_of(path, id_column, inclusion_column):
    with open(path) as f:
        return sorted((int(row[id_column]), row[inclusion_column]) for row in csv.DictReader(f))


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--persons", type=int, nargs="+", default=[200_000, 1_000_000])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--hlh", default="target/release/hlh")
    parser.add_argument("--workdir", default=os.path.join(tempfile.gettempdir(), "hlh-omop-bench"))
    parser.add_argument("--layout", choices=["spark", "files"], default="spark")
    args = parser.parse_args()
    import duckdb

    threads = os.cpu_count()
    print(f"machine: {threads} cores; duckdb {duckdb.__version__}; hlh {subprocess.run([args.hlh, '--version'], capture_output=True, text=True).stdout.strip()}")
    os.makedirs(args.workdir, exist_ok=True)
    for persons in args.persons:
        cdm = os.path.join(args.workdir, f"cdm-{args.layout}-{persons}")
        if not os.path.exists(os.path.join(cdm, "ground_truth.csv")):
            seconds, peak = timed([args.hlh, "omop", "synth", "--persons", str(persons), "--out", cdm, "--seed", "1",
                                   "--layout", args.layout])
            print(f"synth {persons} persons ({args.layout} layout): {seconds:.1f} s, peak {peak:.0f} MiB")
        size = sum(os.path.getsize(os.path.join(root, f)) for root, _, files in os.walk(cdm) for f in files) / 2**20
        tables = {table: (os.path.join(cdm, table, "*.parquet") if args.layout == "spark" else os.path.join(cdm, f"{table}.parquet"))
                  for table in ["person", "drug_exposure", "condition_occurrence", "measurement", "death"]}
        duck_out = os.path.join(args.workdir, f"duck-{persons}")
        os.makedirs(duck_out, exist_ok=True)
        sql_path = os.path.join(args.workdir, f"cohort-{persons}.sql")
        with open(sql_path, "w") as f:
            f.write(DUCKDB_SQL.format(cdm=cdm, out=duck_out, **tables))
        runner = os.path.join(args.workdir, "run_duckdb.py")
        with open(runner, "w") as f:
            f.write(DUCKDB_RUNNER)
        hlh_times, duck_times = [], []
        for run in range(args.runs):
            study = os.path.join(args.workdir, f"study-{persons}")
            hlh_times.append(timed([args.hlh, "omop", "find", "--cdm", cdm, "--out", study]))
            duck_times.append(timed([sys.executable, runner, sql_path, str(threads)]))
        found = cohort_of(os.path.join(study, "patients.csv"), "patient_id", "inclusion")
        duck = cohort_of(os.path.join(duck_out, "patients.csv"), "person_id", "inclusion")
        agree = "same cohort" if found == duck else f"DIFFERENT cohorts ({len(found)} vs {len(duck)})"
        best_hlh = min(t for t, _ in hlh_times)
        best_duck = min(t for t, _ in duck_times)
        peak_hlh = max(m for _, m in hlh_times)
        peak_duck = max(m for _, m in duck_times)
        print(f"\n{persons} persons ({size:.0f} MiB of Parquet), {len(found)} patients found, {agree}")
        print(f"  hlh omop find : best {best_hlh:.2f} s of {[round(t, 2) for t, _ in hlh_times]}, peak {peak_hlh:.0f} MiB")
        print(f"  duckdb SQL    : best {best_duck:.2f} s of {[round(t, 2) for t, _ in duck_times]}, peak {peak_duck:.0f} MiB")
        print(f"  wall-time ratio duckdb/hlh: {best_duck / best_hlh:.2f}; peak-memory ratio duckdb/hlh: {peak_duck / peak_hlh:.2f}")


if __name__ == "__main__":
    main()
