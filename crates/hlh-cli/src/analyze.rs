//! `hlh analyze STUDY [--protocol FILE] [--json FILE|-] [--min-cell N]`: the analysis of a study, as an
//! abstract-style summary and as JSON (schema hlhkit.analysis/1), suppressed for sharing on request.

use std::path::Path;

use hlh_ingest::Severity;
use hlh_outcomes::suppression::MinCell;
use hlh_outcomes::{analyze, Analysis, Protocol};

use crate::atomic::write_atomically;
use crate::input::StudyInput;
use hlh_ingest::count_line;

use crate::output::{diagnostic_line, paint_error};
use crate::Outcome;

pub fn run(
    study: &StudyInput,
    protocol_file: Option<&Path>,
    json: Option<&Path>,
    min_cell: u64,
) -> anyhow::Result<Outcome> {
    let min_cell = MinCell(min_cell);
    let json_to_stdout = json.is_some_and(|path| path == Path::new("-"));
    match load_and_analyze(study, protocol_file)? {
        Err(problems) => {
            for problem in problems {
                eprintln!("{problem}");
            }
            Ok(Outcome::InvalidInput)
        }
        Ok(analysis) => {
            match json {
                Some(_) if json_to_stdout => {
                    let stdout = std::io::stdout();
                    let mut out = std::io::BufWriter::new(stdout.lock());
                    analysis.write_json_with(&mut out, min_cell)?;
                    std::io::Write::flush(&mut out)?;
                }
                Some(path) => {
                    write_atomically(path, |out| analysis.write_json_with(out, min_cell))?;
                }
                None => {}
            }
            // The summary prints every count: not written when suppressing, where the output may be
            // shared.
            if min_cell.active() {
                let note = format!(
                    "Counts below {} suppressed; the summary, which shows every count, is not printed",
                    min_cell.0
                );
                if json_to_stdout {
                    eprintln!("{note}");
                } else {
                    println!("{note}");
                    if let Some(path) = json {
                        println!("Analysis written to {}", path.display());
                    }
                }
            // With `--json -`, stdout carries the JSON alone and the summary goes to stderr.
            } else if json_to_stdout {
                eprintln!("{}", analysis.summary);
            } else {
                println!("{}", analysis.summary);
                if let Some(path) = json {
                    println!("Analysis written to {}", path.display());
                }
            }
            // As for the study: the process is about to end.
            std::mem::forget(analysis);
            Ok(Outcome::Success)
        }
    }
}

/// Reads the study and the protocol and analyses; `Ok(Err(messages))` when the input is invalid.
pub fn load_and_analyze(
    study: &StudyInput,
    protocol_file: Option<&Path>,
) -> anyhow::Result<Result<Analysis, Vec<String>>> {
    let ingested = crate::input::read_study(study);
    if ingested.has_errors() {
        let mut problems: Vec<String> = ingested
            .diagnostics
            .iter()
            .filter(|d| d.is_error())
            .map(diagnostic_line)
            .collect();
        problems.push(format!(
            "{}: the study has errors ({}); run `hlh validate {}` for the full report",
            paint_error("error"),
            count_line(
                ingested.count(Severity::Error),
                ingested.count(Severity::Warning)
            ),
            study.study.display()
        ));
        return Ok(Err(problems));
    }
    let protocol = match Protocol::load(ingested.settings.protocol.as_ref(), protocol_file) {
        Ok(protocol) => protocol,
        Err(problems) => {
            return Ok(Err(problems
                .into_iter()
                .map(|p| format!("{}: {p}", paint_error("error")))
                .collect()))
        }
    };
    let analysis = analyze(&ingested.study, &protocol);
    // The study's millions of rows are not freed one by one: the process ends soon after the analysis,
    // and the system takes back its memory at once.
    std::mem::forget(ingested);
    match analysis {
        Ok(analysis) => Ok(Ok(analysis)),
        Err(error) => Ok(Err(vec![format!("{}: {error}", paint_error("error"))])),
    }
}
