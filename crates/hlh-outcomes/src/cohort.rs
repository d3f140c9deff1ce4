//! The cohort part of the analysis as types: what the report, the summary text and the command line
//! read, field by field, and what serde writes as the JSON of `hlhkit.analysis/1`
//! (docs/analysis-schema.md). The order of the fields is the order of the JSON keys.
//!
//! Every count of patients carries the patients it counts (positions in [`crate::Analysis::patients`]),
//! so a layout that links a number to its patients reads the list instead of re-deriving it; the lists
//! are not part of the JSON.

use hlh_model::units::AssayFactors;
use hlh_model::{Analyte, DoseUnit, Drug, Origins, Route, Trigger};
use hlh_stats::competing::IncidenceRow;
use hlh_stats::paired::PairedT;
use hlh_stats::survival::{ConfType, KmRow};
use hlh_stats::wilcoxon::SignedRankTest;
use serde::{Serialize, Serializer};

use crate::compare::Comparison;
use crate::json_forms::{self, finite, PairedTForm, WilcoxonForm};
use crate::protocol::{PrimaryPairedTest, Protocol};

/// Positions of patients in [`crate::Analysis::patients`].
pub type Patients = Vec<usize>;

/// A number of patients that is written as a plain count, and the patients it counts.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Count {
    pub patients: Patients,
}

impl Count {
    pub fn count(&self) -> u64 {
        self.patients.len() as u64
    }
}

impl Serialize for Count {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_u64(self.count())
    }
}

/// `count` of `n` patients with its proportion and confidence interval (`null` for n = 0), and the
/// patients counted.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Share {
    pub count: u64,
    pub n: u64,
    pub proportion: Option<f64>,
    pub ci95: Option<[Option<f64>; 2]>,
    #[serde(skip)]
    pub patients: Patients,
}

impl Share {
    /// The numbers without the patients, for a cohort other than the analysed one.
    pub fn proportion(&self) -> Proportion {
        Proportion {
            count: self.count,
            n: self.n,
            proportion: self.proportion,
            ci95: self.ci95,
        }
    }

    /// The share of `patients` among `n`, with the protocol's interval.
    pub fn of(patients: Patients, n: usize, protocol: &Protocol) -> Share {
        let count = patients.len() as u64;
        let n = n as u64;
        match hlh_stats::proportion::proportion(
            count,
            n,
            protocol.proportion_ci,
            protocol.confidence,
        ) {
            Ok(p) => Share {
                count,
                n,
                proportion: finite(p.proportion),
                ci95: Some(json_forms::interval(p.ci)),
                patients,
            },
            Err(_) => Share {
                count,
                n,
                proportion: None,
                ci95: None,
                patients,
            },
        }
    }
}

/// A share's numbers, `{count, n, proportion, ci95}`, of patients who are not all among the analysed
/// ones (so there are no positions to list).
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Proportion {
    pub count: u64,
    pub n: u64,
    pub proportion: Option<f64>,
    pub ci95: Option<[Option<f64>; 2]>,
}

/// `{n, mean, sd, median, q1, q3, min, max}`; every statistic `None` without values.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Summary {
    pub n: usize,
    pub mean: Option<f64>,
    pub sd: Option<f64>,
    pub median: Option<f64>,
    pub q1: Option<f64>,
    pub q3: Option<f64>,
    pub min: Option<f64>,
    pub max: Option<f64>,
}

impl Summary {
    pub fn of(values: &[f64], protocol: &Protocol) -> Summary {
        match hlh_stats::Sample::new(values) {
            Ok(sample) => {
                let s = sample.summary(protocol.quantile_type);
                Summary {
                    n: s.n,
                    mean: finite(s.mean),
                    sd: s.sd.and_then(finite),
                    median: finite(s.median),
                    q1: finite(s.q1),
                    q3: finite(s.q3),
                    min: finite(s.min),
                    max: finite(s.max),
                }
            }
            Err(_) => Summary {
                n: 0,
                mean: None,
                sd: None,
                median: None,
                q1: None,
                q3: None,
                min: None,
                max: None,
            },
        }
    }
}

/// How a key of a JSON object is spelled.
pub trait KeyName {
    fn key_name(&self) -> &str;
}

impl KeyName for String {
    fn key_name(&self) -> &str {
        self
    }
}

macro_rules! spelled_keys {
    ($($name:ty),*) => {
        $(impl KeyName for $name {
            fn key_name(&self) -> &str {
                self.name()
            }
        })*
    };
}

spelled_keys!(Analyte, Trigger, Drug, DoseUnit);

/// A route as a key: its spelling, or "unknown" when not recorded.
impl KeyName for Option<Route> {
    fn key_name(&self) -> &str {
        self.map_or("unknown", Route::name)
    }
}

/// An ordered list of (key, value), written as a JSON object in that order.
#[derive(Debug, Clone, PartialEq)]
pub struct Keyed<K, V>(pub Vec<(K, V)>);

impl<K, V> Keyed<K, V> {
    pub fn iter(&self) -> impl Iterator<Item = (&K, &V)> {
        self.0.iter().map(|(key, value)| (key, value))
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl<K: PartialEq, V> Keyed<K, V> {
    pub fn get(&self, key: &K) -> Option<&V> {
        self.0.iter().find(|(k, _)| k == key).map(|(_, v)| v)
    }
}

impl<K: KeyName, V: Serialize> Serialize for Keyed<K, V> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_map(self.0.iter().map(|(key, value)| (key.key_name(), value)))
    }
}

fn spelled<S: Serializer, T: KeyName>(value: &T, serializer: S) -> Result<S::Ok, S::Error> {
    serializer.serialize_str(value.key_name())
}

/// The cohort: everything of the analysis JSON but its `patients` array.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Cohort {
    pub schema: &'static str,
    pub hlhkit_version: &'static str,
    pub study: StudyInfo,
    /// The resolved protocol: every setting with the value used.
    pub protocol: Protocol,
    pub attrition: Vec<AttritionStep>,
    pub n_patients: usize,
    pub baseline: Baseline,
    pub outcomes: Outcomes,
    /// One per grouping of `compare.by`, in its order.
    pub comparisons: Vec<Comparison>,
}

impl Cohort {
    /// The attrition steps of the inclusion by diagnosis, in the order they applied.
    pub fn inclusion_steps(&self) -> impl Iterator<Item = &AttritionStep> {
        self.attrition
            .iter()
            .filter(|step| step.reachable_through_unknown.is_some())
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StudyInfo {
    pub title: Option<String>,
    pub centres: Vec<String>,
    /// The assay factors the observations were converted with (study.toml `[assays]`).
    #[serde(serialize_with = "assay_factors")]
    pub assays: AssayFactors,
    /// Where each row came from, for a study built from a wide workbook or a REDCap export (absent
    /// otherwise: a study folder's lines, and a long workbook's rows, are their own origin).
    #[serde(serialize_with = "origins", skip_serializing_if = "Origins::is_empty")]
    pub origins: Origins,
}

fn origins<S: Serializer>(origins: &Origins, serializer: S) -> Result<S::Ok, S::Error> {
    #[derive(Serialize)]
    struct Origin<'a> {
        file: &'static str,
        line: u64,
        origin: &'a str,
    }
    serializer.collect_seq(origins.iter().map(|(row, origin)| Origin {
        file: row.file.file_name(),
        line: row.line,
        origin,
    }))
}

fn assay_factors<S: Serializer>(assays: &AssayFactors, serializer: S) -> Result<S::Ok, S::Error> {
    #[derive(Serialize)]
    struct Factors {
        scd25_pg_per_unit: Option<f64>,
    }
    Factors {
        scd25_pg_per_unit: assays.scd25_pg_per_unit,
    }
    .serialize(serializer)
}

/// One step of the flow from the study to the analysed patients.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AttritionStep {
    pub step: String,
    pub remaining: usize,
    pub excluded: usize,
    pub reason: Option<String>,
    /// The identifiers of the patients this step excluded (absent on the first step).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub excluded_patients: Option<Vec<String>>,
    /// For an inclusion by diagnosis: how many of the excluded could have met it had their unknown
    /// items been known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reachable_through_unknown: Option<usize>,
}

/// By sex as recorded: men, women, not recorded.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BySex<T> {
    #[serde(rename = "M")]
    pub male: T,
    #[serde(rename = "F")]
    pub female: T,
    #[serde(rename = "U")]
    pub unknown: T,
}

/// Table 1: the patients at the start of the index drug.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Baseline {
    pub age_years: Summary,
    /// Counts by sex (the same numbers as `sex_shares`, kept for readers of the first schema).
    pub sex: BySex<u64>,
    pub sex_shares: BySex<Share>,
    pub first_line: Share,
    pub monotherapy: Share,
    pub hscore: Summary,
    /// HLH-2004 met by criterion (1) or (2): a molecular diagnosis or enough of the eight criteria.
    pub hlh2004_met: Share,
    pub hscore_positive: HScorePositive,
    /// Patients per centre, by name ("unknown" without a centre), in name order.
    pub centres: Keyed<String, Share>,
    /// Every trigger of the study format, in its order; a patient may count under several.
    pub triggers: Keyed<Trigger, Share>,
    /// The analytes with any result, in analyte order.
    pub labs_day0: Keyed<Analyte, LabDay0>,
    pub index_drug: IndexDrug,
    pub concomitant: Concomitant,
    pub hlh2004_clinical: Hlh2004Clinical,
    /// Patients admitted to an ICU before Day 0: baseline severity.
    pub icu_before_day0: Share,
    /// Days from the diagnosis date to Day 0.
    pub days_to_index: Summary,
    /// Day 0 at most `compare.early_anakinra_days` after the diagnosis.
    pub early_anakinra: Share,
}

/// The HLH-2004 verdict of the eight clinical and laboratory criteria alone, without the molecular
/// diagnosis almost never tested in adults.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Hlh2004Clinical {
    pub met: Share,
    pub not_met: Share,
    pub indeterminate: Share,
    /// How many of the eight criteria were known, per patient.
    pub evaluated: Summary,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct HScorePositive {
    pub positive: Share,
    pub undetermined: Share,
    pub cutoff: u32,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LabDay0 {
    pub unit: &'static str,
    pub summary: Summary,
    /// The patients with a Day-0 value (`summary.n` of them).
    #[serde(skip)]
    pub patients: Patients,
}

/// The index-drug course.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct IndexDrug {
    #[serde(serialize_with = "spelled")]
    pub drug: Drug,
    /// The first dose by unit, in the units' spelling order.
    pub first_dose: Keyed<DoseUnit, Summary>,
    pub first_dose_unknown: usize,
    /// By route of the first row, in the routes' spelling order ("unknown" among them).
    pub route: Keyed<Option<Route>, Share>,
    /// By frequency as written on the first row ("unknown" when empty), in spelling order.
    pub frequency: Keyed<String, Share>,
    /// Day 0 through the last administration, in days, for courses that ended.
    pub duration_days: Summary,
    pub ongoing: Share,
    /// Dose × doses a day over the course.
    pub daily_dose: DailyDoseSummary,
}

/// The daily doses of the index drug across the patients whose doses are known.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DailyDoseSummary {
    /// The starting daily dose, mg/day.
    pub first_mg_per_day: Summary,
    /// The highest daily dose of each course, mg/day.
    pub max_mg_per_day: Summary,
    /// The highest daily dose per kilogram, among the patients whose weight is known.
    pub max_mg_per_kg_per_day: Summary,
    /// Courses with a later daily dose above the first, among those where it can be said.
    pub escalated: Share,
    /// The patients whose highest daily dose is unknown (a dose, unit, frequency or weight missing).
    pub max_unknown: Count,
}

/// Other drugs given on a day of the index course.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Concomitant {
    /// Each drug given to anyone, in the drug table's order.
    pub drugs: Keyed<Drug, Share>,
    pub corticosteroids_any: Share,
}

/// Table 2 and the figures.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Outcomes {
    pub response: Response,
    pub fever_resolution: FeverResolution,
    /// Day 0 against Day 7, for each analyte with any result, in analyte order.
    pub labs: Keyed<Analyte, LabComparison>,
    pub discontinued_adverse_event: Share,
    pub deaths_by_response_day: Count,
    pub safety: Safety,
    pub trajectories: Trajectories,
    /// With `response.unknown_as_failure`: responders among every analysed patient, a response that
    /// cannot be judged counted as a failure; `None` otherwise.
    pub response_intention_to_treat: Option<Share>,
    /// The response under the protocol's definition and under published alternatives.
    pub response_sensitivity: Vec<SensitivityRow>,
    /// Responders given an HLH-directed or disease-directed treatment newly started in (Day 0,
    /// `response.day`], among the responders.
    pub responders_with_co_interventions: Share,
    /// Relapses recorded after the index drug was stopped.
    pub relapse_after_stop: RelapseAfterStop,
    pub survival: OverallSurvival,
    /// With `inclusion.hscore_min` or `inclusion.hlh2004_min`: the main outcomes of the included
    /// patients and of every exposed patient; `None` without inclusion by diagnosis.
    pub inclusion_sensitivity: Option<InclusionSensitivity>,
}

/// The main outcomes with and without the inclusion by diagnosis.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct InclusionSensitivity {
    /// The analysed patients: those who met the inclusion.
    pub with_inclusion: MainOutcomes,
    /// Every patient exposed to the index drug.
    pub without_inclusion: MainOutcomes,
}

/// The outcomes of the summary, for comparing cohorts.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct MainOutcomes {
    pub n_patients: usize,
    /// Responders among the patients whose response could be judged.
    pub response: Proportion,
    /// Among the febrile at baseline, resolved by `fever.resolved_by_day`.
    pub fever_resolved_by_day: Proportion,
    pub discontinued_adverse_event: Proportion,
    /// The p value of the summary's paired test, Day 0 against Day 7.
    pub crp_p_value: Option<f64>,
    pub ferritin_p_value: Option<f64>,
}

impl MainOutcomes {
    pub fn of(outcomes: &Outcomes, n_patients: usize, protocol: &Protocol) -> MainOutcomes {
        let p_value = |analyte| {
            outcomes
                .labs
                .get(&analyte)
                .and_then(|lab| lab.primary_p_value(protocol.primary_paired_test))
        };
        MainOutcomes {
            n_patients,
            response: outcomes.response.responders.proportion(),
            fever_resolved_by_day: outcomes
                .fever_resolution
                .resolved_by_day7_share
                .proportion(),
            discontinued_adverse_event: outcomes.discontinued_adverse_event.proportion(),
            crp_p_value: p_value(Analyte::Crp),
            ferritin_p_value: p_value(Analyte::Ferritin),
        }
    }
}

/// Patients with a relapse after the last administration of the index drug, and how many days after.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RelapseAfterStop {
    /// Among the patients whose course ended.
    pub patients: Share,
    /// Days from the last administration to the first relapse after it.
    pub days_after_stop: Summary,
}

/// The response under one definition.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SensitivityRow {
    /// A short name: `protocol`, `ferritin25_crp50`, `ferritin50`.
    pub definition: &'static str,
    /// What the definition asks, and its source.
    pub description: String,
    /// Responders among the patients whose response can be judged under it.
    pub responders: Share,
}

/// Responders among the patients whose response could be judged, and those who could not be judged.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Response {
    #[serde(flatten)]
    pub responders: Share,
    pub unknown: Count,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FeverResolution {
    pub febrile_at_baseline: Count,
    pub resolved_by_day7: Count,
    pub resolved_by_day7_share: Share,
    /// Days to resolution among the resolved.
    pub days: Summary,
    /// Hours from the first dose to resolution among the resolved judged on the clock.
    pub hours: Summary,
    /// The analysed patients whose fever was judged on the clock (`fever.timing = "clock"` and times
    /// recorded for the first dose and the temperatures).
    pub on_clock: Count,
    /// The patients resolved by `fever.resolved_by_day` with a fever recorded again by that day.
    pub recurred: Count,
    pub km: FeverKaplanMeier,
    /// Resolution with death before it as a competing event (Aalen–Johansen), beside 1 − KM, which
    /// censors the deaths.
    pub competing_death: CompetingDeath,
}

/// Overall survival from Day 0 (Kaplan–Meier, Greenwood variance, `stats.km_conf_type` interval).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct OverallSurvival {
    pub n: usize,
    pub deaths: Count,
    /// `None` while S stays above ½.
    pub median: Option<f64>,
    pub ci95: [Option<f64>; 2],
    #[serde(serialize_with = "conf_type_name_of")]
    pub conf_type: ConfType,
    #[serde(serialize_with = "json_forms::km_table")]
    pub table: Vec<KmRow>,
    /// At each of `survival.landmark_days`.
    pub landmarks: Vec<SurvivalLandmark>,
}

fn conf_type_name_of<S: Serializer>(
    conf_type: &ConfType,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    serializer.serialize_str(conf_type.name())
}

/// S(day) with its interval; every number `None` after the last day followed, where the curve is not
/// estimated.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct SurvivalLandmark {
    pub day: i32,
    pub n_risk: Option<u64>,
    pub survival: Option<f64>,
    pub ci95: [Option<f64>; 2],
}

/// The cumulative incidence of fever resolution with death competing.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CompetingDeath {
    /// At `fever.resolved_by_day`; `None` without a febrile patient.
    pub incidence_by_day: Option<f64>,
    #[serde(serialize_with = "incidence_table")]
    pub table: Vec<IncidenceRow>,
}

fn incidence_table<S: Serializer>(
    table: &[IncidenceRow],
    serializer: S,
) -> Result<S::Ok, S::Error> {
    #[derive(Serialize)]
    struct Row {
        time: Option<f64>,
        n_risk: u64,
        n_event: u64,
        n_competing: u64,
        n_censor: u64,
        incidence: Option<f64>,
    }
    serializer.collect_seq(table.iter().map(|r| Row {
        time: finite(r.time),
        n_risk: r.n_risk,
        n_event: r.n_event,
        n_competing: r.n_competing,
        n_censor: r.n_censor,
        incidence: finite(r.incidence),
    }))
}

/// The Kaplan–Meier estimate of time to resolution among the febrile.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FeverKaplanMeier {
    pub median: Option<f64>,
    pub ci95: [Option<f64>; 2],
    /// `None` when no febrile patient has a time (then the table is empty).
    #[serde(
        skip_serializing_if = "Option::is_none",
        serialize_with = "conf_type_name"
    )]
    pub conf_type: Option<ConfType>,
    #[serde(serialize_with = "json_forms::km_table")]
    pub table: Vec<KmRow>,
}

fn conf_type_name<S: Serializer>(
    conf_type: &Option<ConfType>,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    match conf_type {
        Some(conf_type) => conf_type_name_of(conf_type, serializer),
        None => serializer.serialize_none(),
    }
}

/// Day 0 against Day 7 of one analyte, on complete pairs.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LabComparison {
    pub unit: &'static str,
    /// The patients with both values.
    pub n_pairs: Count,
    pub day0: Summary,
    pub day7: Summary,
    pub difference: Difference,
    #[serde(serialize_with = "paired_t_form")]
    pub paired_t: Option<PairedT>,
    #[serde(serialize_with = "wilcoxon_form")]
    pub wilcoxon: Option<SignedRankTest>,
    /// For an analyte whose values are all positive: the paired t-test on the logarithms, read as the
    /// geometric mean of Day 7 / Day 0. Skewed values (ferritin) are compared on this scale.
    pub ratio: Option<Ratio>,
    /// The median of the patients' (Day 7 − Day 0) / Day 0 in percent.
    pub median_percent_change: Option<f64>,
    /// The analysed patients left out of the pairs, by what they lack.
    pub missing: MissingFromPairs,
    /// The pairs with a value written with a comparator (`>40000`), taken at its number.
    pub censored_pairs: Count,
}

impl LabComparison {
    /// The p value of the paired test the summary quotes, when it is finite.
    pub fn primary_p_value(&self, test: PrimaryPairedTest) -> Option<f64> {
        match test {
            PrimaryPairedTest::PairedT => self.paired_t.and_then(|t| t.p_value),
            PrimaryPairedTest::Wilcoxon => self.wilcoxon.map(|w| w.p_value),
        }
        .filter(|p| p.is_finite())
    }
}

/// Day 7 / Day 0 on the log scale.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Ratio {
    pub geometric_mean_ratio: Option<f64>,
    pub ci95: Option<[Option<f64>; 2]>,
    pub p_value: Option<f64>,
}

/// Why patients are not in an analyte's pairs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MissingFromPairs {
    /// A Day-7 value but none on Day 0.
    pub no_day0: Count,
    /// A Day-0 value but none on Day 7.
    pub no_day7: Count,
    /// Neither.
    pub neither: Count,
    /// With `days.day7_after_rescue = "exclude"`: a Day-7 value drawn on or after the start of a rescue
    /// drug, left out.
    pub after_rescue: Count,
}

/// Day 7 minus Day 0.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Difference {
    pub mean: Option<f64>,
    /// The t interval of the mean difference.
    pub ci95: Option<[Option<f64>; 2]>,
    pub hodges_lehmann: Option<f64>,
    /// R's interval of the Hodges–Lehmann estimate (`wilcox.test(conf.int = TRUE)`).
    pub hodges_lehmann_ci95: Option<[Option<f64>; 2]>,
}

fn paired_t_form<S: Serializer>(test: &Option<PairedT>, serializer: S) -> Result<S::Ok, S::Error> {
    test.as_ref()
        .map_or(PairedTForm::NOT_RUN, PairedTForm::of)
        .serialize(serializer)
}

fn wilcoxon_form<S: Serializer>(
    test: &Option<SignedRankTest>,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    test.as_ref()
        .map_or(WilcoxonForm::NOT_RUN, WilcoxonForm::of)
        .serialize(serializer)
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Safety {
    pub adverse_events: EventsFromDay0,
    pub infections: EventsFromDay0,
    /// From Day 0 on (an admission before Day 0 is baseline severity).
    pub icu_admission: Share,
    pub deaths: Share,
}

/// Events of one kind from Day 0 on.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EventsFromDay0 {
    pub patients: Share,
    pub events: usize,
    /// By type as recorded (trimmed, "unspecified" when empty) and grade, in that order.
    pub by_type: Vec<EventType>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EventType {
    #[serde(rename = "type")]
    pub name: String,
    pub grade: Option<u8>,
    pub events: usize,
    pub patients: Count,
}

/// The daily medians of the figures' analytes.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Trajectories {
    pub first_day: i32,
    pub last_day: i32,
    pub analytes: Keyed<Analyte, Trajectory>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Trajectory {
    pub unit: &'static str,
    pub days: Vec<TrajectoryDay>,
}

/// The patients with a daily value on one day, and their median and quartiles.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct TrajectoryDay {
    pub day: i32,
    pub n: usize,
    pub median: Option<f64>,
    pub q1: Option<f64>,
    pub q3: Option<f64>,
}
