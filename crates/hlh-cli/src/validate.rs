//! `hlh validate STUDY`: what was read, and every problem.

use hlh_ingest::{count_line, Severity, StudySummary};

use crate::output::diagnostic_line;
use crate::Outcome;

pub fn run(input: &crate::input::StudyInput) -> anyhow::Result<Outcome> {
    let ingested = crate::input::read_study(input);
    let title = ingested
        .study
        .title
        .as_deref()
        .unwrap_or("(untitled study)");
    println!("{title}");
    println!("study         {}", input.study.display());
    print!("{}", StudySummary::of(&ingested.study));
    if !ingested.diagnostics.is_empty() {
        println!();
    }
    for diagnostic in &ingested.diagnostics {
        println!("{}", diagnostic_line(diagnostic));
    }
    let (errors, warnings) = (
        ingested.count(Severity::Error),
        ingested.count(Severity::Warning),
    );
    println!();
    println!("{}", count_line(errors, warnings));
    if errors > 0 {
        println!("The study has errors: no analysis can be run until they are fixed.");
        Ok(Outcome::InvalidInput)
    } else {
        Ok(Outcome::Success)
    }
}
