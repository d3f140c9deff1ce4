//! Whatever is unknown, the range each score reports holds every completion of the unknown items.

use hlh_criteria::hlh2004::{hlh2004, Diagnosis, Hlh2004Settings};
use hlh_criteria::hscore::{hscore, HScoreSettings};
use hlh_criteria::mas2016::{mas2016, Mas2016Status};
use hlh_criteria::ms_score::{ms_score, Population, Verdict};
use hlh_criteria::{Findings, LabValue};
use hlh_model::{units, Analyte};
use proptest::prelude::*;

/// The analytes the scores read, with a range of values that crosses every threshold.
const ANALYTES: [(Analyte, f64, f64); 11] = [
    (Analyte::Temperature, 36.0, 41.0),
    (Analyte::Hemoglobin, 5.0, 14.0),
    (Analyte::Leukocytes, 0.5, 12.0),
    (Analyte::Neutrophils, 0.1, 8.0),
    (Analyte::Platelets, 10.0, 400.0),
    (Analyte::Ferritin, 100.0, 20_000.0),
    (Analyte::Triglycerides, 0.5, 6.0),
    (Analyte::Fibrinogen, 0.5, 6.0),
    (Analyte::Ast, 10.0, 200.0),
    (Analyte::Scd25, 500.0, 9000.0),
    (Analyte::Ldh, 100.0, 3000.0),
];
const FLAGS: usize = 11;

/// A patient: each value and flag known or not, and the values a completion gives the unknown ones.
#[derive(Debug, Clone)]
struct Partial {
    labs: Vec<(Option<f64>, f64)>,
    flags: Vec<(Option<bool>, bool)>,
    age: (Option<f64>, f64),
}

fn partial() -> impl Strategy<Value = Partial> {
    let lab = |(_, low, high): (Analyte, f64, f64)| (proptest::option::of(low..high), low..high);
    let labs: Vec<_> = ANALYTES.iter().map(|&a| lab(a)).collect();
    let flags =
        proptest::collection::vec((proptest::option::of(any::<bool>()), any::<bool>()), FLAGS);
    let age = (proptest::option::of(0.0f64..90.0), 0.0f64..90.0);
    (labs, flags, age).prop_map(|(labs, flags, age)| Partial { labs, flags, age })
}

fn findings(partial: &Partial, complete: bool) -> Findings {
    let pick_f = |(known, fill): (Option<f64>, f64)| {
        if complete {
            Some(known.unwrap_or(fill))
        } else {
            known
        }
    };
    let pick_b = |(known, fill): (Option<bool>, bool)| {
        if complete {
            Some(known.unwrap_or(fill))
        } else {
            known
        }
    };
    let flags: Vec<Option<bool>> = partial.flags.iter().map(|&f| pick_b(f)).collect();
    let mut result = Findings {
        age_years: pick_f(partial.age),
        immunosuppression: flags[0],
        hepatomegaly: flags[1],
        splenomegaly: flags[2],
        bm_hemophagocytosis: flags[3],
        nk_activity_low: flags[4],
        molecular_hlh: flags[5],
        febrile: flags[6],
        sjia: flags[7],
        cns_involvement: flags[8],
        hemorrhage: flags[9],
        active_arthritis: flags[10],
        ..Findings::default()
    };
    for (&(analyte, _, _), &value) in ANALYTES.iter().zip(&partial.labs) {
        // Fever is judged on the temperature when there is one, else on the `febrile` finding: with
        // `febrile` known, a missing temperature is not an unknown item, so it is not completed.
        let febrile_known = partial.flags[6].0.is_some();
        if analyte == Analyte::Temperature && febrile_known && value.0.is_none() {
            continue;
        }
        if let Some(v) = pick_f(value) {
            let quantity = units::convert(analyte, v, analyte.canonical_unit()).unwrap();
            result.set_lab(LabValue {
                quantity,
                as_typed: None,
                source: None,
            });
        }
    }
    result
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 500, ..ProptestConfig::default() })]

    #[test]
    fn the_hscore_range_holds_every_completion(p in partial()) {
        let settings = HScoreSettings::default();
        let known = hscore(&findings(&p, false), &settings);
        let complete = hscore(&findings(&p, true), &settings);
        prop_assert!(known.min <= known.score && known.score <= known.max && known.max <= 337);
        prop_assert!(known.min <= complete.score && complete.score <= known.max, "{} not in [{}, {}]", complete.score, known.min, known.max);
        if let Some(positive) = known.positive {
            prop_assert_eq!(complete.positive, Some(positive));
        }
    }

    #[test]
    fn the_hlh2004_count_range_holds_every_completion(p in partial()) {
        let settings = Hlh2004Settings::default();
        let known = hlh2004(&findings(&p, false), &settings);
        let complete = hlh2004(&findings(&p, true), &settings);
        prop_assert!(known.count_min <= complete.met && complete.met <= known.count_max);
        prop_assert_eq!(known.met + known.not_met + known.unknown, 8);
        match known.diagnosis {
            Diagnosis::Met => prop_assert_eq!(complete.diagnosis, Diagnosis::Met),
            Diagnosis::NotMet => prop_assert_eq!(complete.diagnosis, Diagnosis::NotMet),
            Diagnosis::Indeterminate => {}
        }
    }

    #[test]
    fn the_ms_score_range_holds_every_completion(p in partial()) {
        let known = ms_score(&findings(&p, false), Population::Sjia);
        let complete = ms_score(&findings(&p, true), Population::Sjia);
        // A value, once there is one, brackets every completion; a verdict the unknowns could not
        // change stays (completing the laboratory values or sJIA may give the score a value).
        if let Some(range) = known.value {
            let score = complete.value.unwrap().score;
            prop_assert!(range.min <= score + 1e-9 && score <= range.max + 1e-9);
        }
        match known.verdict {
            Verdict::Unknown | Verdict::NotComputable => {}
            // sJIA unknown may be completed as present, and then the score applies.
            Verdict::NotApplicable => prop_assert!(
                complete.verdict == Verdict::NotApplicable || p.flags[7].0.is_none()
            ),
            decided => prop_assert_eq!(complete.verdict, decided),
        }
    }

    #[test]
    fn mas2016_decisions_survive_completion(p in partial()) {
        let known = mas2016(&findings(&p, false)).status;
        let complete = mas2016(&findings(&p, true)).status;
        match known {
            Mas2016Status::Unknown => {}
            // Criteria that fail fail whatever the diagnosis: once sJIA is known absent the verdict
            // reads "not applicable", which is also "not classified as MAS".
            Mas2016Status::NotMet => prop_assert!(matches!(complete, Mas2016Status::NotMet | Mas2016Status::NotApplicable)),
            decided => prop_assert_eq!(complete, decided),
        }
    }
}
