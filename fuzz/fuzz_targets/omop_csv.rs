//! A CDM of CSV files from one input (split at each byte 0x1E, the ASCII record separator, into the
//! tables in the order of `hlh_omop::cdm::TABLES`: person, drug_exposure, condition_occurrence,
//! measurement, death, concept, concept_ancestor): opened by hlhkit's reader (DataFusion's CSV
//! scanner under typed views), searched for the cohort, and written as a study folder's files.
#![no_main]

use hlh_omop::cdm::TABLES;
use hlh_omop::{find, Cdm, FindOptions};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let dir = tempfile::tempdir().expect("a temporary folder");
    for (spec, text) in TABLES.iter().zip(data.split(|&b| b == 0x1e)) {
        std::fs::write(dir.path().join(format!("{}.csv", spec.name)), text).expect("a table file");
    }
    let runtime = tokio::runtime::Builder::new_current_thread()
        .build()
        .expect("a runtime");
    runtime.block_on(async {
        let Ok(cdm) = Cdm::open(dir.path()).await else {
            return;
        };
        if cdm.require().is_err() {
            return;
        }
        if let Ok(cohort) = find(&cdm, &FindOptions::default()).await {
            let _ = hlh_omop::write::study_files(&cohort, "fuzz");
        }
    });
});
