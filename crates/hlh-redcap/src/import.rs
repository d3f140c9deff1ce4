//! A REDCap project, from its data dictionary and its flat raw records export, becomes the study
//! format's tables: a project made from the template by its instruments, any other through a mapping
//! file. They are read by the study reader, and every problem is named by record, event, instrument,
//! instance, field and value (docs/redcap.md).

use std::collections::HashMap;

use hlh_ingest::mapped::{read_mapped, Mapping};
use hlh_ingest::{read_study, BuiltFile, ColumnRef, Diagnostic, Ingested, StudySources};
use hlh_model::{SourceRow, StudyFile};

use crate::dictionary::{
    code_of, fields, EVENT_FORM, OBSERVATION_FORM, PATIENT_FORM, TREATMENT_FORM,
};
use crate::project::{check_raw, grid, problem, read_dictionary, read_records, Records};

/// The files of a REDCap export, as text.
#[derive(Debug, Clone, Copy)]
pub struct Export<'a> {
    pub dictionary_name: &'a str,
    pub dictionary: &'a str,
    pub records_name: &'a str,
    pub records: &'a str,
    /// The project's missing-data codes (`UNK`, `-999`): read as unknown wherever they stand.
    pub missing_codes: &'a [String],
    /// For a project not made from the template: the mapping file's name and text.
    pub mapping: Option<(&'a str, &'a str)>,
}

/// Where a value of the study came from in the export.
#[derive(Debug, Clone, PartialEq)]
struct Origin {
    /// The records file's line.
    line: u64,
    record: String,
    /// The event of a longitudinal project; empty otherwise.
    event: String,
    instrument: &'static str,
    instance: String,
    field: String,
    column: usize,
}

impl Origin {
    /// "record 7, event baseline_arm_1, observation instance 2".
    fn place(&self) -> String {
        let mut place = format!("record {}", self.record);
        if !self.event.is_empty() {
            place.push_str(&format!(", event {}", self.event));
        }
        if self.instrument != PATIENT_FORM {
            place.push_str(&format!(", {} instance {}", self.instrument, self.instance));
        }
        place
    }
}

/// One study file being built, each field with its place in the export.
type Table = BuiltFile<Origin>;

/// Reads a project: through its mapping when the export has one, by the template's instruments
/// otherwise.
pub fn import(export: &Export) -> (Ingested, Vec<(&'static str, String)>) {
    let failed = |diagnostics: Vec<Diagnostic>| (Ingested::unread(diagnostics), Vec::new());
    let dictionary = match read_dictionary(export) {
        Ok(dictionary) => dictionary,
        Err(problems) => return failed(problems),
    };
    if export.mapping.is_none() {
        let absent: Vec<&str> = fields()
            .iter()
            .map(|f| f.name)
            .filter(|name| !dictionary.iter().any(|f| f.name == *name))
            .collect();
        if !absent.is_empty() {
            return failed(vec![problem(
                export.dictionary_name,
                format!(
                    "the project was not made from hlh's template: it has no field {}",
                    if absent.len() > 12 {
                        format!(
                            "{}, … ({} of the template's {} fields)",
                            absent[..12].join(", "),
                            absent.len(),
                            fields().len()
                        )
                    } else {
                        absent.join(", ")
                    }
                ),
                Some("a project made with `hlh redcap template`, or a mapping (--mapping) that says what its fields are (docs/redcap.md)".into()),
            )]);
        }
    }
    let records = match read_records(export) {
        Ok(records) => records,
        Err(problems) => return failed(problems),
    };
    let problems = check_raw(export, &dictionary, &records);
    if !problems.is_empty() {
        return failed(problems);
    }
    let Some((mapping_name, mapping_text)) = export.mapping else {
        return import_template(export, &records);
    };
    let mapping = match Mapping::read(mapping_text, mapping_name) {
        Ok(mapping) => mapping,
        Err(problems) => return failed(problems),
    };
    if let Some(sheet) = mapping.sheet() {
        return failed(vec![Diagnostic {
            value: Some(sheet.to_string()),
            ..problem(
                mapping_name,
                "sheet: a REDCap export has no sheets".into(),
                Some("a mapping without sheet".into()),
            )
        }]);
    }
    read_mapped(&grid(export, &dictionary, records), &mapping, mapping_name)
}

/// Reads a project made from the template.
fn import_template(export: &Export, records: &Records) -> (Ingested, Vec<(&'static str, String)>) {
    let header = &records.header;
    let position: HashMap<&str, usize> = header
        .iter()
        .enumerate()
        .map(|(i, h)| (h.as_str(), i))
        .collect();
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
    // In a longitudinal project every event of a record has a row of the patient instrument; only the
    // filled ones are the patient (two filled ones are the study reader's duplicate patient).
    let patient_fields: Vec<&str> = fields()
        .iter()
        .filter(|f| f.form == PATIENT_FORM && f.name != "record_id")
        .map(|f| f.name)
        .collect();
    let mut seen_patients = std::collections::HashSet::new();
    for (line, record) in &records.rows {
        let line = *line;
        let get = |name: &str| -> String {
            position
                .get(name)
                .and_then(|&i| record.get(i))
                .map_or_else(String::new, String::clone)
        };
        let id = get("record_id");
        let instrument = match get("redcap_repeat_instrument").as_str() {
            "" => PATIENT_FORM,
            OBSERVATION_FORM => OBSERVATION_FORM,
            TREATMENT_FORM => TREATMENT_FORM,
            EVENT_FORM => EVENT_FORM,
            _ => continue,
        };
        if instrument == PATIENT_FORM {
            // An unticked box exports 0 even on an empty form.
            let blank = position.iter().all(|(header, &i)| {
                let value = record.get(i).map_or("", String::as_str);
                let checkbox = header
                    .split_once("___")
                    .is_some_and(|(name, _)| patient_fields.contains(&name));
                match (checkbox, patient_fields.contains(header)) {
                    (true, _) => value.is_empty() || value == "0",
                    (false, true) => value.is_empty(),
                    (false, false) => true,
                }
            });
            if !seen_patients.insert(id.clone()) && blank {
                continue;
            }
        }
        let instance = get("redcap_repeat_instance");
        let event = get("redcap_event_name");
        let origin = |field: &str| {
            position.get(field).map(|&column| Origin {
                line,
                record: id.clone(),
                event: event.clone(),
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
        let place = origin.place();
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
    for (study_file, table) in &tables {
        for (line, origin) in table.row_origins(0) {
            ingested.study.origins.insert(
                SourceRow {
                    file: *study_file,
                    line,
                },
                format!(
                    "{} line {} ({})",
                    export.records_name,
                    origin.line,
                    origin.place()
                ),
            );
        }
    }
    let files = tables
        .iter()
        .map(|(study_file, table)| (study_file.file_name(), table.text().to_string()))
        .collect();
    (ingested, files)
}
