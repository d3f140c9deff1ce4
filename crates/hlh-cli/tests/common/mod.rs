//! What the CLI tests share: running the real `hlh` binary, and the bundled demo study.

// Each test file is its own crate and uses only part of this module.
#![allow(dead_code)]

pub mod browser;
pub mod server;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// Runs `hlh` with colour off, as a script would.
pub fn hlh(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_hlh"))
        .args(args)
        .env("NO_COLOR", "1")
        .output()
        .expect("hlh runs")
}

/// The bundled demo study folder.
pub fn demo_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("demo")
}
