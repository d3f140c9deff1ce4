//! A workbook nobody here designed: real de-identified COVID-19 laboratory time series (a row per
//! blood test, the patient's identifier only in the first row of each merged block, datetimes, Chinese
//! headers), read through a long-layout mapping and checked against an independent reading by
//! openpyxl (crates/hlh-workbook/tests/fixtures/covid-wuhan/reference.py, its output committed as reference.json).

use std::collections::BTreeMap;
use std::path::PathBuf;

use hlh_workbook::read_wide_workbook;

fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/covid-wuhan")
        .join(name)
}

#[test]
fn a_row_per_time_point_with_merged_identifiers_reads_every_result_of_every_patient() {
    let reference: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(fixture("reference.json")).unwrap()).unwrap();
    let ingested = read_wide_workbook(
        &fixture("time_series_375_prerpocess_en.xlsx"),
        &fixture("time_series_375.toml"),
    );
    let study = &ingested.study;
    assert_eq!(
        study.patients.len() as u64,
        reference["patients"].as_u64().unwrap()
    );
    // The source's impossible values (a platelet count of -1, leukocytes of 1726.6 × 10⁹/L) are errors
    // on their cells; every other result is read.
    let errors: Vec<String> = ingested
        .diagnostics
        .iter()
        .filter(|d| d.is_error())
        .map(|d| {
            d.to_string()
                .split(" (")
                .next()
                .unwrap_or_default()
                .to_string()
        })
        .collect();
    let cell = |c: &str| format!("error: time_series_375_prerpocess_en.xlsx Sheet1!{c}");
    assert_eq!(
        errors,
        ["AG257", "T2079", "T2088", "AG2319", "AG2322", "T2606", "T4694", "I4755", "AG5529"]
            .map(cell)
    );
    let refused = |analyte: &str| {
        let column = match analyte {
            "platelets" => "Platelet count",
            "leukocytes" => "White blood cell count",
            "hemoglobin" => "hemoglobin",
            _ => return Vec::new(),
        };
        ingested
            .diagnostics
            .iter()
            .filter(|d| {
                d.is_error()
                    && d.column
                        .as_ref()
                        .is_some_and(|c| c.name.starts_with(column))
            })
            .map(|d| d.value.clone().unwrap().parse::<f64>().unwrap())
            .collect()
    };
    for (analyte, expected) in reference["analytes"].as_object().unwrap() {
        let read: Vec<f64> = study
            .observations
            .iter()
            .filter(|o| o.quantity.analyte().name() == analyte)
            .map(|o| o.value_as_written.parse::<f64>().unwrap())
            .chain(refused(analyte))
            .collect();
        assert_eq!(
            read.len() as u64,
            expected["count"].as_u64().unwrap(),
            "{analyte}"
        );
        let sum: f64 = read.iter().sum();
        let reference_sum = expected["sum"].as_f64().unwrap();
        assert!(
            (sum - reference_sum).abs() <= 1e-9 * reference_sum.abs(),
            "{analyte}: {sum} against {reference_sum}"
        );
    }
    // Each result belongs to the patient of its merged block.
    let mut per_patient: BTreeMap<String, u64> = BTreeMap::new();
    for observation in &study.observations {
        *per_patient
            .entry(study.patient(observation.patient).id.to_string())
            .or_default() += 1;
    }
    for diagnostic in ingested.diagnostics.iter().filter(|d| d.is_error()) {
        // The refused results' patients, from the rows the reference read them on.
        let row = diagnostic.line.unwrap();
        let patient = ingested_patient_of_row(&ingested, row);
        *per_patient.entry(patient).or_default() += 1;
    }
    let expected: BTreeMap<String, u64> = reference["results_per_patient"]
        .as_object()
        .unwrap()
        .iter()
        .map(|(id, n)| (id.clone(), n.as_u64().unwrap()))
        .collect();
    assert_eq!(per_patient, expected);
    // Datetimes keep their clock, and each value names its cell: the first result is row 3's, whose
    // platelet count (105 × 10⁹/L, cell T3) comes first in the mapping's order.
    let first = &study.observations[0];
    assert_eq!(first.time.to_string(), "2020-01-31T01:25");
    assert_eq!(first.value_as_written, "105");
    assert_eq!(study.origins.get(first.source), Some("Sheet1!T3"));
}

/// The patient whose rows surround sheet row `row`: the last patient row that starts at or above it.
fn ingested_patient_of_row(ingested: &hlh_ingest::Ingested, row: u64) -> String {
    let study = &ingested.study;
    study
        .patients
        .iter()
        .filter_map(|p| {
            let origin = study.origins.get(p.source)?;
            let start: u64 = origin.trim_start_matches("Sheet1!A").parse().ok()?;
            (start <= row).then_some((start, p.id.to_string()))
        })
        .max()
        .map(|(_, id)| id)
        .unwrap_or_default()
}

#[test]
fn without_an_age_column_the_mapping_is_told_what_patients_csv_lacks() {
    let ingested = read_wide_workbook(
        &fixture("time_series_test_110_preprocess.xlsx"),
        &fixture("time_series_110.toml"),
    );
    let errors: Vec<String> = ingested
        .diagnostics
        .iter()
        .filter(|d| d.is_error())
        .map(ToString::to_string)
        .collect();
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert!(
        errors[0].starts_with(&format!(
            "error: {}: the header needs one of the columns age_years or birth_year",
            fixture("time_series_110.toml").display()
        )),
        "{}",
        errors[0]
    );
}
