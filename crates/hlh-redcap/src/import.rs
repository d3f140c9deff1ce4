//! A REDCap project made from the template, from its data dictionary and its flat raw records export,
//! becomes the study format's tables; they are read by the study reader, and every problem is named by
//! record, instrument, instance, field and value (docs/redcap.md).

use std::collections::HashMap;

use hlh_ingest::{read_study, BuiltFile, ColumnRef, Diagnostic, Ingested, Severity, StudySources};
use hlh_model::StudyFile;

use crate::dictionary::{
    code_of, fields, EVENT_FORM, OBSERVATION_FORM, PATIENT_FORM, TREATMENT_FORM,
};

/// The files of a REDCap export, as text.
#[derive(Debug, Clone, Copy)]
pub struct Export<'a> {
    pub dictionary_name: &'a str,
    pub dictionary: &'a str,
    pub records_name: &'a str,
    pub records: &'a str,
    /// The project's missing-data codes (`UNK`, `-999`): read as unknown wherever they stand.
    pub missing_codes: &'a [String],
}

/// Where a value of the study came from in the export.
#[derive(Debug, Clone, PartialEq)]
struct Origin {
    /// The records file's line.
    line: u64,
    record: String,
    instrument: &'static str,
    instance: String,
    field: String,
    column: usize,
}

/// One study file being built, each field with its place in the export.
type Table = BuiltFile<Origin>;

fn problem(file: &str, message: String, expected: Option<String>) -> Diagnostic {
    Diagnostic {
        expected,
        ..Diagnostic::about_file(Severity::Error, file, message)
    }
}

/// The dictionary's field names, in either header spelling (a UTF-8 byte-order mark allowed).
fn dictionary_fields(export: &Export) -> Result<Vec<String>, Vec<Diagnostic>> {
    let text = export.dictionary.trim_start_matches('\u{feff}');
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .from_reader(text.as_bytes());
    let header = reader
        .headers()
        .map_err(|error| {
            vec![problem(
                export.dictionary_name,
                format!("not a CSV file: {error}"),
                None,
            )]
        })?
        .clone();
    let first = header.get(0).unwrap_or_default().trim();
    if !["Variable / Field Name", "field_name"].contains(&first) {
        return Err(vec![problem(
            export.dictionary_name,
            format!("not a REDCap data dictionary (its first column is {first:?})"),
            Some(
                "a dictionary whose first column is \"Variable / Field Name\" or \"field_name\""
                    .into(),
            ),
        )]);
    }
    Ok(reader
        .records()
        .flatten()
        .filter_map(|record| record.get(0).map(|name| name.trim().to_string()))
        .filter(|name| !name.is_empty())
        .collect())
}

/// Reads a project made from the template.
pub fn import(export: &Export) -> (Ingested, Vec<(&'static str, String)>) {
    let failed = |diagnostics: Vec<Diagnostic>| (Ingested::unread(diagnostics), Vec::new());
    let names = match dictionary_fields(export) {
        Ok(names) => names,
        Err(problems) => return failed(problems),
    };
    let template = fields();
    let absent: Vec<&str> = template
        .iter()
        .map(|f| f.name)
        .filter(|name| !names.iter().any(|n| n == name))
        .collect();
    if !absent.is_empty() {
        return failed(vec![problem(
            export.dictionary_name,
            format!(
                "the project was not made from hlh's template: it has no field {}",
                absent.join(", ")
            ),
            Some("a project made with `hlh redcap template` (another project needs a mapping, which this version does not read yet)".into()),
        )]);
    }
    let text = export.records.trim_start_matches('\u{feff}');
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .from_reader(text.as_bytes());
    let header: Vec<String> = match reader.headers() {
        Ok(header) => header.iter().map(|h| h.trim().to_string()).collect(),
        Err(error) => {
            return failed(vec![problem(
                export.records_name,
                format!("not a CSV file: {error}"),
                None,
            )])
        }
    };
    let position: HashMap<&str, usize> = header
        .iter()
        .enumerate()
        .map(|(i, h)| (h.as_str(), i))
        .collect();
    if header.first().map(String::as_str) != Some("record_id") {
        return failed(vec![problem(
            export.records_name,
            "the records export does not start with record_id".into(),
            Some("a flat export of raw data with raw headers (CSV (raw data) in REDCap)".into()),
        )]);
    }
    let table = |file: StudyFile| {
        let header: Vec<&str> = hlh_ingest::study_columns(file)
            .iter()
            .map(|column| column.name)
            .collect();
        (header.clone(), Table::new(&header))
    };
    let (patient_columns, mut patients) = table(StudyFile::Patients);
    let (observation_columns, mut observations) = table(StudyFile::Observations);
    let (treatment_columns, mut treatments) = table(StudyFile::Treatments);
    let (event_columns, mut events) = table(StudyFile::Events);
    // The study format's words back from their REDCap codes (mg_kg is mg/kg).
    let words: HashMap<String, &'static str> = hlh_model::DoseUnit::ALL
        .iter()
        .map(|u| u.name())
        .chain(hlh_model::Frequency::ALL.iter().map(|f| f.name()))
        .map(|word| (code_of(word), word))
        .collect();
    for record in reader.records() {
        let Ok(record) = record else {
            continue;
        };
        let line = record.position().map_or(0, |p| p.line());
        let get = |name: &str| -> String {
            let value = position
                .get(name)
                .and_then(|&i| record.get(i))
                .unwrap_or_default()
                .trim();
            // A missing-data code is unknown, whatever the field.
            if export.missing_codes.iter().any(|code| code == value) {
                String::new()
            } else {
                value.to_string()
            }
        };
        let id = get("record_id");
        let instrument = match get("redcap_repeat_instrument").as_str() {
            "" => PATIENT_FORM,
            OBSERVATION_FORM => OBSERVATION_FORM,
            TREATMENT_FORM => TREATMENT_FORM,
            EVENT_FORM => EVENT_FORM,
            _ => continue,
        };
        let instance = get("redcap_repeat_instance");
        let origin = |field: &str| {
            position.get(field).map(|&column| Origin {
                line,
                record: id.clone(),
                instrument,
                instance: instance.clone(),
                field: field.to_string(),
                column: column + 1,
            })
        };
        let cell = |field: &str| (get(field), origin(field));
        let word = |field: &str| {
            let (code, origin) = cell(field);
            (words.get(&code).map_or(code, |w| w.to_string()), origin)
        };
        let yes_no = |field: &str| {
            let (code, origin) = cell(field);
            let text = match code.as_str() {
                "1" => "yes".to_string(),
                "0" => "no".to_string(),
                other => other.to_string(),
            };
            (text, origin)
        };
        let moment = |date: &str, clock: &str| {
            let (day, origin) = cell(date);
            let time = get(clock);
            (
                if time.is_empty() || day.is_empty() {
                    day
                } else {
                    format!("{day}T{time}")
                },
                origin,
            )
        };
        // Each row in the study format's column order; a field of the template has the name of its
        // column unless said here.
        let row = |columns: &[&str], value: &dyn Fn(&str) -> (String, Option<Origin>)| {
            columns
                .iter()
                .map(|column| value(column))
                .collect::<Vec<_>>()
        };
        let id_cell = || (id.clone(), origin("record_id"));
        match instrument {
            PATIENT_FORM => patients.push(row(&patient_columns, &|column| match column {
                "patient_id" => id_cell(),
                "centre" => cell("redcap_data_access_group"),
                // Ticked boxes are the triggers; none ticked says nothing (never "no trigger").
                "triggers" => {
                    let ticked: Vec<&str> = hlh_model::Trigger::ALL
                        .iter()
                        .map(|t| t.name())
                        .filter(|name| get(&format!("triggers___{}", code_of(name))) == "1")
                        .collect();
                    (ticked.join(";"), None)
                }
                finding if hlh_model::PATIENT_FINDINGS.contains(&finding) => yes_no(finding),
                other => cell(other),
            })),
            OBSERVATION_FORM => {
                observations.push(row(&observation_columns, &|column| match column {
                    "patient_id" => id_cell(),
                    "time" => moment("obs_date", "obs_clock"),
                    "value" => cell("obs_value"),
                    "unit" => cell("obs_unit"),
                    other => cell(other),
                }))
            }
            TREATMENT_FORM => treatments.push(row(&treatment_columns, &|column| match column {
                "patient_id" => id_cell(),
                "start" => moment("start_date", "start_clock"),
                "end" => moment("end_date", "end_clock"),
                "dose_unit" | "frequency" => word(column),
                other => cell(other),
            })),
            _ => events.push(row(&event_columns, &|column| match column {
                "patient_id" => id_cell(),
                "time" => moment("event_date", "event_clock"),
                "event" => cell("event_kind"),
                "detail" => cell("event_detail"),
                "drug" => cell("event_drug"),
                "led_to_discontinuation" => yes_no(column),
                "value" => cell("recorded_response"),
                other => cell(other),
            })),
        }
    }
    let sources = StudySources {
        patients: Some(patients.text().as_bytes().to_vec()),
        observations: Some(observations.text().as_bytes().to_vec()),
        treatments: Some(treatments.text().as_bytes().to_vec()),
        events: Some(events.text().as_bytes().to_vec()),
        study_toml: None,
    };
    let mut ingested = read_study(&sources);
    let tables = [
        (StudyFile::Patients, &patients),
        (StudyFile::Observations, &observations),
        (StudyFile::Treatments, &treatments),
        (StudyFile::Events, &events),
    ];
    for diagnostic in &mut ingested.diagnostics {
        let Some((_, table)) = tables
            .iter()
            .find(|(f, _)| f.file_name() == diagnostic.file)
        else {
            continue;
        };
        let (field, any) = table.origin_of(diagnostic);
        let Some(origin) = field.or(any) else {
            continue;
        };
        diagnostic.file = export.records_name.to_string();
        diagnostic.line = Some(origin.line);
        let place = if origin.instrument == PATIENT_FORM {
            format!("record {}", origin.record)
        } else {
            format!(
                "record {}, {} instance {}",
                origin.record, origin.instrument, origin.instance
            )
        };
        match field {
            Some(field) => {
                diagnostic.column = Some(ColumnRef {
                    number: field.column,
                    name: format!("{place}, field {}", field.field),
                });
            }
            None => {
                let about = diagnostic
                    .column
                    .take()
                    .map_or(String::new(), |column| format!(" ({})", column.name));
                diagnostic.message = format!("{place}{about}: {}", diagnostic.message);
            }
        }
    }
    let files = tables
        .iter()
        .map(|(study_file, table)| (study_file.file_name(), table.text().to_string()))
        .collect();
    (ingested, files)
}
