//! `hlh analyze STUDY [--protocol FILE] [--json FILE|-]`: the analysis of a study, as an abstract-style
//! summary and as JSON (schema hlhkit.analysis/1).

use std::fs;
use std::path::Path;

use anyhow::Context;
use hlh_ingest::{read_study_folder, Severity};
use hlh_outcomes::{analyze, Analysis, Protocol};

use crate::output::{count_line, diagnostic_line, paint_error};
use crate::Outcome;

pub fn run(
    study_dir: &Path,
    protocol_file: Option<&Path>,
    json: Option<&Path>,
) -> anyhow::Result<Outcome> {
    let json_to_stdout = json.is_some_and(|path| path == Path::new("-"));
    match load_and_analyze(study_dir, protocol_file)? {
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
                    analysis.write_json(&mut out)?;
                    std::io::Write::flush(&mut out)?;
                }
                Some(path) => write_atomically(path, |out| analysis.write_json(out))?,
                None => {}
            }
            // With `--json -`, stdout carries the JSON alone and the summary goes to stderr.
            if json_to_stdout {
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
    study_dir: &Path,
    protocol_file: Option<&Path>,
) -> anyhow::Result<Result<Analysis, Vec<String>>> {
    let ingested = read_study_folder(study_dir);
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
            study_dir.display()
        ));
        return Ok(Err(problems));
    }
    let mut protocol = Protocol::default();
    let mut problems = Vec::new();
    if let Some(table) = &ingested.settings.protocol {
        if let Err(errors) = protocol.apply(table, "study.toml [protocol]") {
            problems.extend(errors);
        }
    }
    if let Some(file) = protocol_file {
        let text =
            fs::read_to_string(file).with_context(|| format!("cannot read {}", file.display()))?;
        match text.parse::<toml::Table>() {
            Ok(table) => {
                if let Err(errors) = protocol.apply(&table, &file.display().to_string()) {
                    problems.extend(errors);
                }
            }
            Err(error) => problems.push(format!(
                "{}: not valid TOML: {}",
                file.display(),
                error.message()
            )),
        }
    }
    if !problems.is_empty() {
        return Ok(Err(problems
            .into_iter()
            .map(|p| format!("{}: {p}", paint_error("error")))
            .collect()));
    }
    let analysis = analyze(&ingested.study, &protocol);
    // The study's millions of rows are not freed one by one: the process ends soon after the analysis,
    // and the system takes back its memory at once.
    std::mem::forget(ingested);
    match analysis {
        Ok(analysis) => Ok(Ok(analysis)),
        Err(error) => Ok(Err(vec![format!("{}: {error}", paint_error("error"))])),
    }
}

/// A hidden name beside `target` for writing it before it is renamed into place; the process id keeps
/// two runs apart.
fn partial_path(target: &Path) -> std::path::PathBuf {
    let directory = target
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let name = target
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "output".into());
    directory.join(format!(".{name}.partial-{}", std::process::id()))
}

/// Writes beside the target and renames into place: a reader never sees half a file, and a failed
/// write leaves no partial file behind.
pub fn write_atomically(
    path: &Path,
    write: impl FnOnce(&mut std::io::BufWriter<fs::File>) -> std::io::Result<()>,
) -> anyhow::Result<()> {
    let partial = partial_path(path);
    let result = fs::File::create(&partial).and_then(|file| {
        let mut out = std::io::BufWriter::new(file);
        write(&mut out)?;
        std::io::Write::flush(&mut out)
    });
    if let Err(error) = result {
        let _ = fs::remove_file(&partial);
        return Err(error).with_context(|| format!("cannot write {}", path.display()));
    }
    fs::rename(&partial, path).with_context(|| format!("cannot write {}", path.display()))
}

/// Writes a whole folder beside the target and swaps it into place (replacing an earlier one): a reader
/// never sees half a folder, and a failed write leaves the earlier folder, if any, as it was.
pub fn write_folder_atomically(
    folder: &Path,
    write: impl FnOnce(&Path) -> anyhow::Result<()>,
) -> anyhow::Result<()> {
    let partial = partial_path(folder);
    let written = fs::create_dir_all(&partial)
        .with_context(|| format!("cannot create {}", partial.display()))
        .and_then(|()| write(&partial));
    if let Err(error) = written {
        let _ = fs::remove_dir_all(&partial);
        return Err(error);
    }
    if folder.exists() {
        fs::remove_dir_all(folder)
            .with_context(|| format!("cannot replace {}", folder.display()))?;
    }
    fs::rename(&partial, folder).with_context(|| format!("cannot write {}", folder.display()))
}
