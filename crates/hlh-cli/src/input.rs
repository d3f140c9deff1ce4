//! Where a study is read from: a study folder, or (with the `workbook` feature) a workbook file.

use std::path::{Path, PathBuf};

use hlh_ingest::Ingested;

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
#[cfg(feature = "workbook")]
pub fn read_study(input: &StudyInput) -> Ingested {
    match &input.mapping {
        Some(mapping) => hlh_workbook::read_wide_workbook(&input.study, mapping),
        None => hlh_workbook::read_workbook_or_folder(&input.study),
    }
}

/// Reads the study folder; a workbook is refused, since this hlh was built without them.
#[cfg(not(feature = "workbook"))]
pub fn read_study(input: &StudyInput) -> Ingested {
    use hlh_ingest::{Diagnostic, Severity};
    if input.mapping.is_none() && !hlh_ingest::is_workbook_path(&input.study) {
        return hlh_ingest::read_study_folder(&input.study);
    }
    Ingested::unread(vec![Diagnostic {
        expected: Some("a study folder".into()),
        ..Diagnostic::about_file(
            Severity::Error,
            &input.study.display().to_string(),
            "this hlh was built without workbook support (the `workbook` feature)",
        )
    }])
}
