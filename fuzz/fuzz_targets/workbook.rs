//! A workbook as a study: the input saved as an .xlsx file (the reader opens files) and read.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let dir = tempfile::tempdir().expect("a temporary folder");
    for extension in ["xlsx", "ods"] {
        let path = dir.path().join(format!("study.{extension}"));
        std::fs::write(&path, data).expect("the input is written");
        let _ = hlh_workbook::read_workbook(&path);
    }
});
