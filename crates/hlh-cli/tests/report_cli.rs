//! `hlh report` as a user runs it: the HTML and Markdown forms, byte-identical reruns, bad command
//! lines and bad studies, and `hlh demo` writing the demo's report.

mod common;

use std::fs;
use std::path::PathBuf;
use std::process::Output;

use common::{demo_dir, hlh};

fn ok(output: &Output) {
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
}

#[test]
fn the_html_report_is_one_file_and_the_same_bytes_on_every_run() {
    let dir = tempfile::tempdir().unwrap();
    let first = dir.path().join("first.html");
    let second = dir.path().join("second.html");
    ok(&hlh(&[
        "report",
        demo_dir().to_str().unwrap(),
        "--out",
        first.to_str().unwrap(),
    ]));
    ok(&hlh(&[
        "report",
        demo_dir().to_str().unwrap(),
        "--out",
        second.to_str().unwrap(),
    ]));
    let bytes = fs::read(&first).unwrap();
    assert_eq!(bytes, fs::read(&second).unwrap());
    let page = String::from_utf8(bytes).unwrap();
    assert!(page.starts_with("<!DOCTYPE html>"));
    assert_eq!(page.matches("<svg").count(), 7);
    assert!(page.contains("Table 1."));
    // Nothing else was written: no figure folder, no partial file.
    let mut names: Vec<String> = fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(names, ["first.html", "second.html"]);
}

#[test]
fn the_markdown_report_links_its_svg_figures_beside_it() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join(["paper", "md"].join("."));
    ok(&hlh(&[
        "report",
        demo_dir().to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ]));
    let text = fs::read_to_string(&out).unwrap();
    let figures: Vec<PathBuf> = fs::read_dir(dir.path().join("paper-figures"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    assert_eq!(figures.len(), 7);
    for figure in figures {
        let name = figure.file_name().unwrap().to_string_lossy().into_owned();
        assert!(text.contains(&format!("](paper-figures/{name})")), "{name}");
        assert!(fs::read_to_string(&figure)
            .unwrap()
            .starts_with("<svg xmlns="));
    }
    assert!(text.contains("| Response (derived), responders / patients judged | [19/21 (90.5%)]"));
}

#[test]
fn suppression_hides_small_counts_and_patients() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("shared.html");
    ok(&hlh(&[
        "report",
        demo_dir().to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
        "--min-cell",
        "5",
    ]));
    let page = fs::read_to_string(&out).unwrap();
    assert!(!page.contains("SYN-"));
    assert!(page.contains("counts below 5 are suppressed"));
}

#[test]
fn a_wrong_extension_is_a_usage_error_and_a_bad_study_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let pdf = dir.path().join("report.pdf");
    let output = hlh(&[
        "report",
        demo_dir().to_str().unwrap(),
        "--out",
        pdf.to_str().unwrap(),
    ]);
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("must end in .html, .md or .docx"));

    let study = dir.path().join("study");
    fs::create_dir(&study).unwrap();
    fs::write(
        study.join("patients.csv"),
        "patient_id,sex,age_years,diagnosis_date\nP1,M,45,2020-13-40\n",
    )
    .unwrap();
    let out = dir.path().join("report.html");
    let output = hlh(&[
        "report",
        study.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(output.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&output.stderr).contains("patients.csv:2"));
    assert!(!out.exists());
    assert_eq!(
        fs::read_dir(dir.path()).unwrap().count(),
        1,
        "only the study folder"
    );
}

#[test]
fn the_demo_writes_its_report() {
    let dir = tempfile::tempdir().unwrap();
    ok(&hlh(&["demo", "--out", dir.path().to_str().unwrap()]));
    let page = fs::read_to_string(dir.path().join("report.html")).unwrap();
    assert!(page.contains("SYNTHETIC"));
    assert!(page.contains("Patient SYN-21"));
}

#[test]
fn the_word_report_is_the_same_bytes_on_every_run_and_honours_min_cell() {
    let dir = tempfile::tempdir().unwrap();
    let paths: Vec<PathBuf> = ["first", "second", "shared"]
        .iter()
        .map(|name| dir.path().join(format!("{name}.docx")))
        .collect();
    for (path, min_cell) in paths.iter().zip(["0", "0", "5"]) {
        ok(&hlh(&[
            "report",
            demo_dir().to_str().unwrap(),
            "--out",
            path.to_str().unwrap(),
            "--min-cell",
            min_cell,
        ]));
    }
    let first = fs::read(&paths[0]).unwrap();
    assert!(first.starts_with(b"PK\x03\x04"), "a zip package");
    assert_eq!(first, fs::read(&paths[1]).unwrap());
    assert_ne!(
        first,
        fs::read(&paths[2]).unwrap(),
        "suppression changes it"
    );
    let output = hlh(&[
        "report",
        demo_dir().to_str().unwrap(),
        "--out",
        dir.path().join("report.doc").to_str().unwrap(),
    ]);
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains(".docx"));
}
