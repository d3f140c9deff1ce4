//! `treatments.csv`: one row per course (or dose change) of a drug.

use hlh_model::{DoseUnit, Drug, Frequency, Route, SourceRow, StopReason, StudyFile, Treatment};

use crate::cells::{self, CellProblem, TIME_EXPECTED};
use crate::patients::PatientRegistry;

use crate::table::{columns, read_table, CellReader, Diagnostics, HeaderRules};

const FILE: &str = "treatments.csv";

columns! {
    PATIENT_ID = required("patient_id"),
    DRUG = required("drug"),
    START = required("start"),
    END = optional("end"),
    DOSE = optional("dose"),
    DOSE_UNIT = optional("dose_unit"),
    FREQUENCY = optional("frequency"),
    ROUTE = optional("route"),
    STOP_REASON = optional("stop_reason"),
    LINE = optional("line"),
}

pub fn read(
    bytes: &[u8],
    registry: &PatientRegistry,
    diagnostics: &mut Diagnostics,
) -> Vec<Treatment> {
    let mut treatments = Vec::new();
    read_table(
        FILE,
        bytes,
        COLUMNS,
        &HeaderRules::STUDY_FILE,
        diagnostics,
        |row, diagnostics| {
            let mut cells = CellReader::new(row, diagnostics);
            let patient = cells.required(PATIENT_ID, "a patient_id of patients.csv", |text| {
                registry.resolve(text)
            });
            let drug = cells.required(DRUG, "a drug", |text| {
                cells::word(text, Drug::from_name, Drug::expected_list)
            });
            let start = cells.required(START, TIME_EXPECTED, cells::clinical_time);
            let end = cells.optional(END, cells::clinical_time);
            if let (Some(start), Some(end)) = (start, end) {
                if end.date() < start.date() || end < start {
                    cells.row_error(Some(END), format!("course ends before it starts ({start})"));
                }
            }
            let dose = cells.optional(DOSE, |text| {
                let dose = cells::number(text)?;
                if dose < 0.0 {
                    return Err(CellProblem::new("negative dose", "a dose ≥ 0"));
                }
                Ok(dose)
            });
            let dose_unit = cells.optional(DOSE_UNIT, |text| {
                cells::word(text, DoseUnit::from_name, DoseUnit::expected_list)
            });
            match (dose.is_some(), dose_unit.is_some()) {
                (true, false) if row.get(DOSE_UNIT).is_none() => {
                    cells.row_warning(
                        Some(DOSE),
                        "dose without a dose_unit cannot be interpreted".to_string(),
                    );
                }
                (false, true) if row.get(DOSE).is_none() => {
                    cells.row_warning(Some(DOSE_UNIT), "dose_unit without a dose".to_string());
                }
                _ => {}
            }
            let frequency = row.get(FREQUENCY);
            let schedule = frequency.and_then(Frequency::from_name);
            if let (Some(text), None, Some(_)) = (frequency, schedule, dose) {
                // A regimen written here (CHOP) or another schedule still reads; only the daily dose
                // cannot be worked out.
                cells.warning(
                    FREQUENCY,
                    text,
                    CellProblem::new(
                        "frequency not in the vocabulary: the daily dose is unknown",
                        Frequency::expected_list(),
                    ),
                );
            }
            let route = cells.optional(ROUTE, |text| {
                cells::word(text, Route::from_name, Route::expected_list)
            });
            let stop_reason = cells.optional(STOP_REASON, |text| {
                cells::word(text, StopReason::from_name, StopReason::expected_list)
            });
            if stop_reason.is_some() && row.get(END).is_none() {
                cells.row_warning(
                    Some(STOP_REASON),
                    "stop_reason is given but end is empty (an ongoing course has no stop reason)"
                        .to_string(),
                );
            }
            let (true, Some(Some(patient)), Some(drug), Some(start)) =
                (cells.usable, patient, drug, start)
            else {
                return;
            };
            treatments.push(Treatment {
                patient,
                drug,
                start,
                end,
                dose,
                dose_unit,
                frequency: frequency.map(str::to_string),
                schedule,
                route,
                stop_reason,
                line_of_therapy: row.get(LINE).map(str::to_string),
                source: SourceRow {
                    file: StudyFile::Treatments,
                    line: row.line,
                },
            });
        },
    );
    treatments
}
