//! Study folders (docs/study-format.md) read into the model, with every problem collected.
//!
//! Reading never stops at the first problem: each file is read to its end and each cell checked, so one
//! run reports all the errors and warnings of a study, each naming its file, line, column and value.
//! Invariants: a row with an error is left out of the [`Study`] (and the error stops any analysis);
//! values are converted to canonical units on reading; nothing here writes a file.

mod built;
mod cells;
mod checks;
pub mod columns;
mod diagnostic;
mod events;
pub mod mapped;
mod observations;
mod patients;
mod settings;
mod summary;
mod table;
mod treatments;

use std::path::Path;

use hlh_model::{SourceRow, Study, StudyFile};

pub use built::{origins_csv, push_csv_field, BuiltFile, ORIGINS_CSV};
pub use cells::CellProblem;
pub use diagnostic::{column_letters, shown_file_name, ColumnRef, Diagnostic, Severity};
pub use settings::StudySettings;
pub use table::ColumnSpec;

/// The columns of a study file, in the study format's order, each with whether it is required.
pub fn study_columns(file: StudyFile) -> &'static [ColumnSpec<'static>] {
    match file {
        StudyFile::Patients => patients::COLUMNS,
        StudyFile::Observations => observations::COLUMNS,
        StudyFile::Treatments => treatments::COLUMNS,
        StudyFile::Events => events::COLUMNS,
    }
}
pub use summary::{count_line, StudySummary};
use table::Diagnostics;

/// The file name of the optional study settings.
pub const STUDY_TOML: &str = "study.toml";

/// The raw bytes of a study's files; `None` for a file that is absent.
#[derive(Debug, Default, Clone)]
pub struct StudySources {
    pub patients: Option<Vec<u8>>,
    pub observations: Option<Vec<u8>>,
    pub treatments: Option<Vec<u8>>,
    pub events: Option<Vec<u8>>,
    pub study_toml: Option<Vec<u8>>,
}

impl StudySources {
    /// The study's files among named texts (a workbook's sheets, a cohort's files): each by its file
    /// name (`patients.csv`, …, `study.toml`), others ignored.
    pub fn from_named_texts(files: &[(&str, String)]) -> StudySources {
        let file = |name: &str| {
            files
                .iter()
                .find(|(file, _)| *file == name)
                .map(|(_, text)| text.clone().into_bytes())
        };
        StudySources {
            patients: file(StudyFile::Patients.file_name()),
            observations: file(StudyFile::Observations.file_name()),
            treatments: file(StudyFile::Treatments.file_name()),
            events: file(StudyFile::Events.file_name()),
            study_toml: file(STUDY_TOML),
        }
    }
}

/// What reading a study produced: the rows that were valid, the settings, and every problem.
#[derive(Debug)]
pub struct Ingested {
    pub study: Study,
    pub settings: StudySettings,
    pub diagnostics: Vec<Diagnostic>,
}

impl Ingested {
    /// Nothing read, only the problems that stopped the reading.
    pub fn unread(diagnostics: Vec<Diagnostic>) -> Ingested {
        Ingested {
            study: Study::default(),
            settings: StudySettings::default(),
            diagnostics,
        }
    }

    pub fn has_errors(&self) -> bool {
        self.diagnostics.iter().any(Diagnostic::is_error)
    }

    pub fn count(&self, severity: Severity) -> usize {
        self.diagnostics
            .iter()
            .filter(|diagnostic| diagnostic.severity == severity)
            .count()
    }

    /// The study, only when it has no errors (warnings allowed): what an analysis may start from.
    ///
    /// # Errors
    ///
    /// Every diagnostic, when any of them is an error.
    pub fn into_valid(self) -> Result<(Study, StudySettings, Vec<Diagnostic>), Vec<Diagnostic>> {
        if self.has_errors() {
            Err(self.diagnostics)
        } else {
            Ok((self.study, self.settings, self.diagnostics))
        }
    }
}

/// Reads a study from the bytes of its files. Reading never stops at a problem: the result holds the
/// rows that are valid and every diagnostic, each naming file, line, column and value.
///
/// # Examples
///
/// ```
/// use hlh_ingest::{read_study, StudySources};
///
/// let sources = StudySources {
///     patients: Some(b"patient_id,sex,age_years,diagnosis_date\nP01,F,54,2020-03-09\n".to_vec()),
///     observations: Some(b"patient_id,time,analyte,value,unit\nP01,2020-03-10,crp,3,5,mg/L\n".to_vec()),
///     ..StudySources::default()
/// };
/// let ingested = read_study(&sources);
/// assert!(ingested.has_errors());
/// assert!(ingested.diagnostics.iter().any(|d| d.to_string().starts_with("error: observations.csv:2")));
/// ```
pub fn read_study(sources: &StudySources) -> Ingested {
    let mut diagnostics = Diagnostics::default();
    let settings = match &sources.study_toml {
        Some(bytes) => settings::read(bytes, &mut diagnostics),
        None => StudySettings::default(),
    };
    let registry = match &sources.patients {
        Some(bytes) => patients::read(bytes, &mut diagnostics),
        None => {
            diagnostics.file_problem(
                Severity::Error,
                StudyFile::Patients.file_name(),
                "file not found; every study needs patients.csv",
            );
            patients::PatientRegistry::default()
        }
    };
    let observation_bytes = present_or_warn(
        &mut diagnostics,
        StudyFile::Observations,
        &sources.observations,
        "no laboratory values",
    );
    let treatment_bytes = present_or_warn(
        &mut diagnostics,
        StudyFile::Treatments,
        &sources.treatments,
        "no treatments",
    );
    let event_bytes = present_or_warn(&mut diagnostics, StudyFile::Events, &sources.events, "");
    let observations = observation_bytes.map_or_else(Vec::new, |bytes| {
        observations::read(bytes, &registry, settings.assays, &mut diagnostics)
    });
    let treatments = treatment_bytes.map_or_else(Vec::new, |bytes| {
        treatments::read(bytes, &registry, &mut diagnostics)
    });
    let events = event_bytes.map_or_else(Vec::new, |bytes| {
        events::read(bytes, &registry, &mut diagnostics)
    });

    let patients_file_clean = registry.readable && !registry.has_rejected_rows();
    let study = Study {
        title: settings.title.clone(),
        centres: settings.centres.clone(),
        assays: settings.assays,
        patients: registry.patients,
        observations,
        treatments,
        events,
        origins: hlh_model::Origins::default(),
    };
    checks::across_files(&study, &settings, patients_file_clean, &mut diagnostics);
    let mut diagnostics = diagnostics.list;
    sort_by_place(&mut diagnostics);
    Ingested {
        study,
        settings,
        diagnostics,
    }
}

/// The extensions by which a study path is a workbook (read by hlh-workbook) rather than a folder.
pub const WORKBOOK_EXTENSIONS: [&str; 5] = ["xlsx", "xlsm", "xls", "xlsb", "ods"];

/// Whether `path` names a workbook, by its extension (any case).
pub fn is_workbook_path(path: &Path) -> bool {
    path.extension()
        .and_then(|extension| extension.to_str())
        .is_some_and(|extension| {
            WORKBOOK_EXTENSIONS
                .iter()
                .any(|known| extension.eq_ignore_ascii_case(known))
        })
}

/// The files of the study folder `dir` as bytes, with the problems of reading them (an unreadable file);
/// `Err` when the folder cannot be opened. File names are matched case-insensitively (`Patients.csv` is
/// found); a file that is not there is `None`.
pub fn study_folder_sources(
    dir: &Path,
) -> Result<(StudySources, Vec<Diagnostic>), Vec<Diagnostic>> {
    let mut io_problems = Diagnostics::default();
    let listing: Vec<std::path::PathBuf> = match std::fs::read_dir(dir) {
        Ok(entries) => entries
            .filter_map(Result::ok)
            .map(|entry| entry.path())
            .collect(),
        Err(error) => {
            io_problems.file_problem(
                Severity::Error,
                &dir.display().to_string(),
                format!("cannot open the study folder: {error}"),
            );
            return Err(io_problems.list);
        }
    };
    let mut read_file = |name: &str| -> Option<Vec<u8>> {
        let path = listing.iter().find(|path| {
            path.file_name()
                .and_then(|file_name| file_name.to_str())
                .is_some_and(|file_name| file_name.eq_ignore_ascii_case(name))
        })?;
        match std::fs::read(path) {
            Ok(bytes) => Some(bytes),
            Err(error) => {
                io_problems.file_problem(Severity::Error, name, format!("cannot be read: {error}"));
                None
            }
        }
    };
    let sources = StudySources {
        patients: read_file(StudyFile::Patients.file_name()),
        observations: read_file(StudyFile::Observations.file_name()),
        treatments: read_file(StudyFile::Treatments.file_name()),
        events: read_file(StudyFile::Events.file_name()),
        study_toml: read_file(STUDY_TOML),
    };
    Ok((sources, io_problems.list))
}

/// Reads the folder's `origins.csv` (`file,line,origin`, as `origins_csv` writes it) into the study's
/// origins, so that a folder built from another layout (a REDCap export, pooled centres) names in its case
/// cards where each row came from. A line that is not an origin is a warning, and is left out.
fn read_origins(dir: &Path, ingested: &mut Ingested) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let Some(path) = entries
        .filter_map(Result::ok)
        .map(|e| e.path())
        .find(|path| {
            path.file_name()
                .and_then(|name| name.to_str())
                .is_some_and(|name| name.eq_ignore_ascii_case(ORIGINS_CSV))
        })
    else {
        return;
    };
    let Ok(bytes) = std::fs::read(&path) else {
        ingested.diagnostics.push(Diagnostic::about_file(
            Severity::Warning,
            ORIGINS_CSV,
            "cannot be read; the case cards name the study's own lines",
        ));
        return;
    };
    let mut reader = csv::ReaderBuilder::new().from_reader(bytes.as_slice());
    for record in reader.records() {
        let line = record
            .as_ref()
            .ok()
            .and_then(|r| r.position())
            .map_or(0, |p| p.line());
        let origin = record.ok().and_then(|record| {
            let name = record.get(0)?.trim();
            let file = StudyFile::ALL
                .into_iter()
                .find(|file| file.file_name() == name)?;
            let row_line = record.get(1)?.trim().parse().ok()?;
            Some((
                SourceRow {
                    file,
                    line: row_line,
                },
                record.get(2)?.to_string(),
            ))
        });
        match origin {
            Some((row, origin)) => ingested.study.origins.insert(row, origin),
            None => ingested.diagnostics.push(Diagnostic::row_warning(
                ORIGINS_CSV,
                line,
                "not an origin (file,line,origin); left out".into(),
            )),
        }
    }
}

/// Reads the study folder `dir`. File names are matched case-insensitively (`Patients.csv` is found).
pub fn read_study_folder(dir: &Path) -> Ingested {
    let (sources, mut io_problems) = match study_folder_sources(dir) {
        Ok(read) => read,
        Err(problems) => return Ingested::unread(problems),
    };
    let mut ingested = read_study(&sources);
    read_origins(dir, &mut ingested);
    if !io_problems.is_empty() {
        // An unreadable file is reported as itself, not as a missing one.
        ingested.diagnostics.retain(|diagnostic| {
            !(diagnostic.line.is_none()
                && diagnostic.message.starts_with("file not found")
                && io_problems
                    .iter()
                    .any(|problem| problem.file == diagnostic.file))
        });
        io_problems.append(&mut ingested.diagnostics);
        ingested.diagnostics = io_problems;
    }
    ingested
}

/// The bytes of an optional timeline file; when it is absent, says what the study lacks (if it matters).
fn present_or_warn<'b>(
    diagnostics: &mut Diagnostics,
    file: StudyFile,
    bytes: &'b Option<Vec<u8>>,
    what_is_lost: &str,
) -> Option<&'b [u8]> {
    if bytes.is_none() && !what_is_lost.is_empty() {
        diagnostics.file_problem(
            Severity::Warning,
            file.file_name(),
            format!("file not found; the study has {what_is_lost}"),
        );
    }
    bytes.as_deref()
}

/// Orders problems as a reader goes through the folder: study.toml, then each CSV file in the order of the
/// study format, each file from its top (file-wide problems first) to its bottom. The sort is stable, so
/// problems of one line keep the order of its columns.
fn sort_by_place(diagnostics: &mut [Diagnostic]) {
    let file_rank = |file: &str| {
        std::iter::once(STUDY_TOML)
            .chain(StudyFile::ALL.iter().map(|file| file.file_name()))
            .position(|name| name == file)
            .unwrap_or(usize::MAX)
    };
    diagnostics.sort_by_key(|diagnostic| (file_rank(&diagnostic.file), diagnostic.line));
}
