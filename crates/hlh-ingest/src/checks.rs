//! Checks that need several files at once: deaths, dates far from the diagnosis, patients without data,
//! centres unknown to study.toml.

use hlh_model::{EventKind, PatientIndex, Study, StudyDay};
use jiff::civil::Date;
use rustc_hash::FxHashSet as HashSet;

use crate::diagnostic::{Diagnostic, Severity};
use crate::settings::StudySettings;
use crate::table::Diagnostics;

/// Results dated further than this from the diagnosis are probably a mistyped year.
const FAR_FROM_DIAGNOSIS_DAYS: i64 = 365;

/// `patients_file_clean`: patients.csv was read with no row left out, so an empty patient list is really
/// an empty study rather than the consequence of an error already reported.
pub fn across_files(
    study: &Study,
    settings: &StudySettings,
    patients_file_clean: bool,
    diagnostics: &mut Diagnostics,
) {
    if study.patients.is_empty() {
        if patients_file_clean {
            diagnostics.file_problem(
                Severity::Warning,
                "patients.csv",
                "the study has no patients",
            );
        }
        return;
    }
    let death_dates = check_deaths(study, diagnostics);
    check_observation_dates(study, &death_dates, diagnostics);
    check_centres(study, settings, diagnostics);
}

/// One death per patient; a second one is an error. Returns each patient's date of death, by index.
fn check_deaths(study: &Study, diagnostics: &mut Diagnostics) -> Vec<Option<Date>> {
    // Each patient's first death, with its line for the message about a second one.
    let mut first_death: Vec<Option<(Date, u64)>> = vec![None; study.patients.len()];
    for event in study
        .events
        .iter()
        .filter(|event| event.kind == EventKind::Death)
    {
        match &mut first_death[event.patient.0 as usize] {
            Some((_, first_line)) => diagnostics.push(Diagnostic {
                severity: Severity::Error,
                message: format!(
                    "second death of patient {} (first on line {first_line})",
                    study.patient(event.patient).id
                ),
                ..Diagnostic::row_warning("events.csv", event.source.line, String::new())
            }),
            empty => *empty = Some((event.time.date(), event.source.line)),
        }
    }
    first_death
        .into_iter()
        .map(|death| death.map(|(date, _)| date))
        .collect()
}

/// Per patient, the first result dated after death, the first far from the diagnosis, and patients with
/// no result at all; one warning each, not one per row.
fn check_observation_dates(
    study: &Study,
    death_dates: &[Option<Date>],
    diagnostics: &mut Diagnostics,
) {
    // One flag per patient, by patient index: a lookup per row without hashing.
    let n = study.patients.len();
    let (mut with_observations, mut warned_after_death, mut warned_far) =
        (vec![false; n], vec![false; n], vec![false; n]);
    let first_time = |flags: &mut [bool], patient: PatientIndex| {
        !std::mem::replace(&mut flags[patient.0 as usize], true)
    };
    for observation in &study.observations {
        with_observations[observation.patient.0 as usize] = true;
        let patient = study.patient(observation.patient);
        let date = observation.time.date();
        if let Some(death) = death_dates[observation.patient.0 as usize] {
            if date > death && first_time(&mut warned_after_death, observation.patient) {
                diagnostics.push(Diagnostic::row_warning(
                    "observations.csv",
                    observation.source.line,
                    format!(
                        "result dated after the death of patient {} on {death}",
                        patient.id
                    ),
                ));
            }
        }
        let days = i64::from(StudyDay::of(date, patient.diagnosis_date).0);
        if days.abs() > FAR_FROM_DIAGNOSIS_DAYS && first_time(&mut warned_far, observation.patient)
        {
            diagnostics.push(Diagnostic::row_warning(
                "observations.csv",
                observation.source.line,
                format!(
                    "result dated {days} days from the diagnosis of patient {} ({}); is the year right?",
                    patient.id, patient.diagnosis_date
                ),
            ));
        }
    }
    for (index, patient) in study.patients.iter().enumerate() {
        if !with_observations[index] {
            diagnostics.push(Diagnostic::row_warning(
                "patients.csv",
                patient.source.line,
                format!("patient {} has no observations", patient.id),
            ));
        }
    }
}

fn check_centres(study: &Study, settings: &StudySettings, diagnostics: &mut Diagnostics) {
    if settings.centres.is_empty() {
        return;
    }
    let mut warned: HashSet<&str> = HashSet::default();
    for patient in &study.patients {
        let Some(centre) = patient.centre.as_deref() else {
            continue;
        };
        if !settings.centres.iter().any(|listed| listed == centre) && warned.insert(centre) {
            diagnostics.push(Diagnostic::row_warning(
                "patients.csv",
                patient.source.line,
                format!(
                    "centre {centre:?} is not among the centres of study.toml ({})",
                    settings.centres.join(", ")
                ),
            ));
        }
    }
}
