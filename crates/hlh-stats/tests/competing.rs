//! The Aalen–Johansen cumulative incidence against lifelines (tools/refgen/competing_reference.py →
//! tests/fixtures/lifelines_reference.json, which records the version and the exact call).

use hlh_stats::competing::{CompetingRisks, Outcome};
use serde_json::Value;

/// Products and sums of a dozen fractions: the two implementations may differ in the last bits.
const SAME_ARITHMETIC: f64 = 1e-12;

#[test]
fn the_cumulative_incidence_equals_lifelines() {
    let fixture: Value =
        serde_json::from_str(include_str!("fixtures/lifelines_reference.json")).unwrap();
    for case in fixture["cases"].as_array().unwrap() {
        let times: Vec<f64> = case["times"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| t.as_f64().unwrap())
            .collect();
        let outcomes: Vec<Outcome> = case["status"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| match s.as_u64().unwrap() {
                0 => Outcome::Censored,
                1 => Outcome::Event,
                _ => Outcome::Competing,
            })
            .collect();
        let rows = CompetingRisks::new(&times, &outcomes)
            .unwrap()
            .cumulative_incidence();
        let expected = case["incidence"].as_object().unwrap();
        assert_eq!(rows.len(), expected.len(), "{}", case["name"]);
        for row in &rows {
            let want = expected[&format!("{:?}", row.time)].as_f64().unwrap();
            assert!(
                (row.incidence - want).abs() <= SAME_ARITHMETIC,
                "{} at {}: {} against lifelines {want}",
                case["name"],
                row.time,
                row.incidence
            );
        }
    }
}
