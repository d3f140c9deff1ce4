//! `hlh omop find`: the default cohort of docs/omop.md in a CDM, written as a study folder.
//!
//! The warehouse-sized work is a handful of DataFusion queries, each a filtered scan of one table with
//! literal lists: the descendants of the listed concepts in `concept_ancestor`; the exposed persons and
//! their Day 0 in `drug_exposure`; then, for the exposed persons only (their ids as a literal list), their
//! person rows, conditions, measurements, treatments and deaths. No join touches a warehouse table, so
//! memory follows the cohort, the scans stream, and the SQL needs nothing but built-in functions (it
//! could run on a Ballista cluster). What follows — windows, units, HScore, inclusion — runs in Rust on the
//! rows of the exposed persons, which are few, read batch by batch as the scans yield them.

use std::cmp::Ordering;
use std::collections::btree_map::Entry;
use std::collections::{BTreeMap, BTreeSet};

use hlh_criteria::hscore::{hscore, HScoreSettings};
use hlh_criteria::{Findings, LabValue};
use hlh_model::{units, Analyte, StudyDay};
use jiff::civil::Date;

use crate::cdm::Cdm;
use crate::columns::{dates, ids, numbers, texts};
use crate::concepts::{icd10, literal, source_contains, source_equals, ConceptSets, DRUG_SETS};
use crate::error::OmopError;
use crate::units::{unit_of, UnitProblem};

/// The windows of docs/omop.md (reading 5), in days around Day 0, inclusive.
pub const CONDITION_WINDOW: (i32, i32) = (-30, 7);
pub const SCORE_WINDOW: (i32, i32) = (-7, 1);
pub const OBSERVATION_WINDOW: (i32, i32) = (-30, 60);

/// What the cohort is asked.
#[derive(Debug, Clone)]
pub struct FindOptions {
    pub concepts: ConceptSets,
    /// The HScore an inclusion on the score alone needs (its lower bound, unknown items at 0).
    pub hscore_cutoff: u32,
}

impl Default for FindOptions {
    fn default() -> Self {
        FindOptions {
            concepts: ConceptSets::default_sets(),
            hscore_cutoff: HScoreSettings::default().cutoff,
        }
    }
}

/// Why a person is in the cohort.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Inclusion {
    HlhCode,
    HScore,
}

impl Inclusion {
    pub fn name(self) -> &'static str {
        match self {
            Inclusion::HlhCode => "hlh_code",
            Inclusion::HScore => "hscore",
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct FoundPerson {
    pub person_id: i64,
    pub sex: &'static str,
    pub year_of_birth: i64,
    pub day0: Date,
    pub diagnosis_date: Date,
    pub splenomegaly: bool,
    pub inclusion: Inclusion,
    /// The HScore lower bound on the score window (all persons get one; it decides only without a code).
    pub hscore_min: u32,
}

#[derive(Debug, Clone, PartialEq)]
pub struct FoundObservation {
    pub person_id: i64,
    pub measurement_id: i64,
    pub date: Date,
    pub analyte: Analyte,
    /// In the canonical unit.
    pub value: f64,
}

#[derive(Debug, Clone, PartialEq)]
pub struct FoundTreatment {
    pub person_id: i64,
    pub drug_exposure_id: i64,
    pub drug: String,
    pub start: Date,
    pub end: Option<Date>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct AttritionStep {
    pub step: &'static str,
    pub description: String,
    pub persons: u64,
    pub excluded: u64,
    pub reason: String,
}

/// The cohort and everything written about it.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Cohort {
    pub persons: Vec<FoundPerson>,
    pub observations: Vec<FoundObservation>,
    pub treatments: Vec<FoundTreatment>,
    /// (person_id, death date, death row key for provenance).
    pub deaths: Vec<(i64, Date)>,
    pub attrition: Vec<AttritionStep>,
    /// Rows left out and why: reason → rows.
    pub dropped: BTreeMap<String, u64>,
}

/// `(a, b, c)` for a SQL `IN`; never empty (a list of one null matches nothing).
pub(crate) fn in_list<T: std::fmt::Display>(values: impl IntoIterator<Item = T>) -> String {
    let items: Vec<String> = values.into_iter().map(|v| v.to_string()).collect();
    if items.is_empty() {
        "(NULL)".into()
    } else {
        format!("({})", items.join(", "))
    }
}

/// `lower(column) LIKE '%text%' OR …` for source-value matches, or FALSE for none.
fn contains_any(column: &str, texts: &[&str]) -> String {
    if texts.is_empty() {
        return "FALSE".into();
    }
    let tests: Vec<String> = texts
        .iter()
        .map(|text| format!("lower({column}) LIKE {}", literal(&format!("%{text}%"))))
        .collect();
    format!("({})", tests.join(" OR "))
}

/// The concept ids of some sets with their descendants through `concept_ancestor` (docs/omop.md, reading 7:
/// descendants only, never ancestors), each filed under the sets of its listed ancestors.
async fn with_descendants(
    cdm: &Cdm,
    listed: &[(i64, &str)],
) -> Result<BTreeMap<i64, BTreeSet<String>>, OmopError> {
    let mut sets: BTreeMap<i64, BTreeSet<String>> = BTreeMap::new();
    for (id, set) in listed {
        sets.entry(*id).or_default().insert(set.to_string());
    }
    if !cdm.has("concept_ancestor") || listed.is_empty() {
        return Ok(sets);
    }
    let mut batches = cdm
        .batches(&format!(
            "SELECT ancestor_concept_id, descendant_concept_id FROM concept_ancestor WHERE ancestor_concept_id IN {}",
            in_list(listed.iter().map(|(id, _)| id))
        ))
        .await?;
    while let Some(batch) = batches.next().await {
        let batch = &batch?;
        let (ancestor, descendant) = (ids(batch, 0), ids(batch, 1));
        for i in 0..batch.num_rows() {
            let (Some(ancestor), Some(descendant)) = (ancestor[i], descendant[i]) else {
                continue;
            };
            let inherited: Vec<String> = listed
                .iter()
                .filter(|(id, _)| *id == ancestor)
                .map(|(_, set)| set.to_string())
                .collect();
            sets.entry(descendant).or_default().extend(inherited);
        }
    }
    Ok(sets)
}

/// The drug of a set of drug sets: the first in [`DRUG_SETS`] order.
fn first_drug(sets: &BTreeSet<String>) -> Option<&'static str> {
    DRUG_SETS.iter().copied().find(|d| sets.contains(*d))
}

fn in_window(date: Date, day0: Date, window: (i32, i32)) -> bool {
    let offset = StudyDay::of(date, day0).0;
    window.0 <= offset && offset <= window.1
}

/// Keeps, of the rows sharing an id, the least by `order`, whatever order they arrive in (docs/omop.md
/// reading 2: rows that differ would otherwise be kept in the order the scan's partitions deliver them,
/// which varies from run to run). Whether `id` had been seen before.
fn keep_least<T>(
    kept: &mut BTreeMap<i64, T>,
    id: i64,
    copy: T,
    order: impl Fn(&T, &T) -> Ordering,
) -> bool {
    match kept.entry(id) {
        Entry::Vacant(entry) => {
            entry.insert(copy);
            false
        }
        Entry::Occupied(mut entry) => {
            if order(&copy, entry.get()).is_lt() {
                entry.insert(copy);
            }
            true
        }
    }
}

/// The cohort of a CDM, in seven steps, each one query over the persons still in (see the module
/// documentation for what runs where).
///
/// # Errors
///
/// [`OmopError`] when a required table is missing or a query fails (a column that cannot be read as
/// its type).
pub async fn find(cdm: &Cdm, options: &FindOptions) -> Result<Cohort, OmopError> {
    cdm.require()?;
    let concepts = &options.concepts;
    let mut cohort = Cohort::default();
    // The count of the CDM's persons (the attrition's first step) needs nothing else, and runs while
    // the exposed are found, so that neither leaves a core idle. The queries run at the same time are
    // joined, not raced: when several fail, the error said is the first in the order written.
    let (total, exposure) = futures::join!(distinct_persons(cdm, DISTINCT_PER_PASS), async {
        // The concept sets with their descendants.
        let drug_concepts =
            with_descendants(cdm, &concepts.concepts(|set| DRUG_SETS.contains(&set))).await?;
        let condition_concepts = with_descendants(
            cdm,
            &concepts.concepts(|set| set == "hlh" || set == "splenomegaly"),
        )
        .await?;
        let drug_of: BTreeMap<i64, &'static str> = drug_concepts
            .iter()
            .filter_map(|(id, sets)| Some((*id, first_drug(sets)?)))
            .collect();
        let day0_of = exposed_persons(cdm, concepts, &drug_of).await?;
        Ok::<_, OmopError>((condition_concepts, drug_of, day0_of))
    });
    let total = total?;
    let (condition_concepts, drug_of, day0_of) = exposure?;
    let exposed_count = day0_of.len() as u64;
    cohort.attrition.push(AttritionStep {
        step: "persons",
        description: "persons in the CDM".into(),
        persons: total,
        excluded: 0,
        reason: String::new(),
    });
    cohort.attrition.push(AttritionStep {
        step: "exposed",
        description: "with an exposure to the index drug (Day 0: its earliest start)".into(),
        persons: exposed_count,
        excluded: total.saturating_sub(exposed_count),
        reason: "never exposed to the index drug".into(),
    });
    // Steps 2 to 4 read the rows of the exposed from three tables, at the same time.
    let exposed_ids: Vec<i64> = day0_of.keys().copied().collect();
    let exposed = cdm.person_filter("person_id", &exposed_ids);
    let (person_of, conditions, measurements) = futures::join!(
        person_rows(cdm, &exposed, &day0_of),
        conditions(cdm, concepts, &condition_concepts, &exposed, &day0_of),
        measurements(cdm, concepts, &exposed, &day0_of, &mut cohort.dropped),
    );
    let (person_of, conditions, measurements) = (person_of?, conditions?, measurements?);
    include(
        &mut cohort,
        options,
        &day0_of,
        &person_of,
        &conditions,
        measurements,
    );
    let included_ids: Vec<i64> = cohort.persons.iter().map(|p| p.person_id).collect();
    if !included_ids.is_empty() {
        let included = cdm.person_filter("person_id", &included_ids);
        let (treatments, deaths) = futures::join!(
            treatments(cdm, concepts, &drug_of, &day0_of, &included),
            deaths(cdm, &included),
        );
        cohort.treatments = treatments?;
        cohort.deaths = deaths?;
    }
    Ok(cohort)
}

/// The persons a distinct-count may hold in one hash table; beyond, the count is taken in as many
/// passes over `person_id` as it takes, each over one residue of the ids.
pub const DISTINCT_PER_PASS: i64 = 1 << 20;

/// The number of distinct persons of the CDM (a repeated person row counts once, reading 2). One hash
/// of every person id would grow with the warehouse (3 × 71 MB at 5 million persons), so the ids are
/// counted in passes of about `per_pass` rows each, split by their residue modulo the number of passes:
/// the rows come from the Parquet statistics, each pass reads the one column.
///
/// # Errors
///
/// [`OmopError::Query`] when a query fails.
pub async fn distinct_persons(cdm: &Cdm, per_pass: i64) -> Result<u64, OmopError> {
    let first = |batches: Vec<datafusion::arrow::record_batch::RecordBatch>| {
        batches.first().map_or(0, |b| ids(b, 0)[0].unwrap_or(0))
    };
    let rows = first(cdm.query("SELECT count(*) FROM person").await?);
    let passes = rows / per_pass.max(1) + 1;
    if passes == 1 {
        return Ok(first(
            cdm.query("SELECT count(DISTINCT person_id) FROM person")
                .await?,
        ) as u64);
    }
    let mut total = 0;
    for residue in 0..passes {
        // ((id % n) + n) % n: the residue of a negative id too.
        total += first(
            cdm.query(&format!(
                "SELECT count(DISTINCT person_id) FROM person \
                 WHERE ((person_id % {passes}) + {passes}) % {passes} = {residue}"
            ))
            .await?,
        );
    }
    Ok(total as u64)
}

/// Step 1: the exposed persons and their Day 0, the earliest index-drug start ever.
async fn exposed_persons(
    cdm: &Cdm,
    concepts: &ConceptSets,
    drug_of: &BTreeMap<i64, &'static str>,
) -> Result<BTreeMap<i64, Date>, OmopError> {
    let index_drug = DRUG_SETS[0];
    let index_ids: Vec<i64> = drug_of
        .iter()
        .filter(|(_, d)| **d == index_drug)
        .map(|(id, _)| *id)
        .collect();
    let index_texts: Vec<&str> = concepts
        .source_matches(|set| set == index_drug, source_contains)
        .into_iter()
        .map(|(text, _)| text)
        .collect();
    let mut batches = cdm
        .batches(&format!(
            "SELECT person_id, min(drug_exposure_start_date) FROM drug_exposure \
             WHERE drug_concept_id IN {} OR {} GROUP BY person_id",
            in_list(&index_ids),
            contains_any("drug_source_value", &index_texts)
        ))
        .await?;
    let mut day0_of: BTreeMap<i64, Date> = BTreeMap::new();
    while let Some(batch) = batches.next().await {
        let batch = &batch?;
        let (person, day0) = (ids(batch, 0), dates(batch, 1));
        for i in 0..batch.num_rows() {
            if let (Some(person), Some(day0)) = (person[i], day0[i]) {
                day0_of.insert(person, day0);
            }
        }
    }
    Ok(day0_of)
}

/// Step 2: the person rows of the exposed: sex and year of birth.
async fn person_rows(
    cdm: &Cdm,
    exposed: &str,
    day0_of: &BTreeMap<i64, Date>,
) -> Result<BTreeMap<i64, (&'static str, i64)>, OmopError> {
    let mut person_of: BTreeMap<i64, (&'static str, i64)> = BTreeMap::new();
    if !day0_of.is_empty() {
        let mut batches = cdm
            .batches(&format!(
                "SELECT person_id, min(gender_concept_id), min(year_of_birth) FROM person WHERE {exposed} GROUP BY person_id"
            ))
            .await?;
        while let Some(batch) = batches.next().await {
            let batch = &batch?;
            let (person, gender, birth) = (ids(batch, 0), ids(batch, 1), ids(batch, 2));
            for i in 0..batch.num_rows() {
                let (Some(person), Some(birth)) = (person[i], birth[i]) else {
                    continue;
                };
                let sex = match gender[i] {
                    Some(8507) => "M",
                    Some(8532) => "F",
                    _ => "U",
                };
                person_of.insert(person, (sex, birth));
            }
        }
    }
    Ok(person_of)
}

/// What the conditions of the exposed say: the earliest HLH date in the window, splenomegaly.
#[derive(Debug, Default)]
struct Conditions {
    hlh_dates: BTreeMap<i64, Date>,
    splenomegaly: BTreeSet<i64>,
}

/// Step 3: the HLH and splenomegaly conditions of the exposed in the condition window.
async fn conditions(
    cdm: &Cdm,
    concepts: &ConceptSets,
    condition_concepts: &BTreeMap<i64, BTreeSet<String>>,
    exposed: &str,
    day0_of: &BTreeMap<i64, Date>,
) -> Result<Conditions, OmopError> {
    let codes: Vec<String> = concepts
        .source_matches(|set| set == "hlh", icd10)
        .into_iter()
        .map(|(code, _)| literal(code))
        .collect();
    let mut hlh_dates: BTreeMap<i64, Date> = BTreeMap::new();
    let mut splenomegaly: BTreeSet<i64> = BTreeSet::new();
    if !day0_of.is_empty() {
        let mut batches = cdm
            .batches(&format!(
                "SELECT DISTINCT condition_occurrence_id, person_id, condition_start_date, condition_concept_id, \
                   replace(upper(trim(condition_source_value)), '.', '') IN {} AS hlh_code \
                 FROM condition_occurrence WHERE {exposed} \
                   AND (condition_concept_id IN {} OR replace(upper(trim(condition_source_value)), '.', '') IN {})",
                in_list(&codes),
                in_list(condition_concepts.keys()),
                in_list(&codes)
            ))
            .await?;
        // A condition row repeated with the same id counts once: of copies that differ, the least
        // (person, start, concept, code) is kept, whatever order the scan delivered them in.
        let mut copies: BTreeMap<i64, (i64, Date, Option<i64>, bool)> = BTreeMap::new();
        while let Some(batch) = batches.next().await {
            let batch = &batch?;
            let (row, person, start, concept, code) = (
                ids(batch, 0),
                ids(batch, 1),
                dates(batch, 2),
                ids(batch, 3),
                texts(batch, 4),
            );
            for i in 0..batch.num_rows() {
                let (Some(row), Some(person), Some(start)) = (row[i], person[i], start[i]) else {
                    continue;
                };
                let copy = (
                    person,
                    start,
                    concept[i],
                    code[i].as_deref() == Some("true"),
                );
                keep_least(&mut copies, row, copy, Ord::cmp);
            }
        }
        for (person, start, concept, by_code) in copies.into_values() {
            let Some(&day0) = day0_of.get(&person) else {
                continue;
            };
            if !in_window(start, day0, CONDITION_WINDOW) {
                continue;
            }
            let sets = concept.and_then(|c| condition_concepts.get(&c));
            if by_code || sets.is_some_and(|s| s.contains("hlh")) {
                hlh_dates
                    .entry(person)
                    .and_modify(|d| *d = (*d).min(start))
                    .or_insert(start);
            }
            if sets.is_some_and(|s| s.contains("splenomegaly")) {
                splenomegaly.insert(person);
            }
        }
    }
    Ok(Conditions {
        hlh_dates,
        splenomegaly,
    })
}

/// A measurement row of an analyte in the window, before its value and unit are checked.
#[derive(Debug)]
struct MeasurementCopy {
    person: i64,
    date: Date,
    analyte: Analyte,
    value: Option<f64>,
    unit_id: Option<i64>,
    unit_text: Option<String>,
}

impl MeasurementCopy {
    /// The order that picks the copy kept of rows sharing a `measurement_id` ([`keep_least`]).
    fn canonical_cmp(&self, other: &Self) -> Ordering {
        (self.person, self.date, self.analyte)
            .cmp(&(other.person, other.date, other.analyte))
            .then_with(|| match (self.value, other.value) {
                (Some(a), Some(b)) => a.total_cmp(&b),
                // A copy with a value before one without.
                (a, b) => b.is_some().cmp(&a.is_some()),
            })
            .then_with(|| (self.unit_id, &self.unit_text).cmp(&(other.unit_id, &other.unit_text)))
    }
}

/// Step 4: the measurements of the analytes of the exposed in the observation window, converted and
/// checked; what cannot be used is counted in `dropped` by reason.
async fn measurements(
    cdm: &Cdm,
    concepts: &ConceptSets,
    exposed: &str,
    day0_of: &BTreeMap<i64, Date>,
    dropped: &mut BTreeMap<String, u64>,
) -> Result<BTreeMap<i64, FoundObservation>, OmopError> {
    let analyte_of: BTreeMap<i64, Analyte> = concepts
        .concepts(|set| Analyte::from_name(set).is_some())
        .into_iter()
        .filter_map(|(id, set)| Some((id, Analyte::from_name(set)?)))
        .collect();
    let by_source: BTreeMap<String, Analyte> = concepts
        .source_matches(|set| Analyte::from_name(set).is_some(), source_equals)
        .into_iter()
        .filter_map(|(text, set)| Some((text.to_string(), Analyte::from_name(set)?)))
        .collect();
    let mut measurements: BTreeMap<i64, FoundObservation> = BTreeMap::new();
    let mut copies: BTreeMap<i64, MeasurementCopy> = BTreeMap::new();
    let mut drop = |reason: &str| *dropped.entry(reason.to_string()).or_default() += 1;
    if !day0_of.is_empty() {
        let mut batches = cdm
            .batches(&format!(
                "SELECT measurement_id, person_id, measurement_date, measurement_concept_id, value_as_number, \
                   unit_concept_id, unit_source_value, trim(measurement_source_value) \
                 FROM measurement WHERE {exposed} \
                   AND (measurement_concept_id IN {} OR trim(measurement_source_value) IN {})",
                in_list(analyte_of.keys()),
                in_list(by_source.keys().map(|t| literal(t)))
            ))
            .await?;
        while let Some(batch) = batches.next().await {
            let batch = &batch?;
            let (row, person, date, concept, value, unit_id, mut unit_text, source) = (
                ids(batch, 0),
                ids(batch, 1),
                dates(batch, 2),
                ids(batch, 3),
                numbers(batch, 4),
                ids(batch, 5),
                texts(batch, 6),
                texts(batch, 7),
            );
            for i in 0..batch.num_rows() {
                let (Some(row), Some(person), Some(date)) = (row[i], person[i], date[i]) else {
                    drop("measurement without id, person or date");
                    continue;
                };
                let Some(&day0) = day0_of.get(&person) else {
                    continue;
                };
                if !in_window(date, day0, OBSERVATION_WINDOW) {
                    continue;
                }
                // A source value of the sets decides over the concept (fibrinogen is 3255-7 whatever its
                // concept, docs/omop.md reading 4).
                let Some(analyte) = source[i]
                    .as_deref()
                    .and_then(|s| by_source.get(s).copied())
                    .or_else(|| concept[i].and_then(|c| analyte_of.get(&c).copied()))
                else {
                    continue;
                };
                let copy = MeasurementCopy {
                    person,
                    date,
                    analyte,
                    value: value[i],
                    unit_id: unit_id[i],
                    unit_text: unit_text[i].take(),
                };
                if keep_least(&mut copies, row, copy, MeasurementCopy::canonical_cmp) {
                    drop("measurement repeated with the same measurement_id (counted once)");
                }
            }
        }
    }
    for (row, copy) in copies {
        let Some(value) = copy.value else {
            drop("measurement without value_as_number");
            continue;
        };
        let unit = match unit_of(copy.analyte, copy.unit_id, copy.unit_text.as_deref()) {
            Ok(unit) => unit,
            Err(UnitProblem::Undeterminable) => {
                drop("measurement whose unit cannot be determined");
                continue;
            }
            Err(UnitProblem::NotForAnalyte) => {
                drop("measurement whose unit does not measure its analyte");
                continue;
            }
        };
        let Ok(quantity) = units::convert(copy.analyte, value, &unit) else {
            drop("measurement whose value cannot be converted");
            continue;
        };
        let possible = hlh_model::ranges::analyte_ranges(copy.analyte).possible;
        if quantity.value() < possible.0 || quantity.value() > possible.1 {
            drop("measurement outside the physiologically possible range");
            continue;
        }
        measurements.insert(
            row,
            FoundObservation {
                person_id: copy.person,
                measurement_id: row,
                date: copy.date,
                analyte: copy.analyte,
                value: quantity.value(),
            },
        );
    }
    Ok(measurements)
}

/// Step 5: inclusion, by an HLH code in the window or else the HScore lower bound on the score window;
/// the included persons, their observations and the attrition step go into `cohort`.
fn include(
    cohort: &mut Cohort,
    options: &FindOptions,
    day0_of: &BTreeMap<i64, Date>,
    person_of: &BTreeMap<i64, (&'static str, i64)>,
    conditions: &Conditions,
    measurements: BTreeMap<i64, FoundObservation>,
) {
    let (hlh_dates, splenomegaly) = (&conditions.hlh_dates, &conditions.splenomegaly);
    let without_person_row = day0_of
        .keys()
        .filter(|p| !person_of.contains_key(p))
        .count() as u64;
    let mut by_person: BTreeMap<i64, Vec<&FoundObservation>> = BTreeMap::new();
    for observation in measurements.values() {
        by_person
            .entry(observation.person_id)
            .or_default()
            .push(observation);
    }
    let settings = HScoreSettings {
        cutoff: options.hscore_cutoff,
        ..HScoreSettings::default()
    };
    let mut not_included = 0u64;
    for (&person_id, &day0) in day0_of {
        let Some(&(sex, year_of_birth)) = person_of.get(&person_id) else {
            continue;
        };
        let mut findings = Findings {
            age_years: Some(f64::from(day0.year()) - year_of_birth as f64),
            splenomegaly: splenomegaly.contains(&person_id).then_some(true),
            ..Findings::default()
        };
        // The worst value of each analyte in the score window (items may come from different days).
        for observation in by_person.get(&person_id).into_iter().flatten() {
            let analyte = observation.analyte;
            let better_known = findings
                .lab(analyte)
                .is_some_and(|current| !analyte.is_worse(observation.value, current));
            if better_known || !in_window(observation.date, day0, SCORE_WINDOW) {
                continue;
            }
            if let Ok(quantity) =
                units::convert(analyte, observation.value, analyte.canonical_unit())
            {
                findings.set_lab(LabValue {
                    quantity,
                    as_typed: None,
                    source: None,
                });
            }
        }
        let score = hscore(&findings, &settings);
        let inclusion = if hlh_dates.contains_key(&person_id) {
            Inclusion::HlhCode
        } else if score.min >= options.hscore_cutoff {
            Inclusion::HScore
        } else {
            not_included += 1;
            continue;
        };
        cohort.persons.push(FoundPerson {
            person_id,
            sex,
            year_of_birth,
            day0,
            diagnosis_date: hlh_dates.get(&person_id).copied().unwrap_or(day0),
            splenomegaly: splenomegaly.contains(&person_id),
            inclusion,
            hscore_min: score.min,
        });
    }
    cohort.attrition.push(AttritionStep {
        step: "shlh",
        description: format!(
            "with an HLH code in [Day 0 - {}, Day 0 + {}] or an HScore of at least {} (unknown items at 0) in [Day 0 - {}, Day 0 + {}]",
            -CONDITION_WINDOW.0, CONDITION_WINDOW.1, options.hscore_cutoff, -SCORE_WINDOW.0, SCORE_WINDOW.1
        ),
        persons: cohort.persons.len() as u64,
        excluded: not_included + without_person_row,
        reason: if without_person_row > 0 {
            format!("no sHLH evidence ({not_included}); no row in person ({without_person_row})")
        } else {
            "no sHLH evidence".into()
        },
    });
    let included: BTreeSet<i64> = cohort.persons.iter().map(|p| p.person_id).collect();
    cohort.observations = measurements
        .into_values()
        .filter(|o| included.contains(&o.person_id))
        .collect();
    cohort
        .observations
        .sort_by_key(|o| (o.person_id, o.date, o.analyte, o.measurement_id));
}

/// Step 6: the HLH-directed treatments (and the index drug) of the included persons starting in the
/// observation window.
async fn treatments(
    cdm: &Cdm,
    concepts: &ConceptSets,
    drug_of: &BTreeMap<i64, &'static str>,
    day0_of: &BTreeMap<i64, Date>,
    included: &str,
) -> Result<Vec<FoundTreatment>, OmopError> {
    let drug_texts: Vec<(&str, &str)> =
        concepts.source_matches(|set| DRUG_SETS.contains(&set), source_contains);
    let all_texts: Vec<&str> = drug_texts.iter().map(|(text, _)| *text).collect();
    let mut treatments: BTreeMap<i64, (bool, FoundTreatment)> = BTreeMap::new();
    let mut batches = cdm
        .batches(&format!(
            "SELECT drug_exposure_id, person_id, drug_concept_id, lower(drug_source_value), \
               drug_exposure_start_date, drug_exposure_end_date \
             FROM drug_exposure WHERE {included} AND (drug_concept_id IN {} OR {})",
            in_list(drug_of.keys()),
            contains_any("drug_source_value", &all_texts)
        ))
        .await?;
    while let Some(batch) = batches.next().await {
        let batch = &batch?;
        let (row, person, concept, source, start, end) = (
            ids(batch, 0),
            ids(batch, 1),
            ids(batch, 2),
            texts(batch, 3),
            dates(batch, 4),
            dates(batch, 5),
        );
        for i in 0..batch.num_rows() {
            let (Some(row), Some(person), Some(start)) = (row[i], person[i], start[i]) else {
                continue;
            };
            let Some(&day0) = day0_of.get(&person) else {
                continue;
            };
            if !in_window(start, day0, OBSERVATION_WINDOW) {
                continue;
            }
            // The concept names the drug; failing that, the first set whose text the source value holds.
            let by_concept = concept[i].and_then(|c| drug_of.get(&c).copied());
            let by_source = source[i].as_deref().and_then(|s| {
                DRUG_SETS.iter().copied().find(|set| {
                    drug_texts
                        .iter()
                        .any(|(text, t_set)| t_set == set && s.contains(text))
                })
            });
            let (from_concept, Some(drug)) = (by_concept.is_some(), by_concept.or(by_source))
            else {
                continue;
            };
            // An end before the start cannot be a course: the start is kept, the end left open.
            let end = end[i].filter(|end| *end >= start);
            let found = FoundTreatment {
                person_id: person,
                drug_exposure_id: row,
                drug: drug.to_string(),
                start,
                end,
            };
            // A repeated id counts once; a reading by concept wins over one by source value, and
            // between copies that still differ the least is kept, whatever order they came in.
            keep_least(&mut treatments, row, (from_concept, found), |a, b| {
                treatment_rank(a).cmp(&treatment_rank(b))
            });
        }
    }
    let mut treatments: Vec<FoundTreatment> = treatments.into_values().map(|(_, t)| t).collect();
    treatments.sort_by_key(|t| (t.person_id, t.start, t.drug_exposure_id));
    Ok(treatments)
}

/// The order that picks the copy kept of drug exposures sharing an id ([`keep_least`]): a reading by
/// concept first, then the least course.
fn treatment_rank(
    (from_concept, t): &(bool, FoundTreatment),
) -> (bool, i64, Date, &str, Option<Date>) {
    (!*from_concept, t.person_id, t.start, &t.drug, t.end)
}

/// Step 7: the deaths of the included persons (the earliest, when a person has several rows).
async fn deaths(cdm: &Cdm, included: &str) -> Result<Vec<(i64, Date)>, OmopError> {
    let mut deaths = Vec::new();
    if cdm.has("death") {
        let mut batches = cdm
            .batches(&format!(
                "SELECT person_id, min(death_date) FROM death WHERE {included} GROUP BY person_id"
            ))
            .await?;
        while let Some(batch) = batches.next().await {
            let batch = &batch?;
            let (person, date) = (ids(batch, 0), dates(batch, 1));
            for i in 0..batch.num_rows() {
                if let (Some(person), Some(date)) = (person[i], date[i]) {
                    deaths.push((person, date));
                }
            }
        }
        deaths.sort();
    }
    Ok(deaths)
}
