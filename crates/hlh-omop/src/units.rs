//! The unit of a measurement: from `unit_concept_id` when it is one of the units below, otherwise from
//! `unit_source_value`, matched against the spellings the study format accepts for the analyte. A
//! measurement whose unit cannot be told is never guessed.

use hlh_model::units::conversion_for;
use hlh_model::Analyte;

/// UCUM units by OMOP concept id (docs/omop.md, "Units"), written as docs/study-format.md spells them. 10*3/mm3 is
/// written 10*3/uL: a cubic millimetre is a microlitre.
pub const UNIT_CONCEPTS: [(i64, &str); 14] = [
    (8842, "ng/mL"),
    (8748, "ug/L"),
    (8751, "mg/L"),
    (8840, "mg/dL"),
    (8753, "mmol/L"),
    (8713, "g/dL"),
    (8636, "g/L"),
    (8645, "U/L"),
    (8923, "[iU]/L"),
    (8848, "10*3/uL"),
    (8961, "10*3/uL"),
    (9444, "10*9/L"),
    (586323, "Cel"),
    (9289, "[degF]"),
];

/// Why a measurement's unit gives no value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum UnitProblem {
    /// Neither a known unit id nor a source value the analyte accepts.
    Undeterminable,
    /// A known unit id that does not measure this analyte (mg/L for haemoglobin).
    NotForAnalyte,
}

/// The unit spelling to convert from.
pub fn unit_of(
    analyte: Analyte,
    unit_concept_id: Option<i64>,
    unit_source_value: Option<&str>,
) -> Result<String, UnitProblem> {
    if let Some(spelling) = unit_concept_id
        .and_then(|id| UNIT_CONCEPTS.iter().find(|(known, _)| *known == id))
        .map(|(_, s)| *s)
    {
        return if conversion_for(analyte, spelling).is_some() {
            Ok(spelling.to_string())
        } else {
            Err(UnitProblem::NotForAnalyte)
        };
    }
    match unit_source_value.map(str::trim) {
        Some(text) if conversion_for(analyte, text).is_some() => Ok(text.to_string()),
        _ => Err(UnitProblem::Undeterminable),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_first_then_source_values_never_a_guess() {
        assert_eq!(
            unit_of(Analyte::Ferritin, Some(8842), None).unwrap(),
            "ng/mL"
        );
        assert_eq!(
            unit_of(Analyte::Platelets, Some(8961), Some("whatever")).unwrap(),
            "10*3/uL"
        );
        assert_eq!(
            unit_of(Analyte::Hemoglobin, Some(8751), Some("g/dL")),
            Err(UnitProblem::NotForAnalyte)
        );
        // Id 0 or unknown: the source value decides.
        assert_eq!(
            unit_of(Analyte::Crp, Some(0), Some(" mg/dL ")).unwrap(),
            "mg/dL"
        );
        assert_eq!(
            unit_of(Analyte::Crp, Some(123), Some("mg/L")).unwrap(),
            "mg/L"
        );
        assert_eq!(
            unit_of(Analyte::Crp, None, Some("milligrams")),
            Err(UnitProblem::Undeterminable)
        );
        assert_eq!(
            unit_of(Analyte::Crp, None, None),
            Err(UnitProblem::Undeterminable)
        );
    }
}
