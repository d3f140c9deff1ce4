//! `hlh analyze` as a user runs it, and the demo study against the Baverez 2022 abstract.

mod common;

use std::fs;
use std::path::Path;

use serde_json::Value;

use common::{demo_dir, hlh};

#[test]
fn the_demo_reproduces_every_figure_of_the_abstract() {
    // Baverez et al., J Clin Med 2022;11(19):5799, abstract: 21 patients, median age 45, 13 men,
    // anakinra first-line in 10 and monotherapy in 5, responded in 19/21, fever resolved in 19 within a
    // median of 1 day (IQR 1-2), Day-7 CRP p < 0.001 and ferritin p = 0.011, stopped for side effects 3/21.
    let output = hlh(&["analyze", demo_dir().to_str().unwrap(), "--json", "-"]);
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let a: Value = serde_json::from_slice(&output.stdout).expect("stdout is the JSON alone");
    assert_eq!(a["schema"], "hlhkit.analysis/1");
    assert_eq!(a["n_patients"], 21);
    assert_eq!(a["baseline"]["age_years"]["median"].as_f64(), Some(45.0));
    assert_eq!(a["baseline"]["sex"]["M"], 13);
    assert_eq!(a["baseline"]["first_line"]["count"], 10);
    assert_eq!(a["baseline"]["monotherapy"]["count"], 5);
    let response = &a["outcomes"]["response"];
    assert_eq!(
        (
            response["count"].as_u64(),
            response["n"].as_u64(),
            response["unknown"].as_u64()
        ),
        (Some(19), Some(21), Some(0))
    );
    let fever = &a["outcomes"]["fever_resolution"];
    assert_eq!(fever["resolved_by_day7"], 19);
    let days = &fever["days"];
    assert_eq!(
        (
            days["median"].as_f64(),
            days["q1"].as_f64(),
            days["q3"].as_f64()
        ),
        (Some(1.0), Some(1.0), Some(2.0))
    );
    let crp_p = a["outcomes"]["labs"]["crp"]["paired_t"]["p_value"]
        .as_f64()
        .unwrap();
    assert!(crp_p < 0.001, "{crp_p}");
    let ferritin_p = a["outcomes"]["labs"]["ferritin"]["paired_t"]["p_value"]
        .as_f64()
        .unwrap();
    assert_eq!(format!("{ferritin_p:.3}"), "0.011");
    // scipy 1.17.1, scipy.stats.ttest_rel on the same pairs (tools/demo/check_demo.py): p = 0.011041.
    assert!((ferritin_p - 0.011041).abs() < 5e-7, "{ferritin_p}");
    assert_eq!(a["outcomes"]["discontinued_adverse_event"]["count"], 3);
    let summary = String::from_utf8(output.stderr).unwrap();
    assert!(
        summary.contains("Among 21 patients (median age 45 years"),
        "{summary}"
    );
    assert!(
        summary.contains("19/21 patients responded (90.5%"),
        "{summary}"
    );
    assert!(summary.contains("p = 0.011"), "{summary}");
}

#[test]
fn the_json_file_is_byte_identical_across_runs_and_the_summary_goes_to_stdout() {
    let dir = tempfile::tempdir().unwrap();
    let (first, second) = (dir.path().join("a.json"), dir.path().join("b.json"));
    for path in [&first, &second] {
        let output = hlh(&[
            "analyze",
            demo_dir().to_str().unwrap(),
            "--json",
            path.to_str().unwrap(),
        ]);
        assert_eq!(output.status.code(), Some(0));
        assert!(String::from_utf8_lossy(&output.stdout).starts_with("Among 21 patients"));
    }
    assert_eq!(fs::read(&first).unwrap(), fs::read(&second).unwrap());
}

#[test]
fn a_protocol_file_overrides_and_bad_settings_exit_1() {
    let dir = tempfile::tempdir().unwrap();
    let protocol = dir.path().join("protocol.toml");
    fs::write(
        &protocol,
        "[stats]\nprimary_paired_test = \"wilcoxon\"\n[fever]\nsustained_days = 3\n",
    )
    .unwrap();
    let output = hlh(&[
        "analyze",
        demo_dir().to_str().unwrap(),
        "--protocol",
        protocol.to_str().unwrap(),
        "--json",
        "-",
    ]);
    let a: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(a["protocol"]["stats"]["primary_paired_test"], "wilcoxon");
    assert_eq!(a["protocol"]["fever"]["sustained_days"], 3);
    assert!(String::from_utf8_lossy(&output.stderr).contains("Wilcoxon signed-rank test"));

    fs::write(&protocol, "[fever]\nsustained = 3\n").unwrap();
    let output = hlh(&[
        "analyze",
        demo_dir().to_str().unwrap(),
        "--protocol",
        protocol.to_str().unwrap(),
    ]);
    assert_eq!(output.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&output.stderr)
        .contains("unknown protocol setting \"fever.sustained\""));
}

#[test]
fn an_invalid_study_or_one_without_patients_exits_1_and_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let study = dir.path().join("study");
    fs::create_dir(&study).unwrap();
    fs::write(
        study.join("patients.csv"),
        "patient_id,sex,age_years,diagnosis_date\nP1,X,45,2020-01-10\n",
    )
    .unwrap();
    let json = dir.path().join("analysis.json");
    let output = hlh(&[
        "analyze",
        study.to_str().unwrap(),
        "--json",
        json.to_str().unwrap(),
    ]);
    assert_eq!(output.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&output.stderr).contains("patients.csv:2:2 (sex)"));
    assert!(!json.exists());

    fs::write(
        study.join("patients.csv"),
        "patient_id,sex,age_years,diagnosis_date\n",
    )
    .unwrap();
    let output = hlh(&[
        "analyze",
        study.to_str().unwrap(),
        "--json",
        json.to_str().unwrap(),
    ]);
    assert_eq!(output.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&output.stderr).contains("no patients to analyse"));
    assert!(!json.exists());
    assert_eq!(
        fs::read_dir(dir.path()).unwrap().count(),
        1,
        "nothing half-written"
    );
}

/// docs/analysis.schema.json, the machine-readable form of docs/analysis-schema.md.
fn schema_validator() -> jsonschema::Validator {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/analysis.schema.json");
    let schema: Value = serde_json::from_str(&fs::read_to_string(path).unwrap()).unwrap();
    jsonschema::validator_for(&schema).expect("the schema itself is valid")
}

#[test]
fn the_analysis_json_follows_its_json_schema() {
    let validator = schema_validator();
    let output = hlh(&["analyze", demo_dir().to_str().unwrap(), "--json", "-"]);
    let analysis: Value = serde_json::from_slice(&output.stdout).unwrap();
    let errors: Vec<String> = validator
        .iter_errors(&analysis)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "{errors:#?}");

    // A study with unknowns (no temperature, no Day-7 ferritin): nulls where the schema allows them.
    let dir = tempfile::tempdir().unwrap();
    let study = dir.path();
    fs::write(
        study.join("patients.csv"),
        "patient_id,sex,age_years,diagnosis_date\nP1,F,60,2021-05-01\n",
    )
    .unwrap();
    fs::write(
        study.join("observations.csv"),
        "patient_id,time,analyte,value,unit\nP1,2021-05-01,ferritin,3000,ug/L\n",
    )
    .unwrap();
    fs::write(
        study.join("treatments.csv"),
        "patient_id,drug,start\nP1,anakinra,2021-05-01\n",
    )
    .unwrap();
    let output = hlh(&["analyze", study.to_str().unwrap(), "--json", "-"]);
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let sparse: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert!(
        validator.is_valid(&sparse),
        "{:#?}",
        validator
            .iter_errors(&sparse)
            .map(|e| e.to_string())
            .collect::<Vec<_>>()
    );
    assert_eq!(sparse["outcomes"]["response"]["proportion"], Value::Null);

    // The check can fail: a proportion written as a string is refused.
    let mut broken = analysis.clone();
    broken["baseline"]["first_line"]["proportion"] = Value::from("47.6%");
    assert!(!validator.is_valid(&broken));
}

#[test]
fn the_protocol_table_of_study_toml_applies_and_a_protocol_file_overrides_it() {
    let dir = tempfile::tempdir().unwrap();
    let study = dir.path().join("study");
    fs::create_dir(&study).unwrap();
    for entry in fs::read_dir(demo_dir()).unwrap() {
        let entry = entry.unwrap();
        fs::copy(entry.path(), study.join(entry.file_name())).unwrap();
    }
    let toml = fs::read_to_string(study.join("study.toml")).unwrap();
    fs::write(
        study.join("study.toml"),
        format!("{toml}[protocol.fever]\nsustained_days = 3\n"),
    )
    .unwrap();
    let analysis = |extra: &[&str]| -> Value {
        let mut args = vec!["analyze", study.to_str().unwrap(), "--json", "-"];
        args.extend_from_slice(extra);
        serde_json::from_slice(&hlh(&args).stdout).unwrap()
    };
    assert_eq!(analysis(&[])["protocol"]["fever"]["sustained_days"], 3);
    let file = dir.path().join("protocol.toml");
    fs::write(&file, "[fever]\nsustained_days = 1\n").unwrap();
    assert_eq!(
        analysis(&["--protocol", file.to_str().unwrap()])["protocol"]["fever"]["sustained_days"],
        1
    );

    fs::write(
        study.join("study.toml"),
        format!("{toml}[protocol]\nindex_drug = \"aspirin\"\n"),
    )
    .unwrap();
    let output = hlh(&["analyze", study.to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&output.stderr)
        .contains("study.toml [protocol]: protocol setting index_drug"));
}
