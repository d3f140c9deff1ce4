//! A workbook as a study: each sheet is read as the CSV file of the same name would be, by the study
//! reader itself, so that a workbook obeys exactly the rules of a study folder; each problem is then
//! placed back on its sheet and cell.
//!
//! What only a workbook has is settled here, before the study reader sees the text: a cell's type (an
//! Excel date becomes an ISO date, a number its shortest decimal, a formula its cached value), error
//! cells (`#N/A`, reported as such), merged cells (the value of the merged area fills it, as Excel shows
//! it) and line breaks inside a cell (kept: the text maps each sheet row to its CSV line).

use std::path::Path;

use calamine::{Data, Range, Reader, Sheets};
use hlh_ingest::{read_study, ColumnRef, Diagnostic, Ingested, Severity, StudySources};
use hlh_model::StudyFile;

/// The sheet that holds study.toml, one line of TOML per row in column A.
pub const STUDY_TOML_SHEET: &str = "study.toml";

/// The sheets of a study workbook, in reading order, and the study file each stands for.
pub const STUDY_SHEETS: [(&str, StudyFile); 4] = [
    ("patients", StudyFile::Patients),
    ("observations", StudyFile::Observations),
    ("treatments", StudyFile::Treatments),
    ("events", StudyFile::Events),
];

/// Refuses a workbook larger than this before opening it: a study workbook of a million observations is
/// about 30 MB.
const MAX_WORKBOOK_BYTES: u64 = 512 * 1024 * 1024;

/// Refuses a zipped workbook (xlsx, xlsm, xlsb, ods) whose parts would expand beyond this: a million
/// observations take about 200 MB of sheet XML, and an archive that expands without bound (a zip bomb)
/// would exhaust memory.
const MAX_EXPANDED_BYTES: u64 = 4 * 1024 * 1024 * 1024;

/// A merged area of a sheet: its first and last cells, (row, column) from 0.
type MergedArea = ((u32, u32), (u32, u32));

/// One sheet as CSV text, with the sheet row each CSV line belongs to.
struct SheetText {
    name: String,
    /// Moved into the study reader's sources once the sheet is read (study.toml's is read from it).
    text: String,
    /// `row_of_line[l - 1]` is the 1-based sheet row of CSV line `l`.
    row_of_line: Vec<u32>,
    /// Cells holding an Excel error, as (row, column), 1-based: reported here, so the study reader's
    /// own complaint about the same cell is dropped.
    error_cells: Vec<(u32, u32)>,
}

/// Reads the study workbook at `path` (xlsx, xlsm, xls, xlsb or ods).
pub fn read_workbook(path: &Path) -> Ingested {
    read_workbook_files(path).0
}

/// Reads the study workbook at `path` and gives, beside what was read, each sheet as the file of a
/// study folder (name and text), for `hlh convert`.
pub fn read_workbook_files(path: &Path) -> (Ingested, Vec<(&'static str, String)>) {
    let (ingested, sources) = read_sheets(path);
    let StudySources {
        patients,
        observations,
        treatments,
        events,
        study_toml,
    } = sources;
    let files = [
        (StudyFile::Patients.file_name(), patients),
        (StudyFile::Observations.file_name(), observations),
        (StudyFile::Treatments.file_name(), treatments),
        (StudyFile::Events.file_name(), events),
        (hlh_ingest::STUDY_TOML, study_toml),
    ]
    .into_iter()
    .filter_map(|(name, bytes)| {
        // Sheets were written as text, so the bytes are UTF-8.
        let text = String::from_utf8(bytes?).ok()?;
        if name == hlh_ingest::STUDY_TOML {
            return Some((name, text));
        }
        // The blank lines kept sheet rows and CSV lines aligned; a folder has no use for them.
        let text = text
            .split_inclusive('\n')
            .filter(|line| *line != "\n")
            .collect();
        Some((name, text))
    })
    .collect();
    (ingested, files)
}

/// The workbook's sheets as the files of a study folder, and what the study reader made of them.
fn read_sheets(path: &Path) -> (Ingested, StudySources) {
    let file = hlh_ingest::shown_file_name(path);
    let mut problems = Vec::new();
    let mut workbook = match open(path) {
        Ok(workbook) => workbook,
        Err(message) => {
            problems.push(whole_file(&file, message));
            let sources = StudySources::default();
            let ingested = read_study_with(&sources, problems, &file, &[]);
            return (ingested, sources);
        }
    };
    let names = workbook.sheet_names();
    let find = |wanted: &str| {
        names
            .iter()
            .find(|name| name.trim().eq_ignore_ascii_case(wanted))
            .cloned()
    };
    let mut sheets = Vec::new();
    let mut sources = StudySources::default();
    for (wanted, study_file) in STUDY_SHEETS {
        let Some(name) = find(wanted) else {
            problems.push(missing_sheet(&file, wanted, study_file));
            continue;
        };
        if let Some(mut sheet) = sheet_text(&mut workbook, &name, &file, &mut problems) {
            let bytes = Some(std::mem::take(&mut sheet.text).into_bytes());
            match study_file {
                StudyFile::Patients => sources.patients = bytes,
                StudyFile::Observations => sources.observations = bytes,
                StudyFile::Treatments => sources.treatments = bytes,
                StudyFile::Events => sources.events = bytes,
            }
            sheets.push((study_file.file_name(), sheet));
        }
    }
    if let Some(name) = find(STUDY_TOML_SHEET) {
        if let Some(sheet) = sheet_text(&mut workbook, &name, &file, &mut problems) {
            sources.study_toml = Some(first_column_lines(&sheet.text).into_bytes());
            sheets.push((hlh_ingest::STUDY_TOML, sheet));
        }
    }
    let mut ingested = read_study_with(&sources, problems, &file, &sheets);
    warn_of_example_rows(&mut ingested, &file, &sheets, sources.patients.as_deref());
    (ingested, sources)
}

/// The template's example patient left in the workbook would be analysed as a patient.
fn warn_of_example_rows(
    ingested: &mut Ingested,
    file: &str,
    sheets: &[(&'static str, SheetText)],
    patients_text: Option<&[u8]>,
) {
    let (Some((_, patients)), Some(text)) = (
        sheets
            .iter()
            .find(|(name, _)| *name == StudyFile::Patients.file_name()),
        patients_text,
    ) else {
        return;
    };
    let id_column = String::from_utf8_lossy(text)
        .lines()
        .next()
        .and_then(|header| {
            header
                .split(',')
                .position(|name| name.trim().eq_ignore_ascii_case("patient_id"))
        })
        .map_or(1, |index| index + 1);
    for patient in ingested
        .study
        .patients
        .iter()
        .filter(|p| p.id == crate::EXAMPLE_PATIENT)
    {
        let row = patients
            .row_of_line
            .get(patient.source.line as usize - 1)
            .copied();
        ingested.diagnostics.push(Diagnostic {
            severity: Severity::Warning,
            sheet: Some(patients.name.clone()),
            line: row.map(u64::from),
            column: Some(ColumnRef {
                number: id_column,
                name: "patient_id".into(),
            }),
            value: Some(patient.id.clone()),
            hint: Some(
                "replace the example rows of each sheet with the study's, or delete them".into(),
            ),
            ..whole_file(
                file,
                "the template's example patient is still in the workbook".into(),
            )
        });
    }
}

fn open(path: &Path) -> Result<Sheets<std::io::BufReader<std::fs::File>>, String> {
    let size = std::fs::metadata(path)
        .map_err(|error| format!("cannot be read: {error}"))?
        .len();
    if size > MAX_WORKBOOK_BYTES {
        return Err(format!(
            "is {size} bytes, more than a study workbook can be ({MAX_WORKBOOK_BYTES} bytes)"
        ));
    }
    check_expansion(path)?;
    match without_panic(|| calamine::open_workbook_auto(path)) {
        Some(opened) => opened.map_err(|error| {
            format!("cannot be read as a workbook (xlsx, xlsm, xls, xlsb or ods): {error}")
        }),
        None => Err("cannot be read as a workbook: its parts are malformed".to_string()),
    }
}

/// The sizes a zipped workbook declares for its parts, added up, against [`MAX_EXPANDED_BYTES`]. A file
/// that is not a zip archive is left to calamine (xls is not one).
fn check_expansion(path: &Path) -> Result<(), String> {
    let Ok(file) = std::fs::File::open(path) else {
        return Ok(());
    };
    let Ok(mut archive) = zip::ZipArchive::new(std::io::BufReader::new(file)) else {
        return Ok(());
    };
    let mut expanded: u64 = 0;
    for index in 0..archive.len() {
        if let Ok(part) = archive.by_index_raw(index) {
            expanded = expanded.saturating_add(part.size());
        }
    }
    if expanded > MAX_EXPANDED_BYTES {
        return Err(format!(
            "expands to {expanded} bytes, more than a study workbook can ({MAX_EXPANDED_BYTES} bytes); it is not read"
        ));
    }
    Ok(())
}

/// Runs the study reader and moves every problem onto its sheet and cell.
fn read_study_with(
    sources: &StudySources,
    mut problems: Vec<Diagnostic>,
    file: &str,
    sheets: &[(&'static str, SheetText)],
) -> Ingested {
    let mut ingested = read_study(sources);
    let mut placed = Vec::with_capacity(ingested.diagnostics.len());
    for mut diagnostic in ingested.diagnostics.drain(..) {
        let sheet = sheets.iter().find(|(name, _)| *name == diagnostic.file);
        match sheet {
            Some((_, sheet)) => {
                let row = diagnostic
                    .line
                    .and_then(|line| sheet.row_of_line.get(line as usize - 1).copied());
                let on_error_cell = match (row, &diagnostic.column) {
                    (Some(row), Some(column)) => {
                        sheet.error_cells.contains(&(row, column.number as u32))
                    }
                    _ => false,
                };
                if on_error_cell {
                    continue;
                }
                diagnostic.line = row.map(u64::from);
                diagnostic.sheet = Some(sheet.name.clone());
                diagnostic.file = file.to_string();
            }
            // A sheet that is not there was reported as such; the reader's "file not found" is dropped.
            None if diagnostic.line.is_none()
                && diagnostic.message.starts_with("file not found") =>
            {
                continue
            }
            None => {}
        }
        placed.push(diagnostic);
    }
    problems.append(&mut placed);
    // As a reader goes through the workbook: sheet by sheet in the study's order, each from its top
    // (problems of the whole sheet first); the sort is stable, so a row keeps its columns' order.
    let rank = |diagnostic: &Diagnostic| {
        let sheet = diagnostic.sheet.as_deref().unwrap_or_default();
        let position = std::iter::once(STUDY_TOML_SHEET)
            .chain(STUDY_SHEETS.iter().map(|(name, _)| *name))
            .position(|name| sheet.trim().eq_ignore_ascii_case(name))
            .unwrap_or(0);
        (
            diagnostic.sheet.is_some(),
            position,
            diagnostic.line.unwrap_or(0),
            diagnostic.column.as_ref().map_or(0, |c| c.number),
        )
    };
    problems.sort_by_key(rank);
    ingested.diagnostics = problems;
    ingested
}

/// An error of the whole workbook (or of a file beside it).
pub(crate) fn whole_file(file: &str, message: String) -> Diagnostic {
    Diagnostic::about_file(Severity::Error, file, message)
}

fn missing_sheet(file: &str, wanted: &str, study_file: StudyFile) -> Diagnostic {
    let (severity, message) = match study_file {
        StudyFile::Patients => (
            Severity::Error,
            "sheet not found; every study needs a patients sheet".to_string(),
        ),
        StudyFile::Observations => (
            Severity::Warning,
            "sheet not found; the study has no laboratory values".to_string(),
        ),
        StudyFile::Treatments => (
            Severity::Warning,
            "sheet not found; the study has no treatments".to_string(),
        ),
        StudyFile::Events => (Severity::Warning, "sheet not found".to_string()),
    };
    Diagnostic {
        sheet: Some(wanted.to_string()),
        severity,
        message,
        ..whole_file(file, String::new())
    }
}

/// The sheet as CSV text; `None` (with a problem) when it cannot be read.
fn sheet_text<RS: std::io::Read + std::io::Seek>(
    workbook: &mut Sheets<RS>,
    name: &str,
    file: &str,
    problems: &mut Vec<Diagnostic>,
) -> Option<SheetText> {
    let (range, merged) = sheet_range(workbook, name, file, problems)?;
    Some(to_csv(name, &range, &merged, file, problems))
}

/// A sheet's cells as text from A1 (row 1 is the first), to show a problem's row again; `None` when
/// the workbook or the sheet cannot be read.
pub fn sheet_cells(path: &Path, sheet: &str) -> Option<Vec<Vec<String>>> {
    sheet_grid(path, Some(sheet), "", &mut Vec::new()).map(|(_, grid)| grid)
}

/// A sheet as a grid of cell texts from A1 (merged areas filled, error cells reported and empty), for
/// a layout read column by column; `None` (with a problem) when it cannot be read.
pub(crate) fn sheet_grid(
    path: &Path,
    wanted: Option<&str>,
    file: &str,
    problems: &mut Vec<Diagnostic>,
) -> Option<(String, Vec<Vec<String>>)> {
    let mut workbook = match open(path) {
        Ok(workbook) => workbook,
        Err(message) => {
            problems.push(whole_file(file, message));
            return None;
        }
    };
    let names = workbook.sheet_names();
    let name = match wanted {
        Some(wanted) => names
            .iter()
            .find(|name| name.trim().eq_ignore_ascii_case(wanted.trim()))
            .cloned(),
        None => names.first().cloned(),
    };
    let Some(name) = name else {
        problems.push(Diagnostic {
            sheet: wanted.map(str::to_string),
            ..whole_file(file, "sheet not found".into())
        });
        return None;
    };
    let (range, merged) = sheet_range(&mut workbook, &name, file, problems)?;
    let mut grid = Vec::new();
    if let Some((end_row, end_column)) = range.end() {
        for row in 0..=end_row {
            let cells = (0..=end_column)
                .map(|column| match cell_at(&range, &merged, row, column) {
                    Data::Error(error) => {
                        let header = crate::cells::text(cell_at(&range, &merged, 0, column));
                        problems.push(error_cell(
                            file,
                            &name,
                            (row + 1, column + 1),
                            &header,
                            &error.to_string(),
                        ));
                        String::new()
                    }
                    other => crate::cells::text(other),
                })
                .collect();
            grid.push(cells);
        }
    }
    Some((name, grid))
}

/// The cell at (row, column), from 0; a cell of a merged area holds the area's first cell.
fn cell_at<'r>(range: &'r Range<Data>, merged: &[MergedArea], row: u32, column: u32) -> &'r Data {
    let (row, column) = merged
        .iter()
        .find(|(start, end)| {
            (start.0..=end.0).contains(&row) && (start.1..=end.1).contains(&column)
        })
        .map_or((row, column), |(start, _)| *start);
    range.get_value((row, column)).unwrap_or(&Data::Empty)
}

/// What a calamine call returns, or `None` if it panicked: it overflows on some malformed cell
/// references (a column of ten letters in a sheet's dimension or a merged area) when built with overflow
/// checks, and a workbook it cannot read is a problem of the file, never a crash. Every call that parses
/// the file's parts goes through here.
fn without_panic<T>(read: impl FnOnce() -> T) -> Option<T> {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(read)).ok()
}

/// The sheet's cells and its merged areas (xlsx only: the other formats' readers do not give them).
fn sheet_range<RS: std::io::Read + std::io::Seek>(
    workbook: &mut Sheets<RS>,
    name: &str,
    file: &str,
    problems: &mut Vec<Diagnostic>,
) -> Option<(Range<Data>, Vec<MergedArea>)> {
    let range = match without_panic(|| workbook.worksheet_range(name)) {
        Some(Ok(range)) => range,
        Some(Err(error)) => {
            problems.push(Diagnostic {
                sheet: Some(name.to_string()),
                ..whole_file(file, format!("the sheet cannot be read: {error}"))
            });
            return None;
        }
        None => {
            problems.push(Diagnostic {
                sheet: Some(name.to_string()),
                ..whole_file(
                    file,
                    "the sheet cannot be read: its layout is malformed (a cell reference out of range)"
                        .to_string(),
                )
            });
            return None;
        }
    };
    let merged = match workbook {
        Sheets::Xlsx(xlsx) => without_panic(|| xlsx.load_merged_regions())
            .and_then(Result::ok)
            .map(|()| {
                xlsx.merged_regions_by_sheet(name)
                    .into_iter()
                    .map(|(_, _, dimensions)| (dimensions.start, dimensions.end))
                    .collect()
            })
            .unwrap_or_default(),
        _ => Vec::new(),
    };
    Some((range, merged))
}

/// Writes the range from A1 (so that CSV line n starts with sheet row n unless a cell spans lines),
/// merged areas filled with their first cell's value, error cells reported and left empty.
fn to_csv(
    name: &str,
    range: &Range<Data>,
    merged: &[MergedArea],
    file: &str,
    problems: &mut Vec<Diagnostic>,
) -> SheetText {
    let mut sheet = SheetText {
        name: name.to_string(),
        text: String::new(),
        row_of_line: Vec::new(),
        error_cells: Vec::new(),
    };
    let Some((end_row, end_column)) = range.end() else {
        return sheet;
    };
    let cell = |row: u32, column: u32| cell_at(range, merged, row, column);
    for row in 0..=end_row {
        let mut line = String::new();
        let mut written = 0;
        for column in 0..=end_column {
            let value = cell(row, column);
            let text = match value {
                Data::Error(error) => {
                    sheet.error_cells.push((row + 1, column + 1));
                    let header = crate::cells::text(cell(0, column));
                    problems.push(error_cell(
                        file,
                        name,
                        (row + 1, column + 1),
                        &header,
                        &error.to_string(),
                    ));
                    String::new()
                }
                other => crate::cells::text(other),
            };
            if column > 0 {
                line.push(',');
            }
            if !text.is_empty() {
                written += 1;
            }
            hlh_ingest::push_csv_field(&mut line, &text);
        }
        // A row with nothing in it is a blank line, which the reader skips: a sheet's trailing
        // formatted-but-empty rows are no rows at all.
        if written == 0 {
            line.clear();
        }
        sheet.text.push_str(&line);
        sheet.text.push('\n');
        let lines = 1 + line.matches('\n').count();
        sheet
            .row_of_line
            .extend(std::iter::repeat_n(row + 1, lines));
    }
    sheet
}

/// An error cell at (row, column), 1-based, under the header `header` (its column letters when empty).
fn error_cell(
    file: &str,
    sheet: &str,
    (row, column): (u32, u32),
    header: &str,
    error: &str,
) -> Diagnostic {
    Diagnostic {
        sheet: Some(sheet.to_string()),
        line: Some(u64::from(row)),
        column: Some(ColumnRef {
            number: column as usize,
            name: if header.is_empty() {
                hlh_ingest::column_letters(column as usize)
            } else {
                header.to_string()
            },
        }),
        value: Some(error.to_string()),
        expected: Some("a value, not a formula that failed".into()),
        ..whole_file(file, "the cell holds an Excel error".into())
    }
}

/// study.toml's text: the first field of each line (the sheet keeps one TOML line per row in column A).
fn first_column_lines(csv_text: &str) -> String {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(csv_text.as_bytes());
    let mut toml = String::new();
    for record in reader.records().flatten() {
        toml.push_str(record.get(0).unwrap_or_default());
        toml.push('\n');
    }
    toml
}
