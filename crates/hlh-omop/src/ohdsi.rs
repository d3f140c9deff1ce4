//! The found cohort in the forms OHDSI tools read, beside the study folder (docs/omop.md, "OHDSI
//! outputs"): the `cohort` table as CSV and Parquet, its `cohort_definition` row (CDM v5.4), the
//! attrition with the columns of omopgenerics' `cohort_attrition`, and each concept set as the concept-set
//! expression JSON that ATLAS imports.

use std::fmt::Write as _;
use std::sync::Arc;

use datafusion::arrow::array::{ArrayRef, Date32Array, Int64Array};
use datafusion::arrow::datatypes::{DataType, Field, Schema};
use datafusion::arrow::record_batch::RecordBatch;
use datafusion::parquet::arrow::ArrowWriter;
use datafusion::parquet::file::properties::WriterProperties;
use hlh_model::Analyte;
use jiff::civil::Date;
use jiff::ToSpan;

use crate::concepts::{ConceptSets, Match, CONDITION_SETS, DRUG_SETS};
use crate::error::OmopError;
use crate::find::{Cohort, FindOptions, CONDITION_WINDOW, OBSERVATION_WINDOW, SCORE_WINDOW};
use crate::write::field;

/// The cohort's id in the `cohort` table and its definition.
pub const COHORT_DEFINITION_ID: i64 = 1;

pub const COHORT_NAME: &str = "sHLH treated with anakinra (hlhkit)";

/// The folder of the OHDSI files inside the study folder.
pub const FOLDER: &str = "ohdsi";

/// The OHDSI files, by path inside the study folder. `with_subjects` false (a pseudonymised study,
/// whose patients are no longer person ids) leaves the `cohort` table out.
///
/// # Errors
///
/// [`OmopError::Query`] if the Parquet file cannot be encoded (it is written to memory).
pub fn ohdsi_files(
    cohort: &Cohort,
    options: &FindOptions,
    with_subjects: bool,
) -> Result<Vec<(String, Vec<u8>)>, OmopError> {
    let mut files = Vec::new();
    if with_subjects {
        let rows = cohort_rows(cohort);
        files.push((
            format!("{FOLDER}/cohort.csv"),
            cohort_csv(&rows).into_bytes(),
        ));
        files.push((format!("{FOLDER}/cohort.parquet"), cohort_parquet(&rows)?));
    }
    files.push((
        format!("{FOLDER}/cohort_definition.csv"),
        definition_csv(options).into_bytes(),
    ));
    files.push((
        format!("{FOLDER}/cohort_attrition.csv"),
        attrition_csv(cohort).into_bytes(),
    ));
    for (set, json) in concept_set_files(&options.concepts) {
        files.push((
            format!("{FOLDER}/concept_sets/{set}.json"),
            json.into_bytes(),
        ));
    }
    Ok(files)
}

/// One row of the `cohort` table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CohortRow {
    pub subject_id: i64,
    pub start: Date,
    pub end: Date,
}

/// Each person from Day 0 (the first index-drug exposure) to the end of the observation window, Day 0
/// + 60, or the death if earlier; sorted by subject as OHDSI tools expect none in particular.
pub fn cohort_rows(cohort: &Cohort) -> Vec<CohortRow> {
    let mut rows: Vec<CohortRow> = cohort
        .persons
        .iter()
        .map(|person| {
            let window_end = person
                .day0
                .checked_add(i64::from(OBSERVATION_WINDOW.1).days())
                .unwrap_or(person.day0);
            let death = cohort
                .deaths
                .iter()
                .filter(|(id, date)| *id == person.person_id && *date >= person.day0)
                .map(|(_, date)| *date)
                .min();
            CohortRow {
                subject_id: person.person_id,
                start: person.day0,
                end: death.map_or(window_end, |d| d.min(window_end)),
            }
        })
        .collect();
    rows.sort_by_key(|row| row.subject_id);
    rows
}

fn cohort_csv(rows: &[CohortRow]) -> String {
    let mut text =
        String::from("cohort_definition_id,subject_id,cohort_start_date,cohort_end_date\n");
    for row in rows {
        let _ = writeln!(
            text,
            "{COHORT_DEFINITION_ID},{},{},{}",
            row.subject_id, row.start, row.end
        );
    }
    text
}

/// Days since 1970-01-01, Arrow's Date32.
fn epoch_days(date: Date) -> i32 {
    let epoch = Date::constant(1970, 1, 1);
    (date - epoch).get_days()
}

fn cohort_parquet(rows: &[CohortRow]) -> Result<Vec<u8>, OmopError> {
    let schema = Arc::new(Schema::new(vec![
        Field::new("cohort_definition_id", DataType::Int64, false),
        Field::new("subject_id", DataType::Int64, false),
        Field::new("cohort_start_date", DataType::Date32, false),
        Field::new("cohort_end_date", DataType::Date32, false),
    ]));
    let columns: Vec<ArrayRef> = vec![
        Arc::new(Int64Array::from(vec![COHORT_DEFINITION_ID; rows.len()])),
        Arc::new(Int64Array::from_iter_values(
            rows.iter().map(|r| r.subject_id),
        )),
        Arc::new(Date32Array::from_iter_values(
            rows.iter().map(|r| epoch_days(r.start)),
        )),
        Arc::new(Date32Array::from_iter_values(
            rows.iter().map(|r| epoch_days(r.end)),
        )),
    ];
    let failed = |e: &dyn std::fmt::Display| OmopError::Query {
        message: format!("the cohort table could not be encoded as Parquet: {e}"),
    };
    let batch = RecordBatch::try_new(schema.clone(), columns).map_err(|e| failed(&e))?;
    let mut bytes = Vec::new();
    let mut writer = ArrowWriter::try_new(&mut bytes, schema, Some(WriterProperties::default()))
        .map_err(|e| failed(&e))?;
    writer.write(&batch).map_err(|e| failed(&e))?;
    writer.close().map_err(|e| failed(&e))?;
    Ok(bytes)
}

/// The rules of the cohort in words: what a `cohort_definition` row and a reader need.
pub fn rules_in_words(options: &FindOptions) -> String {
    let sources = |set: &str| -> Vec<String> {
        options
            .concepts
            .entries
            .iter()
            .filter(|e| e.set == set)
            .filter_map(|e| match &e.matcher {
                Match::SourceContains(text) => Some(format!("source value containing \"{text}\"")),
                Match::Icd10(code) => Some(format!("ICD-10 source value {code}")),
                Match::SourceEquals(text) => Some(format!("source value \"{text}\"")),
                Match::Concept(_) => None,
            })
            .collect()
    };
    format!(
        "Entry: the first drug_exposure of the concept set anakinra (with descendants), or with a {}; cohort start = its date (Day 0). \
         Inclusion, either: a condition_occurrence of the concept set hlh (with descendants), or with an {}, dated Day 0 - {} to Day 0 + {}; \
         or an HScore lower bound of at least {} (unknown items scored 0) on the worst measurement of each analyte dated Day 0 - {} to Day 0 + {} \
         (temperature, haemoglobin, leukocytes, platelets, ferritin, triglycerides, fibrinogen by source value 3255-7, AST; splenomegaly from the concept set splenomegaly dated Day 0 - {} to Day 0 + {}), \
         values converted to canonical units by unit concept or unit source value. \
         Persons absent from the person table are left out. Cohort end = Day 0 + {}, or the death date if earlier. \
         The HScore inclusion is computed from laboratory values and cannot be written as an ATLAS cohort definition; the HLH code inclusion can.",
        sources("anakinra").join(" or "),
        sources("hlh").join(" or "),
        -CONDITION_WINDOW.0,
        CONDITION_WINDOW.1,
        options.hscore_cutoff,
        -SCORE_WINDOW.0,
        SCORE_WINDOW.1,
        -CONDITION_WINDOW.0,
        CONDITION_WINDOW.1,
        OBSERVATION_WINDOW.1,
    )
}

/// The CDM v5.4 `cohort_definition` row. The concept ids it asks for are 0 (no matching concept): the
/// definition type and subject domain have no standard concept a tool reads; the initiation date is left
/// empty, so that the same warehouse gives the same bytes.
fn definition_csv(options: &FindOptions) -> String {
    format!(
        "cohort_definition_id,cohort_definition_name,cohort_definition_description,definition_type_concept_id,cohort_definition_syntax,subject_concept_id,cohort_initiation_date\n\
         {COHORT_DEFINITION_ID},{},{},0,,0,\n",
        field(COHORT_NAME),
        field(&rules_in_words(options)),
    )
}

/// The attrition as omopgenerics' `cohort_attrition` lays it out: one record per person, so records and
/// subjects are the same numbers.
fn attrition_csv(cohort: &Cohort) -> String {
    let mut text = String::from(
        "cohort_definition_id,number_records,number_subjects,reason_id,reason,excluded_records,excluded_subjects\n",
    );
    for (i, step) in cohort.attrition.iter().enumerate() {
        let reason = if i == 0 {
            "Initial qualifying events".to_string()
        } else {
            step.description.clone()
        };
        let _ = writeln!(
            text,
            "{COHORT_DEFINITION_ID},{0},{0},{1},{2},{3},{3}",
            step.persons,
            i + 1,
            field(&reason),
            step.excluded
        );
    }
    text
}

/// The OHDSI domain of a set's concepts.
fn domain(set: &str) -> &'static str {
    if DRUG_SETS.contains(&set) {
        "Drug"
    } else if CONDITION_SETS.contains(&set) {
        "Condition"
    } else {
        "Measurement"
    }
}

/// Each set with concept ids, as ATLAS's concept-set expression: descendants included for the drug
/// and condition sets, whose descendants the cohort takes through `concept_ancestor`, not for the
/// analytes. Source-value matches have no concept id and are not part of it (the definition names them).
pub fn concept_set_files(sets: &ConceptSets) -> Vec<(String, String)> {
    let mut names: Vec<&str> = Vec::new();
    for entry in &sets.entries {
        if matches!(entry.matcher, Match::Concept(_)) && !names.contains(&entry.set.as_str()) {
            names.push(&entry.set);
        }
    }
    names
        .into_iter()
        .map(|set| {
            let descendants = Analyte::from_name(set).is_none();
            let items: Vec<serde_json::Value> = sets
                .entries
                .iter()
                .filter(|e| e.set == set)
                .filter_map(|e| match e.matcher {
                    Match::Concept(id) => Some(serde_json::json!({
                        "concept": {
                            "CONCEPT_ID": id,
                            "CONCEPT_NAME": e.name,
                            "STANDARD_CONCEPT": "S",
                            "STANDARD_CONCEPT_CAPTION": "Standard",
                            "INVALID_REASON": "V",
                            "INVALID_REASON_CAPTION": "Valid",
                            "CONCEPT_CODE": e.code,
                            "DOMAIN_ID": domain(set),
                            "VOCABULARY_ID": e.vocabulary,
                            "CONCEPT_CLASS_ID": "",
                        },
                        "isExcluded": false,
                        "includeDescendants": descendants,
                        "includeMapped": false,
                    })),
                    _ => None,
                })
                .collect();
            let text = serde_json::to_string_pretty(&serde_json::json!({ "items": items }))
                .unwrap_or_default();
            (set.to_string(), text + "\n")
        })
        .collect()
}
