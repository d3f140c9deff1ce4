//! Names as a journal prints them: analytes, units, triggers, drugs, events.

/// The printed name of an analyte of the study format.
pub fn analyte(name: &str) -> String {
    match name {
        "temperature" => "Temperature",
        "ferritin" => "Ferritin",
        "crp" => "CRP",
        "hemoglobin" => "Haemoglobin",
        "leukocytes" => "Leukocytes",
        "neutrophils" => "Neutrophils",
        "lymphocytes" => "Lymphocytes",
        "platelets" => "Platelets",
        "triglycerides" => "Triglycerides",
        "fibrinogen" => "Fibrinogen",
        "ast" => "AST",
        "alt" => "ALT",
        "ldh" => "LDH",
        "scd25" => "sCD25 (sIL-2R)",
        "il18" => "IL-18",
        "creatinine" => "Creatinine",
        "bilirubin" => "Bilirubin",
        "sodium" => "Sodium",
        "d_dimer" => "D-dimer",
        other => return capitalised(other),
    }
    .to_string()
}

/// A UCUM unit as printed.
pub fn unit(ucum: &str) -> String {
    match ucum {
        "Cel" => "°C".into(),
        "10*9/L" => "×10⁹/L".into(),
        other => other.replace('u', "µ"),
    }
}

pub fn trigger(name: &str) -> String {
    match name {
        "infection" => "Infection",
        "malignancy" => "Malignancy",
        "autoimmune" => "Autoimmune disease",
        "aosd" => "Adult-onset Still's disease",
        "sjia" => "Systemic juvenile idiopathic arthritis",
        "sle" => "Systemic lupus erythematosus",
        "drug" => "Drug reaction",
        "idiopathic" => "Idiopathic",
        "other" => "Other",
        other => return capitalised(other),
    }
    .to_string()
}

pub fn drug(name: &str) -> String {
    match name {
        "ivig" => "Intravenous immunoglobulin".into(),
        "corticosteroids" => "Corticosteroids (unspecified)".into(),
        "antimicrobial" => "Antimicrobials".into(),
        other => capitalised(other),
    }
}

pub fn route(name: &str) -> String {
    match name {
        "sc" => "Subcutaneous",
        "iv" => "Intravenous",
        "po" => "Oral",
        "unknown" => "Not recorded",
        other => return other.to_string(),
    }
    .to_string()
}

pub fn event(name: &str) -> String {
    capitalised(&name.replace('_', " "))
}

/// An HScore item or HLH-2004 criterion name as printed.
pub fn criterion(name: &str) -> String {
    match name {
        "bm_hemophagocytosis" => "Haemophagocytosis on bone-marrow aspirate".into(),
        "triglycerides_or_fibrinogen" => "Triglycerides or fibrinogen".into(),
        "nk_activity" => "NK-cell activity".into(),
        "scd25" => "sCD25 (sIL-2R)".into(),
        "ast" => "AST".into(),
        other => capitalised(&other.replace('_', " ")),
    }
}

pub fn capitalised(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn units_print_with_their_symbols() {
        assert_eq!(unit("ug/L"), "µg/L");
        assert_eq!(unit("umol/L"), "µmol/L");
        assert_eq!(unit("U/L"), "U/L");
        assert_eq!(unit("U/mL"), "U/mL");
        assert_eq!(unit("mg/L"), "mg/L");
        assert_eq!(unit("Cel"), "°C");
        assert_eq!(unit("10*9/L"), "×10⁹/L");
        assert_eq!(analyte("crp"), "CRP");
        assert_eq!(trigger("aosd"), "Adult-onset Still's disease");
    }
}
