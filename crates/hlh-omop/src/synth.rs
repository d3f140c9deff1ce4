//! `hlh omop synth`: a synthetic OMOP CDM v5.4 in Parquet, with background persons (unrelated drugs,
//! conditions and measurements, for volume) and planted cases of every kind the cohort logic must tell
//! apart, and `ground_truth.csv` saying what `hlh omop find` must find.
//!
//! Written table by table in batches of persons, so memory stays bounded whatever the size; the same
//! seed gives the same files.

use std::fs;
use std::path::Path;
use std::sync::Arc;

use datafusion::arrow::array::{ArrayRef, Date32Array, Float64Array, Int64Array, StringArray};
use datafusion::arrow::datatypes::Schema;
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
    person: ArrowWriter<fs::File>,
    drug: ArrowWriter<fs::File>,
    condition: ArrowWriter<fs::File>,
    measurement: ArrowWriter<fs::File>,
    death: ArrowWriter<fs::File>,
}

/// The schema a table is written with: the columns the cohort reads, as `cdm` declares them.
fn schema(table: &TableSpec) -> Arc<Schema> {
    Arc::new(table.arrow_schema())
}

fn writer(
    dir: &Path,
    table: &str,
    schema: Arc<Schema>,
) -> Result<ArrowWriter<fs::File>, OmopError> {
    let path = dir.join(format!("{table}.parquet"));
    let file = fs::File::create(&path).map_err(|e| OmopError::io(&path, e))?;
    let properties = WriterProperties::builder()
        .set_compression(Compression::SNAPPY)
        .build();
    ArrowWriter::try_new(file, schema, Some(properties)).map_err(|e| OmopError::Io {
        path,
        message: e.to_string(),
    })
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
        self.person
            .write(&person)
            .map_err(parquet_error("person"))?;
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
            .write(&drug)
            .map_err(parquet_error("drug_exposure"))?;
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
            .write(&condition)
            .map_err(parquet_error("condition_occurrence"))?;
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
            .write(&measurement)
            .map_err(parquet_error("measurement"))?;
        let death = RecordBatch::try_new(
            schema(&cdm::DEATH),
            vec![
                ids(batch.deaths.iter().map(|d| d.0)),
                date_column(batch.deaths.iter().map(|d| Some(d.1))),
            ],
        )
        .map_err(arrow_error)?;
        self.death.write(&death).map_err(parquet_error("death"))?;
        Ok(())
    }

    fn close(self) -> Result<(), OmopError> {
        self.person.close().map_err(parquet_error("person"))?;
        self.drug.close().map_err(parquet_error("drug_exposure"))?;
        self.condition
            .close()
            .map_err(parquet_error("condition_occurrence"))?;
        self.measurement
            .close()
            .map_err(parquet_error("measurement"))?;
        self.death.close().map_err(parquet_error("death"))?;
        Ok(())
    }
}

/// Persons per written batch: bounds memory (about 100 measurements each).
const BATCH_PERSONS: u64 = 20_000;

/// How often a planted case comes: 1 person in 20 for small CDMs (so that tests see every kind), 1 in
/// 1,000 for large ones.
fn stride(persons: u64) -> u64 {
    if persons < 100_000 {
        20
    } else {
        1_000
    }
}

/// What was written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct SynthSummary {
    pub persons: u64,
    pub planted: u64,
    pub measurements: u64,
}

/// Writes a synthetic CDM of `persons` persons into `out` (created), with `progress` told after each
/// batch the number of persons written.
pub fn synth(
    persons: u64,
    out: &Path,
    seed: u64,
    progress: &mut dyn FnMut(u64),
) -> Result<SynthSummary, OmopError> {
    fs::create_dir_all(out).map_err(|e| OmopError::io(out, e))?;
    let mut writers = Writers {
        person: writer(out, "person", schema(&cdm::PERSON))?,
        drug: writer(out, "drug_exposure", schema(&cdm::DRUG_EXPOSURE))?,
        condition: writer(
            out,
            "condition_occurrence",
            schema(&cdm::CONDITION_OCCURRENCE),
        )?,
        measurement: writer(out, "measurement", schema(&cdm::MEASUREMENT))?,
        death: writer(out, "death", schema(&cdm::DEATH))?,
    };
    let mut truth = String::from("person_id,case,expected,inclusion\n");
    let mut summary = SynthSummary {
        persons,
        ..SynthSummary::default()
    };
    let mut random = Random(seed);
    let mut next_id = 1i64;
    let mut first = 0;
    while first < persons {
        let last = (first + BATCH_PERSONS).min(persons);
        let mut batch = Batch::default();
        for index in first..last {
            person_rows(index, persons, &mut random, &mut next_id, &mut batch);
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
fn person_rows(
    index: u64,
    persons: u64,
    random: &mut Random,
    next_id: &mut i64,
    batch: &mut Batch,
) {
    let mut id = || {
        *next_id += 1;
        *next_id
    };
    let planted = index
        .is_multiple_of(stride(persons))
        .then(|| CASES[((index / stride(persons)) % CASES.len() as u64) as usize]);
    // Every other planted person has a negative id beyond 2^53, as real warehouses have.
    let person = match planted {
        Some(_) if (index / stride(persons)) % 2 == 1 => -(1i64 << 60) - index as i64,
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
