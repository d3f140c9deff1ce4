//! A REDCap project of any design: its data dictionary, the checks every export gets (a label export is
//! refused, never half-read), and its records as a grid for the mapped reader of hlh-ingest, each row
//! named by record, event, instrument and instance (docs/redcap.md, "A project of another design").

use hlh_ingest::mapped::{Grid, GridRow, RowsPerPatient};
use hlh_ingest::{Diagnostic, Severity};

use crate::import::Export;

/// A field of the project's dictionary.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct DictionaryField {
    pub name: String,
    pub form: String,
    pub kind: String,
    pub label: String,
    /// `(code, label)` of a radio, dropdown or checkbox field (and of yesno and truefalse, whose
    /// choices REDCap fixes).
    pub choices: Vec<(String, String)>,
    pub validation: String,
}

pub(crate) fn problem(file: &str, message: String, expected: Option<String>) -> Diagnostic {
    Diagnostic {
        expected,
        ..Diagnostic::about_file(Severity::Error, file, message)
    }
}

fn not_csv(file: &str, error: &csv::Error) -> Vec<Diagnostic> {
    vec![problem(file, format!("not a CSV file: {error}"), None)]
}

/// `1, Yes | 0, No` as its pairs; a label may hold commas.
fn choices_of(kind: &str, text: &str) -> Vec<(String, String)> {
    let pair = |code: &str, label: &str| (code.to_string(), label.to_string());
    match kind {
        "yesno" => vec![pair("1", "Yes"), pair("0", "No")],
        "truefalse" => vec![pair("1", "True"), pair("0", "False")],
        "radio" | "dropdown" | "checkbox" => text
            .split('|')
            .filter_map(|choice| {
                let (code, label) = choice.split_once(',')?;
                Some(pair(code.trim(), label.trim()))
            })
            .filter(|(code, _)| !code.is_empty())
            .collect(),
        _ => Vec::new(),
    }
}

/// Reads the dictionary in either header spelling (the web interface's `Variable / Field Name,…`, the
/// API's `field_name,…`; the old 17-column one too), a UTF-8 byte-order mark allowed. Columns are taken
/// by position, which every spelling shares: name, form, section, type, label, choices, note,
/// validation.
pub(crate) fn read_dictionary(export: &Export) -> Result<Vec<DictionaryField>, Vec<Diagnostic>> {
    let text = export.dictionary.trim_start_matches('\u{feff}');
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .from_reader(text.as_bytes());
    let header = reader
        .headers()
        .map_err(|error| not_csv(export.dictionary_name, &error))?
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
    let mut fields = Vec::new();
    for record in reader.records() {
        let record = record.map_err(|error| not_csv(export.dictionary_name, &error))?;
        let get = |i: usize| record.get(i).unwrap_or_default().trim().to_string();
        let name = get(0);
        // An Excel re-save leaves rows of empty cells.
        if name.is_empty() {
            continue;
        }
        let kind = get(3);
        fields.push(DictionaryField {
            choices: choices_of(&kind, &get(5)),
            name,
            form: get(1),
            kind,
            label: get(4),
            validation: get(7),
        });
    }
    Ok(fields)
}

/// The records as a header and rows, each row with its line; a missing-data code is already empty
/// (unknown), whatever the field.
pub(crate) struct Records {
    pub header: Vec<String>,
    pub rows: Vec<(u64, Vec<String>)>,
}

pub(crate) fn read_records(export: &Export) -> Result<Records, Vec<Diagnostic>> {
    let text = export.records.trim_start_matches('\u{feff}');
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .from_reader(text.as_bytes());
    let header: Vec<String> = match reader.headers() {
        Ok(header) => header.iter().map(|h| h.trim().to_string()).collect(),
        Err(error) => return Err(not_csv(export.records_name, &error)),
    };
    let mut rows = Vec::new();
    for record in reader.records() {
        let record = record.map_err(|error| not_csv(export.records_name, &error))?;
        let line = record.position().map_or(0, |p| p.line());
        let cells: Vec<String> = record
            .iter()
            .map(|cell| {
                let cell = cell.trim();
                if export.missing_codes.iter().any(|code| code == cell) {
                    String::new()
                } else {
                    cell.to_string()
                }
            })
            .collect();
        if cells.iter().all(String::is_empty) {
            continue;
        }
        rows.push((line, cells));
    }
    Ok(Records { header, rows })
}

/// What every export must be: raw headers (the record ID field first) and raw values. A label export
/// would read "Checked" boxes as unticked and "Yes" as a word, so it is refused, with where it shows.
pub(crate) fn check_raw(
    export: &Export,
    dictionary: &[DictionaryField],
    records: &Records,
) -> Vec<Diagnostic> {
    let mut problems = Vec::new();
    let Some(record_id) = dictionary.first() else {
        return vec![problem(
            export.dictionary_name,
            "the dictionary has no field".into(),
            None,
        )];
    };
    let first = records.header.first().map_or("", String::as_str);
    if first != record_id.name {
        let label_headers = first == record_id.label || first == "Record ID";
        problems.push(problem(
            export.records_name,
            if label_headers {
                format!("the headers are the fields' labels ({first:?}): a label export")
            } else {
                format!(
                    "the records do not start with the record ID field {:?} (they start with {first:?})",
                    record_id.name
                )
            },
            Some("a flat export of raw data with raw headers (CSV (raw data) in REDCap)".into()),
        ));
        return problems;
    }
    let complete = [("0", "Incomplete"), ("1", "Unverified"), ("2", "Complete")];
    for (column, header) in records.header.iter().enumerate() {
        // The labels each column's raw codes stand for.
        let labels: Vec<(String, String)> = if let Some((name, _)) = header.split_once("___") {
            match dictionary
                .iter()
                .find(|f| f.name == name && f.kind == "checkbox")
            {
                Some(_) => vec![
                    ("1".into(), "Checked".into()),
                    ("0".into(), "Unchecked".into()),
                ],
                None => continue,
            }
        } else if header.ends_with("_complete") {
            complete
                .iter()
                .map(|(c, l)| (c.to_string(), l.to_string()))
                .collect()
        } else {
            match dictionary.iter().find(|f| &f.name == header) {
                Some(field) if !field.choices.is_empty() => field.choices.clone(),
                _ => continue,
            }
        };
        let labelled = records.rows.iter().find_map(|(line, cells)| {
            let value = cells.get(column)?;
            let is_code = labels
                .iter()
                .any(|(code, _)| code.eq_ignore_ascii_case(value));
            let is_label = labels.iter().any(|(_, label)| label == value);
            (is_label && !is_code).then_some((*line, value))
        });
        if let Some((line, value)) = labelled {
            problems.push(Diagnostic {
                line: Some(line),
                column: Some(hlh_ingest::ColumnRef {
                    number: column + 1,
                    name: format!("field {header}"),
                }),
                value: Some(value.clone()),
                ..problem(
                    export.records_name,
                    "a choice's label where its code belongs: a label export".into(),
                    Some(format!(
                        "raw codes ({}): export CSV (raw data)",
                        labels
                            .iter()
                            .map(|(code, label)| format!("{code} for {label}"))
                            .collect::<Vec<_>>()
                            .join(", ")
                    )),
                )
            });
        }
    }
    problems
}

/// The records as the mapped reader's grid: a record is one patient across its rows (events,
/// instances); each checkbox also gives a column of its own name holding its ticked codes (`1;3`, none
/// ticked empty: unknown, never "none"); a comma-decimal field's `36,5`
/// is 36.5; the data access group is the centre unless the mapping names one.
pub(crate) fn grid(export: &Export, dictionary: &[DictionaryField], records: Records) -> Grid {
    let Records { mut header, rows } = records;
    let position = |name: &str, header: &[String]| header.iter().position(|h| h == name);
    let event_column = position("redcap_event_name", &header);
    let instrument_column = position("redcap_repeat_instrument", &header);
    let instance_column = position("redcap_repeat_instance", &header);
    let centre_column = position("redcap_data_access_group", &header);
    let comma_decimal: Vec<usize> = dictionary
        .iter()
        .filter(|f| f.validation.ends_with("comma_decimal"))
        .filter_map(|f| position(&f.name, &header))
        .collect();
    // Each checkbox: its name, and the columns of its boxes with their codes.
    let checkboxes: Vec<(String, Vec<(usize, String)>)> = dictionary
        .iter()
        .filter(|f| f.kind == "checkbox")
        .map(|f| {
            let boxes = f
                .choices
                .iter()
                .filter_map(|(code, _)| {
                    let column =
                        position(&format!("{}___{}", f.name, code.to_lowercase()), &header)?;
                    Some((column, code.clone()))
                })
                .collect::<Vec<_>>();
            (f.name.clone(), boxes)
        })
        .filter(|(_, boxes)| !boxes.is_empty())
        .collect();
    let mut column_numbers: Vec<usize> = (1..=header.len()).collect();
    for (name, boxes) in &checkboxes {
        header.push(name.clone());
        column_numbers.push(boxes[0].0 + 1);
    }
    let rows = rows
        .into_iter()
        .map(|(line, mut cells)| {
            cells.resize(column_numbers.len() - checkboxes.len(), String::new());
            for &column in &comma_decimal {
                let cell = &mut cells[column];
                if cell.matches(',').count() == 1 && !cell.contains('.') {
                    *cell = cell.replace(',', ".");
                }
            }
            for (_, boxes) in &checkboxes {
                let ticked: Vec<&str> = boxes
                    .iter()
                    .filter(|(column, _)| cells[*column] == "1")
                    .map(|(_, code)| code.as_str())
                    .collect();
                cells.push(ticked.join(";"));
            }
            let get = |column: Option<usize>| column.map_or("", |c| cells[c].as_str());
            let mut context = format!("record {}", cells[0]);
            if !get(event_column).is_empty() {
                context.push_str(&format!(", event {}", get(event_column)));
            }
            if !get(instrument_column).is_empty() {
                context.push_str(&format!(
                    ", {} instance {}",
                    get(instrument_column),
                    get(instance_column)
                ));
            }
            GridRow {
                line,
                context: Some(context),
                cells,
            }
        })
        .collect();
    Grid {
        file: export.records_name.to_string(),
        sheet: None,
        header,
        column_numbers,
        rows,
        event_column,
        centre_column,
        rows_per_patient: Some(RowsPerPatient::Several),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn export<'a>(dictionary: &'a str, records: &'a str) -> Export<'a> {
        Export {
            dictionary_name: "dictionary.csv",
            dictionary,
            records_name: "data.csv",
            records,
            missing_codes: &[],
            mapping: None,
        }
    }

    fn grid_of(export: &Export) -> Grid {
        let dictionary = read_dictionary(export).unwrap();
        let records = read_records(export).unwrap();
        assert!(check_raw(export, &dictionary, &records).is_empty());
        grid(export, &dictionary, records)
    }

    fn column<'g>(grid: &'g Grid, name: &str) -> Vec<&'g str> {
        let at = grid.header.iter().rposition(|h| h == name).unwrap();
        grid.rows.iter().map(|row| row.cells[at].as_str()).collect()
    }

    /// REDCapR's checkboxes-1 project (crates/hlh-redcap/tests/fixtures/PROVENANCE.md): each record's `desired_result`
    /// says which boxes are ticked; record 4 ticks none.
    #[test]
    fn a_checkbox_is_its_ticked_codes_and_none_ticked_is_unknown() {
        let export = export(
            include_str!("../tests/fixtures/redcapr-checkboxes-1/dictionary.csv"),
            include_str!("../tests/fixtures/redcapr-checkboxes-1/data.csv"),
        );
        let grid = grid_of(&export);
        assert_eq!(column(&grid, "check_one"), ["1", "", "1;2;3;4", ""]);
        assert_eq!(column(&grid, "check_two"), ["a;c", "b;d", "", ""]);
        // The synthesised column is placed on its first box for problems.
        let at = grid.header.iter().rposition(|h| h == "check_two").unwrap();
        assert_eq!(grid.column_numbers[at], 7);
    }

    /// REDCapR's decimal-comma-and-dot project: the same heights and weights written both ways.
    #[test]
    fn a_comma_decimal_field_reads_as_the_dot_field_beside_it() {
        let export = export(
            include_str!("../tests/fixtures/redcapr-decimal-comma-and-dot/dictionary.csv"),
            include_str!("../tests/fixtures/redcapr-decimal-comma-and-dot/data.csv"),
        );
        let grid = grid_of(&export);
        assert_eq!(column(&grid, "height_comma"), column(&grid, "height_dot"));
        assert_eq!(column(&grid, "weight_comma"), column(&grid, "weight_dot"));
        assert_eq!(column(&grid, "weight_comma")[0], "52.3");
        // The same project's API-spelled dictionary reads alike.
        let api = Export {
            dictionary: include_str!(
                "../tests/fixtures/redcapr-decimal-comma-and-dot/metadata.csv"
            ),
            ..export
        };
        assert_eq!(grid_of(&api).rows[3].cells, grid.rows[3].cells);
    }

    /// REDCapR's dag project: the data access group is each row's centre, and a missing-data code is
    /// emptied wherever it stands.
    #[test]
    fn the_data_access_group_is_the_centre_and_missing_codes_are_empty() {
        let codes = ["AA".to_string()];
        let export = Export {
            missing_codes: &codes,
            ..export(
                include_str!("../tests/fixtures/redcapr-dag/dictionary.csv"),
                include_str!("../tests/fixtures/redcapr-dag/data.csv"),
            )
        };
        let grid = grid_of(&export);
        let centre = grid.centre_column.unwrap();
        let centres: Vec<&str> = grid.rows.iter().map(|r| r.cells[centre].as_str()).collect();
        assert_eq!(centres, ["daga", "daga", "dagb"]);
        assert_eq!(column(&grid, "last_name"), ["", "BB", "CC"]);
        assert_eq!(grid.rows[2].context.as_deref(), Some("record 332-3"));
    }
}
