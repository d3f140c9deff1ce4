//! A draft mapping for a wide workbook, from its headers (`hlh template --mapping`): what can be
//! recognised is filled in, every unit is left for the user (a unit is never guessed), and what is not
//! recognised is listed, so that the user checks the draft rather than writes it.

use std::fmt::Write as _;
use std::path::Path;

use hlh_ingest::Diagnostic;
use hlh_model::{Analyte, StudyFile};

use crate::read::sheet_grid;

/// Analyte names as headers write them, in English and French, beside the study format's own.
const ANALYTE_WORDS: &[(&str, Analyte)] = &[
    ("ferritine", Analyte::Ferritin),
    ("plaquettes", Analyte::Platelets),
    ("plt", Analyte::Platelets),
    ("hb", Analyte::Hemoglobin),
    ("hemoglobine", Analyte::Hemoglobin),
    ("hémoglobine", Analyte::Hemoglobin),
    ("leucocytes", Analyte::Leukocytes),
    ("gb", Analyte::Leukocytes),
    ("wbc", Analyte::Leukocytes),
    ("pnn", Analyte::Neutrophils),
    ("neutrophiles", Analyte::Neutrophils),
    ("fibrinogene", Analyte::Fibrinogen),
    ("fibrinogène", Analyte::Fibrinogen),
    ("tg", Analyte::Triglycerides),
    ("triglycérides", Analyte::Triglycerides),
    ("asat", Analyte::Ast),
    ("alat", Analyte::Alt),
    ("temp", Analyte::Temperature),
    ("température", Analyte::Temperature),
    ("scd25", Analyte::Scd25),
    ("sil2r", Analyte::Scd25),
    ("creatinine", Analyte::Creatinine),
    ("créatinine", Analyte::Creatinine),
];

/// patients.csv columns as headers write them.
const PATIENT_WORDS: &[(&str, &str)] = &[
    ("sexe", "sex"),
    ("gender", "sex"),
    ("genre", "sex"),
    ("age", "age_years"),
    ("âge", "age_years"),
    ("site", "centre"),
    ("center", "centre"),
    ("hopital", "centre"),
    ("hôpital", "centre"),
    ("date diagnostic", "diagnosis_date"),
    ("date de diagnostic", "diagnosis_date"),
    ("date diagnosis", "diagnosis_date"),
    ("splénomégalie", "splenomegaly"),
    ("splenomegalie", "splenomegaly"),
    ("hépatomégalie", "hepatomegaly"),
    ("hepatomegalie", "hepatomegaly"),
];

const ID_WORDS: [&str; 6] = ["patient_id", "id", "patient", "ipp", "subject", "record_id"];

/// The analyte of a header's name part, if it is one.
fn analyte_of(name: &str) -> Option<Analyte> {
    let name = name.trim().to_lowercase();
    Analyte::from_name(&name).or_else(|| {
        ANALYTE_WORDS
            .iter()
            .find(|(word, _)| *word == name)
            .map(|(_, analyte)| *analyte)
    })
}

/// `CRP J0`, `crp_d7`, `Ferritine J-1`, `ferritin day 3`: the name and the day, when the header ends
/// with a day marker (`d`, `j`, `day`, `jour`) and a whole number.
fn name_and_day(header: &str) -> Option<(&str, i32)> {
    let trimmed = header.trim();
    let digits_start = trimmed
        .char_indices()
        .rev()
        .take_while(|(_, c)| c.is_ascii_digit() || *c == '-')
        .last()
        .map(|(i, _)| i)?;
    let day: i32 = trimmed[digits_start..].parse().ok()?;
    let before = trimmed[..digits_start].trim_end_matches([' ', '_', '-', '.']);
    for marker in ["jour", "day", "j", "d"] {
        let Some(cut) = before.len().checked_sub(marker.len()) else {
            continue;
        };
        if before.is_char_boundary(cut) && before[cut..].eq_ignore_ascii_case(marker) {
            let name = before[..cut].trim_end_matches([' ', '_', '-', '.']);
            if !name.is_empty() {
                return Some((name, day));
            }
        }
    }
    None
}

/// The draft mapping of the wide workbook at `path` (its first sheet), or the problems reading it.
pub fn draft_mapping(path: &Path) -> Result<String, Vec<Diagnostic>> {
    let file = hlh_ingest::shown_file_name(path);
    let mut problems = Vec::new();
    let Some((sheet, grid)) = sheet_grid(path, None, &file, &mut problems) else {
        return Err(problems);
    };
    let headers: Vec<String> = grid
        .first()
        .map(|row| {
            row.iter()
                .filter(|h| !h.trim().is_empty())
                .cloned()
                .collect()
        })
        .unwrap_or_default();
    let quoted = |text: &str| format!("{text:?}");
    let mut used = vec![false; headers.len()];
    let mut out = String::new();
    let _ = writeln!(
        out,
        "# A draft mapping of {file}, made from the headers of its sheet {sheet}: check every line."
    );
    let _ = writeln!(
        out,
        "# Every unit is left empty: a unit is never guessed. Fill each one in (or give unit_column)."
    );
    let _ = writeln!(out, "sheet = {}", quoted(&sheet));
    let id = headers
        .iter()
        .position(|h| ID_WORDS.iter().any(|w| h.trim().eq_ignore_ascii_case(w)))
        .unwrap_or(0);
    if let Some(header) = headers.get(id) {
        used[id] = true;
        let _ = writeln!(out, "patient_id = {}", quoted(header));
    }
    let day0 = headers.iter().position(|h| {
        let lower = h.to_lowercase();
        lower.contains("anakinra") || lower.contains("day0") || lower.contains("date j0")
    });
    match day0 {
        Some(index) => {
            used[index] = true;
            let _ = writeln!(out, "day0 = {}", quoted(&headers[index]));
        }
        None => {
            let _ = writeln!(
                out,
                "day0 = \"\"   # the header of the column of the first dose's date"
            );
        }
    }
    let _ = writeln!(out, "\n[patients]");
    let patient_columns = hlh_ingest::study_columns(StudyFile::Patients);
    for (index, header) in headers.iter().enumerate() {
        if used[index] {
            continue;
        }
        let lower = header.trim().to_lowercase();
        let column = patient_columns
            .iter()
            .map(|c| c.name)
            .find(|name| *name == lower)
            .or_else(|| {
                PATIENT_WORDS
                    .iter()
                    .find(|(word, _)| *word == lower)
                    .map(|(_, c)| *c)
            });
        if let Some(column) = column {
            used[index] = true;
            let _ = writeln!(out, "{column} = {}", quoted(header));
        }
    }
    for (index, header) in headers.iter().enumerate() {
        if used[index] {
            continue;
        }
        let Some((name, day)) = name_and_day(header) else {
            continue;
        };
        let Some(analyte) = analyte_of(name) else {
            continue;
        };
        used[index] = true;
        let units: Vec<&str> = hlh_model::units::accepted_units(analyte)
            .iter()
            .map(|u| u.spelling)
            .collect();
        let _ = writeln!(
            out,
            "\n[[observations]]\ncolumn = {}\nanalyte = {}\nunit = \"\"   # one of {}\nday = {day}",
            quoted(header),
            quoted(analyte.name()),
            units.join(", ")
        );
    }
    let unread: Vec<&String> = headers
        .iter()
        .zip(&used)
        .filter(|(_, used)| !**used)
        .map(|(h, _)| h)
        .collect();
    if !unread.is_empty() {
        let _ = writeln!(
            out,
            "\n# Not recognised (map them above, or leave them out):"
        );
        for header in unread {
            let _ = writeln!(out, "#   {}", quoted(header));
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headers_with_a_day_marker_give_name_and_day() {
        assert_eq!(name_and_day("CRP J0"), Some(("CRP", 0)));
        assert_eq!(name_and_day("crp_d7"), Some(("crp", 7)));
        assert_eq!(name_and_day("Ferritine J-1"), Some(("Ferritine", -1)));
        assert_eq!(name_and_day("ferritin day 3"), Some(("ferritin", 3)));
        assert_eq!(name_and_day("Age"), None);
        assert_eq!(name_and_day("J7"), None);
        assert_eq!(analyte_of("Ferritine"), Some(Analyte::Ferritin));
        assert_eq!(analyte_of("CRP"), Some(Analyte::Crp));
    }
}
