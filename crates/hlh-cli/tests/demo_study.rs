//! The bundled demo study carries the baseline figures of the Baverez 2022 abstract that reading alone
//! can show (the outcome figures are checked with the analysis). Expected values are the abstract's.

use hlh_ingest::read_study_folder;
use hlh_model::{Drug, Sex, StopReason, Trigger};

#[test]
fn the_demo_study_has_the_baseline_of_the_abstract() {
    let folder = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("demo");
    let ingested = read_study_folder(&folder);
    assert!(
        ingested.diagnostics.is_empty(),
        "{:?}",
        ingested.diagnostics
    );
    let study = &ingested.study;
    assert!(study.title.as_deref().unwrap().contains("SYNTHETIC"));

    assert_eq!(study.patients.len(), 21);
    assert_eq!(
        study.patients.iter().filter(|p| p.sex == Sex::Male).count(),
        13
    );
    let mut ages: Vec<f64> = study.patients.iter().map(|p| p.age_years).collect();
    ages.sort_by(f64::total_cmp);
    assert_eq!(ages[10], 45.0, "median of 21 ages is the 11th");
    assert_eq!(study.centres.len(), 2);

    let has_trigger = |trigger| study.patients.iter().any(|p| p.triggers.contains(&trigger));
    assert!(
        has_trigger(Trigger::Aosd)
            && has_trigger(Trigger::Infection)
            && has_trigger(Trigger::Malignancy)
    );

    // Three patients stopped anakinra for an adverse event.
    let mut stopped: Vec<&str> = study
        .treatments
        .iter()
        .filter(|t| t.drug == Drug::Anakinra && t.stop_reason == Some(StopReason::AdverseEvent))
        .map(|t| study.patient(t.patient).id.as_str())
        .collect();
    stopped.dedup();
    assert_eq!(stopped.len(), 3);

    // Mixed units, as a real two-centre series has them.
    let units: std::collections::BTreeSet<&str> = study
        .observations
        .iter()
        .map(|o| o.unit_as_written.as_str())
        .collect();
    for unit in ["mg/dL", "[degF]", "/mm3", "ng/mL", "g/L"] {
        assert!(units.contains(unit), "{unit} missing from {units:?}");
    }
}

/// The response of the demo under the published definitions of a fall of CRP and ferritin, against the
/// hand counts of tools/demo/check_demo.py (which reads the CSV files with Python alone): 19/21 with any
/// fall, 17/21 with ferritin down 25 % and CRP down 50 %, 9/21 with ferritin down 50 %, 15/21 when a
/// co-intervention fails the response.
#[test]
fn the_demo_response_depends_on_the_definition_of_a_fall() {
    let folder = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("demo");
    let (study, settings, _) = read_study_folder(&folder).into_valid().unwrap();
    let protocol = hlh_outcomes::Protocol::load(settings.protocol.as_ref(), None).unwrap();
    let analysis = hlh_outcomes::analyze(&study, &protocol).unwrap();
    let rows: Vec<(&str, u64, u64)> = analysis
        .cohort
        .outcomes
        .response_sensitivity
        .iter()
        .map(|row| (row.definition, row.responders.count, row.responders.n))
        .collect();
    assert_eq!(
        rows,
        [
            ("protocol", 19, 21),
            ("ferritin25_crp50", 17, 21),
            ("ferritin50", 9, 21),
            ("co_interventions_fail", 15, 21)
        ]
    );
}
