//! Physiologically possible ranges (outside: an error, almost always a unit or typing mistake) and usual
//! ranges (outside: a warning) of each analyte, in its canonical unit, checked after conversion.
//!
//! Sources: the hard and soft ranges of the project's case report form (docs/study-format.md, observations.csv:
//! the ranges), engineering proposals rather than published limits; the analytes it does not list
//! (IL-18, creatinine, bilirubin, sodium, D-dimer) follow the same reasoning.
//!
//! They live with the units because every reader of laboratory values (a study folder, a warehouse)
//! checks converted values against the same ranges.

use crate::Analyte;

/// The ranges of one analyte, inclusive, in its canonical unit.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct AnalyteRanges {
    pub possible: (f64, f64),
    pub usual: (f64, f64),
}

const fn ranges(possible: (f64, f64), usual: (f64, f64)) -> AnalyteRanges {
    AnalyteRanges { possible, usual }
}

pub fn analyte_ranges(analyte: Analyte) -> AnalyteRanges {
    match analyte {
        Analyte::Temperature => ranges((25.0, 45.0), (34.0, 42.5)),
        Analyte::Ferritin => ranges((0.0, 500_000.0), (0.0, 250_000.0)),
        Analyte::Crp => ranges((0.0, 800.0), (0.0, 500.0)),
        Analyte::Hemoglobin => ranges((1.0, 25.0), (4.0, 20.0)),
        Analyte::Leukocytes => ranges((0.0, 500.0), (0.0, 100.0)),
        Analyte::Neutrophils | Analyte::Lymphocytes => ranges((0.0, 300.0), (0.0, 100.0)),
        Analyte::Platelets => ranges((0.0, 3000.0), (0.0, 1500.0)),
        Analyte::Triglycerides => ranges((0.0, 60.0), (0.0, 20.0)),
        Analyte::Fibrinogen => ranges((0.0, 15.0), (0.0, 10.0)),
        Analyte::Ast | Analyte::Alt => ranges((0.0, 30_000.0), (0.0, 10_000.0)),
        Analyte::Ldh => ranges((0.0, 50_000.0), (0.0, 10_000.0)),
        Analyte::Scd25 => ranges((0.0, 200_000.0), (0.0, 100_000.0)),
        Analyte::Il18 => ranges((0.0, 10_000_000.0), (0.0, 1_000_000.0)),
        Analyte::Creatinine => ranges((0.0, 3000.0), (0.0, 1500.0)),
        Analyte::Bilirubin => ranges((0.0, 1000.0), (0.0, 500.0)),
        Analyte::Sodium => ranges((80.0, 200.0), (115.0, 165.0)),
        Analyte::DDimer => ranges((0.0, 100_000.0), (0.0, 35_000.0)),
    }
}

/// A guess at the unit mistake behind an impossible value (docs/study-format.md, observations.csv:
/// the hints), given the canonical value and the unit as written.
pub fn unit_mistake_hint(analyte: Analyte, canonical_value: f64, unit: &str) -> Option<String> {
    let celsius = matches!(unit, "Cel" | "°C" | "C");
    match analyte {
        Analyte::Temperature if celsius && (77.0..=113.0).contains(&canonical_value) => {
            Some("this looks like °F: write the unit [degF]".to_string())
        }
        Analyte::Hemoglobin if canonical_value > 25.0 && unit.starts_with("g/d") => {
            Some("this looks like g/L: write the unit g/L".to_string())
        }
        Analyte::Leukocytes | Analyte::Neutrophils | Analyte::Lymphocytes | Analyte::Platelets
            if canonical_value > 300.0 && !unit.starts_with('/') =>
        {
            Some("this looks like a count per µL: write the unit /uL".to_string())
        }
        Analyte::Triglycerides if canonical_value > 60.0 && unit.starts_with("mmol") => {
            Some("this looks like mg/dL: write the unit mg/dL".to_string())
        }
        Analyte::Fibrinogen if canonical_value > 15.0 && unit.starts_with("g/") => {
            Some("this looks like mg/dL: write the unit mg/dL".to_string())
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn usual_ranges_lie_inside_possible_ones() {
        for &analyte in Analyte::ALL {
            let AnalyteRanges { possible, usual } = analyte_ranges(analyte);
            assert!(possible.0 <= usual.0 && usual.1 <= possible.1, "{analyte}");
        }
    }

    #[test]
    fn the_classic_unit_mistakes_get_a_hint() {
        assert!(unit_mistake_hint(Analyte::Temperature, 101.3, "Cel")
            .unwrap()
            .contains("[degF]"));
        assert!(unit_mistake_hint(Analyte::Hemoglobin, 92.0, "g/dL")
            .unwrap()
            .contains("g/L"));
        assert!(unit_mistake_hint(Analyte::Platelets, 110_000.0, "10*9/L")
            .unwrap()
            .contains("/uL"));
        assert!(unit_mistake_hint(Analyte::Triglycerides, 265.0, "mmol/L")
            .unwrap()
            .contains("mg/dL"));
        assert!(unit_mistake_hint(Analyte::Fibrinogen, 250.0, "g/L")
            .unwrap()
            .contains("mg/dL"));
        assert_eq!(unit_mistake_hint(Analyte::Temperature, 380.0, "Cel"), None);
    }
}
