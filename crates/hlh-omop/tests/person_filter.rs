//! The embedded scans test a row's person with hlhkit's function (`Cdm::person_filter`), a cluster's
//! with `person_id IN (…)`: both must keep the same rows.

use datafusion::arrow::array::Int64Array;
use datafusion::arrow::record_batch::RecordBatch;
use hlh_omop::synth::{synth, Layout};
use hlh_omop::Cdm;

fn int(batch: &RecordBatch, column: usize) -> &Int64Array {
    batch
        .column(column)
        .as_any()
        .downcast_ref::<Int64Array>()
        .unwrap()
}

#[test]
fn the_embedded_person_test_keeps_the_rows_the_in_list_keeps() {
    // Ids present and absent, negative ones and null ones.
    let dir = tempfile::tempdir().unwrap();
    let cdm_dir = dir.path().join("cdm");
    synth(400, None, &cdm_dir, 5, Layout::Files, &mut |_| {}).unwrap();
    tokio::runtime::Runtime::new().unwrap().block_on(async {
        let cdm = Cdm::open(&cdm_dir).await.unwrap();
        let persons = cdm
            .query("SELECT DISTINCT person_id FROM person ORDER BY person_id")
            .await
            .unwrap();
        let ids: Vec<i64> = persons
            .iter()
            .flat_map(|b| int(b, 0).values().to_vec())
            .collect();
        assert!(ids.len() >= 400 && ids.iter().any(|id| *id < 0));
        // Every third person, and ids no person has (a neighbour of each, the integers' ends).
        let mut chosen: Vec<i64> = ids.iter().copied().step_by(3).collect();
        chosen.extend(ids.iter().step_by(5).map(|id| id.wrapping_add(1)));
        chosen.extend([i64::MIN, i64::MAX, 0]);
        // One row in seven has its person id made null.
        let column = "CASE WHEN measurement_id % 7 = 0 THEN NULL ELSE person_id END";
        let kept = |filter: String| {
            let sql = format!(
                "SELECT count(*), sum(measurement_id % 1000003) FROM measurement WHERE {filter}"
            );
            let cdm = &cdm;
            async move {
                let batches = cdm.query(&sql).await.unwrap();
                (int(&batches[0], 0).value(0), int(&batches[0], 1).value(0))
            }
        };
        let function = cdm.person_filter(column, &chosen);
        assert!(function.starts_with("hlh_persons_"), "{function}");
        let list = format!(
            "{column} IN ({})",
            chosen
                .iter()
                .map(i64::to_string)
                .collect::<Vec<_>>()
                .join(", ")
        );
        let (by_function, by_list) = (kept(function).await, kept(list).await);
        assert_eq!(by_function, by_list);
        assert!(by_function.0 > 1_000, "{by_function:?}");
        // No person at all: no row.
        let none = cdm.person_filter("person_id", &[]);
        assert_eq!(kept(none).await.0, 0);
    });
}
