//! `hlh omop concepts`: which concept ids of the sets are absent from the CDM's CONCEPT table, not
//! standard there, or invalid — the check a site runs before trusting the default sets.

use std::collections::BTreeMap;

use crate::cdm::Cdm;
use crate::columns::{ids, texts};
use crate::concepts::{ConceptSets, Match};
use crate::error::OmopError;

/// What the CONCEPT table says of one listed id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    Standard,
    Absent,
    NotStandard(String),
    Invalid(String),
}

impl Verdict {
    pub fn name(&self) -> String {
        match self {
            Verdict::Standard => "standard".into(),
            Verdict::Absent => "absent".into(),
            Verdict::NotStandard(flag) if flag.is_empty() => "non-standard".into(),
            Verdict::NotStandard(flag) => format!("non-standard ({flag})"),
            Verdict::Invalid(reason) => format!("invalid ({reason})"),
        }
    }
}

/// Each concept id of the sets, with its set and verdict; an error when the CDM has no CONCEPT table.
pub async fn check_concepts(
    cdm: &Cdm,
    sets: &ConceptSets,
) -> Result<Vec<(String, i64, String, Verdict)>, OmopError> {
    if !cdm.has("concept") {
        return Err(OmopError::MissingTable {
            table: "concept",
            dir: cdm.dir.clone(),
        });
    }
    let listed: Vec<(i64, &str, &str)> = sets
        .entries
        .iter()
        .filter_map(|e| match e.matcher {
            Match::Concept(id) => Some((id, e.set.as_str(), e.name.as_str())),
            _ => None,
        })
        .collect();
    let values: Vec<String> = listed.iter().map(|(id, _, _)| format!("({id})")).collect();
    let found: BTreeMap<i64, (Option<String>, Option<String>)> = if values.is_empty() {
        BTreeMap::new()
    } else {
        let batches = cdm
            .query(&format!(
                "SELECT c.concept_id, c.standard_concept, c.invalid_reason FROM concept c \
                 JOIN (SELECT * FROM (VALUES {}) AS t(concept_id)) l ON c.concept_id = l.concept_id",
                values.join(", ")
            ))
            .await?;
        let mut found = BTreeMap::new();
        for batch in &batches {
            let (id, standard, invalid) = (ids(batch, 0), texts(batch, 1), texts(batch, 2));
            for i in 0..batch.num_rows() {
                if let Some(id) = id[i] {
                    found.insert(id, (standard[i].clone(), invalid[i].clone()));
                }
            }
        }
        found
    };
    Ok(listed
        .into_iter()
        .map(|(id, set, name)| {
            let verdict = match found.get(&id) {
                None => Verdict::Absent,
                Some((_, Some(invalid))) if !invalid.trim().is_empty() => {
                    Verdict::Invalid(invalid.trim().to_string())
                }
                Some((Some(flag), _)) if flag.trim() == "S" => Verdict::Standard,
                Some((flag, _)) => {
                    Verdict::NotStandard(flag.clone().unwrap_or_default().trim().to_string())
                }
            };
            (set.to_string(), id, name.to_string(), verdict)
        })
        .collect())
}
