//! `hlh pool STUDY... --out STUDY`: the studies of several centres as one study folder (docs/sharing.md).

use std::path::{Path, PathBuf};

use crate::atomic::write_files_atomically;
use crate::output::{paint_error, paint_warning, refuse_to_write};
use crate::Outcome;

pub fn run(studies: &[PathBuf], out: &Path) -> anyhow::Result<Outcome> {
    let read: Vec<_> = studies
        .iter()
        .map(|study| crate::input::read_study_sources(study))
        .collect();
    let mut invalid = false;
    for (study, (_, ingested)) in studies.iter().zip(&read) {
        if ingested.has_errors() {
            eprintln!("{}:", study.display());
        }
        invalid |= refuse_to_write(ingested);
    }
    if invalid {
        return Ok(Outcome::InvalidInput);
    }
    let names: Vec<String> = studies.iter().map(|s| s.display().to_string()).collect();
    let centre_studies: Vec<hlh_share::CentreStudy> = names
        .iter()
        .zip(&read)
        .map(|(name, (sources, _))| hlh_share::CentreStudy { name, sources })
        .collect();
    let pooled = match hlh_share::pool(&centre_studies) {
        Ok(pooled) => pooled,
        Err(problems) => {
            for problem in problems {
                eprintln!("{}: {problem}", paint_error("error"));
            }
            eprintln!("{}: nothing was written", paint_error("error"));
            return Ok(Outcome::InvalidInput);
        }
    };
    for warning in &pooled.warnings {
        eprintln!("{}: {warning}", paint_warning("warning"));
    }
    write_files_atomically(out, &pooled.files, &pooled.origins)?;
    let centres: Vec<String> = pooled
        .centres
        .iter()
        .map(|(name, patients)| format!("{name} ({patients})"))
        .collect();
    println!(
        "Pooled study written to {}: {}",
        out.display(),
        centres.join(", ")
    );
    Ok(Outcome::Success)
}
