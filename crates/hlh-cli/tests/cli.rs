//! The `hlh` binary run as a user runs it: real processes, real folders.

mod common;

use std::fs;
use std::path::Path;
use std::process::Output;

use common::hlh;

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn listing(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = fs::read_dir(dir)
        .unwrap()
        .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

#[test]
fn demo_writes_a_labelled_study_that_validates() {
    let out = tempfile::tempdir().unwrap();
    let output = hlh(&["demo", "--out", out.path().to_str().unwrap()]);
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let text = stdout(&output);
    assert!(text.contains("SYNTHETIC"), "{text}");
    assert!(
        text.contains(&out.path().join("study").display().to_string()),
        "says where: {text}"
    );
    let study = out.path().join("study");
    assert_eq!(
        listing(&study),
        [
            "SYNTHETIC-DATA.txt",
            "events.csv",
            "observations.csv",
            "patients.csv",
            "study.toml",
            "treatments.csv"
        ]
    );
    assert!(fs::read_to_string(study.join("study.toml"))
        .unwrap()
        .contains("SYNTHETIC"));

    let output = hlh(&["validate", study.to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(0));
    let text = stdout(&output);
    assert!(text.contains("patients      21"), "{text}");
    assert!(text.contains("0 errors, 0 warnings"), "{text}");
    assert!(!text.contains('\x1b'), "NO_COLOR is honoured");

    // A second run replaces its own earlier output.
    let output = hlh(&["demo", "--out", out.path().to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(0));
    assert_eq!(
        listing(out.path()),
        ["analysis.json", "report.docx", "report.html", "study"],
        "no partial file or folder is left behind"
    );
}

#[test]
fn demo_never_overwrites_a_folder_it_did_not_write() {
    let out = tempfile::tempdir().unwrap();
    let study = out.path().join("study");
    fs::create_dir(&study).unwrap();
    fs::write(study.join("patients.csv"), "real data").unwrap();
    let output = hlh(&["demo", "--out", out.path().to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&output.stderr).contains("was not written by `hlh demo`"));
    assert_eq!(
        fs::read_to_string(study.join("patients.csv")).unwrap(),
        "real data"
    );
    assert_eq!(listing(out.path()), ["study"]);
}

#[test]
fn validate_reports_every_problem_with_its_place_and_exits_1_writing_nothing() {
    let study = tempfile::tempdir().unwrap();
    fs::write(
        study.path().join("patients.csv"),
        "patient_id,sex,age_years,diagnosis_date\nP1,M,45,2020-01-10\nP2,X,30,2020-02-01\n",
    )
    .unwrap();
    fs::write(
        study.path().join("observations.csv"),
        "patient_id,time,analyte,value,unit\nP1,2020-01-10,crp,\"3,5\",mg/L\nP1,2020-01-10,scd25,5000,pg/mL\nP9,2020-01-10,crp,5,mg/L\n",
    )
    .unwrap();
    let before = listing(study.path());
    let output = hlh(&["validate", study.path().to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(1));
    let text = stdout(&output);
    for expected in [
        "error: patients.csv:3:2 (sex) \"X\": not an accepted value; expected M, F or U",
        "error: observations.csv:2:4 (value) \"3,5\": decimal comma",
        "hint: write 3.5",
        "error: observations.csv:3:5 (unit) \"pg/mL\"",
        "error: observations.csv:4:1 (patient_id) \"P9\": patient_id is not in patients.csv",
        "warning: treatments.csv: file not found",
        "warning: patients.csv:2: patient P1 has no observations",
        "4 errors, 2 warnings",
    ] {
        assert!(text.contains(expected), "missing {expected:?} in:\n{text}");
    }
    assert_eq!(listing(study.path()), before, "validate writes nothing");
}

#[test]
fn a_study_with_only_warnings_exits_0() {
    let study = tempfile::tempdir().unwrap();
    fs::write(
        study.path().join("patients.csv"),
        "patient_id,sex,age_years,diagnosis_date,weight\nP1,M,45,2020-01-10,80\n",
    )
    .unwrap();
    fs::write(
        study.path().join("observations.csv"),
        "patient_id,time,analyte,value,unit\nP1,2020-01-10,crp,600,mg/L\n",
    )
    .unwrap();
    fs::write(
        study.path().join("treatments.csv"),
        "patient_id,drug,start\nP1,anakinra,2020-01-10\n",
    )
    .unwrap();
    let output = hlh(&["validate", study.path().to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(0), "{}", stdout(&output));
    assert!(
        stdout(&output).contains("0 errors, 2 warnings"),
        "{}",
        stdout(&output)
    );
}

#[test]
fn a_missing_folder_is_invalid_input_and_a_wrong_command_line_exits_2() {
    let output = hlh(&["validate", "/nonexistent/study"]);
    assert_eq!(output.status.code(), Some(1));
    assert!(stdout(&output).contains("cannot open the study folder"));
    assert_eq!(hlh(&["validate"]).status.code(), Some(2));
    assert_eq!(hlh(&["frobnicate"]).status.code(), Some(2));
    assert_eq!(hlh(&["--version"]).status.code(), Some(0));
}

#[test]
fn a_reader_that_goes_away_ends_the_output_quietly() {
    // `hlh validate STUDY | head -1`: the reader closes the pipe; the next write ends the process with
    // the closed pipe's status, never a panic.
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_hlh"))
        .args(["validate", common::demo_dir().to_str().unwrap()])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    let output = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert_eq!(output.status.code(), Some(141), "{stderr}");
}

/// `hlh redcap import --mapping` on REDCapR's longitudinal project
/// (crates/hlh-redcap/tests/fixtures/PROVENANCE.md): an error writes nothing and exits 1; once the
/// mapping is right, the study folder is written and reads as a study, its values' origins in the
/// analysis.
#[test]
fn a_redcap_project_of_another_design_imports_through_its_mapping() {
    let project = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../hlh-redcap/tests/fixtures/redcapr-longitudinal");
    let dir = tempfile::tempdir().unwrap();
    let mapping = |unit: &str| {
        let path = dir
            .path()
            .join(format!("mapping-{}.toml", unit.replace('/', "_")));
        fs::write(
            &path,
            format!(
                "patient_id = \"study_id\"\nday0 = \"date_enrolled\"\n\n[patients]\nsex = {{ column = \"sex\", values = {{ \"0\" = \"F\", \"1\" = \"M\" }} }}\nage_years = \"age\"\ndiagnosis_date = \"date_enrolled\"\n\n[[observations]]\ncolumn = \"creat_b\"\nanalyte = \"creatinine\"\nunit = \"{unit}\"\nday = 0\nevent = \"enrollment_arm_1\"\n"
            ),
        )
        .unwrap();
        path
    };
    let out = dir.path().join("study");
    let import = |mapping: &Path| {
        hlh(&[
            "redcap",
            "import",
            "--dictionary",
            project.join("dictionary.csv").to_str().unwrap(),
            "--records",
            project.join("data.csv").to_str().unwrap(),
            "--mapping",
            mapping.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
        ])
    };
    let refused = import(&mapping("mg/dL"));
    assert_eq!(refused.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&refused.stderr)
            .contains("data.csv:2:58 (record 100, event enrollment_arm_1, field creat_b) \"355\""),
        "{}",
        String::from_utf8_lossy(&refused.stderr)
    );
    assert!(!out.exists(), "nothing written");
    let imported = import(&mapping("umol/L"));
    assert_eq!(
        imported.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&imported.stderr)
    );
    assert_eq!(
        listing(&out),
        [
            "observations.csv",
            "origins.csv",
            "patients.csv",
            "treatments.csv"
        ]
    );
    let origins = fs::read_to_string(out.join("origins.csv")).unwrap();
    assert!(
        origins.contains("observations.csv,2,\"data.csv line 2 (record 100, event enrollment_arm_1, field creat_b)\"\n"),
        "{origins}"
    );
    assert_eq!(
        fs::read_to_string(out.join("observations.csv")).unwrap(),
        "patient_id,time,analyte,value,unit\n100,2015-04-02,creatinine,355,umol/L\n220,2015-04-02,creatinine,32.4,umol/L\n"
    );
    let validated = hlh(&["validate", out.to_str().unwrap()]);
    assert_eq!(validated.status.code(), Some(0));
}
