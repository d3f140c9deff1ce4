//! Where a study is read from: a study folder, or (with the `workbook` feature) a workbook file.

use std::path::{Path, PathBuf};

use hlh_ingest::{read_study_folder, Ingested};

/// The study a command reads.
#[derive(Debug, Clone, clap::Args)]
pub struct StudyInput {
    /// The study folder (patients.csv, observations.csv, treatments.csv, events.csv, study.toml), or a
    /// workbook (.xlsx, .xlsm, .xls, .xlsb, .ods) with a sheet for each
    #[arg(value_name = "STUDY")]
    pub study: PathBuf,
    /// For a wide workbook (one row per patient, a column per analyte and day): the mapping file that
    /// says what each column is (docs/workbooks.md)
    #[arg(long, value_name = "FILE")]
    pub mapping: Option<PathBuf>,
}

impl StudyInput {
    pub fn folder(study: &Path) -> StudyInput {
        StudyInput {
            study: study.to_path_buf(),
            mapping: None,
        }
    }
}

/// Reads the study: a wide workbook through its mapping, a workbook (by its extension) or a folder.
pub fn read_study(input: &StudyInput) -> Ingested {
    match &input.mapping {
        Some(mapping) => read_wide_workbook(&input.study, mapping),
        None if is_workbook(&input.study) => read_workbook(&input.study),
        None => read_study_folder(&input.study),
    }
}

pub fn is_workbook(path: &Path) -> bool {
    path.extension()
        .and_then(|extension| extension.to_str())
        .is_some_and(|extension| {
            WORKBOOK_EXTENSIONS
                .iter()
                .any(|known| extension.eq_ignore_ascii_case(known))
        })
}

/// The extensions read as workbooks.
pub const WORKBOOK_EXTENSIONS: [&str; 5] = ["xlsx", "xlsm", "xls", "xlsb", "ods"];

#[cfg(feature = "workbook")]
fn read_workbook(path: &Path) -> Ingested {
    hlh_workbook::read_workbook(path)
}

#[cfg(feature = "workbook")]
fn read_wide_workbook(path: &Path, mapping: &Path) -> Ingested {
    hlh_workbook::read_wide_workbook(path, mapping)
}

#[cfg(not(feature = "workbook"))]
fn read_wide_workbook(path: &Path, _mapping: &Path) -> Ingested {
    read_workbook(path)
}

#[cfg(not(feature = "workbook"))]
fn read_workbook(path: &Path) -> Ingested {
    use hlh_ingest::{Diagnostic, Severity};
    Ingested::unread(vec![Diagnostic {
        expected: Some("a study folder".into()),
        ..Diagnostic::about_file(
            Severity::Error,
            &path.display().to_string(),
            "this hlh was built without workbook support (the `workbook` feature)",
        )
    }])
}
