//! A table that is not in the study format — a wide workbook sheet (one row per patient, a column per
//! analyte and time point) or a long one (a row per time point), a REDCap project's records — read
//! through a mapping file that says what each column is (docs/workbooks.md, "The wide layout";
//! docs/redcap.md). The rows become the study format's tables and go through the study reader, and
//! each problem is placed back on the cell or field it came from.

use std::collections::{BTreeMap, HashMap};

use hlh_model::{Analyte, SourceRow, StudyFile};
use jiff::civil::Date;
use jiff::ToSpan;

use crate::{
    column_letters, read_study, study_columns, BuiltFile, ColumnRef, Diagnostic, Ingested,
    Severity, StudySources,
};

/// The table to read: a sheet's cells, or a REDCap export's records.
#[derive(Debug, Clone, Default)]
pub struct Grid {
    /// The file problems name (the workbook's, the records').
    pub file: String,
    /// The workbook sheet; problems and origins then name cells (`Sheet1!F2`).
    pub sheet: Option<String>,
    pub header: Vec<String>,
    /// For each column of `header`, the 1-based number of the file's column it stands for.
    pub column_numbers: Vec<usize>,
    pub rows: Vec<GridRow>,
    /// The column naming each row's event (a longitudinal REDCap project's `redcap_event_name`).
    pub event_column: Option<usize>,
    /// The column of each row's centre when the mapping names none (REDCap's data access group).
    pub centre_column: Option<usize>,
    /// Set when the source decides it (a REDCap record is one patient across its rows).
    pub rows_per_patient: Option<RowsPerPatient>,
}

#[derive(Debug, Clone, Default)]
pub struct GridRow {
    /// The row's line in the file (a sheet's row number).
    pub line: u64,
    /// What names the row besides its line ("record 7, event day_7_arm_1").
    pub context: Option<String>,
    pub cells: Vec<String>,
}

/// How a patient's data lie in the rows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum RowsPerPatient {
    /// Each row is a patient: an identifier seen twice is the study reader's duplicate.
    #[default]
    One,
    /// A patient's rows share its identifier (a row per time point, a record's events and instances):
    /// their patient columns must agree.
    Several,
}

/// When a mapped result was taken.
#[derive(Debug, Clone, PartialEq)]
enum When {
    /// Days after the first dose of the index drug (Day 0).
    Day(i32),
    /// The date (or date and time) in this column of the row.
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
    /// Only the rows of this event (a longitudinal REDCap project).
    event: Option<String>,
}

/// A column of patients.csv taken from a column of the table, its values recoded when the table
/// writes them otherwise (`1` for `M`), or one value the mapping gives every patient (`U` for a sex
/// the source does not record).
#[derive(Debug, Clone, PartialEq)]
struct PatientColumn {
    study_column: String,
    source: PatientSource,
}

#[derive(Debug, Clone, PartialEq)]
enum PatientSource {
    Column {
        header: String,
        /// Written value → the study format's; empty when the values are the study format's own.
        values: BTreeMap<String, String>,
        /// Only the date of a date and time (an admission time for a diagnosis date).
        date_only: bool,
    },
    Fixed(String),
}

/// What a mapping file says.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Mapping {
    sheet: Option<String>,
    patient_id: String,
    patients: Vec<PatientColumn>,
    index_drug: String,
    /// The column of the first dose's date (Day 0).
    day0: String,
    rows_per_patient: Option<RowsPerPatient>,
    observations: Vec<ObservationColumn>,
}

impl Mapping {
    /// Reads a mapping file; every problem at once, each naming its key.
    ///
    /// # Errors
    ///
    /// The problems of the mapping, each of the file `file`.
    pub fn read(text: &str, file: &str) -> Result<Mapping, Vec<Diagnostic>> {
        let problem = |key: &str, message: String, expected: &str| Diagnostic {
            value: Some(key.to_string()),
            expected: Some(expected.to_string()),
            ..Diagnostic::about_file(Severity::Error, file, message)
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
                "rows_per_patient" => match value.as_str() {
                    Some("one") => mapping.rows_per_patient = Some(RowsPerPatient::One),
                    Some("several") => mapping.rows_per_patient = Some(RowsPerPatient::Several),
                    _ => problems.push(problem(
                        key,
                        "must be \"one\" or \"several\"".into(),
                        "rows_per_patient = \"several\" when a patient has a row per time point",
                    )),
                },
                "patients" => {
                    for (column, entry) in value.as_table().into_iter().flatten() {
                        match patient_column(column, entry) {
                            Ok(column) => mapping.patients.push(column),
                            Err((message, expected)) => problems.push(problem(
                                &format!("patients.{column}"),
                                message,
                                &expected,
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
                    "sheet, patient_id, day0, index_drug, rows_per_patient, [patients], [[observations]]",
                )),
            }
        }
        for (key, value) in [("patient_id", &mapping.patient_id), ("day0", &mapping.day0)] {
            if value.is_empty() {
                problems.push(problem(
                    key,
                    format!("{key} is required"),
                    "the header of the column that holds it",
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

    /// The sheet the mapping names, if any.
    pub fn sheet(&self) -> Option<&str> {
        self.sheet.as_deref()
    }
}

fn patient_column(
    study_column: &str,
    entry: &toml::Value,
) -> Result<PatientColumn, (String, String)> {
    if !study_columns(StudyFile::Patients)
        .iter()
        .any(|c| c.name == study_column)
    {
        return Err((
            "not a column of patients.csv".into(),
            "a column of patients.csv (docs/study-format.md)".into(),
        ));
    }
    let expected = "a quoted header; { column = \"gender\", values = { \"1\" = \"M\", \"2\" = \"F\" } }; { column = \"Admission\", date_only = true }; or { value = \"U\" } for every patient";
    let wrong = || {
        Err((
            "must be a header, a header with the recoding of its values (each a quoted word), or one value".to_string(),
            expected.to_string(),
        ))
    };
    let source = match entry {
        toml::Value::String(header) => PatientSource::Column {
            header: header.clone(),
            values: BTreeMap::new(),
            date_only: false,
        },
        toml::Value::Table(table) => {
            let text = |key: &str| table.get(key).and_then(toml::Value::as_str);
            let mut values = BTreeMap::new();
            for (from, to) in table
                .get("values")
                .and_then(toml::Value::as_table)
                .into_iter()
                .flatten()
            {
                let Some(to) = to.as_str() else {
                    return wrong();
                };
                values.insert(from.trim().to_string(), to.to_string());
            }
            let date_only = table.get("date_only").map(toml::Value::as_bool);
            let column_keys = ["column", "values", "date_only"];
            let keys_fit = table.keys().all(|key| column_keys.contains(&key.as_str()));
            match (text("column"), text("value")) {
                (Some(header), None)
                    if keys_fit
                        && table.get("values").is_none_or(toml::Value::is_table)
                        && date_only.is_none_or(|d| d.is_some()) =>
                {
                    PatientSource::Column {
                        header: header.to_string(),
                        values,
                        date_only: date_only.flatten().unwrap_or(false),
                    }
                }
                (None, Some(value)) if table.len() == 1 => PatientSource::Fixed(value.to_string()),
                _ => return wrong(),
            }
        }
        _ => return wrong(),
    };
    Ok(PatientColumn {
        study_column: study_column.to_string(),
        source,
    })
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
    let known = [
        "column",
        "analyte",
        "unit",
        "unit_column",
        "day",
        "date_column",
        "event",
    ];
    if let Some(unknown) = entry
        .as_table()
        .and_then(|table| table.keys().find(|key| !known.contains(&key.as_str())))
    {
        return Err((
            format!("unknown key {unknown:?} of column {column:?}"),
            known.join(", "),
        ));
    }
    Ok(ObservationColumn {
        column,
        analyte,
        unit,
        when,
        event: text("event"),
    })
}

fn accepted(analyte: Analyte) -> String {
    hlh_model::join_alternatives(
        hlh_model::units::accepted_units(analyte)
            .iter()
            .map(|unit| unit.spelling),
    )
}

/// A cell of the grid: (row position, column position).
type Cell = (usize, usize);

/// A study file made from the grid, each field with its cell.
type Built = BuiltFile<Cell>;

impl Grid {
    fn position(&self, wanted: &str) -> Option<usize> {
        self.header
            .iter()
            .position(|name| name.trim().eq_ignore_ascii_case(wanted.trim()))
    }

    fn cell(&self, (row, column): Cell) -> &str {
        self.rows[row]
            .cells
            .get(column)
            .map_or("", |text| text.trim())
    }

    /// How a problem names the column of a cell: its header, and the row's context for a REDCap
    /// record.
    fn column_name(&self, (row, column): Cell, study_column: &str) -> String {
        let header = self.header.get(column).map_or("", String::as_str);
        match &self.rows[row].context {
            Some(context) => format!("{context}, field {header}"),
            None => format!("{header} ({study_column})"),
        }
    }

    /// Puts a problem on a cell.
    fn place(&self, diagnostic: &mut Diagnostic, (row, column): Cell, study_column: &str) {
        diagnostic.file = self.file.clone();
        diagnostic.sheet = self.sheet.clone();
        diagnostic.line = Some(self.rows[row].line);
        diagnostic.column = Some(ColumnRef {
            number: self
                .column_numbers
                .get(column)
                .copied()
                .unwrap_or(column + 1),
            name: self.column_name((row, column), study_column),
        });
    }

    /// The origin of a value, as the case cards show it: `Sheet1!F2`, or
    /// `records.csv line 12 (record 7, event day_7_arm_1, field crp_d7)`.
    fn origin(&self, (row, column): Cell) -> String {
        let line = self.rows[row].line;
        let number = self
            .column_numbers
            .get(column)
            .copied()
            .unwrap_or(column + 1);
        let header = self.header.get(column).map_or("", String::as_str);
        match (&self.sheet, &self.rows[row].context) {
            (Some(sheet), _) => format!("{sheet}!{}{line}", column_letters(number)),
            (None, Some(context)) => {
                format!("{} line {line} ({context}, field {header})", self.file)
            }
            (None, None) => format!("{} line {line}, column {header}", self.file),
        }
    }
}

/// Reads the grid through the mapping, and gives, beside what was read, the study folder's files it
/// makes (for `hlh convert`).
pub fn read_mapped(
    grid: &Grid,
    mapping: &Mapping,
    mapping_file: &str,
) -> (Ingested, Vec<(&'static str, String)>) {
    let failed = |diagnostics: Vec<Diagnostic>| (Ingested::unread(diagnostics), Vec::new());
    let mapping_problem = |message: String, value: &str, expected: String| Diagnostic {
        value: Some(value.to_string()),
        expected: Some(expected),
        ..Diagnostic::about_file(Severity::Error, mapping_file, message)
    };
    let where_headers = match &grid.sheet {
        Some(sheet) => format!("no column of sheet {sheet} has this header"),
        None => format!("no column of {} has this header", grid.file),
    };
    // Every header the mapping names must be in the table.
    let mut named: Vec<(&str, &str)> =
        vec![("patient_id", &mapping.patient_id), ("day0", &mapping.day0)];
    named.extend(mapping.patients.iter().filter_map(|c| match &c.source {
        PatientSource::Column { header, .. } => Some((c.study_column.as_str(), header.as_str())),
        PatientSource::Fixed(_) => None,
    }));
    let mut problems = Vec::new();
    for observation in &mapping.observations {
        named.push(("observations.column", &observation.column));
        if let UnitSource::Column(unit) = &observation.unit {
            named.push(("observations.unit_column", unit));
        }
        if let When::DateColumn(date) = &observation.when {
            named.push(("observations.date_column", date));
        }
        if observation.event.is_some() && grid.event_column.is_none() {
            problems.push(mapping_problem(
                format!("observations.event: {} has no events", grid.file),
                observation.event.as_deref().unwrap_or_default(),
                "event only for a longitudinal REDCap project's records".into(),
            ));
        }
    }
    for (key, wanted) in &named {
        if grid.position(wanted).is_none() {
            problems.push(mapping_problem(
                format!("{key}: {where_headers}"),
                wanted,
                format!("one of the headers: {}", grid.header.join(", ")),
            ));
        }
    }
    if !problems.is_empty() {
        return failed(problems);
    }
    let column = |wanted: &str| grid.position(wanted).unwrap_or_default();
    let (id_column, day0_column) = (column(&mapping.patient_id), column(&mapping.day0));
    /// Where a patients.csv column comes from: a column of the table (recoded) or the mapping.
    enum Taken<'m> {
        Column(usize, &'m BTreeMap<String, String>, bool),
        Fixed(&'m str),
    }
    let mut patient_columns: Vec<(&str, Taken)> = mapping
        .patients
        .iter()
        .map(|c| {
            let taken = match &c.source {
                PatientSource::Column {
                    header,
                    values,
                    date_only,
                } => Taken::Column(column(header), values, *date_only),
                PatientSource::Fixed(value) => Taken::Fixed(value),
            };
            (c.study_column.as_str(), taken)
        })
        .collect();
    let no_recoding = BTreeMap::new();
    if let Some(centre) = grid.centre_column {
        if !patient_columns.iter().any(|(name, _)| *name == "centre") {
            patient_columns.push(("centre", Taken::Column(centre, &no_recoding, false)));
        }
    }

    // The patients: each row, or each identifier's rows, in the order first seen.
    let rows_per_patient = grid
        .rows_per_patient
        .or(mapping.rows_per_patient)
        .unwrap_or_default();
    let mut groups: Vec<Vec<usize>> = Vec::new();
    let mut group_of: HashMap<&str, usize> = HashMap::new();
    for (row, content) in grid.rows.iter().enumerate() {
        if content.cells.iter().all(|cell| cell.trim().is_empty()) {
            continue;
        }
        let id = grid.cell((row, id_column));
        match group_of.get(id) {
            Some(&group) if rows_per_patient == RowsPerPatient::Several && !id.is_empty() => {
                groups[group].push(row)
            }
            _ => {
                group_of.insert(id, groups.len());
                groups.push(vec![row]);
            }
        }
    }

    let mut patient_header = vec!["patient_id"];
    patient_header.extend(patient_columns.iter().map(|(name, _)| *name));
    let mut patients = Built::new(&patient_header);
    let mut observations = Built::new(&["patient_id", "time", "analyte", "value", "unit"]);
    let mut treatments = Built::new(&["patient_id", "drug", "start"]);
    let at = |cell: Cell| (grid.cell(cell).to_string(), Some(cell));
    // Each result column with the positions of its value, date and unit columns, found once rather
    // than on every row.
    enum TimeAt {
        Day(i32),
        Column(usize),
    }
    enum UnitAt<'m> {
        Fixed(&'m str),
        Column(usize),
    }
    let result_columns: Vec<(&ObservationColumn, usize, TimeAt, UnitAt)> = mapping
        .observations
        .iter()
        .map(|observation| {
            let time = match &observation.when {
                When::DateColumn(date) => TimeAt::Column(column(date)),
                When::Day(day) => TimeAt::Day(*day),
            };
            let unit = match &observation.unit {
                UnitSource::Column(unit) => UnitAt::Column(column(unit)),
                UnitSource::Fixed(unit) => UnitAt::Fixed(unit),
            };
            (observation, column(&observation.column), time, unit)
        })
        .collect();
    for rows in &groups {
        let id = at((rows[0], id_column));
        // One value of a column over the patient's rows: the first written; another one is an error.
        let mut agreed = |column: usize, study_column: &str, values: &BTreeMap<String, String>| {
            let mut first: Option<(String, Cell)> = None;
            for &row in rows {
                let cell = (row, column);
                let written = grid.cell(cell);
                if written.is_empty() {
                    continue;
                }
                let value = match recode(written, values) {
                    Ok(value) => value,
                    Err(unknown) => {
                        let mut problem = Diagnostic {
                            value: Some(written.to_string()),
                            expected: Some(format!(
                                "one of the values the mapping recodes for {study_column}: {}",
                                values.keys().cloned().collect::<Vec<_>>().join(", ")
                            )),
                            ..Diagnostic::about_file(
                                Severity::Error,
                                "",
                                format!("{unknown:?} is not recoded by the mapping"),
                            )
                        };
                        grid.place(&mut problem, cell, study_column);
                        problems.push(problem);
                        continue;
                    }
                };
                match &first {
                    None => first = Some((value, cell)),
                    Some((kept, kept_cell)) if *kept != value => {
                        let mut problem = Diagnostic {
                            value: Some(written.to_string()),
                            hint: Some(format!(
                                "{} has {kept:?}: a patient's rows must agree",
                                grid.origin(*kept_cell)
                            )),
                            ..Diagnostic::about_file(
                                Severity::Error,
                                "",
                                format!("another {study_column} for patient {:?}", id.0),
                            )
                        };
                        grid.place(&mut problem, cell, study_column);
                        problems.push(problem);
                    }
                    Some(_) => {}
                }
            }
            first.map_or_else(
                || (String::new(), Some((rows[0], column))),
                |(value, cell)| (value, Some(cell)),
            )
        };
        let mut fields = vec![id.clone()];
        for (name, taken) in &patient_columns {
            fields.push(match taken {
                Taken::Column(column, values, date_only) => {
                    let (value, cell) = agreed(*column, name, values);
                    // `YYYY-MM-DD` and what follows it: a time, never another date order.
                    let is_dated = value.get(..10).is_some_and(|d| d.parse::<Date>().is_ok());
                    match value.get(..10) {
                        Some(date) if *date_only && is_dated => (date.to_string(), cell),
                        _ => (value, cell),
                    }
                }
                Taken::Fixed(value) => (value.to_string(), None),
            });
        }
        let day0 = agreed(day0_column, "start", &no_recoding);
        patients.push(fields);
        treatments.push(vec![
            id.clone(),
            (mapping.index_drug.clone(), None),
            day0.clone(),
        ]);
        let day0_date: Option<Date> = day0.0.get(..10).and_then(|d| d.parse().ok());
        for &row in rows {
            for (observation, value_column, time_at, unit_at) in &result_columns {
                if let (Some(wanted), Some(event)) = (&observation.event, grid.event_column) {
                    if grid.cell((row, event)) != wanted.as_str() {
                        continue;
                    }
                }
                let value = at((row, *value_column));
                if value.0.is_empty() {
                    continue;
                }
                let time = match time_at {
                    TimeAt::Column(date) => at((row, *date)),
                    // Without a readable Day 0 the treatment row reports it; the results wait for it.
                    TimeAt::Day(day) => {
                        match day0_date.and_then(|d0| d0.checked_add(i64::from(*day).days()).ok()) {
                            Some(date) => (date.to_string(), day0.1),
                            None => continue,
                        }
                    }
                };
                let unit = match unit_at {
                    UnitAt::Column(unit) => at((row, *unit)),
                    UnitAt::Fixed(unit) => (unit.to_string(), None),
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
        let Some((_, built)) = files.iter().find(|(f, _)| f.file_name() == diagnostic.file) else {
            continue;
        };
        let (cell, row_cell) = built.origin_of(diagnostic);
        let made = diagnostic.file.clone();
        match (cell.copied(), diagnostic.column.clone()) {
            (Some(cell), Some(column)) => grid.place(diagnostic, cell, &column.name),
            // A value the mapping supplied (a fixed unit): the mapping is where to fix it.
            (None, Some(mut column)) => {
                column.name = format!("{} (from the mapping)", column.name);
                diagnostic.column = Some(column);
                diagnostic.file = mapping_file.to_string();
                diagnostic.line = None;
            }
            (_, None) => match row_cell {
                Some(&(row, _)) => {
                    diagnostic.file = grid.file.clone();
                    diagnostic.sheet = grid.sheet.clone();
                    diagnostic.line = Some(grid.rows[row].line);
                    if let Some(context) = &grid.rows[row].context {
                        diagnostic.message = format!("{context}: {}", diagnostic.message);
                    }
                }
                // A problem of the whole file made (a column it lacks): the mapping makes its header.
                None => {
                    diagnostic.file = mapping_file.to_string();
                    diagnostic.line = None;
                    diagnostic.hint = Some(format!(
                        "the mapping makes {}'s columns: name them in its [patients] table or its [[observations]]",
                        made
                    ));
                }
            },
        }
    }
    // A mapping's mistake is said once, not on every row.
    ingested.diagnostics.dedup();
    problems.append(&mut ingested.diagnostics);
    ingested.diagnostics = problems;
    for (study_file, built) in &files {
        // An observation comes from its value's cell, the index drug's row from its Day-0 cell, a
        // patient from its identifier's.
        let main_field = match study_file {
            StudyFile::Observations => 3,
            StudyFile::Treatments => 2,
            _ => 0,
        };
        for (line, cell) in built.row_origins(main_field) {
            ingested.study.origins.insert(
                SourceRow {
                    file: *study_file,
                    line,
                },
                grid.origin(*cell),
            );
        }
    }
    let files = files
        .iter()
        .map(|(study_file, built)| (study_file.file_name(), built.text().to_string()))
        .collect();
    (ingested, files)
}

/// The study format's value for what the table wrote, each `;`-separated part recoded (a trigger
/// list); `Err` with the part the recoding lacks.
fn recode(written: &str, values: &BTreeMap<String, String>) -> Result<String, String> {
    if values.is_empty() {
        return Ok(written.to_string());
    }
    let parts: Result<Vec<&str>, String> = written
        .split(';')
        .map(str::trim)
        .filter(|part| !part.is_empty())
        .map(|part| {
            values
                .get(part)
                .map(String::as_str)
                .ok_or_else(|| part.to_string())
        })
        .collect();
    parts.map(|parts| parts.join(";"))
}
