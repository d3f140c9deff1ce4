//! Names as a journal prints them that are not the model's: criteria of the scores, and capitals. The
//! model's enumerations print their own names (`Analyte::label`, `Trigger::label`, …).

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
