//! `observations.csv`: laboratory results and vital signs, converted to canonical units on reading.

use std::collections::HashMap;

use compact_str::CompactString;
use hlh_model::units::{self, UnitError};
use hlh_model::{Analyte, ClinicalTime, Observation, PatientIndex, SourceRow, StudyFile};

use crate::cells::{self, CellProblem, TIME_EXPECTED};
use crate::patients::PatientRegistry;
use crate::ranges::{analyte_ranges, unit_mistake_hint};
use crate::table::{read_table, CellReader, ColumnSpec, Diagnostics};

const FILE: &str = "observations.csv";

const PATIENT_ID: usize = 0;
const TIME: usize = 1;
const ANALYTE: usize = 2;
const VALUE: usize = 3;
const UNIT: usize = 4;

const COLUMNS: [ColumnSpec; 5] = [
    ColumnSpec::required("patient_id"),
    ColumnSpec::required("time"),
    ColumnSpec::required("analyte"),
    ColumnSpec::required("value"),
    ColumnSpec::required("unit"),
];

/// Two rows with the same patient, time, analyte and converted value are one result entered twice.
type DuplicateKey = (PatientIndex, ClinicalTime, Analyte, u64);

pub fn read(
    bytes: &[u8],
    registry: &PatientRegistry,
    diagnostics: &mut Diagnostics,
) -> Vec<Observation> {
    let mut observations = Vec::new();
    let mut first_line_of: HashMap<DuplicateKey, u64> = HashMap::new();
    read_table(
        FILE,
        bytes,
        &COLUMNS,
        &[],
        diagnostics,
        |row, diagnostics| {
            let mut cells = CellReader::new(row, diagnostics);
            let patient = cells.required(PATIENT_ID, "a patient_id of patients.csv", |text| {
                registry.resolve(text)
            });
            let time = cells.required(TIME, TIME_EXPECTED, cells::clinical_time);
            let analyte = cells.required(ANALYTE, "an analyte", |text| {
                cells::word(
                    text,
                    Analyte::from_name,
                    format!("one of the analytes {}", Analyte::expected_list()),
                )
            });
            let value = cells.required(VALUE, cells::NUMBER_EXPECTED, cells::censored_number);
            let unit_text = cells.required_text(UNIT, "the unit of the value");
            // Unit and range are checked whenever analyte, value and unit were read, even on a row
            // that is already rejected, so that one run reports all of its problems.
            let (Some(analyte), Some((comparator, value)), Some(unit_text)) =
                (analyte, value, unit_text)
            else {
                return;
            };
            let quantity = match units::convert(analyte, value, unit_text) {
                Ok(quantity) => quantity,
                Err(error) => {
                    cells.error(UNIT, unit_text, unit_problem(&error));
                    return;
                }
            };
            let in_range = check_range(&mut cells, analyte, quantity.value(), unit_text);
            let (true, true, Some(Some(patient)), Some(time)) =
                (in_range, cells.usable, patient, time)
            else {
                return;
            };
            let key = (patient, time, analyte, quantity.value().to_bits());
            if let Some(first_line) = first_line_of.get(&key) {
                cells.row_warning(
                    None,
                    format!(
                        "same patient, time, analyte and value as line {first_line}; counted once"
                    ),
                );
                return;
            }
            first_line_of.insert(key, row.line);
            observations.push(Observation {
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
            });
        },
    );
    observations
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
    let converted =
        if units::conversion_for(analyte, unit_text) == Some(units::Conversion::Identity) {
            String::new()
        } else {
            format!(
                " ({} {canonical_unit} after conversion)",
                display_number(canonical_value)
            )
        };
    let (low, high) = ranges.possible;
    if !(low <= canonical_value && canonical_value <= high) {
        let mut problem = CellProblem::new(
            format!("{analyte} value{converted} is physiologically impossible"),
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
                format!("unusual {analyte} value{converted}"),
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
    use super::display_number;

    #[test]
    fn converted_values_are_shown_briefly() {
        assert_eq!(display_number(38.38888888), "38.3889");
        assert_eq!(display_number(152.0), "152");
        assert_eq!(display_number(0.5), "0.5");
    }
}
