#!/usr/bin/env bash
# Seed corpora for the fuzz targets, from the project's own test material: the demo study, the
# workbook and REDCap fixtures, the FINDINGS.json of the score tests, the protocol files. Written to
# fuzz/corpus/TARGET (not committed; the campaign grows them).
set -euo pipefail
cd "$(dirname "$0")/.."
corpus=fuzz/corpus
mkdir -p "$corpus"/{study_csv,findings_json,protocol_toml,workbook,redcap,omop_csv}
demo=crates/hlh-cli/demo
rs=$'\x1e'

# A study: its five files joined by the record separator, whole and cut down to a few patients.
{ cat "$demo/patients.csv"; printf '%s' "$rs"; cat "$demo/observations.csv"; printf '%s' "$rs";
  cat "$demo/treatments.csv"; printf '%s' "$rs"; cat "$demo/events.csv"; printf '%s' "$rs";
  cat "$demo/study.toml"; } > "$corpus/study_csv/demo"
{ head -4 "$demo/patients.csv"; printf '%s' "$rs"; grep -E '^(patient_id|SYN-0[1-3],)' "$demo/observations.csv"; printf '%s' "$rs";
  grep -E '^(patient_id|SYN-0[1-3],)' "$demo/treatments.csv"; printf '%s' "$rs"; grep -E '^(patient_id|SYN-0[1-3],)' "$demo/events.csv"; } \
  > "$corpus/study_csv/three-patients"

# Findings: the bedside cases of the tests.
cat > "$corpus/findings_json/gdl06" <<'JSON'
{"immunosuppression": false, "hepatomegaly": false, "splenomegaly": false, "bm_hemophagocytosis": false,
 "temperature": {"value": 104, "unit": "[degF]"}, "ferritin": {"value": 7000, "unit": "ug/L"},
 "triglycerides": {"value": 5, "unit": "mmol/L"}, "fibrinogen": {"value": 2.5, "unit": "mg/dL"},
 "ast": {"value": 10, "unit": "U/L"}, "hemoglobin": {"value": 8, "unit": "g/dL"},
 "leukocytes": {"value": 7, "unit": "10*9/L"}, "platelets": {"value": 250, "unit": "10*9/L"}}
JSON
cat > "$corpus/findings_json/sjia" <<'JSON'
{"sjia": true, "febrile": true, "ferritin": {"value": 8500, "unit": "ng/mL"}, "platelets": {"value": 62000, "unit": "/mm3"},
 "ldh": {"value": 900, "unit": "U/L"}, "fibrinogen": {"value": 1.2, "unit": "g/L"}, "scd25": {"value": 5000, "unit": "U/mL"},
 "cns_involvement": null, "hemorrhage": false, "active_arthritis": true, "age_years": 9}
JSON

# Protocols: the demo's, and one of every kind of value.
sed -n '/^\[protocol/,$p' "$demo/study.toml" | sed 's/^\[protocol\./[/; s/^\[protocol\]$//' > "$corpus/protocol_toml/demo"
cat > "$corpus/protocol_toml/kinds" <<'TOML'
index_drug = "tocilizumab"
[fever]
sustained_days = 3
threshold_celsius = 38.3
timing = "clock"
[survival]
landmark_days = [14, 60]
[compare]
by = ["response", "trigger"]
TOML

# Workbooks: the template and the demo as a workbook (written by hlh, built first), and the real-world
# fixtures under 300 KB (a larger seed slows every execution).
hlh=${HLH:-target/debug/hlh}
if [ -x "$hlh" ]; then
  rm -f "$corpus/workbook/template.xlsx" "$corpus/workbook/demo.xlsx"
  "$hlh" template --xlsx "$corpus/workbook/template.xlsx" >/dev/null
  "$hlh" convert "$demo" --out "$corpus/workbook/demo.xlsx" >/dev/null
fi
for f in crates/hlh-workbook/tests/fixtures/*/*.xls*; do
  if [ "$(stat -c %s "$f")" -lt 300000 ]; then cp "$f" "$corpus/workbook/$(basename "$f")"; fi
done

# REDCap: each fixture project's dictionary and records.
for d in crates/hlh-redcap/tests/fixtures/*/; do
  dict=$(ls "$d" | grep -i dictionary | head -1 || true)
  data=$(ls "$d" | grep -iv dictionary | grep -i '\.csv$' | head -1 || true)
  if [ -n "$dict" ] && [ -n "$data" ]; then
    { cat "$d/$dict"; printf '%s' "$rs"; cat "$d/$data"; } > "$corpus/redcap/$(basename "$d")"
  fi
done

# OMOP CDMs as CSV: the tables in the order of hlh_omop::cdm::TABLES joined by the record separator.
# One planted case (anakinra, an HLH code, the score's laboratory values), and the first rows of each
# public sample CDM of the tests.
{ printf 'person_id,gender_concept_id,year_of_birth\n1,8507,1970\n2,8532,1985\n%s' "$rs"
  printf 'drug_exposure_id,person_id,drug_concept_id,drug_exposure_start_date,drug_exposure_end_date,drug_source_value,stop_reason\n'
  printf '1,1,1114379,2021-03-02,2021-03-12,Kineret 100 mg,\n2,2,0,2021-05-01,,anakinra,adverse event\n%s' "$rs"
  printf 'condition_occurrence_id,person_id,condition_concept_id,condition_start_date,condition_source_value\n'
  printf '1,1,4121123,2021-03-01,D76.1\n2,2,0,2021-05-01,D76.2\n%s' "$rs"
  printf 'measurement_id,person_id,measurement_concept_id,measurement_date,value_as_number,unit_concept_id,unit_source_value,measurement_source_value\n'
  printf '1,1,3001122,2021-03-01,12000,8748,ug/L,ferritin\n2,1,3020891,2021-03-01,39.4,586323,Cel,temp\n'
  printf '3,1,3022192,2021-03-01,4.1,8753,mmol/L,tg\n4,1,3001122,2021-03-09,900,8748,ug/L,ferritin\n5,2,3001122,2021-05-01,,,ng/mL,ferritin\n%s' "$rs"
  printf 'person_id,death_date\n2,2021-05-20\n'; } > "$corpus/omop_csv/planted-case"
samples=crates/hlh-omop/tests/data
for cdm in eunomia_gibleed_cdm53 synthea27nj_cdm54; do
  out="$corpus/omop_csv/$cdm"
  : > "$out"
  first=1
  for table in person drug_exposure condition_occurrence measurement death concept concept_ancestor; do
    [ $first -eq 1 ] || printf '%s' "$rs" >> "$out"
    first=0
    file=$(find "$samples/$cdm" -maxdepth 1 -iname "$table.csv*" | head -1)
    if [ -n "$file" ]; then
      case "$file" in
        *.gz) { zcat "$file" | head -40; } >> "$out" || true ;;
        *) head -40 "$file" >> "$out" ;;
      esac
    fi
  done
done
