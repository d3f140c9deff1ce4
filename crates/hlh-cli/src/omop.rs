//! `hlh omop find | concepts | synth`: the warehouse path (docs/omop.md), on Apache DataFusion.

use std::fs;
use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::Context;
use clap::Subcommand;
use hlh_omop::concept_check::{check_concepts, Verdict};
use hlh_omop::concepts::ConceptSets;
use hlh_omop::ohdsi::ohdsi_files;
use hlh_omop::synth::{synth, Layout};
use hlh_omop::write::study_files;
use hlh_omop::{find, Cdm, FindOptions, OmopError};
use hlh_outcomes::Protocol;

use crate::output::paint_error;
use crate::Outcome;

#[derive(Debug, Subcommand)]
pub enum OmopCommand {
    /// Find the sHLH cohort in a CDM and write it as a study folder
    Find {
        /// The CDM folder: one Parquet file, Parquet folder, CSV or CSV.gz per table
        #[arg(long, value_name = "DIR")]
        cdm: PathBuf,
        /// The study folder to write
        #[arg(long, value_name = "STUDY", default_value = "omop-study")]
        out: PathBuf,
        /// A TOML file of protocol settings (scores.hscore_cutoff is the one the cohort reads)
        #[arg(long, value_name = "FILE")]
        protocol: Option<PathBuf>,
        /// A concept-set file replacing the shipped one (same columns)
        #[arg(long, value_name = "FILE")]
        concepts: Option<PathBuf>,
        /// Write keyed pseudonyms for the person ids and move each person's dates by a keyed offset, as
        /// `hlh pseudonymize` does with this key (docs/sharing.md)
        #[arg(long, value_name = "KEY")]
        pseudonymize_key: Option<PathBuf>,
        /// Run the warehouse's queries on a Ballista cluster, df://HOST:PORT (`hlh cluster`); the CDM
        /// must be at the same absolute path on this machine, the scheduler and every executor
        #[arg(long, value_name = "df://HOST:PORT")]
        cluster: Option<String>,
    },
    /// Report which concept ids of the sets are absent, non-standard or invalid in a CDM's CONCEPT table
    Concepts {
        #[arg(long, value_name = "DIR")]
        cdm: PathBuf,
        #[arg(long, value_name = "FILE")]
        concepts: Option<PathBuf>,
    },
    /// Write a synthetic CDM v5.4 (Parquet) with planted cases and their ground truth
    Synth {
        #[arg(long, value_name = "N")]
        persons: u64,
        /// About how many of them are planted cases (by default 1 in 20 below 100,000 persons, 1 in
        /// 1,000 above): the same cohort in CDMs of different sizes
        #[arg(long, value_name = "N")]
        cases: Option<u64>,
        #[arg(long, value_name = "DIR")]
        out: PathBuf,
        #[arg(long, value_name = "S", default_value_t = 1)]
        seed: u64,
        /// `files`: one Parquet file per table; `spark`: as Spark writes a warehouse (a folder of 40
        /// part files and _SUCCESS per table, row groups of 1,048,576 rows, every CDM column)
        #[arg(long, value_name = "LAYOUT", default_value = "files", value_parser = parse_layout)]
        layout: Layout,
    },
}

fn parse_layout(text: &str) -> Result<Layout, String> {
    match text {
        "files" => Ok(Layout::Files),
        "spark" => Ok(Layout::Spark),
        other => Err(format!("{other:?} is not a layout: files or spark")),
    }
}

pub fn run(command: OmopCommand) -> anyhow::Result<Outcome> {
    // DataFusion reads local files on the runtime's blocking threads; each thread that frees a column
    // chunk keeps its own malloc arena, so the default of 512 such threads made resident memory grow
    // with the files read. One reader per core keeps the reads as parallel as the scans.
    let cores = std::thread::available_parallelism().map_or(2, std::num::NonZeroUsize::get);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .max_blocking_threads(cores)
        .enable_all()
        .build()
        .context("cannot start the query runtime")?;
    let result = match command {
        OmopCommand::Find {
            cdm,
            out,
            protocol,
            concepts,
            pseudonymize_key,
            cluster,
        } => runtime.block_on(run_find(&FindRequest {
            cdm_dir: &cdm,
            out: &out,
            protocol_file: protocol.as_deref(),
            concepts: concepts.as_deref(),
            pseudonymize_key: pseudonymize_key.as_deref(),
            cluster: cluster.as_deref(),
        })),
        OmopCommand::Concepts { cdm, concepts } => {
            runtime.block_on(run_concepts(&cdm, concepts.as_deref()))
        }
        OmopCommand::Synth {
            persons,
            cases,
            out,
            seed,
            layout,
        } => run_synth(persons, cases, &out, seed, layout),
    };
    match result {
        Ok(outcome) => Ok(outcome),
        Err(Problem::Invalid(error)) => {
            for problem in error.problems() {
                eprintln!("{}: {problem}", paint_error("error"));
            }
            Ok(Outcome::InvalidInput)
        }
        Err(Problem::Other(error)) => Err(error),
    }
}

/// An invalid input (exit 1, every problem printed) or another failure.
enum Problem {
    Invalid(OmopError),
    Other(anyhow::Error),
}

impl From<OmopError> for Problem {
    fn from(error: OmopError) -> Problem {
        Problem::Invalid(error)
    }
}

impl From<anyhow::Error> for Problem {
    fn from(error: anyhow::Error) -> Problem {
        Problem::Other(error)
    }
}

/// Progress on stderr: one line per phase with its time.
struct Phases {
    started: Instant,
}

impl Phases {
    fn say(&mut self, phase: &str) {
        eprintln!("[{:>6.1} s] {phase}", self.started.elapsed().as_secs_f64());
    }
}

fn concept_sets(file: Option<&Path>) -> Result<ConceptSets, Problem> {
    match file {
        None => Ok(ConceptSets::default_sets()),
        Some(path) => {
            let text = fs::read_to_string(path)
                .with_context(|| format!("cannot read {}", path.display()))?;
            Ok(ConceptSets::parse(&text, &path.display().to_string())?)
        }
    }
}

/// What `hlh omop find` was asked.
#[derive(Clone, Copy)]
struct FindRequest<'a> {
    cdm_dir: &'a Path,
    out: &'a Path,
    protocol_file: Option<&'a Path>,
    concepts: Option<&'a Path>,
    pseudonymize_key: Option<&'a Path>,
    /// The scheduler's df:// address, to run on a cluster.
    cluster: Option<&'a str>,
}

/// The CDM, opened in this process or, with an address, on a Ballista cluster.
async fn open_cdm(cdm_dir: &Path, cluster: Option<&str>) -> Result<Cdm, Problem> {
    match cluster {
        None => Ok(Cdm::open(cdm_dir).await?),
        #[cfg(feature = "cluster")]
        Some(url) => {
            let scheduler = hlh_omop::cluster::Scheduler::parse(url)?;
            Ok(Cdm::open_on_cluster(cdm_dir, &scheduler).await?)
        }
        #[cfg(not(feature = "cluster"))]
        Some(url) => Err(anyhow::anyhow!(
            "--cluster {url}: this hlh was built without Ballista; build it with `cargo build --release --features cluster` (docs/cluster.md)"
        )
        .into()),
    }
}

async fn run_find(request: &FindRequest<'_>) -> Result<Outcome, Problem> {
    let FindRequest {
        cdm_dir,
        out,
        protocol_file,
        concepts,
        pseudonymize_key,
        cluster,
    } = *request;
    // The key is read first: a bad key file should not wait for the warehouse.
    let key = pseudonymize_key
        .map(crate::pseudonymize::read_key)
        .transpose()?;
    let mut phases = Phases {
        started: Instant::now(),
    };
    let mut options = FindOptions {
        concepts: concept_sets(concepts)?,
        ..FindOptions::default()
    };
    if protocol_file.is_some() {
        match Protocol::load(None, protocol_file) {
            Ok(protocol) => options.hscore_cutoff = protocol.hscore_cutoff,
            Err(errors) => {
                for error in errors {
                    eprintln!("{}: {error}", paint_error("error"));
                }
                return Ok(Outcome::InvalidInput);
            }
        }
    }
    phases.say(&format!("reading the CDM in {}", cdm_dir.display()));
    let cdm = open_cdm(cdm_dir, cluster).await?;
    phases.say("finding the cohort (exposure, conditions, measurements, treatments, deaths)");
    let cohort = match find(&cdm, &options).await {
        Ok(cohort) => cohort,
        Err(OmopError::Query { message }) => {
            // Name the column that could not be read, if it is a type problem.
            for table in hlh_omop::cdm::TABLES.iter().map(|spec| spec.name) {
                if let Some(error) = hlh_omop::cdm::find_bad_column(&cdm, table).await {
                    return Err(error.into());
                }
            }
            return Err(OmopError::Query { message }.into());
        }
        Err(error) => return Err(error.into()),
    };
    phases.say(&format!("writing the study to {}", out.display()));
    if out.exists() && !out.join("provenance.csv").exists() {
        return Err(anyhow::anyhow!(
            "{} exists and was not written by `hlh omop find`; choose another --out",
            out.display()
        )
        .into());
    }
    let mut files = study_files(&cohort, &format!("OMOP cohort from {}", cdm_dir.display()));
    if let Some(key) = &key {
        files = match pseudonymized(files, key) {
            Ok(files) => files,
            Err(problems) => {
                for problem in problems {
                    eprintln!("{}: {problem}", paint_error("error"));
                }
                return Ok(Outcome::InvalidInput);
            }
        };
    }
    // Without person ids (pseudonymised), the cohort table would name no one a tool could join.
    let ohdsi = ohdsi_files(&cohort, &options, key.is_none())?;
    crate::atomic::write_folder_atomically(out, |folder| {
        let named = files
            .iter()
            .map(|(name, text)| (name.to_string(), text.as_bytes()));
        for (name, bytes) in named.chain(ohdsi.iter().map(|(name, b)| (name.clone(), &b[..]))) {
            let path = folder.join(&name);
            if let Some(parent) = path.parent() {
                fs::create_dir_all(parent)
                    .with_context(|| format!("cannot create {}", parent.display()))?;
            }
            fs::write(&path, bytes).with_context(|| format!("cannot write {}", path.display()))?;
        }
        Ok(())
    })?;
    for step in &cohort.attrition {
        println!(
            "{:>10} {}{}",
            step.persons,
            step.description,
            if step.excluded > 0 {
                format!(" (excluded {}: {})", step.excluded, step.reason)
            } else {
                String::new()
            }
        );
    }
    println!(
        "Wrote {} patients, {} observations, {} treatments, {} deaths to {}",
        cohort.persons.len(),
        cohort.observations.len(),
        cohort.treatments.len(),
        cohort.deaths.len(),
        out.display()
    );
    for (reason, rows) in &cohort.dropped {
        println!("  dropped {rows}: {reason}");
    }
    println!(
        "OHDSI: {}the cohort definition, its attrition and {} concept sets in {}",
        if key.is_none() {
            "the cohort table (cohort.csv, cohort.parquet), "
        } else {
            ""
        },
        ohdsi
            .iter()
            .filter(|(name, _)| name.contains("/concept_sets/"))
            .count(),
        out.join(hlh_omop::ohdsi::FOLDER).display()
    );
    println!(
        "Next: hlh analyze {0} ; hlh report {0} --out report.html",
        out.display()
    );
    phases.say("done");
    Ok(Outcome::Success)
}

/// The study files as `hlh pseudonymize` writes them with `key` (the default offsets, the study format's
/// columns), and provenance.csv with the pseudonyms in place of the person ids; attrition.csv and
/// dropped.csv hold counts only.
fn pseudonymized(
    files: Vec<(&'static str, String)>,
    key: &hlh_share::Key,
) -> Result<Vec<(&'static str, String)>, Vec<String>> {
    let sources = hlh_ingest::StudySources::from_named_texts(&files);
    let shared = hlh_share::pseudonymize(&sources, key, &hlh_share::Settings::default())?;
    let pseudonyms: std::collections::HashMap<&str, &str> = shared
        .reidentification
        .iter()
        .map(|line| (line.patient_id.as_str(), line.pseudonym.as_str()))
        .collect();
    let mut out = shared.files.clone();
    for (name, text) in files {
        if shared.files.iter().any(|(file, _)| *file == name) {
            continue;
        }
        if name != "provenance.csv" {
            out.push((name, text));
            continue;
        }
        // file,patient_id,source_table,source_id: the person id is the patient id, and the source id of
        // a person's or a death's row.
        let mut provenance = String::new();
        for (number, line) in text.lines().enumerate() {
            let cells: Vec<&str> = line.split(',').collect();
            match cells.as_slice() {
                [file, person, table, source] if number > 0 => {
                    let pseudonym = pseudonyms.get(person).copied().unwrap_or("");
                    let source = if matches!(*table, "person" | "death") {
                        pseudonym
                    } else {
                        source
                    };
                    provenance.push_str(&format!("{file},{pseudonym},{table},{source}\n"));
                }
                _ => {
                    provenance.push_str(line);
                    provenance.push('\n');
                }
            }
        }
        out.push((name, provenance));
    }
    Ok(out)
}

async fn run_concepts(cdm_dir: &Path, concepts: Option<&Path>) -> Result<Outcome, Problem> {
    let sets = concept_sets(concepts)?;
    let cdm = Cdm::open(cdm_dir).await?;
    let verdicts = check_concepts(&cdm, &sets).await?;
    let mut not_standard = 0;
    for (set, id, name, verdict) in &verdicts {
        if *verdict != Verdict::Standard {
            not_standard += 1;
        }
        println!("{set:<18} {id:>10}  {:<22} {name}", verdict.name());
    }
    println!(
        "{} concept ids: {} standard, {not_standard} absent, non-standard or invalid",
        verdicts.len(),
        verdicts.len() - not_standard
    );
    Ok(Outcome::Success)
}

fn run_synth(
    persons: u64,
    cases: Option<u64>,
    out: &Path,
    seed: u64,
    layout: Layout,
) -> Result<Outcome, Problem> {
    if out.exists()
        && fs::read_dir(out)
            .map(|mut d| d.next().is_some())
            .unwrap_or(true)
        && !out.join("ground_truth.csv").exists()
    {
        return Err(anyhow::anyhow!(
            "{} exists and was not written by `hlh omop synth`; choose another --out",
            out.display()
        )
        .into());
    }
    let started = Instant::now();
    let terminal = std::io::stderr().is_terminal();
    let mut last_report = 0;
    let summary = synth(persons, cases, out, seed, layout, &mut |written| {
        if terminal {
            let filled = (written * 30 / persons.max(1)) as usize;
            eprint!(
                "\r[{}{}] {:>3}% persons {written}/{persons}",
                "#".repeat(filled),
                " ".repeat(30 - filled),
                written * 100 / persons.max(1)
            );
        } else if written - last_report >= persons / 10 || written == persons {
            eprintln!("persons written: {written}/{persons}");
            last_report = written;
        }
    })?;
    if terminal {
        eprintln!();
    }
    println!(
        "Wrote a synthetic CDM of {} persons ({} planted cases, {} measurements) to {} in {:.1} s; ground truth in ground_truth.csv",
        summary.persons,
        summary.planted,
        summary.measurements,
        out.display(),
        started.elapsed().as_secs_f64()
    );
    Ok(Outcome::Success)
}
