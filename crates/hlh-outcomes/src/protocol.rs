//! The analysis protocol: every default of the analysis (docs/analysis-schema.md, "The protocol") as a named setting, overridable from
//! TOML (`--protocol FILE` or the `[protocol]` table of study.toml). Unknown settings are errors.

use hlh_criteria::hlh2004::Preset;
use hlh_criteria::hscore::HScoreSettings;
use hlh_model::Drug;
use hlh_stats::proportion::ProportionMethod;
use hlh_stats::survival::ConfType;
use hlh_stats::QuantileType;

use crate::compare::Grouping;
use serde_json::{json, Map, Value};

/// Where the response verdict comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ResponseSource {
    /// From the data: fever, CRP, ferritin, survival, no inefficacy or rescue (docs/analysis-schema.md, "Derivations").
    Derived,
    /// From the clinician's `response_assessment` event.
    Recorded,
}

/// What becomes of a Day-7 value drawn after a rescue drug started.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AfterRescue {
    Keep,
    Exclude,
}

impl AfterRescue {
    pub fn name(self) -> &'static str {
        match self {
            AfterRescue::Keep => "keep",
            AfterRescue::Exclude => "exclude",
        }
    }
}

/// What a co-intervention does to the response: an HLH-directed or disease-directed treatment newly
/// started in (Day 0, `response.day`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CoInterventions {
    /// Listed beside the responders; the response stands.
    Flag,
    /// Fails item (e): the improvement cannot be credited to the index drug alone.
    Fail,
}

impl CoInterventions {
    pub fn name(self) -> &'static str {
        match self {
            CoInterventions::Flag => "flag",
            CoInterventions::Fail => "fail",
        }
    }
}

/// How temperatures are placed in time (`fever.timing`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FeverTiming {
    /// By calendar day: baseline on `fever.baseline_days`, resolution from Day 0.
    Dates,
    /// By the clock where the first dose and the temperatures have times: baseline in the 24 hours
    /// before the first dose, resolution from the first reading after it.
    Clock,
}

impl FeverTiming {
    pub fn name(self) -> &'static str {
        match self {
            FeverTiming::Dates => "dates",
            FeverTiming::Clock => "clock",
        }
    }
}

/// What a fever recorded after resolution and by `fever.resolved_by_day` does (`fever.recurrence`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Recurrence {
    /// Counted and shown; the resolution stands.
    Ignore,
    /// Fails response item (a): the patient must stay afebrile up to the day the fever is judged.
    Fail,
}

impl Recurrence {
    pub fn name(self) -> &'static str {
        match self {
            Recurrence::Ignore => "ignore",
            Recurrence::Fail => "fail",
        }
    }
}

impl ResponseSource {
    pub fn name(self) -> &'static str {
        match self {
            ResponseSource::Derived => "derived",
            ResponseSource::Recorded => "recorded",
        }
    }
}

/// The paired test quoted in the abstract-style summary (both are always reported).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PrimaryPairedTest {
    PairedT,
    Wilcoxon,
}

impl PrimaryPairedTest {
    pub fn name(self) -> &'static str {
        match self {
            PrimaryPairedTest::PairedT => "paired_t",
            PrimaryPairedTest::Wilcoxon => "wilcoxon",
        }
    }

    /// As a sentence names it.
    pub fn label(self) -> &'static str {
        match self {
            PrimaryPairedTest::PairedT => "paired t-test",
            PrimaryPairedTest::Wilcoxon => "Wilcoxon signed-rank test",
        }
    }
}

/// Declares the settings once, as a table: for each, its field (with its meaning as the field's
/// documentation), its name in TOML and JSON, its default, how it is read and how it is echoed. From
/// the table come [`Protocol`], its `Default`, [`SETTINGS`], reading and echoing; nothing else names a
/// default.
macro_rules! protocol_settings {
    ($(
        $(#[doc = $doc:literal])+
        $field:ident: $type:ty = $default:expr,
            $name:literal, read: $read:expr, echo: $echo:expr;
    )+) => {
        /// Every setting of an analysis, with its default (docs/analysis-schema.md, "The protocol").
        #[derive(Debug, Clone, PartialEq)]
        pub struct Protocol {
            $( $(#[doc = $doc])+ pub $field: $type, )+
        }

        impl Default for Protocol {
            fn default() -> Protocol {
                Protocol { $( $field: $default, )+ }
            }
        }

        /// Every setting: its name (`section.key`), its meaning, in the order the JSON echoes them.
        pub const SETTINGS: &[Setting] = &[
            $( Setting { name: $name, doc: concat!($($doc),+) }, )+
        ];

        impl Protocol {
            /// Reads one setting by its full name; `None` for an unknown name, otherwise what was
            /// expected when the value is not valid.
            fn read_setting(&mut self, name: &str, value: &toml::Value) -> Option<Result<(), String>> {
                match name {
                    $( $name => Some(($read)(value).map(|parsed| self.$field = parsed)), )+
                    _ => None,
                }
            }

            /// Every setting's name and its value as JSON, in declaration order.
            pub fn echo(&self) -> Vec<(&'static str, Value)> {
                vec![ $( ($name, ($echo)(&self.$field)), )+ ]
            }
        }
    };
}

/// A setting of the protocol, for messages, documentation and forms.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Setting {
    /// `section.key`, or `key` for the top-level settings.
    pub name: &'static str,
    /// What the setting means.
    pub doc: &'static str,
}

fn drug_names(list: &[Drug]) -> Value {
    json!(list.iter().map(|d| d.name()).collect::<Vec<_>>())
}

fn window_json(window: &(i32, i32)) -> Value {
    json!([window.0, window.1])
}

protocol_settings! {
    /// Day 0 is the first administration of this drug.
    index_drug: Drug = Drug::Anakinra,
        "index_drug", read: drug, echo: |d: &Drug| json!(d.name());
    /// The drugs that count for first-line and monotherapy; `corticosteroids` covers every steroid.
    hlh_directed_drugs: Vec<Drug> = vec![
            Drug::Corticosteroids,
            Drug::Ivig,
            Drug::Etoposide,
            Drug::Ciclosporin,
            Drug::Ruxolitinib,
            Drug::Emapalumab,
            Drug::Tocilizumab,
            Drug::Canakinumab,
        ],
        "hlh_directed_drugs", read: drug_list, echo: |d: &Vec<Drug>| drug_names(d);
    /// The Day-0 value is that of the latest day with a result in this window.
    day0_window: (i32, i32) = (-2, 0),
        "days.day0_window", read: day_window, echo: window_json;
    /// The Day-7 value is that of the day in this window closest to `days.day7_target`.
    day7_window: (i32, i32) = (5, 9),
        "days.day7_window", read: day_window, echo: window_json;
    /// The day the Day-7 value aims at; the earlier day wins a tie.
    day7_target: i32 = 7,
        "days.day7_target", read: day, echo: |d: &i32| json!(d);
    /// Whether a Day-7 value drawn on or after the start of a rescue drug is left out of the paired
    /// comparison of its analyte (`"exclude"`) or kept (`"keep"`): the rescue drug, not the index drug,
    /// may have brought it down.
    day7_after_rescue: AfterRescue = AfterRescue::Keep,
        "days.day7_after_rescue", read: after_rescue, echo: |a: &AfterRescue| json!(a.name());
    /// Days around the diagnosis date whose worst values feed the scores.
    scores_window: (i32, i32) = (-3, 3),
        "scores.window", read: day_window, echo: window_json;
    /// HScore positive at or above this total (by default the published cut-off, declared with the score).
    hscore_cutoff: u32 = HScoreSettings::default().cutoff,
        "scores.hscore_cutoff", read: |v: &toml::Value| whole(v, 0, 337).map(|c| c as u32),
        echo: |c: &u32| json!(c);
    /// The reading of the HLH-2004 thresholds.
    hlh2004_preset: Preset = Preset::Henter2007,
        "scores.hlh2004_preset", read: preset, echo: |p: &Preset| json!(p.name());
    /// HLH-2004 met with this many of the eight criteria (or a molecular diagnosis); by default the
    /// number of the default reading.
    hlh2004_required: usize = Preset::Henter2007.settings().required,
        "scores.hlh2004_required", read: |v: &toml::Value| whole(v, 1, 8).map(|k| k as usize),
        echo: |k: &usize| json!(k);
    /// Fever is a temperature at or above this, in °C.
    fever_threshold_celsius: f64 = 38.0,
        "fever.threshold_celsius", read: |v: &toml::Value| real(v, 35.0, 42.0),
        echo: |t: &f64| json!(t);
    /// Febrile at baseline when a fever is recorded on one of these days.
    fever_baseline_days: (i32, i32) = (-1, 0),
        "fever.baseline_days", read: day_window, echo: window_json;
    /// Afebrile calendar days needed to call the fever resolved.
    fever_sustained_days: i32 = 2,
        "fever.sustained_days", read: |v: &toml::Value| whole(v, 1, 30).map(|d| d as i32),
        echo: |d: &i32| json!(d);
    /// Fever resolved by this day is the proportion reported.
    fever_resolved_by_day: i32 = 7,
        "fever.resolved_by_day", read: day, echo: |d: &i32| json!(d);
    /// How temperatures are placed in time: `"dates"` (calendar days, baseline on `fever.baseline_days`)
    /// or `"clock"` (for a patient whose first dose and temperatures from Day −1 on have clock times:
    /// febrile at baseline from a fever in the 24 hours before the first dose, resolution from the first
    /// reading after it, in hours as well as days; other patients by dates).
    fever_timing: FeverTiming = FeverTiming::Dates,
        "fever.timing", read: fever_timing, echo: |t: &FeverTiming| json!(t.name());
    /// What a fever recorded after resolution and by `fever.resolved_by_day` does: `"ignore"` counts it,
    /// `"fail"` also fails response item (a).
    fever_recurrence: Recurrence = Recurrence::Ignore,
        "fever.recurrence", read: recurrence, echo: |r: &Recurrence| json!(r.name());
    /// Whether the afebrile run of `fever.sustained_days` needs a reading on each of its days (by default
    /// a day without a reading does not break it).
    fever_reading_every_day: bool = false,
        "fever.reading_every_day", read: boolean, echo: |b: &bool| json!(b);
    /// Where the response verdict comes from: derived from the data, or the clinician's recorded one.
    response_source: ResponseSource = ResponseSource::Derived,
        "response.source", read: response_source, echo: |s: &ResponseSource| json!(s.name());
    /// Started in (Day 0, `response.day`], these drugs make the patient a non-responder.
    rescue_drugs: Vec<Drug> = vec![Drug::Etoposide, Drug::Emapalumab, Drug::Ruxolitinib],
        "response.rescue_drugs", read: drug_list, echo: |d: &Vec<Drug>| drug_names(d);
    /// Where a recorded assessment is read.
    recorded_window: (i32, i32) = (0, 14),
        "response.recorded_window", read: day_window, echo: window_json;
    /// The day the response is judged at: death on or before it, an inefficacy stop before it, or a
    /// rescue drug started in (Day 0, it] fails the response.
    response_day: i32 = 7,
        "response.day", read: day, echo: |d: &i32| json!(d);
    /// The fall of CRP from Day 0 to Day 7, in percent of the Day-0 value, that item (b) requires; 0
    /// keeps any fall. (The anakinra trial in sJIA asked for 50 %: Quartier, Ann Rheum Dis 2011.)
    crp_fall_percent: f64 = 0.0,
        "response.crp_fall_percent", read: |v: &toml::Value| real(v, 0.0, 100.0),
        echo: |p: &f64| json!(p);
    /// The fall of ferritin that item (c) requires, in percent of the Day-0 value; 0 keeps any fall.
    /// (Partial response: a fall > 25 %, Wang, Blood 2015; a fall < 50 % carried a 17-fold risk of death,
    /// Lin, Pediatr Blood Cancer 2011.)
    ferritin_fall_percent: f64 = 0.0,
        "response.ferritin_fall_percent", read: |v: &toml::Value| real(v, 0.0, 100.0),
        echo: |p: &f64| json!(p);
    /// In mg/L: a Day-7 CRP below it also satisfies item (b), CRP normalised; 0: not used.
    crp_normal_below: f64 = 0.0,
        "response.crp_normal_below", read: |v: &toml::Value| real(v, 0.0, 800.0),
        echo: |c: &f64| json!(c);
    /// Whether the intention-to-treat response is reported beside the judgeable one: every analysed
    /// patient in the denominator, a response that cannot be judged counted as a failure.
    unknown_as_failure: bool = false,
        "response.unknown_as_failure", read: boolean, echo: |b: &bool| json!(b);
    /// What an HLH-directed or disease-directed treatment newly started in (Day 0, `response.day`]
    /// does: `"flag"` lists it beside the responders, `"fail"` fails item (e).
    co_interventions: CoInterventions = CoInterventions::Flag,
        "response.co_interventions", read: co_interventions,
        echo: |c: &CoInterventions| json!(c.name());
    /// Only patients whose HScore on the data given (unknown items scored 0) reaches this are analysed;
    /// 0: no inclusion by HScore. (169 is the published cut-off: Fardet, Arthritis Rheumatol 2014.)
    inclusion_hscore_min: u32 = 0,
        "inclusion.hscore_min", read: |v: &toml::Value| whole(v, 0, 337).map(|m| m as u32),
        echo: |m: &u32| json!(m);
    /// Only patients with at least this many of the eight HLH-2004 criteria met on the data given are
    /// analysed; 0: no inclusion by HLH-2004. (5 is the guideline's number: Henter, Pediatr Blood
    /// Cancer 2007.)
    inclusion_hlh2004_min: usize = 0,
        "inclusion.hlh2004_min", read: |v: &toml::Value| whole(v, 0, 8).map(|k| k as usize),
        echo: |k: &usize| json!(k);
    /// Adverse events and infections are counted from Day 0 to this many days after the last
    /// administration of the index drug (to the end of the record while the course runs on).
    safety_window: i32 = 30,
        "safety.window", read: |v: &toml::Value| whole(v, 0, 3650).map(|d| d as i32),
        echo: |d: &i32| json!(d);
    /// The groupings compared, each a table of the Table 1 variables and the outcomes by group:
    /// `"response"`, `"first_line"`, `"trigger"`, `"centre"`, `"early_anakinra"`; none by default.
    compare_by: Vec<Grouping> = Vec::new(),
        "compare.by", read: groupings,
        echo: |g: &Vec<Grouping>| json!(g.iter().map(|g| g.name()).collect::<Vec<_>>());
    /// Early anakinra: Day 0 at most this many days after the diagnosis date (the `early_anakinra`
    /// grouping).
    early_anakinra_days: i32 = 5,
        "compare.early_anakinra_days", read: |v: &toml::Value| whole(v, 0, 3650).map(|d| d as i32),
        echo: |d: &i32| json!(d);
    /// The days after Day 0 at which overall survival is reported with its interval.
    survival_landmark_days: Vec<i32> = vec![28, 90],
        "survival.landmark_days", read: landmark_days, echo: |d: &Vec<i32>| json!(d);
    /// The Hyndman–Fan quantile type of medians and quartiles (R's default is 7).
    quantile_type: QuantileType = QuantileType::Type7,
        "stats.quantile_type",
        read: |v: &toml::Value| whole(v, 1, 9).and_then(|t| {
            QuantileType::from_number(t as u8).ok_or_else(|| "1 to 9".into())
        }),
        echo: |q: &QuantileType| json!(q.number());
    /// The confidence interval of proportions.
    proportion_ci: ProportionMethod = ProportionMethod::Wilson,
        "stats.proportion_ci", read: proportion_method, echo: |m: &ProportionMethod| json!(m.name());
    /// The paired test quoted in the summary (both are always reported).
    primary_paired_test: PrimaryPairedTest = PrimaryPairedTest::PairedT,
        "stats.primary_paired_test", read: primary_test,
        echo: |t: &PrimaryPairedTest| json!(t.name());
    /// The transform of the Kaplan–Meier confidence interval.
    km_conf_type: ConfType = ConfType::LogLog,
        "stats.km_conf_type", read: conf_type, echo: |c: &ConfType| json!(c.name());
    /// The level of every confidence interval.
    confidence: f64 = 0.95,
        "stats.confidence", read: |v: &toml::Value| real(v, 0.5, 0.999), echo: |c: &f64| json!(c);
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
    ///
    /// # Errors
    ///
    /// Every problem, each naming `origin`, the setting and what was expected.
    pub fn apply(&mut self, table: &toml::Table, origin: &str) -> Result<(), Vec<String>> {
        let mut errors = Vec::new();
        for (key, value) in table {
            match value {
                // A section: `[fever]` holds `fever.threshold_celsius`, …
                toml::Value::Table(inner) if is_section(key) => {
                    for (inner_key, value) in inner {
                        self.apply_one(&mut errors, origin, &format!("{key}.{inner_key}"), value);
                    }
                }
                _ => self.apply_one(&mut errors, origin, key, value),
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
        match self.read_setting(name, value) {
            Some(Ok(())) => {}
            Some(Err(expected)) => errors.push(format!(
                "{origin}: protocol setting {name} = {value}: expected {expected}"
            )),
            None => errors.push(format!(
                "{origin}: unknown protocol setting {name:?}; the settings are {}",
                setting_names().join(", ")
            )),
        }
    }

    /// The protocol of an analysis: the defaults, then the `[protocol]` table of study.toml, then the
    /// settings of a protocol file (`--protocol FILE`), each overriding the one before.
    ///
    /// # Errors
    ///
    /// Every problem of both sources: an unreadable file, TOML that does not parse, unknown settings
    /// and invalid values, each message naming its origin.
    ///
    /// # Examples
    ///
    /// ```
    /// # use hlh_outcomes::Protocol;
    /// let study_toml: toml::Table = "[fever]\nsustained_days = 3".parse().unwrap();
    /// let protocol = Protocol::load(Some(&study_toml), None).unwrap();
    /// assert_eq!(protocol.fever_sustained_days, 3);
    /// assert_eq!(protocol.fever_threshold_celsius, 38.0, "the others keep their default");
    /// ```
    pub fn load(
        study_settings: Option<&toml::Table>,
        file: Option<&std::path::Path>,
    ) -> Result<Protocol, Vec<String>> {
        let mut protocol = Protocol::default();
        let mut problems = Vec::new();
        if let Some(table) = study_settings {
            if let Err(errors) = protocol.apply(table, "study.toml [protocol]") {
                problems.extend(errors);
            }
        }
        if let Some(file) = file {
            match std::fs::read_to_string(file) {
                Err(error) => problems.push(format!("cannot read {}: {error}", file.display())),
                Ok(text) => match text.parse::<toml::Table>() {
                    Ok(table) => {
                        if let Err(errors) = protocol.apply(&table, &file.display().to_string()) {
                            problems.extend(errors);
                        }
                    }
                    Err(error) => problems.push(format!(
                        "{}: not valid TOML: {}",
                        file.display(),
                        error.message()
                    )),
                },
            }
        }
        if problems.is_empty() {
            Ok(protocol)
        } else {
            Err(problems)
        }
    }

    /// The resolved protocol, every setting with its value, nested by section, for the analysis JSON.
    pub fn to_json(&self) -> Value {
        let mut root = Map::new();
        for (name, value) in self.echo() {
            match name.split_once('.') {
                Some((section, key)) => {
                    let section = root
                        .entry(section)
                        .or_insert_with(|| Value::Object(Map::new()));
                    if let Value::Object(section) = section {
                        section.insert(key.to_string(), value);
                    }
                }
                None => {
                    root.insert(name.to_string(), value);
                }
            }
        }
        Value::Object(root)
    }

    /// Every setting's name and its value as TOML text (`3`, `"clock"`, `[28, 90]`), in declaration
    /// order: the value a form shows and a protocol file holds.
    pub fn echo_toml(&self) -> Vec<(&'static str, String)> {
        self.echo()
            .into_iter()
            .map(|(name, value)| {
                // Every echo is a number, a string, a boolean or an array of them, all of which TOML has.
                let text = toml::Value::try_from(&value)
                    .map_or_else(|_| value.to_string(), |value| value.to_string());
                (name, text)
            })
            .collect()
    }

    /// The protocol as a protocol file: every setting, each under its section with its meaning as a
    /// comment. Read back with `--protocol`, it gives this protocol whatever study.toml says, since it
    /// names every setting.
    pub fn to_toml(&self) -> String {
        use std::fmt::Write as _;
        let mut top = String::new();
        let mut sections: Vec<(&str, String)> = Vec::new();
        for ((name, text), setting) in self.echo_toml().into_iter().zip(SETTINGS) {
            let (out, key) = match name.split_once('.') {
                Some((section, key)) => {
                    let position = match sections.iter().position(|(known, _)| *known == section) {
                        Some(position) => position,
                        None => {
                            sections.push((section, String::new()));
                            sections.len() - 1
                        }
                    };
                    (&mut sections[position].1, key)
                }
                None => (&mut top, name),
            };
            let _ = writeln!(out, "# {}\n{key} = {text}", setting.doc.trim());
        }
        let mut text = top;
        for (section, body) in sections {
            let _ = write!(text, "\n[{section}]\n{body}");
        }
        text
    }
}

impl serde::Serialize for Protocol {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.to_json().serialize(serializer)
    }
}

/// Whether `key` is the section of some setting (`fever` of `fever.threshold_celsius`).
fn is_section(key: &str) -> bool {
    SETTINGS.iter().any(|s| {
        s.name
            .split_once('.')
            .is_some_and(|(section, _)| section == key)
    })
}

fn setting_names() -> Vec<&'static str> {
    SETTINGS.iter().map(|s| s.name).collect()
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

fn boolean(value: &toml::Value) -> Result<bool, String> {
    value.as_bool().ok_or_else(|| "true or false".into())
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

/// One of a setting's words, each written as `name()` spells it; what was expected lists them all.
fn choice<T: Copy>(
    value: &toml::Value,
    options: &[T],
    name: fn(T) -> &'static str,
) -> Result<T, String> {
    let text = value.as_str();
    options
        .iter()
        .copied()
        .find(|&option| text == Some(name(option)))
        .ok_or_else(|| {
            // Quoted as TOML writes a string: "wilson" or "clopper-pearson".
            let quoted: Vec<String> = options
                .iter()
                .map(|&o| format!("\"{}\"", name(o)))
                .collect();
            hlh_model::join_alternatives(quoted.iter().map(String::as_str))
        })
}

fn response_source(value: &toml::Value) -> Result<ResponseSource, String> {
    choice(
        value,
        &[ResponseSource::Derived, ResponseSource::Recorded],
        ResponseSource::name,
    )
}

fn after_rescue(value: &toml::Value) -> Result<AfterRescue, String> {
    choice(
        value,
        &[AfterRescue::Keep, AfterRescue::Exclude],
        AfterRescue::name,
    )
}

fn fever_timing(value: &toml::Value) -> Result<FeverTiming, String> {
    choice(
        value,
        &[FeverTiming::Dates, FeverTiming::Clock],
        FeverTiming::name,
    )
}

fn recurrence(value: &toml::Value) -> Result<Recurrence, String> {
    choice(
        value,
        &[Recurrence::Ignore, Recurrence::Fail],
        Recurrence::name,
    )
}

fn co_interventions(value: &toml::Value) -> Result<CoInterventions, String> {
    choice(
        value,
        &[CoInterventions::Flag, CoInterventions::Fail],
        CoInterventions::name,
    )
}

fn proportion_method(value: &toml::Value) -> Result<ProportionMethod, String> {
    choice(
        value,
        &[ProportionMethod::Wilson, ProportionMethod::ClopperPearson],
        ProportionMethod::name,
    )
}

fn primary_test(value: &toml::Value) -> Result<PrimaryPairedTest, String> {
    choice(
        value,
        &[PrimaryPairedTest::PairedT, PrimaryPairedTest::Wilcoxon],
        PrimaryPairedTest::name,
    )
}

fn groupings(value: &toml::Value) -> Result<Vec<Grouping>, String> {
    let expected = || {
        format!(
            "a list of groupings, each {}",
            hlh_model::join_alternatives(Grouping::ALL.iter().map(|g| g.name()))
        )
    };
    let items = value.as_array().ok_or_else(expected)?;
    let mut list = Vec::new();
    for item in items {
        let grouping = item
            .as_str()
            .and_then(|name| Grouping::ALL.into_iter().find(|g| g.name() == name))
            .ok_or_else(expected)?;
        if !list.contains(&grouping) {
            list.push(grouping);
        }
    }
    Ok(list)
}

fn landmark_days(value: &toml::Value) -> Result<Vec<i32>, String> {
    let expected = || "a list of days from 1 to 3650, e.g. [28, 90]".to_string();
    let items = value.as_array().ok_or_else(expected)?;
    let mut days: Vec<i32> = items
        .iter()
        .map(|item| {
            whole(item, 1, 3650)
                .map(|d| d as i32)
                .map_err(|_| expected())
        })
        .collect::<Result<_, _>>()?;
    days.sort_unstable();
    days.dedup();
    Ok(days)
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
    fn the_protocol_file_reads_back_to_the_same_protocol() {
        let mut edited = Protocol::default();
        edited
            .apply(
                &table(
                    "index_drug = \"tocilizumab\"\n[fever]\nsustained_days = 3\ntiming = \"clock\"\n\
                     [survival]\nlandmark_days = [14, 60]\n[compare]\nby = [\"response\", \"trigger\"]\n",
                ),
                "p.toml",
            )
            .unwrap();
        for protocol in [Protocol::default(), edited] {
            let text = protocol.to_toml();
            // Over a study.toml that sets something else, the file still decides every setting.
            let study = table("[fever]\nsustained_days = 5\nthreshold_celsius = 39.0\n");
            let mut read = Protocol::default();
            read.apply(&study, "study.toml").unwrap();
            read.apply(&table(&text), "protocol.toml").unwrap();
            assert_eq!(read.echo(), protocol.echo(), "{text}");
            assert_eq!(
                text.matches("\n[fever]\n").count(),
                1,
                "one table per section: {text}"
            );
        }
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
        for name in setting_names() {
            let mut value = &echoed;
            for part in name.split('.') {
                value = &value[part];
            }
            assert!(!value.is_null(), "{name} is not echoed");
        }
    }
}
