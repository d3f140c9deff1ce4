//! FINDINGS.json as `hlh score` and the bedside form read it, then every score.
#![no_main]

use hlh_criteria::every_score::{every_score, BedsideSettings};
use hlh_criteria::ms_score::Population;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(findings) = hlh_criteria::findings_json::read_findings_json(text, "findings.json") {
        for (typed_units, ms_population) in [(false, Population::Sjia), (true, Population::Aosd)] {
            let scores = every_score(
                &findings,
                BedsideSettings {
                    typed_units,
                    ms_population,
                },
            );
            let _ = scores.ms_score.described();
        }
    }
});
