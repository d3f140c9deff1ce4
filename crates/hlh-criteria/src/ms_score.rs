//! The MS score for macrophage activation syndrome in systemic JIA.
//!
//! Source: Minoia F, Bovis F, Davì S, et al. Development and initial validation of the MS score for
//! diagnosis of macrophage activation syndrome in systemic juvenile idiopathic arthritis. Ann Rheum Dis
//! 2019;78(10):1357–62, doi:10.1136/annrheumdis-2019-215211.
//!
//! MS = 2.44·CNS + 1.54·haemorrhage − 1.30·active arthritis − 0.003·platelets (10⁹/L) + 0.001·LDH (U/L)
//! − 0.004·fibrinogen (mg/dL) + 0.0001·ferritin (ng/mL); no intercept; "consider MAS" at MS ≥ −2.1.
//! Fibrinogen enters in mg/dL: the canonical g/L is multiplied by 100 here. The score applies to patients
//! with sJIA only, and has no value while a laboratory input is unknown. Readings:
//! docs/criteria/ms-score.md.

use hlh_model::Analyte;

use crate::findings::Findings;

/// The population the score is read in: where it was derived (sJIA), or adult-onset Still's disease
/// with the cut-off found there. The score is given only to a patient known to belong to it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Population {
    /// Minoia, Ann Rheum Dis 2019: consider MAS at MS ≥ −2.1.
    #[default]
    Sjia,
    /// Yao H, Wang Y, Wang Z, et al. Clin Exp Rheumatol 2021, doi:10.55563/clinexprheumatol/k7ri2l:
    /// in 56 AOSD patients with MAS and 112 without, MS ≥ −1.74 discriminated best (sensitivity
    /// 93.5 %, specificity 92.6 %; at −2.1 the specificity was 76.6 %).
    Aosd,
}

impl Population {
    pub fn name(self) -> &'static str {
        match self {
            Population::Sjia => "sjia",
            Population::Aosd => "aosd",
        }
    }

    pub fn from_name(name: &str) -> Option<Population> {
        [Population::Sjia, Population::Aosd]
            .into_iter()
            .find(|population| population.name() == name)
    }

    /// Consider MAS at or above it.
    pub fn cutoff(self) -> f64 {
        match self {
            Population::Sjia => -2.1,
            Population::Aosd => -1.74,
        }
    }

    /// Where the cut-off comes from.
    pub fn source(self) -> &'static str {
        match self {
            Population::Sjia => "Minoia, Ann Rheum Dis 2019;78:1357 (systemic JIA)",
            Population::Aosd => "Yao, Clin Exp Rheumatol 2021, doi:10.55563/clinexprheumatol/k7ri2l (adult-onset Still's disease)",
        }
    }

    /// Whether the findings place the patient in the population.
    fn includes(self, findings: &Findings) -> bool {
        match self {
            Population::Sjia => findings.sjia == Some(true),
            Population::Aosd => findings.aosd == Some(true),
        }
    }
}

/// The verdict against the cut-off.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    ConsiderMas,
    BelowCutoff,
    /// The unknown clinical items decide.
    Unknown,
    /// The score was derived and validated in systemic JIA only: for a patient not known to have it
    /// (`sjia` not `true`), it is not given.
    NotApplicable,
    /// A laboratory input is unknown: letting it take any possible value would make the range
    /// meaningless (LDH alone spans 50 points), so there is no value.
    NotComputable,
}

impl Verdict {
    pub fn name(self) -> &'static str {
        match self {
            Verdict::ConsiderMas => "consider_mas",
            Verdict::BelowCutoff => "below_cutoff",
            Verdict::Unknown => "unknown",
            Verdict::NotApplicable => "not_applicable",
            Verdict::NotComputable => "not_computable",
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct MsScore {
    /// The value, when the score applies and every laboratory input is known.
    pub value: Option<MsValue>,
    pub cutoff: f64,
    /// The population it was read in (the cut-off is that population's).
    pub population: Population,
    pub verdict: Verdict,
    /// The items not known.
    pub unknown: Vec<&'static str>,
}

impl MsScore {
    /// The score in a sentence for a reader (`MS score: −1.2 (range −1.2 to 0.1; unknown: …): …`), or
    /// `None` when it does not apply (each front end says how to make it apply).
    pub fn described(&self) -> Option<String> {
        match (self.value, self.verdict) {
            (Some(value), _) => {
                let range = if self.unknown.is_empty() {
                    String::new()
                } else {
                    format!(
                        " (range {} to {}; unknown: {})",
                        printed(value.min),
                        printed(value.max),
                        self.unknown.join(", ")
                    )
                };
                Some(format!(
                    "MS score: {}{range}: {} (cut-off ≥ {}, {})",
                    printed(value.score),
                    self.verdict.name(),
                    printed(self.cutoff),
                    self.population.source()
                ))
            }
            (None, Verdict::NotComputable) => Some(format!(
                "MS score: not computable without {} (a laboratory input of the formula)",
                self.unknown.join(", ")
            )),
            (None, _) => None,
        }
    }
}

/// A value of the score for a reader: at most three decimals, a typographic minus.
fn printed(value: f64) -> String {
    let text = format!("{value:.3}");
    text.trim_end_matches('0')
        .trim_end_matches('.')
        .replace('-', "\u{2212}")
}

/// The score on the data given and its range over the unknown clinical items (each 0 or 1).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MsValue {
    /// Unknown clinical items contributing 0.
    pub score: f64,
    pub min: f64,
    pub max: f64,
}

/// The laboratory inputs, without which the score has no value.
const LABORATORY_TERMS: [&str; 4] = ["platelets", "ldh", "fibrinogen", "ferritin"];

/// A term of the score: its name, its coefficient and its value if known.
struct Term {
    name: &'static str,
    coefficient: f64,
    value: Option<f64>,
}

/// The MS score of a patient of `population` (sJIA unless a use in AOSD is asked for); an unknown
/// clinical item (0 or 1) widens the range, an unknown laboratory input leaves the score without a value.
pub fn ms_score(findings: &Findings, population: Population) -> MsScore {
    let flag = |finding: Option<bool>| finding.map(|f| f64::from(u8::from(f)));
    let terms = [
        Term {
            name: "cns_involvement",
            coefficient: 2.44,
            value: flag(findings.cns_involvement),
        },
        Term {
            name: "hemorrhage",
            coefficient: 1.54,
            value: flag(findings.hemorrhage),
        },
        Term {
            name: "active_arthritis",
            coefficient: -1.30,
            value: flag(findings.active_arthritis),
        },
        Term {
            name: "platelets",
            coefficient: -0.003,
            value: findings.lab(Analyte::Platelets),
        },
        Term {
            name: "ldh",
            coefficient: 0.001,
            value: findings.lab(Analyte::Ldh),
        },
        Term {
            name: "fibrinogen",
            coefficient: -0.004,
            value: findings
                .lab(Analyte::Fibrinogen)
                .map(|g_per_l| g_per_l * 100.0),
        },
        Term {
            name: "ferritin",
            coefficient: 0.0001,
            value: findings.lab(Analyte::Ferritin),
        },
    ];
    let (mut score, mut min, mut max) = (0.0, 0.0, 0.0);
    let mut unknown = Vec::new();
    for term in &terms {
        match term.value {
            Some(value) => {
                let contribution = term.coefficient * value;
                score += contribution;
                min += contribution;
                max += contribution;
            }
            // A clinical item is 0 or 1; an unknown laboratory input leaves no value (below), so the
            // bounds matter only for the clinical items.
            None => {
                unknown.push(term.name);
                min += term.coefficient.min(0.0);
                max += term.coefficient.max(0.0);
            }
        }
    }
    let cutoff = population.cutoff();
    let (value, verdict) = if !population.includes(findings) {
        (None, Verdict::NotApplicable)
    } else if unknown.iter().any(|name| LABORATORY_TERMS.contains(name)) {
        (None, Verdict::NotComputable)
    } else {
        (Some(MsValue { score, min, max }), verdict(min, max, cutoff))
    };
    MsScore {
        value,
        cutoff,
        population,
        verdict,
        unknown,
    }
}

/// The verdict of a score that lies in [min, max]: "consider MAS" when even `min` reaches the cut-off
/// (inclusive), "below the cut-off" when even `max` does not, otherwise unknown.
pub fn verdict(min: f64, max: f64, cutoff: f64) -> Verdict {
    if min >= cutoff {
        Verdict::ConsiderMas
    } else if max < cutoff {
        Verdict::BelowCutoff
    } else {
        Verdict::Unknown
    }
}
