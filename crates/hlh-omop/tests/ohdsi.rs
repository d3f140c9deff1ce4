//! The OHDSI outputs of a found cohort on a synthetic CDM: the `cohort` table (CSV and Parquet read
//! back with DataFusion), the attrition, the definition and the concept-set expressions, against the
//! cohort, the planted ground truth and the concept-set file.

use std::collections::BTreeSet;

use datafusion::arrow::array::{Array, Date32Array, Int64Array};
use datafusion::prelude::{ParquetReadOptions, SessionContext};
use hlh_omop::concepts::{ConceptSets, Match};
use hlh_omop::ohdsi::{cohort_rows, ohdsi_files, COHORT_DEFINITION_ID};
use hlh_omop::{find, Cdm, FindOptions};
use jiff::ToSpan;

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Runtime::new().unwrap()
}

fn csv_rows(text: &str) -> Vec<Vec<String>> {
    csv::Reader::from_reader(text.as_bytes())
        .records()
        .map(|r| r.unwrap().iter().map(str::to_string).collect())
        .collect()
}

#[test]
fn the_cohort_table_attrition_definition_and_concept_sets_describe_the_found_cohort() {
    runtime().block_on(async {
        let dir = tempfile::tempdir().unwrap();
        let cdm_dir = dir.path().join("cdm");
        hlh_omop::synth::synth(
            880,
            None,
            &cdm_dir,
            3,
            hlh_omop::synth::Layout::Files,
            &mut |_| {},
        )
        .unwrap();
        let cdm = Cdm::open(&cdm_dir).await.unwrap();
        let options = FindOptions::default();
        let cohort = find(&cdm, &options).await.unwrap();
        let files = ohdsi_files(&cohort, &options, true).unwrap();
        let file = |name: &str| -> &[u8] {
            &files
                .iter()
                .find(|(path, _)| path == &format!("ohdsi/{name}"))
                .unwrap_or_else(|| panic!("ohdsi/{name} is written"))
                .1
        };

        // One row per person of the cohort, the planted cases to include exactly.
        let truth = std::fs::read_to_string(cdm_dir.join("ground_truth.csv")).unwrap();
        let included: BTreeSet<i64> = csv_rows(&truth)
            .iter()
            .filter(|row| row[2] == "included")
            .map(|row| row[0].parse().unwrap())
            .collect();
        let rows = csv_rows(std::str::from_utf8(file("cohort.csv")).unwrap());
        let subjects: BTreeSet<i64> = rows.iter().map(|row| row[1].parse().unwrap()).collect();
        assert_eq!(subjects, included);
        assert_eq!(rows.len(), cohort.persons.len());
        for row in &rows {
            assert_eq!(row[0], COHORT_DEFINITION_ID.to_string());
            let person = cohort
                .persons
                .iter()
                .find(|p| p.person_id.to_string() == row[1])
                .unwrap();
            assert_eq!(row[2], person.day0.to_string(), "starts on Day 0");
            let end: jiff::civil::Date = row[3].parse().unwrap();
            let death = cohort
                .deaths
                .iter()
                .find(|(id, _)| *id == person.person_id)
                .map(|(_, date)| *date);
            let window_end = person.day0.checked_add(60.days()).unwrap();
            match death {
                Some(date) if date >= person.day0 && date < window_end => assert_eq!(end, date),
                _ => assert_eq!(end, window_end),
            }
            assert!(end >= person.day0);
        }
        assert!(
            cohort
                .deaths
                .iter()
                .any(|(_, date)| rows.iter().any(|r| r[3] == date.to_string())),
            "a death ends a cohort era"
        );

        // The Parquet file holds the same rows, with the types OHDSI tools read.
        let parquet = dir.path().join("cohort.parquet");
        std::fs::write(&parquet, file("cohort.parquet")).unwrap();
        let ctx = SessionContext::new();
        let batches = ctx
            .read_parquet(parquet.to_str().unwrap(), ParquetReadOptions::default())
            .await
            .unwrap()
            .collect()
            .await
            .unwrap();
        let mut read_back = Vec::new();
        for batch in &batches {
            let ids = batch
                .column(1)
                .as_any()
                .downcast_ref::<Int64Array>()
                .unwrap();
            let starts = batch
                .column(2)
                .as_any()
                .downcast_ref::<Date32Array>()
                .unwrap();
            let ends = batch
                .column(3)
                .as_any()
                .downcast_ref::<Date32Array>()
                .unwrap();
            for i in 0..batch.num_rows() {
                read_back.push((ids.value(i), starts.value(i), ends.value(i), ids.is_null(i)));
            }
        }
        let epoch = jiff::civil::Date::constant(1970, 1, 1);
        let expected: Vec<(i64, i32, i32, bool)> = cohort_rows(&cohort)
            .iter()
            .map(|r| {
                (
                    r.subject_id,
                    (r.start - epoch).get_days(),
                    (r.end - epoch).get_days(),
                    false,
                )
            })
            .collect();
        assert_eq!(read_back, expected);
        assert_eq!(batches[0].schema().field(0).name(), "cohort_definition_id");

        // The attrition: subjects after each step, the excluded its difference from the step before.
        let attrition = csv_rows(std::str::from_utf8(file("cohort_attrition.csv")).unwrap());
        assert_eq!(attrition.len(), cohort.attrition.len());
        assert_eq!(attrition[0][4], "Initial qualifying events");
        assert_eq!(attrition[0][2], "880");
        for pair in attrition.windows(2) {
            let before: u64 = pair[0][2].parse().unwrap();
            let after: u64 = pair[1][2].parse().unwrap();
            let excluded: u64 = pair[1][6].parse().unwrap();
            assert_eq!(before - excluded, after, "{pair:?}");
            assert_eq!(pair[1][1], pair[1][2], "one record per subject");
        }
        assert_eq!(
            attrition.last().unwrap()[2],
            cohort.persons.len().to_string()
        );

        // The definition names the rules, the HScore among them, and says what ATLAS cannot express.
        let definition = csv_rows(std::str::from_utf8(file("cohort_definition.csv")).unwrap());
        assert_eq!(definition.len(), 1);
        assert_eq!(definition[0].len(), 7);
        assert!(definition[0][2].contains("HScore lower bound of at least 169"));
        assert!(definition[0][2].contains("cannot be written as an ATLAS cohort"));
        assert!(definition[0][2].contains("kineret"));

        // Every concept id of the sets in its set's expression, descendants for drugs and conditions.
        let sets = ConceptSets::default_sets();
        for entry in &sets.entries {
            let Match::Concept(id) = entry.matcher else {
                continue;
            };
            let json: serde_json::Value =
                serde_json::from_slice(file(&format!("concept_sets/{}.json", entry.set))).unwrap();
            let item = json["items"]
                .as_array()
                .unwrap()
                .iter()
                .find(|item| item["concept"]["CONCEPT_ID"] == id)
                .unwrap_or_else(|| panic!("{id} in {}", entry.set));
            let analyte = hlh_model::Analyte::from_name(&entry.set).is_some();
            assert_eq!(item["includeDescendants"], !analyte, "{}", entry.set);
            assert_eq!(item["isExcluded"], false);
            assert_eq!(item["concept"]["VOCABULARY_ID"], entry.vocabulary.as_str());
        }

        // A pseudonymised study's folder has no cohort table: its patients are no person ids.
        let without = ohdsi_files(&cohort, &options, false).unwrap();
        assert!(without
            .iter()
            .all(|(path, _)| !path.starts_with("ohdsi/cohort.")));
        assert_eq!(without.len(), files.len() - 2);
    });
}
