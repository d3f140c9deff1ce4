//! A REDCap export: the dictionary, the records and a mapping from one input (split at each byte 0x1E),
//! read as `hlh redcap import` reads them, with and without missing-data codes.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let mut parts = text.split('\u{1e}');
    let dictionary = parts.next().unwrap_or_default();
    let records = parts.next().unwrap_or_default();
    let mapping = parts.next();
    let codes = vec!["UNK".to_string(), "-999".to_string()];
    for missing_codes in [&[][..], &codes[..]] {
        let _ = hlh_redcap::import(&hlh_redcap::Export {
            dictionary_name: "dictionary.csv",
            dictionary,
            records_name: "records.csv",
            records,
            missing_codes,
            mapping: mapping.map(|text| ("mapping.toml", text)),
        });
    }
});
