//! Where a study is read from: a study folder, or (with the `workbook` feature) a workbook file.

use std::path::{Path, PathBuf};

use hlh_ingest::{Ingested, StudySources};

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

/// The study's files as bytes (a folder's, or a workbook's sheets as the folder's files) and what they read
/// as, for the commands that rewrite a study's files (`pseudonymize`, `pool`).
pub fn read_study_sources(study: &Path) -> (StudySources, Ingested) {
    #[cfg(feature = "workbook")]
    if hlh_ingest::is_workbook_path(study) {
        let (ingested, files) = hlh_workbook::read_workbook_files(study);
        let sources = StudySources::from_named_texts(&files);
        return (sources, ingested);
    }
    match hlh_ingest::study_folder_sources(study) {
        Ok((sources, mut problems)) => {
            let mut ingested = hlh_ingest::read_study(&sources);
            problems.append(&mut ingested.diagnostics);
            ingested.diagnostics = problems;
            (sources, ingested)
        }
        Err(problems) => (StudySources::default(), Ingested::unread(problems)),
    }
}
