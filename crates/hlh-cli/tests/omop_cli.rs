//! The warehouse path as a user runs it: `hlh omop synth` → `hlh omop find` → `hlh analyze` /
//! `hlh report`, the concept check, and bad CDMs.

#![cfg(feature = "omop")]

mod common;

use std::fs;
use std::path::PathBuf;

use common::hlh;

fn ok(output: &std::process::Output) -> String {
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn sample(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../hlh-omop/tests/data")
        .join(name)
}

#[test]
fn synth_find_analyze_report_end_to_end() {
    let dir = tempfile::tempdir().unwrap();
    let cdm = dir.path().join("cdm");
    let study = dir.path().join("study");
    ok(&hlh(&[
        "omop",
        "synth",
        "--persons",
        "880",
        "--out",
        cdm.to_str().unwrap(),
        "--seed",
        "3",
    ]));
    for table in hlh_omop::synth::PARQUET_TABLES {
        assert!(cdm.join(format!("{table}.parquet")).exists(), "{table}");
    }
    let text = ok(&hlh(&[
        "omop",
        "find",
        "--cdm",
        cdm.to_str().unwrap(),
        "--out",
        study.to_str().unwrap(),
    ]));
    assert!(text.contains("880 persons in the CDM"), "{text}");
    // Planted: 44 cases, 4 kinds of 11 to include, each 4 times = 20 persons with the score-only kind.
    let truth = fs::read_to_string(cdm.join("ground_truth.csv")).unwrap();
    let included = truth.lines().filter(|l| l.contains(",included,")).count();
    assert!(
        text.contains(&format!("Wrote {included} patients")),
        "{text}"
    );
    for file in [
        "patients.csv",
        "observations.csv",
        "treatments.csv",
        "events.csv",
        "attrition.csv",
        "dropped.csv",
        "provenance.csv",
    ] {
        assert!(study.join(file).exists(), "{file}");
    }
    let patients = fs::read_to_string(study.join("patients.csv")).unwrap();
    assert!(patients.lines().next().unwrap().ends_with(",inclusion"));
    // Negative ids beyond 2^53 written exactly.
    assert!(
        patients.lines().any(|l| l.starts_with("-115292150460684")),
        "{patients}"
    );
    ok(&hlh(&["validate", study.to_str().unwrap()]));
    let summary = ok(&hlh(&["analyze", study.to_str().unwrap()]));
    assert!(
        summary.contains(&format!("Among {included} patients")),
        "{summary}"
    );
    let report = dir.path().join("report.html");
    ok(&hlh(&[
        "report",
        study.to_str().unwrap(),
        "--out",
        report.to_str().unwrap(),
    ]));
    assert!(fs::read_to_string(&report).unwrap().contains("Table 1."));
}

#[test]
fn the_concept_check_reports_absent_and_standard_ids() {
    let text = ok(&hlh(&[
        "omop",
        "concepts",
        "--cdm",
        sample("synthea27nj_cdm54").to_str().unwrap(),
    ]));
    assert!(
        text.contains("ferritin              3001122  standard"),
        "{text}"
    );
    assert!(
        text.contains("anakinra              1114375  absent"),
        "{text}"
    );
    assert!(
        text.contains("32 concept ids: 14 standard, 18 absent, non-standard or invalid"),
        "{text}"
    );
}

/// Runs `hlh omop find` on a bad CDM: exit 1, nothing written; returns what it printed on stderr.
fn find_fails(cdm: &std::path::Path, out: &std::path::Path) -> String {
    let output = hlh(&[
        "omop",
        "find",
        "--cdm",
        cdm.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ]);
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(!out.exists());
    stderr
}

#[test]
fn a_missing_table_or_a_wrong_type_exits_1_naming_it_and_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("study");
    let stderr = find_fails(&sample("mimic_iv_demo_cdm53_partial"), &out);
    assert!(stderr.contains("no table measurement"), "{stderr}");

    let cdm = dir.path().join("cdm");
    fs::create_dir(&cdm).unwrap();
    for (table, text) in [
        ("person", "person_id,gender_concept_id,year_of_birth\n1,8507,1980\n"),
        ("drug_exposure", "drug_exposure_id,person_id,drug_concept_id,drug_exposure_start_date\n1,1,1114375,2020-13-45\n"),
        ("condition_occurrence", "condition_occurrence_id,person_id,condition_concept_id,condition_start_date\n"),
        ("measurement", "measurement_id,person_id,measurement_concept_id,measurement_date\n"),
    ] {
        fs::write(cdm.join(format!("{table}.csv")), text).unwrap();
    }
    let stderr = find_fails(&cdm, &out);
    assert!(
        stderr.contains(
            "(table drug_exposure), column drug_exposure_start_date: a value is not a date"
        ),
        "{stderr}"
    );

    fs::write(cdm.join("measurement.csv"), "measurement_id,person_id\n").unwrap();
    let stderr = find_fails(&cdm, &out);
    assert!(stderr.contains("measurement.csv (table measurement): missing columns measurement_concept_id, measurement_date"), "{stderr}");

    // An existing folder that is not an earlier output is never replaced.
    fs::create_dir(&out).unwrap();
    fs::write(out.join("notes.txt"), "mine").unwrap();
    let synthetic = dir.path().join("synthetic");
    hlh(&[
        "omop",
        "synth",
        "--persons",
        "40",
        "--out",
        synthetic.to_str().unwrap(),
    ]);
    let output = hlh(&[
        "omop",
        "find",
        "--cdm",
        synthetic.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(output.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&output.stderr).contains("was not written by `hlh omop find`"));
    assert_eq!(fs::read_to_string(out.join("notes.txt")).unwrap(), "mine");
}

#[test]
fn find_with_a_key_writes_what_hlh_pseudonymize_writes_with_it() {
    let dir = tempfile::tempdir().unwrap();
    let path = |name: &str| dir.path().join(name).to_str().unwrap().to_string();
    ok(&hlh(&[
        "omop",
        "synth",
        "--persons",
        "880",
        "--out",
        &path("cdm"),
        "--seed",
        "5",
    ]));
    ok(&hlh(&["pseudonymize", "--new-key", &path("k.key")]));
    ok(&hlh(&[
        "omop",
        "find",
        "--cdm",
        &path("cdm"),
        "--out",
        &path("plain"),
    ]));
    ok(&hlh(&[
        "omop",
        "find",
        "--cdm",
        &path("cdm"),
        "--out",
        &path("keyed"),
        "--pseudonymize-key",
        &path("k.key"),
    ]));
    ok(&hlh(&[
        "pseudonymize",
        &path("plain"),
        "--key-file",
        &path("k.key"),
        "--out",
        &path("afterwards"),
    ]));
    for file in [
        "patients.csv",
        "observations.csv",
        "treatments.csv",
        "events.csv",
        "study.toml",
    ] {
        assert_eq!(
            fs::read(dir.path().join("keyed").join(file)).unwrap(),
            fs::read(dir.path().join("afterwards").join(file)).unwrap(),
            "{file}"
        );
    }
    let persons: Vec<String> = fs::read_to_string(dir.path().join("plain/patients.csv"))
        .unwrap()
        .lines()
        .skip(1)
        .map(|line| line.split(',').next().unwrap().to_string())
        .collect();
    assert!(persons.len() > 10);
    let provenance = fs::read_to_string(dir.path().join("keyed/provenance.csv")).unwrap();
    let keyed_patients = fs::read_to_string(dir.path().join("keyed/patients.csv")).unwrap();
    for line in provenance.lines().skip(1) {
        let cells: Vec<&str> = line.split(',').collect();
        assert!(cells[1].starts_with('P') && cells[1].len() == 21, "{line}");
        assert!(keyed_patients.contains(cells[1]), "{line}");
        if matches!(cells[2], "person" | "death") {
            assert_eq!(cells[3], cells[1], "{line}");
        }
    }
    for person in &persons {
        assert!(
            !keyed_patients.contains(&format!("\n{person},")),
            "{person}"
        );
    }
    // The OHDSI cohort table is keyed to person ids: written for the warehouse's own use, not with a
    // key, and `hlh pseudonymize` of the plain study does not carry it along.
    for table in ["ohdsi/cohort.csv", "ohdsi/cohort.parquet"] {
        assert!(dir.path().join("plain").join(table).exists(), "{table}");
        assert!(!dir.path().join("keyed").join(table).exists(), "{table}");
    }
    assert!(!dir.path().join("afterwards/ohdsi").exists());
    let keyed_ohdsi = dir.path().join("keyed/ohdsi");
    assert!(keyed_ohdsi.join("concept_sets/anakinra.json").exists());
    for name in ["cohort_definition.csv", "cohort_attrition.csv"] {
        let text = fs::read_to_string(keyed_ohdsi.join(name)).unwrap();
        // The long planted ids (a short one such as 1 is also a count).
        for person in persons.iter().filter(|p| p.len() > 6) {
            assert!(!text.contains(person.as_str()), "{person} in {name}");
        }
    }
    // The keyed study analyses as the plain one does.
    let summary = |study: &str| ok(&hlh(&["analyze", &path(study)]));
    assert_eq!(summary("keyed"), summary("plain"));
    // A bad key is refused before the warehouse is read, and nothing is written.
    fs::write(dir.path().join("bad.key"), "short").unwrap();
    let output = hlh(&[
        "omop",
        "find",
        "--cdm",
        &path("cdm"),
        "--out",
        &path("never"),
        "--pseudonymize-key",
        &path("bad.key"),
    ]);
    assert_eq!(output.status.code(), Some(1));
    assert!(!dir.path().join("never").exists());
}
