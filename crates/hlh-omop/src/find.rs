//! `hlh omop find`: the default cohort of omop.md in a CDM, written as a study folder.
//!
//! The warehouse-sized work is four DataFusion queries that share one definition of the exposed
//! persons (a CTE, recomputed in each, so that no in-memory table is needed): the exposed persons and
//! their Day 0; their HLH and splenomegaly conditions in the window; their measurements of the analytes;
//! their HLH-directed treatments; and their deaths. What follows — units, HScore, inclusion — runs in Rust
//! on the collected rows of the exposed persons, which are few.

use std::collections::{BTreeMap, BTreeSet};

use hlh_criteria::hscore::{hscore, HScoreSettings};
use hlh_criteria::{Findings, LabValue};
use hlh_model::{units, Analyte, DailyWorst};
use jiff::civil::Date;
use jiff::ToSpan;

use crate::cdm::Cdm;
use crate::columns::{dates, ids, numbers, texts};
use crate::concepts::{icd10, literal, source_contains, source_equals, ConceptSets, DRUG_SETS};
use crate::error::OmopError;
use crate::units::{unit_of, UnitProblem};

/// The windows of omop.md, in days around Day 0, inclusive.
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

fn values_of_ids(ids: &[(i64, String)]) -> String {
    if ids.is_empty() {
        // A VALUES list cannot be empty; a row that matches nothing stands in.
        return "(VALUES (CAST(NULL AS BIGINT), CAST(NULL AS VARCHAR)))".into();
    }
    let rows: Vec<String> = ids
        .iter()
        .map(|(id, set)| format!("({id}, {})", literal(set)))
        .collect();
    format!("(VALUES {})", rows.join(", "))
}

/// The CTEs every query starts from: drug concepts (with descendants), the index exposures, and the
/// exposed persons with their Day 0.
fn exposed_ctes(cdm: &Cdm, concepts: &ConceptSets) -> String {
    let listed: Vec<(i64, String)> = concepts
        .concepts(|set| DRUG_SETS.contains(&set))
        .into_iter()
        .map(|(id, set)| (id, set.to_string()))
        .collect();
    let rank = |set: &str| {
        DRUG_SETS
            .iter()
            .position(|s| *s == set)
            .unwrap_or(DRUG_SETS.len())
    };
    let ranked: Vec<String> = listed
        .iter()
        .map(|(id, set)| format!("({id}, {})", rank(set)))
        .collect();
    let listed_values = if ranked.is_empty() {
        "(VALUES (CAST(NULL AS BIGINT), CAST(NULL AS BIGINT)))".to_string()
    } else {
        format!("(VALUES {})", ranked.join(", "))
    };
    let descendants = if cdm.has("concept_ancestor") {
        "UNION ALL SELECT a.descendant_concept_id AS concept_id, l.rank FROM concept_ancestor a \
         JOIN listed l ON a.ancestor_concept_id = l.concept_id"
    } else {
        ""
    };
    let index_source: Vec<String> = concepts
        .source_matches(|set| set == DRUG_SETS[0], source_contains)
        .into_iter()
        .map(|(text, _)| {
            format!(
                "lower(d.drug_source_value) LIKE {}",
                literal(&format!("%{text}%"))
            )
        })
        .collect();
    let index_source = if index_source.is_empty() {
        "FALSE".to_string()
    } else {
        index_source.join(" OR ")
    };
    format!(
        "listed(concept_id, rank) AS (SELECT * FROM {listed_values}), \
         drug_concepts AS (SELECT concept_id, min(rank) AS rank FROM (SELECT concept_id, rank FROM listed {descendants}) GROUP BY concept_id), \
         index_rows AS (SELECT d.drug_exposure_id, d.person_id, d.drug_exposure_start_date FROM drug_exposure d \
            LEFT JOIN drug_concepts c ON d.drug_concept_id = c.concept_id WHERE c.rank = 0 OR {index_source}), \
         exposed AS (SELECT person_id, min(drug_exposure_start_date) AS day0 FROM index_rows GROUP BY person_id)"
    )
}

/// Finds the cohort.
pub async fn find(cdm: &Cdm, options: &FindOptions) -> Result<Cohort, OmopError> {
    cdm.require()?;
    let concepts = &options.concepts;
    let ctes = exposed_ctes(cdm, concepts);
    let mut cohort = Cohort::default();

    let total = cdm
        .query("SELECT count(DISTINCT person_id) FROM person")
        .await?;
    let total = ids(&total[0], 0)[0].unwrap_or(0) as u64;

    // 1. The exposed persons with Day 0, sex and year of birth.
    let batches = cdm
        .query(&format!(
            "WITH {ctes} SELECT e.person_id, e.day0, p.gender_concept_id, p.year_of_birth \
             FROM exposed e LEFT JOIN (SELECT person_id, min(gender_concept_id) AS gender_concept_id, \
             min(year_of_birth) AS year_of_birth FROM person GROUP BY person_id) p ON e.person_id = p.person_id \
             ORDER BY e.person_id"
        ))
        .await?;
    struct Exposed {
        day0: Date,
        sex: &'static str,
        year_of_birth: Option<i64>,
    }
    let mut exposed: BTreeMap<i64, Exposed> = BTreeMap::new();
    for batch in &batches {
        let (person, day0, gender, birth) =
            (ids(batch, 0), dates(batch, 1), ids(batch, 2), ids(batch, 3));
        for i in 0..batch.num_rows() {
            let (Some(person), Some(day0)) = (person[i], day0[i]) else {
                continue;
            };
            let sex = match gender[i] {
                Some(8507) => "M",
                Some(8532) => "F",
                _ => "U",
            };
            exposed.insert(
                person,
                Exposed {
                    day0,
                    sex,
                    year_of_birth: birth[i],
                },
            );
        }
    }
    let exposed_count = exposed.len() as u64;
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
    let without_person_row = exposed
        .values()
        .filter(|e| e.year_of_birth.is_none())
        .count() as u64;

    // 2. HLH and splenomegaly conditions in the window.
    let condition_listed: Vec<(i64, String)> = concepts
        .concepts(|set| set == "hlh" || set == "splenomegaly")
        .into_iter()
        .map(|(id, set)| (id, set.to_string()))
        .collect();
    let condition_descendants = if cdm.has("concept_ancestor") {
        "UNION ALL SELECT a.descendant_concept_id, l.kind FROM concept_ancestor a JOIN condition_listed l ON a.ancestor_concept_id = l.concept_id"
    } else {
        ""
    };
    let codes: Vec<String> = concepts
        .source_matches(|set| set == "hlh", icd10)
        .into_iter()
        .map(|(code, _)| literal(code))
        .collect();
    let code_match = if codes.is_empty() {
        "FALSE".to_string()
    } else {
        format!(
            "replace(upper(trim(c.condition_source_value)), '.', '') IN ({})",
            codes.join(", ")
        )
    };
    let batches = cdm
        .query(&format!(
            "WITH {ctes}, condition_listed(concept_id, kind) AS (SELECT * FROM {}), \
             condition_concepts AS (SELECT DISTINCT concept_id, kind FROM (SELECT concept_id, kind FROM condition_listed {condition_descendants})) \
             SELECT DISTINCT c.condition_occurrence_id, c.person_id, c.condition_start_date, \
               CASE WHEN {code_match} THEN 'hlh' ELSE k.kind END AS kind \
             FROM condition_occurrence c JOIN exposed e ON c.person_id = e.person_id \
             LEFT JOIN condition_concepts k ON c.condition_concept_id = k.concept_id \
             WHERE (k.kind IS NOT NULL OR {code_match}) \
               AND c.condition_start_date >= e.day0 - INTERVAL '{} days' AND c.condition_start_date <= e.day0 + INTERVAL '{} days'",
            values_of_ids(&condition_listed),
            -CONDITION_WINDOW.0,
            CONDITION_WINDOW.1
        ))
        .await?;
    let mut hlh_dates: BTreeMap<i64, Date> = BTreeMap::new();
    let mut splenomegaly: BTreeSet<i64> = BTreeSet::new();
    let mut seen_conditions = BTreeSet::new();
    for batch in &batches {
        let (row, person, start, kind) = (
            ids(batch, 0),
            ids(batch, 1),
            dates(batch, 2),
            texts(batch, 3),
        );
        for i in 0..batch.num_rows() {
            let (Some(row), Some(person), Some(start), Some(kind)) =
                (row[i], person[i], start[i], kind[i].as_deref())
            else {
                continue;
            };
            // A condition row repeated with the same id counts once.
            if !seen_conditions.insert((row, kind.to_string())) {
                continue;
            }
            match kind {
                "hlh" => {
                    hlh_dates
                        .entry(person)
                        .and_modify(|d| *d = (*d).min(start))
                        .or_insert(start);
                }
                _ => {
                    splenomegaly.insert(person);
                }
            }
        }
    }

    // 3. Measurements of the analytes in the observation window.
    let measurement_listed: Vec<(i64, String)> = concepts
        .concepts(|set| Analyte::from_name(set).is_some())
        .into_iter()
        .map(|(id, set)| (id, set.to_string()))
        .collect();
    let source_cases: Vec<String> = concepts
        .source_matches(|set| Analyte::from_name(set).is_some(), source_equals)
        .into_iter()
        .map(|(text, set)| {
            format!(
                "WHEN trim(m.measurement_source_value) = {} THEN {}",
                literal(text),
                literal(set)
            )
        })
        .collect();
    let analyte_expression = if source_cases.is_empty() {
        "a.analyte".to_string()
    } else {
        format!("CASE {} ELSE a.analyte END", source_cases.join(" "))
    };
    let batches = cdm
        .query(&format!(
            "WITH {ctes}, measurement_concepts(concept_id, analyte) AS (SELECT * FROM {}) \
             SELECT m.measurement_id, m.person_id, m.measurement_date, {analyte_expression} AS analyte, \
               m.value_as_number, m.unit_concept_id, m.unit_source_value \
             FROM measurement m JOIN exposed e ON m.person_id = e.person_id \
             LEFT JOIN measurement_concepts a ON m.measurement_concept_id = a.concept_id \
             WHERE {analyte_expression} IS NOT NULL \
               AND m.measurement_date >= e.day0 - INTERVAL '{} days' AND m.measurement_date <= e.day0 + INTERVAL '{} days'",
            values_of_ids(&measurement_listed),
            -OBSERVATION_WINDOW.0,
            OBSERVATION_WINDOW.1
        ))
        .await?;
    let mut measurements: BTreeMap<i64, FoundObservation> = BTreeMap::new();
    let mut drop = |reason: &str| *cohort.dropped.entry(reason.to_string()).or_default() += 1;
    for batch in &batches {
        let (row, person, date, analyte, value, unit_id, unit_text) = (
            ids(batch, 0),
            ids(batch, 1),
            dates(batch, 2),
            texts(batch, 3),
            numbers(batch, 4),
            ids(batch, 5),
            texts(batch, 6),
        );
        for i in 0..batch.num_rows() {
            let (Some(row), Some(person), Some(date)) = (row[i], person[i], date[i]) else {
                drop("measurement without id, person or date");
                continue;
            };
            let Some(analyte) = analyte[i].as_deref().and_then(Analyte::from_name) else {
                continue;
            };
            if measurements.contains_key(&row) {
                drop("measurement repeated with the same measurement_id (counted once)");
                continue;
            }
            let Some(value) = value[i] else {
                drop("measurement without value_as_number");
                continue;
            };
            let unit = match unit_of(analyte, unit_id[i], unit_text[i].as_deref()) {
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
            let Ok(quantity) = units::convert(analyte, value, &unit) else {
                drop("measurement whose value cannot be converted");
                continue;
            };
            let possible = hlh_ingest::analyte_ranges(analyte).possible;
            if quantity.value() < possible.0 || quantity.value() > possible.1 {
                drop("measurement outside the physiologically possible range");
                continue;
            }
            measurements.insert(
                row,
                FoundObservation {
                    person_id: person,
                    measurement_id: row,
                    date,
                    analyte,
                    value: quantity.value(),
                },
            );
        }
    }

    // 4. Inclusion: an HLH code in the window, else the HScore lower bound on the score window.
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
    for (&person_id, person) in &exposed {
        let Some(year_of_birth) = person.year_of_birth else {
            continue;
        };
        let mut findings = Findings {
            age_years: Some(f64::from(person.day0.year()) - year_of_birth as f64),
            splenomegaly: splenomegaly.contains(&person_id).then_some(true),
            ..Findings::default()
        };
        let (from, to) = (
            person
                .day0
                .checked_add(SCORE_WINDOW.0.days())
                .unwrap_or(person.day0),
            person
                .day0
                .checked_add(SCORE_WINDOW.1.days())
                .unwrap_or(person.day0),
        );
        let mut worst: BTreeMap<Analyte, f64> = BTreeMap::new();
        for observation in by_person.get(&person_id).into_iter().flatten() {
            if observation.date < from || observation.date > to {
                continue;
            }
            let value = observation.value;
            worst
                .entry(observation.analyte)
                .and_modify(|current| {
                    let worse = match observation.analyte.daily_worst() {
                        DailyWorst::Maximum => value > *current,
                        DailyWorst::Minimum => value < *current,
                    };
                    if worse {
                        *current = value;
                    }
                })
                .or_insert(value);
        }
        for (&analyte, &value) in &worst {
            if let Ok(quantity) = units::convert(analyte, value, analyte.canonical_unit()) {
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
            sex: person.sex,
            year_of_birth,
            day0: person.day0,
            diagnosis_date: hlh_dates.get(&person_id).copied().unwrap_or(person.day0),
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

    // 5. HLH-directed treatments (and the index drug) starting in the observation window.
    let drug_names: Vec<String> = DRUG_SETS.iter().map(|s| literal(s)).collect();
    let source_cases: Vec<String> = concepts
        .source_matches(|set| DRUG_SETS.contains(&set), source_contains)
        .into_iter()
        .map(|(text, set)| {
            format!(
                "WHEN lower(d.drug_source_value) LIKE {} THEN {}",
                literal(&format!("%{text}%")),
                literal(set)
            )
        })
        .collect();
    let drug_expression = format!(
        "CASE WHEN c.rank IS NOT NULL THEN (CASE c.rank {} END) {} END",
        drug_names
            .iter()
            .enumerate()
            .map(|(rank, name)| format!("WHEN {rank} THEN {name}"))
            .collect::<Vec<_>>()
            .join(" "),
        source_cases.join(" ")
    );
    let batches = cdm
        .query(&format!(
            "WITH {ctes} SELECT d.drug_exposure_id, d.person_id, {drug_expression} AS drug, \
               d.drug_exposure_start_date, d.drug_exposure_end_date \
             FROM drug_exposure d JOIN exposed e ON d.person_id = e.person_id \
             LEFT JOIN drug_concepts c ON d.drug_concept_id = c.concept_id \
             WHERE {drug_expression} IS NOT NULL \
               AND d.drug_exposure_start_date >= e.day0 - INTERVAL '{} days' AND d.drug_exposure_start_date <= e.day0 + INTERVAL '{} days'",
            -OBSERVATION_WINDOW.0,
            OBSERVATION_WINDOW.1
        ))
        .await?;
    let mut treatments: BTreeMap<i64, FoundTreatment> = BTreeMap::new();
    for batch in &batches {
        let (row, person, drug, start, end) = (
            ids(batch, 0),
            ids(batch, 1),
            texts(batch, 2),
            dates(batch, 3),
            dates(batch, 4),
        );
        for i in 0..batch.num_rows() {
            let (Some(row), Some(person), Some(drug), Some(start)) =
                (row[i], person[i], drug[i].clone(), start[i])
            else {
                continue;
            };
            if !included.contains(&person) || treatments.contains_key(&row) {
                continue;
            }
            // An end before the start cannot be a course: the start is kept, the end left open.
            let end = end[i].filter(|end| *end >= start);
            treatments.insert(
                row,
                FoundTreatment {
                    person_id: person,
                    drug_exposure_id: row,
                    drug,
                    start,
                    end,
                },
            );
        }
    }
    cohort.treatments = treatments.into_values().collect();
    cohort
        .treatments
        .sort_by_key(|t| (t.person_id, t.start, t.drug_exposure_id));

    // 6. Deaths of the included persons (the earliest, when a person has several rows).
    if cdm.has("death") {
        let batches = cdm
            .query(&format!(
                "WITH {ctes} SELECT d.person_id, min(d.death_date) FROM death d JOIN exposed e ON d.person_id = e.person_id GROUP BY d.person_id"
            ))
            .await?;
        for batch in &batches {
            let (person, date) = (ids(batch, 0), dates(batch, 1));
            for i in 0..batch.num_rows() {
                if let (Some(person), Some(date)) = (person[i], date[i]) {
                    if included.contains(&person) {
                        cohort.deaths.push((person, date));
                    }
                }
            }
        }
        cohort.deaths.sort();
    }
    Ok(cohort)
}
