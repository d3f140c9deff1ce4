//! Names as a journal prints them. Each is an exhaustive match, so a new analyte, trigger, drug, route or
//! event kind does not compile until it has its printed name.

use crate::{Analyte, Drug, EventKind, Route, Trigger};

impl Analyte {
    /// The name in a table: "CRP", "Ferritin", "Haemoglobin".
    pub fn label(self) -> &'static str {
        match self {
            Analyte::Temperature => "Temperature",
            Analyte::Ferritin => "Ferritin",
            Analyte::Crp => "CRP",
            Analyte::Hemoglobin => "Haemoglobin",
            Analyte::Leukocytes => "Leukocytes",
            Analyte::Neutrophils => "Neutrophils",
            Analyte::Lymphocytes => "Lymphocytes",
            Analyte::Platelets => "Platelets",
            Analyte::Triglycerides => "Triglycerides",
            Analyte::Fibrinogen => "Fibrinogen",
            Analyte::Ast => "AST",
            Analyte::Alt => "ALT",
            Analyte::Ldh => "LDH",
            Analyte::Scd25 => "sCD25 (sIL-2R)",
            Analyte::Il18 => "IL-18",
            Analyte::Creatinine => "Creatinine",
            Analyte::Bilirubin => "Bilirubin",
            Analyte::Sodium => "Sodium",
            Analyte::DDimer => "D-dimer",
        }
    }

    /// The name inside a sentence: acronyms as they are, words in lower case ("CRP", "ferritin").
    pub fn label_in_sentence(self) -> String {
        let label = self.label();
        let mut chars = label.chars();
        match (chars.next(), chars.next()) {
            (Some(first), Some(second)) if first.is_uppercase() && second.is_lowercase() => {
                first.to_lowercase().chain(label.chars().skip(1)).collect()
            }
            _ => label.to_string(),
        }
    }
}

impl Trigger {
    /// The name in a table: "Adult-onset Still's disease".
    pub fn label(self) -> &'static str {
        match self {
            Trigger::Infection => "Infection",
            Trigger::Malignancy => "Malignancy",
            Trigger::Autoimmune => "Autoimmune disease",
            Trigger::Aosd => "Adult-onset Still's disease",
            Trigger::Sjia => "Systemic juvenile idiopathic arthritis",
            Trigger::Sle => "Systemic lupus erythematosus",
            Trigger::Drug => "Drug reaction",
            Trigger::Idiopathic => "Idiopathic",
            Trigger::Other => "Other",
        }
    }
}

impl Drug {
    /// The name in a table: "Anakinra", "Intravenous immunoglobulin".
    pub fn label(self) -> &'static str {
        match self {
            Drug::Anakinra => "Anakinra",
            Drug::Corticosteroids => "Corticosteroids (unspecified)",
            Drug::Methylprednisolone => "Methylprednisolone",
            Drug::Prednisone => "Prednisone",
            Drug::Prednisolone => "Prednisolone",
            Drug::Dexamethasone => "Dexamethasone",
            Drug::Hydrocortisone => "Hydrocortisone",
            Drug::Ivig => "Intravenous immunoglobulin",
            Drug::Etoposide => "Etoposide",
            Drug::Ciclosporin => "Ciclosporin",
            Drug::Ruxolitinib => "Ruxolitinib",
            Drug::Emapalumab => "Emapalumab",
            Drug::Tocilizumab => "Tocilizumab",
            Drug::Canakinumab => "Canakinumab",
            Drug::Rituximab => "Rituximab",
            Drug::Chemotherapy => "Chemotherapy",
            Drug::Antimicrobial => "Antimicrobials",
            Drug::Other => "Other",
        }
    }
}

impl Route {
    /// The name in a table: "Subcutaneous".
    pub fn label(self) -> &'static str {
        match self {
            Route::Subcutaneous => "Subcutaneous",
            Route::Intravenous => "Intravenous",
            Route::Oral => "Oral",
        }
    }
}

impl EventKind {
    /// The name in a sentence's first place: "Adverse event", "ICU admission".
    pub fn label(self) -> &'static str {
        match self {
            EventKind::AdverseEvent => "Adverse event",
            EventKind::Infection => "Infection",
            EventKind::IcuAdmission => "Icu admission",
            EventKind::IcuDischarge => "Icu discharge",
            EventKind::Relapse => "Relapse",
            EventKind::Death => "Death",
            EventKind::Discharge => "Discharge",
            EventKind::ResponseAssessment => "Response assessment",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_print_as_journals_do() {
        assert_eq!(Analyte::Crp.label(), "CRP");
        assert_eq!(Analyte::Crp.label_in_sentence(), "CRP");
        assert_eq!(Analyte::Ferritin.label_in_sentence(), "ferritin");
        assert_eq!(Analyte::DDimer.label_in_sentence(), "D-dimer");
        assert_eq!(Trigger::Aosd.label(), "Adult-onset Still's disease");
        assert_eq!(Drug::Ivig.label(), "Intravenous immunoglobulin");
    }
}
