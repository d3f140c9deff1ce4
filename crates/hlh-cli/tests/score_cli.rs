//! `hlh score` as a user runs it.

mod common;

use serde_json::Value;

use common::{hlh, GDL_06_FINDINGS};

fn write(dir: &std::path::Path, text: &str) -> String {
    let path = dir.join("findings.json");
    std::fs::write(&path, text).unwrap();
    path.display().to_string()
}

#[test]
fn a_gdl_case_scores_193_with_its_probability_band() {
    let dir = tempfile::tempdir().unwrap();
    let file = write(dir.path(), GDL_06_FINDINGS);
    let output = hlh(&["score", &file, "--json"]);
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let out: Value = serde_json::from_slice(&output.stdout).unwrap();
    let h = &out["hscore"];
    assert_eq!(
        (h["score"].as_u64(), h["min"].as_u64(), h["max"].as_u64()),
        (Some(193), Some(193), Some(193))
    );
    assert_eq!(h["positive"], true);
    assert_eq!(h["probability"]["percent"], Value::Null);
    assert_eq!(h["probability"]["band"], serde_json::json!([80.0, 88.0]));
    assert_eq!(h["probability"]["text"], "80–88%");
    assert_eq!(h["items"].as_array().unwrap().len(), 9);
    assert_eq!(out["hlh2004"]["criteria"].as_array().unwrap().len(), 8);
    assert_eq!(out["ohi"]["status"], "unknown");
    assert_eq!(out["mas2016"]["status"], "unknown");
    assert!(out["hscore"]["probability"].get("approximation").is_none());

    let output = hlh(&["score", &file, "--json", "--approximate-probability"]);
    let out: Value = serde_json::from_slice(&output.stdout).unwrap();
    let approximation = &out["hscore"]["probability"]["approximation"];
    assert!(approximation["label"]
        .as_str()
        .unwrap()
        .contains("not official"));
    // §7.2: the fitted logistic gives 83.0 % at 193.
    assert!((approximation["percent"].as_f64().unwrap() - 83.0).abs() < 0.1);

    let readable = String::from_utf8(hlh(&["score", &file]).stdout).unwrap();
    assert!(readable.contains("total 193"), "{readable}");
    assert!(readable.contains("80–88%"), "{readable}");
}

#[test]
fn typed_units_reproduce_the_calculators_at_101_1_f() {
    let dir = tempfile::tempdir().unwrap();
    let file = write(
        dir.path(),
        r#"{"temperature": {"value": 101.1, "unit": "[degF]"}}"#,
    );
    let points = |args: &[&str]| -> u64 {
        let out: Value = serde_json::from_slice(&hlh(args).stdout).unwrap();
        out["hscore"]["items"][1]["points"].as_u64().unwrap()
    };
    assert_eq!(points(&["score", &file, "--json"]), 0, "38.389 °C");
    assert_eq!(points(&["score", &file, "--json", "--typed-units"]), 33);
}

#[test]
fn bad_findings_name_the_key_and_value_and_exit_1() {
    let dir = tempfile::tempdir().unwrap();
    for (text, expected) in [
        (
            r#"{"scd25": {"value": 5000, "unit": "pg/mL"}}"#,
            "\"scd25\"",
        ),
        (
            r#"{"ferritn": {"value": 5000, "unit": "ug/L"}}"#,
            "unknown key \"ferritn\"",
        ),
        (
            r#"{"ferritin": {"value": "high", "unit": "ug/L"}}"#,
            "expected a number",
        ),
        (
            r#"{"temperature": {"value": 380, "unit": "Cel"}}"#,
            "physiologically impossible",
        ),
        (r#"{"splenomegaly": "yes"}"#, "expected true, false or null"),
        (r#"{"age_years": 130}"#, "0 ≤ age < 120"),
        (r#"[1, 2]"#, "expected a JSON object"),
        (r#"{"ferritin": "#, "not valid JSON"),
    ] {
        let file = write(dir.path(), text);
        let output = hlh(&["score", &file]);
        assert_eq!(output.status.code(), Some(1), "{text}");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(stderr.contains(expected), "{text}: {stderr}");
        assert!(output.stdout.is_empty(), "nothing on stdout for bad input");
    }
}

#[test]
fn the_ms_score_is_read_in_aosd_only_when_asked_with_its_own_cut_off() {
    // AOSD, no sJIA: platelets 500, every other input 0 → MS = −0.003 × 500 = −1.50.
    let dir = tempfile::tempdir().unwrap();
    let file = write(
        dir.path(),
        r#"{"aosd": true, "sjia": false, "cns_involvement": false, "hemorrhage": false,
            "active_arthritis": false, "platelets": {"value": 500, "unit": "10*9/L"},
            "ldh": {"value": 0, "unit": "U/L"}, "fibrinogen": {"value": 0, "unit": "g/L"},
            "ferritin": {"value": 0, "unit": "ug/L"}}"#,
    );
    let by_default: Value =
        serde_json::from_slice(&hlh(&["score", &file, "--json"]).stdout).unwrap();
    assert_eq!(by_default["ms_score"]["verdict"], "not_applicable");
    assert_eq!(by_default["ms_score"]["score"], Value::Null);
    let output = hlh(&["score", &file, "--json", "--ms-population", "aosd"]);
    let in_aosd: Value = serde_json::from_slice(&output.stdout).unwrap();
    let ms = &in_aosd["ms_score"];
    assert_eq!(
        (
            ms["score"].as_f64(),
            ms["cutoff"].as_f64(),
            ms["verdict"].as_str()
        ),
        (Some(-1.5), Some(-1.74), Some("consider_mas"))
    );
    assert!(ms["cutoff_source"]
        .as_str()
        .unwrap()
        .contains("Clin Exp Rheumatol 2021"));
    let output = hlh(&["score", &file, "--ms-population", "adults"]);
    assert_eq!(
        output.status.code(),
        Some(2),
        "clap rejects an unknown population"
    );
    assert!(String::from_utf8_lossy(&output.stderr).contains("sjia or aosd"));
}
