//! What can go wrong reading a CDM or writing a study, each naming the table, file and column.

use std::path::{Path, PathBuf};

#[derive(Debug)]
pub enum OmopError {
    Io {
        path: PathBuf,
        message: String,
    },
    MissingTable {
        table: &'static str,
        dir: PathBuf,
    },
    TwoSources {
        table: String,
        first: PathBuf,
        second: PathBuf,
    },
    MissingColumns {
        table: &'static str,
        file: PathBuf,
        columns: Vec<&'static str>,
    },
    WrongType {
        table: &'static str,
        file: PathBuf,
        column: &'static str,
        expected: &'static str,
        message: String,
    },
    Unreadable {
        table: &'static str,
        file: PathBuf,
        message: String,
    },
    Concepts {
        file: String,
        line: usize,
        message: String,
    },
    Query {
        message: String,
    },
    /// The cluster could not be reached or could not run a query.
    Cluster {
        scheduler: String,
        message: String,
    },
    /// A gzip CSV table, which a cluster's executors cannot read.
    ClusterCompressedCsv {
        scheduler: String,
        table: &'static str,
        file: PathBuf,
    },
    /// A process of the cluster could not read the CDM's files.
    ClusterCannotRead {
        scheduler: String,
        cdm: PathBuf,
        message: String,
    },
    Several(Vec<OmopError>),
}

impl OmopError {
    pub fn io(path: &Path, error: std::io::Error) -> OmopError {
        OmopError::Io {
            path: path.to_path_buf(),
            message: error.to_string(),
        }
    }

    /// The problems one by one (a `Several` flattened).
    pub fn problems(&self) -> Vec<&OmopError> {
        match self {
            OmopError::Several(all) => all.iter().flat_map(OmopError::problems).collect(),
            one => vec![one],
        }
    }
}

/// DataFusion's messages can be long (a whole plan); the first lines say what failed.
fn short(message: &str) -> String {
    let first: Vec<&str> = message.lines().take(3).collect();
    first.join(" ")
}

impl std::fmt::Display for OmopError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            OmopError::Io { path, message } => write!(f, "{}: {message}", path.display()),
            OmopError::MissingTable { table, dir } => write!(
                f,
                "{}: no table {table} (expected {table}.parquet, a folder {table}/ of Parquet files, {table}.csv or {table}.csv.gz; names in any case)",
                dir.display()
            ),
            OmopError::TwoSources { table, first, second } => write!(
                f,
                "table {table} is given twice: {} and {}; keep one",
                first.display(),
                second.display()
            ),
            OmopError::MissingColumns { table, file, columns } => write!(
                f,
                "{} (table {table}): missing column{} {}",
                file.display(),
                if columns.len() == 1 { "" } else { "s" },
                columns.join(", ")
            ),
            OmopError::WrongType { table, file, column, expected, message } => write!(
                f,
                "{} (table {table}), column {column}: a value is not {expected}: {}",
                file.display(),
                short(message)
            ),
            OmopError::Unreadable { table, file, message } => {
                write!(f, "{} (table {table}): cannot be read: {}", file.display(), short(message))
            }
            OmopError::Concepts { file, line, message } => write!(f, "{file}:{line}: {message}"),
            OmopError::Query { message } => write!(f, "the cohort query failed: {}", short(message)),
            OmopError::Cluster { scheduler, message } => {
                write!(f, "the Ballista cluster at {scheduler}: {}", short(message))
            }
            OmopError::ClusterCompressedCsv { scheduler, table, file } => write!(
                f,
                "{} (table {table}): the Ballista cluster at {scheduler} cannot read a gzip CSV file (the plans it is sent do not say a file is compressed); decompress it, or write the table as Parquet",
                file.display()
            ),
            OmopError::ClusterCannotRead { scheduler, cdm, message } => write!(
                f,
                "the Ballista cluster at {scheduler} cannot read the CDM at {}: the client, the scheduler and every executor must see it at this same absolute path (docs/cluster.md): {}",
                cdm.display(),
                short(message)
            ),
            OmopError::Several(all) => {
                for (i, problem) in all.iter().enumerate() {
                    if i > 0 {
                        writeln!(f)?;
                    }
                    write!(f, "{problem}")?;
                }
                Ok(())
            }
        }
    }
}

impl std::error::Error for OmopError {}
