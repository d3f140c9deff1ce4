//! `events.csv`: dated clinical events.

use hlh_model::{Drug, Event, EventKind, RecordedResponse, SourceRow, StudyFile};

use crate::cells::{self, CellProblem, TIME_EXPECTED};
use crate::patients::PatientRegistry;

use crate::table::{columns, read_table, CellReader, Diagnostics, HeaderRules};

const FILE: &str = "events.csv";

columns! {
    PATIENT_ID = required("patient_id"),
    TIME = required("time"),
    EVENT = required("event"),
    DETAIL = optional("detail"),
    GRADE = optional("grade"),
    DRUG = optional("drug"),
    LED_TO_DISCONTINUATION = optional("led_to_discontinuation"),
    VALUE = optional("value"),
}

pub fn read(bytes: &[u8], registry: &PatientRegistry, diagnostics: &mut Diagnostics) -> Vec<Event> {
    let mut events = Vec::new();
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
            let time = cells.required(TIME, TIME_EXPECTED, cells::clinical_time);
            let kind = cells.required(EVENT, "an event", |text| {
                cells::word(text, EventKind::from_name, EventKind::expected_list)
            });
            let grade = cells.optional(GRADE, |text| {
                cells::integer_in(text, 1, 5)
                    .map(|grade| grade as u8)
                    .map_err(|problem| CellProblem {
                        expected: "a CTCAE grade from 1 to 5".into(),
                        ..problem
                    })
            });
            if grade.is_some()
                && !matches!(
                    kind,
                    Some(EventKind::AdverseEvent | EventKind::Infection) | None
                )
            {
                cells.row_warning(
                    Some(GRADE),
                    "a grade is read only for adverse events and infections".to_string(),
                );
            }
            let drug = cells.optional(DRUG, |text| {
                cells::word(text, Drug::from_name, Drug::expected_list)
            });
            let led_to_discontinuation = cells
                .optional(LED_TO_DISCONTINUATION, cells::boolean)
                .flatten();
            let recorded_response = cells.optional(VALUE, |text| {
                cells::word(
                    text,
                    RecordedResponse::from_name,
                    RecordedResponse::expected_list,
                )
            });
            match kind {
            Some(EventKind::ResponseAssessment) if row.get(VALUE).is_none() => cells.row_warning(
                Some(VALUE),
                "response_assessment without a value (complete, partial or none) counts as not recorded".to_string(),
            ),
            Some(kind) if kind != EventKind::ResponseAssessment && row.get(VALUE).is_some() => {
                cells.row_warning(Some(VALUE), format!("value is read only for response_assessment, not {kind}"));
            }
            _ => {}
        }
            let (true, Some(Some(patient)), Some(time), Some(kind)) =
                (cells.usable, patient, time, kind)
            else {
                return;
            };
            events.push(Event {
                patient,
                time,
                kind,
                detail: row.get(DETAIL).map(str::to_string),
                grade,
                drug,
                led_to_discontinuation,
                recorded_response: recorded_response
                    .filter(|_| kind == EventKind::ResponseAssessment),
                source: SourceRow {
                    file: StudyFile::Events,
                    line: row.line,
                },
            });
        },
    );
    events
}
