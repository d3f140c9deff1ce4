//! The analytes a study records, with their canonical units.

use crate::spelled_enum::spelled_enum;

spelled_enum! {
    /// A laboratory analyte or vital sign of docs/study-format.md.
    ///
    /// The order of the variants is the order of the study format's table, which is also the order in
    /// which summaries list analytes.
    pub enum Analyte {
        Temperature => "temperature",
        Ferritin => "ferritin",
        Crp => "crp",
        Hemoglobin => "hemoglobin",
        Leukocytes => "leukocytes",
        Neutrophils => "neutrophils",
        Lymphocytes => "lymphocytes",
        Platelets => "platelets",
        Triglycerides => "triglycerides",
        Fibrinogen => "fibrinogen",
        Ast => "ast",
        Alt => "alt",
        Ldh => "ldh",
        Scd25 => "scd25",
        Il18 => "il18",
        Creatinine => "creatinine",
        Bilirubin => "bilirubin",
        Sodium => "sodium",
        DDimer => "d_dimer",
    }
}

/// Which of several results on one day is the day's "worst" (the daily value of docs/analysis-schema.md, "Derivations").
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DailyWorst {
    /// Higher is worse: temperature, ferritin, CRP, enzymes, …
    Maximum,
    /// Lower is worse: cell counts, haemoglobin, fibrinogen, sodium.
    Minimum,
}

impl Analyte {
    /// The canonical unit, as a UCUM code.
    pub fn canonical_unit(self) -> &'static str {
        crate::units::canonical_unit(self)
    }

    /// Whether the day's worst value is its maximum or its minimum (docs/analysis-schema.md, "Derivations").
    pub fn daily_worst(self) -> DailyWorst {
        match self {
            Analyte::Hemoglobin
            | Analyte::Leukocytes
            | Analyte::Neutrophils
            | Analyte::Lymphocytes
            | Analyte::Platelets
            | Analyte::Fibrinogen
            | Analyte::Sodium => DailyWorst::Minimum,
            Analyte::Temperature
            | Analyte::Ferritin
            | Analyte::Crp
            | Analyte::Triglycerides
            | Analyte::Ast
            | Analyte::Alt
            | Analyte::Ldh
            | Analyte::Scd25
            | Analyte::Il18
            | Analyte::Creatinine
            | Analyte::Bilirubin
            | Analyte::DDimer => DailyWorst::Maximum,
        }
    }

    /// Whether `value` is worse than `current` for this analyte (higher, or lower where the minimum is
    /// the worst); equal is not worse, so the first of equal values is kept.
    pub fn is_worse(self, value: f64, current: f64) -> bool {
        match self.daily_worst() {
            DailyWorst::Maximum => value > current,
            DailyWorst::Minimum => value < current,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_case_insensitively() {
        for &analyte in Analyte::ALL {
            assert_eq!(Analyte::from_name(analyte.name()), Some(analyte));
            assert_eq!(
                Analyte::from_name(&analyte.name().to_uppercase()),
                Some(analyte)
            );
        }
        assert_eq!(Analyte::from_name("ferritine"), None);
        assert_eq!(Analyte::from_name(""), None);
    }

    #[test]
    fn daily_worst_follows_the_contract() {
        assert_eq!(Analyte::Temperature.daily_worst(), DailyWorst::Maximum);
        assert_eq!(Analyte::Platelets.daily_worst(), DailyWorst::Minimum);
        assert_eq!(Analyte::Fibrinogen.daily_worst(), DailyWorst::Minimum);
        assert_eq!(Analyte::Sodium.daily_worst(), DailyWorst::Minimum);
        assert_eq!(Analyte::DDimer.daily_worst(), DailyWorst::Maximum);
    }
}
