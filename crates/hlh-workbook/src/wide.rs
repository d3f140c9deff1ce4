//! The wide layout clinicians keep: one row per patient, one column per analyte and time point
//! (`crp_d0`, `CRP J7`), read through a mapping file that says what each column is (docs/workbooks.md,
//! "The wide layout"). The rows become the study format's tables and go through the study reader, as a
//! long workbook does; each problem is then placed on the cell it came from.

use std::path::Path;

use hlh_ingest::{
    read_study, shown_file_name, BuiltFile, ColumnRef, Diagnostic, Ingested, StudySources,
};
use hlh_model::{Analyte, StudyFile};
use jiff::civil::Date;
use jiff::ToSpan;

use crate::read::{sheet_grid, whole_file};

/// When a mapped result was taken.
#[derive(Debug, Clone, PartialEq)]
enum When {
    /// Days after the first dose of the index drug (Day 0).
    Day(i32),
    /// The date in this column of the row.
    DateColumn(String),
}

/// Where a mapped result's unit comes from: never guessed.
#[derive(Debug, Clone, PartialEq)]
enum UnitSource {
    Fixed(String),
    Column(String),
}

#[derive(Debug, Clone, PartialEq)]
struct ObservationColumn {
    column: String,
    analyte: Analyte,
    unit: UnitSource,
    when: When,
}

/// What the mapping file says.
#[derive(Debug, Clone, PartialEq, Default)]
struct Mapping {
    sheet: Option<String>,
    patient_id: String,
    /// (study-format column of patients.csv, workbook column).
    patients: Vec<(String, String)>,
    index_drug: String,
    /// The column of the first dose's date (Day 0).
    day0: String,
    observations: Vec<ObservationColumn>,
}

/// Reads the mapping; every problem at once, each naming its key.
fn read_mapping(text: &str, file: &str) -> Result<Mapping, Vec<Diagnostic>> {
    let problem = |key: &str, message: String, expected: &str| Diagnostic {
        value: Some(key.to_string()),
        expected: Some(expected.to_string()),
        ..whole_file(file, message)
    };
    let table: toml::Table = match text.parse() {
        Ok(table) => table,
        Err(error) => {
            return Err(vec![problem(
                "",
                format!("not valid TOML: {}", error.message()),
                "a mapping file (docs/workbooks.md)",
            )])
        }
    };
    let mut problems = Vec::new();
    let mut mapping = Mapping::default();
    let text_of = |value: &toml::Value| value.as_str().map(str::to_string);
    for (key, value) in &table {
        match key.as_str() {
            "sheet" => mapping.sheet = text_of(value),
            "patient_id" => mapping.patient_id = text_of(value).unwrap_or_default(),
            "day0" => mapping.day0 = text_of(value).unwrap_or_default(),
            "index_drug" => mapping.index_drug = text_of(value).unwrap_or_default(),
            "patients" => {
                let known = hlh_ingest::study_columns(StudyFile::Patients);
                for (column, header) in value.as_table().into_iter().flatten() {
                    match (known.iter().any(|c| c.name == column), header.as_str()) {
                        (true, Some(header)) => {
                            mapping.patients.push((column.clone(), header.to_string()))
                        }
                        (false, _) => problems.push(problem(
                            &format!("patients.{column}"),
                            "not a column of patients.csv".into(),
                            "a column of patients.csv (docs/study-format.md)",
                        )),
                        (true, None) => problems.push(problem(
                            &format!("patients.{column}"),
                            "must be the header of a workbook column".into(),
                            "a quoted header",
                        )),
                    }
                }
            }
            "observations" => {
                for (index, entry) in value.as_array().into_iter().flatten().enumerate() {
                    match observation_column(entry) {
                        Ok(column) => mapping.observations.push(column),
                        Err((message, expected)) => problems.push(problem(
                            &format!("observations[{index}]"),
                            message,
                            &expected,
                        )),
                    }
                }
            }
            other => problems.push(problem(
                other,
                "unknown key of the mapping".into(),
                "sheet, patient_id, day0, index_drug, [patients], [[observations]]",
            )),
        }
    }
    for (key, value) in [("patient_id", &mapping.patient_id), ("day0", &mapping.day0)] {
        if value.is_empty() {
            problems.push(problem(
                key,
                format!("{key} is required"),
                "the header of the workbook column that holds it",
            ));
        }
    }
    if mapping.index_drug.is_empty() {
        mapping.index_drug = "anakinra".into();
    }
    if problems.is_empty() {
        Ok(mapping)
    } else {
        Err(problems)
    }
}

fn observation_column(entry: &toml::Value) -> Result<ObservationColumn, (String, String)> {
    let text = |key: &str| {
        entry
            .get(key)
            .and_then(toml::Value::as_str)
            .map(str::to_string)
    };
    let column = text("column").ok_or((
        "column is required".to_string(),
        "column = \"CRP J0\"".to_string(),
    ))?;
    let analyte_name = text("analyte").unwrap_or_default();
    let analyte = Analyte::from_name(&analyte_name).ok_or_else(|| {
        (
            format!("analyte {analyte_name:?} of column {column:?} is not an analyte"),
            format!("one of {}", Analyte::expected_list()),
        )
    })?;
    let unit = match (text("unit"), text("unit_column")) {
        (Some(unit), None) if !unit.trim().is_empty() => UnitSource::Fixed(unit),
        (None, Some(column)) => UnitSource::Column(column),
        _ => {
            return Err((
                format!("column {column:?} needs its unit: unit or unit_column, one of them (a unit is never guessed)"),
                format!("unit = \"mg/L\" or unit_column = \"CRP unit\"; units of {}: {}", analyte.name(), accepted(analyte)),
            ))
        }
    };
    let when = match (
        entry.get("day").and_then(toml::Value::as_integer),
        text("date_column"),
    ) {
        (Some(day), None) if (-365..=3650).contains(&day) => When::Day(day as i32),
        (None, Some(date_column)) => When::DateColumn(date_column),
        _ => {
            return Err((
                format!("column {column:?} needs its time: day or date_column, one of them"),
                "day = 7 (days after the first dose) or date_column = \"Date J7\"".into(),
            ))
        }
    };
    Ok(ObservationColumn {
        column,
        analyte,
        unit,
        when,
    })
}

fn accepted(analyte: Analyte) -> String {
    hlh_model::join_alternatives(
        hlh_model::units::accepted_units(analyte)
            .iter()
            .map(|unit| unit.spelling),
    )
}

/// A study file made from the sheet, each field with its (row, column) cell, 1-based.
type Synthetic = BuiltFile<(u32, u32)>;

/// Reads a wide workbook through its mapping file.
pub fn read_wide_workbook(workbook: &Path, mapping_path: &Path) -> Ingested {
    read_wide_workbook_files(workbook, mapping_path).0
}

/// Reads a wide workbook through its mapping file and gives, beside what was read, the study folder's
/// files it makes (for `hlh convert`).
pub fn read_wide_workbook_files(
    workbook: &Path,
    mapping_path: &Path,
) -> (Ingested, Vec<(&'static str, String)>) {
    let file = shown_file_name(workbook);
    let mapping_file = mapping_path.display().to_string();
    let failed = |diagnostics: Vec<Diagnostic>| (Ingested::unread(diagnostics), Vec::new());
    let mapping = match std::fs::read_to_string(mapping_path) {
        Ok(text) => match read_mapping(&text, &mapping_file) {
            Ok(mapping) => mapping,
            Err(problems) => return failed(problems),
        },
        Err(error) => {
            return failed(vec![whole_file(
                &mapping_file,
                format!("cannot be read: {error}"),
            )])
        }
    };
    let mut problems = Vec::new();
    let Some((sheet, grid)) = sheet_grid(workbook, mapping.sheet.as_deref(), &file, &mut problems)
    else {
        return failed(problems);
    };
    let header = grid.first().cloned().unwrap_or_default();
    let position = |wanted: &str| {
        header
            .iter()
            .position(|name| name.trim().eq_ignore_ascii_case(wanted.trim()))
    };
    // Every header the mapping names must be in row 1.
    let mut named: Vec<(&str, &str)> =
        vec![("patient_id", &mapping.patient_id), ("day0", &mapping.day0)];
    named.extend(
        mapping
            .patients
            .iter()
            .map(|(c, h)| (c.as_str(), h.as_str())),
    );
    for observation in &mapping.observations {
        named.push(("observations.column", &observation.column));
        if let UnitSource::Column(unit) = &observation.unit {
            named.push(("observations.unit_column", unit));
        }
        if let When::DateColumn(date) = &observation.when {
            named.push(("observations.date_column", date));
        }
    }
    for (key, wanted) in &named {
        if position(wanted).is_none() {
            problems.push(Diagnostic {
                value: Some(wanted.to_string()),
                expected: Some(format!(
                    "one of the headers in row 1: {}",
                    header.join(", ")
                )),
                ..whole_file(
                    &mapping_file,
                    format!("{key}: no column of sheet {sheet} has this header"),
                )
            });
        }
    }
    if !problems.is_empty() {
        return failed(problems);
    }
    let column = |wanted: &str| position(wanted).unwrap_or_default();
    let (id_column, day0_column) = (column(&mapping.patient_id), column(&mapping.day0));

    let mut patient_header = vec!["patient_id"];
    patient_header.extend(mapping.patients.iter().map(|(c, _)| c.as_str()));
    let mut patients = Synthetic::new(&patient_header);
    let mut observations = Synthetic::new(&["patient_id", "time", "analyte", "value", "unit"]);
    let mut treatments = Synthetic::new(&["patient_id", "drug", "start"]);
    for (index, row) in grid.iter().enumerate().skip(1) {
        let row_number = index as u32 + 1;
        let at = |col: usize| {
            (
                row.get(col).cloned().unwrap_or_default(),
                Some((row_number, col as u32 + 1)),
            )
        };
        if row.iter().all(String::is_empty) {
            continue;
        }
        let id = at(id_column);
        let mut fields = vec![id.clone()];
        fields.extend(
            mapping
                .patients
                .iter()
                .map(|(_, header)| at(column(header))),
        );
        patients.push(fields);
        let day0 = at(day0_column);
        treatments.push(vec![
            id.clone(),
            (mapping.index_drug.clone(), None),
            day0.clone(),
        ]);
        let day0_date: Option<Date> = day0.0.get(..10).and_then(|d| d.parse().ok());
        for observation in &mapping.observations {
            let value = at(column(&observation.column));
            if value.0.trim().is_empty() {
                continue;
            }
            let time = match &observation.when {
                When::DateColumn(date) => at(column(date)),
                // Without a readable Day 0 the treatment row reports it; the results wait for it.
                When::Day(day) => {
                    match day0_date.and_then(|d0| d0.checked_add(i64::from(*day).days()).ok()) {
                        Some(date) => (date.to_string(), day0.1),
                        None => continue,
                    }
                }
            };
            let unit = match &observation.unit {
                UnitSource::Fixed(unit) => (unit.clone(), None),
                UnitSource::Column(unit) => at(column(unit)),
            };
            observations.push(vec![
                id.clone(),
                time,
                (observation.analyte.name().to_string(), None),
                value,
                unit,
            ]);
        }
    }
    let sources = StudySources {
        patients: Some(patients.text().as_bytes().to_vec()),
        observations: Some(observations.text().as_bytes().to_vec()),
        treatments: Some(treatments.text().as_bytes().to_vec()),
        events: None,
        study_toml: None,
    };
    let mut ingested = read_study(&sources);
    let files = [
        (StudyFile::Patients, &patients),
        (StudyFile::Observations, &observations),
        (StudyFile::Treatments, &treatments),
    ];
    for diagnostic in &mut ingested.diagnostics {
        let Some((_, synthetic)) = files.iter().find(|(f, _)| f.file_name() == diagnostic.file)
        else {
            continue;
        };
        let (cell, row_cell) = synthetic.origin_of(diagnostic);
        let (cell, row) = (cell.copied(), row_cell.map(|(row, _)| *row));
        match (cell, diagnostic.column.as_mut()) {
            (Some((_, col)), Some(column)) => {
                *column = ColumnRef {
                    number: col as usize,
                    name: format!(
                        "{} ({})",
                        header.get(col as usize - 1).cloned().unwrap_or_default(),
                        column.name
                    ),
                };
            }
            // A value the mapping supplied (a fixed unit): the mapping is where to fix it.
            (None, Some(column)) => {
                column.name = format!("{} (from the mapping)", column.name);
                diagnostic.file = mapping_file.clone();
                diagnostic.line = None;
                continue;
            }
            (_, None) => {}
        }
        diagnostic.file = file.clone();
        diagnostic.sheet = Some(sheet.clone());
        diagnostic.line = cell.map(|(row, _)| row).or(row).map(u64::from);
    }
    // A mapping's mistake is said once, not on every row.
    ingested.diagnostics.dedup();
    problems.append(&mut ingested.diagnostics);
    ingested.diagnostics = problems;
    let files = files
        .iter()
        .map(|(study_file, synthetic)| (study_file.file_name(), synthetic.text().to_string()))
        .collect();
    (ingested, files)
}
