//! `hlh redcap template` and `hlh redcap import`: a REDCap project for an sHLH study, and its export as a
//! study folder.

use std::path::{Path, PathBuf};

use anyhow::Context;
use clap::Subcommand;

use crate::atomic::{write_atomically, write_files_atomically};
use crate::Outcome;

#[derive(Debug, Subcommand)]
pub enum RedcapCommand {
    /// Write the data dictionary of an sHLH treatment study, to upload to REDCap as it is
    Template {
        #[arg(long, value_name = "FILE")]
        out: PathBuf,
    },
    /// Read the flat raw CSV export of a project into a study folder: one made from the template as it
    /// is, any other through a mapping
    Import {
        /// The project's data dictionary (CSV, either header spelling)
        #[arg(long, value_name = "FILE")]
        dictionary: PathBuf,
        /// The records: a flat export of raw data with raw headers
        #[arg(long, value_name = "FILE")]
        records: PathBuf,
        /// The study folder to write
        #[arg(long, value_name = "DIR")]
        out: PathBuf,
        /// The project's missing-data codes, comma-separated (UNK,NA,-999): read as unknown
        #[arg(long, value_name = "CODES", value_delimiter = ',')]
        missing_codes: Vec<String>,
        /// For a project not made from the template: the mapping file that says what its fields are
        /// (the wide workbook's format, docs/redcap.md)
        #[arg(long, value_name = "FILE")]
        mapping: Option<PathBuf>,
    },
}

pub fn run(command: RedcapCommand) -> anyhow::Result<Outcome> {
    match command {
        RedcapCommand::Template { out } => {
            let text = hlh_redcap::template_csv();
            write_atomically(&out, |file| {
                std::io::Write::write_all(file, text.as_bytes())
            })?;
            println!("REDCap data dictionary written to {}", out.display());
            Ok(Outcome::Success)
        }
        RedcapCommand::Import {
            dictionary,
            records,
            out,
            missing_codes,
            mapping,
        } => import(
            &dictionary,
            &records,
            mapping.as_deref(),
            &out,
            &missing_codes,
        ),
    }
}

fn import(
    dictionary: &Path,
    records: &Path,
    mapping: Option<&Path>,
    out: &Path,
    missing_codes: &[String],
) -> anyhow::Result<Outcome> {
    let read = |path: &Path| {
        std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))
    };
    let (dictionary_text, records_text) = (read(dictionary)?, read(records)?);
    let mapping_text = mapping.map(read).transpose()?;
    let mapping_name = mapping.map(|path| path.display().to_string());
    let (dictionary_name, records_name) = (
        hlh_ingest::shown_file_name(dictionary),
        hlh_ingest::shown_file_name(records),
    );
    let (ingested, files) = hlh_redcap::import(&hlh_redcap::Export {
        dictionary_name: &dictionary_name,
        dictionary: &dictionary_text,
        records_name: &records_name,
        records: &records_text,
        missing_codes,
        mapping: mapping_name.as_deref().zip(mapping_text.as_deref()),
    });
    if crate::output::refuse_to_write(&ingested) {
        return Ok(Outcome::InvalidInput);
    }
    write_files_atomically(out, &files, &ingested.study.origins)?;
    println!(
        "Study folder written to {} ({} patients)",
        out.display(),
        ingested.study.patients.len()
    );
    Ok(Outcome::Success)
}
