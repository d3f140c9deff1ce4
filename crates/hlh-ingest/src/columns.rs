//! A plain CSV table read for a few of its columns (`hlh stats`), through the study reader's table code:
//! the same byte-order mark handling, case-insensitive header, line numbers (CRLF included), number
//! rules and messages as a study file. Other columns are ignored.

use std::collections::HashMap;

use crate::cells;
use crate::diagnostic::Diagnostic;
use crate::table::{read_table, CellReader, ColumnSpec, Diagnostics, HeaderRules, UnknownColumns};

/// What a requested column holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ColumnKind {
    Number,
    Label,
}

/// A column to read: its name in the header, what it holds, and whether an empty cell is an error.
#[derive(Debug, Clone, Copy)]
pub struct ColumnRequest<'a> {
    pub name: &'a str,
    pub kind: ColumnKind,
    pub required: bool,
}

/// A column read; `None` is an empty cell (allowed only where the request said so).
#[derive(Debug, Clone, PartialEq)]
pub enum Column {
    Numbers(Vec<Option<f64>>),
    /// Each row's label as an index into `names` (labels in order of first appearance), so that a
    /// million rows of a few groups hold a few strings.
    Labels {
        codes: Vec<Option<usize>>,
        names: Vec<String>,
    },
}

impl Column {
    /// Each row's number (none for a column of labels).
    pub fn numbers(&self) -> &[Option<f64>] {
        match self {
            Column::Numbers(values) => values,
            Column::Labels { .. } => &[],
        }
    }

    /// Every row's number, for a required column.
    pub fn required_numbers(&self) -> Vec<f64> {
        self.numbers().iter().flatten().copied().collect()
    }

    /// Every row's label, for a required column.
    pub fn required_labels(&self) -> Vec<&str> {
        match self {
            Column::Labels { codes, names } => codes
                .iter()
                .flatten()
                .map(|&code| names[code].as_str())
                .collect(),
            Column::Numbers(_) => Vec::new(),
        }
    }
}

/// Reads the requested columns of the CSV text `bytes` of the file called `file`. Every requested
/// column must be in the header.
///
/// # Errors
///
/// Every error of the file at once (a missing column, a row with the wrong number of cells, a cell that
/// is not a number, an empty required cell), each naming file, line, column and value.
///
/// # Examples
///
/// ```
/// use hlh_ingest::columns::{read_columns, ColumnKind, ColumnRequest};
///
/// let csv = b"\xEF\xBB\xBFpatient,CRP_day0\r\nP1,120\r\nP2,3,5\r\n";
/// let request = ColumnRequest { name: "crp_day0", kind: ColumnKind::Number, required: true };
/// let errors = read_columns("labs.csv", csv, &[request]).unwrap_err();
/// assert!(errors[0].to_string().starts_with("error: labs.csv:3: row has 3 cells but the header has 2"));
/// assert!(errors[0].to_string().contains("hint: a decimal comma splits a number in two"));
/// ```
pub fn read_columns(
    file: &str,
    bytes: &[u8],
    requests: &[ColumnRequest<'_>],
) -> Result<Vec<Column>, Vec<Diagnostic>> {
    let spec: Vec<ColumnSpec> = requests
        .iter()
        .map(|request| ColumnSpec::required(request.name))
        .collect();
    let mut columns: Vec<Column> = requests
        .iter()
        .map(|request| match request.kind {
            ColumnKind::Number => Column::Numbers(Vec::new()),
            ColumnKind::Label => Column::Labels {
                codes: Vec::new(),
                names: Vec::new(),
            },
        })
        .collect();
    let mut label_codes: Vec<HashMap<String, usize>> = vec![HashMap::new(); requests.len()];
    let mut diagnostics = Diagnostics::default();
    let rules = HeaderRules {
        at_least_one_of: &[],
        unknown_columns: UnknownColumns::Ignore,
    };
    read_table(
        file,
        bytes,
        &spec,
        &rules,
        &mut diagnostics,
        |row, diagnostics| {
            let mut cells = CellReader::new(row, diagnostics);
            for (index, request) in requests.iter().enumerate() {
                let text = if request.required {
                    cells.required_text(index, "a value")
                } else {
                    row.get(index)
                };
                match &mut columns[index] {
                    Column::Numbers(values) => {
                        let value = text.and_then(|text| match cells::number(text) {
                            Ok(value) => Some(value),
                            Err(problem) => {
                                cells.error(index, text, problem);
                                None
                            }
                        });
                        values.push(value);
                    }
                    Column::Labels { codes, names } => {
                        codes.push(text.map(|label| {
                            *label_codes[index]
                                .entry(label.to_string())
                                .or_insert_with(|| {
                                    names.push(label.to_string());
                                    names.len() - 1
                                })
                        }));
                    }
                }
            }
        },
    );
    let errors: Vec<Diagnostic> = diagnostics
        .list
        .into_iter()
        .filter(Diagnostic::is_error)
        .collect();
    if errors.is_empty() {
        Ok(columns)
    } else {
        Err(errors)
    }
}
