//! Helpers shared by the ingest tests: build a study from file texts and look at its diagnostics.

#![allow(dead_code)] // each test binary uses its own subset of the helpers

use hlh_ingest::{read_study, Diagnostic, Ingested, Severity, StudySources};

pub const PATIENTS: &str =
    "patient_id,sex,age_years,diagnosis_date\nP1,M,45,2020-01-10\nP2,F,30,2020-02-01\n";
pub const OBSERVATIONS_HEADER: &str = "patient_id,time,analyte,value,unit\n";
pub const TREATMENTS_HEADER: &str =
    "patient_id,drug,start,end,dose,dose_unit,frequency,route,stop_reason,line\n";
pub const EVENTS_HEADER: &str =
    "patient_id,time,event,detail,grade,drug,led_to_discontinuation,value\n";

/// A study from the texts of its files; observations, treatments and events default to a header alone.
#[derive(Debug, Clone)]
pub struct Files {
    pub patients: Option<Vec<u8>>,
    pub observations: Option<Vec<u8>>,
    pub treatments: Option<Vec<u8>>,
    pub events: Option<Vec<u8>>,
    pub study_toml: Option<Vec<u8>>,
    /// Whether a test set observations.csv itself; if not, it holds one CRP row for each patient.
    custom_observations: bool,
}

/// One CRP row for each of the identifiers P1…P9 that patients.csv lists, so that a test about
/// patients.csv meets neither orphans nor patients without observations.
fn observations_for(patients: &str) -> Vec<u8> {
    let mut text = OBSERVATIONS_HEADER.to_string();
    for n in 1..=9 {
        let id = format!("P{n}");
        let listed = patients
            .lines()
            .skip(1)
            .any(|line| line.split(',').any(|cell| cell == id));
        if listed {
            text.push_str(&format!("{id},2020-01-10,crp,100,mg/L\n"));
        }
    }
    text.into_bytes()
}

impl Default for Files {
    fn default() -> Files {
        Files {
            patients: Some(PATIENTS.into()),
            observations: Some(observations_for(PATIENTS)),
            treatments: Some(TREATMENTS_HEADER.into()),
            events: Some(EVENTS_HEADER.into()),
            study_toml: None,
            custom_observations: false,
        }
    }
}

impl Files {
    pub fn patients(mut self, text: &str) -> Files {
        self.patients = Some(text.into());
        if !self.custom_observations {
            self.observations = Some(observations_for(text));
        }
        self
    }
    pub fn observations(mut self, rows: &str) -> Files {
        self.observations = Some(format!("{OBSERVATIONS_HEADER}{rows}").into());
        self.custom_observations = true;
        self
    }
    pub fn treatments(mut self, rows: &str) -> Files {
        self.treatments = Some(format!("{TREATMENTS_HEADER}{rows}").into());
        self
    }
    pub fn events(mut self, rows: &str) -> Files {
        self.events = Some(format!("{EVENTS_HEADER}{rows}").into());
        self
    }
    pub fn study_toml(mut self, text: &str) -> Files {
        self.study_toml = Some(text.into());
        self
    }
    pub fn read(self) -> Ingested {
        read_study(&StudySources {
            patients: self.patients,
            observations: self.observations,
            treatments: self.treatments,
            events: self.events,
            study_toml: self.study_toml,
        })
    }
}

pub fn with_severity(ingested: &Ingested, severity: Severity) -> Vec<&Diagnostic> {
    ingested
        .diagnostics
        .iter()
        .filter(|d| d.severity == severity)
        .collect()
}

/// Asserts the study read without any error or warning.
pub fn assert_clean(ingested: &Ingested) {
    assert!(
        ingested.diagnostics.is_empty(),
        "expected no problem, got:\n{}",
        render(&ingested.diagnostics)
    );
}

/// Asserts exactly one error, at `file:line` in `column`, whose message contains `needle`; returns it.
pub fn assert_single_error<'a>(
    ingested: &'a Ingested,
    file: &str,
    line: u64,
    column: Option<&str>,
    needle: &str,
) -> &'a Diagnostic {
    let errors = with_severity(ingested, Severity::Error);
    assert_eq!(
        errors.len(),
        1,
        "expected one error, got:\n{}",
        render(&ingested.diagnostics)
    );
    let error = errors[0];
    assert_eq!(error.file, file, "{error}");
    assert_eq!(error.line, Some(line), "{error}");
    assert_eq!(
        error.column.as_ref().map(|c| c.name.as_str()),
        column,
        "{error}"
    );
    assert!(
        error.to_string().contains(needle),
        "{error:?} should mention {needle:?}"
    );
    error
}

/// Asserts exactly one warning whose text contains `needle`, and no error.
pub fn assert_single_warning<'a>(ingested: &'a Ingested, needle: &str) -> &'a Diagnostic {
    assert!(
        !ingested.has_errors(),
        "unexpected errors:\n{}",
        render(&ingested.diagnostics)
    );
    let warnings = with_severity(ingested, Severity::Warning);
    assert_eq!(
        warnings.len(),
        1,
        "expected one warning, got:\n{}",
        render(&ingested.diagnostics)
    );
    assert!(
        warnings[0].to_string().contains(needle),
        "{} should mention {needle:?}",
        warnings[0]
    );
    warnings[0]
}

pub fn render(diagnostics: &[Diagnostic]) -> String {
    diagnostics.iter().map(|d| format!("  {d}\n")).collect()
}
