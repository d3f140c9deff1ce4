//! The daily dose of the index drug (docs/analysis-schema.md, "Derivations"): dose × doses a day, in
//! mg/day, and per kilogram where the weight is known.

use hlh_model::{DoseUnit, Treatment};

/// The index drug's daily doses over its course.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct DailyDose {
    /// The first row's daily dose (the starting dose).
    pub first_mg_per_day: Option<f64>,
    /// The highest daily dose of the course; `None` when a row's daily dose is unknown (it could be
    /// the highest).
    pub max_mg_per_day: Option<f64>,
    /// `max_mg_per_day` per kilogram of body weight.
    pub max_mg_per_kg_per_day: Option<f64>,
    /// Whether a later row gives more mg/day than the first: known `true` as soon as one does, `false`
    /// only when every row is known and none does.
    pub escalated: Option<bool>,
}

/// One row's dose per day in mg: `None` without a dose, a unit, a frequency of the vocabulary, or the
/// weight a per-kilogram dose needs (a dose per m² needs a body surface area, which the study format
/// does not record).
fn mg_per_day(row: &Treatment, weight_kg: Option<f64>) -> Option<f64> {
    let per_dose_mg = match row.dose_unit? {
        DoseUnit::Milligram => row.dose?,
        DoseUnit::Gram => row.dose? * 1000.0,
        DoseUnit::MilligramPerKilogram => row.dose? * weight_kg?,
        DoseUnit::GramPerKilogram => row.dose? * 1000.0 * weight_kg?,
        DoseUnit::MilligramPerSquareMetre => return None,
    };
    Some(per_dose_mg * row.schedule?.per_day())
}

/// The daily doses of the index rows, in course order (by start, then line).
pub(crate) fn daily_dose(rows: &[&Treatment], weight_kg: Option<f64>) -> DailyDose {
    let daily: Vec<Option<f64>> = rows.iter().map(|row| mg_per_day(row, weight_kg)).collect();
    let Some(&first) = daily.first() else {
        return DailyDose::default();
    };
    let max_mg_per_day = daily
        .iter()
        .copied()
        .try_fold(f64::NEG_INFINITY, |max, dose| dose.map(|d| max.max(d)));
    let rises = first.map(|first| daily[1..].iter().flatten().any(|&d| d > first));
    let escalated = match rises {
        Some(true) => Some(true),
        Some(false) if max_mg_per_day.is_some() => Some(false),
        _ => None,
    };
    DailyDose {
        first_mg_per_day: first,
        max_mg_per_day,
        max_mg_per_kg_per_day: max_mg_per_day.zip(weight_kg).map(|(mg, kg)| mg / kg),
        escalated,
    }
}

#[cfg(test)]
mod tests {
    use hlh_model::{ClinicalTime, Drug, Frequency, PatientIndex, SourceRow, StudyFile};
    use jiff::civil::date;

    use super::*;

    fn row(dose: Option<f64>, unit: Option<DoseUnit>, schedule: Option<Frequency>) -> Treatment {
        Treatment {
            patient: PatientIndex(0),
            drug: Drug::Anakinra,
            start: ClinicalTime::Date(date(2020, 3, 10)),
            end: None,
            dose,
            dose_unit: unit,
            frequency: schedule.map(|s| s.name().to_string()),
            schedule,
            route: None,
            stop_reason: None,
            line_of_therapy: None,
            source: SourceRow {
                file: StudyFile::Treatments,
                line: 2,
            },
        }
    }

    use DoseUnit::{Gram, Milligram, MilligramPerKilogram, MilligramPerSquareMetre};
    use Frequency::{Bid, Continuous, Q6h, Qd};

    #[test]
    fn dose_times_doses_a_day_per_kilogram_where_the_weight_is_known() {
        // 100 mg q6h = 400 mg/day; at 80 kg, 5 mg/kg/day.
        let q6h = row(Some(100.0), Some(Milligram), Some(Q6h));
        let dose = daily_dose(&[&q6h], Some(80.0));
        assert_eq!(
            (
                dose.first_mg_per_day,
                dose.max_mg_per_day,
                dose.max_mg_per_kg_per_day
            ),
            (Some(400.0), Some(400.0), Some(5.0))
        );
        assert_eq!(dose.escalated, Some(false));
        // 2 mg/kg bid at 30 kg: 120 mg/day; 0.1 g bid: 200 mg/day; a continuous 2400 mg over 24 h.
        let per_kg = row(Some(2.0), Some(MilligramPerKilogram), Some(Bid));
        assert_eq!(
            daily_dose(&[&per_kg], Some(30.0)).first_mg_per_day,
            Some(120.0)
        );
        assert_eq!(daily_dose(&[&per_kg], None).first_mg_per_day, None);
        let grams = row(Some(0.1), Some(Gram), Some(Bid));
        assert_eq!(daily_dose(&[&grams], None).first_mg_per_day, Some(200.0));
        let infusion = row(Some(2400.0), Some(Milligram), Some(Continuous));
        assert_eq!(
            daily_dose(&[&infusion], None).first_mg_per_day,
            Some(2400.0)
        );
        // Per m², or without a frequency of the vocabulary: unknown.
        let per_m2 = row(Some(150.0), Some(MilligramPerSquareMetre), Some(Qd));
        assert_eq!(daily_dose(&[&per_m2], Some(70.0)).first_mg_per_day, None);
        let no_schedule = row(Some(100.0), Some(Milligram), None);
        assert_eq!(daily_dose(&[&no_schedule], None), DailyDose::default());
    }

    #[test]
    fn escalation_is_known_as_soon_as_a_later_row_gives_more() {
        let (qd, bid, unknown) = (
            row(Some(100.0), Some(Milligram), Some(Qd)),
            row(Some(100.0), Some(Milligram), Some(Bid)),
            row(None, None, None),
        );
        // 100 → 200 mg/day: escalated, even with an unknown row, whose presence leaves the maximum unknown.
        let dose = daily_dose(&[&qd, &unknown, &bid], None);
        assert_eq!((dose.escalated, dose.max_mg_per_day), (Some(true), None));
        // 200 → 100: tapered, not escalated; with an unknown row it cannot be said.
        assert_eq!(daily_dose(&[&bid, &qd], None).escalated, Some(false));
        assert_eq!(daily_dose(&[&bid, &qd, &unknown], None).escalated, None);
        assert_eq!(daily_dose(&[&unknown, &bid], None).escalated, None);
        assert_eq!(daily_dose(&[], None), DailyDose::default());
    }
}
