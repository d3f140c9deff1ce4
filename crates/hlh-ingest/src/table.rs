//! Reading one CSV file of a study folder: header checks, then every row through a callback, with every
//! problem collected rather than the first one returned.

use csv::{ByteRecord, StringRecord};
use hlh_model::parallel;

use crate::cells::CellProblem;
use hlh_model::shown_value;

use crate::diagnostic::{ColumnRef, Diagnostic, Severity};

/// Declares a file's columns once: each column's position constant beside its name and whether it is
/// required, in header order, and `COLUMNS`, the list `read_table` checks the header against.
macro_rules! columns {
    ($( $position:ident = $kind:ident($name:literal) ),+ $(,)?) => {
        columns!(@positions 0usize; $($position),+);
        pub(crate) const COLUMNS: &[$crate::table::ColumnSpec<'static>] =
            &[$( $crate::table::ColumnSpec::$kind($name) ),+];
    };
    (@positions $index:expr; $first:ident $(, $rest:ident)*) => {
        const $first: usize = $index;
        columns!(@positions $index + 1; $($rest),*);
    };
    (@positions $index:expr;) => {};
}

pub(crate) use columns;

/// What a header must hold beyond the columns of the spec, and what becomes of other columns.
#[derive(Debug, Clone, Copy)]
pub struct HeaderRules<'a> {
    /// Columns of which the header must have at least one (age_years or birth_year); empty: none.
    pub at_least_one_of: &'a [&'a str],
    pub unknown_columns: UnknownColumns,
}

impl HeaderRules<'_> {
    /// A file of a study folder: every column the format does not define is worth a warning.
    pub const STUDY_FILE: HeaderRules<'static> = HeaderRules {
        at_least_one_of: &[],
        unknown_columns: UnknownColumns::Warn,
    };
}

/// Whether a column the spec does not name is reported.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UnknownColumns {
    /// A warning: a study file's unknown column is usually a misspelt one.
    Warn,
    /// Silently skipped: a plain table read for a few of its columns (`hlh stats`).
    Ignore,
}

/// A column the study format defines for a file.
#[derive(Debug, Clone, Copy)]
pub struct ColumnSpec<'n> {
    pub name: &'n str,
    pub required: bool,
}

impl<'n> ColumnSpec<'n> {
    pub const fn required(name: &'n str) -> ColumnSpec<'n> {
        ColumnSpec {
            name,
            required: true,
        }
    }

    pub const fn optional(name: &'n str) -> ColumnSpec<'n> {
        ColumnSpec {
            name,
            required: false,
        }
    }
}

/// The problems of a whole study, in the order they were found.
#[derive(Debug, Default)]
pub struct Diagnostics {
    pub list: Vec<Diagnostic>,
}

impl Diagnostics {
    pub fn push(&mut self, diagnostic: Diagnostic) {
        self.list.push(diagnostic);
    }

    /// A problem of a whole file (missing, unreadable, empty).
    pub fn file_problem(&mut self, severity: Severity, file: &str, message: impl Into<String>) {
        self.push(Diagnostic::about_file(severity, file, message));
    }
}

/// One data row: its line and its cells, already checked to be UTF-8.
#[derive(Debug)]
pub struct Row<'r> {
    file: &'r str,
    pub line: u64,
    record: &'r StringRecord,
    header: &'r [String],
    /// For each column of the file's spec, its position in the record, if the header has it.
    positions: &'r [Option<usize>],
    /// False when a cell was not UTF-8 (already reported): the row is checked but never kept.
    valid_utf8: bool,
}

impl<'r> Row<'r> {
    /// The trimmed cell of a spec column; `None` when the column is absent or the cell empty (missing).
    pub fn get(&self, spec_column: usize) -> Option<&'r str> {
        let position = self.positions[spec_column]?;
        let text = self.record.get(position)?.trim();
        (!text.is_empty()).then_some(text)
    }

    fn column_ref(&self, spec_column: usize) -> Option<ColumnRef> {
        self.positions[spec_column].map(|position| ColumnRef {
            number: position + 1,
            name: self.header[position].clone(),
        })
    }

    /// A problem with the cell of a spec column.
    pub fn problem(
        &self,
        severity: Severity,
        spec_column: usize,
        value: &str,
        problem: CellProblem,
    ) -> Diagnostic {
        Diagnostic {
            severity,
            file: self.file.to_string(),
            sheet: None,
            line: Some(self.line),
            column: self.column_ref(spec_column),
            value: Some(shown_value(value)),
            message: problem.message,
            expected: Some(problem.expected),
            hint: problem.hint,
        }
    }

    /// A required cell that is empty.
    pub fn missing(&self, spec_column: usize, expected: &str) -> Diagnostic {
        Diagnostic {
            severity: Severity::Error,
            file: self.file.to_string(),
            sheet: None,
            line: Some(self.line),
            column: self.column_ref(spec_column),
            value: Some(String::new()),
            message: "required value is missing".to_string(),
            expected: Some(expected.to_string()),
            hint: None,
        }
    }

    /// A problem of the row as a whole, or of several cells together.
    pub fn row_problem(
        &self,
        severity: Severity,
        spec_column: Option<usize>,
        message: String,
    ) -> Diagnostic {
        Diagnostic {
            severity,
            file: self.file.to_string(),
            sheet: None,
            line: Some(self.line),
            column: spec_column.and_then(|column| self.column_ref(column)),
            value: spec_column
                .and_then(|column| self.get(column))
                .map(shown_value),
            message,
            expected: None,
            hint: None,
        }
    }
}

/// Strips a UTF-8 byte-order mark, which spreadsheet programs often write.
fn without_bom(bytes: &[u8]) -> &[u8] {
    bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes)
}

/// Reads `bytes` as the CSV file `file` with the columns of `spec`, reporting header problems and calling
/// `on_row` for every row that has the header's number of cells (a row with invalid UTF-8 comes through
/// as unusable, so that its other cells are still checked).
///
/// Columns are matched case-insensitively; unknown columns are a warning or ignored, as `rules` say; a
/// missing required column is an error, after which the rows are not read (each would repeat it).
pub fn read_table(
    file: &str,
    bytes: &[u8],
    spec: &[ColumnSpec],
    rules: &HeaderRules,
    diagnostics: &mut Diagnostics,
    on_row: impl FnMut(&Row<'_>, &mut Diagnostics),
) -> TableRead {
    let mut outcome = TableRead {
        readable: false,
        first_cells_of_misshapen_rows: Vec::new(),
    };
    let Some((header, data)) = open_table(file, bytes, spec, rules, diagnostics) else {
        return outcome;
    };
    let misshapen = read_rows(
        file,
        data,
        header.lines_before_data,
        &header,
        diagnostics,
        on_row,
    );
    outcome.first_cells_of_misshapen_rows = misshapen;
    outcome.readable = true;
    outcome
}

/// Files smaller than this are read on one thread: starting threads would cost more than it saves.
const MIN_BYTES_PER_CHUNK: usize = 1 << 20;

/// As [`read_table`], but the rows are read in up to `max_chunks` consecutive chunks on as many threads,
/// each with its own state made by `new_state`; the states come back in file order, and the diagnostics
/// are the same as a sequential read would give.
///
/// A file is split only at line ends and only when it contains no `"` at all: then every line end ends a
/// record, and no split can fall inside a quoted cell. Any other file is read on one thread.
pub fn read_table_in_chunks<S: Send>(
    file: &str,
    bytes: &[u8],
    spec: &[ColumnSpec],
    diagnostics: &mut Diagnostics,
    max_chunks: usize,
    new_state: impl Fn(&[u8]) -> S + Sync,
    on_row: impl Fn(&mut S, &Row<'_>, &mut Diagnostics) + Sync,
) -> (TableRead, Vec<S>) {
    let chunks = max_chunks.min(bytes.len() / MIN_BYTES_PER_CHUNK).max(1);
    read_table_in_n_chunks(file, bytes, spec, diagnostics, chunks, new_state, on_row)
}

/// [`read_table_in_chunks`] with the number of chunks given (fewer when the file cannot be split).
/// `new_state` receives the bytes of its chunk, to size its buffers.
fn read_table_in_n_chunks<S: Send>(
    file: &str,
    bytes: &[u8],
    spec: &[ColumnSpec],
    diagnostics: &mut Diagnostics,
    chunks: usize,
    new_state: impl Fn(&[u8]) -> S + Sync,
    on_row: impl Fn(&mut S, &Row<'_>, &mut Diagnostics) + Sync,
) -> (TableRead, Vec<S>) {
    let mut outcome = TableRead {
        readable: false,
        first_cells_of_misshapen_rows: Vec::new(),
    };
    let Some((header, data)) = open_table(file, bytes, spec, &HeaderRules::STUDY_FILE, diagnostics)
    else {
        return (outcome, Vec::new());
    };
    let chunks = split_at_line_ends(data, chunks);
    // Each chunk's first line number, counted before the readers start, as a sequential read would.
    let lines_before: Vec<u64> = chunks
        .iter()
        .map(|&(start, _)| header.lines_before_data + count_line_ends(&data[..start]))
        .collect();
    let results: Vec<(S, Diagnostics, Vec<String>)> = parallel::in_parts(chunks.len(), |part| {
        let (start, end) = chunks[part];
        let lines_before = lines_before[part];
        let mut state = new_state(&data[start..end]);
        let mut chunk_diagnostics = Diagnostics::default();
        let misshapen = read_rows(
            file,
            &data[start..end],
            lines_before,
            &header,
            &mut chunk_diagnostics,
            |row, diagnostics| on_row(&mut state, row, diagnostics),
        );
        (state, chunk_diagnostics, misshapen)
    });
    let mut states = Vec::with_capacity(results.len());
    for (state, mut chunk_diagnostics, mut misshapen) in results {
        states.push(state);
        diagnostics.list.append(&mut chunk_diagnostics.list);
        outcome.first_cells_of_misshapen_rows.append(&mut misshapen);
    }
    outcome.readable = true;
    (outcome, states)
}

/// Byte ranges of `data` that start and end at line ends, about equal in size; one range when `data`
/// holds a `"` (see [`read_table_in_chunks`]).
fn split_at_line_ends(data: &[u8], chunks: usize) -> Vec<(usize, usize)> {
    if chunks <= 1 || data.contains(&b'"') {
        return vec![(0, data.len())];
    }
    let mut ranges = Vec::with_capacity(chunks);
    let mut start = 0;
    for k in 1..chunks {
        let target = (data.len() * k / chunks).max(start);
        match data[target..].iter().position(|&byte| byte == b'\n') {
            Some(offset) => {
                let end = target + offset + 1;
                ranges.push((start, end));
                start = end;
            }
            None => break,
        }
    }
    ranges.push((start, data.len()));
    ranges.retain(|(start, end)| start < end);
    if ranges.is_empty() {
        ranges.push((0, 0));
    }
    ranges
}

pub(crate) fn count_line_ends(bytes: &[u8]) -> u64 {
    bytes.iter().filter(|&&byte| byte == b'\n').count() as u64
}

/// A header that was read: the column names, where each spec column is, and where the rows begin.
#[derive(Debug)]
struct Header {
    names: Vec<String>,
    positions: Vec<Option<usize>>,
    /// The number of line ends before the bytes of the rows (1, or more when a header cell spans lines).
    lines_before_data: u64,
}

/// Reads and checks the header; returns it with the bytes of the rows, or `None` when the rows cannot be
/// read (the problems are reported).
fn open_table<'b>(
    file: &str,
    bytes: &'b [u8],
    spec: &[ColumnSpec],
    rules: &HeaderRules,
    diagnostics: &mut Diagnostics,
) -> Option<(Header, &'b [u8])> {
    let bytes = without_bom(bytes);
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(bytes);
    let mut header = ByteRecord::new();
    match reader.read_byte_record(&mut header) {
        Ok(true) => {}
        Ok(false) => {
            diagnostics.file_problem(
                Severity::Error,
                file,
                format!(
                    "file is empty; expected a header row with the columns {}",
                    spec_names(spec)
                ),
            );
            return None;
        }
        Err(error) => {
            diagnostics.file_problem(
                Severity::Error,
                file,
                format!("cannot be read as CSV: {error}"),
            );
            return None;
        }
    }
    let positions = read_header(file, &header, spec, rules, diagnostics)?;
    let names = header
        .iter()
        .map(|name| String::from_utf8_lossy(name).trim().to_string())
        .collect();
    let next = reader.position();
    let data_start = (next.byte() as usize).min(bytes.len());
    Some((
        Header {
            names,
            positions,
            lines_before_data: next.line() - 1,
        },
        &bytes[data_start..],
    ))
}

/// Reads the rows of `data` (no header), whose first line is line `lines_before + 1` of the file. Returns
/// the patient_id cells of rows with the wrong number of cells.
fn read_rows(
    file: &str,
    data: &[u8],
    lines_before: u64,
    header: &Header,
    diagnostics: &mut Diagnostics,
    mut on_row: impl FnMut(&Row<'_>, &mut Diagnostics),
) -> Vec<String> {
    let mut first_cells_of_misshapen_rows = Vec::new();
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(data);
    let mut byte_record = ByteRecord::new();
    let header_len = header.names.len();
    // Line numbers are counted here from byte offsets: the reader's own count lags by one after a CRLF
    // line end, and a message must name the right line.
    let (mut lines_counted, mut counted_until) = (lines_before, 0usize);
    loop {
        match reader.read_byte_record(&mut byte_record) {
            Ok(true) => {}
            Ok(false) => break,
            Err(error) => {
                diagnostics.file_problem(
                    Severity::Error,
                    file,
                    format!("cannot be read as CSV: {error}"),
                );
                break;
            }
        }
        let start = byte_record
            .position()
            .map_or(0, |position| position.byte() as usize)
            .min(data.len());
        // The reader reports a record's start before the line ends (and blank lines) it skips.
        let start = start
            + data[start..]
                .iter()
                .take_while(|&&byte| byte == b'\n' || byte == b'\r')
                .count();
        lines_counted += count_line_ends(&data[counted_until..start]);
        counted_until = start;
        let line = lines_counted + 1;
        if byte_record.len() != header_len {
            if let Some(cell) = header.positions[0].and_then(|position| byte_record.get(position)) {
                first_cells_of_misshapen_rows
                    .push(String::from_utf8_lossy(cell).trim().to_string());
            }
            diagnostics.push(wrong_cell_count(
                file,
                line,
                byte_record.len(),
                header_len,
                &byte_record,
            ));
            continue;
        }
        let (record, valid_utf8) =
            match StringRecord::from_byte_record(std::mem::take(&mut byte_record)) {
                Ok(record) => (record, true),
                Err(error) => {
                    byte_record = error.into_byte_record();
                    report_invalid_utf8(file, line, &byte_record, &header.names, diagnostics);
                    // The other cells are still checked (all problems in one run), on a lossy copy; the row
                    // itself is left out of the study.
                    let lossy: StringRecord = byte_record
                        .iter()
                        .map(|cell| String::from_utf8_lossy(cell))
                        .collect();
                    (lossy, false)
                }
            };
        let row = Row {
            file,
            line,
            record: &record,
            header: &header.names,
            positions: &header.positions,
            valid_utf8,
        };
        on_row(&row, diagnostics);
        byte_record = record.into_byte_record();
    }
    first_cells_of_misshapen_rows
}

/// What [`read_table`] could read of a file.
#[derive(Debug)]
pub struct TableRead {
    /// Whether the header allowed the rows to be read.
    pub readable: bool,
    /// The first spec column's cell (the patient_id) of each row whose number of cells did not match the
    /// header: such a row cannot be read, but its identifier is not an orphan elsewhere.
    pub first_cells_of_misshapen_rows: Vec<String>,
}

fn spec_names(spec: &[ColumnSpec]) -> String {
    spec.iter()
        .map(|column| column.name)
        .collect::<Vec<_>>()
        .join(", ")
}

/// Checks the header; returns the position of each spec column, or `None` when rows cannot be read.
fn read_header(
    file: &str,
    header: &ByteRecord,
    spec: &[ColumnSpec],
    rules: &HeaderRules,
    diagnostics: &mut Diagnostics,
) -> Option<Vec<Option<usize>>> {
    let header_problem =
        |severity, number: usize, name: &str, message: String, expected: Option<String>| {
            Diagnostic {
                severity,
                file: file.to_string(),
                sheet: None,
                line: Some(1),
                column: Some(ColumnRef {
                    number,
                    name: name.to_string(),
                }),
                value: Some(shown_value(name)),
                message,
                expected,
                hint: None,
            }
        };
    let mut positions = vec![None; spec.len()];
    let mut readable = true;
    for (position, raw_name) in header.iter().enumerate() {
        let Ok(name) = std::str::from_utf8(raw_name) else {
            diagnostics.push(header_problem(
                Severity::Error,
                position + 1,
                &String::from_utf8_lossy(raw_name),
                "column name is not valid UTF-8".to_string(),
                Some("a UTF-8 encoded file".to_string()),
            ));
            readable = false;
            continue;
        };
        let name = name.trim();
        match spec
            .iter()
            .position(|column| column.name.eq_ignore_ascii_case(name))
        {
            Some(spec_column) if positions[spec_column].is_some() => {
                diagnostics.push(header_problem(
                    Severity::Error,
                    position + 1,
                    name,
                    format!("column {name:?} appears twice"),
                    Some("each column once".to_string()),
                ));
                readable = false;
            }
            Some(spec_column) => positions[spec_column] = Some(position),
            None if rules.unknown_columns == UnknownColumns::Ignore => {}
            None if name.is_empty() => diagnostics.push(header_problem(
                Severity::Warning,
                position + 1,
                name,
                "column without a name is ignored".to_string(),
                None,
            )),
            None => diagnostics.push(header_problem(
                Severity::Warning,
                position + 1,
                name,
                "unknown column is kept but not used".to_string(),
                Some(format!("one of the columns {}", spec_names(spec))),
            )),
        }
    }
    for (spec_column, column) in spec.iter().enumerate() {
        if column.required && positions[spec_column].is_none() {
            diagnostics.push(Diagnostic {
                severity: Severity::Error,
                file: file.to_string(),
                sheet: None,
                line: Some(1),
                column: None,
                value: None,
                message: format!(
                    "required column {:?} is missing from the header",
                    column.name
                ),
                expected: Some(format!("the columns {}", spec_names(spec))),
                hint: None,
            });
            readable = false;
        }
    }
    let at_least_one_of = rules.at_least_one_of;
    let has_one_of = at_least_one_of.is_empty()
        || at_least_one_of.iter().any(|name| {
            spec.iter()
                .position(|column| column.name == *name)
                .is_some_and(|spec_column| positions[spec_column].is_some())
        });
    if !has_one_of {
        diagnostics.push(Diagnostic {
            severity: Severity::Error,
            file: file.to_string(),
            sheet: None,
            line: Some(1),
            column: None,
            value: None,
            message: format!(
                "the header needs one of the columns {}",
                at_least_one_of.join(" or ")
            ),
            expected: None,
            hint: None,
        });
        readable = false;
    }
    readable.then_some(positions)
}

fn wrong_cell_count(
    file: &str,
    line: u64,
    found: usize,
    expected: usize,
    record: &ByteRecord,
) -> Diagnostic {
    let has_decimal_comma_split = found > expected
        && record
            .iter()
            .zip(record.iter().skip(1))
            .any(|(left, right)| is_digits(left) && is_digits(right));
    Diagnostic {
        severity: Severity::Error,
        file: file.to_string(),
        sheet: None,
        line: Some(line),
        column: None,
        value: None,
        message: format!("row has {found} cells but the header has {expected}"),
        expected: Some(format!("{expected} comma-separated cells")),
        hint: has_decimal_comma_split.then(|| {
            "a decimal comma splits a number in two: write 3.5, not 3,5 (or quote a cell that contains a comma)"
                .to_string()
        }),
    }
}

fn is_digits(cell: &[u8]) -> bool {
    let cell = cell.trim_ascii();
    !cell.is_empty() && cell.iter().all(u8::is_ascii_digit)
}

fn report_invalid_utf8(
    file: &str,
    line: u64,
    record: &ByteRecord,
    header: &[String],
    diagnostics: &mut Diagnostics,
) {
    for (position, cell) in record.iter().enumerate() {
        if std::str::from_utf8(cell).is_err() {
            diagnostics.push(Diagnostic {
                severity: Severity::Error,
                file: file.to_string(),
                sheet: None,
                line: Some(line),
                column: Some(ColumnRef {
                    number: position + 1,
                    name: header[position].clone(),
                }),
                value: Some(shown_value(&String::from_utf8_lossy(cell))),
                message: "cell is not valid UTF-8".to_string(),
                expected: Some("UTF-8 text (save the file as UTF-8 CSV)".to_string()),
                hint: None,
            });
        }
    }
}

/// Reads the cells of one row, reporting each problem and remembering whether the row is usable.
#[derive(Debug)]
pub struct CellReader<'a, 'r> {
    pub row: &'a Row<'r>,
    pub diagnostics: &'a mut Diagnostics,
    /// False once any cell of the row had an error: the row is then left out of the study.
    pub usable: bool,
}

impl<'a, 'r> CellReader<'a, 'r> {
    pub fn new(row: &'a Row<'r>, diagnostics: &'a mut Diagnostics) -> CellReader<'a, 'r> {
        CellReader {
            row,
            diagnostics,
            usable: row.valid_utf8,
        }
    }

    /// A cell that must be filled.
    pub fn required<T>(
        &mut self,
        column: usize,
        expected: &str,
        parse: impl FnOnce(&str) -> Result<T, CellProblem>,
    ) -> Option<T> {
        let text = self.required_text(column, expected)?;
        self.parse(column, text, parse)
    }

    /// The text of a cell that must be filled.
    pub fn required_text(&mut self, column: usize, expected: &str) -> Option<&'r str> {
        let text = self.row.get(column);
        if text.is_none() {
            self.diagnostics.push(self.row.missing(column, expected));
            self.usable = false;
        }
        text
    }

    /// A cell that may be empty (missing).
    pub fn optional<T>(
        &mut self,
        column: usize,
        parse: impl FnOnce(&str) -> Result<T, CellProblem>,
    ) -> Option<T> {
        let text = self.row.get(column)?;
        self.parse(column, text, parse)
    }

    fn parse<T>(
        &mut self,
        column: usize,
        text: &str,
        parse: impl FnOnce(&str) -> Result<T, CellProblem>,
    ) -> Option<T> {
        match parse(text) {
            Ok(value) => Some(value),
            Err(problem) => {
                self.error(column, text, problem);
                None
            }
        }
    }

    /// An error about a cell that was read.
    pub fn error(&mut self, column: usize, text: &str, problem: CellProblem) {
        self.diagnostics
            .push(self.row.problem(Severity::Error, column, text, problem));
        self.usable = false;
    }

    /// A warning about a cell: the row stays usable.
    pub fn warning(&mut self, column: usize, text: &str, problem: CellProblem) {
        self.diagnostics
            .push(self.row.problem(Severity::Warning, column, text, problem));
    }

    /// An error about the row as a whole or about cells together.
    pub fn row_error(&mut self, column: Option<usize>, message: String) {
        self.diagnostics
            .push(self.row.row_problem(Severity::Error, column, message));
        self.usable = false;
    }

    /// A warning about the row as a whole or about cells together.
    pub fn row_warning(&mut self, column: Option<usize>, message: String) {
        self.diagnostics
            .push(self.row.row_problem(Severity::Warning, column, message));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SPEC: [ColumnSpec; 3] = [
        ColumnSpec::required("patient_id"),
        ColumnSpec::required("a"),
        ColumnSpec::optional("b"),
    ];

    /// Every row as (line, cells), plus the diagnostics, read sequentially or in `chunks` chunks.
    fn read_all(bytes: &[u8], chunks: Option<usize>) -> (Vec<(u64, Vec<String>)>, Vec<String>) {
        let mut diagnostics = Diagnostics::default();
        let record = |row: &Row<'_>| {
            (
                row.line,
                (0..3)
                    .map(|c| row.get(c).unwrap_or("").to_string())
                    .collect(),
            )
        };
        let rows = match chunks {
            None => {
                let mut rows = Vec::new();
                read_table(
                    "t.csv",
                    bytes,
                    &SPEC,
                    &HeaderRules::STUDY_FILE,
                    &mut diagnostics,
                    |row, _| rows.push(record(row)),
                );
                rows
            }
            Some(chunks) => {
                let (_, states) = read_table_in_n_chunks(
                    "t.csv",
                    bytes,
                    &SPEC,
                    &mut diagnostics,
                    chunks,
                    |_| Vec::new(),
                    |rows: &mut Vec<_>, row, _| rows.push(record(row)),
                );
                states.into_iter().flatten().collect()
            }
        };
        let mut messages: Vec<String> = diagnostics.list.iter().map(|d| d.to_string()).collect();
        messages.sort();
        (rows, messages)
    }

    #[test]
    fn a_chunked_read_equals_a_sequential_read() {
        let mut text = String::from("\u{feff}patient_id,a,b\r\n");
        for i in 0..200 {
            match i % 7 {
                0 => text.push_str(&format!("P{i},x,y,z\n")), // one cell too many
                1 => text.push_str(&format!("P{i},,\n")),
                2 => text.push_str(&format!("P{i},{i},\r\n")),
                _ => text.push_str(&format!("P{i},{i},{}\n", i * 3)),
            }
        }
        let sequential = read_all(text.as_bytes(), None);
        assert_eq!(sequential.0.len(), 200 - 29);
        // Row i is on line i + 2, whatever the line ends before it.
        for (line, cells) in &sequential.0 {
            assert_eq!(cells[0], format!("P{}", line - 2));
        }
        for chunks in [1, 2, 3, 7, 64] {
            assert_eq!(
                read_all(text.as_bytes(), Some(chunks)),
                sequential,
                "{chunks} chunks"
            );
        }
    }

    #[test]
    fn a_file_with_quotes_is_not_split() {
        let text = "patient_id,a,b\nP1,\"x\ny\",1\nP2,2,2\nP3,3,3\n";
        assert_eq!(split_at_line_ends(text.as_bytes(), 3), [(0, text.len())]);
        assert_eq!(
            read_all(text.as_bytes(), Some(3)),
            read_all(text.as_bytes(), None)
        );
    }

    #[test]
    fn splits_fall_after_line_ends_and_cover_the_data() {
        let data = b"a,1\nb,2\nc,3\nd,4\n";
        let ranges = split_at_line_ends(data, 3);
        assert_eq!(ranges.first().unwrap().0, 0);
        assert_eq!(ranges.last().unwrap().1, data.len());
        for window in ranges.windows(2) {
            assert_eq!(window[0].1, window[1].0);
            assert_eq!(data[window[0].1 - 1], b'\n');
        }
        assert_eq!(split_at_line_ends(b"no line end", 4), [(0, 11)]);
    }
}
