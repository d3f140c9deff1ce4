//! A protocol file (`--protocol FILE`, study.toml's `[protocol]`), read over the defaults, and written
//! back as a protocol file that must read back to the same protocol.
#![no_main]

use hlh_outcomes::Protocol;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(table) = text.parse::<toml::Table>() else {
        return;
    };
    let mut protocol = Protocol::default();
    if protocol.apply(&table, "protocol.toml").is_ok() {
        let written = protocol.to_toml();
        let mut read = Protocol::default();
        let table: toml::Table = written.parse().expect("a protocol file is TOML");
        read.apply(&table, "written")
            .expect("a written protocol reads back");
        assert_eq!(read.echo(), protocol.echo(), "{written}");
    }
});
