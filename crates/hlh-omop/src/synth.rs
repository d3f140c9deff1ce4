//! `hlh omop synth`: a synthetic OMOP CDM v5.4 in Parquet, with background persons (unrelated drugs,
//! conditions and measurements, for volume) and planted cases of every kind the cohort logic must tell
//! apart, and `ground_truth.csv` saying what `hlh omop find` must find.
//!
//! Written table by table in batches of persons, so memory stays bounded whatever the size; the same
//! seed gives the same files.

use std::fs;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use datafusion::arrow::array::{
    ArrayRef, Date32Array, Float64Array, Int32Array, Int64Array, StringArray,
    TimestampMicrosecondArray,
};
use datafusion::arrow::datatypes::{DataType, Field, Schema, TimeUnit};
use datafusion::arrow::record_batch::RecordBatch;
use datafusion::parquet::arrow::ArrowWriter;
use datafusion::parquet::basic::Compression;
use datafusion::parquet::file::properties::WriterProperties;
use jiff::civil::Date;
use jiff::ToSpan;

use crate::cdm::{self, TableSpec};
use crate::columns::days_from_date;
use crate::error::OmopError;

/// A planted case: what it looks like in the CDM and whether the cohort must include it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Case {
    /// Anakinra and an HLH condition three days before Day 0: included on the code.
    CodeInWindow,
    /// Anakinra without any HLH evidence (a Still's flare with normal labs): excluded.
    NoHlh,
    /// No code, but labs whose HScore lower bound is 246 (written in unit variants): included on the score.
    ScoreOnly,
    /// An HLH code 45 days before Day 0 and 10 days after: both outside [−30, +7]: excluded.
    CodeOutsideWindow,
    /// Anakinra known only by its source value and HLH only by ICD-10 D76.1 (concept 0): included.
    SourceValuesOnly,
    /// Anakinra and HLH known only through descendant concepts: included.
    Descendants,
    /// No code; an HScore of 131 (below 169): excluded.
    ScoreBelowCutoff,
    /// ICD-10 D76.3 (not HLH): excluded.
    NotHlhCode,
    /// Included on the code, with repeated rows (same ids) and a death on Day 5.
    DiedWithDuplicates,
    /// A first anakinra course years before: Day 0 is then, and the later HLH code is outside: excluded.
    IndexYearsBefore,
    /// High labs, but on Day 10, outside the score window [−7, +1]: excluded.
    ScoreOutsideWindow,
}

pub const CASES: [Case; 11] = [
    Case::CodeInWindow,
    Case::NoHlh,
    Case::ScoreOnly,
    Case::CodeOutsideWindow,
    Case::SourceValuesOnly,
    Case::Descendants,
    Case::ScoreBelowCutoff,
    Case::NotHlhCode,
    Case::DiedWithDuplicates,
    Case::IndexYearsBefore,
    Case::ScoreOutsideWindow,
];

impl Case {
    pub fn name(self) -> &'static str {
        match self {
            Case::CodeInWindow => "code_in_window",
            Case::NoHlh => "no_hlh",
            Case::ScoreOnly => "score_only",
            Case::CodeOutsideWindow => "code_outside_window",
            Case::SourceValuesOnly => "source_values_only",
            Case::Descendants => "descendants",
            Case::ScoreBelowCutoff => "score_below_cutoff",
            Case::NotHlhCode => "not_hlh_code",
            Case::DiedWithDuplicates => "died_with_duplicates",
            Case::IndexYearsBefore => "index_years_before",
            Case::ScoreOutsideWindow => "score_outside_window",
        }
    }

    /// The inclusion the cohort must give, or `None` for an exclusion.
    pub fn expected(self) -> Option<&'static str> {
        match self {
            Case::CodeInWindow
            | Case::SourceValuesOnly
            | Case::Descendants
            | Case::DiedWithDuplicates => Some("hlh_code"),
            Case::ScoreOnly => Some("hscore"),
            _ => None,
        }
    }
}

/// SplitMix64: small, fast, and the same numbers for the same seed everywhere.
#[derive(Debug)]
struct Random(u64);

impl Random {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }

    fn uniform(&mut self, low: f64, high: f64) -> f64 {
        low + (self.next() >> 11) as f64 / (1u64 << 53) as f64 * (high - low)
    }
}

const ANAKINRA: i64 = 1_114_375;
const ANAKINRA_DESCENDANT: i64 = 2_100_000_001;
const HLH: i64 = 4_121_123;
const HLH_DESCENDANT: i64 = 2_100_000_002;
const PREDNISONE: i64 = 1_551_099;
const BACKGROUND_DRUGS: [i64; 4] = [19_073_183, 1_124_957, 1_112_807, 40_213_160];
const BACKGROUND_CONDITIONS: [i64; 4] = [320_128, 201_826, 255_573, 4_112_343];
/// Background measurements: body weight, glucose, sodium, heart rate, and the analytes.
const BACKGROUND_MEASUREMENTS: [(i64, i64, f64, f64); 8] = [
    (3_025_315, 9529, 50.0, 110.0),
    (3_004_501, 8840, 70.0, 180.0),
    (3_019_550, 8753, 130.0, 145.0),
    (3_027_018, 8541, 55.0, 110.0),
    (3_020_460, 8751, 0.5, 40.0),
    (3_001_122, 8748, 20.0, 600.0),
    (3_024_929, 8848, 150.0, 400.0),
    (3_020_891, 586_323, 36.2, 37.4),
];

/// A planted laboratory value: concept, unit id, unit source value, value, measurement source value.
type PlantedLab = (i64, i64, Option<&'static str>, f64, Option<&'static str>);

/// One measurement row before it is written.
struct Measurement {
    id: i64,
    person: i64,
    concept: i64,
    date: Date,
    value: Option<f64>,
    unit: i64,
    unit_source: Option<&'static str>,
    source: Option<&'static str>,
}

struct Drug {
    id: i64,
    person: i64,
    concept: i64,
    start: Date,
    end: Date,
    source: Option<&'static str>,
}

struct Condition {
    id: i64,
    person: i64,
    concept: i64,
    date: Date,
    source: Option<&'static str>,
}

/// The rows of one batch of persons.
#[derive(Default)]
struct Batch {
    persons: Vec<(i64, i64, i64)>,
    drugs: Vec<Drug>,
    conditions: Vec<Condition>,
    measurements: Vec<Measurement>,
    deaths: Vec<(i64, Date)>,
    truth: Vec<(i64, Case)>,
}

/// Writers of the tables, one Parquet file each.
struct Writers {
    layout: Layout,
    person: Sink,
    drug: Sink,
    condition: Sink,
    measurement: Sink,
    death: Sink,
}

fn schema(table: &TableSpec) -> Arc<Schema> {
    Arc::new(table.arrow_schema())
}

/// Where a table's batches go: its one file, or the next part file of its folder.
struct Sink {
    table: &'static str,
    layout: Layout,
    dir: PathBuf,
    parts: u64,
    file: Option<ArrowWriter<fs::File>>,
}

impl Sink {
    fn new(out: &Path, table: &'static str, layout: Layout) -> Result<Sink, OmopError> {
        let dir = match layout {
            Layout::Files => out.to_path_buf(),
            Layout::Spark => {
                let dir = out.join(table);
                fs::create_dir_all(&dir).map_err(|e| OmopError::io(&dir, e))?;
                dir
            }
        };
        Ok(Sink {
            table,
            layout,
            dir,
            parts: 0,
            file: None,
        })
    }

    fn open(&self, path: PathBuf, schema: Arc<Schema>) -> Result<ArrowWriter<fs::File>, OmopError> {
        let file = fs::File::create(&path).map_err(|e| OmopError::io(&path, e))?;
        let mut properties = WriterProperties::builder().set_compression(Compression::SNAPPY);
        if self.layout == Layout::Spark {
            properties = properties.set_max_row_group_row_count(Some(SPARK_ROW_GROUP_ROWS));
        }
        ArrowWriter::try_new(file, schema, Some(properties.build())).map_err(|e| OmopError::Io {
            path,
            message: e.to_string(),
        })
    }

    fn write(&mut self, batch: &RecordBatch) -> Result<(), OmopError> {
        if self.layout == Layout::Spark {
            // Each batch is one part, as each Spark task writes its own file.
            self.finish()?;
            let path = self.dir.join(format!(
                "part-{:05}-00000000-0000-0000-0000-000000000000-c000.snappy.parquet",
                self.parts
            ));
            self.parts += 1;
            self.file = Some(self.open(path, batch.schema())?);
        } else if self.file.is_none() {
            let path = self.dir.join(format!("{}.parquet", self.table));
            self.file = Some(self.open(path, batch.schema())?);
        }
        match &mut self.file {
            Some(file) => file.write(batch).map_err(parquet_error(self.table)),
            None => Ok(()),
        }
    }

    fn finish(&mut self) -> Result<(), OmopError> {
        match self.file.take() {
            Some(file) => file.close().map(|_| ()).map_err(parquet_error(self.table)),
            None => Ok(()),
        }
    }

    /// Closes the last file; a Spark folder gets its `_SUCCESS` marker.
    fn close(mut self) -> Result<(), OmopError> {
        self.finish()?;
        if self.layout == Layout::Spark {
            let marker = self.dir.join("_SUCCESS");
            fs::write(&marker, b"").map_err(|e| OmopError::io(&marker, e))?;
        }
        Ok(())
    }
}

/// The columns of each CDM v5.4 table in its order, those the cohort does not read with their Arrow
/// type (the others are the spec's).
const CDM_COLUMNS: [(&str, &[(&str, Extra)]); 5] = {
    use Extra::*;
    [
        (
            "person",
            &[
                ("person_id", Read),
                ("gender_concept_id", Read),
                ("year_of_birth", Read),
                ("month_of_birth", SmallNumber),
                ("day_of_birth", SmallNumber),
                ("birth_datetime", Timestamp),
                ("race_concept_id", Concept),
                ("ethnicity_concept_id", Concept),
                ("location_id", Id),
                ("provider_id", Id),
                ("care_site_id", Id),
                ("person_source_value", Text),
                ("gender_source_value", Text),
                ("gender_source_concept_id", Concept),
                ("race_source_value", Text),
                ("race_source_concept_id", Concept),
                ("ethnicity_source_value", Text),
                ("ethnicity_source_concept_id", Concept),
            ],
        ),
        (
            "drug_exposure",
            &[
                ("drug_exposure_id", Read),
                ("person_id", Read),
                ("drug_concept_id", Read),
                ("drug_exposure_start_date", Read),
                ("drug_exposure_start_datetime", Timestamp),
                ("drug_exposure_end_date", Read),
                ("drug_exposure_end_datetime", Timestamp),
                ("verbatim_end_date", Absent),
                ("drug_type_concept_id", Concept),
                ("stop_reason", Read),
                ("refills", SmallNumber),
                ("quantity", Number),
                ("days_supply", SmallNumber),
                ("sig", Absent),
                ("route_concept_id", Concept),
                ("lot_number", Absent),
                ("provider_id", Id),
                ("visit_occurrence_id", Id),
                ("visit_detail_id", Absent),
                ("drug_source_value", Read),
                ("drug_source_concept_id", Concept),
                ("route_source_value", Text),
                ("dose_unit_source_value", Text),
            ],
        ),
        (
            "condition_occurrence",
            &[
                ("condition_occurrence_id", Read),
                ("person_id", Read),
                ("condition_concept_id", Read),
                ("condition_start_date", Read),
                ("condition_start_datetime", Timestamp),
                ("condition_end_date", Absent),
                ("condition_end_datetime", Absent),
                ("condition_type_concept_id", Concept),
                ("condition_status_concept_id", Concept),
                ("stop_reason", Absent),
                ("provider_id", Id),
                ("visit_occurrence_id", Id),
                ("visit_detail_id", Absent),
                ("condition_source_value", Read),
                ("condition_source_concept_id", Concept),
                ("condition_status_source_value", Absent),
            ],
        ),
        (
            "measurement",
            &[
                ("measurement_id", Read),
                ("person_id", Read),
                ("measurement_concept_id", Read),
                ("measurement_date", Read),
                ("measurement_datetime", Timestamp),
                ("measurement_time", Text),
                ("measurement_type_concept_id", Concept),
                ("operator_concept_id", Absent),
                ("value_as_number", Read),
                ("value_as_concept_id", Concept),
                ("unit_concept_id", Read),
                ("range_low", Number),
                ("range_high", Number),
                ("provider_id", Id),
                ("visit_occurrence_id", Id),
                ("visit_detail_id", Absent),
                ("measurement_source_value", Read),
                ("measurement_source_concept_id", Concept),
                ("unit_source_value", Read),
                ("unit_source_concept_id", Concept),
                ("value_source_value", Text),
                ("measurement_event_id", Absent),
                ("meas_event_field_concept_id", Absent),
            ],
        ),
        (
            "death",
            &[
                ("person_id", Read),
                ("death_date", Read),
                ("death_datetime", Timestamp),
                ("death_type_concept_id", Concept),
                ("cause_concept_id", Concept),
                ("cause_source_value", Text),
                ("cause_source_concept_id", Concept),
            ],
        ),
    ]
};

/// How a column the cohort does not read is filled in the Spark layout: with values of its kind, so
/// that its pages weigh what a warehouse's do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Extra {
    /// A column of the cohort's table spec, written as it is.
    Read,
    /// A 64-bit id spread over the rows (provider, visit, location).
    Id,
    /// A concept id: a few distinct values.
    Concept,
    /// A small integer (month of birth, refills, days supply).
    SmallNumber,
    /// A floating-point number (quantity, a reference range).
    Number,
    /// A timestamp in microseconds.
    Timestamp,
    /// A short text.
    Text,
    /// A column a warehouse leaves empty, of the type its name says (`_id`, `_date`, `_datetime`, text).
    Absent,
}

/// The batch with every column of its CDM table, in the CDM's order, when `full`; else as it is. The
/// values of the extra columns are derived from the row's position, so the same seed gives the same
/// files.
fn with_every_column(table: &str, batch: RecordBatch, full: bool) -> RecordBatch {
    let Some((_, columns)) = CDM_COLUMNS.iter().find(|(name, _)| *name == table) else {
        return batch;
    };
    if !full {
        return batch;
    }
    let rows = batch.num_rows();
    let row = |i: usize| i as i64;
    let mut fields = Vec::new();
    let mut arrays: Vec<ArrayRef> = Vec::new();
    for (i, &(name, extra)) in columns.iter().enumerate() {
        let salt = i as i64 * 7919;
        let (data_type, array): (DataType, ArrayRef) = match extra {
            Extra::Read => match batch.schema().index_of(name) {
                Ok(index) => (
                    batch.schema().field(index).data_type().clone(),
                    batch.column(index).clone(),
                ),
                Err(_) => continue,
            },
            Extra::Id => (
                DataType::Int64,
                Arc::new(Int64Array::from_iter_values(
                    (0..rows).map(|r| (row(r) * 31 + salt) % 1_000_003 + 1),
                )),
            ),
            Extra::Concept => (
                DataType::Int64,
                Arc::new(Int64Array::from_iter_values(
                    (0..rows).map(|r| 32_000 + (row(r) + salt) % 17),
                )),
            ),
            Extra::SmallNumber => (
                DataType::Int32,
                Arc::new(Int32Array::from_iter_values(
                    (0..rows).map(|r| ((row(r) + salt) % 12 + 1) as i32),
                )),
            ),
            Extra::Number => (
                DataType::Float64,
                Arc::new(Float64Array::from_iter_values(
                    (0..rows).map(|r| ((row(r) * 13 + salt) % 2000) as f64 / 10.0),
                )),
            ),
            Extra::Timestamp => (
                DataType::Timestamp(TimeUnit::Microsecond, None),
                Arc::new(TimestampMicrosecondArray::from_iter_values((0..rows).map(
                    |r| 1_325_376_000_000_000 + (row(r) * 60_000_000 + salt) % 315_360_000_000_000,
                ))),
            ),
            Extra::Text => (
                DataType::Utf8,
                Arc::new(StringArray::from_iter_values(
                    (0..rows).map(|r| format!("{name}-{}", (row(r) + salt) % 97)),
                )),
            ),
            Extra::Absent if name.ends_with("_id") => (
                DataType::Int64,
                Arc::new(Int64Array::from_iter((0..rows).map(|_| None::<i64>))),
            ),
            Extra::Absent if name.ends_with("_date") => (
                DataType::Date32,
                Arc::new(Date32Array::from_iter((0..rows).map(|_| None::<i32>))),
            ),
            Extra::Absent if name.ends_with("_datetime") => (
                DataType::Timestamp(TimeUnit::Microsecond, None),
                Arc::new(TimestampMicrosecondArray::from_iter(
                    (0..rows).map(|_| None::<i64>),
                )),
            ),
            Extra::Absent => (
                DataType::Utf8,
                Arc::new(StringArray::from_iter((0..rows).map(|_| None::<&str>))),
            ),
        };
        fields.push(Field::new(name, data_type, true));
        arrays.push(array);
    }
    RecordBatch::try_new(Arc::new(Schema::new(fields)), arrays).unwrap_or(batch)
}

fn parquet_error(
    table: &str,
) -> impl Fn(datafusion::parquet::errors::ParquetError) -> OmopError + '_ {
    move |e| OmopError::Io {
        path: Path::new(table).to_path_buf(),
        message: e.to_string(),
    }
}

fn arrow_error(e: datafusion::arrow::error::ArrowError) -> OmopError {
    OmopError::Query {
        message: e.to_string(),
    }
}

fn ids(values: impl Iterator<Item = i64>) -> ArrayRef {
    Arc::new(Int64Array::from_iter_values(values))
}

fn date_column(values: impl Iterator<Item = Option<Date>>) -> ArrayRef {
    Arc::new(Date32Array::from_iter(
        values.map(|d| d.map(days_from_date)),
    ))
}

fn text_column<'a>(values: impl Iterator<Item = Option<&'a str>>) -> ArrayRef {
    Arc::new(StringArray::from_iter(values))
}

impl Writers {
    fn write(&mut self, batch: &Batch) -> Result<(), OmopError> {
        let person = RecordBatch::try_new(
            schema(&cdm::PERSON),
            vec![
                ids(batch.persons.iter().map(|p| p.0)),
                ids(batch.persons.iter().map(|p| p.1)),
                ids(batch.persons.iter().map(|p| p.2)),
            ],
        )
        .map_err(arrow_error)?;
        let full = self.layout == Layout::Spark;
        self.person
            .write(&with_every_column("person", person, full))?;
        let drugs = &batch.drugs;
        let drug = RecordBatch::try_new(
            schema(&cdm::DRUG_EXPOSURE),
            vec![
                ids(drugs.iter().map(|d| d.id)),
                ids(drugs.iter().map(|d| d.person)),
                ids(drugs.iter().map(|d| d.concept)),
                date_column(drugs.iter().map(|d| Some(d.start))),
                date_column(drugs.iter().map(|d| Some(d.end))),
                text_column(drugs.iter().map(|d| d.source)),
                // No planted course records why it stopped.
                text_column(drugs.iter().map(|_| None)),
            ],
        )
        .map_err(arrow_error)?;
        self.drug
            .write(&with_every_column("drug_exposure", drug, full))?;
        let conditions = &batch.conditions;
        let condition = RecordBatch::try_new(
            schema(&cdm::CONDITION_OCCURRENCE),
            vec![
                ids(conditions.iter().map(|c| c.id)),
                ids(conditions.iter().map(|c| c.person)),
                ids(conditions.iter().map(|c| c.concept)),
                date_column(conditions.iter().map(|c| Some(c.date))),
                text_column(conditions.iter().map(|c| c.source)),
            ],
        )
        .map_err(arrow_error)?;
        self.condition
            .write(&with_every_column("condition_occurrence", condition, full))?;
        let m = &batch.measurements;
        let measurement = RecordBatch::try_new(
            schema(&cdm::MEASUREMENT),
            vec![
                ids(m.iter().map(|r| r.id)),
                ids(m.iter().map(|r| r.person)),
                ids(m.iter().map(|r| r.concept)),
                date_column(m.iter().map(|r| Some(r.date))),
                Arc::new(Float64Array::from_iter(m.iter().map(|r| r.value))),
                ids(m.iter().map(|r| r.unit)),
                text_column(m.iter().map(|r| r.unit_source)),
                text_column(m.iter().map(|r| r.source)),
            ],
        )
        .map_err(arrow_error)?;
        self.measurement
            .write(&with_every_column("measurement", measurement, full))?;
        let death = RecordBatch::try_new(
            schema(&cdm::DEATH),
            vec![
                ids(batch.deaths.iter().map(|d| d.0)),
                date_column(batch.deaths.iter().map(|d| Some(d.1))),
            ],
        )
        .map_err(arrow_error)?;
        self.death.write(&with_every_column("death", death, full))?;
        Ok(())
    }

    fn close(self) -> Result<(), OmopError> {
        for sink in [
            self.person,
            self.drug,
            self.condition,
            self.measurement,
            self.death,
        ] {
            sink.close()?;
        }
        Ok(())
    }
}

/// Persons per written batch: bounds memory (about 100 measurements each).
const BATCH_PERSONS: u64 = 20_000;

/// How often a planted case comes: every `persons / cases` persons when the number of cases is given;
/// else 1 person in 20 for small CDMs (so that tests see every kind), 1 in 1,000 for large ones.
fn stride(persons: u64, cases: Option<u64>) -> u64 {
    match cases {
        Some(cases) => (persons / cases.max(1)).max(1),
        None if persons < 100_000 => 20,
        None => 1_000,
    }
}

/// What was written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct SynthSummary {
    pub persons: u64,
    pub planted: u64,
    pub measurements: u64,
}

/// How the tables are laid out on disk.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Layout {
    /// One Parquet file per table with the columns the cohort reads.
    #[default]
    Files,
    /// As Spark writes a warehouse: a folder per table of `SPARK_PARTS` part files and a `_SUCCESS`
    /// marker, row groups of 1,048,576 rows, every column of the CDM v5.4 table, the rows of each part
    /// in no particular order.
    Spark,
}

/// Fisher–Yates, with the synthetic CDM's own generator (the same seed, the same order).
fn shuffled<T>(rows: &mut [T], random: &mut Random) {
    for i in (1..rows.len()).rev() {
        rows.swap(i, random.below(i as u64 + 1) as usize);
    }
}

/// The tables written as Parquet, in the CDM's order (`concept` and `concept_ancestor` are CSV).
pub const PARQUET_TABLES: [&str; 5] = [
    "person",
    "drug_exposure",
    "condition_occurrence",
    "measurement",
    "death",
];

/// The part files of a table in the Spark layout.
pub const SPARK_PARTS: u64 = 40;

/// Spark's row-group size (its `parquet.block.size` reached at about a million rows of a CDM table).
const SPARK_ROW_GROUP_ROWS: usize = 1 << 20;

/// Writes a synthetic CDM of `persons` persons into `out` (created), about `cases` of them planted cases
/// (by default 1 in 20 below 100,000 persons, 1 in 1,000 above), laid out as `layout` says, with
/// `progress` told after each batch the number of persons written. The layouts hold the same rows.
pub fn synth(
    persons: u64,
    cases: Option<u64>,
    out: &Path,
    seed: u64,
    layout: Layout,
    progress: &mut dyn FnMut(u64),
) -> Result<SynthSummary, OmopError> {
    fs::create_dir_all(out).map_err(|e| OmopError::io(out, e))?;
    let mut writers = Writers {
        layout,
        person: Sink::new(out, "person", layout)?,
        drug: Sink::new(out, "drug_exposure", layout)?,
        condition: Sink::new(out, "condition_occurrence", layout)?,
        measurement: Sink::new(out, "measurement", layout)?,
        death: Sink::new(out, "death", layout)?,
    };
    // A Spark part is one task's share of the persons: one batch each.
    let batch_persons = match layout {
        Layout::Files => BATCH_PERSONS,
        Layout::Spark => persons.div_ceil(SPARK_PARTS).max(1),
    };
    let mut truth = String::from("person_id,case,expected,inclusion\n");
    let mut summary = SynthSummary {
        persons,
        ..SynthSummary::default()
    };
    let stride = stride(persons, cases);
    let mut random = Random(seed);
    let mut next_id = 1i64;
    let mut first = 0;
    while first < persons {
        let last = (first + batch_persons).min(persons);
        let mut batch = Batch::default();
        for index in first..last {
            person_rows(index, stride, &mut random, &mut next_id, &mut batch);
        }
        summary.measurements += batch.measurements.len() as u64;
        summary.planted += batch.truth.len() as u64;
        for (person, case) in &batch.truth {
            truth.push_str(&format!(
                "{person},{},{},{}\n",
                case.name(),
                if case.expected().is_some() {
                    "included"
                } else {
                    "excluded"
                },
                case.expected().unwrap_or("")
            ));
        }
        if layout == Layout::Spark {
            // A Spark task writes its rows in the order its shuffle delivered them, not by person: so
            // no page of a part file holds one person's rows, as in a real warehouse.
            let mut shuffle = Random(seed ^ first);
            shuffled(&mut batch.persons, &mut shuffle);
            shuffled(&mut batch.drugs, &mut shuffle);
            shuffled(&mut batch.conditions, &mut shuffle);
            shuffled(&mut batch.measurements, &mut shuffle);
            shuffled(&mut batch.deaths, &mut shuffle);
        }
        writers.write(&batch)?;
        progress(last);
        first = last;
    }
    writers.close()?;
    write_vocabulary(out)?;
    let path = out.join("ground_truth.csv");
    fs::write(&path, truth).map_err(|e| OmopError::io(&path, e))?;
    Ok(summary)
}

/// CONCEPT (the listed ids and the synthetic descendants) and CONCEPT_ANCESTOR, as CSV: a CDM may mix
/// formats, and the reader must take both.
fn write_vocabulary(out: &Path) -> Result<(), OmopError> {
    let mut concept = String::from("concept_id,concept_name,domain_id,vocabulary_id,concept_class_id,standard_concept,concept_code,valid_start_date,valid_end_date,invalid_reason\n");
    let sets = crate::concepts::ConceptSets::default_sets();
    let mut listed: Vec<(i64, String, String, String)> = sets
        .entries
        .iter()
        .filter_map(|e| match e.matcher {
            crate::concepts::Match::Concept(id) => {
                Some((id, e.name.clone(), e.vocabulary.clone(), e.code.clone()))
            }
            _ => None,
        })
        .collect();
    listed.push((
        ANAKINRA_DESCENDANT,
        "anakinra 100 MG Injection (synthetic)".into(),
        "RxNorm Extension".into(),
        "OMOP000001".into(),
    ));
    listed.push((
        HLH_DESCENDANT,
        "Secondary hemophagocytic lymphohistiocytosis (synthetic)".into(),
        "SNOMED".into(),
        "000000002".into(),
    ));
    listed.sort();
    listed.dedup_by_key(|c| c.0);
    for (id, name, vocabulary, code) in listed {
        concept.push_str(&format!(
            "{id},\"{}\",,{vocabulary},,S,{code},1970-01-01,2099-12-31,\n",
            name.replace('"', "\"\"")
        ));
    }
    let ancestor = format!(
        "ancestor_concept_id,descendant_concept_id,min_levels_of_separation,max_levels_of_separation\n{ANAKINRA},{ANAKINRA},0,0\n{ANAKINRA},{ANAKINRA_DESCENDANT},1,1\n{HLH},{HLH},0,0\n{HLH},{HLH_DESCENDANT},1,1\n"
    );
    for (file, text) in [("concept.csv", concept), ("concept_ancestor.csv", ancestor)] {
        let path = out.join(file);
        fs::write(&path, text).map_err(|e| OmopError::io(&path, e))?;
    }
    Ok(())
}

fn day(date: Date, offset: i32) -> Date {
    date.checked_add(offset.days()).unwrap_or(date)
}

/// The rows of person number `index`: background for most, a planted case every `stride` persons.
fn person_rows(index: u64, stride: u64, random: &mut Random, next_id: &mut i64, batch: &mut Batch) {
    let mut id = || {
        *next_id += 1;
        *next_id
    };
    let planted = index
        .is_multiple_of(stride)
        .then(|| CASES[((index / stride) % CASES.len() as u64) as usize]);
    // Every other planted person has a negative id beyond 2^53, as real warehouses have.
    let person = match planted {
        Some(_) if (index / stride) % 2 == 1 => -(1i64 << 60) - index as i64,
        _ => index as i64 + 1,
    };
    let gender = if random.below(2) == 0 { 8507 } else { 8532 };
    let birth = 1940 + random.below(65) as i64;
    batch.persons.push((person, gender, birth));
    let base = Date::new(2012, 1, 1).unwrap_or_default();
    let day0 = day(base, random.below(3000) as i32);

    // Background: a few unrelated drugs and conditions, and about 100 measurements over the years.
    for _ in 0..1 + random.below(4) {
        let start = day(base, random.below(4000) as i32 - 500);
        batch.drugs.push(Drug {
            id: id(),
            person,
            concept: BACKGROUND_DRUGS[random.below(4) as usize],
            start,
            end: day(start, random.below(30) as i32),
            source: None,
        });
    }
    for _ in 0..1 + random.below(3) {
        batch.conditions.push(Condition {
            id: id(),
            person,
            concept: BACKGROUND_CONDITIONS[random.below(4) as usize],
            date: day(base, random.below(4000) as i32 - 500),
            source: None,
        });
    }
    for _ in 0..80 + random.below(41) {
        let (concept, unit, low, high) =
            BACKGROUND_MEASUREMENTS[random.below(BACKGROUND_MEASUREMENTS.len() as u64) as usize];
        batch.measurements.push(Measurement {
            id: id(),
            person,
            concept,
            date: day(base, random.below(4000) as i32 - 500),
            value: Some((random.uniform(low, high) * 10.0).round() / 10.0),
            unit,
            unit_source: None,
            source: None,
        });
    }
    let Some(case) = planted else { return };
    batch.truth.push((person, case));
    // Day 0 of a planted case lies after all its background rows would blur it: the labs below are
    // what decides.
    let drug_concept = match case {
        Case::SourceValuesOnly => 0,
        Case::Descendants => ANAKINRA_DESCENDANT,
        _ => ANAKINRA,
    };
    let source = (case == Case::SourceValuesOnly).then_some("KINERET 100 MG/0.67 ML syringe");
    let mut anakinra = |start: Date, batch: &mut Batch| {
        batch.drugs.push(Drug {
            id: id(),
            person,
            concept: drug_concept,
            start,
            end: day(start, 20),
            source,
        });
    };
    if case == Case::IndexYearsBefore {
        anakinra(day(day0, -1500), batch);
    }
    anakinra(day0, batch);
    let mut push_id = next_id.saturating_add(0);
    let mut fresh = || {
        push_id += 1;
        push_id
    };
    // A corticosteroid from Day 1, as often given with it.
    batch.drugs.push(Drug {
        id: fresh(),
        person,
        concept: PREDNISONE,
        start: day(day0, 1),
        end: day(day0, 15),
        source: None,
    });
    let mut condition =
        |concept: i64, offset: i32, source: Option<&'static str>, batch: &mut Batch| {
            batch.conditions.push(Condition {
                id: fresh(),
                person,
                concept,
                date: day(day0, offset),
                source,
            });
        };
    match case {
        Case::CodeInWindow | Case::DiedWithDuplicates => condition(HLH, -3, None, batch),
        Case::CodeOutsideWindow => {
            condition(HLH, -45, None, batch);
            condition(HLH, 10, None, batch);
        }
        Case::SourceValuesOnly => condition(0, -1, Some("D76.1"), batch),
        Case::Descendants => condition(HLH_DESCENDANT, 0, None, batch),
        Case::NotHlhCode => condition(0, -1, Some("D76.3"), batch),
        Case::IndexYearsBefore => condition(HLH, 0, None, batch),
        _ => {}
    }
    // The labs around Day 0: (concept, unit id, unit source, value, measurement source), on `offset`.
    let labs: &[PlantedLab] = match case {
        Case::ScoreOnly | Case::ScoreOutsideWindow => &[
            (3_020_891, 9289, None, 103.3, None),         // 39.6 °C as °F
            (3_001_122, 8842, None, 8000.0, None),        // ferritin 8000 ng/mL
            (3_022_192, 8840, None, 398.6, None),         // triglycerides 4.5 mmol/L as mg/dL
            (0, 8840, None, 200.0, Some("3255-7")), // fibrinogen 2.0 g/L as mg/dL, by source value
            (3_013_721, 8645, None, 100.0, None),   // AST 100 U/L
            (3_000_963, 8636, None, 80.0, None),    // haemoglobin 8 g/dL as g/L
            (3_000_905, 0, Some("10*9/L"), 3.0, None), // leukocytes, unit by source value
            (3_024_929, 8848, None, 80.0, None),    // platelets 80 ×10⁹/L
            (3_020_460, 0, Some("mg/dL"), 15.0, None), // CRP 150 mg/L
            (3_020_460, 0, Some("furlongs"), 15.0, None), // undeterminable unit: dropped
        ],
        Case::ScoreBelowCutoff => &[
            (3_020_891, 586_323, None, 38.6, None), // 33 points
            (3_001_122, 8748, None, 3000.0, None),  // 35
            (3_022_192, 8753, None, 2.0, None),     // 44
            (3_013_721, 8645, None, 50.0, None),    // 19: 131 in all
        ],
        _ => &[
            (3_020_891, 586_323, None, 37.0, None),
            (3_001_122, 8748, None, 300.0, None),
            (3_020_460, 8751, None, 12.0, None),
            (3_024_929, 8848, None, 250.0, None),
        ],
    };
    let offset = if case == Case::ScoreOutsideWindow {
        10
    } else {
        0
    };
    let repeats = if case == Case::DiedWithDuplicates {
        2
    } else {
        1
    };
    for &(concept, unit, unit_source, value, source) in labs {
        let measurement_id = fresh();
        for _ in 0..repeats {
            batch.measurements.push(Measurement {
                id: measurement_id,
                person,
                concept,
                date: day(day0, offset),
                value: Some(value),
                unit,
                unit_source,
                source,
            });
        }
    }
    // A Day-7 CRP and ferritin for every planted case, for the analysis.
    for (concept, value) in [(3_020_460, 4.0), (3_001_122, 150.0)] {
        batch.measurements.push(Measurement {
            id: fresh(),
            person,
            concept,
            date: day(day0, 7),
            value: Some(value),
            unit: if concept == 3_020_460 { 8751 } else { 8748 },
            unit_source: None,
            source: None,
        });
    }
    if case == Case::DiedWithDuplicates {
        if let Some(course) = batch
            .drugs
            .iter()
            .find(|d| d.person == person && d.concept == ANAKINRA)
        {
            let repeated = Drug {
                id: course.id,
                person,
                concept: course.concept,
                start: course.start,
                end: course.end,
                source: None,
            };
            batch.drugs.push(repeated);
        }
        batch.deaths.push((person, day(day0, 5)));
        batch.deaths.push((person, day(day0, 5)));
    }
    *next_id = push_id;
}
