//! `hlh template --xlsx FILE` and `hlh convert`: the study template, and a study moved between a
//! workbook and a folder.

use std::path::Path;

use anyhow::Context;

use crate::atomic::{write_atomically, write_files_atomically};
use crate::input::StudyInput;
use crate::output::diagnostic_line;
use crate::Outcome;
use hlh_ingest::is_workbook_path;

pub fn template(out: &Path) -> anyhow::Result<Outcome> {
    let bytes = hlh_workbook::template().context("the template cannot be assembled")?;
    write_atomically(out, |file| std::io::Write::write_all(file, &bytes))?;
    println!("Template written to {}", out.display());
    Ok(Outcome::Success)
}

/// A draft mapping for a wide workbook, from its headers, for the user to check and complete.
pub fn draft_mapping(wide: &Path, out: &Path) -> anyhow::Result<Outcome> {
    match hlh_workbook::draft_mapping(wide) {
        Ok(text) => {
            write_atomically(out, |file| std::io::Write::write_all(file, text.as_bytes()))?;
            println!(
                "Draft mapping written to {}: check it, and give every unit",
                out.display()
            );
            Ok(Outcome::Success)
        }
        Err(problems) => {
            for problem in &problems {
                eprintln!("{}", diagnostic_line(problem));
            }
            Ok(Outcome::InvalidInput)
        }
    }
}

/// A workbook becomes a study folder, a folder a workbook. The input is checked first: with an error
/// nothing is written.
pub fn convert(input: &StudyInput, out: &Path) -> anyhow::Result<Outcome> {
    let (ingested, files) = if let Some(mapping) = &input.mapping {
        let (ingested, files) = hlh_workbook::read_wide_workbook_files(&input.study, mapping);
        (ingested, Some(files))
    } else if is_workbook_path(&input.study) {
        let (ingested, files) = hlh_workbook::read_workbook_files(&input.study);
        (ingested, Some(files))
    } else {
        (hlh_ingest::read_study_folder(&input.study), None)
    };
    if crate::output::refuse_to_write(&ingested) {
        return Ok(Outcome::InvalidInput);
    }
    match files {
        Some(files) => {
            write_files_atomically(out, &files, &ingested.study.origins)?;
            println!("Study folder written to {}", out.display());
        }
        None => {
            let bytes = hlh_workbook::study_workbook(&input.study).map_err(anyhow::Error::msg)?;
            write_atomically(out, |file| std::io::Write::write_all(file, &bytes))?;
            println!("Workbook written to {}", out.display());
        }
    }
    Ok(Outcome::Success)
}
