//! The 2016 EULAR/ACR/PRINTO classification criteria for macrophage activation syndrome in systemic JIA.
//!
//! Source: Ravelli A, Minoia F, Davì S, et al. 2016 classification criteria for macrophage activation
//! syndrome complicating systemic juvenile idiopathic arthritis. Arthritis Rheumatol 2016;68(3):566–76,
//! doi:10.1002/art.39332. A febrile patient with known or suspected sJIA is classified as MAS if
//! ferritin > 684 ng/mL and any 2 of: platelets ≤ 181 × 10⁹/L, AST > 48 U/L, triglycerides > 156 mg/dL,
//! fibrinogen ≤ 360 mg/dL. Readings: docs/criteria/mas2016.md.

use hlh_model::Analyte;

use crate::findings::Findings;
use crate::hlh2004::Criterion;
use crate::status::{at_least, Status};

/// Fever for the gate of MAS-2016, judged on a temperature: ≥ 38.0 °C, the analysis's fever threshold.
const FEVER_CELSIUS: f64 = 38.0;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mas2016Status {
    Met,
    NotMet,
    Unknown,
    /// The patient is known not to have sJIA.
    NotApplicable,
}

impl Mas2016Status {
    pub fn name(self) -> &'static str {
        match self {
            Mas2016Status::Met => "met",
            Mas2016Status::NotMet => "not_met",
            Mas2016Status::Unknown => "unknown",
            Mas2016Status::NotApplicable => "not_applicable",
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Mas2016 {
    pub status: Mas2016Status,
    /// Febrile: temperature ≥ 38.0 °C when a temperature is given, else the `febrile` finding, else
    /// unknown.
    pub febrile: Status,
    pub criteria: Vec<Criterion>,
}

pub fn mas2016(findings: &Findings) -> Mas2016 {
    let lab = |analyte| findings.lab(analyte);
    let criteria = vec![
        Criterion {
            criterion: "ferritin",
            status: Status::test(lab(Analyte::Ferritin), |v| v > 684.0),
            value: lab(Analyte::Ferritin),
            unit: Some("ug/L"),
        },
        Criterion {
            criterion: "platelets",
            status: Status::test(lab(Analyte::Platelets), |v| v <= 181.0),
            value: lab(Analyte::Platelets),
            unit: Some("10*9/L"),
        },
        Criterion {
            criterion: "ast",
            status: Status::test(lab(Analyte::Ast), |v| v > 48.0),
            value: lab(Analyte::Ast),
            unit: Some("U/L"),
        },
        Criterion {
            // 156 mg/dL, converted as every triglyceride value is (÷ 88.57): 1.7613 mmol/L.
            criterion: "triglycerides",
            status: Status::test(lab(Analyte::Triglycerides), |v| v > 156.0 / 88.57),
            value: lab(Analyte::Triglycerides),
            unit: Some("mmol/L"),
        },
        Criterion {
            // 360 mg/dL = 3.6 g/L exactly.
            criterion: "fibrinogen",
            status: Status::test(lab(Analyte::Fibrinogen), |v| v <= 3.6),
            value: lab(Analyte::Fibrinogen),
            unit: Some("g/L"),
        },
    ];
    // As for HLH-2004's fever: the temperature when there is one, else the `febrile` finding.
    let febrile = match lab(Analyte::Temperature) {
        Some(celsius) => Status::from_finding(Some(celsius >= FEVER_CELSIUS)),
        None => Status::from_finding(findings.febrile),
    };
    let statuses: Vec<Status> = criteria.iter().map(|c| c.status).collect();
    let classified = febrile.and(statuses[0]).and(at_least(2, &statuses[1..]));
    let status = match (findings.sjia, classified) {
        (Some(false), _) => Mas2016Status::NotApplicable,
        (_, Status::NotMet) => Mas2016Status::NotMet,
        (Some(true), Status::Met) => Mas2016Status::Met,
        _ => Mas2016Status::Unknown,
    };
    Mas2016 {
        status,
        febrile,
        criteria,
    }
}
