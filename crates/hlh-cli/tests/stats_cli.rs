//! `hlh stats` as a user runs it, checked against the R reference values of hlh-stats
//! (crates/hlh-stats/tests/fixtures/r_reference.json, written by tools/refgen/stats_reference.R).

mod common;

use std::path::Path;
use std::process::Output;

use serde_json::Value;

use common::hlh;

fn json_of(output: &Output) -> Value {
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).expect("stdout is JSON")
}

fn r_reference() -> Value {
    let path =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../hlh-stats/tests/fixtures/r_reference.json");
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

fn write_csv(dir: &Path, name: &str, header: &str, rows: Vec<String>) -> String {
    let path = dir.join(name);
    std::fs::write(&path, format!("{header}\n{}\n", rows.join("\n"))).unwrap();
    path.display().to_string()
}

#[track_caller]
fn assert_close(actual: &Value, expected: &Value, relative: f64) {
    let (a, e) = (actual.as_f64().unwrap(), expected.as_f64().unwrap());
    assert!((a - e).abs() <= relative * e.abs(), "expected {e}, got {a}");
}

#[test]
fn paired_json_matches_r() {
    let reference = r_reference();
    let case = &reference["paired"][0];
    let dir = tempfile::tempdir().unwrap();
    let rows = case["before"]
        .as_array()
        .unwrap()
        .iter()
        .zip(case["after"].as_array().unwrap())
        .map(|(b, a)| format!("{b},{a}"))
        .collect();
    let file = write_csv(dir.path(), "pairs.csv", "day0,day7", rows);
    let out = json_of(&hlh(&[
        "stats", "paired", &file, "--before", "day0", "--after", "day7", "--json",
    ]));
    assert_eq!(out["n_pairs"], 7);
    assert_close(&out["paired_t"]["p_value"], &case["t"]["p_value"], 1e-9);
    assert_close(&out["ci95"][0], &case["t"]["ci"][0], 1e-9);
    assert_eq!(out["wilcoxon"]["method"], "exact");
    assert_close(
        &out["wilcoxon"]["p_value"],
        &case["wilcoxon"]["p_value"],
        1e-12,
    );
    assert_close(
        &out["hodges_lehmann"]["estimate"],
        &case["wilcoxon"]["estimate"],
        1e-12,
    );
    assert_close(
        &out["sign_test"]["p_value"],
        &case["sign"]["p_value"],
        1e-12,
    );
    assert!(out["wilcoxon_variants"].as_array().unwrap().len() >= 6);
}

#[test]
fn km_json_matches_r_survival_with_log_rank() {
    let reference = r_reference();
    let case = reference["kaplan_meier"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == "three groups")
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let rows = (0..case["time"].as_array().unwrap().len())
        .map(|i| {
            format!(
                "{},{},{}",
                case["time"][i],
                case["event"][i],
                case["group"][i].as_str().unwrap()
            )
        })
        .collect();
    let file = write_csv(dir.path(), "km.csv", "days,resolved,arm", rows);
    let out = json_of(&hlh(&[
        "stats", "km", &file, "--time", "days", "--event", "resolved", "--group", "arm", "--json",
    ]));
    assert_eq!(out["conf_type"], "log-log");
    let expected_groups = &case["fits"]["log-log"];
    for (group, expected) in out["groups"]
        .as_array()
        .unwrap()
        .iter()
        .zip(expected_groups.as_array().unwrap())
    {
        assert_eq!(group["group"], expected["group"]);
        assert_eq!(group["median"].as_f64(), expected["median"].as_f64());
        let table = group["table"].as_array().unwrap();
        assert_eq!(table.len(), expected["time"].as_array().unwrap().len());
        for (i, row) in table.iter().enumerate() {
            assert_close(&row["survival"], &expected["survival"][i], 1e-13);
            if !expected["lower"][i].is_null() {
                assert_close(&row["lower"], &expected["lower"][i], 1e-9);
            }
        }
    }
    assert_close(
        &out["logrank"]["statistic"],
        &case["logrank"]["statistic"],
        1e-12,
    );
    assert_close(
        &out["logrank"]["p_value"],
        &case["logrank"]["p_value"],
        1e-9,
    );
}

#[test]
fn fisher_proportion_summary_and_mann_whitney_match_r() {
    let reference = r_reference();
    let fisher = &reference["fisher"][2]; // [[5, 0], [1, 4]]: a zero cell
    let out = json_of(&hlh(&["stats", "fisher", "--table", "5,0,1,4", "--json"]));
    assert_close(&out["p_value"], &fisher["p_value"], 1e-12);
    assert_eq!(out["odds_ratio"], "Infinity");
    assert_eq!(out["ci95"][1], "Infinity");
    assert_close(&out["ci95"][0], &fisher["ci"][0], 1e-9);

    let proportion = &reference["proportions"][4]; // 19 / 21
    let out = json_of(&hlh(&[
        "stats",
        "proportion",
        "--count",
        "19",
        "--n",
        "21",
        "--json",
    ]));
    assert_close(&out["ci95"][0], &proportion["wilson"][0], 1e-13);
    let out = json_of(&hlh(&[
        "stats",
        "proportion",
        "--count",
        "19",
        "--n",
        "21",
        "--method",
        "clopper-pearson",
        "--json",
    ]));
    assert_close(&out["ci95"][1], &proportion["clopper_pearson"][1], 1e-9);

    let dir = tempfile::tempdir().unwrap();
    let sample = &reference["quantiles"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["type"] == 6)
        .unwrap();
    let rows = sample["x"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x.to_string())
        .collect();
    let file = write_csv(dir.path(), "x.csv", "x", rows);
    let out = json_of(&hlh(&[
        "stats",
        "summary",
        &file,
        "--column",
        "x",
        "--quantile-type",
        "6",
        "--json",
    ]));
    assert_close(&out["q1"], &sample["quantiles"][2], 1e-13);
    assert_eq!(out["quantile_type"], 6);

    let case = &reference["mann_whitney"][1];
    let mut rows: Vec<String> = case["x"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| format!("{v},control"))
        .collect();
    rows.extend(
        case["y"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| format!("{v},treated")),
    );
    let file = write_csv(dir.path(), "mw.csv", "ferritin,arm", rows);
    let out = json_of(&hlh(&[
        "stats",
        "mannwhitney",
        &file,
        "--value",
        "ferritin",
        "--group",
        "arm",
        "--json",
    ]));
    assert_eq!(out["statistic"].as_f64(), case["statistic"].as_f64());
    assert_close(&out["p_value"], &case["p_value"], 1e-9);
}

#[test]
fn bad_input_exits_1_with_the_place_and_a_bad_command_line_exits_2() {
    let dir = tempfile::tempdir().unwrap();
    let file = write_csv(
        dir.path(),
        "bad.csv",
        "t,e",
        vec!["1,1".into(), "NaN,0".into(), "-2,2".into()],
    );
    let output = hlh(&["stats", "km", &file, "--time", "t", "--event", "e"]);
    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("bad.csv:3:1 (t) \"NaN\""), "{stderr}");

    let file = write_csv(
        dir.path(),
        "neg.csv",
        "t,e",
        vec!["1,1".into(), "-2,1".into()],
    );
    let output = hlh(&["stats", "km", &file, "--time", "t", "--event", "e"]);
    assert_eq!(output.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&output.stderr).contains("expected a time ≥ 0"));

    let file = write_csv(
        dir.path(),
        "event.csv",
        "t,e",
        vec!["1,1".into(), "2,2".into()],
    );
    assert_eq!(
        hlh(&["stats", "km", &file, "--time", "t", "--event", "e"])
            .status
            .code(),
        Some(1)
    );
    assert_eq!(
        hlh(&["stats", "km", &file, "--time", "t", "--event", "missing"])
            .status
            .code(),
        Some(1)
    );
    let empty = write_csv(dir.path(), "empty.csv", "x", vec![]);
    assert_eq!(
        hlh(&["stats", "summary", &empty, "--column", "x"])
            .status
            .code(),
        Some(1)
    );
    assert_eq!(
        hlh(&["stats", "fisher", "--table", "1,2,3"]).status.code(),
        Some(1)
    );
    assert_eq!(
        hlh(&["stats", "proportion", "--count", "5", "--n", "3"])
            .status
            .code(),
        Some(1)
    );
    assert_eq!(
        hlh(&[
            "stats",
            "summary",
            &empty,
            "--column",
            "x",
            "--quantile-type",
            "10"
        ])
        .status
        .code(),
        Some(2)
    );
    assert_eq!(
        hlh(&[
            "stats",
            "km",
            &file,
            "--time",
            "t",
            "--event",
            "e",
            "--conf-type",
            "logit"
        ])
        .status
        .code(),
        Some(2)
    );
}
