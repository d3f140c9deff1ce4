//! Fever at baseline, its resolution and its recurrence (docs/analysis-schema.md, "Derivations").
//!
//! Both timings put the temperatures on one axis, hours from the first dose, so that one rule judges
//! them: by dates each day's maximum stands at the start of its day (Day d at 24·d hours) and the
//! baseline is `fever.baseline_days`; on the clock each reading stands at its time and the baseline is
//! the 24 hours before the first dose. An afebrile run of s days is then the span [t, t + 24·s hours).

use hlh_model::{Analyte, ClinicalTime, Observation, StudyDay};
use jiff::civil::{Date, DateTime};

use crate::protocol::{FeverTiming, Protocol, Recurrence};

/// One temperature on the axis of the first dose.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Reading {
    /// The study day of the reading.
    pub day: i32,
    /// Hours from the first dose (by dates: from the start of Day 0).
    pub hours: f64,
    pub celsius: f64,
}

impl Reading {
    /// A day's maximum temperature, placed at the start of its day.
    pub fn daily(day: i32, celsius: f64) -> Reading {
        Reading {
            day,
            hours: 24.0 * f64::from(day),
            celsius,
        }
    }
}

/// A patient's temperatures, by hours, with the part that is baseline and the first that may resolve.
pub(crate) struct Temperatures {
    readings: Vec<Reading>,
    /// Hours, inclusive.
    baseline: (f64, f64),
    /// The position of the first reading that can start a resolution.
    first_after_dose: usize,
    on_clock: bool,
}

impl Temperatures {
    /// The daily maxima by day: baseline on the protocol's days, resolution from Day 0.
    pub fn by_dates(readings: Vec<Reading>, protocol: &Protocol) -> Temperatures {
        let (first, last) = protocol.fever_baseline_days;
        Temperatures {
            first_after_dose: readings.partition_point(|r| r.day < 0),
            readings,
            baseline: (24.0 * f64::from(first), 24.0 * f64::from(last)),
            on_clock: false,
        }
    }

    /// Every temperature at its time, when `fever.timing` is `"clock"`, the first dose has a time and so
    /// does every temperature from Day −1 on; `None` otherwise (the patient is judged by dates).
    pub fn on_clock<'s>(
        first_dose: ClinicalTime,
        day0: Date,
        observations: impl Iterator<Item = &'s Observation>,
        protocol: &Protocol,
    ) -> Option<Temperatures> {
        let ClinicalTime::DateTime(first_dose) = first_dose else {
            return None;
        };
        if protocol.fever_timing != FeverTiming::Clock {
            return None;
        }
        let mut readings = Vec::new();
        for observation in observations {
            if observation.quantity.analyte() != Analyte::Temperature {
                continue;
            }
            let day = StudyDay::of(observation.time.date(), day0).0;
            match observation.time {
                ClinicalTime::DateTime(time) => readings.push(Reading {
                    day,
                    hours: hours_between(first_dose, time),
                    celsius: observation.quantity.value(),
                }),
                // Two days before Day 0 or earlier, a reading is outside the 24 hours whatever its time.
                ClinicalTime::Date(_) if day < -1 => {}
                ClinicalTime::Date(_) => return None,
            }
        }
        readings.sort_by(|a, b| a.hours.total_cmp(&b.hours));
        Some(Temperatures {
            // A reading taken at the very time of the first dose is still before it.
            first_after_dose: readings.partition_point(|r| r.hours <= 0.0),
            readings,
            baseline: (-24.0, 0.0),
            on_clock: true,
        })
    }

    /// The readings in [from, to) hours.
    fn between(&self, from: f64, to: f64) -> &[Reading] {
        let start = self.readings.partition_point(|r| r.hours < from);
        let end = self.readings.partition_point(|r| r.hours < to);
        &self.readings[start..end.max(start)]
    }

    /// The readings of the baseline, both ends included.
    fn at_baseline(&self) -> &[Reading] {
        let (from, to) = self.baseline;
        let start = self.readings.partition_point(|r| r.hours < from);
        let end = self.readings.partition_point(|r| r.hours <= to);
        &self.readings[start..end.max(start)]
    }
}

fn hours_between(from: DateTime, to: DateTime) -> f64 {
    to.duration_since(from).as_secs_f64() / 3600.0
}

/// What the temperatures say of fever.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Fever {
    /// `None` when no temperature is recorded in the baseline.
    pub febrile_at_baseline: Option<bool>,
    /// The study day of the first reading of the sustained afebrile run.
    pub resolution_day: Option<i32>,
    /// Hours from the first dose to that reading, when judged on the clock.
    pub resolution_hours: Option<f64>,
    /// For the febrile: (day, resolved) for the Kaplan–Meier of time to resolution.
    pub resolution_time: Option<(i32, bool)>,
    /// For a patient resolved by `fever.resolved_by_day`: whether a fever was recorded after the
    /// resolution and by that day.
    pub recurred: Option<bool>,
    pub on_clock: bool,
}

impl Fever {
    /// Response item (a): resolved by `fever.resolved_by_day`, and (with `fever.recurrence = "fail"`)
    /// without a fever recorded again by then. `None` for a patient not febrile at baseline, or whose
    /// baseline is unknown (`febrile_at_baseline` tells which).
    pub fn resolved_for_response(&self, protocol: &Protocol) -> Option<bool> {
        (self.febrile_at_baseline == Some(true)).then(|| {
            self.resolution_day
                .is_some_and(|d| d <= protocol.fever_resolved_by_day)
                && !(protocol.fever_recurrence == Recurrence::Fail && self.recurred == Some(true))
        })
    }
}

/// Fever at baseline, the first sustained afebrile run after the first dose, and any fever after it.
pub(crate) fn fever(
    temperatures: &Temperatures,
    death_day: Option<i32>,
    protocol: &Protocol,
) -> Fever {
    let is_fever = |reading: &Reading| reading.celsius >= protocol.fever_threshold_celsius;
    let baseline = temperatures.at_baseline();
    let febrile_at_baseline = (!baseline.is_empty()).then(|| baseline.iter().any(is_fever));
    let sustained_days = protocol.fever_sustained_days;
    let run_is_afebrile = |start: f64| {
        let run = temperatures.between(start, start + 24.0 * f64::from(sustained_days));
        run.iter().all(|r| !is_fever(r))
            && (!protocol.fever_reading_every_day
                || (0..sustained_days).all(|k| {
                    let day_start = start + 24.0 * f64::from(k);
                    !temperatures.between(day_start, day_start + 24.0).is_empty()
                }))
    };
    let resolution = if febrile_at_baseline == Some(true) {
        temperatures.readings[temperatures.first_after_dose..]
            .iter()
            .position(|r| run_is_afebrile(r.hours))
            .map(|offset| temperatures.first_after_dose + offset)
    } else {
        None
    };
    let resolution_day = resolution.map(|i| temperatures.readings[i].day);
    let recurred = resolution
        .filter(|&i| temperatures.readings[i].day <= protocol.fever_resolved_by_day)
        .map(|i| {
            temperatures.readings[i + 1..]
                .iter()
                .take_while(|r| r.day <= protocol.fever_resolved_by_day)
                .any(is_fever)
        });
    let resolution_time = (febrile_at_baseline == Some(true)).then(|| match resolution_day {
        Some(day) => (day, true),
        None => {
            let last_temperature = temperatures.readings.last().map_or(0, |r| r.day);
            // Censored at death if the patient died, else at the last temperature; never before Day 0.
            (death_day.unwrap_or(last_temperature).max(0), false)
        }
    });
    Fever {
        febrile_at_baseline,
        resolution_day,
        resolution_hours: resolution
            .filter(|_| temperatures.on_clock)
            .map(|i| temperatures.readings[i].hours),
        resolution_time,
        recurred,
        on_clock: temperatures.on_clock,
    }
}
