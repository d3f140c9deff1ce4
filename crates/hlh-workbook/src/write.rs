//! Writing workbooks: the template an investigator fills in, and a study folder as a workbook.

use std::path::Path;

use hlh_model::units::accepted_units;
use hlh_model::{
    Analyte, DoseUnit, Drug, EventKind, Frequency, RecordedResponse, Route, Sex, StopReason,
    StudyFile, Trigger,
};
use rust_xlsxwriter::{
    Color, DataValidation, DataValidationErrorStyle, ExcelDateTime, Format, Formula, Note,
    Workbook, Worksheet, XlsxError,
};

use crate::read::{STUDY_SHEETS, STUDY_TOML_SHEET};

/// Rows that carry the drop-down lists: far more than any chart review, well within a sheet.
const LAST_DATA_ROW: u32 = 100_000;

/// The hidden sheet of the vocabularies the drop-down lists read.
const LISTS_SHEET: &str = "lists";

/// The columns read as dates (formatted as dates) and as dates with an optional time of day.
const DATE_COLUMNS: [&str; 2] = ["diagnosis_date", "last_followup_date"];
const DATE_TIME_COLUMNS: [&str; 3] = ["time", "start", "end"];

const DATE_FORMAT: &str = "yyyy-mm-dd";
const DATE_TIME_FORMAT: &str = "yyyy-mm-dd hh:mm";

/// A closed vocabulary: the column it constrains and its words.
struct Vocabulary {
    sheet: StudyFile,
    column: &'static str,
    words: Vec<&'static str>,
    /// Whether a cell may hold something else (several triggers separated by `;`, a frequency or a
    /// line of therapy written out): then a word off the list only warns.
    open: bool,
}

fn vocabularies() -> Vec<Vocabulary> {
    let closed = |sheet, column, words: Vec<&'static str>| Vocabulary {
        sheet,
        column,
        words,
        open: false,
    };
    let booleans = || vec!["yes", "no", "unknown"];
    let mut lists = vec![
        closed(
            StudyFile::Patients,
            "sex",
            Sex::ALL.iter().map(|s| s.name()).collect(),
        ),
        Vocabulary {
            open: true,
            ..closed(
                StudyFile::Patients,
                "triggers",
                Trigger::ALL.iter().map(|t| t.name()).collect(),
            )
        },
        closed(
            StudyFile::Observations,
            "analyte",
            Analyte::ALL.iter().map(|a| a.name()).collect(),
        ),
        closed(
            StudyFile::Treatments,
            "drug",
            Drug::ALL.iter().map(|d| d.name()).collect(),
        ),
        closed(
            StudyFile::Treatments,
            "dose_unit",
            DoseUnit::ALL.iter().map(|u| u.name()).collect(),
        ),
        Vocabulary {
            open: true,
            ..closed(
                StudyFile::Treatments,
                "frequency",
                Frequency::ALL.iter().map(|f| f.name()).collect(),
            )
        },
        closed(
            StudyFile::Treatments,
            "route",
            Route::ALL.iter().map(|r| r.name()).collect(),
        ),
        closed(
            StudyFile::Treatments,
            "stop_reason",
            StopReason::ALL.iter().map(|r| r.name()).collect(),
        ),
        closed(
            StudyFile::Events,
            "event",
            EventKind::ALL.iter().map(|e| e.name()).collect(),
        ),
        closed(
            StudyFile::Events,
            "drug",
            Drug::ALL.iter().map(|d| d.name()).collect(),
        ),
        closed(StudyFile::Events, "led_to_discontinuation", booleans()),
        closed(
            StudyFile::Events,
            "value",
            RecordedResponse::ALL.iter().map(|r| r.name()).collect(),
        ),
    ];
    for column in hlh_model::PATIENT_FINDINGS {
        lists.push(closed(StudyFile::Patients, column, booleans()));
    }
    lists
}

/// One example row per sheet, as the template shows it (the reader warns while it is still there).
pub const EXAMPLE_PATIENT: &str = "EXAMPLE-01";

fn example_row(sheet: StudyFile) -> &'static [(&'static str, &'static str)] {
    match sheet {
        StudyFile::Patients => &[
            ("patient_id", EXAMPLE_PATIENT),
            ("centre", "Centre A"),
            ("sex", "F"),
            ("age_years", "45"),
            ("diagnosis_date", "2024-01-15"),
            ("triggers", "infection"),
            ("trigger_detail", "EBV primary infection"),
            ("immunosuppression", "no"),
            ("hepatomegaly", "yes"),
            ("splenomegaly", "yes"),
            ("last_followup_date", "2024-04-15"),
        ],
        StudyFile::Observations => &[
            ("patient_id", EXAMPLE_PATIENT),
            ("time", "2024-01-15T08:00"),
            ("analyte", "ferritin"),
            ("value", "12000"),
            ("unit", "ug/L"),
        ],
        StudyFile::Treatments => &[
            ("patient_id", EXAMPLE_PATIENT),
            ("drug", "anakinra"),
            ("start", "2024-01-16"),
            ("end", "2024-02-10"),
            ("dose", "100"),
            ("dose_unit", "mg"),
            ("frequency", "bid"),
            ("route", "sc"),
            ("stop_reason", "remission"),
            ("line", "first"),
        ],
        StudyFile::Events => &[
            ("patient_id", EXAMPLE_PATIENT),
            ("time", "2024-01-23"),
            ("event", "response_assessment"),
            ("value", "complete"),
        ],
    }
}

const HOW_TO_FILL: &[&str] = &[
    "How to fill this workbook (hlhkit study template)",
    "",
    "One sheet per table of the study: patients (one row per patient), observations (one row per laboratory result or temperature), treatments (one row per course or dose change), events (one row per dated event).",
    "Row 1 holds the column names: keep them as they are. Row 2 of each sheet is an example (grey, patient EXAMPLE-01): replace it or delete it.",
    "Dates: type them as dates (2024-01-15); a time of day may follow (2024-01-15 08:30). Text such as 15/01/2024 is refused, since it can be read two ways.",
    "Numbers: a decimal point, not a comma (3.5, not 3,5). A result below or above the assay's range keeps its sign: <5, >100000.",
    "Cells with a drop-down list take one of its words. Unknown is an empty cell (never \"no\").",
    "units: each analyte accepts the units listed for it; the list under unit follows the analyte of the row.",
    "triggers: several are separated by ; (infection;malignancy).",
    "study.toml: the study's title and centres, and any change to the analysis protocol, one line per row in column A.",
    "Check the workbook with: hlh validate study.xlsx. Every problem names its sheet and cell (observations!E18).",
];

/// The study template: a sheet per table with its header frozen, date columns formatted as dates,
/// drop-down lists for every closed vocabulary (the units following the analyte of the row), an
/// example row, a "how to fill" sheet and a study.toml sheet.
///
/// # Errors
///
/// [`XlsxError`] if the workbook cannot be assembled (a bug, not an input problem).
pub fn template() -> Result<Vec<u8>, XlsxError> {
    let mut workbook = Workbook::new();
    let header = Format::new()
        .set_bold()
        .set_background_color(Color::RGB(0xE8_EE_F4));
    let example = Format::new()
        .set_italic()
        .set_font_color(Color::RGB(0x80_80_80));
    let dates = Format::new().set_num_format(DATE_FORMAT);
    let date_times = Format::new().set_num_format(DATE_TIME_FORMAT);

    let guide = workbook.add_worksheet().set_name("how to fill")?;
    guide.set_column_width(0, 120)?;
    for (row, line) in HOW_TO_FILL.iter().enumerate() {
        if row == 0 {
            guide.write_string_with_format(0, 0, *line, &Format::new().set_bold())?;
        } else {
            guide.write_string(row as u32, 0, *line)?;
        }
    }

    let vocabularies = vocabularies();
    for (name, study_file) in STUDY_SHEETS {
        let sheet = workbook.add_worksheet().set_name(name)?;
        let columns = hlh_ingest::study_columns(study_file);
        for (index, column) in columns.iter().enumerate() {
            let col = index as u16;
            sheet.write_string_with_format(0, col, column.name, &header)?;
            sheet.set_column_width(col, (column.name.len() + 4).max(12) as f64)?;
            if DATE_COLUMNS.contains(&column.name) {
                sheet.set_column_format(col, &dates)?;
            } else if DATE_TIME_COLUMNS.contains(&column.name) {
                sheet.set_column_format(col, &date_times)?;
            }
        }
        sheet.set_freeze_panes(1, 0)?;
        let position = |wanted: &str| columns.iter().position(|c| c.name == wanted);
        for (column, value) in example_row(study_file) {
            if let Some(col) = position(column) {
                write_example(sheet, col as u16, value, &example)?;
            }
        }
        sheet.insert_note(1, 0, &Note::new("Example row: replace it or delete it."))?;
        for (list, vocabulary) in vocabularies.iter().enumerate() {
            if vocabulary.sheet != study_file {
                continue;
            }
            let Some(col) = position(vocabulary.column) else {
                continue;
            };
            let range = list_range(list, vocabulary.words.len());
            let mut validation = DataValidation::new()
                .allow_list_formula(Formula::new(format!("={range}")))
                .ignore_blank(true);
            if vocabulary.open {
                validation = validation.set_error_style(DataValidationErrorStyle::Warning);
            }
            sheet.add_data_validation(1, col as u16, LAST_DATA_ROW, col as u16, &validation)?;
        }
        if study_file == StudyFile::Observations {
            if let (Some(analyte), Some(unit)) = (position("analyte"), position("unit")) {
                let analyte_cell = format!("${}2", hlh_ingest::column_letters(analyte + 1));
                let validation = DataValidation::new()
                    .allow_list_formula(Formula::new(format!(
                        "=INDIRECT(\"units_\"&{analyte_cell})"
                    )))
                    .ignore_blank(true);
                sheet.add_data_validation(
                    1,
                    unit as u16,
                    LAST_DATA_ROW,
                    unit as u16,
                    &validation,
                )?;
            }
        }
    }

    let toml = workbook.add_worksheet().set_name(STUDY_TOML_SHEET)?;
    toml.set_column_width(0, 80)?;
    for (row, line) in [
        "title = \"My sHLH treatment study\"",
        "centres = [\"Centre A\", \"Centre B\"]",
    ]
    .iter()
    .enumerate()
    {
        toml.write_string(row as u32, 0, *line)?;
    }

    let lists = workbook.add_worksheet().set_name(LISTS_SHEET)?;
    for (list, vocabulary) in vocabularies.iter().enumerate() {
        lists.write_string(
            0,
            list as u16,
            format!("{}.{}", vocabulary.sheet.file_name(), vocabulary.column),
        )?;
        for (row, word) in vocabulary.words.iter().enumerate() {
            lists.write_string(row as u32 + 1, list as u16, *word)?;
        }
    }
    lists.set_hidden(true);
    let first_unit_list = vocabularies.len();
    let mut unit_lists = Vec::new();
    for (offset, analyte) in Analyte::ALL.iter().enumerate() {
        let col = first_unit_list + offset;
        let units: Vec<&str> = accepted_units(*analyte)
            .iter()
            .map(|u| u.spelling)
            .collect();
        lists.write_string(0, col as u16, format!("units of {}", analyte.name()))?;
        for (row, unit) in units.iter().enumerate() {
            lists.write_string(row as u32 + 1, col as u16, *unit)?;
        }
        unit_lists.push((
            format!("units_{}", analyte.name()),
            list_range(col, units.len()),
        ));
    }
    for (name, range) in unit_lists {
        workbook.define_name(name, &format!("={range}"))?;
    }
    workbook.save_to_buffer()
}

/// `lists!$C$2:$C$9`: the words of list `index`.
fn list_range(index: usize, words: usize) -> String {
    let letters = hlh_ingest::column_letters(index + 1);
    format!("{LISTS_SHEET}!${letters}$2:${letters}${}", words + 1)
}

fn write_example(
    sheet: &mut Worksheet,
    col: u16,
    value: &str,
    format: &Format,
) -> Result<(), XlsxError> {
    match typed(value) {
        Typed::Number(number) => sheet.write_number_with_format(1, col, number, format)?,
        Typed::Date(date, with_time) => {
            let shown = format.clone().set_num_format(if with_time {
                DATE_TIME_FORMAT
            } else {
                DATE_FORMAT
            });
            sheet.write_datetime_with_format(1, col, date, &shown)?
        }
        Typed::Text => sheet.write_string_with_format(1, col, value, format)?,
    };
    Ok(())
}

/// How a CSV cell is written so that it reads back as the same text: a number or a date only when it
/// round-trips exactly, otherwise text.
enum Typed {
    Number(f64),
    /// The date, and whether it has a time of day.
    Date(ExcelDateTime, bool),
    Text,
}

fn typed(text: &str) -> Typed {
    if let Ok(number) = text.parse::<f64>() {
        if crate::cells::decimal(number) == text {
            return Typed::Number(number);
        }
    }
    if let Some(date) = iso_date(text) {
        return date;
    }
    Typed::Text
}

/// `YYYY-MM-DD` or `YYYY-MM-DDTHH:MM` exactly as the reader writes dates back.
fn iso_date(text: &str) -> Option<Typed> {
    let (date, time) = match text.split_once('T') {
        Some((date, time)) => (date, Some(time)),
        None => (text, None),
    };
    let parsed: jiff::civil::Date = date.parse().ok()?;
    if parsed.strftime("%Y-%m-%d").to_string() != date || parsed.year() < 1900 {
        return None;
    }
    let day = ExcelDateTime::from_ymd(
        parsed.year() as u16,
        parsed.month() as u8,
        parsed.day() as u8,
    )
    .ok()?;
    match time {
        None => Some(Typed::Date(day, false)),
        Some(time) => {
            let clock: jiff::civil::Time = time.parse().ok()?;
            let written = if clock.second() == 0 {
                clock.strftime("%H:%M").to_string()
            } else {
                clock.strftime("%H:%M:%S").to_string()
            };
            if written != time || clock.subsec_nanosecond() != 0 {
                return None;
            }
            let moment = day
                .and_hms(clock.hour() as u16, clock.minute() as u8, clock.second())
                .ok()?;
            Some(Typed::Date(moment, true))
        }
    }
}

/// The study folder `dir` as a workbook: each CSV file a sheet, every cell written so that it reads back
/// as the same text (numbers and ISO dates typed, the rest as text), study.toml on its sheet.
///
/// # Errors
///
/// A message naming the file when a file cannot be read or parsed as CSV, or the workbook cannot be
/// assembled.
pub fn study_workbook(dir: &Path) -> Result<Vec<u8>, String> {
    let mut workbook = Workbook::new();
    let header = Format::new().set_bold();
    let dates = Format::new().set_num_format(DATE_FORMAT);
    let date_times = Format::new().set_num_format(DATE_TIME_FORMAT);
    let xlsx = |error: XlsxError| format!("the workbook cannot be written: {error}");
    for (name, study_file) in STUDY_SHEETS {
        let path = dir.join(study_file.file_name());
        if !path.exists() {
            continue;
        }
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .from_path(&path)
            .map_err(|error| format!("{}: {error}", study_file.file_name()))?;
        let sheet = workbook.add_worksheet().set_name(name).map_err(xlsx)?;
        for (row, record) in reader.records().enumerate() {
            let record = record.map_err(|error| format!("{}: {error}", study_file.file_name()))?;
            for (col, cell) in record.iter().enumerate() {
                let (row, col) = (row as u32, col as u16);
                if row == 0 {
                    sheet
                        .write_string_with_format(row, col, cell, &header)
                        .map_err(xlsx)?;
                    continue;
                }
                if cell.is_empty() {
                    continue;
                }
                match typed(cell) {
                    Typed::Number(number) => sheet.write_number(row, col, number),
                    Typed::Date(date, false) => {
                        sheet.write_datetime_with_format(row, col, date, &dates)
                    }
                    Typed::Date(date, true) => {
                        sheet.write_datetime_with_format(row, col, date, &date_times)
                    }
                    Typed::Text => sheet.write_string(row, col, cell),
                }
                .map_err(xlsx)?;
            }
        }
        sheet.set_freeze_panes(1, 0).map_err(xlsx)?;
    }
    let toml_path = dir.join(hlh_ingest::STUDY_TOML);
    if toml_path.exists() {
        let text = std::fs::read_to_string(&toml_path)
            .map_err(|error| format!("{}: {error}", hlh_ingest::STUDY_TOML))?;
        let sheet = workbook
            .add_worksheet()
            .set_name(STUDY_TOML_SHEET)
            .map_err(xlsx)?;
        for (row, line) in text.lines().enumerate() {
            if !line.is_empty() {
                sheet.write_string(row as u32, 0, line).map_err(xlsx)?;
            }
        }
    }
    workbook.save_to_buffer().map_err(xlsx)
}
