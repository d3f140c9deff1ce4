//! `hlh pseudonymize` on the demo study: nothing identifying is left in what it writes, the analysis is
//! the original's in every number, one key gives the same bytes and another key other ones.

mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde_json::Value;

use common::{demo_dir, folder_files, hlh};

fn run(args: &[&str]) -> std::process::Output {
    let output = hlh(args);
    assert!(
        output.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    output
}

fn new_key(dir: &Path, name: &str) -> PathBuf {
    let key = dir.join(name);
    run(&["pseudonymize", "--new-key", key.to_str().unwrap()]);
    key
}

fn pseudonymize(key: &Path, out: &Path, extra: &[&str]) {
    let demo = demo_dir();
    let mut args = vec![
        "pseudonymize",
        demo.to_str().unwrap(),
        "--key-file",
        key.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ];
    args.extend_from_slice(extra);
    run(&args);
}

/// A CSV file as rows of column → cell.
fn rows(path: &Path) -> Vec<BTreeMap<String, String>> {
    let mut reader = csv::Reader::from_path(path).unwrap();
    let header: Vec<String> = reader.headers().unwrap().iter().map(String::from).collect();
    reader
        .records()
        .map(|record| {
            header
                .iter()
                .cloned()
                .zip(record.unwrap().iter().map(String::from))
                .collect()
        })
        .collect()
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    !needle.is_empty()
        && haystack
            .windows(needle.len())
            .any(|window| window == needle)
}

/// The analysis JSON with each pseudonym read back as its identifier and each date as "DATE", so that
/// what remains must be equal number for number.
fn comparable(json: &[u8], pseudonyms: &BTreeMap<String, String>) -> Value {
    let mut text = String::from_utf8(json.to_vec()).unwrap();
    for (pseudonym, id) in pseudonyms {
        text = text.replace(pseudonym.as_str(), id);
    }
    fn dates(value: &mut Value) {
        match value {
            Value::String(text)
                if text.len() >= 10
                    && text.as_bytes()[4] == b'-'
                    && text[..10].parse::<jiff::civil::Date>().is_ok() =>
            {
                *text = "DATE".into();
            }
            Value::Array(items) => items.iter_mut().for_each(dates),
            Value::Object(map) => map.values_mut().for_each(dates),
            _ => {}
        }
    }
    let mut value: Value = serde_json::from_str(&text).unwrap();
    dates(&mut value);
    // The free text left out is echoed per patient; it is no number.
    for patient in value["patients"].as_array_mut().unwrap() {
        patient["demographics"]["trigger_detail"] = Value::Null;
        for event in patient["timeline"]["events"].as_array_mut().unwrap() {
            if !matches!(event["event"].as_str(), Some("adverse_event" | "infection")) {
                event["detail"] = Value::Null;
            }
        }
    }
    value
}

#[test]
fn a_new_key_is_private_and_never_replaced() {
    let dir = tempfile::tempdir().unwrap();
    let key = new_key(dir.path(), "study.key");
    let text = std::fs::read_to_string(&key).unwrap();
    assert_eq!(text.len(), 65);
    assert!(text.trim().bytes().all(|b| b.is_ascii_hexdigit()));
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(
            std::fs::metadata(&key).unwrap().permissions().mode() & 0o777,
            0o600
        );
    }
    let again = hlh(&["pseudonymize", "--new-key", key.to_str().unwrap()]);
    assert_eq!(again.status.code(), Some(1));
    assert_eq!(std::fs::read_to_string(&key).unwrap(), text, "not replaced");
    assert_ne!(
        std::fs::read_to_string(new_key(dir.path(), "other.key")).unwrap(),
        text
    );
    // A file that is not a key is refused without quoting it.
    let bad = dir.path().join("bad.key");
    std::fs::write(&bad, "correct horse battery staple").unwrap();
    let demo = demo_dir();
    let output = hlh(&[
        "pseudonymize",
        demo.to_str().unwrap(),
        "--key-file",
        bad.to_str().unwrap(),
        "--out",
        dir.path().join("out").to_str().unwrap(),
    ]);
    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("hexadecimal") && !stderr.contains("horse"),
        "{stderr}"
    );
    assert!(!dir.path().join("out").exists());
}

#[test]
fn nothing_identifying_is_left_and_every_number_of_the_analysis_is_kept() {
    let dir = tempfile::tempdir().unwrap();
    let key = new_key(dir.path(), "study.key");
    let out = dir.path().join("shared");
    let table = dir.path().join("reidentification.csv");
    pseudonymize(&key, &out, &["--reidentification", table.to_str().unwrap()]);

    let written = folder_files(&out);
    let names: Vec<&str> = written.keys().map(String::as_str).collect();
    assert_eq!(
        names,
        [
            "events.csv",
            "observations.csv",
            "patients.csv",
            "study.toml",
            "treatments.csv"
        ]
    );
    let key_text = std::fs::read_to_string(&key).unwrap();
    let original = demo_dir();
    let patients = rows(&original.join("patients.csv"));
    let events = rows(&original.join("events.csv"));
    // The details of adverse events and infections are their types, which the analysis counts: kept.
    let typed =
        |e: &BTreeMap<String, String>| matches!(e["event"].as_str(), "adverse_event" | "infection");
    let kept_types: Vec<&str> = events
        .iter()
        .filter(|e| typed(e))
        .map(|e| e["detail"].as_str())
        .collect();
    let mut free_text: Vec<&str> = patients
        .iter()
        .map(|p| p["trigger_detail"].as_str())
        .collect();
    free_text.extend(
        events
            .iter()
            .filter(|e| !typed(e))
            .map(|e| e["detail"].as_str()),
    );
    free_text.retain(|text| text.len() >= 3 && !kept_types.contains(text));
    assert!(free_text.len() > 15, "{free_text:?}");
    for (name, bytes) in &written {
        for patient in &patients {
            assert!(
                !contains(bytes, patient["patient_id"].as_bytes()),
                "{name}: an identifier"
            );
        }
        for text in &free_text {
            assert!(
                !contains(bytes, text.as_bytes()),
                "{name}: free text {text:?}"
            );
        }
        assert!(
            !contains(bytes, key_text.trim().as_bytes()),
            "{name}: the key"
        );
    }

    // The table maps each pseudonym to its identifier and offset; it is this user's only.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(
            std::fs::metadata(&table).unwrap().permissions().mode() & 0o777,
            0o600
        );
    }
    let table = rows(&table);
    assert_eq!(table.len(), 21);
    let pseudonyms: BTreeMap<String, String> = table
        .iter()
        .map(|line| (line["pseudonym"].clone(), line["patient_id"].clone()))
        .collect();
    let shifts: BTreeMap<&str, i64> = table
        .iter()
        .map(|line| {
            (
                line["patient_id"].as_str(),
                line["date_shift_days"].parse().unwrap(),
            )
        })
        .collect();
    assert!(shifts.values().all(|d| d.abs() <= 180));
    assert!(
        shifts.values().any(|d| *d != shifts["SYN-01"]),
        "each patient has his own offset"
    );

    // Each patient's dates moved by that patient's offset, none left as it was (unless the offset is 0),
    // the clock times kept.
    let shared = rows(&out.join("observations.csv"));
    let before = rows(&original.join("observations.csv"));
    assert_eq!(shared.len(), before.len());
    for (old, new) in before.iter().zip(&shared) {
        let id = &pseudonyms[&new["patient_id"]];
        assert_eq!(id, &old["patient_id"]);
        let day = |time: &str| time[..10].parse::<jiff::civil::Date>().unwrap();
        let moved = day(&old["time"])
            .until(day(&new["time"]))
            .unwrap()
            .get_days();
        assert_eq!(i64::from(moved), shifts[id.as_str()], "{id}");
        assert_eq!(
            old["time"][10..],
            new["time"][10..],
            "the clock time is kept"
        );
        assert_eq!(
            (&old["analyte"], &old["value"]),
            (&new["analyte"], &new["value"])
        );
    }
    for patient in rows(&out.join("patients.csv")) {
        let id = &pseudonyms[&patient["patient_id"]];
        let original = patients.iter().find(|p| &p["patient_id"] == id).unwrap();
        assert_eq!(patient["age_years"], original["age_years"], "ages are kept");
        if shifts[id.as_str()] != 0 {
            assert_ne!(patient["diagnosis_date"], original["diagnosis_date"]);
        }
    }

    // The analysis: every number the original's.
    let analyse = |study: &Path| run(&["analyze", study.to_str().unwrap(), "--json", "-"]).stdout;
    assert_eq!(
        comparable(&analyse(&out), &pseudonyms),
        comparable(&analyse(&original), &BTreeMap::new())
    );
}

#[test]
fn the_same_key_gives_the_same_bytes_and_another_key_others() {
    let dir = tempfile::tempdir().unwrap();
    let key = new_key(dir.path(), "a.key");
    let other = new_key(dir.path(), "b.key");
    let (first, second, third) = (
        dir.path().join("1"),
        dir.path().join("2"),
        dir.path().join("3"),
    );
    pseudonymize(&key, &first, &[]);
    pseudonymize(&key, &second, &[]);
    pseudonymize(&other, &third, &[]);
    assert_eq!(folder_files(&first), folder_files(&second));
    let ids = |dir: &Path| -> Vec<String> {
        rows(&dir.join("patients.csv"))
            .into_iter()
            .map(|p| p["patient_id"].clone())
            .collect()
    };
    let (a, c) = (ids(&first), ids(&third));
    assert!(a.iter().all(|id| !c.contains(id)), "other pseudonyms");
    let dates = |dir: &Path| -> Vec<String> {
        let mut dates: Vec<String> = rows(&dir.join("patients.csv"))
            .into_iter()
            .map(|p| p["diagnosis_date"].clone())
            .collect();
        dates.sort();
        dates
    };
    assert_ne!(dates(&first), dates(&third), "other offsets");
    // With the free text kept, and with no date moved.
    let kept = dir.path().join("kept");
    pseudonymize(&key, &kept, &["--keep-free-text", "--max-shift-days", "0"]);
    let patients = rows(&kept.join("patients.csv"));
    assert!(patients
        .iter()
        .any(|p| p["trigger_detail"] == "EBV primary infection"));
    let original = rows(&demo_dir().join("patients.csv"));
    let mut before: Vec<&str> = original
        .iter()
        .map(|p| p["diagnosis_date"].as_str())
        .collect();
    let mut after: Vec<&str> = patients
        .iter()
        .map(|p| p["diagnosis_date"].as_str())
        .collect();
    before.sort_unstable();
    after.sort_unstable();
    assert_eq!(before, after);
}

#[test]
fn a_study_with_errors_is_not_pseudonymised() {
    let dir = tempfile::tempdir().unwrap();
    let study = dir.path().join("study");
    std::fs::create_dir(&study).unwrap();
    for entry in std::fs::read_dir(demo_dir()).unwrap() {
        let entry = entry.unwrap();
        std::fs::copy(entry.path(), study.join(entry.file_name())).unwrap();
    }
    let observations = std::fs::read_to_string(study.join("observations.csv")).unwrap();
    std::fs::write(
        study.join("observations.csv"),
        observations.replacen(",mg/L", ",mg%", 1),
    )
    .unwrap();
    let key = new_key(dir.path(), "k.key");
    let out = dir.path().join("out");
    let output = hlh(&[
        "pseudonymize",
        study.to_str().unwrap(),
        "--key-file",
        key.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("observations.csv") && stderr.contains("nothing was written"),
        "{stderr}"
    );
    assert!(!out.exists());
}
