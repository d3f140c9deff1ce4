//! Concept sets: which concepts (and source values) stand for the index drug, the HLH-directed drugs,
//! the HLH diagnosis, splenomegaly and each analyte. Shipped as `concepts/default.csv`; a site may give
//! its own file with `--concepts FILE`.
//!
//! Each row: `set, match, value, name, vocabulary, code, status`. `match` is `concept` (a concept id,
//! descendants taken through `concept_ancestor`), `source_contains` (the drug source value contains the
//! text, case-insensitive), `source_equals` (the measurement source value is exactly the text) or
//! `icd10` (the condition source value, trimmed, upper-cased, dot removed, is exactly the code).
//! `status` says whether the id was seen in a CONCEPT table of the public sample CDMs
//! (`found-in-source`) or is taken from public OHDSI material without that check (`unverified`).

use hlh_model::Analyte;

use crate::error::OmopError;

pub const DEFAULT: &str = include_str!("../concepts/default.csv");

/// The drug sets, in the order of their rank: a concept in two sets (a descendant of two ingredients)
/// is filed under the first.
pub const DRUG_SETS: [&str; 14] = [
    "anakinra",
    "dexamethasone",
    "methylprednisolone",
    "prednisolone",
    "prednisone",
    "hydrocortisone",
    "etoposide",
    "ciclosporin",
    "tocilizumab",
    "rituximab",
    "ruxolitinib",
    "emapalumab",
    "canakinumab",
    "ivig",
];

/// The sets that are not drugs or analytes.
pub const CONDITION_SETS: [&str; 2] = ["hlh", "splenomegaly"];

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Match {
    Concept(i64),
    SourceContains(String),
    SourceEquals(String),
    Icd10(String),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    pub set: String,
    pub matcher: Match,
    pub name: String,
    pub vocabulary: String,
    pub code: String,
    pub status: String,
}

/// All the concept sets of a run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConceptSets {
    pub entries: Vec<Entry>,
}

impl ConceptSets {
    /// Reads a concept-set file; every bad row is reported with its line.
    ///
    /// # Errors
    ///
    /// [`OmopError`] naming every bad row of `file` with its line.
    pub fn parse(text: &str, file: &str) -> Result<ConceptSets, OmopError> {
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(true)
            .from_reader(text.as_bytes());
        let mut entries = Vec::new();
        let mut problems = Vec::new();
        for (index, record) in reader.records().enumerate() {
            let line = index + 2;
            let problem = |message: String| OmopError::Concepts {
                file: file.to_string(),
                line,
                message,
            };
            let record = match record {
                Ok(r) => r,
                Err(e) => {
                    problems.push(problem(e.to_string()));
                    continue;
                }
            };
            let field = |i: usize| record.get(i).unwrap_or("").trim().to_string();
            let set = field(0).to_ascii_lowercase();
            let known = DRUG_SETS.contains(&set.as_str())
                || CONDITION_SETS.contains(&set.as_str())
                || Analyte::from_name(&set).is_some();
            if !known {
                problems.push(problem(format!(
                    "unknown set {set:?}; the sets are the drugs {}, the conditions {}, and the analytes",
                    DRUG_SETS.join(", "),
                    CONDITION_SETS.join(", ")
                )));
                continue;
            }
            let value = field(2);
            let matcher = match field(1).as_str() {
                "concept" => match value.parse::<i64>() {
                    Ok(id) => Match::Concept(id),
                    Err(_) => {
                        problems.push(problem(format!(
                            "concept id {value:?} is not a 64-bit integer"
                        )));
                        continue;
                    }
                },
                "source_contains" => Match::SourceContains(value.to_lowercase()),
                "source_equals" => Match::SourceEquals(value),
                "icd10" => Match::Icd10(value.replace('.', "").to_ascii_uppercase()),
                other => {
                    problems.push(problem(format!(
                        "match {other:?} is not one of concept, source_contains, source_equals, icd10"
                    )));
                    continue;
                }
            };
            entries.push(Entry {
                set,
                matcher,
                name: field(3),
                vocabulary: field(4),
                code: field(5),
                status: field(6),
            });
        }
        match problems.len() {
            0 => Ok(ConceptSets { entries }),
            1 => Err(problems.remove(0)),
            _ => Err(OmopError::Several(problems)),
        }
    }

    pub fn default_sets() -> ConceptSets {
        ConceptSets::parse(DEFAULT, "concepts/default.csv").unwrap_or(ConceptSets {
            entries: Vec::new(),
        })
    }

    /// The concept ids of the sets for which `keep` holds, with their set.
    pub fn concepts(&self, keep: impl Fn(&str) -> bool) -> Vec<(i64, &str)> {
        self.entries
            .iter()
            .filter(|e| keep(&e.set))
            .filter_map(|e| match e.matcher {
                Match::Concept(id) => Some((id, e.set.as_str())),
                _ => None,
            })
            .collect()
    }

    /// The texts of one kind of source-value match for the sets for which `keep` holds.
    pub fn source_matches(
        &self,
        keep: impl Fn(&str) -> bool,
        kind: fn(&Match) -> Option<&str>,
    ) -> Vec<(&str, &str)> {
        self.entries
            .iter()
            .filter(|e| keep(&e.set))
            .filter_map(|e| kind(&e.matcher).map(|text| (text, e.set.as_str())))
            .collect()
    }
}

pub fn source_contains(m: &Match) -> Option<&str> {
    match m {
        Match::SourceContains(text) => Some(text),
        _ => None,
    }
}

pub fn source_equals(m: &Match) -> Option<&str> {
    match m {
        Match::SourceEquals(text) => Some(text),
        _ => None,
    }
}

pub fn icd10(m: &Match) -> Option<&str> {
    match m {
        Match::Icd10(code) => Some(code),
        _ => None,
    }
}

/// A SQL string literal.
pub fn literal(text: &str) -> String {
    format!("'{}'", text.replace('\'', "''"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_sets_read_and_cover_every_drug_and_the_score_analytes() {
        let sets = ConceptSets::parse(DEFAULT, "default.csv").unwrap();
        for drug in DRUG_SETS {
            assert!(sets.entries.iter().any(|e| e.set == drug), "{drug}");
        }
        for analyte in [
            "temperature",
            "ferritin",
            "triglycerides",
            "fibrinogen",
            "ast",
            "hemoglobin",
            "leukocytes",
            "platelets",
        ] {
            assert!(sets.entries.iter().any(|e| e.set == analyte), "{analyte}");
        }
        for entry in sets
            .entries
            .iter()
            .filter(|e| matches!(e.matcher, Match::Concept(_)))
        {
            assert!(
                ["found-in-source", "unverified"].contains(&entry.status.as_str()),
                "{entry:?}"
            );
        }
    }

    #[test]
    fn bad_rows_are_all_reported_with_their_lines() {
        let text = "set,match,value,name,vocabulary,code,status\nanakinra,concept,abc,,,,\nfoo,concept,1,,,,\nferritin,regex,x,,,,\n";
        let error = ConceptSets::parse(text, "mine.csv").unwrap_err();
        let messages: Vec<String> = error.problems().iter().map(|p| p.to_string()).collect();
        assert_eq!(messages.len(), 3);
        assert!(messages[0].starts_with("mine.csv:2: concept id \"abc\""));
        assert!(messages[1].starts_with("mine.csv:3: unknown set \"foo\""));
        assert!(messages[2].starts_with("mine.csv:4: match \"regex\""));
    }
}
