//! `hlh`: the command-line face of hlhkit.
//!
//! Exit status: 0 success; 1 the input is invalid (the problems are printed) or a file cannot be written;
//! 2 the command line is wrong (clap's own status for usage errors).

// Standard output through `output::print`: std's `print!` and `println!` panic when the reader of a
// pipe has gone (`hlh validate STUDY | head`); these end the process quietly instead. Declared before
// the modules, so that the whole crate uses them.
macro_rules! print {
    ($($arg:tt)*) => { $crate::output::print(format_args!($($arg)*)) };
}
macro_rules! println {
    () => { $crate::output::print(format_args!("\n")) };
    ($($arg:tt)*) => { $crate::output::print(format_args!("{}\n", format_args!($($arg)*))) };
}

mod analyze;
mod atomic;
#[cfg(feature = "cluster")]
mod cluster;
mod demo;
mod input;
#[cfg(feature = "omop")]
mod omop;
mod output;
mod pool;
mod pseudonymize;
mod redcap;
mod report;
mod score;
#[cfg(feature = "serve")]
mod serve;
mod stats;
mod validate;
#[cfg(feature = "workbook")]
mod workbook;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// hlhkit: from the raw material of an sHLH treatment study to its evidence.
#[derive(Debug, Parser)]
#[command(name = "hlh", version, about, long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Write the bundled demo study (synthetic: 21 invented patients) into a folder, check and analyse it
    Demo {
        /// Folder to write into; the study goes to DIR/study
        #[arg(long, value_name = "DIR", default_value = "hlh-demo")]
        out: PathBuf,
    },
    /// Read and check a study (a folder or a workbook); print what was read and every problem
    Validate {
        #[command(flatten)]
        input: input::StudyInput,
    },
    /// Write the study template, a workbook to fill in (a sheet per table, drop-down lists, an
    /// example), or a draft mapping for a wide workbook
    #[cfg(feature = "workbook")]
    Template {
        /// The workbook to write
        #[arg(
            long,
            value_name = "FILE",
            required_unless_present = "mapping",
            conflicts_with = "mapping"
        )]
        xlsx: Option<PathBuf>,
        /// A wide workbook (one row per patient) whose headers make a draft mapping, written to --out
        #[arg(long, value_name = "WORKBOOK", requires = "out")]
        mapping: Option<PathBuf>,
        /// Where the draft mapping goes
        #[arg(long, value_name = "FILE")]
        out: Option<PathBuf>,
    },
    /// Move a study between a workbook and a folder: study.xlsx to DIR, or DIR to study.xlsx
    #[cfg(feature = "workbook")]
    Convert {
        #[command(flatten)]
        input: input::StudyInput,
        /// The study folder (from a workbook) or the workbook (from a folder)
        #[arg(long, value_name = "PATH")]
        out: PathBuf,
    },
    /// Analyse a study: endpoints, statistics, an abstract-style summary; JSON on request
    Analyze {
        #[command(flatten)]
        input: input::StudyInput,
        /// A TOML file of protocol settings (over the defaults and the protocol table of study.toml)
        #[arg(long, value_name = "FILE")]
        protocol: Option<PathBuf>,
        /// Write the analysis JSON to FILE, or to stdout with `-`
        #[arg(long, value_name = "FILE")]
        json: Option<PathBuf>,
        /// Suppress counts below N in the JSON (and leave out its patients), for sharing outside the centre
        #[arg(long, value_name = "N", default_value_t = 0)]
        min_cell: u64,
    },
    /// Write the report: tables, figures, methods, case cards and sources, as HTML or Markdown
    Report {
        #[command(flatten)]
        input: input::StudyInput,
        /// A TOML file of protocol settings (over the defaults and the protocol table of study.toml)
        #[arg(long, value_name = "FILE")]
        protocol: Option<PathBuf>,
        /// The report file: .html (one self-contained file), .md (with STEM-figures/ beside it) or .docx (Word)
        #[arg(long, value_name = "FILE", value_parser = report::parse_out)]
        out: PathBuf,
        /// Suppress counts below N (and leave out patient-level content), for sharing outside the centre
        #[arg(long, value_name = "N", default_value_t = 0)]
        min_cell: u64,
    },
    /// Score one patient's findings: HScore with probability, HLH-2004, OHI, MAS-2016, MS score
    Score {
        /// A JSON object of findings: analytes as {"value": number, "unit": "..."}, age_years, booleans
        #[arg(value_name = "FINDINGS.json")]
        findings: PathBuf,
        #[arg(long)]
        json: bool,
        /// Apply the HScore's secondary-unit thresholds (°F, mg/dL) as bedside calculators do
        #[arg(long)]
        typed_units: bool,
        /// Add the fitted logistic probability, labelled as an approximation (not official)
        #[arg(long)]
        approximate_probability: bool,
        /// Read the MS score in `sjia` (where it was derived, cut-off −2.1) or `aosd` (adult-onset
        /// Still's disease, cut-off −1.74: Yao, Clin Exp Rheumatol 2021); it is given only to a patient
        /// known to have that disease
        #[arg(long, value_name = "POPULATION", default_value = "sjia", value_parser = score::ms_population)]
        ms_population: hlh_criteria::ms_score::Population,
    },
    /// The warehouse path: find the cohort in an OMOP CDM, check concept sets, write a synthetic CDM
    #[cfg(feature = "omop")]
    Omop {
        #[command(subcommand)]
        command: omop::OmopCommand,
    },
    /// A Ballista cluster for `hlh omop find --cluster`: its scheduler, or one of its executors
    #[cfg(feature = "cluster")]
    Cluster {
        #[command(subcommand)]
        command: cluster::ClusterCommand,
    },
    /// REDCap: the data dictionary of an sHLH study to upload, and reading a project's export
    Redcap {
        #[command(subcommand)]
        command: redcap::RedcapCommand,
    },
    /// Pool the studies of several centres into one study folder (docs/sharing.md)
    Pool {
        /// The centres' study folders or workbooks (each only read)
        #[arg(value_name = "STUDY", required = true, num_args = 1..)]
        studies: Vec<PathBuf>,
        /// The pooled study folder to write
        #[arg(long, value_name = "DIR")]
        out: PathBuf,
    },
    /// Prepare a study to leave the centre: keyed pseudonyms, each patient's dates moved by a keyed
    /// offset (every interval kept), free text left out (docs/sharing.md)
    #[command(arg_required_else_help = true)]
    Pseudonymize {
        /// The study folder or workbook (it is only read)
        #[arg(value_name = "STUDY", required_unless_present = "new_key", requires_all = ["key_file", "out"])]
        study: Option<PathBuf>,
        /// The secret key (from --new-key): the same key gives the same pseudonyms and offsets in every run and centre
        #[arg(long, value_name = "KEY", conflicts_with = "new_key")]
        key_file: Option<PathBuf>,
        /// The pseudonymised study folder to write
        #[arg(long, value_name = "DIR", conflicts_with = "new_key")]
        out: Option<PathBuf>,
        /// Every date of a patient moves by the same number of days, at most this many either way
        #[arg(long, value_name = "DAYS", default_value_t = hlh_share::Settings::default().max_shift_days, value_parser = clap::value_parser!(u16).range(0..=3650))]
        max_shift_days: u16,
        /// Keep the free-text columns (trigger_detail, events' detail), which may name a person or a place
        #[arg(long)]
        keep_free_text: bool,
        /// Also write the table of pseudonyms, original identifiers and offsets (readable by you only;
        /// never inside --out)
        #[arg(long, value_name = "FILE", conflicts_with = "new_key")]
        reidentification: Option<PathBuf>,
        /// Write a fresh random key to FILE (readable by you only) and do nothing else
        #[arg(long, value_name = "FILE")]
        new_key: Option<PathBuf>,
    },
    /// The study and the bedside scores in a browser: a local web app on this machine only
    #[cfg(feature = "serve")]
    Serve {
        /// A study folder or workbook to open at start (others can be opened or uploaded in the app)
        #[arg(value_name = "STUDY")]
        study: Option<PathBuf>,
        /// The port to listen on (0: any free port)
        #[arg(long, value_name = "N", default_value_t = 8484)]
        port: u16,
        /// The address to listen on; only this machine can reach the default. Another address lets
        /// other machines reach the app (anyone with the printed address then sees the study)
        #[arg(long, value_name = "ADDRESS", default_value = "127.0.0.1")]
        bind: std::net::IpAddr,
    },
    /// Statistics on a CSV file or on counts: paired, summary, km, proportion, fisher, mannwhitney
    Stats {
        #[command(subcommand)]
        command: stats::StatsCommand,
    },
}

/// The outcome of a command that ran to its end.
enum Outcome {
    Success,
    InvalidInput,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Demo { out } => demo::run(&out),
        Command::Validate { input } => validate::run(&input),
        #[cfg(feature = "workbook")]
        Command::Template { xlsx, mapping, out } => match (xlsx, mapping, out) {
            (_, Some(wide), Some(out)) => workbook::draft_mapping(&wide, &out),
            (Some(xlsx), ..) => workbook::template(&xlsx),
            // clap requires --xlsx, or --mapping with --out.
            _ => Ok(Outcome::InvalidInput),
        },
        #[cfg(feature = "workbook")]
        Command::Convert { input, out } => workbook::convert(&input, &out),
        Command::Stats { command } => stats::run(command),
        #[cfg(feature = "serve")]
        Command::Serve { study, port, bind } => serve::run(study, bind, port),
        Command::Pool { studies, out } => pool::run(&studies, &out),
        Command::Pseudonymize {
            study,
            key_file,
            out,
            max_shift_days,
            keep_free_text,
            reidentification,
            new_key,
        } => match (new_key, study, key_file, out) {
            (Some(path), ..) => pseudonymize::new_key(&path),
            (None, Some(study), Some(key_file), Some(out)) => {
                pseudonymize::run(&pseudonymize::Request {
                    study: &study,
                    key_file: &key_file,
                    out: &out,
                    settings: hlh_share::Settings {
                        max_shift_days,
                        keep_free_text,
                    },
                    reidentification: reidentification.as_deref(),
                })
            }
            // clap requires the study with its key and output unless --new-key is given.
            _ => Ok(Outcome::InvalidInput),
        },
        Command::Redcap { command } => redcap::run(command),
        #[cfg(feature = "omop")]
        Command::Omop { command } => omop::run(command),
        #[cfg(feature = "cluster")]
        Command::Cluster { command } => cluster::run(command),
        Command::Analyze {
            input,
            protocol,
            json,
            min_cell,
        } => analyze::run(&input, protocol.as_deref(), json.as_deref(), min_cell),
        Command::Report {
            input,
            protocol,
            out,
            min_cell,
        } => report::run(&input, protocol.as_deref(), &out, min_cell),
        Command::Score {
            findings,
            json,
            typed_units,
            approximate_probability,
            ms_population,
        } => score::run(
            &findings,
            score::Options {
                as_json: json,
                typed_units,
                approximate: approximate_probability,
                ms_population,
            },
        ),
    };
    match result {
        Ok(Outcome::Success) => ExitCode::SUCCESS,
        Ok(Outcome::InvalidInput) => ExitCode::from(1),
        Err(error) => {
            eprintln!("{}: {error:#}", output::paint_error("error"));
            ExitCode::from(1)
        }
    }
}
