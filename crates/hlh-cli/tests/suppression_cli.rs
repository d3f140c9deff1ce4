//! `--min-cell N` of `hlh analyze --json` as a user runs it: no count from 1 to N − 1 can be read from
//! the JSON or derived from its shares, summaries and partitions; every other number is the unsuppressed
//! analysis's; no patient-level content is left.

mod common;

use std::fs;
use std::path::Path;

use serde_json::Value;

use common::{demo_dir, hlh};

const MIN_CELL: u64 = 5;

fn analysis(study: &Path, extra: &[&str]) -> Value {
    let mut args = vec!["analyze", study.to_str().unwrap(), "--json", "-"];
    args.extend(extra);
    let output = hlh(&args);
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).expect("stdout is the JSON alone")
}

fn small(count: u64) -> bool {
    count > 0 && count < MIN_CELL
}

/// Every (pointer, value) leaf of a JSON value.
fn leaves(value: &Value, at: String, out: &mut Vec<(String, Value)>) {
    match value {
        Value::Object(fields) => {
            for (key, value) in fields {
                leaves(
                    value,
                    format!("{at}/{}", key.replace('~', "~0").replace('/', "~1")),
                    out,
                );
            }
        }
        Value::Array(items) => {
            for (i, value) in items.iter().enumerate() {
                leaves(value, format!("{at}/{i}"), out);
            }
        }
        leaf => out.push((at, leaf.clone())),
    }
}

/// The keys whose integers are not counts of patients: days and grades, the HScore cut-off.
fn is_count(pointer: &str) -> bool {
    let key = pointer.rsplit('/').next().unwrap();
    !["day", "grade", "cutoff", "first_day", "last_day"].contains(&key)
        && !pointer.starts_with("/protocol")
        && !pointer.starts_with("/suppression")
        && !pointer.starts_with("/study")
}

/// What a reader could compute from the suppressed JSON: each count, its complement in a share's n and
/// in the analysed patients, and what each of Table 1's partitions leaves for a cell not shown.
fn readable_small_counts(json: &Value) -> Vec<String> {
    let total = json["n_patients"].as_u64().unwrap();
    let mut found = Vec::new();
    let mut all = Vec::new();
    leaves(json, String::new(), &mut all);
    for (pointer, value) in &all {
        let Some(count) = value.as_u64() else {
            continue;
        };
        if !is_count(pointer) {
            continue;
        }
        if small(count) {
            found.push(format!("{pointer} = {count}"));
        }
        let in_flow = pointer.starts_with("/attrition");
        let exposed = pointer.contains("/without_inclusion/");
        if !in_flow && !exposed && count <= total && count > 0 && small(total - count) {
            found.push(format!(
                "{pointer} = {count}, {total} − it = {}",
                total - count
            ));
        }
        if let Some(share) = pointer.strip_suffix("/count") {
            if let Some(n) = json.pointer(&format!("{share}/n")).and_then(Value::as_u64) {
                if count > 0 && count <= n && small(n - count) {
                    found.push(format!("{share}: n − count = {}", n - count));
                }
            }
        }
    }
    let baseline = &json["baseline"];
    let partitions: Vec<(String, Vec<Option<u64>>)> = vec![
        (
            "sex".into(),
            ["M", "F", "U"]
                .iter()
                .map(|k| baseline["sex_shares"][k]["count"].as_u64())
                .collect(),
        ),
        (
            "centres".into(),
            baseline["centres"]
                .as_object()
                .unwrap()
                .values()
                .map(|s| s["count"].as_u64())
                .collect(),
        ),
        (
            "route".into(),
            baseline["index_drug"]["route"]
                .as_object()
                .unwrap()
                .values()
                .map(|s| s["count"].as_u64())
                .collect(),
        ),
        (
            "hlh2004_clinical".into(),
            ["met", "not_met", "indeterminate"]
                .iter()
                .map(|k| baseline["hlh2004_clinical"][k]["count"].as_u64())
                .collect(),
        ),
    ];
    for (name, cells) in partitions {
        let hidden: Vec<usize> = (0..cells.len()).filter(|&i| cells[i].is_none()).collect();
        let shown: u64 = cells.iter().flatten().sum();
        let rest = total - shown;
        // One hidden cell is the total minus the others; several must not sum to a small count.
        if hidden.len() == 1 || (!hidden.is_empty() && small(rest)) {
            found.push(format!("{name}: the hidden cells {hidden:?} sum to {rest}"));
        }
    }
    found
}

#[test]
fn no_small_count_can_be_read_or_derived_and_every_other_number_is_the_analysis() {
    let open = analysis(&demo_dir(), &[]);
    let shared = analysis(&demo_dir(), &["--min-cell", "5"]);
    assert!(
        !readable_small_counts(&open).is_empty(),
        "the demo has small cells to hide"
    );
    let readable = readable_small_counts(&shared);
    assert!(readable.is_empty(), "{readable:#?}");

    // The marker: every value it lists is null, and everything else is the open analysis's.
    let suppression = &shared["suppression"];
    assert_eq!(suppression["min_cell"], 5);
    let nulled: Vec<&str> = suppression["suppressed"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p.as_str().unwrap())
        .collect();
    assert!(nulled.len() > 50, "{} values suppressed", nulled.len());
    for pointer in &nulled {
        assert_eq!(shared.pointer(pointer), Some(&Value::Null), "{pointer}");
        assert!(
            open.pointer(pointer).is_some_and(|v| !v.is_null()),
            "{pointer} had a value"
        );
    }
    let mut shown = Vec::new();
    leaves(&shared, String::new(), &mut shown);
    for (pointer, value) in shown {
        if pointer.starts_with("/suppression") || value.is_null() {
            continue;
        }
        assert_eq!(open.pointer(&pointer), Some(&value), "{pointer}");
    }
    // The headline numbers that no small cell touches stay.
    assert_eq!(shared["n_patients"], 21);
    assert_eq!(shared["baseline"]["sex"]["M"], 13);
    assert_eq!(shared["baseline"]["first_line"]["count"], 10);
    assert!(shared["outcomes"]["labs"]["ferritin"]["paired_t"]["p_value"].is_f64());
    // 19/21 responders: the 2 others would show.
    assert_eq!(shared["outcomes"]["response"]["count"], Value::Null);
    assert_eq!(shared["outcomes"]["response"]["proportion"], Value::Null);

    // Patient-level content is left out.
    assert!(shared.get("patients").is_none());
    let text = serde_json::to_string(&shared).unwrap();
    for patient in open["patients"].as_array().unwrap() {
        let id = patient["patient_id"].as_str().unwrap();
        assert!(!text.contains(id), "{id} appears in the suppressed JSON");
    }
    for table in [
        "/outcomes/survival/table",
        "/outcomes/fever_resolution/km/table",
    ] {
        assert!(shared.pointer(table).is_none(), "{table} is left out");
    }
}

#[test]
fn a_single_small_cell_of_a_partition_takes_another_with_it() {
    // Three of the demo's 13 men recorded as of unknown sex: 10 men, 8 women, 3 not recorded.
    let dir = tempfile::tempdir().unwrap();
    for entry in fs::read_dir(demo_dir()).unwrap() {
        let entry = entry.unwrap();
        fs::copy(entry.path(), dir.path().join(entry.file_name())).unwrap();
    }
    let patients = fs::read_to_string(dir.path().join("patients.csv")).unwrap();
    let header: Vec<&str> = patients.lines().next().unwrap().split(',').collect();
    let sex = header.iter().position(|c| *c == "sex").unwrap();
    let mut changed = 0;
    let lines: Vec<String> = patients
        .lines()
        .map(|line| {
            let mut cells: Vec<String> = line.split(',').map(str::to_string).collect();
            if changed < 3 && cells.get(sex).is_some_and(|c| c == "M") {
                cells[sex] = "U".into();
                changed += 1;
            }
            cells.join(",")
        })
        .collect();
    fs::write(dir.path().join("patients.csv"), lines.join("\n") + "\n").unwrap();

    let open = analysis(dir.path(), &[]);
    assert_eq!(
        (
            &open["baseline"]["sex"]["M"],
            &open["baseline"]["sex"]["F"],
            &open["baseline"]["sex"]["U"]
        ),
        (&Value::from(10), &Value::from(8), &Value::from(3))
    );
    let shared = analysis(dir.path(), &["--min-cell", "5"]);
    let sex = &shared["baseline"]["sex"];
    // 3 is hidden, and so is 8 (the smaller other): else 21 − 10 − 8 = 3.
    assert_eq!(
        (&sex["M"], &sex["F"], &sex["U"]),
        (&Value::from(10), &Value::Null, &Value::Null)
    );
    assert_eq!(
        shared["baseline"]["sex_shares"]["F"]["proportion"],
        Value::Null
    );
    let readable = readable_small_counts(&shared);
    assert!(readable.is_empty(), "{readable:#?}");
}

#[test]
fn without_a_threshold_the_json_is_the_full_analysis_and_the_suppressed_one_follows_the_schema() {
    let demo = demo_dir();
    let plain = hlh(&["analyze", demo.to_str().unwrap(), "--json", "-"]).stdout;
    for threshold in ["0", "1"] {
        let output = hlh(&[
            "analyze",
            demo.to_str().unwrap(),
            "--json",
            "-",
            "--min-cell",
            threshold,
        ]);
        assert_eq!(
            output.stdout, plain,
            "--min-cell {threshold} suppresses nothing"
        );
    }
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/analysis.schema.json");
    let schema: Value = serde_json::from_str(&fs::read_to_string(path).unwrap()).unwrap();
    let validator = jsonschema::validator_for(&schema).unwrap();
    let shared = analysis(&demo, &["--min-cell", "5"]);
    let errors: Vec<String> = validator
        .iter_errors(&shared)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "{errors:#?}");
    // A suppressed analysis with its patients would not be one.
    let mut with_patients = shared.clone();
    with_patients["patients"] = Value::Array(Vec::new());
    assert!(!validator.is_valid(&with_patients));

    // Written to a file: the same JSON, and the summary (which shows every count) is not printed.
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("shared.json");
    let output = hlh(&[
        "analyze",
        demo.to_str().unwrap(),
        "--json",
        file.to_str().unwrap(),
        "--min-cell",
        "5",
    ]);
    assert_eq!(output.status.code(), Some(0));
    let written: Value = serde_json::from_slice(&fs::read(&file).unwrap()).unwrap();
    assert_eq!(written, shared);
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(stdout.contains("Counts below 5 suppressed"), "{stdout}");
    assert!(!stdout.contains("19/21"), "{stdout}");
}
