//! `observations.csv`: laboratory results and vital signs, converted to canonical units on reading.

use compact_str::CompactString;
use hlh_model::units::{self, AssayFactors, UnitError};
use hlh_model::{
    parallel, Analyte, ClinicalTime, Observation, PatientIndex, RowsByPatient, SourceRow, StudyFile,
};

use crate::cells::{self, CellProblem, TIME_EXPECTED};
use crate::diagnostic::Diagnostic;
use crate::patients::PatientRegistry;
use hlh_model::ranges::{analyte_ranges, unit_mistake_hint};

use crate::table::{columns, count_line_ends, read_table_in_chunks, CellReader, Diagnostics, Row};

const FILE: &str = "observations.csv";

columns! {
    PATIENT_ID = required("patient_id"),
    TIME = required("time"),
    ANALYTE = required("analyte"),
    VALUE = required("value"),
    UNIT = required("unit"),
}

/// Two rows with the same patient, time, analyte and converted value are one result entered twice. The
/// time is packed into an integer so that the key compares as three machine words.
type DuplicateKey = (u64, Analyte, u64);

/// Packs a clinical time into one integer, distinct for distinct times (a bare date differs from its
/// midnight).
fn packed_time(time: ClinicalTime) -> u64 {
    let (date, clock) = match time {
        ClinicalTime::Date(date) => (date, None),
        ClinicalTime::DateTime(date_time) => (date_time.date(), Some(date_time.time())),
    };
    let days = (date.year() as u64) << 9 | (date.month() as u64) << 5 | date.day() as u64;
    let seconds = clock.map_or(0, |time| {
        1 + (time.hour() as u64) * 3600 + (time.minute() as u64) * 60 + time.second() as u64
    });
    days << 17 | seconds
}

pub fn read(
    bytes: &[u8],
    registry: &PatientRegistry,
    assays: AssayFactors,
    diagnostics: &mut Diagnostics,
) -> Vec<Observation> {
    let threads = parallel::cores();
    let (_, chunks) = read_table_in_chunks(
        FILE,
        bytes,
        COLUMNS,
        diagnostics,
        threads,
        // One row per line in the usual file: reserving up front spares the copies of a growing vector.
        |chunk| Vec::with_capacity(count_line_ends(chunk) as usize),
        |observations: &mut Vec<Observation>, row, diagnostics| {
            if let Some(observation) = read_row(row, registry, assays, diagnostics) {
                observations.push(observation);
            }
        },
    );
    drop_repeated_rows(chunks, registry.patients.len(), diagnostics)
}

/// One row of observations.csv, converted; `None` when it has an error (reported).
fn read_row(
    row: &Row<'_>,
    registry: &PatientRegistry,
    assays: AssayFactors,
    diagnostics: &mut Diagnostics,
) -> Option<Observation> {
    let mut cells = CellReader::new(row, diagnostics);
    let patient = cells.required(PATIENT_ID, "a patient_id of patients.csv", |text| {
        registry.resolve(text)
    });
    let time = cells.required(TIME, TIME_EXPECTED, cells::clinical_time);
    let analyte = cells.required(ANALYTE, "an analyte", |text| {
        cells::word(text, Analyte::from_name, || {
            format!("one of the analytes {}", Analyte::expected_list())
        })
    });
    let value = cells.required(VALUE, cells::NUMBER_EXPECTED, cells::censored_number);
    let unit_text = cells.required_text(UNIT, "the unit of the value");
    // Unit and range are checked whenever analyte, value and unit were read, even on a row that is
    // already rejected, so that one run reports all of its problems.
    let (Some(analyte), Some((comparator, value)), Some(unit_text)) = (analyte, value, unit_text)
    else {
        return None;
    };
    let quantity = match units::convert_with_assays(analyte, value, unit_text, assays) {
        Ok(quantity) => quantity,
        Err(error) => {
            cells.error(UNIT, unit_text, unit_problem(&error));
            return None;
        }
    };
    let in_range = check_range(&mut cells, analyte, quantity.value(), unit_text);
    let (true, true, Some(Some(patient)), Some(time)) = (in_range, cells.usable, patient, time)
    else {
        return None;
    };
    Some(Observation {
        patient,
        time,
        quantity,
        comparator,
        value_as_written: CompactString::from(row.get(VALUE).unwrap_or_default()),
        unit_as_written: CompactString::from(unit_text),
        source: SourceRow {
            file: StudyFile::Observations,
            line: row.line,
        },
    })
}

/// Joins the chunks in file order, keeping the first of rows that repeat patient, time, analyte and
/// converted value, with a warning on each repeat.
///
/// A repeat always has the same patient, so repeats are sought among each patient's rows (a few dozen,
/// sorted by key), with the patients split across threads.
fn drop_repeated_rows(
    chunks: Vec<Vec<Observation>>,
    patients: usize,
    diagnostics: &mut Diagnostics,
) -> Vec<Observation> {
    let mut observations = parallel::concatenated(chunks);
    let by_patient = RowsByPatient::of(patients, observations.iter().map(|o| o.patient));
    let threads = parallel::cores().min(observations.len() / 100_000 + 1);
    let repeats: Vec<(usize, u64)> = parallel::in_parts(threads, |part| {
        let share = patients * part / threads..patients * (part + 1) / threads;
        repeats_among(&observations, &by_patient, share)
    })
    .into_iter()
    .flatten()
    .collect();
    if repeats.is_empty() {
        return observations;
    }
    let mut is_repeat = vec![false; observations.len()];
    for &(index, first_line) in &repeats {
        is_repeat[index] = true;
        diagnostics.push(Diagnostic::row_warning(
            FILE,
            observations[index].source.line,
            format!("same patient, time, analyte and value as line {first_line}; counted once"),
        ));
    }
    let mut index = 0;
    observations.retain(|_| {
        index += 1;
        !is_repeat[index - 1]
    });
    observations
}

/// The repeated rows of the patients `share`: each as its index in `observations` and the line of the
/// row it repeats.
fn repeats_among(
    observations: &[Observation],
    by_patient: &RowsByPatient,
    share: std::ops::Range<usize>,
) -> Vec<(usize, u64)> {
    let mut repeats = Vec::new();
    let mut keyed: Vec<(DuplicateKey, usize)> = Vec::new();
    for patient in share {
        keyed.clear();
        keyed.extend(
            by_patient
                .of_patient(PatientIndex(patient as u32))
                .map(|index| {
                    let observation = &observations[index];
                    let key = (
                        packed_time(observation.time),
                        observation.quantity.analyte(),
                        observation.quantity.value().to_bits(),
                    );
                    (key, index)
                }),
        );
        // Rows in file order within a key: the first of a run is the original.
        keyed.sort_unstable();
        for run in keyed.chunk_by(|a, b| a.0 == b.0) {
            let first_line = observations[run[0].1].source.line;
            repeats.extend(run[1..].iter().map(|&(_, index)| (index, first_line)));
        }
    }
    repeats
}

fn unit_problem(error: &UnitError) -> CellProblem {
    match error {
        UnitError::NotAccepted {
            analyte: Analyte::Scd25,
            ..
        } => CellProblem::new(error.to_string(), error.expected()),
        UnitError::NotAccepted { analyte, .. } => {
            CellProblem::new(format!("unit not accepted for {analyte}"), error.expected())
        }
        UnitError::NotFinite { .. } => CellProblem::new(error.to_string(), error.expected()),
    }
}

/// Reports a value outside the possible range (error, returns false) or the usual range (warning).
fn check_range(
    cells: &mut CellReader<'_, '_>,
    analyte: Analyte,
    canonical_value: f64,
    unit_text: &str,
) -> bool {
    let ranges = analyte_ranges(analyte);
    let canonical_unit = analyte.canonical_unit();
    let value_text = cells.row.get(VALUE).unwrap_or_default();
    // Built only for a message: formatting a float on every row would cost more than reading it.
    let converted = || {
        if units::conversion_for(analyte, unit_text) == Some(units::Conversion::Identity) {
            String::new()
        } else {
            format!(
                " ({} {canonical_unit} after conversion)",
                display_number(canonical_value)
            )
        }
    };
    let (low, high) = ranges.possible;
    if !(low <= canonical_value && canonical_value <= high) {
        let mut problem = CellProblem::new(
            format!(
                "{analyte} value{} is physiologically impossible",
                converted()
            ),
            format!("a {analyte} value from {low} to {high} {canonical_unit}"),
        );
        problem.hint = unit_mistake_hint(analyte, canonical_value, unit_text);
        cells.error(VALUE, value_text, problem);
        return false;
    }
    let (low, high) = ranges.usual;
    if !(low <= canonical_value && canonical_value <= high) {
        cells.warning(
            VALUE,
            value_text,
            CellProblem::new(
                format!("unusual {analyte} value{}", converted()),
                format!("usually {low} to {high} {canonical_unit}; please check"),
            ),
        );
    }
    true
}

/// Up to four decimals, trailing zeros removed: enough to recognise a converted value in a message.
fn display_number(value: f64) -> String {
    let text = format!("{value:.4}");
    text.trim_end_matches('0').trim_end_matches('.').to_string()
}

#[cfg(test)]
mod tests {
    use super::{display_number, packed_time};
    use hlh_model::ClinicalTime;

    #[test]
    fn packed_times_are_distinct_for_distinct_times() {
        use jiff::civil::date;
        let times = [
            ClinicalTime::Date(date(2020, 1, 10)),
            ClinicalTime::DateTime(date(2020, 1, 10).at(0, 0, 0, 0)),
            ClinicalTime::DateTime(date(2020, 1, 10).at(23, 59, 59, 0)),
            ClinicalTime::Date(date(2020, 1, 11)),
            ClinicalTime::Date(date(2020, 2, 10)),
            ClinicalTime::Date(date(2021, 1, 10)),
        ];
        let packed: std::collections::BTreeSet<u64> =
            times.iter().map(|&time| packed_time(time)).collect();
        assert_eq!(packed.len(), times.len());
    }

    #[test]
    fn converted_values_are_shown_briefly() {
        assert_eq!(display_number(38.38888888), "38.3889");
        assert_eq!(display_number(152.0), "152");
        assert_eq!(display_number(0.5), "0.5");
    }
}
