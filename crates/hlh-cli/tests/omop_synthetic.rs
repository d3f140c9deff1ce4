#![cfg(feature = "omop")]
//! A synthetic CDM with planted cases: the cohort found must equal the ground truth exactly, and the
//! study written must read without errors and analyse.

use std::collections::BTreeMap;

use hlh_omop::find::Inclusion;
use hlh_omop::synth::{synth, Layout, CASES, SPARK_PARTS};
use hlh_omop::write::study_files;
use hlh_omop::{find, Cdm, FindOptions};

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Runtime::new().unwrap()
}

#[test]
fn the_found_cohort_is_the_ground_truth() {
    let dir = tempfile::tempdir().unwrap();
    let cdm_dir = dir.path().join("cdm");
    let persons = 2 * 20 * CASES.len() as u64; // every kind twice, once with a negative id
    let summary = synth(persons, None, &cdm_dir, 7, Layout::Files, &mut |_| {}).unwrap();
    assert_eq!(summary.planted, 2 * CASES.len() as u64);
    assert!(summary.measurements >= persons * 80);

    let truth_text = std::fs::read_to_string(cdm_dir.join("ground_truth.csv")).unwrap();
    let truth: BTreeMap<i64, (String, String)> = truth_text
        .lines()
        .skip(1)
        .map(|line| {
            let f: Vec<&str> = line.split(',').collect();
            (f[0].parse().unwrap(), (f[1].to_string(), f[3].to_string()))
        })
        .collect();
    assert!(
        truth.keys().any(|id| *id < -(1i64 << 53)),
        "negative ids beyond 2^53 are planted"
    );

    let cohort = runtime().block_on(async {
        let cdm = Cdm::open(&cdm_dir).await.unwrap();
        find(&cdm, &FindOptions::default()).await.unwrap()
    });
    let found: BTreeMap<i64, &str> = cohort
        .persons
        .iter()
        .map(|p| (p.person_id, p.inclusion.name()))
        .collect();
    let expected: BTreeMap<i64, &str> = truth
        .iter()
        .filter(|(_, (_, inclusion))| !inclusion.is_empty())
        .map(|(id, (_, inclusion))| (*id, inclusion.as_str()))
        .collect();
    assert_eq!(found, expected, "found vs ground truth; cases: {truth:?}");

    // Attrition: every person, the exposed (all planted), the cohort.
    let steps: Vec<(u64, u64)> = cohort
        .attrition
        .iter()
        .map(|s| (s.persons, s.excluded))
        .collect();
    let planted = truth.len() as u64;
    assert_eq!(
        steps,
        [
            (persons, 0),
            (planted, persons - planted),
            (expected.len() as u64, planted - expected.len() as u64)
        ]
    );

    // The repeated measurement rows counted once, the undeterminable unit dropped and counted.
    assert!(cohort
        .dropped
        .get("measurement repeated with the same measurement_id (counted once)")
        .is_some_and(|n| *n > 0));
    assert!(cohort
        .dropped
        .get("measurement whose unit cannot be determined")
        .is_some_and(|n| *n > 0));
    // Unit variants converted: the score-only case has 39.6 °C (103.3 °F) and ferritin 8000.
    let score_only = cohort
        .persons
        .iter()
        .find(|p| p.inclusion == Inclusion::HScore)
        .unwrap();
    let temperatures: Vec<f64> = cohort
        .observations
        .iter()
        .filter(|o| {
            o.person_id == score_only.person_id
                && o.analyte == hlh_model::Analyte::Temperature
                && o.date == score_only.day0
        })
        .map(|o| o.value)
        .collect();
    assert!(
        temperatures.iter().any(|t| (t - 39.611_111).abs() < 1e-3),
        "{temperatures:?}"
    );
    assert_eq!(score_only.hscore_min, 246);
    // The one death of each died case, once.
    let died: Vec<i64> = truth
        .iter()
        .filter(|(_, (case, _))| case == "died_with_duplicates")
        .map(|(id, _)| *id)
        .collect();
    assert_eq!(cohort.deaths.iter().map(|d| d.0).collect::<Vec<_>>(), died);

    // The study folder reads without errors and analyses.
    let study = dir.path().join("study");
    std::fs::create_dir(&study).unwrap();
    for (name, text) in study_files(&cohort, "synthetic") {
        std::fs::write(study.join(name), text).unwrap();
    }
    let ingested = hlh_ingest::read_study_folder(&study);
    let errors: Vec<String> = ingested
        .diagnostics
        .iter()
        .filter(|d| d.is_error())
        .map(|d| d.to_string())
        .collect();
    assert!(errors.is_empty(), "{errors:#?}");
    let analysis =
        hlh_outcomes::analyze(&ingested.study, &hlh_outcomes::Protocol::default()).unwrap();
    assert_eq!(analysis.cohort.n_patients, expected.len());
    let provenance = std::fs::read_to_string(study.join("provenance.csv")).unwrap();
    assert_eq!(
        provenance
            .lines()
            .filter(|l| l.starts_with("observations.csv,"))
            .count(),
        cohort.observations.len()
    );
}

/// The Spark layout (a folder of part files and `_SUCCESS` per table, every CDM column) holds the same
/// rows: the study found in it is the same, byte for byte.
#[test]
fn a_spark_laid_out_cdm_gives_the_same_study() {
    let dir = tempfile::tempdir().unwrap();
    let persons = 20 * CASES.len() as u64 * 2;
    let files = dir.path().join("files");
    let spark = dir.path().join("spark");
    synth(persons, None, &files, 11, Layout::Files, &mut |_| {}).unwrap();
    synth(persons, None, &spark, 11, Layout::Spark, &mut |_| {}).unwrap();
    for table in hlh_omop::synth::PARQUET_TABLES {
        let folder = spark.join(table);
        assert!(folder.join("_SUCCESS").exists(), "{table}");
        let parts = std::fs::read_dir(&folder)
            .unwrap()
            .filter(|e| {
                e.as_ref()
                    .unwrap()
                    .file_name()
                    .to_string_lossy()
                    .ends_with(".snappy.parquet")
            })
            .count() as u64;
        assert_eq!(parts, SPARK_PARTS, "{table}");
    }
    let columns = runtime().block_on(async {
        let cdm = Cdm::open(&spark).await.unwrap();
        let batches = cdm
            .query("SELECT * FROM raw_measurement LIMIT 1")
            .await
            .unwrap();
        batches[0].num_columns()
    });
    assert_eq!(
        columns, 23,
        "every column of the CDM v5.4 measurement table"
    );
    assert_eq!(
        std::fs::read(files.join("ground_truth.csv")).unwrap(),
        std::fs::read(spark.join("ground_truth.csv")).unwrap()
    );
    let study = |cdm: &std::path::Path| {
        runtime().block_on(async {
            let cdm = Cdm::open(cdm).await.unwrap();
            let cohort = find(&cdm, &FindOptions::default()).await.unwrap();
            study_files(&cohort, "synthetic")
        })
    };
    let (from_files, from_spark) = (study(&files), study(&spark));
    assert!(from_files
        .iter()
        .any(|(name, text)| *name == "patients.csv" && text.lines().count() > 10));
    assert_eq!(from_files, from_spark);
}

#[test]
fn the_number_of_planted_cases_can_be_chosen_whatever_the_size() {
    let dir = tempfile::tempdir().unwrap();
    for (persons, cases) in [(3_000, 30), (6_000, 30)] {
        let cdm = dir.path().join(format!("cdm{persons}"));
        let summary = synth(persons, Some(cases), &cdm, 5, Layout::Files, &mut |_| {}).unwrap();
        assert_eq!((summary.persons, summary.planted), (persons, cases));
        let truth = std::fs::read_to_string(cdm.join("ground_truth.csv")).unwrap();
        assert_eq!(truth.lines().count() as u64, cases + 1);
    }
}
