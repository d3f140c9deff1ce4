//! The Optimized HLH Inflammatory (OHI) index.
//!
//! Source: Zoref-Lorenz A, Murakami J, Hofstetter L, et al. An improved index for diagnosis and mortality
//! prediction in malignancy-associated hemophagocytic lymphohistiocytosis. Blood 2022;139(7):1098–110,
//! doi:10.1182/blood.2021012764. Positive when sCD25 > 3900 U/mL and ferritin > 1000 ng/mL (abstract;
//! the Figure 3 legend writes ≥): docs/criteria/ohi.md.

use hlh_model::Analyte;

use crate::findings::Findings;
use crate::status::Status;

/// Which operator the thresholds use.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OhiOperator {
    /// `>` as in the abstract and key points (the default).
    Strict,
    /// `≥` as in the Figure 3 legend.
    Inclusive,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Ohi {
    /// Met = positive, NotMet = negative.
    pub status: Status,
    pub ferritin: Option<f64>,
    pub scd25: Option<f64>,
}

/// Where the index was derived, to print beside its result: it was not validated in other populations.
pub const DERIVED_IN: &str =
    "derived in 225 adults with haematological malignancies (Zoref-Lorenz, Blood 2022)";

impl Ohi {
    /// The index's result as written: "positive", "negative" or "unknown".
    pub fn result_name(&self) -> &'static str {
        match self.status {
            Status::Met => "positive",
            Status::NotMet => "negative",
            Status::Unknown => "unknown",
        }
    }
}

pub fn ohi(findings: &Findings, operator: OhiOperator) -> Ohi {
    let exceeds = |threshold: f64| {
        move |value: f64| match operator {
            OhiOperator::Strict => value > threshold,
            OhiOperator::Inclusive => value >= threshold,
        }
    };
    let (ferritin, scd25) = (
        findings.lab(Analyte::Ferritin),
        findings.lab(Analyte::Scd25),
    );
    let status = Status::test(scd25, exceeds(3900.0)).and(Status::test(ferritin, exceeds(1000.0)));
    Ohi {
        status,
        ferritin,
        scd25,
    }
}
