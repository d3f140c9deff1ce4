//! A study folder's five files from one input (split at each byte 0x1E, the ASCII record separator):
//! read as a study, and analysed with the default protocol when it reads without error.
#![no_main]

use hlh_ingest::StudySources;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let mut parts = data.split(|&b| b == 0x1e).map(<[u8]>::to_vec);
    let sources = StudySources {
        patients: parts.next(),
        observations: parts.next(),
        treatments: parts.next(),
        events: parts.next(),
        study_toml: parts.next(),
    };
    let ingested = hlh_ingest::read_study(&sources);
    if !ingested.has_errors() {
        if let Ok(protocol) =
            hlh_outcomes::Protocol::load(ingested.settings.protocol.as_ref(), None)
        {
            let _ = hlh_outcomes::analyze(&ingested.study, &protocol);
        }
    }
});
