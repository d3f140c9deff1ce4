//! A study file built in memory from another source (a wide workbook, a REDCap export), with where
//! each of its fields came from, so that the study reader's problems can be placed back on the source.

use hlh_model::Origins;

use crate::diagnostic::Diagnostic;

/// The file a study folder written from another layout (a wide workbook, a REDCap export) carries
/// beside its tables: where each of their lines came from. It is a record for the reader, not read
/// back: an edit of the tables would make it wrong.
pub const ORIGINS_CSV: &str = "origins.csv";

/// The text of [`ORIGINS_CSV`] (`file,line,origin`), or `None` when there are no origins.
pub fn origins_csv(origins: &Origins) -> Option<String> {
    if origins.is_empty() {
        return None;
    }
    let mut text = String::from("file,line,origin\n");
    for (row, origin) in origins.iter() {
        text.push_str(row.file.file_name());
        text.push_str(&format!(",{},", row.line));
        push_csv_field(&mut text, origin);
        text.push('\n');
    }
    Some(text)
}

/// A CSV field, quoted when it holds a comma, a quote or a line break.
pub fn push_csv_field(line: &mut String, text: &str) {
    if text.contains([',', '"', '\n', '\r']) {
        line.push('"');
        line.push_str(&text.replace('"', "\"\""));
        line.push('"');
    } else {
        line.push_str(text);
    }
}

/// The CSV text of one study file, one line per record, and the origin `O` of each field.
#[derive(Debug, Clone)]
pub struct BuiltFile<O> {
    text: String,
    /// `origins[l - 1][c - 1]`: where field c of line l came from; `None` for a field the builder
    /// supplied (a header, a fixed unit, a computed date).
    origins: Vec<Vec<Option<O>>>,
}

impl<O> BuiltFile<O> {
    pub fn new(header: &[&str]) -> BuiltFile<O> {
        let mut file = BuiltFile {
            text: String::new(),
            origins: Vec::new(),
        };
        file.push(header.iter().map(|h| (h.to_string(), None)).collect());
        file
    }

    /// Adds a record. A line break inside a field becomes a space, so that each record is one line
    /// and the reader's line numbers find their origins.
    pub fn push(&mut self, fields: Vec<(String, Option<O>)>) {
        for (index, (text, _)) in fields.iter().enumerate() {
            if index > 0 {
                self.text.push(',');
            }
            push_csv_field(&mut self.text, &text.replace(['\n', '\r'], " "));
        }
        self.text.push('\n');
        self.origins
            .push(fields.into_iter().map(|(_, origin)| origin).collect());
    }

    pub fn text(&self) -> &str {
        &self.text
    }

    /// Where the study reader's `diagnostic` about this file came from: the origin of its field, and
    /// the first origin of its line (for a problem of the whole row).
    pub fn origin_of(&self, diagnostic: &Diagnostic) -> (Option<&O>, Option<&O>) {
        let Some(origins) = diagnostic
            .line
            .and_then(|line| self.origins.get((line as usize).checked_sub(1)?))
        else {
            return (None, None);
        };
        let field = diagnostic
            .column
            .as_ref()
            .and_then(|column| origins.get(column.number.checked_sub(1)?))
            .and_then(Option::as_ref);
        (field, origins.iter().flatten().next())
    }

    /// Each record's line and origin: that of field `main` (0-based), or of its first field that has
    /// one; records with none are left out.
    pub fn row_origins(&self, main: usize) -> impl Iterator<Item = (u64, &O)> + '_ {
        self.origins
            .iter()
            .enumerate()
            .skip(1)
            .filter_map(move |(index, fields)| {
                let origin = fields
                    .get(main)
                    .and_then(Option::as_ref)
                    .or_else(|| fields.iter().flatten().next())?;
                Some((index as u64 + 1, origin))
            })
    }
}
