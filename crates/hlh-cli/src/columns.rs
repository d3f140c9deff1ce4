//! The columns `hlh stats` needs from a plain CSV file, read in one streaming pass: numbers parsed and
//! labels interned as they go, every bad cell reported with its line.

use std::collections::HashMap;
use std::path::Path;

use csv::ByteRecord;
use hlh_ingest::parse_number;

/// What a column holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Number,
    Label,
}

/// A column to read: its name in the header, what it holds, and whether an empty cell is an error.
#[derive(Debug, Clone, Copy)]
pub struct Request<'a> {
    pub name: &'a str,
    pub kind: Kind,
    pub required: bool,
}

/// A column read; `None` is an empty cell (allowed only where the request said so).
#[derive(Debug)]
pub enum Column {
    Numbers(Vec<Option<f64>>),
    /// Each row's label as an index into `names` (labels in order of first appearance).
    Labels {
        codes: Vec<Option<usize>>,
        names: Vec<String>,
    },
}

impl Column {
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

/// Problems with the input, one message each.
#[derive(Debug)]
pub struct InputErrors(pub Vec<String>);

/// Reads the requested columns of the CSV file at `path`, all problems collected.
pub fn read_columns(path: &Path, requests: &[Request<'_>]) -> Result<Vec<Column>, InputErrors> {
    let name = path.display().to_string();
    let bytes = std::fs::read(path)
        .map_err(|error| InputErrors(vec![format!("{name}: cannot be read: {error}")]))?;
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(&bytes);
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(bytes);
    let mut record = ByteRecord::new();
    let header: Vec<String> = match reader.read_byte_record(&mut record) {
        Ok(true) => record
            .iter()
            .map(|cell| String::from_utf8_lossy(cell).trim().to_string())
            .collect(),
        Ok(false) => {
            return Err(InputErrors(vec![format!(
                "{name}: file is empty; expected a header row"
            )]))
        }
        Err(error) => return Err(InputErrors(vec![format!("{name}: {error}")])),
    };
    let mut errors = Vec::new();
    let positions: Vec<usize> = requests
        .iter()
        .filter_map(|request| {
            let position = header.iter().position(|column| column == request.name);
            if position.is_none() {
                errors.push(format!(
                    "{name}: no column {:?}; the columns are {}",
                    request.name,
                    header.join(", ")
                ));
            }
            position
        })
        .collect();
    if !errors.is_empty() {
        return Err(InputErrors(errors));
    }
    let mut columns: Vec<Column> = requests
        .iter()
        .map(|request| match request.kind {
            Kind::Number => Column::Numbers(Vec::new()),
            Kind::Label => Column::Labels {
                codes: Vec::new(),
                names: Vec::new(),
            },
        })
        .collect();
    let mut label_codes: Vec<HashMap<String, usize>> = vec![HashMap::new(); requests.len()];
    loop {
        match reader.read_byte_record(&mut record) {
            Ok(true) => {}
            Ok(false) => break,
            Err(error) => {
                errors.push(format!("{name}: {error}"));
                break;
            }
        }
        let line = record.position().map_or(0, |position| position.line());
        if record.len() != header.len() {
            errors.push(format!(
                "{name}:{line}: row has {} cells but the header has {}",
                record.len(),
                header.len()
            ));
            continue;
        }
        for (index, (request, &position)) in requests.iter().zip(&positions).enumerate() {
            // Formatted only for a message: a string per cell would cost more than reading it.
            let place = || format!("{name}:{line}:{} ({})", position + 1, request.name);
            let Ok(cell) = std::str::from_utf8(&record[position]) else {
                errors.push(format!("{}: cell is not valid UTF-8", place()));
                continue;
            };
            let cell = cell.trim();
            if cell.is_empty() && request.required {
                errors.push(format!("{}: value is missing", place()));
                continue;
            }
            match &mut columns[index] {
                Column::Numbers(values) if cell.is_empty() => values.push(None),
                Column::Numbers(values) => match parse_number(cell) {
                    Ok(value) => values.push(Some(value)),
                    Err(problem) => errors.push(format!(
                        "{} {cell:?}: {}; expected {}",
                        place(),
                        problem.message,
                        problem.expected
                    )),
                },
                Column::Labels { codes, .. } if cell.is_empty() => codes.push(None),
                Column::Labels { codes, names } => {
                    let code = match label_codes[index].get(cell) {
                        Some(&code) => code,
                        None => {
                            names.push(cell.to_string());
                            label_codes[index].insert(cell.to_string(), names.len() - 1);
                            names.len() - 1
                        }
                    };
                    codes.push(Some(code));
                }
            }
        }
    }
    if errors.is_empty() {
        Ok(columns)
    } else {
        Err(InputErrors(errors))
    }
}
