//! What a study holds, in a few lines: the summary `hlh validate` prints.

use std::collections::BTreeMap;
use std::fmt;

use hlh_model::{Analyte, Study};
use jiff::civil::Date;

/// Counts and spans of a study.
#[derive(Debug, Clone, PartialEq)]
pub struct StudySummary {
    pub patients: usize,
    pub observations: usize,
    /// Observations of each analyte present, in analyte order.
    pub observations_by_analyte: Vec<(Analyte, usize)>,
    pub treatments: usize,
    pub events: usize,
    /// The earliest and latest date of the study (diagnoses, follow-up, results, treatments, events).
    pub date_span: Option<(Date, Date)>,
    /// Patients per centre, by centre name; patients without a centre under "(none)".
    pub centres: Vec<(String, usize)>,
}

impl StudySummary {
    pub fn of(study: &Study) -> StudySummary {
        let mut by_analyte: BTreeMap<Analyte, usize> = BTreeMap::new();
        for observation in &study.observations {
            *by_analyte
                .entry(observation.quantity.analyte())
                .or_default() += 1;
        }
        let mut centres: BTreeMap<String, usize> = BTreeMap::new();
        for patient in &study.patients {
            *centres
                .entry(
                    patient
                        .centre
                        .clone()
                        .unwrap_or_else(|| "(none)".to_string()),
                )
                .or_default() += 1;
        }
        let dates = study
            .patients
            .iter()
            .flat_map(|patient| {
                std::iter::once(patient.diagnosis_date).chain(patient.last_followup_date)
            })
            .chain(
                study
                    .observations
                    .iter()
                    .map(|observation| observation.time.date()),
            )
            .chain(study.treatments.iter().flat_map(|treatment| {
                std::iter::once(treatment.start.date()).chain(treatment.end.map(|end| end.date()))
            }))
            .chain(study.events.iter().map(|event| event.time.date()));
        let date_span = dates.fold(None, |span: Option<(Date, Date)>, date| match span {
            None => Some((date, date)),
            Some((first, last)) => Some((first.min(date), last.max(date))),
        });
        StudySummary {
            patients: study.patients.len(),
            observations: study.observations.len(),
            observations_by_analyte: by_analyte.into_iter().collect(),
            treatments: study.treatments.len(),
            events: study.events.len(),
            date_span,
            centres: centres.into_iter().collect(),
        }
    }
}

impl fmt::Display for StudySummary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "patients      {}", self.patients)?;
        let centres: Vec<String> = self
            .centres
            .iter()
            .map(|(centre, n)| format!("{centre} ({n})"))
            .collect();
        writeln!(
            f,
            "centres       {}",
            if centres.is_empty() {
                "-".to_string()
            } else {
                centres.join(", ")
            }
        )?;
        match self.date_span {
            Some((first, last)) => writeln!(f, "dates         {first} to {last}")?,
            None => writeln!(f, "dates         -")?,
        }
        writeln!(f, "treatments    {}", self.treatments)?;
        writeln!(f, "events        {}", self.events)?;
        writeln!(f, "observations  {}", self.observations)?;
        for (analyte, n) in &self.observations_by_analyte {
            writeln!(f, "  {:<13} {n}", analyte.name())?;
        }
        Ok(())
    }
}

/// "2 errors, 1 warning".
pub fn count_line(errors: usize, warnings: usize) -> String {
    let plural = |n: usize, word: &str| {
        if n == 1 {
            format!("1 {word}")
        } else {
            format!("{n} {word}s")
        }
    };
    format!(
        "{}, {}",
        plural(errors, "error"),
        plural(warnings, "warning")
    )
}
