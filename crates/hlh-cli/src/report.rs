//! `hlh report STUDY [--protocol FILE] --out FILE [--min-cell N]`: the report of a study, as one
//! self-contained HTML file, as Markdown with its SVG figures in a folder beside it, or as a Word
//! document.

use std::fs;
use std::path::{Path, PathBuf};

use anyhow::{bail, Context};
use hlh_outcomes::Analysis;
use hlh_report::ReportOptions;

use crate::analyze::load_and_analyze;
use crate::atomic::{write_atomically, write_folder_atomically};
use crate::Outcome;

/// The forms of the report, told apart by the extension of `--out`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Html,
    Markdown,
    Word,
}

/// Reads `--out`: a path ending in `.html`, `.md` or `.docx` (a usage error otherwise, exit status 2).
pub fn parse_out(text: &str) -> Result<PathBuf, String> {
    let path = PathBuf::from(text);
    match format_of(&path) {
        Some(_) => Ok(path),
        None => Err(format!(
            "{text:?} must end in .html, .md or .docx (the report's format)"
        )),
    }
}

fn format_of(path: &Path) -> Option<Format> {
    match path.extension()?.to_str()?.to_ascii_lowercase().as_str() {
        "html" | "htm" => Some(Format::Html),
        "md" | "markdown" => Some(Format::Markdown),
        "docx" => Some(Format::Word),
        _ => None,
    }
}

pub fn run(
    study: &crate::input::StudyInput,
    protocol: Option<&Path>,
    out: &Path,
    min_cell: u64,
) -> anyhow::Result<Outcome> {
    match load_and_analyze(study, protocol)? {
        Err(problems) => {
            for problem in problems {
                eprintln!("{problem}");
            }
            Ok(Outcome::InvalidInput)
        }
        Ok(analysis) => {
            write_report(&analysis, out, ReportOptions { min_cell })?;
            println!("Report written to {}", out.display());
            Ok(Outcome::Success)
        }
    }
}

/// Writes the report in the format of `out`'s extension. Markdown figures go to `STEM-figures/` beside
/// it, written whole and swapped in, so that a failure leaves no half report.
pub fn write_report(analysis: &Analysis, out: &Path, options: ReportOptions) -> anyhow::Result<()> {
    match format_of(out) {
        Some(Format::Html) => {
            let html = hlh_report::html(analysis, &options);
            write_atomically(out, |file| std::io::Write::write_all(file, html.as_bytes()))
        }
        Some(Format::Markdown) => {
            let stem = out
                .file_stem()
                .map_or("report".into(), |s| s.to_string_lossy().into_owned());
            let folder_name = format!("{stem}-figures");
            let (text, figures) = hlh_report::markdown(analysis, &options, &folder_name);
            let directory = out
                .parent()
                .filter(|p| !p.as_os_str().is_empty())
                .unwrap_or(Path::new("."));
            write_folder_atomically(&directory.join(&folder_name), |folder| {
                for (name, svg) in &figures {
                    let path = folder.join(name);
                    fs::write(&path, svg)
                        .with_context(|| format!("cannot write {}", path.display()))?;
                }
                Ok(())
            })?;
            write_atomically(out, |file| std::io::Write::write_all(file, text.as_bytes()))
        }
        Some(Format::Word) => {
            let bytes = hlh_docx::report_docx(analysis, &options)?;
            write_atomically(out, |file| std::io::Write::write_all(file, &bytes))
        }
        None => bail!("{} must end in .html, .md or .docx", out.display()),
    }
}
