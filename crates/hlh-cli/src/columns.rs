//! Numeric columns of a plain CSV file, for `hlh stats`: every bad cell reported with its line.

use std::fmt::Write as _;
use std::path::Path;

use hlh_ingest::parse_number;

/// A CSV file read whole: its header and its rows, each with the line it starts on.
pub struct CsvFile {
    name: String,
    header: Vec<String>,
    rows: Vec<(u64, Vec<String>)>,
}

/// Problems with the input, ready to print one per line.
#[derive(Debug)]
pub struct InputErrors(pub Vec<String>);

impl std::fmt::Display for InputErrors {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0.join("\n"))
    }
}

impl CsvFile {
    pub fn read(path: &Path) -> Result<CsvFile, InputErrors> {
        let name = path.display().to_string();
        let bytes = std::fs::read(path)
            .map_err(|error| InputErrors(vec![format!("{name}: cannot be read: {error}")]))?;
        let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(&bytes);
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .from_reader(bytes);
        let mut records = reader.records();
        let header: Vec<String> = match records.next() {
            Some(Ok(record)) => record.iter().map(|cell| cell.trim().to_string()).collect(),
            Some(Err(error)) => return Err(InputErrors(vec![format!("{name}: {error}")])),
            None => {
                return Err(InputErrors(vec![format!(
                    "{name}: file is empty; expected a header row"
                )]))
            }
        };
        let mut rows = Vec::new();
        let mut errors = Vec::new();
        for record in records {
            match record {
                Ok(record) => {
                    let line = record.position().map_or(0, |position| position.line());
                    if record.len() != header.len() {
                        errors.push(format!(
                            "{name}:{line}: row has {} cells but the header has {}",
                            record.len(),
                            header.len()
                        ));
                        continue;
                    }
                    rows.push((
                        line,
                        record.iter().map(|cell| cell.trim().to_string()).collect(),
                    ));
                }
                Err(error) => errors.push(format!("{name}: {error}")),
            }
        }
        if errors.is_empty() {
            Ok(CsvFile { name, header, rows })
        } else {
            Err(InputErrors(errors))
        }
    }

    /// The position of a column, by its exact name.
    pub fn column(&self, column: &str) -> Result<usize, InputErrors> {
        self.header
            .iter()
            .position(|name| name == column)
            .ok_or_else(|| {
                let mut message = format!("{}: no column {column:?}; the columns are ", self.name);
                let _ = write!(message, "{}", self.header.join(", "));
                InputErrors(vec![message])
            })
    }

    pub fn len(&self) -> usize {
        self.rows.len()
    }

    /// The cells of a column as numbers; `None` for an empty cell. Every unreadable cell is an error.
    pub fn numbers(&self, column: usize) -> Result<Vec<Option<f64>>, InputErrors> {
        let mut values = Vec::with_capacity(self.rows.len());
        let mut errors = Vec::new();
        for (line, cells) in &self.rows {
            let cell = cells[column].as_str();
            if cell.is_empty() {
                values.push(None);
                continue;
            }
            match parse_number(cell) {
                Ok(value) => values.push(Some(value)),
                Err(problem) => errors.push(format!(
                    "{}:{line}:{} ({}) {cell:?}: {}; expected {}",
                    self.name,
                    column + 1,
                    self.header[column],
                    problem.message,
                    problem.expected
                )),
            }
        }
        if errors.is_empty() {
            Ok(values)
        } else {
            Err(InputErrors(errors))
        }
    }

    /// The cells of a column as numbers, none of them empty.
    pub fn required_numbers(&self, column: usize) -> Result<Vec<f64>, InputErrors> {
        let values = self.numbers(column)?;
        let missing: Vec<String> = values
            .iter()
            .zip(&self.rows)
            .filter(|(value, _)| value.is_none())
            .map(|(_, (line, _))| {
                format!(
                    "{}:{line}:{} ({}): value is missing",
                    self.name,
                    column + 1,
                    self.header[column]
                )
            })
            .collect();
        if missing.is_empty() {
            Ok(values.into_iter().flatten().collect())
        } else {
            Err(InputErrors(missing))
        }
    }

    /// The cells of a column as text, none of them empty.
    pub fn required_texts(&self, column: usize) -> Result<Vec<String>, InputErrors> {
        let mut errors = Vec::new();
        for (line, cells) in &self.rows {
            if cells[column].is_empty() {
                errors.push(format!(
                    "{}:{line}:{} ({}): value is missing",
                    self.name,
                    column + 1,
                    self.header[column]
                ));
            }
        }
        if errors.is_empty() {
            Ok(self
                .rows
                .iter()
                .map(|(_, cells)| cells[column].clone())
                .collect())
        } else {
            Err(InputErrors(errors))
        }
    }
}
