//! Every score of one patient at once, as `hlh score` and the web app's bedside form give them: one
//! function, so that both front ends score alike.

use crate::hlh2004::{hlh2004, Hlh2004, Hlh2004Settings};
use crate::hscore::{hscore, HScore, HScoreSettings, UnitMode};
use crate::mas2016::{mas2016, Mas2016};
use crate::ms_score::{ms_score, MsScore, Population};
use crate::ohi::{ohi, Ohi, OhiOperator};
use crate::Findings;

/// How the bedside scores are read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BedsideSettings {
    /// The HScore's secondary-unit thresholds (°F, mg/dL), as bedside calculators apply them.
    pub typed_units: bool,
    /// The population the MS score is read in.
    pub ms_population: Population,
}

impl Default for BedsideSettings {
    fn default() -> BedsideSettings {
        BedsideSettings {
            typed_units: false,
            ms_population: Population::Sjia,
        }
    }
}

/// The five scores of one patient.
#[derive(Debug, Clone)]
pub struct EveryScore {
    pub hscore: HScore,
    pub hlh2004: Hlh2004,
    pub ohi: Ohi,
    pub mas2016: Mas2016,
    pub ms_score: MsScore,
}

/// Scores one patient's findings with each score's published settings (HScore cut-off 169, HLH-2004
/// five of eight, the strict OHI reading).
pub fn every_score(findings: &Findings, settings: BedsideSettings) -> EveryScore {
    let hscore_settings = HScoreSettings {
        unit_mode: if settings.typed_units {
            UnitMode::Typed
        } else {
            UnitMode::Canonical
        },
        ..HScoreSettings::default()
    };
    EveryScore {
        hscore: hscore(findings, &hscore_settings),
        hlh2004: hlh2004(findings, &Hlh2004Settings::default()),
        ohi: ohi(findings, OhiOperator::Strict),
        mas2016: mas2016(findings),
        ms_score: ms_score(findings, settings.ms_population),
    }
}
