//! The HLH-2004 diagnostic guidelines.
//!
//! Source: Henter JI, Horne A, Aricó M, et al. HLH-2004: diagnostic and therapeutic guidelines for
//! hemophagocytic lymphohistiocytosis. Pediatr Blood Cancer 2007;48(2):124–31, doi:10.1002/pbc.21039.
//! Diagnosis by a molecular diagnosis consistent with HLH, or k of 8 criteria (k = 5). The published
//! variants are presets; boundary readings: docs/criteria/hlh2004.md.

use hlh_model::Analyte;

use crate::findings::Findings;
use crate::status::{at_least, Status};

/// A threshold with its side: `at_least` means value ≥ threshold, otherwise value > threshold (for the
/// "high" criteria), and likewise ≤ / < for the "low" ones.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Threshold {
    pub value: f64,
    pub inclusive: bool,
}

impl Threshold {
    const fn inclusive(value: f64) -> Threshold {
        Threshold {
            value,
            inclusive: true,
        }
    }

    const fn strict(value: f64) -> Threshold {
        Threshold {
            value,
            inclusive: false,
        }
    }

    fn above(self, x: f64) -> bool {
        if self.inclusive {
            x >= self.value
        } else {
            x > self.value
        }
    }

    fn below(self, x: f64) -> bool {
        if self.inclusive {
            x <= self.value
        } else {
            x < self.value
        }
    }
}

/// The settings of one reading of HLH-2004 (units canonical: °C, mmol/L, g/L, µg/L, U/mL).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Hlh2004Settings {
    /// The criteria required, of 8.
    pub required: usize,
    /// Fever: temperature above (≥ when inclusive) this.
    pub fever: Threshold,
    pub triglycerides: Threshold,
    pub fibrinogen: Threshold,
    pub ferritin: Threshold,
    pub scd25: Threshold,
}

/// The named readings of HLH-2004 (docs/criteria/hlh2004.md, "Presets").
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Preset {
    /// Henter 2007 as tabulated, fever ≥ 38.5 °C, 5 of 8 (the default).
    Henter2007,
    /// As Henter 2007 with 4 of 8 (adult and ICU practice: Marseille, Charité).
    FourOfEight,
    /// The strict operators of several reproductions (AAP Pediatrics table; J Intensive Care Soc 2018;
    /// PMC8212354): TG > 265 mg/dL, fibrinogen < 150 mg/dL, ferritin > 500, sCD25 > 2400.
    StrictOperators,
    /// Fever ≥ 38.3 °C (PMC7340087), otherwise Henter 2007.
    Fever38_3,
    /// The Charité ICU optimum: fever ≥ 38.2 °C, ferritin ≥ 3000 µg/L, 4 of 8 (Knaak, Crit Care 2020).
    CharityIcu,
}

impl Preset {
    pub const ALL: [Preset; 5] = [
        Preset::Henter2007,
        Preset::FourOfEight,
        Preset::StrictOperators,
        Preset::Fever38_3,
        Preset::CharityIcu,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Preset::Henter2007 => "henter2007",
            Preset::FourOfEight => "four_of_eight",
            Preset::StrictOperators => "strict_operators",
            Preset::Fever38_3 => "fever_38_3",
            Preset::CharityIcu => "charite_icu",
        }
    }

    pub fn from_name(name: &str) -> Option<Preset> {
        Preset::ALL.into_iter().find(|p| p.name() == name)
    }

    pub fn settings(self) -> Hlh2004Settings {
        let henter = Hlh2004Settings {
            required: 5,
            fever: Threshold::inclusive(38.5),
            triglycerides: Threshold::inclusive(3.0),
            fibrinogen: Threshold::inclusive(1.5),
            ferritin: Threshold::inclusive(500.0),
            scd25: Threshold::inclusive(2400.0),
        };
        match self {
            Preset::Henter2007 => henter,
            Preset::FourOfEight => Hlh2004Settings {
                required: 4,
                ..henter
            },
            Preset::StrictOperators => Hlh2004Settings {
                // 265 mg/dL, converted as every triglyceride value is (÷ 88.57).
                triglycerides: Threshold::strict(265.0 / 88.57),
                fibrinogen: Threshold::strict(1.5),
                ferritin: Threshold::strict(500.0),
                scd25: Threshold::strict(2400.0),
                ..henter
            },
            Preset::Fever38_3 => Hlh2004Settings {
                fever: Threshold::inclusive(38.3),
                ..henter
            },
            Preset::CharityIcu => Hlh2004Settings {
                required: 4,
                fever: Threshold::inclusive(38.2),
                ferritin: Threshold::inclusive(3000.0),
                ..henter
            },
        }
    }
}

impl Default for Hlh2004Settings {
    fn default() -> Hlh2004Settings {
        Preset::Henter2007.settings()
    }
}

/// One of the eight criteria.
#[derive(Debug, Clone, PartialEq)]
pub struct Criterion {
    pub criterion: &'static str,
    pub status: Status,
    /// The value it was judged on (a lab value, or the number of low lineages for cytopenias).
    pub value: Option<f64>,
    pub unit: Option<&'static str>,
}

/// The diagnosis.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Diagnosis {
    Met,
    NotMet,
    Indeterminate,
}

impl Diagnosis {
    pub fn name(self) -> &'static str {
        match self {
            Diagnosis::Met => "met",
            Diagnosis::NotMet => "not_met",
            Diagnosis::Indeterminate => "indeterminate",
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Hlh2004 {
    pub criteria: Vec<Criterion>,
    /// A molecular diagnosis consistent with HLH (diagnostic on its own).
    pub molecular: Status,
    pub met: usize,
    pub not_met: usize,
    pub unknown: usize,
    /// `met`; and `met + unknown`.
    pub count_min: usize,
    pub count_max: usize,
    pub required: usize,
    /// Criterion (1) or (2) of the guideline: a molecular diagnosis, or at least `required` of the
    /// eight criteria. Without a molecular test (the rule in adults) it can be `not_met` only when the
    /// test is known to be negative.
    pub diagnosis: Diagnosis,
    /// Criterion (2) alone, the eight clinical and laboratory criteria: `met` with at least `required`
    /// met, `not_met` when fewer than `required` can be met, else `indeterminate`.
    pub clinical_diagnosis: Diagnosis,
}

impl Hlh2004 {
    /// How many of the eight criteria are known (met or not met).
    pub fn evaluated(&self) -> usize {
        self.met + self.not_met
    }
}

/// Haemoglobin low: < 9.0 g/dL (90 g/L), < 10.0 g/dL in infants under 4 weeks (age × 365.25 < 28 days).
/// Between 9.0 and 10.0 the age decides, and an unknown age leaves it unknown.
fn hemoglobin_low(hemoglobin: Option<f64>, age_years: Option<f64>) -> Status {
    let Some(hb) = hemoglobin else {
        return Status::Unknown;
    };
    if hb < 9.0 {
        return Status::Met;
    }
    if hb >= 10.0 {
        return Status::NotMet;
    }
    match age_years {
        Some(age) => Status::from_finding(Some(age * 365.25 < 28.0)),
        None => Status::Unknown,
    }
}

pub fn hlh2004(findings: &Findings, settings: &Hlh2004Settings) -> Hlh2004 {
    let temperature = findings.lab(Analyte::Temperature);
    let fever = match temperature {
        Some(celsius) => Status::from_finding(Some(settings.fever.above(celsius))),
        None => Status::from_finding(findings.febrile),
    };
    let lineages = [
        hemoglobin_low(findings.lab(Analyte::Hemoglobin), findings.age_years),
        Status::test(findings.lab(Analyte::Platelets), |v| v < 100.0),
        Status::test(findings.lab(Analyte::Neutrophils), |v| v < 1.0),
    ];
    let low_lineages = lineages.iter().filter(|&&s| s == Status::Met).count() as f64;
    let triglycerides = Status::test(findings.lab(Analyte::Triglycerides), |v| {
        settings.triglycerides.above(v)
    });
    let fibrinogen = Status::test(findings.lab(Analyte::Fibrinogen), |v| {
        settings.fibrinogen.below(v)
    });
    let criteria = vec![
        Criterion {
            criterion: "fever",
            status: fever,
            value: temperature,
            unit: temperature.map(|_| "Cel"),
        },
        Criterion {
            criterion: "splenomegaly",
            status: Status::from_finding(findings.splenomegaly),
            value: None,
            unit: None,
        },
        Criterion {
            criterion: "cytopenias",
            status: at_least(2, &lineages),
            value: Some(low_lineages),
            unit: Some("lineages"),
        },
        Criterion {
            criterion: "triglycerides_or_fibrinogen",
            status: triglycerides.or(fibrinogen),
            value: findings.lab(Analyte::Triglycerides),
            unit: findings.lab(Analyte::Triglycerides).map(|_| "mmol/L"),
        },
        Criterion {
            criterion: "hemophagocytosis",
            status: Status::from_finding(findings.bm_hemophagocytosis),
            value: None,
            unit: None,
        },
        Criterion {
            criterion: "nk_activity",
            status: Status::from_finding(findings.nk_activity_low),
            value: None,
            unit: None,
        },
        Criterion {
            criterion: "ferritin",
            status: Status::test(findings.lab(Analyte::Ferritin), |v| {
                settings.ferritin.above(v)
            }),
            value: findings.lab(Analyte::Ferritin),
            unit: Some("ug/L"),
        },
        Criterion {
            criterion: "scd25",
            status: Status::test(findings.lab(Analyte::Scd25), |v| settings.scd25.above(v)),
            value: findings.lab(Analyte::Scd25),
            unit: Some("U/mL"),
        },
    ];
    let count = |status| criteria.iter().filter(|c| c.status == status).count();
    let (met, not_met, unknown) = (
        count(Status::Met),
        count(Status::NotMet),
        count(Status::Unknown),
    );
    let molecular = Status::from_finding(findings.molecular_hlh);
    let clinical_diagnosis = if met >= settings.required {
        Diagnosis::Met
    } else if met + unknown < settings.required {
        Diagnosis::NotMet
    } else {
        Diagnosis::Indeterminate
    };
    // Criterion (1) of the guideline, a molecular diagnosis, decides alone when present; known absent, it
    // leaves the clinical verdict; unknown (as in almost every adult), it can only raise it.
    let diagnosis = match (clinical_diagnosis, molecular) {
        (_, Status::Met) | (Diagnosis::Met, _) => Diagnosis::Met,
        (Diagnosis::NotMet, Status::NotMet) => Diagnosis::NotMet,
        _ => Diagnosis::Indeterminate,
    };
    Hlh2004 {
        criteria,
        molecular,
        met,
        not_met,
        unknown,
        count_min: met,
        count_max: met + unknown,
        required: settings.required,
        diagnosis,
        clinical_diagnosis,
    }
}
