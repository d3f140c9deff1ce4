//! What the CLI tests share: running the real `hlh` binary, and the bundled demo study.

// Each test file is its own crate and uses only part of this module.
#![allow(dead_code)]

pub mod browser;
pub mod server;

use std::collections::BTreeMap;
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

/// Every file under a folder with its bytes, by its path inside the folder (`ohdsi/cohort.csv`).
pub fn folder_files(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut files = BTreeMap::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(folder) = pending.pop() {
        for entry in std::fs::read_dir(&folder).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                pending.push(path);
            } else {
                let inside = path.strip_prefix(dir).unwrap();
                let name = inside
                    .components()
                    .map(|part| part.as_os_str().to_string_lossy())
                    .collect::<Vec<_>>()
                    .join("/");
                files.insert(name, std::fs::read(&path).unwrap());
            }
        }
    }
    files
}

/// The bundled demo study folder.
pub fn demo_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("demo")
}

/// GDL test case 06 (gdl2/HScore.v1.test.yml): 104 °F, 7000 µg/L, 5 mmol/L, fibrinogen 2.5 mg/dL → 193.
pub const GDL_06_FINDINGS: &str = r#"{
  "immunosuppression": false, "hepatomegaly": false, "splenomegaly": false, "bm_hemophagocytosis": false,
  "temperature": {"value": 104, "unit": "[degF]"}, "ferritin": {"value": 7000, "unit": "ug/L"},
  "triglycerides": {"value": 5, "unit": "mmol/L"}, "fibrinogen": {"value": 2.5, "unit": "mg/dL"},
  "ast": {"value": 10, "unit": "U/L"}, "hemoglobin": {"value": 8, "unit": "g/dL"},
  "leukocytes": {"value": 7, "unit": "10*9/L"}, "platelets": {"value": 250, "unit": "10*9/L"}
}"#;
