//! Comparisons between groups of the analysed patients (`compare.by`): the Table 1 variables and the
//! outcomes by group, each with the test that fits — Fisher's exact test for a category, Wilcoxon–Mann–
//! Whitney for a number in two groups, Kruskal–Wallis in more.
//!
//! Conventions, each written in docs/statistics.md: a value that is unknown is counted as such and left
//! out of the test; no test is run when a group has fewer than two patients with a value (a p-value of
//! such a test says nothing), nor when every tested value is the same. A patient may belong to several
//! trigger groups: the summaries count them in each, the test uses only the patients in exactly one
//! group, so that the groups it compares are independent.

use hlh_criteria::hlh2004::Diagnosis;
use hlh_model::{Analyte, EventKind, Sex, Trigger};
use hlh_stats::groups::{fisher_exact_rxc, kruskal_wallis};
use hlh_stats::two_groups::mann_whitney;
use serde::{Serialize, Serializer};

use crate::cohort::{Count, Patients, Summary};
use crate::endpoints::PatientEndpoints;
use crate::protocol::Protocol;

/// What the patients are grouped by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Grouping {
    Response,
    FirstLine,
    Trigger,
    Centre,
    EarlyAnakinra,
}

impl Grouping {
    pub const ALL: [Grouping; 5] = [
        Grouping::Response,
        Grouping::FirstLine,
        Grouping::Trigger,
        Grouping::Centre,
        Grouping::EarlyAnakinra,
    ];

    /// As the protocol spells it.
    pub fn name(self) -> &'static str {
        match self {
            Grouping::Response => "response",
            Grouping::FirstLine => "first_line",
            Grouping::Trigger => "trigger",
            Grouping::Centre => "centre",
            Grouping::EarlyAnakinra => "early_anakinra",
        }
    }

    /// As a table's title names it.
    pub fn label(self) -> &'static str {
        match self {
            Grouping::Response => "response",
            Grouping::FirstLine => "line of therapy",
            Grouping::Trigger => "trigger",
            Grouping::Centre => "centre",
            Grouping::EarlyAnakinra => "time from diagnosis to anakinra",
        }
    }
}

impl Serialize for Grouping {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.name())
    }
}

/// A variable of the comparison tables, written in JSON as `age_years`, `day0.ferritin`, `response`, …
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Variable {
    Age,
    Sex,
    HScore,
    Hlh2004Met,
    Trigger(Trigger),
    FirstLine,
    Monotherapy,
    IcuBeforeDay0,
    DaysToIndex,
    Day0(Analyte),
    Response,
    FeverResolved,
    /// Day 7 − Day 0.
    Change(Analyte),
    DiscontinuedAdverseEvent,
    Death,
}

impl Variable {
    /// Its name in the analysis JSON.
    pub fn name(self) -> String {
        match self {
            Variable::Age => "age_years".into(),
            Variable::Sex => "sex".into(),
            Variable::HScore => "hscore".into(),
            Variable::Hlh2004Met => "hlh2004_met".into(),
            Variable::Trigger(trigger) => format!("trigger.{}", trigger.name()),
            Variable::FirstLine => "first_line".into(),
            Variable::Monotherapy => "monotherapy".into(),
            Variable::IcuBeforeDay0 => "icu_before_day0".into(),
            Variable::DaysToIndex => "days_to_index".into(),
            Variable::Day0(analyte) => format!("day0.{}", analyte.name()),
            Variable::Response => "response".into(),
            Variable::FeverResolved => "fever_resolved".into(),
            Variable::Change(analyte) => format!("change.{}", analyte.name()),
            Variable::DiscontinuedAdverseEvent => "discontinued_adverse_event".into(),
            Variable::Death => "death".into(),
        }
    }
}

impl Serialize for Variable {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.name())
    }
}

/// One grouping and its table.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Comparison {
    pub by: Grouping,
    pub groups: Vec<Group>,
    /// Patients whose group is unknown (a response that cannot be judged, no centre), in no group.
    pub ungrouped: Count,
    /// Whether a patient can be in several groups (triggers); the tests then use only the patients in
    /// exactly one.
    pub overlapping: bool,
    pub rows: Vec<ComparisonRow>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Group {
    pub label: String,
    pub n: usize,
    pub patient_ids: Vec<String>,
    #[serde(skip)]
    pub patients: Patients,
}

/// One variable across the groups.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ComparisonRow {
    pub variable: Variable,
    pub kind: VariableKind,
    /// The unit of a number.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub unit: Option<&'static str>,
    /// The patients the variable applies to, when not all (`febrile at baseline`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub among: Option<&'static str>,
    /// In the order of the groups.
    pub summaries: Vec<GroupSummary>,
    pub test: Option<GroupTest>,
    /// W of Wilcoxon–Mann–Whitney (first group against the second), H of Kruskal–Wallis; Fisher's test
    /// has none.
    pub statistic: Option<f64>,
    pub p_value: Option<f64>,
    /// Why no test was run.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub no_test: Option<&'static str>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum VariableKind {
    Continuous,
    Categorical,
}

/// A variable in one group: for a number its summary, for a category the count of each level, both
/// with the patients of the group whose value is unknown.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
pub enum GroupSummary {
    Continuous {
        #[serde(flatten)]
        summary: Summary,
        unknown: usize,
    },
    Categorical {
        n: usize,
        levels: Vec<LevelCount>,
        unknown: usize,
    },
}

impl GroupSummary {
    /// The patients with a value.
    pub fn n(&self) -> usize {
        match self {
            GroupSummary::Continuous { summary, .. } => summary.n,
            GroupSummary::Categorical { n, .. } => *n,
        }
    }

    pub fn unknown(&self) -> usize {
        match self {
            GroupSummary::Continuous { unknown, .. }
            | GroupSummary::Categorical { unknown, .. } => *unknown,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LevelCount {
    pub level: &'static str,
    pub count: usize,
}

/// The test of a row.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GroupTest {
    FisherExact,
    WilcoxonRankSum,
    KruskalWallis,
}

impl GroupTest {
    pub fn name(self) -> &'static str {
        match self {
            GroupTest::FisherExact => "fisher_exact",
            GroupTest::WilcoxonRankSum => "wilcoxon_rank_sum",
            GroupTest::KruskalWallis => "kruskal_wallis",
        }
    }

    pub const ALL: [GroupTest; 3] = [
        GroupTest::FisherExact,
        GroupTest::WilcoxonRankSum,
        GroupTest::KruskalWallis,
    ];

    /// The test with its convention, as the methods and a table's footnote name it.
    pub fn described(self) -> &'static str {
        match self {
            GroupTest::FisherExact => {
                "Fisher's exact test for categories (two-sided; 2×2 and r×c tables, as R's fisher.test)"
            }
            GroupTest::WilcoxonRankSum => {
                "the Wilcoxon–Mann–Whitney rank-sum test for numbers in two groups (two-sided; exact without ties when both groups have fewer than 50 patients, otherwise the normal approximation with tie and continuity correction, as R's wilcox.test)"
            }
            GroupTest::KruskalWallis => {
                "the Kruskal–Wallis rank-sum test for numbers in more than two groups (tie-corrected, as R's kruskal.test)"
            }
        }
    }
}

impl Serialize for GroupTest {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.name())
    }
}

/// What a variable is for one patient.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Reading {
    Number(f64),
    Level(&'static str),
    Unknown,
    /// The variable does not apply (fever resolution of a patient not febrile at baseline).
    NotApplicable,
}

/// The numbers among readings.
fn numbers(readings: &[Reading]) -> Vec<f64> {
    readings
        .iter()
        .filter_map(|r| match r {
            Reading::Number(x) => Some(*x),
            _ => None,
        })
        .collect()
}

/// How many readings are each of `levels`, in their order.
fn level_counts(levels: &[&'static str], readings: &[Reading]) -> Vec<usize> {
    levels
        .iter()
        .map(|&level| {
            readings
                .iter()
                .filter(|r| **r == Reading::Level(level))
                .count()
        })
        .collect()
}

struct Definition {
    variable: Variable,
    kind: VariableKind,
    unit: Option<&'static str>,
    among: Option<&'static str>,
    /// The levels of a category, in the order they are shown.
    levels: &'static [&'static str],
    read: Box<dyn Fn(&PatientEndpoints) -> Reading>,
}

impl Definition {
    fn number(
        variable: Variable,
        unit: Option<&'static str>,
        read: impl Fn(&PatientEndpoints) -> Option<f64> + 'static,
    ) -> Definition {
        Definition {
            variable,
            kind: VariableKind::Continuous,
            unit,
            among: None,
            levels: &[],
            read: Box::new(move |p| read(p).map_or(Reading::Unknown, Reading::Number)),
        }
    }

    fn yes_no(
        variable: Variable,
        read: impl Fn(&PatientEndpoints) -> Option<bool> + 'static,
    ) -> Definition {
        Definition {
            variable,
            kind: VariableKind::Categorical,
            unit: None,
            among: None,
            levels: &["yes", "no"],
            read: Box::new(move |p| match read(p) {
                Some(true) => Reading::Level("yes"),
                Some(false) => Reading::Level("no"),
                None => Reading::Unknown,
            }),
        }
    }
}

/// Early anakinra: Day 0 at most this many days after the diagnosis.
pub fn is_early(patient: &PatientEndpoints, protocol: &Protocol) -> bool {
    patient.days_to_index <= protocol.early_anakinra_days
}

/// The comparisons the protocol asks for, in its order.
pub fn comparisons(
    patients: &[PatientEndpoints],
    observed: &[Analyte],
    protocol: &Protocol,
) -> Vec<Comparison> {
    protocol
        .compare_by
        .iter()
        .map(|&by| {
            let (groups, ungrouped) = groups(patients, by, protocol);
            let overlapping = by == Grouping::Trigger;
            let tested = tested_patients(&groups, patients.len(), overlapping);
            // A variable no patient of any group has a value of (an analyte never measured on Day 7)
            // is left out: its row would only say "unknown" in every group.
            let rows = definitions(by, patients, observed, protocol)
                .iter()
                .map(|definition| row(definition, patients, &groups, &tested, protocol))
                .filter(|row| row.summaries.iter().any(|s| s.n() > 0))
                .collect();
            Comparison {
                by,
                groups,
                ungrouped,
                overlapping,
                rows,
            }
        })
        .collect()
}

fn groups(patients: &[PatientEndpoints], by: Grouping, protocol: &Protocol) -> (Vec<Group>, Count) {
    let early = format!("≤ {} days", protocol.early_anakinra_days);
    let late = format!("> {} days", protocol.early_anakinra_days);
    // The two-level groupings show both levels, in a fixed order, even when one is empty.
    let mut labelled: Vec<(String, Patients)> = match by {
        Grouping::Response => vec![
            ("responder".into(), vec![]),
            ("non-responder".into(), vec![]),
        ],
        Grouping::FirstLine => vec![("first-line".into(), vec![]), ("later line".into(), vec![])],
        Grouping::EarlyAnakinra => vec![(early.clone(), vec![]), (late.clone(), vec![])],
        Grouping::Trigger | Grouping::Centre => Vec::new(),
    };
    let mut ungrouped = Vec::new();
    let mut put = |label: &str, index: usize| match labelled.iter_mut().find(|(l, _)| l == label) {
        Some((_, who)) => who.push(index),
        None => labelled.push((label.to_string(), vec![index])),
    };
    for (index, p) in patients.iter().enumerate() {
        match by {
            Grouping::Response => match p.response {
                Some(true) => put("responder", index),
                Some(false) => put("non-responder", index),
                None => ungrouped.push(index),
            },
            Grouping::FirstLine => put(
                if p.first_line {
                    "first-line"
                } else {
                    "later line"
                },
                index,
            ),
            Grouping::EarlyAnakinra => {
                put(if is_early(p, protocol) { &early } else { &late }, index)
            }
            Grouping::Centre => match &p.record.centre {
                Some(centre) => put(centre, index),
                None => ungrouped.push(index),
            },
            Grouping::Trigger => {
                if p.record.triggers.is_empty() {
                    ungrouped.push(index);
                }
            }
        }
    }
    if by == Grouping::Trigger {
        for &trigger in Trigger::ALL {
            let who: Patients = (0..patients.len())
                .filter(|&i| patients[i].record.triggers.contains(&trigger))
                .collect();
            if !who.is_empty() {
                labelled.push((trigger.label().to_string(), who));
            }
        }
    }
    let groups = labelled
        .into_iter()
        .map(|(label, who)| Group {
            label,
            n: who.len(),
            patient_ids: who
                .iter()
                .map(|&i| patients[i].patient_id.clone())
                .collect(),
            patients: who,
        })
        .collect();
    (
        groups,
        Count {
            patients: ungrouped,
        },
    )
}

/// For each group, the patients its tests use: all of them, or with overlapping groups those in no
/// other group.
fn tested_patients(groups: &[Group], n_patients: usize, overlapping: bool) -> Vec<Patients> {
    let mut memberships = vec![0usize; n_patients];
    for group in groups {
        for &i in &group.patients {
            memberships[i] += 1;
        }
    }
    groups
        .iter()
        .map(|group| {
            group
                .patients
                .iter()
                .copied()
                .filter(|&i| !overlapping || memberships[i] == 1)
                .collect()
        })
        .collect()
}

/// The Table 1 variables and the outcomes, but the one the patients are grouped by.
fn definitions(
    by: Grouping,
    patients: &[PatientEndpoints],
    observed: &[Analyte],
    protocol: &Protocol,
) -> Vec<Definition> {
    let mut list = vec![
        Definition::number(Variable::Age, Some("years"), |p| Some(p.record.age_years)),
        Definition {
            variable: Variable::Sex,
            kind: VariableKind::Categorical,
            unit: None,
            among: None,
            levels: &["male", "female"],
            read: Box::new(|p| match p.record.sex {
                Sex::Male => Reading::Level("male"),
                Sex::Female => Reading::Level("female"),
                Sex::Unknown => Reading::Unknown,
            }),
        },
        Definition::number(Variable::HScore, None, |p| Some(f64::from(p.hscore.score))),
        Definition::yes_no(Variable::Hlh2004Met, |p| match p.hlh2004.diagnosis {
            Diagnosis::Met => Some(true),
            Diagnosis::NotMet => Some(false),
            Diagnosis::Indeterminate => None,
        }),
    ];
    if by != Grouping::Trigger {
        // The triggers some analysed patient has: a row of zeros in every group says nothing.
        for &trigger in Trigger::ALL
            .iter()
            .filter(|&&t| patients.iter().any(|p| p.record.triggers.contains(&t)))
        {
            list.push(Definition::yes_no(Variable::Trigger(trigger), move |p| {
                Some(p.record.triggers.contains(&trigger))
            }));
        }
    }
    if by != Grouping::FirstLine {
        list.push(Definition::yes_no(Variable::FirstLine, |p| {
            Some(p.first_line)
        }));
    }
    list.push(Definition::yes_no(Variable::Monotherapy, |p| {
        Some(p.monotherapy)
    }));
    list.push(Definition::yes_no(Variable::IcuBeforeDay0, |p| {
        Some(
            p.events
                .iter()
                .any(|e| e.kind == EventKind::IcuAdmission && e.day < 0),
        )
    }));
    if by != Grouping::EarlyAnakinra {
        list.push(Definition::number(
            Variable::DaysToIndex,
            Some("days"),
            |p| Some(f64::from(p.days_to_index)),
        ));
    }
    for &analyte in observed {
        list.push(Definition::number(
            Variable::Day0(analyte),
            Some(analyte.canonical_unit()),
            move |p| {
                p.labs
                    .get(&analyte)
                    .and_then(|pair| pair.day0)
                    .map(|v| v.value)
            },
        ));
    }
    if by != Grouping::Response {
        list.push(Definition::yes_no(Variable::Response, |p| p.response));
    }
    let resolved_by = protocol.fever_resolved_by_day;
    list.push(Definition {
        variable: Variable::FeverResolved,
        kind: VariableKind::Categorical,
        unit: None,
        among: Some("febrile at baseline"),
        levels: &["yes", "no"],
        read: Box::new(move |p| match p.febrile_at_baseline {
            Some(true) => match p.fever_resolution_day {
                Some(day) if day <= resolved_by => Reading::Level("yes"),
                _ => Reading::Level("no"),
            },
            Some(false) => Reading::NotApplicable,
            None => Reading::Unknown,
        }),
    });
    for &analyte in observed {
        list.push(Definition::number(
            Variable::Change(analyte),
            Some(analyte.canonical_unit()),
            move |p| {
                let pair = p.labs.get(&analyte)?;
                Some(pair.day7?.value - pair.day0?.value)
            },
        ));
    }
    list.push(Definition::yes_no(
        Variable::DiscontinuedAdverseEvent,
        |p| Some(p.discontinued_adverse_event),
    ));
    list.push(Definition::yes_no(Variable::Death, |p| {
        Some(p.death_day.is_some())
    }));
    list
}

fn row(
    variable: &Definition,
    patients: &[PatientEndpoints],
    groups: &[Group],
    tested: &[Patients],
    protocol: &Protocol,
) -> ComparisonRow {
    let readings = |who: &[usize]| -> Vec<Reading> {
        who.iter().map(|&i| (variable.read)(&patients[i])).collect()
    };
    let summaries = groups
        .iter()
        .map(|group| summarise(variable, &readings(&group.patients), protocol))
        .collect();
    let tested: Vec<Vec<Reading>> = tested
        .iter()
        .map(|who| {
            readings(who)
                .into_iter()
                .filter(|r| matches!(r, Reading::Number(_) | Reading::Level(_)))
                .collect()
        })
        .collect();
    let (test, statistic, p_value, no_test) = match test(variable, &tested) {
        Ok((test, statistic, p_value)) => (Some(test), statistic, Some(p_value), None),
        Err(reason) => (None, None, None, Some(reason)),
    };
    ComparisonRow {
        variable: variable.variable,
        kind: variable.kind,
        unit: variable.unit,
        among: variable.among,
        summaries,
        test,
        statistic,
        p_value,
        no_test,
    }
}

fn summarise(variable: &Definition, readings: &[Reading], protocol: &Protocol) -> GroupSummary {
    let unknown = readings.iter().filter(|r| **r == Reading::Unknown).count();
    match variable.kind {
        VariableKind::Continuous => GroupSummary::Continuous {
            summary: Summary::of(&numbers(readings), protocol),
            unknown,
        },
        VariableKind::Categorical => {
            let levels: Vec<LevelCount> = variable
                .levels
                .iter()
                .zip(level_counts(variable.levels, readings))
                .map(|(&level, count)| LevelCount { level, count })
                .collect();
            GroupSummary::Categorical {
                n: levels.iter().map(|l| l.count).sum(),
                levels,
                unknown,
            }
        }
    }
}

/// The test of one variable on the known values of each group's tested patients, or why there is none.
fn test(
    variable: &Definition,
    groups: &[Vec<Reading>],
) -> Result<(GroupTest, Option<f64>, f64), &'static str> {
    if groups.len() < 2 {
        return Err("fewer than two groups");
    }
    if groups.iter().any(|g| g.len() < 2) {
        return Err("a group has fewer than two patients with a value");
    }
    match variable.kind {
        VariableKind::Categorical => {
            let table: Vec<Vec<u64>> = groups
                .iter()
                .map(|g| {
                    level_counts(variable.levels, g)
                        .into_iter()
                        .map(|count| count as u64)
                        .collect()
                })
                .collect();
            let levels_seen = (0..variable.levels.len())
                .filter(|&j| table.iter().any(|row| row[j] > 0))
                .count();
            if levels_seen < 2 {
                return Err("every patient has the same value");
            }
            match fisher_exact_rxc(&table) {
                Ok(Some(p)) => Ok((GroupTest::FisherExact, None, p)),
                Ok(None) => Err("too many tables for an exact test"),
                Err(_) => Err("no table to test"),
            }
        }
        VariableKind::Continuous => {
            let values: Vec<Vec<f64>> = groups.iter().map(|g| numbers(g)).collect();
            let first = values[0][0];
            if values.iter().flatten().all(|&x| x == first) {
                return Err("every patient has the same value");
            }
            if let [x, y] = values.as_slice() {
                mann_whitney(x, y)
                    .map(|w| (GroupTest::WilcoxonRankSum, Some(w.statistic), w.p_value))
                    .map_err(|_| "no values to test")
            } else {
                let slices: Vec<&[f64]> = values.iter().map(Vec::as_slice).collect();
                match kruskal_wallis(&slices) {
                    Ok(Some(k)) => Ok((GroupTest::KruskalWallis, Some(k.statistic), k.p_value)),
                    _ => Err("no values to test"),
                }
            }
        }
    }
}
