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

pub use hlh_model::units::printed as unit;

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
    fn names_print_as_journals_do() {
        assert_eq!(analyte("crp"), "CRP");
        assert_eq!(trigger("aosd"), "Adult-onset Still's disease");
    }
}
