//! Problems found while reading a study, each naming its place (file, line, column) and the value.

use std::fmt;

/// How bad a problem is: an error stops the analysis, a warning does not.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Severity {
    Error,
    Warning,
}

/// A column of a CSV file: its 1-based position and its name as the header writes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ColumnRef {
    pub number: usize,
    pub name: String,
}

/// One problem of a study, with everything a user needs to find and fix it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    pub severity: Severity,
    /// The file name within the study folder (`observations.csv`, `study.toml`), or the workbook's.
    pub file: String,
    /// The workbook sheet the problem is on; then `line` is the sheet's row and `column` its column, and
    /// the place is written as a cell (`observations!E18`).
    pub sheet: Option<String>,
    /// The 1-based line where the row starts; `None` for a problem of the whole file.
    pub line: Option<u64>,
    pub column: Option<ColumnRef>,
    /// The cell as written (cut to a readable length).
    pub value: Option<String>,
    /// What is wrong, without a trailing period.
    pub message: String,
    /// What the study format expects there.
    pub expected: Option<String>,
    /// A likely fix, when one can be guessed.
    pub hint: Option<String>,
}

impl Diagnostic {
    /// A problem of a whole file, with nothing else to place it.
    pub fn about_file(severity: Severity, file: &str, message: impl Into<String>) -> Diagnostic {
        Diagnostic {
            severity,
            file: file.to_string(),
            sheet: None,
            line: None,
            column: None,
            value: None,
            message: message.into(),
            expected: None,
            hint: None,
        }
    }

    /// A warning about a whole row (or rows across files), with no column or value to show.
    pub fn row_warning(file: &str, line: u64, message: String) -> Diagnostic {
        Diagnostic {
            severity: Severity::Warning,
            file: file.to_string(),
            sheet: None,
            line: Some(line),
            column: None,
            value: None,
            message,
            expected: None,
            hint: None,
        }
    }

    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}

impl fmt::Display for Diagnostic {
    /// `error: observations.csv:18:5 (unit) "mg%": unit "mg%" is not accepted for crp; expected mg/L or mg/dL`
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let severity = match self.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        write!(f, "{severity}: {}", self.located())
    }
}

impl Diagnostic {
    /// The diagnostic without its severity: place, value, message, expectation and hint, for a caller
    /// that prints the severity its own way.
    pub fn located(&self) -> impl fmt::Display + '_ {
        Located(self)
    }
}

struct Located<'a>(&'a Diagnostic);

impl fmt::Display for Located<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let diagnostic = self.0;
        write!(f, "{}", diagnostic.file)?;
        match (&diagnostic.sheet, diagnostic.line, &diagnostic.column) {
            (Some(sheet), Some(row), Some(column)) => {
                write!(f, " {sheet}!{}{row}", column_letters(column.number))?;
            }
            (Some(sheet), Some(row), None) => write!(f, " {sheet}!{row}:{row}")?,
            (Some(sheet), None, _) => write!(f, " sheet {sheet}")?,
            (None, Some(line), column) => {
                write!(f, ":{line}")?;
                if let Some(column) = column {
                    write!(f, ":{}", column.number)?;
                }
            }
            (None, None, _) => {}
        }
        if let Some(column) = &diagnostic.column {
            write!(f, " ({})", column.name)?;
        }
        if let Some(value) = &diagnostic.value {
            write!(f, " {value:?}")?;
        }
        write!(f, ": {}", diagnostic.message)?;
        if let Some(expected) = &diagnostic.expected {
            write!(f, "; expected {expected}")?;
        }
        if let Some(hint) = &diagnostic.hint {
            write!(f, "\n  hint: {hint}")?;
        }
        Ok(())
    }
}

/// The name a diagnostic gives a file it was handed: its name without the folders, or the path as
/// given when it has none.
pub fn shown_file_name(path: &std::path::Path) -> String {
    path.file_name().map_or_else(
        || path.display().to_string(),
        |name| name.to_string_lossy().into_owned(),
    )
}

/// A spreadsheet's column letters for a 1-based column number: 1 is A, 27 is AA.
pub fn column_letters(number: usize) -> String {
    let mut letters = Vec::new();
    let mut rest = number;
    while rest > 0 {
        let digit = (rest - 1) % 26;
        letters.push(b'A' + digit as u8);
        rest = (rest - 1) / 26;
    }
    letters.reverse();
    String::from_utf8(letters).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cell_problem_names_file_line_column_value_and_expectation() {
        let diagnostic = Diagnostic {
            severity: Severity::Error,
            file: "observations.csv".into(),
            sheet: None,
            line: Some(18),
            column: Some(ColumnRef {
                number: 5,
                name: "unit".into(),
            }),
            value: Some("mg%".into()),
            message: "unit not accepted for crp".into(),
            expected: Some("mg/L or mg/dL".into()),
            hint: None,
        };
        assert_eq!(
            diagnostic.to_string(),
            "error: observations.csv:18:5 (unit) \"mg%\": unit not accepted for crp; expected mg/L or mg/dL"
        );
    }
}
