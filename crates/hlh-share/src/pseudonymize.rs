//! A valid study folder rewritten for sharing: each `patient_id` becomes its keyed pseudonym, every date
//! of a patient moves by that patient's keyed offset (a date-time keeps its clock time), `birth_year`
//! moves with the year of the diagnosis date so that the age is unchanged, and free text is left out.
//! Only the columns of the study format are written; study.toml is copied as it is.

use std::collections::HashMap;

use hlh_ingest::{study_columns, StudySources};
use hlh_model::{EventKind, StudyFile};

use crate::Key;

/// The free-text columns, left out unless asked for: what a clinician typed may name a person, a place
/// or a date. The `detail` of an event is emptied too, but for an adverse event or an infection, whose
/// detail is its type (`injection-site reaction`), counted in the safety outcomes: it is kept, so that
/// the analysis is the original's.
pub const FREE_TEXT_COLUMNS: [(StudyFile, &str); 2] = [
    (StudyFile::Patients, "trigger_detail"),
    (StudyFile::Events, "detail"),
];

/// The events whose `detail` is the type the analysis counts them under.
const TYPED_EVENTS: [EventKind; 2] = [EventKind::AdverseEvent, EventKind::Infection];

/// The date (or date-time) columns of each file, moved by the patient's offset.
const DATE_COLUMNS: [(StudyFile, &str); 6] = [
    (StudyFile::Patients, "diagnosis_date"),
    (StudyFile::Patients, "last_followup_date"),
    (StudyFile::Observations, "time"),
    (StudyFile::Treatments, "start"),
    (StudyFile::Treatments, "end"),
    (StudyFile::Events, "time"),
];

const PATIENT_ID: &str = "patient_id";
const BIRTH_YEAR: &str = "birth_year";
const DIAGNOSIS_DATE: &str = "diagnosis_date";
const EVENT: &str = "event";
const EVENT_DETAIL: &str = "detail";

/// How a study is pseudonymised.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Settings {
    /// Every date of a patient moves by the same number of days, from −N to +N.
    pub max_shift_days: u16,
    /// Keep the free-text columns (`FREE_TEXT_COLUMNS`).
    pub keep_free_text: bool,
}

impl Default for Settings {
    fn default() -> Settings {
        Settings {
            max_shift_days: 180,
            keep_free_text: false,
        }
    }
}

/// One line of the re-identification table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reidentification {
    pub pseudonym: String,
    pub patient_id: String,
    pub shift_days: i32,
}

/// The pseudonymised study: its files (name, text) and the table that undoes it.
#[derive(Debug)]
pub struct Pseudonymized {
    pub files: Vec<(&'static str, String)>,
    /// By pseudonym; to be written only on request, and never beside the study.
    pub reidentification: Vec<Reidentification>,
}

impl Reidentification {
    /// The table as CSV: `pseudonym,patient_id,date_shift_days`.
    pub fn csv(table: &[Reidentification]) -> String {
        let mut writer = csv::Writer::from_writer(Vec::new());
        let _ = writer.write_record(["pseudonym", "patient_id", "date_shift_days"]);
        for line in table {
            let _ = writer.write_record([
                line.pseudonym.as_str(),
                line.patient_id.as_str(),
                &line.shift_days.to_string(),
            ]);
        }
        String::from_utf8_lossy(&writer.into_inner().unwrap_or_default()).into_owned()
    }
}

/// The pseudonym and offset of each patient, by original identifier.
type Patients = HashMap<String, (String, i32)>;

/// Pseudonymises the files of a study that reads without error (check it with `hlh_ingest::read_study`
/// first: a row the reader would refuse is not rewritten here).
///
/// # Errors
///
/// A file that is not CSV, a row of a patient not in patients.csv, or a date that is not ISO 8601: each
/// message names the file, line and column, never the value.
pub fn pseudonymize(
    sources: &StudySources,
    key: &Key,
    settings: &Settings,
) -> Result<Pseudonymized, Vec<String>> {
    let mut problems = Vec::new();
    let mut patients = Patients::new();
    let mut files = Vec::new();
    let patients_text = sources.patients.as_deref().map(|bytes| {
        let table = read_table(StudyFile::Patients, bytes, &mut problems);
        if let Some(column) = table.column(PATIENT_ID) {
            for row in &table.rows {
                let id = row[column].trim().to_string();
                let entry = (
                    key.pseudonym(&id),
                    key.date_shift_days(&id, settings.max_shift_days),
                );
                patients.insert(id, entry);
            }
        }
        rewrite(
            StudyFile::Patients,
            table,
            &patients,
            settings,
            &mut problems,
        )
    });
    files.extend(patients_text.map(|text| (StudyFile::Patients.file_name(), text)));
    for (file, bytes) in [
        (StudyFile::Observations, &sources.observations),
        (StudyFile::Treatments, &sources.treatments),
        (StudyFile::Events, &sources.events),
    ] {
        if let Some(bytes) = bytes {
            let table = read_table(file, bytes, &mut problems);
            let text = rewrite(file, table, &patients, settings, &mut problems);
            files.push((file.file_name(), text));
        }
    }
    if let Some(bytes) = &sources.study_toml {
        files.push((
            hlh_ingest::STUDY_TOML,
            String::from_utf8_lossy(bytes).into_owned(),
        ));
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    let mut reidentification: Vec<Reidentification> = patients
        .into_iter()
        .map(|(patient_id, (pseudonym, shift_days))| Reidentification {
            pseudonym,
            patient_id,
            shift_days,
        })
        .collect();
    reidentification.sort_by(|a, b| a.pseudonym.cmp(&b.pseudonym));
    Ok(Pseudonymized {
        files,
        reidentification,
    })
}

/// A CSV file as its header and rows of cells, each row with its line.
struct Table {
    file: StudyFile,
    header: Vec<String>,
    rows: Vec<Vec<String>>,
    lines: Vec<u64>,
}

impl Table {
    fn column(&self, name: &str) -> Option<usize> {
        self.header
            .iter()
            .position(|header| header.trim().eq_ignore_ascii_case(name))
    }
}

fn read_table(file: StudyFile, bytes: &[u8], problems: &mut Vec<String>) -> Table {
    let bytes = bytes.strip_prefix("\u{feff}".as_bytes()).unwrap_or(bytes);
    let mut reader = csv::ReaderBuilder::new().flexible(true).from_reader(bytes);
    let header = match reader.headers() {
        Ok(header) => header.iter().map(str::to_string).collect(),
        Err(_) => {
            problems.push(format!(
                "{}: the header cannot be read as CSV",
                file.file_name()
            ));
            Vec::new()
        }
    };
    let mut table = Table {
        file,
        header,
        rows: Vec::new(),
        lines: Vec::new(),
    };
    for record in reader.records() {
        match record {
            Ok(record) => {
                table.lines.push(record.position().map_or(0, |p| p.line()));
                table.rows.push(record.iter().map(str::to_string).collect());
            }
            Err(error) => problems.push(format!(
                "{}:{}: not CSV",
                file.file_name(),
                error.position().map_or(0, |p| p.line())
            )),
        }
    }
    table
}

/// A date or date-time (ISO 8601, as the study format writes them) moved by `days`; the clock time and
/// anything after the date are kept as written.
fn shifted(text: &str, days: i32) -> Option<String> {
    let text = text.trim();
    if text.is_empty() {
        return Some(String::new());
    }
    let date: jiff::civil::Date = text.get(..10)?.parse().ok()?;
    let moved = date.checked_add(jiff::Span::new().days(days)).ok()?;
    Some(format!("{moved}{}", &text[10..]))
}

fn rewrite(
    file: StudyFile,
    table: Table,
    patients: &Patients,
    settings: &Settings,
    problems: &mut Vec<String>,
) -> String {
    let name = file.file_name();
    let known: Vec<&str> = study_columns(file).iter().map(|spec| spec.name).collect();
    let free_text = |column: &str| {
        !settings.keep_free_text
            && FREE_TEXT_COLUMNS
                .iter()
                .any(|(f, c)| *f == file && c.eq_ignore_ascii_case(column.trim()))
    };
    // An event's detail is emptied row by row (the type of an adverse event or infection stays).
    let event_detail = (file == StudyFile::Events)
        .then(|| {
            table
                .column(EVENT_DETAIL)
                .filter(|&c| free_text(&table.header[c]))
        })
        .flatten();
    let event_kind = table.column(EVENT);
    let dropped = |column: &str| {
        !known
            .iter()
            .any(|known| known.eq_ignore_ascii_case(column.trim()))
            || (free_text(column) && file != StudyFile::Events)
    };
    let kept: Vec<usize> = (0..table.header.len())
        .filter(|&i| !dropped(&table.header[i]))
        .collect();
    let dates: Vec<usize> = DATE_COLUMNS
        .iter()
        .filter(|(f, _)| *f == table.file)
        .filter_map(|(_, column)| table.column(column))
        .collect();
    let id_column = table.column(PATIENT_ID);
    let birth_year = table.column(BIRTH_YEAR);
    let diagnosis = table.column(DIAGNOSIS_DATE);
    let mut rows: Vec<Vec<String>> = Vec::with_capacity(table.rows.len());
    for (mut row, line) in table.rows.into_iter().zip(&table.lines) {
        let Some(id_column) = id_column.filter(|&c| c < row.len()) else {
            problems.push(format!("{name}:{line}: no patient_id"));
            continue;
        };
        let Some((pseudonym, shift)) = patients.get(row[id_column].trim()) else {
            problems.push(format!("{name}:{line}: a patient not in patients.csv"));
            continue;
        };
        // The age is diagnosis year − birth year: the birth year moves with the diagnosis year.
        if let (Some(birth), Some(diagnosis)) = (birth_year, diagnosis) {
            let year = |text: &str| text.trim().get(..4).and_then(|y| y.parse::<i32>().ok());
            let moved = shifted(&row[diagnosis], *shift);
            if let (Ok(born), Some(before), Some(after)) = (
                row[birth].trim().parse::<i32>(),
                year(&row[diagnosis]),
                moved.as_deref().and_then(year),
            ) {
                row[birth] = (born + after - before).to_string();
            }
        }
        for &column in &dates {
            if column >= row.len() {
                continue;
            }
            match shifted(&row[column], *shift) {
                Some(moved) => row[column] = moved,
                None => problems.push(format!(
                    "{name}:{line}: column {}: not an ISO 8601 date",
                    table.header[column]
                )),
            }
        }
        if let (Some(detail), Some(kind)) = (event_detail, event_kind) {
            let typed = row
                .get(kind)
                .and_then(|kind| EventKind::from_name(kind.trim()))
                .is_some_and(|kind| TYPED_EVENTS.contains(&kind));
            if !typed && detail < row.len() {
                row[detail].clear();
            }
        }
        row[id_column] = pseudonym.clone();
        rows.push(row);
    }
    // The rows keep their order, so that every sum of the analysis is made in the same order and gives
    // the same number to the last digit.
    let mut writer = csv::WriterBuilder::new()
        .flexible(true)
        .from_writer(Vec::new());
    let header: Vec<&str> = kept.iter().map(|&i| table.header[i].as_str()).collect();
    let _ = writer.write_record(&header);
    for row in &rows {
        let cells: Vec<&str> = kept
            .iter()
            .map(|&i| row.get(i).map_or("", String::as_str))
            .collect();
        let _ = writer.write_record(&cells);
    }
    String::from_utf8_lossy(&writer.into_inner().unwrap_or_default()).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_date_moves_and_a_clock_time_stays() {
        assert_eq!(shifted("2020-02-28", 2).as_deref(), Some("2020-03-01"));
        assert_eq!(
            shifted("2021-01-01T07:30", -1).as_deref(),
            Some("2020-12-31T07:30")
        );
        assert_eq!(shifted(" ", 5).as_deref(), Some(""));
        assert_eq!(shifted("01/02/2020", 5), None);
    }

    #[test]
    fn every_named_column_is_a_column_of_the_study_format() {
        for (file, column) in DATE_COLUMNS.iter().chain(&FREE_TEXT_COLUMNS) {
            assert!(
                study_columns(*file).iter().any(|spec| spec.name == *column),
                "{column} of {file:?}"
            );
        }
    }

    #[test]
    fn a_small_study_is_rewritten_with_its_ages_and_intervals() {
        let key = Key::from_file_text(&"ab".repeat(32)).unwrap();
        let sources = StudySources {
            patients: Some(b"patient_id,sex,birth_year,diagnosis_date,trigger_detail,nickname\nA1,F,1960,2020-01-02,Mrs X's lymphoma,Bee\n".to_vec()),
            observations: Some(b"patient_id,time,analyte,value,unit\nA1,2020-01-02T08:00,crp,100,mg/L\nA1,2020-01-09,crp,10,mg/L\n".to_vec()),
            treatments: None,
            events: Some(b"patient_id,time,event,detail\nA1,2020-01-20,death,found by her son\nA1,2020-01-05,adverse_event,rash\n".to_vec()),
            study_toml: Some(b"title = \"t\"\n".to_vec()),
        };
        let settings = Settings {
            max_shift_days: 30,
            keep_free_text: false,
        };
        let out = pseudonymize(&sources, &key, &settings).unwrap();
        let [(pseudonym, shift)] = [(key.pseudonym("A1"), key.date_shift_days("A1", 30))];
        let text = |name: &str| {
            out.files
                .iter()
                .find(|(n, _)| *n == name)
                .unwrap()
                .1
                .clone()
        };
        let day = |iso: &str| shifted(iso, shift).unwrap();
        let born = 1960 + day("2020-01-02")[..4].parse::<i32>().unwrap() - 2020;
        assert_eq!(
            text("patients.csv"),
            format!(
                "patient_id,sex,birth_year,diagnosis_date\n{pseudonym},F,{born},{}\n",
                day("2020-01-02")
            )
        );
        assert_eq!(
            text("observations.csv"),
            format!(
                "patient_id,time,analyte,value,unit\n{pseudonym},{}T08:00,crp,100,mg/L\n{pseudonym},{},crp,10,mg/L\n",
                day("2020-01-02"),
                day("2020-01-09")
            )
        );
        assert_eq!(
            text("events.csv"),
            format!(
                "patient_id,time,event,detail\n{pseudonym},{},death,\n{pseudonym},{},adverse_event,rash\n",
                day("2020-01-20"),
                day("2020-01-05")
            )
        );
        assert_eq!(text("study.toml"), "title = \"t\"\n");
        assert_eq!(
            out.reidentification,
            vec![Reidentification {
                pseudonym: pseudonym.clone(),
                patient_id: "A1".into(),
                shift_days: shift
            }]
        );
        let kept = pseudonymize(
            &sources,
            &key,
            &Settings {
                keep_free_text: true,
                ..settings
            },
        )
        .unwrap();
        assert!(kept.files[0].1.contains("Mrs X's lymphoma"));
        assert!(
            !kept.files[0].1.contains("Bee"),
            "a column the study format does not have is never kept"
        );

        let stranger = StudySources {
            observations: Some(
                b"patient_id,time,analyte,value,unit\nZZ,2020-01-02,crp,1,mg/L\n".to_vec(),
            ),
            ..sources
        };
        let problems = pseudonymize(&stranger, &key, &settings).unwrap_err();
        assert_eq!(
            problems,
            vec!["observations.csv:2: a patient not in patients.csv"]
        );
    }
}
