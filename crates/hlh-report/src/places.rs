//! Where a value came from, as the report names it: a line of a study file, or, for a study built from
//! another layout, the cell or field it was read from (`Study::origins`).

use hlh_model::{Origins, SourceRow};

use crate::numbers::MISSING;

/// Names the rows behind a value: the lines of the study files, or, for a study built from another
/// layout (a wide workbook, a REDCap export), the cells and fields they came from.
#[derive(Debug, Clone, Copy)]
pub struct Rows<'a>(pub &'a Origins);

impl Rows<'_> {
    /// "patients.csv line 2", or "Sheet1!A2".
    pub fn one(self, source: SourceRow) -> String {
        self.0.get(source).map_or_else(
            || format!("{} line {}", source.file.file_name(), source.line),
            str::to_string,
        )
    }

    /// "line 37" within a file already named, or the origin.
    pub fn line(self, source: SourceRow) -> String {
        self.0
            .get(source)
            .map_or_else(|| format!("line {}", source.line), str::to_string)
    }

    /// "treatments.csv lines 3, 4" (the word stays plural, as every report has printed it), or the
    /// origins of the rows.
    pub fn treatments(self, sources: &[SourceRow]) -> String {
        if !self.0.is_empty() && !sources.is_empty() {
            return self.grouped(sources);
        }
        let lines: Vec<String> = sources.iter().map(|s| s.line.to_string()).collect();
        format!(
            "treatments.csv lines {}",
            if lines.is_empty() {
                MISSING.to_string()
            } else {
                lines.join(", ")
            }
        )
    }

    /// The treatments as a card's sentence: "treatments.csv lines 3, 4." or "Treatments: Sheet1!F2."
    pub fn treatments_sentence(self, sources: &[SourceRow]) -> String {
        if !self.0.is_empty() && !sources.is_empty() {
            format!("Treatments: {}.", self.treatments(sources))
        } else {
            format!("{}.", self.treatments(sources))
        }
    }

    pub fn grouped(self, sources: &[SourceRow]) -> String {
        if self.0.is_empty() || sources.is_empty() {
            return grouped_lines(sources);
        }
        let origins: Vec<String> = sources.iter().map(|&source| self.one(source)).collect();
        origins.join("; ")
    }
}

/// Source rows as "observations.csv lines 37, 38, 39; patients.csv line 2".
fn grouped_lines(sources: &[SourceRow]) -> String {
    let mut by_file: Vec<(&str, Vec<u64>)> = Vec::new();
    for source in sources {
        let file = source.file.file_name();
        match by_file.iter_mut().find(|(f, _)| *f == file) {
            Some((_, lines)) => lines.push(source.line),
            None => by_file.push((file, vec![source.line])),
        }
    }
    if by_file.is_empty() {
        return MISSING.into();
    }
    by_file
        .into_iter()
        .map(|(file, mut lines)| {
            lines.sort_unstable();
            let list: Vec<String> = lines.iter().map(u64::to_string).collect();
            format!(
                "{file} line{} {}",
                if lines.len() > 1 { "s" } else { "" },
                list.join(", ")
            )
        })
        .collect::<Vec<_>>()
        .join("; ")
}
