//! Reading a CDM folder: each table found by name whatever its case (`person.parquet`, a folder
//! `person/` of Parquet files, `person.csv`, `person.csv.gz`, comma or tab separated), registered in
//! DataFusion as `raw_<table>`, then exposed as a typed view `<table>` with the columns the cohort needs,
//! lower-case, cast to their OMOP types. Only the views are queried, so a Parquet CDM and a CSV one run
//! the same SQL.

use std::fs;
use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

use datafusion::arrow::datatypes::{DataType, Field, Schema};
use datafusion::arrow::record_batch::RecordBatch;
use datafusion::datasource::file_format::file_compression_type::FileCompressionType;
use datafusion::error::DataFusionError;
use datafusion::execution::runtime_env::RuntimeEnvBuilder;
use datafusion::execution::SendableRecordBatchStream;
use datafusion::logical_expr::ScalarUDF;
use datafusion::prelude::{CsvReadOptions, ParquetReadOptions, SessionConfig, SessionContext};

use futures::StreamExt;
use hlh_person_set::PersonSet;

use crate::error::OmopError;

/// The rows of a batch the scans produce.
const SCAN_BATCH_ROWS: usize = 2048;

/// The OMOP type a column is read as.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ColumnType {
    Id,
    Integer,
    Number,
    Date,
    Text,
}

impl ColumnType {
    fn sql(self) -> &'static str {
        match self {
            ColumnType::Id | ColumnType::Integer => "BIGINT",
            ColumnType::Number => "DOUBLE",
            ColumnType::Date => "DATE",
            ColumnType::Text => "VARCHAR",
        }
    }

    /// The Arrow type of a column of this kind in a typed (Parquet) CDM.
    pub fn arrow(self) -> DataType {
        match self {
            ColumnType::Id | ColumnType::Integer => DataType::Int64,
            ColumnType::Number => DataType::Float64,
            ColumnType::Date => DataType::Date32,
            ColumnType::Text => DataType::Utf8,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            ColumnType::Id => "a 64-bit integer id",
            ColumnType::Integer => "an integer",
            ColumnType::Number => "a number",
            ColumnType::Date => "a date (YYYY-MM-DD)",
            ColumnType::Text => "text",
        }
    }
}

/// A column the cohort reads, and whether the table is unusable without it.
#[derive(Debug, Clone, Copy)]
pub struct Column {
    pub name: &'static str,
    pub kind: ColumnType,
    pub required: bool,
}

const fn column(name: &'static str, kind: ColumnType, required: bool) -> Column {
    Column {
        name,
        kind,
        required,
    }
}

/// A table the cohort reads.
#[derive(Debug, Clone, Copy)]
pub struct TableSpec {
    pub name: &'static str,
    pub required: bool,
    pub columns: &'static [Column],
}

impl TableSpec {
    /// The table's columns, in order, as a typed CDM stores them; every column is nullable, since a CDM
    /// may leave any cell empty.
    pub fn arrow_schema(&self) -> Schema {
        Schema::new(
            self.columns
                .iter()
                .map(|column| Field::new(column.name, column.kind.arrow(), true))
                .collect::<Vec<_>>(),
        )
    }
}

use ColumnType::{Date, Id, Integer, Number, Text};

pub const PERSON: TableSpec = TableSpec {
    name: "person",
    required: true,
    columns: &[
        column("person_id", Id, true),
        column("gender_concept_id", Id, true),
        column("year_of_birth", Integer, true),
    ],
};

pub const DRUG_EXPOSURE: TableSpec = TableSpec {
    name: "drug_exposure",
    required: true,
    columns: &[
        column("drug_exposure_id", Id, true),
        column("person_id", Id, true),
        column("drug_concept_id", Id, true),
        column("drug_exposure_start_date", Date, true),
        column("drug_exposure_end_date", Date, false),
        column("drug_source_value", Text, false),
        column("stop_reason", Text, false),
    ],
};

pub const CONDITION_OCCURRENCE: TableSpec = TableSpec {
    name: "condition_occurrence",
    required: true,
    columns: &[
        column("condition_occurrence_id", Id, true),
        column("person_id", Id, true),
        column("condition_concept_id", Id, true),
        column("condition_start_date", Date, true),
        column("condition_source_value", Text, false),
    ],
};

pub const MEASUREMENT: TableSpec = TableSpec {
    name: "measurement",
    required: true,
    columns: &[
        column("measurement_id", Id, true),
        column("person_id", Id, true),
        column("measurement_concept_id", Id, true),
        column("measurement_date", Date, true),
        column("value_as_number", Number, false),
        column("unit_concept_id", Id, false),
        column("unit_source_value", Text, false),
        column("measurement_source_value", Text, false),
    ],
};

pub const DEATH: TableSpec = TableSpec {
    name: "death",
    required: false,
    columns: &[
        column("person_id", Id, true),
        column("death_date", Date, true),
    ],
};

pub const CONCEPT: TableSpec = TableSpec {
    name: "concept",
    required: false,
    columns: &[
        column("concept_id", Id, true),
        column("concept_name", Text, false),
        column("vocabulary_id", Text, false),
        column("concept_code", Text, false),
        column("standard_concept", Text, false),
        column("invalid_reason", Text, false),
    ],
};

pub const CONCEPT_ANCESTOR: TableSpec = TableSpec {
    name: "concept_ancestor",
    required: false,
    columns: &[
        column("ancestor_concept_id", Id, true),
        column("descendant_concept_id", Id, true),
    ],
};

/// Every table the cohort reads.
pub const TABLES: &[TableSpec] = &[
    PERSON,
    DRUG_EXPOSURE,
    CONDITION_OCCURRENCE,
    MEASUREMENT,
    DEATH,
    CONCEPT,
    CONCEPT_ANCESTOR,
];

/// Where a table was found and how it is stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Storage {
    Parquet(PathBuf),
    Csv {
        path: PathBuf,
        gzip: bool,
        delimiter: u8,
    },
}

impl Storage {
    pub fn path(&self) -> &Path {
        match self {
            Storage::Parquet(path) | Storage::Csv { path, .. } => path,
        }
    }
}

/// A CDM opened for querying: a DataFusion session with a typed view per table found.
pub struct Cdm {
    pub ctx: SessionContext,
    pub dir: PathBuf,
    /// The tables found (by OMOP name), with their storage.
    pub found: Vec<(String, Storage)>,
    /// The scheduler's address when the queries run on a cluster.
    cluster: Option<String>,
    /// How many person sets [`Cdm::person_filter`] has registered: the next one's number.
    person_sets: AtomicUsize,
}

impl std::fmt::Debug for Cdm {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Cdm")
            .field("dir", &self.dir)
            .field("found", &self.found)
            .field("cluster", &self.cluster)
            .finish()
    }
}

/// The OMOP table name of a directory entry, and how it is stored, if it is a table at all.
fn table_of(path: &Path) -> Result<Option<(String, Storage)>, OmopError> {
    let Some(file_name) = path.file_name().and_then(|n| n.to_str()) else {
        return Ok(None);
    };
    let lower = file_name.to_ascii_lowercase();
    if path.is_dir() {
        let has_parquet = fs::read_dir(path)
            .map_err(|e| OmopError::io(path, e))?
            .filter_map(Result::ok)
            .any(|e| {
                e.file_name()
                    .to_string_lossy()
                    .to_ascii_lowercase()
                    .ends_with(".parquet")
            });
        return Ok(has_parquet.then(|| (lower, Storage::Parquet(path.to_path_buf()))));
    }
    if let Some(name) = lower.strip_suffix(".parquet") {
        return Ok(Some((
            name.to_string(),
            Storage::Parquet(path.to_path_buf()),
        )));
    }
    let (name, gzip) = if let Some(name) = lower.strip_suffix(".csv.gz") {
        (name, true)
    } else if let Some(name) = lower.strip_suffix(".csv") {
        (name, false)
    } else {
        return Ok(None);
    };
    let header = header_line(path, gzip)?;
    let delimiter = if header.contains('\t') && !header.contains(',') {
        b'\t'
    } else {
        b','
    };
    Ok(Some((
        name.to_string(),
        Storage::Csv {
            path: path.to_path_buf(),
            gzip,
            delimiter,
        },
    )))
}

/// The first line of a CSV file, decompressed if need be.
fn header_line(path: &Path, gzip: bool) -> Result<String, OmopError> {
    let file = fs::File::open(path).map_err(|e| OmopError::io(path, e))?;
    let reader: Box<dyn Read> = if gzip {
        Box::new(flate2::read::MultiGzDecoder::new(file))
    } else {
        Box::new(file)
    };
    let mut line = String::new();
    BufReader::new(reader)
        .read_line(&mut line)
        .map_err(|e| OmopError::io(path, e))?;
    Ok(line
        .trim_start_matches('\u{feff}')
        .trim_end_matches(['\r', '\n'])
        .to_string())
}

/// The session of every CDM, embedded or on a cluster.
fn session_config() -> SessionConfig {
    // Filters are evaluated inside the Parquet scan (late materialisation): the cohort's queries
    // keep a few thousand rows of hundreds of millions, so the other columns are decoded only for
    // those. The filters keep their written order, the person-id list first: it is the selective one.
    // Batches of 2,048 rows rather than 8,192: the scans keep batches in flight in proportion to the
    // files read, and the filters keep few rows of each; at 5 M persons peak memory fell from 367 to
    // 250 MiB with the same time (docs/benchmarks.md).
    let mut config = SessionConfig::new().with_batch_size(SCAN_BATCH_ROWS);
    config.options_mut().execution.parquet.pushdown_filters = true;
    config.options_mut().execution.parquet.reorder_filters = false;
    // One pass of the logical optimiser: the cohort's plans are a scan, a filter and at most a
    // grouping, which one pass settles (the studies are the same with three), and each pass walks
    // every literal of the person-id lists: at 5,000 exposed the second and third passes were 0.13 s
    // of the 0.76 s the main thread spent planning the queries and reading their rows.
    config.options_mut().optimizer.max_passes = 1;
    // Without a cache of the filter columns: it holds a whole row group's decoded filter columns
    // (a million rows in a warehouse Spark wrote) to spare decoding again the few rows the filters
    // keep. Off, a 1 M-person CDM's peak memory halved and the run got faster (docs/benchmarks.md).
    config
        .options_mut()
        .execution
        .parquet
        .max_predicate_cache_size = Some(0);
    config
}

impl Cdm {
    /// Finds the tables of `dir` and registers those the cohort reads; a required column missing from a
    /// table found is an error naming it, as is an unreadable file. Whether the required tables are all
    /// there is [`Cdm::require`]'s question.
    ///
    /// # Errors
    ///
    /// [`OmopError`] for an unreadable folder or file, or a required column missing from a table.
    pub async fn open(dir: &Path) -> Result<Cdm, OmopError> {
        // No cache of the files' metadata: DataFusion keeps each Parquet footer with its page index
        // (50 MB at most by default) to spare the next query reading it again. Its size follows the
        // warehouse's row groups and pages, and a footer is read again in milliseconds: without the
        // cache, 5 M persons peaked at 200 instead of 250 MiB, in the same time (docs/benchmarks.md).
        let runtime = RuntimeEnvBuilder::new()
            .with_metadata_cache_limit(0)
            .build_arc()
            .map_err(|e| OmopError::Query {
                message: e.to_string(),
            })?;
        let ctx = SessionContext::new_with_config_rt(session_config(), runtime);
        Cdm::open_in(dir, ctx, None).await
    }

    /// [`Cdm::open`] with the queries run on a Ballista cluster: the same session, the same views, the
    /// CDM's path made absolute, since the scheduler and the executors read the files at the path the
    /// client names.
    ///
    /// # Errors
    ///
    /// As [`Cdm::open`]; [`OmopError::Cluster`] when the scheduler cannot be reached.
    #[cfg(feature = "cluster")]
    pub async fn open_on_cluster(
        dir: &Path,
        scheduler: &crate::cluster::Scheduler,
    ) -> Result<Cdm, OmopError> {
        scheduler.check_reachable()?;
        let absolute = std::path::absolute(dir).map_err(|e| OmopError::io(dir, e))?;
        let ctx = scheduler.context(session_config()).await?;
        Cdm::open_in(&absolute, ctx, Some(scheduler.url())).await
    }

    async fn open_in(
        dir: &Path,
        ctx: SessionContext,
        cluster: Option<String>,
    ) -> Result<Cdm, OmopError> {
        let entries = fs::read_dir(dir).map_err(|e| OmopError::io(dir, e))?;
        let mut found: Vec<(String, Storage)> = Vec::new();
        let mut paths: Vec<PathBuf> = entries.filter_map(Result::ok).map(|e| e.path()).collect();
        paths.sort();
        for path in paths {
            if let Some((name, storage)) = table_of(&path)? {
                if let Some((_, earlier)) = found.iter().find(|(n, _)| *n == name) {
                    return Err(OmopError::TwoSources {
                        table: name,
                        first: earlier.path().to_path_buf(),
                        second: path,
                    });
                }
                found.push((name, storage));
            }
        }
        let mut problems = Vec::new();
        for spec in TABLES {
            let Some((_, storage)) = found.iter().find(|(n, _)| n == spec.name) else {
                continue;
            };
            if let (
                Some(scheduler),
                Storage::Csv {
                    gzip: true, path, ..
                },
            ) = (&cluster, storage)
            {
                // DataFusion's plan format does not carry a CSV file's compression: an executor would
                // read the gzip bytes as text.
                problems.push(OmopError::ClusterCompressedCsv {
                    scheduler: scheduler.clone(),
                    table: spec.name,
                    file: path.clone(),
                });
                continue;
            }
            match register(&ctx, spec, storage).await {
                Ok(()) => {}
                Err(error) => problems.push(error),
            }
        }
        match problems.len() {
            0 => Ok(Cdm {
                ctx,
                dir: dir.to_path_buf(),
                found,
                cluster,
                person_sets: AtomicUsize::new(0),
            }),
            1 => Err(problems.remove(0)),
            _ => Err(OmopError::Several(problems)),
        }
    }

    /// The tables the cohort cannot do without, each missing one an error.
    ///
    /// # Errors
    ///
    /// [`OmopError`] naming every required table that is missing.
    pub fn require(&self) -> Result<(), OmopError> {
        let mut missing: Vec<OmopError> = TABLES
            .iter()
            .filter(|spec| spec.required && !self.has(spec.name))
            .map(|spec| OmopError::MissingTable {
                table: spec.name,
                dir: self.dir.clone(),
            })
            .collect();
        match missing.len() {
            0 => Ok(()),
            1 => Err(missing.remove(0)),
            _ => Err(OmopError::Several(missing)),
        }
    }

    /// The SQL test that `column` holds one of `ids`, a set of persons (the exposed, the included).
    /// Embedded, the set is registered as the function `hlh_persons_N` (crates/hlh-person-set says
    /// why); on a cluster, whose executors may be the stock ones, it is `column IN (…)`.
    pub fn person_filter(&self, column: &str, ids: &[i64]) -> String {
        if self.cluster.is_some() {
            return format!("{column} IN {}", crate::find::in_list(ids));
        }
        let name = format!(
            "hlh_persons_{}",
            self.person_sets.fetch_add(1, Ordering::Relaxed)
        );
        self.ctx
            .register_udf(ScalarUDF::new_from_impl(PersonSet::new(name.clone(), ids)));
        format!("{name}({column})")
    }

    /// Runs a query and collects its rows, for small results (a scan's rows: [`Cdm::batches`]).
    pub async fn query(&self, sql: &str) -> Result<Vec<RecordBatch>, OmopError> {
        let mut batches = self.batches(sql).await?;
        let mut rows = Vec::new();
        while let Some(batch) = batches.next().await {
            rows.push(batch?);
        }
        Ok(rows)
    }

    /// Runs a query whose rows are read batch by batch, as the scans yield them.
    ///
    /// # Errors
    ///
    /// [`OmopError`] when the query cannot be planned or started.
    pub async fn batches(&self, sql: &str) -> Result<Batches<'_>, OmopError> {
        let failed = |e: DataFusionError| self.query_error(e.to_string());
        let frame = self.ctx.sql(sql).await.map_err(failed)?;
        let stream = frame.execute_stream().await.map_err(failed)?;
        Ok(Batches { cdm: self, stream })
    }

    /// A failed query's error. On a cluster, a file some process could not open is the shared-path rule
    /// broken, and is said so with the CDM's path.
    fn query_error(&self, message: String) -> OmopError {
        let Some(scheduler) = &self.cluster else {
            return OmopError::Query { message };
        };
        let unreadable = ["not found", "No such file", "Permission denied"]
            .iter()
            .any(|sign| message.contains(sign));
        if unreadable && message.contains(&*self.dir.to_string_lossy()) {
            OmopError::ClusterCannotRead {
                scheduler: scheduler.clone(),
                cdm: self.dir.clone(),
                message,
            }
        } else {
            OmopError::Cluster {
                scheduler: scheduler.clone(),
                message,
            }
        }
    }

    /// Whether a table was found (its typed view exists).
    pub fn has(&self, table: &str) -> bool {
        self.found.iter().any(|(n, _)| n == table) && TABLES.iter().any(|t| t.name == table)
    }

    /// The storage of a table, for messages.
    pub fn storage(&self, table: &str) -> Option<&Storage> {
        self.found.iter().find(|(n, _)| n == table).map(|(_, s)| s)
    }
}

/// Registers the raw table and its typed view.
async fn register(
    ctx: &SessionContext,
    spec: &TableSpec,
    storage: &Storage,
) -> Result<(), OmopError> {
    let raw = format!("raw_{}", spec.name);
    let path = storage.path().to_string_lossy().into_owned();
    let failed = |e: datafusion::error::DataFusionError| OmopError::Unreadable {
        table: spec.name,
        file: storage.path().to_path_buf(),
        message: e.to_string(),
    };
    // The source's own column names (any case) and types.
    let source_columns: Vec<(String, DataType)> = match storage {
        Storage::Parquet(_) => {
            let extension = if storage.path().is_dir() {
                ".parquet"
            } else {
                ""
            };
            let options = ParquetReadOptions::default().file_extension(extension);
            ctx.register_parquet(&raw, &path, options)
                .await
                .map_err(failed)?;
            let schema = ctx
                .table(&raw)
                .await
                .map_err(failed)?
                .schema()
                .as_arrow()
                .clone();
            schema
                .fields()
                .iter()
                .map(|f| (f.name().clone(), f.data_type().clone()))
                .collect()
        }
        Storage::Csv {
            gzip, delimiter, ..
        } => {
            // Every column read as text, then cast in the view: type inference would guess from a
            // sample, and an id column whose sample is empty would be guessed wrong.
            let header = header_line(storage.path(), *gzip)?;
            let names: Vec<String> = header
                .split(char::from(*delimiter))
                .map(|n| n.trim().trim_matches('"').to_string())
                .collect();
            let schema = Schema::new(
                names
                    .iter()
                    .map(|n| Field::new(n, DataType::Utf8, true))
                    .collect::<Vec<_>>(),
            );
            let extension = if *gzip { ".gz" } else { "" };
            let options = CsvReadOptions::new()
                .has_header(true)
                .delimiter(*delimiter)
                .schema(&schema)
                .file_extension(extension)
                .file_compression_type(if *gzip {
                    FileCompressionType::GZIP
                } else {
                    FileCompressionType::UNCOMPRESSED
                });
            ctx.register_csv(&raw, &path, options)
                .await
                .map_err(failed)?;
            names.into_iter().map(|n| (n, DataType::Utf8)).collect()
        }
    };
    let mut select = Vec::new();
    let mut missing = Vec::new();
    for column in spec.columns {
        let source = source_columns
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(column.name));
        let expression = match source {
            Some((name, data_type)) => cast(
                &format!("\"{}\"", name.replace('"', "\"\"")),
                data_type,
                column.kind,
            ),
            None if column.required => {
                missing.push(column.name);
                continue;
            }
            None => format!("CAST(NULL AS {})", column.kind.sql()),
        };
        select.push(format!("{expression} AS {}", column.name));
    }
    if !missing.is_empty() {
        return Err(OmopError::MissingColumns {
            table: spec.name,
            file: storage.path().to_path_buf(),
            columns: missing,
        });
    }
    let view = format!(
        "CREATE VIEW {} AS SELECT {} FROM {raw}",
        spec.name,
        select.join(", ")
    );
    ctx.sql(&view).await.map_err(failed)?;
    Ok(())
}

/// The SQL that reads a source column as its OMOP type. Text from CSV is trimmed and an empty cell is null;
/// dates take the first ten characters, so `2020-03-10`, `2020-03-10 08:00:00` and
/// `2020-03-10T08:00:00Z` all read as 2020-03-10.
fn cast(column: &str, source: &DataType, kind: ColumnType) -> String {
    let text = matches!(
        source,
        DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View
    );
    // A typed column already of its type is read as it is: a filter on a bare column can be pushed
    // into the Parquet scan (row-group statistics, late materialisation).
    let already = kind != ColumnType::Text && *source == kind.arrow();
    if already {
        return column.to_string();
    }
    match (kind, text) {
        (ColumnType::Text, true) => format!("NULLIF(trim({column}), '')"),
        (ColumnType::Text, false) => format!("CAST({column} AS VARCHAR)"),
        (ColumnType::Date, true) => {
            format!("CAST(NULLIF(substr(trim({column}), 1, 10), '') AS DATE)")
        }
        (kind, true) => format!("CAST(NULLIF(trim({column}), '') AS {})", kind.sql()),
        (kind, false) => format!("CAST({column} AS {})", kind.sql()),
    }
}

/// The column whose values could not be read as their type, for the message of a failed query: each
/// column of the table is checked alone.
pub async fn find_bad_column(cdm: &Cdm, table: &'static str) -> Option<OmopError> {
    let spec = TABLES.iter().find(|t| t.name == table)?;
    for column in spec.columns {
        let checked = match cdm
            .ctx
            .sql(&format!("SELECT count({}) FROM {table}", column.name))
            .await
        {
            Ok(frame) => frame.collect().await.err(),
            Err(e) => Some(e),
        };
        if let Some(error) = checked {
            return Some(OmopError::WrongType {
                table,
                file: cdm.storage(table)?.path().to_path_buf(),
                column: column.name,
                expected: column.kind.name(),
                message: error.to_string(),
            });
        }
    }
    None
}

/// A query's rows as the scans yield them ([`Cdm::batches`]). A warehouse query's result is then never
/// held whole: collected, the batches of a `measurement` scan are each allocated for a full batch
/// however few rows the filters kept, and the fewer exposed per row group, the more such batches
/// (docs/benchmarks.md).
pub struct Batches<'cdm> {
    cdm: &'cdm Cdm,
    stream: SendableRecordBatchStream,
}

impl Batches<'_> {
    /// The next batch, `None` after the last.
    pub async fn next(&mut self) -> Option<Result<RecordBatch, OmopError>> {
        let batch = self.stream.next().await?;
        Some(batch.map_err(|e| self.cdm.query_error(e.to_string())))
    }
}

impl std::fmt::Debug for Batches<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Batches")
            .field("cdm", &self.cdm.dir)
            .finish_non_exhaustive()
    }
}
