//! A REDCap project made from the template: its dictionary, and the demo study exported as REDCap
//! exports records (flat, raw values and headers, repeating instruments, checkboxes, data access
//! groups), imported back to the same analysis.

use std::collections::BTreeMap;
use std::path::Path;

use hlh_ingest::read_study_folder;
use hlh_redcap::{code_of, fields, import, template_csv, Export};

const DEMO: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../hlh-cli/demo");

fn rows(file: &str) -> Vec<BTreeMap<String, String>> {
    let mut reader = csv::Reader::from_path(Path::new(DEMO).join(file)).unwrap();
    let header: Vec<String> = reader
        .headers()
        .unwrap()
        .iter()
        .map(str::to_string)
        .collect();
    reader
        .records()
        .map(|r| {
            let r = r.unwrap();
            header
                .iter()
                .cloned()
                .zip(r.iter().map(str::to_string))
                .collect()
        })
        .collect()
}

/// The columns of a flat export: record ID, the repeat pseudo-fields and the data access group, then
/// every field in dictionary order (a checkbox as one column per choice), each form closed by
/// `<form>_complete`.
fn export_columns() -> Vec<String> {
    let mut columns: Vec<String> = vec![
        "record_id".into(),
        "redcap_repeat_instrument".into(),
        "redcap_repeat_instance".into(),
        "redcap_data_access_group".into(),
    ];
    let template = fields();
    for (index, field) in template.iter().enumerate().skip(1) {
        if field.kind == "checkbox" {
            for choice in field.choices.split('|') {
                let code = choice.split(',').next().unwrap().trim().to_lowercase();
                columns.push(format!("{}___{code}", field.name));
            }
        } else {
            columns.push(field.name.to_string());
        }
        let last_of_form = template
            .get(index + 1)
            .is_none_or(|next| next.form != field.form);
        if last_of_form {
            columns.push(format!("{}_complete", field.form));
        }
    }
    columns
}

fn split_time(time: &str) -> (String, String) {
    match time.split_once('T') {
        Some((date, clock)) => (date.into(), clock.into()),
        None => (time.into(), String::new()),
    }
}

fn yes_no(text: &str) -> String {
    match text {
        "yes" => "1".into(),
        "no" => "0".into(),
        _ => String::new(),
    }
}

/// The demo study as REDCap would export a project made from the template.
fn demo_records() -> String {
    let columns = export_columns();
    let mut writer = csv::Writer::from_writer(Vec::new());
    writer.write_record(&columns).unwrap();
    let write = |writer: &mut csv::Writer<Vec<u8>>, values: BTreeMap<String, String>| {
        writer
            .write_record(
                columns
                    .iter()
                    .map(|c| values.get(c).cloned().unwrap_or_default()),
            )
            .unwrap();
    };
    let (observations, treatments, events) = (
        rows("observations.csv"),
        rows("treatments.csv"),
        rows("events.csv"),
    );
    for patient in rows("patients.csv") {
        let id = patient["patient_id"].clone();
        let dag = code_of(&patient["centre"]).to_lowercase();
        let mut base = BTreeMap::from([
            ("record_id".to_string(), id.clone()),
            ("redcap_data_access_group".into(), dag.clone()),
            ("patient_complete".into(), "2".into()),
        ]);
        for field in [
            "sex",
            "age_years",
            "birth_year",
            "diagnosis_date",
            "trigger_detail",
            "last_followup_date",
        ] {
            base.insert(field.into(), patient[field].clone());
        }
        for trigger in hlh_model::Trigger::ALL {
            let ticked = patient["triggers"]
                .split(';')
                .any(|t| t.trim() == trigger.name());
            base.insert(
                format!("triggers___{}", trigger.name()),
                if ticked { "1" } else { "0" }.into(),
            );
        }
        for finding in hlh_model::PATIENT_FINDINGS {
            base.insert(finding.into(), yes_no(&patient[finding]));
        }
        write(&mut writer, base);
        let instance = |form: &str, n: usize| {
            BTreeMap::from([
                ("record_id".to_string(), id.clone()),
                ("redcap_repeat_instrument".into(), form.to_string()),
                ("redcap_repeat_instance".into(), n.to_string()),
                ("redcap_data_access_group".into(), dag.clone()),
                (format!("{form}_complete"), "2".into()),
            ])
        };
        for (n, o) in observations
            .iter()
            .filter(|o| o["patient_id"] == id)
            .enumerate()
        {
            let mut values = instance("observation", n + 1);
            let (date, clock) = split_time(&o["time"]);
            values.extend([
                ("obs_date".to_string(), date),
                ("obs_clock".into(), clock),
                ("analyte".into(), o["analyte"].clone()),
                ("obs_value".into(), o["value"].clone()),
                ("obs_unit".into(), o["unit"].clone()),
            ]);
            write(&mut writer, values);
        }
        for (n, t) in treatments
            .iter()
            .filter(|t| t["patient_id"] == id)
            .enumerate()
        {
            let mut values = instance("treatment", n + 1);
            let (start_date, start_clock) = split_time(&t["start"]);
            let (end_date, end_clock) = split_time(&t["end"]);
            // A dropdown holds only its codes: a regimen typed as a frequency has no place in it.
            let frequency = hlh_model::Frequency::from_name(&t["frequency"])
                .map_or(String::new(), |f| code_of(f.name()));
            let line = match t["line"].as_str() {
                "" => String::new(),
                "first" => "first".into(),
                _ => "later".into(),
            };
            values.extend([
                ("drug".to_string(), t["drug"].to_lowercase()),
                ("start_date".into(), start_date),
                ("start_clock".into(), start_clock),
                ("end_date".into(), end_date),
                ("end_clock".into(), end_clock),
                ("dose".into(), t["dose"].clone()),
                ("dose_unit".into(), code_of(&t["dose_unit"])),
                ("frequency".into(), frequency),
                ("route".into(), t["route"].clone()),
                ("stop_reason".into(), t["stop_reason"].clone()),
                ("line".into(), line),
            ]);
            write(&mut writer, values);
        }
        for (n, e) in events.iter().filter(|e| e["patient_id"] == id).enumerate() {
            let mut values = instance("event", n + 1);
            let (date, clock) = split_time(&e["time"]);
            values.extend([
                ("event_date".to_string(), date),
                ("event_clock".into(), clock),
                ("event_kind".into(), e["event"].clone()),
                ("event_detail".into(), e["detail"].clone()),
                ("grade".into(), e["grade"].clone()),
                ("event_drug".into(), e["drug"].clone()),
                (
                    "led_to_discontinuation".into(),
                    yes_no(&e["led_to_discontinuation"]),
                ),
                ("recorded_response".into(), e["value"].clone()),
            ]);
            write(&mut writer, values);
        }
    }
    String::from_utf8(writer.into_inner().unwrap()).unwrap()
}

#[test]
fn the_template_dictionary_is_one_redcap_accepts() {
    let text = template_csv();
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    assert_eq!(reader.headers().unwrap().len(), 18);
    let records: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    assert_eq!(&records[0][0], "record_id", "the record ID comes first");
    for record in &records {
        let name = &record[0];
        // REDCap variable names: a lower-case letter, then lower-case letters, digits and _.
        assert!(name.starts_with(|c: char| c.is_ascii_lowercase()), "{name}");
        assert!(
            name.chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_'),
            "{name}"
        );
        assert!(
            ["text", "radio", "dropdown", "checkbox"].contains(&&record[3]),
            "{name}"
        );
        assert!(
            ["", "date_ymd", "time", "number", "integer"].contains(&&record[7]),
            "{name}"
        );
        // Choices `code, label | …`, codes of letters, digits and _.
        if !record[5].is_empty() {
            for choice in record[5].split('|') {
                let (code, label) = choice.split_once(',').unwrap();
                assert!(!label.trim().is_empty(), "{name}");
                assert!(
                    code.trim()
                        .chars()
                        .all(|c| c.is_ascii_alphanumeric() || c == '_'),
                    "{name}: {code}"
                );
            }
        }
    }
    let forms: Vec<&str> = records.iter().map(|r| r.get(1).unwrap()).collect();
    for form in ["patient", "observation", "treatment", "event"] {
        assert!(forms.contains(&form), "{form}");
    }
}

#[test]
fn the_demo_exported_from_redcap_imports_to_the_same_analysis() {
    let dictionary = template_csv();
    let records = demo_records();
    let export = Export {
        dictionary_name: "dictionary.csv",
        dictionary: &dictionary,
        records_name: "records.csv",
        records: &records,
        missing_codes: &[],
        mapping: None,
    };
    let (ingested, files) = import(&export);
    assert!(!ingested.has_errors(), "{:#?}", ingested.diagnostics);
    assert_eq!(files.len(), 4);
    let folder = read_study_folder(Path::new(DEMO));
    let protocol = hlh_outcomes::Protocol::default();
    let from_folder = hlh_outcomes::analyze(&folder.study, &protocol).unwrap();
    let from_redcap = hlh_outcomes::analyze(&ingested.study, &protocol).unwrap();
    // The centres are the data access groups' unique names; the study's title and centre list live in
    // study.toml, which a REDCap project has not: everything else is the same.
    assert_eq!(
        from_redcap.cohort_json()["outcomes"],
        from_folder.cohort_json()["outcomes"]
    );
    for (a, b) in from_redcap.patients.iter().zip(&from_folder.patients) {
        let (mut a, mut b) = (from_redcap.patient_json(a), from_folder.patient_json(b));
        for json in [&mut a, &mut b] {
            json["demographics"]["centre"] = serde_json::Value::Null;
            // A checkbox has no order: the triggers come in the dictionary's.
            if let Some(triggers) = json["demographics"]["triggers"].as_array_mut() {
                triggers.sort_by_key(ToString::to_string);
            }
        }
        assert_eq!(a, b);
    }
    assert_eq!(
        ingested.study.patients[0].centre.as_deref(),
        Some("synthetic_centre_a")
    );
}

#[test]
fn problems_name_record_instrument_instance_field_and_value_and_missing_codes_are_unknown() {
    let dictionary = template_csv();
    let records = demo_records().replacen(
        "\nSYN-01,,,synthetic_centre_a,M,45,",
        "\nSYN-01,,,synthetic_centre_a,M,UNK,",
        1,
    );
    // A decimal comma in the first observation of SYN-01 (its obs_value).
    let mut lines: Vec<String> = records.lines().map(str::to_string).collect();
    let header: Vec<&str> = lines[0].split(',').collect();
    let value = header.iter().position(|h| *h == "obs_value").unwrap();
    let first_observation = lines
        .iter()
        .position(|l| l.starts_with("SYN-01,observation,1,"))
        .unwrap();
    let mut cells: Vec<String> = lines[first_observation]
        .split(',')
        .map(str::to_string)
        .collect();
    cells[value] = "\"3,5\"".into();
    lines[first_observation] = cells.join(",");
    let records = lines.join("\n") + "\n";
    let codes = ["UNK".to_string()];
    let export = Export {
        dictionary_name: "dictionary.csv",
        dictionary: &dictionary,
        records_name: "records.csv",
        records: &records,
        missing_codes: &codes,
        mapping: None,
    };
    let (ingested, _) = import(&export);
    let errors: Vec<String> = ingested
        .diagnostics
        .iter()
        .filter(|d| d.is_error())
        .map(ToString::to_string)
        .collect();
    assert!(
        errors.iter().any(|e| e.contains(&format!(
            "records.csv:{}:{} (record SYN-01, observation instance 1, field obs_value) \"3,5\"",
            first_observation + 1,
            value + 1
        ))),
        "{errors:#?}"
    );
    // UNK for SYN-01's age: unknown, and so (no birth year either) the row's age is missing.
    assert!(
        errors
            .iter()
            .any(|e| e.contains("record SYN-01") && e.contains("age_years or birth_year")),
        "{errors:#?}"
    );

    // A project not made from the template is said to be so.
    let other = "field_name,form_name,section_header,field_type\nstudy_id,demographics,,text\n";
    let export = Export {
        dictionary: other,
        ..export
    };
    let (ingested, _) = import(&export);
    assert!(ingested.diagnostics[0]
        .to_string()
        .contains("not made from hlh's template"));
}

#[test]
fn a_project_not_made_from_the_template_is_refused_with_what_it_lacks() {
    // REDCapR's `dag` test project (crates/hlh-redcap/tests/fixtures/PROVENANCE.md): a web-UI dictionary and its records.
    let fixture = |name: &str| {
        std::fs::read_to_string(
            Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("tests/fixtures/redcapr-dag")
                .join(name),
        )
        .unwrap()
    };
    let (dictionary, records) = (fixture("dictionary.csv"), fixture("data.csv"));
    let export = Export {
        dictionary_name: "dictionary.csv",
        dictionary: &dictionary,
        records_name: "data.csv",
        records: &records,
        missing_codes: &[],
        mapping: None,
    };
    let (ingested, files) = import(&export);
    assert!(files.is_empty());
    let message = ingested.diagnostics[0].to_string();
    assert!(
        message.starts_with("error: dictionary.csv: the project was not made from hlh's template"),
        "{message}"
    );
    assert!(
        message.contains("diagnosis_date, triggers"),
        "it names what is missing: {message}"
    );
}
