//! Units of measure and their exact conversion to each analyte's canonical unit.
//!
//! Every accepted spelling of a unit maps to one [`Conversion`], applied as written in docs/study-format.md
//! (×f multiplies by f, ÷f divides by f) in 64-bit floating point. Thresholds downstream are compared with
//! the converted value, never with the number as typed (docs/criteria/README.md, "Conventions" and "Units").
//!
//! Spellings are matched exactly (UCUM symbols are case-sensitive: `U/L` is a unit, `u/L` is not), with one
//! allowance: the litre may be written `l` or `L`, as UCUM itself allows.

use std::fmt;

use crate::{join_alternatives, Analyte};

/// How a value in an accepted unit becomes a value in the canonical unit.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Conversion {
    /// The same unit under another spelling (ng/mL and µg/L are one unit).
    Identity,
    /// canonical = value × factor.
    Multiply(f64),
    /// canonical = value ÷ divisor.
    Divide(f64),
    /// °C = (°F − 32) × 5 / 9 (docs/analysis-schema.md, "Derivations").
    FahrenheitToCelsius,
}

impl Conversion {
    /// Applies the conversion to a value written in the accepted unit.
    pub fn apply(self, value: f64) -> f64 {
        match self {
            Conversion::Identity => value,
            Conversion::Multiply(factor) => value * factor,
            Conversion::Divide(divisor) => value / divisor,
            Conversion::FahrenheitToCelsius => (value - 32.0) * 5.0 / 9.0,
        }
    }
}

/// An accepted spelling of a unit for an analyte.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct AcceptedUnit {
    pub spelling: &'static str,
    pub conversion: Conversion,
}

const fn unit(spelling: &'static str, conversion: Conversion) -> AcceptedUnit {
    AcceptedUnit {
        spelling,
        conversion,
    }
}

use Conversion::{Divide, FahrenheitToCelsius, Identity, Multiply};

// Temperature. °F → °C is (F − 32) × 5/9, exact by definition of the Fahrenheit scale.
const TEMPERATURE: &[AcceptedUnit] = &[
    unit("Cel", Identity),
    unit("°C", Identity),
    unit("C", Identity),
    unit("[degF]", FahrenheitToCelsius),
    unit("°F", FahrenheitToCelsius),
    unit("F", FahrenheitToCelsius),
];

// Mass concentration in µg/L. 1 ng/mL = 1e-9 g / 1e-3 L = 1e-6 g/L = 1 µg/L, exact
// (docs/criteria/README.md, "Units": MSD Manual "684 ng/mL (684 mcg/L)").
const MICROGRAM_PER_LITRE: &[AcceptedUnit] = &[
    unit("ug/L", Identity),
    unit("µg/L", Identity),
    unit("μg/L", Identity),
    unit("mcg/L", Identity),
    unit("ng/mL", Identity),
];

// CRP in mg/L. 1 mg/dL = 10 mg/L, exact (1 dL = 0.1 L).
const CRP: &[AcceptedUnit] = &[unit("mg/L", Identity), unit("mg/dL", Multiply(10.0))];

// Haemoglobin in g/dL. g/L ÷ 10 is exact. mmol/L (haem monomer, M = 16,114.5 g/mol) ÷ 0.6206: 1 g/dL =
// 10 g/L ÷ 16.1145 g/mmol = 0.6206 mmol/L (docs/criteria/README.md, "Units": "9.2 g/dL = 5.71 mmol/L", GDL HScore model).
const HEMOGLOBIN: &[AcceptedUnit] = &[
    unit("g/dL", Identity),
    unit("g/L", Divide(10.0)),
    unit("mmol/L", Divide(0.6206)),
];

// Cell counts in 10^9/L. 10^3/µL = 10^3 / 10^-6 L = 10^9/L, exact; G/L (giga per litre) = 10^9/L;
// 1/mm³ = 1/µL, so a count per µL is ÷ 1000 (docs/criteria/README.md, "Units": "≤110 000/mm³" = "≤110 × 10^9/L").
const CELL_COUNT: &[AcceptedUnit] = &[
    unit("10*9/L", Identity),
    unit("10^9/L", Identity),
    unit("G/L", Identity),
    unit("10*3/uL", Identity),
    unit("10^3/uL", Identity),
    unit("10*3/µL", Identity),
    unit("10^3/µL", Identity),
    unit("/mm3", Divide(1000.0)),
    unit("/mm³", Divide(1000.0)),
    unit("/uL", Divide(1000.0)),
    unit("/µL", Divide(1000.0)),
];

// Triglycerides in mmol/L. mg/dL ÷ 88.57: triolein, M = 885.7 g/mol, so 1 mmol/L = 885.7 mg/L = 88.57 mg/dL
// (docs/criteria/README.md, "Units"; sources round between 88.3 and 88.6, the study format fixes 88.57).
const TRIGLYCERIDES: &[AcceptedUnit] = &[unit("mmol/L", Identity), unit("mg/dL", Divide(88.57))];

// Fibrinogen in g/L. 1 mg/dL = 10 mg/L = 0.01 g/L, so ÷ 100, exact (250 mg/dL ↔ 2.5 g/L in the GDL HScore model).
const FIBRINOGEN: &[AcceptedUnit] = &[unit("g/L", Identity), unit("mg/dL", Divide(100.0))];

// Enzyme activity in U/L. IU/L and [iU]/L are the same unit; 1 µkat = 1 µmol/s = 60 µmol/min = 60 U, exact
// (docs/criteria/README.md, "Units": MSD "48 U/L = 0.80 µkat/L").
const ENZYME: &[AcceptedUnit] = &[
    unit("U/L", Identity),
    unit("IU/L", Identity),
    unit("[iU]/L", Identity),
    unit("[IU]/L", Identity),
    unit("ukat/L", Multiply(60.0)),
    unit("µkat/L", Multiply(60.0)),
];

// sCD25 in U/mL only: assay-specific units are not interconvertible (docs/criteria/README.md, "Units").
const SCD25: &[AcceptedUnit] = &[unit("U/mL", Identity), unit("[U]/mL", Identity)];

// IL-18 in pg/mL; 1 ng/L = 1e-9 g / L = 1e-12 g / mL = 1 pg/mL, exact.
const IL18: &[AcceptedUnit] = &[unit("pg/mL", Identity), unit("ng/L", Identity)];

// Creatinine in µmol/L. mg/dL × 88.42: M = 113.1 g/mol, 10 mg/L ÷ 0.1131 mg/µmol = 88.42 µmol/L
// (docs/study-format.md; the factor is the one used by SI unit conversion tables).
const CREATININE: &[AcceptedUnit] = &[
    unit("umol/L", Identity),
    unit("µmol/L", Identity),
    unit("mg/dL", Multiply(88.42)),
];

// Bilirubin in µmol/L. mg/dL × 17.1: M = 584.7 g/mol, 10 mg/L ÷ 0.5847 mg/µmol = 17.10 µmol/L (docs/study-format.md).
const BILIRUBIN: &[AcceptedUnit] = &[
    unit("umol/L", Identity),
    unit("µmol/L", Identity),
    unit("mg/dL", Multiply(17.1)),
];

// Sodium in mmol/L; for a monovalent ion 1 mEq = 1 mmol, exact.
const SODIUM: &[AcceptedUnit] = &[unit("mmol/L", Identity), unit("mEq/L", Identity)];

// D-dimer in µg/L. 1 mg/L = 1000 µg/L, exact; ng/mL = µg/L as for ferritin. The FEU/DDU reporting basis
// is not a unit and is not converted.
const D_DIMER: &[AcceptedUnit] = &[
    unit("ug/L", Identity),
    unit("µg/L", Identity),
    unit("μg/L", Identity),
    unit("ng/mL", Identity),
    unit("mg/L", Multiply(1000.0)),
];

/// The accepted units of an analyte; the first is the canonical unit.
pub fn accepted_units(analyte: Analyte) -> &'static [AcceptedUnit] {
    match analyte {
        Analyte::Temperature => TEMPERATURE,
        Analyte::Ferritin => MICROGRAM_PER_LITRE,
        Analyte::Crp => CRP,
        Analyte::Hemoglobin => HEMOGLOBIN,
        Analyte::Leukocytes | Analyte::Neutrophils | Analyte::Lymphocytes | Analyte::Platelets => {
            CELL_COUNT
        }
        Analyte::Triglycerides => TRIGLYCERIDES,
        Analyte::Fibrinogen => FIBRINOGEN,
        Analyte::Ast | Analyte::Alt | Analyte::Ldh => ENZYME,
        Analyte::Scd25 => SCD25,
        Analyte::Il18 => IL18,
        Analyte::Creatinine => CREATININE,
        Analyte::Bilirubin => BILIRUBIN,
        Analyte::Sodium => SODIUM,
        Analyte::DDimer => D_DIMER,
    }
}

pub(crate) fn canonical_unit(analyte: Analyte) -> &'static str {
    accepted_units(analyte)[0].spelling
}

/// A unit as printed for readers: the UCUM spelling with its symbols (`ug/L` → `µg/L`, `Cel` → `°C`, `[degF]` → `°F`,
/// `10*9/L` → `×10⁹/L`).
pub fn printed(ucum: &str) -> String {
    match ucum {
        "Cel" => "°C".into(),
        "[degF]" => "°F".into(),
        "10*9/L" => "×10⁹/L".into(),
        other => other.replace('u', "µ"),
    }
}

/// Finds how `unit` converts for `analyte`, if that unit is accepted for it.
pub fn conversion_for(analyte: Analyte, unit: &str) -> Option<Conversion> {
    let unit = unit.trim();
    let table = accepted_units(analyte);
    let exact = table.iter().find(|accepted| accepted.spelling == unit);
    exact
        .or_else(|| {
            let with_capital_litre = capitalise_litre(unit)?;
            table
                .iter()
                .find(|accepted| accepted.spelling == with_capital_litre)
        })
        .map(|accepted| accepted.conversion)
}

/// UCUM reads `l` and `L` both as the litre: `mg/dl` → `mg/dL`, `g/l` → `g/L`. Only a trailing litre after
/// `/` or a metric prefix is rewritten, so `U/L` stays distinct from `u/L`.
fn capitalise_litre(unit: &str) -> Option<String> {
    let stem = unit.strip_suffix('l')?;
    let before = stem.chars().last()?;
    matches!(before, '/' | 'd' | 'm' | 'u' | 'µ' | 'μ').then(|| format!("{stem}L"))
}

/// A value in the canonical unit of its analyte.
///
/// The only way to build one is [`convert`], so a `Quantity` can never carry an unconverted number.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Quantity {
    analyte: Analyte,
    value: f64,
}

impl Quantity {
    pub fn analyte(self) -> Analyte {
        self.analyte
    }

    /// The value in [`Analyte::canonical_unit`].
    pub fn value(self) -> f64 {
        self.value
    }
}

/// Why a value could not be converted.
#[derive(Debug, Clone, PartialEq)]
pub enum UnitError {
    /// The unit is not one of the accepted units of the analyte.
    NotAccepted { analyte: Analyte, unit: String },
    /// The value is not a finite number.
    NotFinite { analyte: Analyte },
}

impl UnitError {
    /// What the study format expects, for a diagnostic.
    pub fn expected(&self) -> String {
        match self {
            UnitError::NotAccepted { analyte, .. } => {
                let spellings = accepted_units(*analyte)
                    .iter()
                    .map(|accepted| accepted.spelling);
                format!(
                    "one of the units accepted for {analyte}: {}",
                    join_alternatives(spellings)
                )
            }
            UnitError::NotFinite { .. } => "a finite number".to_string(),
        }
    }
}

impl fmt::Display for UnitError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            UnitError::NotAccepted { analyte: Analyte::Scd25, unit } => write!(
                f,
                "sCD25 in {unit:?} cannot be converted: sCD25 units are assay-specific, so U/mL is accepted, and pg/mL, ng/L or ng/mL only with the study's assay factor (scd25_pg_per_unit in the [assays] table of study.toml)"
            ),
            UnitError::NotAccepted { analyte, unit } => {
                write!(f, "unit {unit:?} is not accepted for {analyte}; expected {}", self.expected())
            }
            UnitError::NotFinite { analyte } => write!(f, "{analyte} value is not a finite number"),
        }
    }
}

impl std::error::Error for UnitError {}

/// The study's assay factors: conversions that hold only for the assay that measured the values, so
/// they are never assumed and come from the study (`[assays]` of study.toml).
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct AssayFactors {
    /// How many pg/mL of sCD25 make 1 U/mL on the study's assay; `None`: sCD25 in U/mL only.
    pub scd25_pg_per_unit: Option<f64>,
}

/// sCD25 mass concentrations in pg/mL: each accepted spelling and its factor to pg/mL.
const SCD25_MASS: &[(&str, f64)] = &[
    ("pg/mL", 1.0),
    ("pg/ml", 1.0),
    ("ng/L", 1.0),
    ("ng/l", 1.0),
    ("ng/mL", 1000.0),
    ("ng/ml", 1000.0),
];

/// [`convert`], except that with the study's assay factor sCD25 may also be written as a mass
/// concentration (pg/mL, ng/L, ng/mL): U/mL = pg/mL ÷ `scd25_pg_per_unit`.
///
/// # Errors
///
/// As [`convert`].
///
/// # Examples
///
/// ```
/// use hlh_model::units::{self, AssayFactors};
/// use hlh_model::Analyte;
///
/// let assays = AssayFactors { scd25_pg_per_unit: Some(8.0) };
/// let scd25 = units::convert_with_assays(Analyte::Scd25, 24_000.0, "pg/mL", assays).unwrap();
/// assert_eq!(scd25.value(), 3000.0);
/// assert!(units::convert_with_assays(Analyte::Scd25, 24_000.0, "pg/mL", AssayFactors::default()).is_err());
/// ```
pub fn convert_with_assays(
    analyte: Analyte,
    value: f64,
    unit: &str,
    assays: AssayFactors,
) -> Result<Quantity, UnitError> {
    let mass = SCD25_MASS.iter().find(|(spelling, _)| *spelling == unit);
    match (analyte, mass, assays.scd25_pg_per_unit) {
        (Analyte::Scd25, Some(&(_, to_pg)), Some(pg_per_unit)) => {
            let units_per_ml = value * to_pg / pg_per_unit;
            if !units_per_ml.is_finite() {
                return Err(UnitError::NotFinite { analyte });
            }
            Ok(Quantity {
                analyte,
                value: units_per_ml,
            })
        }
        _ => convert(analyte, value, unit),
    }
}

/// Converts `value`, written in `unit`, to a [`Quantity`] in the canonical unit of `analyte`.
///
/// # Errors
///
/// [`UnitError`] when `unit` is not accepted for `analyte` (sCD25 in pg/mL), or the value is not finite
/// before or after conversion.
///
/// # Examples
///
/// ```
/// use hlh_model::{units, Analyte};
///
/// let triglycerides = units::convert(Analyte::Triglycerides, 265.0, "mg/dL").unwrap();
/// assert!((triglycerides.value() - 265.0 / 88.57).abs() < 1e-12);
/// assert!(units::convert(Analyte::Scd25, 5000.0, "pg/mL").is_err());
/// ```
pub fn convert(analyte: Analyte, value: f64, unit: &str) -> Result<Quantity, UnitError> {
    if !value.is_finite() {
        return Err(UnitError::NotFinite { analyte });
    }
    let conversion = conversion_for(analyte, unit).ok_or_else(|| UnitError::NotAccepted {
        analyte,
        unit: unit.to_string(),
    })?;
    Ok(Quantity {
        analyte,
        value: conversion.apply(value),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A conversion is "exact unless stated": compare with a tolerance of a few ulps of the result, since
    /// ÷ 88.57 and friends are not representable exactly.
    fn assert_converts(analyte: Analyte, value: f64, unit: &str, expected: f64) {
        let got = convert(analyte, value, unit)
            .unwrap_or_else(|e| panic!("{e}"))
            .value();
        let tolerance = expected.abs() * 4.0 * f64::EPSILON;
        assert!(
            (got - expected).abs() <= tolerance,
            "{value} {unit} of {analyte}: expected {expected}, got {got}"
        );
    }

    #[test]
    fn every_unit_of_the_study_format_converts_with_its_factor() {
        // docs/study-format.md, table "Analytes, their canonical unit, and the units that must at least be accepted".
        assert_converts(Analyte::Temperature, 38.5, "Cel", 38.5);
        assert_converts(Analyte::Temperature, 38.5, "°C", 38.5);
        assert_converts(Analyte::Temperature, 38.5, "C", 38.5);
        assert_converts(Analyte::Temperature, 212.0, "[degF]", 100.0);
        assert_converts(Analyte::Temperature, 98.6, "°F", 37.0);
        assert_converts(Analyte::Temperature, 101.3, "F", (101.3 - 32.0) * 5.0 / 9.0);
        for unit in ["ug/L", "µg/L", "ng/mL"] {
            assert_converts(Analyte::Ferritin, 684.0, unit, 684.0);
        }
        assert_converts(Analyte::Crp, 15.2, "mg/dL", 152.0);
        assert_converts(Analyte::Hemoglobin, 92.0, "g/L", 9.2);
        assert_converts(Analyte::Hemoglobin, 5.71, "mmol/L", 5.71 / 0.6206);
        for analyte in [
            Analyte::Leukocytes,
            Analyte::Neutrophils,
            Analyte::Lymphocytes,
            Analyte::Platelets,
        ] {
            for unit in ["10*9/L", "G/L", "10^9/L", "10*3/uL"] {
                assert_converts(analyte, 110.0, unit, 110.0);
            }
            for unit in ["/mm3", "/uL"] {
                assert_converts(analyte, 110_000.0, unit, 110.0);
            }
        }
        assert_converts(Analyte::Triglycerides, 132.7, "mg/dL", 132.7 / 88.57);
        assert_converts(Analyte::Fibrinogen, 250.0, "mg/dL", 2.5);
        for analyte in [Analyte::Ast, Analyte::Alt, Analyte::Ldh] {
            assert_converts(analyte, 48.0, "IU/L", 48.0);
            assert_converts(analyte, 48.0, "[iU]/L", 48.0);
            assert_converts(analyte, 0.8, "ukat/L", 48.0);
        }
        assert_converts(Analyte::Scd25, 2400.0, "U/mL", 2400.0);
        assert_converts(Analyte::Il18, 15_000.0, "pg/mL", 15_000.0);
        assert_converts(Analyte::Creatinine, 1.0, "mg/dL", 88.42);
        assert_converts(Analyte::Bilirubin, 1.0, "mg/dL", 17.1);
        assert_converts(Analyte::Sodium, 131.0, "mEq/L", 131.0);
        assert_converts(Analyte::DDimer, 2.5, "mg/L", 2500.0);
    }

    #[test]
    fn units_print_with_their_symbols() {
        for (ucum, shown) in [
            ("ug/L", "µg/L"),
            ("umol/L", "µmol/L"),
            ("U/L", "U/L"),
            ("U/mL", "U/mL"),
            ("mg/L", "mg/L"),
            ("Cel", "°C"),
            ("10*9/L", "×10⁹/L"),
        ] {
            assert_eq!(printed(ucum), shown);
        }
    }

    #[test]
    fn canonical_units_match_the_study_format() {
        let expected = [
            (Analyte::Temperature, "Cel"),
            (Analyte::Ferritin, "ug/L"),
            (Analyte::Crp, "mg/L"),
            (Analyte::Hemoglobin, "g/dL"),
            (Analyte::Leukocytes, "10*9/L"),
            (Analyte::Triglycerides, "mmol/L"),
            (Analyte::Fibrinogen, "g/L"),
            (Analyte::Ast, "U/L"),
            (Analyte::Scd25, "U/mL"),
            (Analyte::Il18, "pg/mL"),
            (Analyte::Creatinine, "umol/L"),
            (Analyte::Bilirubin, "umol/L"),
            (Analyte::Sodium, "mmol/L"),
            (Analyte::DDimer, "ug/L"),
        ];
        for (analyte, unit) in expected {
            assert_eq!(analyte.canonical_unit(), unit, "{analyte}");
        }
    }

    #[test]
    fn the_conversion_hazards_of_clinical_criteria_are_kept() {
        // §1.5: 101.1 °F is 38.389 °C, below the 38.4 °C HScore boundary; 132.7 mg/dL is 1.4982 mmol/L.
        let temperature = convert(Analyte::Temperature, 101.1, "[degF]")
            .unwrap()
            .value();
        assert!(temperature < 38.4, "{temperature}");
        let triglycerides = convert(Analyte::Triglycerides, 132.7, "mg/dL")
            .unwrap()
            .value();
        assert!(triglycerides < 1.5, "{triglycerides}");
    }

    #[test]
    fn the_litre_may_be_lower_case_but_other_symbols_are_case_sensitive() {
        assert_converts(Analyte::Crp, 1.5, "mg/dl", 15.0);
        assert_converts(Analyte::Fibrinogen, 2.0, "g/l", 2.0);
        assert_converts(Analyte::Platelets, 90_000.0, "/ul", 90.0);
        assert!(convert(Analyte::Ast, 40.0, "u/L").is_err());
        assert!(convert(Analyte::Crp, 40.0, "MG/L").is_err());
    }

    #[test]
    fn unknown_and_unconvertible_units_are_refused() {
        let error = convert(Analyte::Scd25, 5000.0, "pg/mL").unwrap_err();
        assert!(error.to_string().contains("assay-specific"), "{error}");
        let error = convert(Analyte::Crp, 5.0, "mg%").unwrap_err();
        assert_eq!(
            error.to_string(),
            "unit \"mg%\" is not accepted for crp; expected one of the units accepted for crp: mg/L or mg/dL"
        );
        assert_eq!(
            convert(Analyte::Ferritin, f64::NAN, "ug/L"),
            Err(UnitError::NotFinite {
                analyte: Analyte::Ferritin
            })
        );
        assert!(convert(Analyte::Ferritin, f64::INFINITY, "ug/L").is_err());
    }
}
