//! The analysis protocol: every default of the analysis contract §1 as a named setting, overridable from
//! TOML (`--protocol FILE` or the `[protocol]` table of study.toml). Unknown settings are errors.

use hlh_criteria::hlh2004::Preset;
use hlh_model::Drug;
use hlh_stats::proportion::ProportionMethod;
use hlh_stats::survival::ConfType;
use hlh_stats::QuantileType;
use serde_json::{json, Value};

/// Where the response verdict comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ResponseSource {
    /// From the data: fever, CRP, ferritin, survival, no inefficacy or rescue (contract §1).
    Derived,
    /// From the clinician's `response_assessment` event.
    Recorded,
}

/// The paired test quoted in the abstract-style summary (both are always reported).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PrimaryPairedTest {
    PairedT,
    Wilcoxon,
}

/// Every setting of an analysis, with the defaults of the analysis contract §1.
#[derive(Debug, Clone, PartialEq)]
pub struct Protocol {
    /// `index_drug`: Day 0 is its first administration.
    pub index_drug: Drug,
    /// `hlh_directed_drugs`: for first-line and monotherapy; `corticosteroids` covers every steroid.
    pub hlh_directed_drugs: Vec<Drug>,
    /// `days.day0_window`: the Day-0 value is that of the latest day with a result in this window.
    pub day0_window: (i32, i32),
    /// `days.day7_window` and `days.day7_target`: the day in the window closest to the target, the
    /// earlier on a tie.
    pub day7_window: (i32, i32),
    pub day7_target: i32,
    /// `scores.window`: days around the diagnosis date whose worst values feed the scores.
    pub scores_window: (i32, i32),
    /// `scores.hscore_cutoff`.
    pub hscore_cutoff: u32,
    /// `scores.hlh2004_preset` and `scores.hlh2004_required`.
    pub hlh2004_preset: Preset,
    pub hlh2004_required: usize,
    /// `fever.threshold_celsius`: fever is a temperature at or above this.
    pub fever_threshold_celsius: f64,
    /// `fever.baseline_days`: febrile at baseline when a fever is recorded on one of these days.
    pub fever_baseline_days: (i32, i32),
    /// `fever.sustained_days`: afebrile days needed to call the fever resolved.
    pub fever_sustained_days: i32,
    /// `fever.resolved_by_day`.
    pub fever_resolved_by_day: i32,
    /// `response.source`.
    pub response_source: ResponseSource,
    /// `response.rescue_drugs`: started in (Day 0, Day 7], they make the patient a non-responder.
    pub rescue_drugs: Vec<Drug>,
    /// `response.recorded_window`: where a recorded assessment is read.
    pub recorded_window: (i32, i32),
    /// `response.day`: the day the response is judged at: death on or before it, an inefficacy stop
    /// before it, or a rescue drug started in (Day 0, it] fails the response.
    pub response_day: i32,
    /// `stats.quantile_type`.
    pub quantile_type: QuantileType,
    /// `stats.proportion_ci`.
    pub proportion_ci: ProportionMethod,
    /// `stats.primary_paired_test`.
    pub primary_paired_test: PrimaryPairedTest,
    /// `stats.km_conf_type`.
    pub km_conf_type: ConfType,
    /// `stats.confidence`.
    pub confidence: f64,
}

impl Default for Protocol {
    fn default() -> Protocol {
        Protocol {
            index_drug: Drug::Anakinra,
            hlh_directed_drugs: vec![
                Drug::Corticosteroids,
                Drug::Ivig,
                Drug::Etoposide,
                Drug::Ciclosporin,
                Drug::Ruxolitinib,
                Drug::Emapalumab,
                Drug::Tocilizumab,
                Drug::Canakinumab,
            ],
            day0_window: (-2, 0),
            day7_window: (5, 9),
            day7_target: 7,
            scores_window: (-3, 3),
            hscore_cutoff: 169,
            hlh2004_preset: Preset::Henter2007,
            hlh2004_required: 5,
            fever_threshold_celsius: 38.0,
            fever_baseline_days: (-1, 0),
            fever_sustained_days: 2,
            fever_resolved_by_day: 7,
            response_source: ResponseSource::Derived,
            rescue_drugs: vec![Drug::Etoposide, Drug::Emapalumab, Drug::Ruxolitinib],
            recorded_window: (0, 14),
            response_day: 7,
            quantile_type: QuantileType::Type7,
            proportion_ci: ProportionMethod::Wilson,
            primary_paired_test: PrimaryPairedTest::PairedT,
            km_conf_type: ConfType::LogLog,
            confidence: 0.95,
        }
    }
}

impl Protocol {
    /// Whether `drug` is HLH-directed under this protocol (the index drug never is).
    pub fn is_hlh_directed(&self, drug: Drug) -> bool {
        drug != self.index_drug
            && self
                .hlh_directed_drugs
                .iter()
                .any(|&d| d == drug || (d == Drug::Corticosteroids && drug.is_corticosteroid()))
    }

    /// Applies the settings of a TOML table (a `[protocol]` table or a protocol file), collecting every
    /// problem: unknown settings, wrong types, values out of their domain.
    pub fn apply(&mut self, table: &toml::Table, origin: &str) -> Result<(), Vec<String>> {
        let mut errors = Vec::new();
        for (key, value) in table {
            match (key.as_str(), value) {
                ("index_drug", value) => {
                    set(&mut errors, origin, key, value, drug, &mut self.index_drug)
                }
                ("hlh_directed_drugs", value) => set(
                    &mut errors,
                    origin,
                    key,
                    value,
                    drug_list,
                    &mut self.hlh_directed_drugs,
                ),
                (
                    section @ ("days" | "scores" | "fever" | "response" | "stats"),
                    toml::Value::Table(inner),
                ) => {
                    for (inner_key, value) in inner {
                        let name = format!("{section}.{inner_key}");
                        self.apply_one(&mut errors, origin, &name, value);
                    }
                }
                _ => errors.push(format!(
                    "{origin}: unknown protocol setting {key:?}; the settings are {}",
                    SETTINGS.join(", ")
                )),
            }
        }
        if errors.is_empty() {
            Ok(())
        } else {
            Err(errors)
        }
    }

    fn apply_one(
        &mut self,
        errors: &mut Vec<String>,
        origin: &str,
        name: &str,
        value: &toml::Value,
    ) {
        match name {
            "days.day0_window" => set(
                errors,
                origin,
                name,
                value,
                day_window,
                &mut self.day0_window,
            ),
            "days.day7_window" => set(
                errors,
                origin,
                name,
                value,
                day_window,
                &mut self.day7_window,
            ),
            "days.day7_target" => set(errors, origin, name, value, day, &mut self.day7_target),
            "scores.window" => set(
                errors,
                origin,
                name,
                value,
                day_window,
                &mut self.scores_window,
            ),
            "scores.hscore_cutoff" => set(
                errors,
                origin,
                name,
                value,
                |v| whole(v, 0, 337).map(|c| c as u32),
                &mut self.hscore_cutoff,
            ),
            "scores.hlh2004_preset" => set(
                errors,
                origin,
                name,
                value,
                preset,
                &mut self.hlh2004_preset,
            ),
            "scores.hlh2004_required" => set(
                errors,
                origin,
                name,
                value,
                |v| whole(v, 1, 8).map(|k| k as usize),
                &mut self.hlh2004_required,
            ),
            "fever.threshold_celsius" => set(
                errors,
                origin,
                name,
                value,
                |v| real(v, 35.0, 42.0),
                &mut self.fever_threshold_celsius,
            ),
            "fever.baseline_days" => set(
                errors,
                origin,
                name,
                value,
                day_window,
                &mut self.fever_baseline_days,
            ),
            "fever.sustained_days" => set(
                errors,
                origin,
                name,
                value,
                |v| whole(v, 1, 30).map(|d| d as i32),
                &mut self.fever_sustained_days,
            ),
            "fever.resolved_by_day" => set(
                errors,
                origin,
                name,
                value,
                day,
                &mut self.fever_resolved_by_day,
            ),
            "response.source" => set(
                errors,
                origin,
                name,
                value,
                response_source,
                &mut self.response_source,
            ),
            "response.rescue_drugs" => set(
                errors,
                origin,
                name,
                value,
                drug_list,
                &mut self.rescue_drugs,
            ),
            "response.recorded_window" => set(
                errors,
                origin,
                name,
                value,
                day_window,
                &mut self.recorded_window,
            ),
            "response.day" => set(errors, origin, name, value, day, &mut self.response_day),
            "stats.quantile_type" => set(
                errors,
                origin,
                name,
                value,
                |v| {
                    whole(v, 1, 9).and_then(|t| {
                        QuantileType::from_number(t as u8).ok_or_else(|| "1 to 9".into())
                    })
                },
                &mut self.quantile_type,
            ),
            "stats.proportion_ci" => set(
                errors,
                origin,
                name,
                value,
                proportion_method,
                &mut self.proportion_ci,
            ),
            "stats.primary_paired_test" => set(
                errors,
                origin,
                name,
                value,
                primary_test,
                &mut self.primary_paired_test,
            ),
            "stats.km_conf_type" => set(
                errors,
                origin,
                name,
                value,
                conf_type,
                &mut self.km_conf_type,
            ),
            "stats.confidence" => set(
                errors,
                origin,
                name,
                value,
                |v| real(v, 0.5, 0.999),
                &mut self.confidence,
            ),
            _ => errors.push(format!(
                "{origin}: unknown protocol setting {name:?}; the settings are {}",
                SETTINGS.join(", ")
            )),
        }
    }

    /// The resolved protocol, every setting with its value, for the analysis JSON and the methods text.
    pub fn to_json(&self) -> Value {
        let drugs = |list: &[Drug]| list.iter().map(|d| d.name()).collect::<Vec<_>>();
        json!({
            "index_drug": self.index_drug.name(),
            "hlh_directed_drugs": drugs(&self.hlh_directed_drugs),
            "days": {
                "day0_window": [self.day0_window.0, self.day0_window.1],
                "day7_window": [self.day7_window.0, self.day7_window.1],
                "day7_target": self.day7_target,
            },
            "scores": {
                "window": [self.scores_window.0, self.scores_window.1],
                "hscore_cutoff": self.hscore_cutoff,
                "hlh2004_preset": self.hlh2004_preset.name(),
                "hlh2004_required": self.hlh2004_required,
            },
            "fever": {
                "threshold_celsius": self.fever_threshold_celsius,
                "baseline_days": [self.fever_baseline_days.0, self.fever_baseline_days.1],
                "sustained_days": self.fever_sustained_days,
                "resolved_by_day": self.fever_resolved_by_day,
            },
            "response": {
                "source": match self.response_source { ResponseSource::Derived => "derived", ResponseSource::Recorded => "recorded" },
                "rescue_drugs": drugs(&self.rescue_drugs),
                "recorded_window": [self.recorded_window.0, self.recorded_window.1],
                "day": self.response_day,
            },
            "stats": {
                "quantile_type": self.quantile_type.number(),
                "proportion_ci": self.proportion_ci.name(),
                "primary_paired_test": match self.primary_paired_test { PrimaryPairedTest::PairedT => "paired_t", PrimaryPairedTest::Wilcoxon => "wilcoxon" },
                "km_conf_type": self.km_conf_type.name(),
                "confidence": self.confidence,
            },
        })
    }
}

/// Every setting's name, for messages.
pub const SETTINGS: [&str; 22] = [
    "index_drug",
    "hlh_directed_drugs",
    "days.day0_window",
    "days.day7_window",
    "days.day7_target",
    "scores.window",
    "scores.hscore_cutoff",
    "scores.hlh2004_preset",
    "scores.hlh2004_required",
    "fever.threshold_celsius",
    "fever.baseline_days",
    "fever.sustained_days",
    "fever.resolved_by_day",
    "response.source",
    "response.rescue_drugs",
    "response.recorded_window",
    "response.day",
    "stats.quantile_type",
    "stats.proportion_ci",
    "stats.primary_paired_test",
    "stats.km_conf_type",
    "stats.confidence",
];

fn set<T>(
    errors: &mut Vec<String>,
    origin: &str,
    name: &str,
    value: &toml::Value,
    parse: impl Fn(&toml::Value) -> Result<T, String>,
    slot: &mut T,
) {
    match parse(value) {
        Ok(parsed) => *slot = parsed,
        Err(expected) => errors.push(format!(
            "{origin}: protocol setting {name} = {value}: expected {expected}"
        )),
    }
}

fn whole(value: &toml::Value, min: i64, max: i64) -> Result<i64, String> {
    value
        .as_integer()
        .filter(|v| (min..=max).contains(v))
        .ok_or_else(|| format!("a whole number from {min} to {max}"))
}

fn real(value: &toml::Value, min: f64, max: f64) -> Result<f64, String> {
    let number = value
        .as_float()
        .or_else(|| value.as_integer().map(|i| i as f64));
    number
        .filter(|v| (min..=max).contains(v))
        .ok_or_else(|| format!("a number from {min} to {max}"))
}

fn day(value: &toml::Value) -> Result<i32, String> {
    whole(value, -365, 365).map(|d| d as i32)
}

fn day_window(value: &toml::Value) -> Result<(i32, i32), String> {
    let expected =
        || "a window of two days [first, last] with first ≤ last, e.g. [-2, 0]".to_string();
    let items = value.as_array().ok_or_else(expected)?;
    match items.as_slice() {
        [first, last] => {
            let (first, last) = (
                day(first).map_err(|_| expected())?,
                day(last).map_err(|_| expected())?,
            );
            if first <= last {
                Ok((first, last))
            } else {
                Err(expected())
            }
        }
        _ => Err(expected()),
    }
}

fn drug(value: &toml::Value) -> Result<Drug, String> {
    value
        .as_str()
        .and_then(Drug::from_name)
        .ok_or_else(|| format!("a drug: {}", Drug::expected_list()))
}

fn drug_list(value: &toml::Value) -> Result<Vec<Drug>, String> {
    let items = value
        .as_array()
        .ok_or_else(|| "a list of drugs".to_string())?;
    items.iter().map(drug).collect()
}

fn preset(value: &toml::Value) -> Result<Preset, String> {
    let names: Vec<&str> = Preset::ALL.iter().map(|p| p.name()).collect();
    value
        .as_str()
        .and_then(Preset::from_name)
        .ok_or_else(|| format!("one of {}", names.join(", ")))
}

fn response_source(value: &toml::Value) -> Result<ResponseSource, String> {
    match value.as_str() {
        Some("derived") => Ok(ResponseSource::Derived),
        Some("recorded") => Ok(ResponseSource::Recorded),
        _ => Err("\"derived\" or \"recorded\"".into()),
    }
}

fn proportion_method(value: &toml::Value) -> Result<ProportionMethod, String> {
    match value.as_str() {
        Some("wilson") => Ok(ProportionMethod::Wilson),
        Some("clopper-pearson") => Ok(ProportionMethod::ClopperPearson),
        _ => Err("\"wilson\" or \"clopper-pearson\"".into()),
    }
}

fn primary_test(value: &toml::Value) -> Result<PrimaryPairedTest, String> {
    match value.as_str() {
        Some("paired_t") => Ok(PrimaryPairedTest::PairedT),
        Some("wilcoxon") => Ok(PrimaryPairedTest::Wilcoxon),
        _ => Err("\"paired_t\" or \"wilcoxon\"".into()),
    }
}

fn conf_type(value: &toml::Value) -> Result<ConfType, String> {
    value
        .as_str()
        .and_then(ConfType::from_name)
        .ok_or_else(|| "\"plain\", \"log\" or \"log-log\"".into())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table(text: &str) -> toml::Table {
        text.parse().unwrap()
    }

    #[test]
    fn settings_override_the_defaults() {
        let mut protocol = Protocol::default();
        protocol
            .apply(&table("[fever]\nsustained_days = 3\nthreshold_celsius = 38.3\n[stats]\nprimary_paired_test = \"wilcoxon\"\n"), "p.toml")
            .unwrap();
        assert_eq!(
            (
                protocol.fever_sustained_days,
                protocol.fever_threshold_celsius
            ),
            (3, 38.3)
        );
        assert_eq!(protocol.primary_paired_test, PrimaryPairedTest::Wilcoxon);
        assert_eq!(
            protocol.day7_window,
            (5, 9),
            "untouched settings keep their default"
        );
    }

    #[test]
    fn unknown_and_invalid_settings_are_all_reported() {
        let mut protocol = Protocol::default();
        let errors = protocol
            .apply(
                &table(
                    "fever_days = 2\n[fever]\nsustained_days = 0\n[days]\nday0_window = [0, -2]\n",
                ),
                "p.toml",
            )
            .unwrap_err();
        assert_eq!(errors.len(), 3, "{errors:?}");
        assert!(errors
            .iter()
            .any(|e| e.contains("unknown protocol setting \"fever_days\"")));
        assert!(errors
            .iter()
            .any(|e| e.contains("fever.sustained_days = 0")));
        assert!(errors.iter().any(|e| e.contains("days.day0_window")));
    }

    #[test]
    fn corticosteroids_cover_every_steroid_but_never_the_index_drug() {
        let protocol = Protocol::default();
        assert!(protocol.is_hlh_directed(Drug::Dexamethasone));
        assert!(protocol.is_hlh_directed(Drug::Etoposide));
        assert!(!protocol.is_hlh_directed(Drug::Anakinra));
        assert!(!protocol.is_hlh_directed(Drug::Antimicrobial));
        assert!(!protocol.is_hlh_directed(Drug::Rituximab));
    }

    #[test]
    fn every_setting_is_echoed() {
        let echoed = Protocol::default().to_json();
        for name in SETTINGS {
            let mut value = &echoed;
            for part in name.split('.') {
                value = &value[part];
            }
            assert!(!value.is_null(), "{name} is not echoed");
        }
    }
}
