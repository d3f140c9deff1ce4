//! The cumulative incidence of one event when another competes with it (the Aalen–Johansen estimator):
//! the fever resolves, or the patient dies first. 1 − Kaplan–Meier, which censors the deaths, treats the
//! dead as if they could still resolve, and so overstates resolution where death competes with it.
//!
//! At each distinct time t with n at risk, d₁ events of interest, d₂ competing events and c censored:
//! CIF(t) = CIF(t−) + S(t−)·d₁/n, where S is the Kaplan–Meier estimate of being free of both events,
//! S(t) = S(t−)·(1 − (d₁ + d₂)/n). As R's `survfit(Surv(time, factor(status)) ~ 1)` and lifelines'
//! `AalenJohansenFitter` estimate it (the reference values: crates/hlh-stats/tests/fixtures).
//!
//! Source: Aalen OO, Johansen S. Scand J Stat 1978;5:141–50.

use crate::error::{check_finite, StatsError};

/// What ended (or did not end) one subject's follow-up.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Censored,
    /// The event of interest (the fever resolved).
    Event,
    /// The competing event (death before resolution).
    Competing,
}

/// Times and outcomes, checked once: times finite and ≥ 0, at least one subject.
#[derive(Debug, Clone, PartialEq)]
pub struct CompetingRisks {
    /// (time, outcome), sorted by time.
    subjects: Vec<(f64, Outcome)>,
}

/// One row of the cumulative incidence: a distinct time with an event, a competing event or a censoring.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct IncidenceRow {
    pub time: f64,
    pub n_risk: u64,
    pub n_event: u64,
    pub n_competing: u64,
    pub n_censor: u64,
    /// The cumulative incidence of the event of interest at `time`.
    pub incidence: f64,
}

impl CompetingRisks {
    /// # Errors
    ///
    /// [`StatsError`] when there is no subject, the lengths differ, or a time is negative or not finite.
    pub fn new(times: &[f64], outcomes: &[Outcome]) -> Result<CompetingRisks, StatsError> {
        if times.len() != outcomes.len() {
            return Err(StatsError::LengthMismatch {
                first: "times",
                first_len: times.len(),
                second: "outcomes",
                second_len: outcomes.len(),
            });
        }
        if times.is_empty() {
            return Err(StatsError::Empty { what: "times" });
        }
        check_finite("times", times)?;
        if let Some((index, &value)) = times.iter().enumerate().find(|(_, &t)| t < 0.0) {
            return Err(StatsError::NegativeTime { index, value });
        }
        let mut subjects: Vec<(f64, Outcome)> = times
            .iter()
            .copied()
            .zip(outcomes.iter().copied())
            .collect();
        subjects.sort_by(|a, b| a.0.total_cmp(&b.0));
        Ok(CompetingRisks { subjects })
    }

    /// The Aalen–Johansen cumulative incidence of the event of interest, one row per distinct time.
    pub fn cumulative_incidence(&self) -> Vec<IncidenceRow> {
        let mut rows = Vec::new();
        let mut at_risk = self.subjects.len() as u64;
        let (mut free, mut incidence) = (1.0, 0.0);
        for group in self.subjects.chunk_by(|a, b| a.0 == b.0) {
            let count = |outcome| group.iter().filter(|(_, o)| *o == outcome).count() as u64;
            let (events, competing, censored) = (
                count(Outcome::Event),
                count(Outcome::Competing),
                count(Outcome::Censored),
            );
            let n = at_risk as f64;
            incidence += free * events as f64 / n;
            free *= 1.0 - (events + competing) as f64 / n;
            rows.push(IncidenceRow {
                time: group[0].0,
                n_risk: at_risk,
                n_event: events,
                n_competing: competing,
                n_censor: censored,
                incidence,
            });
            at_risk -= events + competing + censored;
        }
        rows
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// By hand: ten subjects, events at 1, 3, 5, 8, 9, deaths at 2 and 6, censored at 4, 7, 10.
    #[test]
    fn a_hand_computed_incidence() {
        use Outcome::{Censored as C, Competing as D, Event as E};
        let times: Vec<f64> = (1..=10).map(f64::from).collect();
        let outcomes = [E, D, E, C, E, D, C, E, E, C];
        let rows = CompetingRisks::new(&times, &outcomes)
            .unwrap()
            .cumulative_incidence();
        // 0.1; S 0.9 → 0.8 after the death at 2; +0.8/8 at 3; S 0.7; +0.7/6 at 5 …
        let expected = [0.1, 0.1, 0.2, 0.2, 0.2 + 0.7 / 6.0];
        for (row, want) in rows.iter().zip(expected) {
            assert!(
                (row.incidence - want).abs() < 1e-12,
                "{row:?} against {want}"
            );
        }
        assert_eq!((rows[4].n_risk, rows[4].n_event), (6, 1));
        assert!(CompetingRisks::new(&[-1.0], &[E]).is_err());
        assert!(CompetingRisks::new(&[], &[]).is_err());
    }
}
