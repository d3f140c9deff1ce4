//! The studies of several centres merged into one study folder. Each patient's centre is its `centre`
//! cell, or else the one centre its study.toml names; an identifier used by more than one centre becomes
//! `ID@CENTRE` in each; one centre sending a patient twice is an error naming both places. Patients are
//! listed by pooled identifier, each patient's rows in their original order, so that the pooled study does
//! not depend on the order the studies were given in; each row's origin (centre, study, file, line) is
//! kept in the pooled study's origins.

use std::collections::{BTreeMap, HashMap};

use hlh_ingest::{study_columns, StudySources};
use hlh_model::{Origins, SourceRow, StudyFile};

/// One centre's study, as read.
#[derive(Debug, Clone, Copy)]
pub struct CentreStudy<'a> {
    /// How messages and origins name it (its folder, as given).
    pub name: &'a str,
    pub sources: &'a StudySources,
}

/// The pooled study: its files, the origin of each row, and what the studies disagree on.
#[derive(Debug)]
pub struct Pooled {
    pub files: Vec<(&'static str, String)>,
    pub origins: Origins,
    pub warnings: Vec<String>,
    /// Patients by centre, in the order the centres first appear.
    pub centres: Vec<(String, usize)>,
}

const PATIENT_ID: &str = "patient_id";
const CENTRE: &str = "centre";

/// A study file as its header and rows, each with its line.
struct Rows {
    header: Vec<String>,
    rows: Vec<(u64, Vec<String>)>,
}

impl Rows {
    fn read(study: &str, file: &str, bytes: &[u8], problems: &mut Vec<String>) -> Rows {
        let bytes = bytes.strip_prefix("\u{feff}".as_bytes()).unwrap_or(bytes);
        let mut reader = csv::ReaderBuilder::new().flexible(true).from_reader(bytes);
        let header = reader
            .headers()
            .map(|h| h.iter().map(|c| c.trim().to_ascii_lowercase()).collect())
            .unwrap_or_default();
        let mut rows = Vec::new();
        for record in reader.records() {
            match record {
                Ok(record) => rows.push((
                    record.position().map_or(0, |p| p.line()),
                    record.iter().map(str::to_string).collect(),
                )),
                Err(error) => problems.push(format!(
                    "{study}/{file}:{}: not CSV",
                    error.position().map_or(0, |p| p.line())
                )),
            }
        }
        Rows { header, rows }
    }

    fn cell<'r>(&self, row: &'r [String], column: &str) -> Option<&'r str> {
        let position = self.header.iter().position(|name| name == column)?;
        row.get(position).map(|cell| cell.trim())
    }
}

/// A row of the pooled file: where its patient sorts, where it came from, its cells.
struct PooledRow<'c> {
    rank: usize,
    study: usize,
    line: u64,
    /// Its position in its study's file, which it keeps among its patient's rows.
    sequence: usize,
    centre: &'c str,
    cells: Vec<String>,
}

/// A patient of one study: its place, its centre, its identifier.
struct Patient {
    study: usize,
    line: u64,
    centre: String,
    id: String,
}

fn study_toml(study: &CentreStudy, problems: &mut Vec<String>) -> toml::Table {
    let Some(bytes) = &study.sources.study_toml else {
        return toml::Table::new();
    };
    match String::from_utf8_lossy(bytes).parse::<toml::Table>() {
        Ok(table) => table,
        Err(_) => {
            problems.push(format!("{}/study.toml: not valid TOML", study.name));
            toml::Table::new()
        }
    }
}

/// Pools the studies of several centres (each one already valid on its own).
///
/// # Errors
///
/// A patient with no centre, a patient sent twice by one centre, or studies whose `[assays]` disagree:
/// every problem, each naming the study, file and line.
pub fn pool(studies: &[CentreStudy]) -> Result<Pooled, Vec<String>> {
    let mut problems = Vec::new();
    let mut warnings = Vec::new();
    let settings: Vec<toml::Table> = studies
        .iter()
        .map(|s| study_toml(s, &mut problems))
        .collect();

    // Each patient's centre, and the identifiers each centre uses.
    let mut patients: Vec<Patient> = Vec::new();
    let mut tables: Vec<BTreeMap<StudyFile, Rows>> = Vec::new();
    for (index, study) in studies.iter().enumerate() {
        let mut files = BTreeMap::new();
        for (file, bytes) in [
            (StudyFile::Patients, &study.sources.patients),
            (StudyFile::Observations, &study.sources.observations),
            (StudyFile::Treatments, &study.sources.treatments),
            (StudyFile::Events, &study.sources.events),
        ] {
            if let Some(bytes) = bytes {
                files.insert(
                    file,
                    Rows::read(study.name, file.file_name(), bytes, &mut problems),
                );
            }
        }
        let named_centres: Vec<&str> = settings[index]
            .get("centres")
            .and_then(toml::Value::as_array)
            .map(|list| list.iter().filter_map(toml::Value::as_str).collect())
            .unwrap_or_default();
        if let Some(table) = files.get(&StudyFile::Patients) {
            for (line, row) in &table.rows {
                let id = table.cell(row, PATIENT_ID).unwrap_or_default().to_string();
                let centre = match (
                    table.cell(row, CENTRE).filter(|c| !c.is_empty()),
                    named_centres.as_slice(),
                ) {
                    (Some(centre), _) => centre.to_string(),
                    (None, [only]) => only.trim().to_string(),
                    (None, _) => {
                        problems.push(format!(
                            "{}/patients.csv:{line}: the patient has no centre: fill its centre column, or name the \
                             study's one centre in its study.toml (centres = [\"…\"])",
                            study.name
                        ));
                        continue;
                    }
                };
                patients.push(Patient {
                    study: index,
                    line: *line,
                    centre,
                    id,
                });
            }
        }
        tables.push(files);
    }
    let mut places: HashMap<(&str, &str), &Patient> = HashMap::new();
    let mut centres_of_id: HashMap<&str, Vec<&str>> = HashMap::new();
    for patient in &patients {
        if let Some(earlier) = places.insert((&patient.centre, &patient.id), patient) {
            problems.push(format!(
                "centre {:?} sends one patient twice: {}/patients.csv:{} and {}/patients.csv:{}",
                patient.centre,
                studies[earlier.study].name,
                earlier.line,
                studies[patient.study].name,
                patient.line
            ));
        }
        let centres = centres_of_id.entry(&patient.id).or_default();
        if !centres.contains(&patient.centre.as_str()) {
            centres.push(&patient.centre);
        }
    }
    let pooled_id = |patient: &Patient| {
        if centres_of_id[patient.id.as_str()].len() > 1 {
            format!("{}@{}", patient.id, patient.centre)
        } else {
            patient.id.clone()
        }
    };
    // By (study, identifier): the pooled identifier and centre.
    let mut by_study: HashMap<(usize, &str), (String, &str)> = HashMap::new();
    for patient in &patients {
        by_study.insert(
            (patient.study, &patient.id),
            (pooled_id(patient), &patient.centre),
        );
    }
    let mut order: Vec<String> = by_study.values().map(|(id, _)| id.clone()).collect();
    order.sort();
    order.dedup();
    let rank: HashMap<&str, usize> = order
        .iter()
        .enumerate()
        .map(|(i, id)| (id.as_str(), i))
        .collect();

    let mut files = Vec::new();
    let mut origins = Origins::default();
    for file in StudyFile::ALL {
        let present: Vec<usize> = (0..studies.len())
            .filter(|&s| tables[s].contains_key(&file))
            .collect();
        if present.is_empty() {
            continue;
        }
        // The study format's columns that any study has, in the format's order.
        let columns: Vec<&str> = study_columns(file)
            .iter()
            .map(|spec| spec.name)
            .filter(|name| {
                *name == CENTRE && file == StudyFile::Patients
                    || present
                        .iter()
                        .any(|&s| tables[s][&file].header.iter().any(|h| h == name))
            })
            .collect();
        let mut rows: Vec<PooledRow> = Vec::new();
        for &study in &present {
            let table = &tables[study][&file];
            for (sequence, (line, row)) in table.rows.iter().enumerate() {
                let id = table.cell(row, PATIENT_ID).unwrap_or_default();
                let Some((pooled, centre)) = by_study.get(&(study, id)) else {
                    continue;
                };
                let cells = columns
                    .iter()
                    .map(|column| match *column {
                        PATIENT_ID => pooled.clone(),
                        CENTRE if file == StudyFile::Patients => centre.to_string(),
                        other => table.cell(row, other).unwrap_or_default().to_string(),
                    })
                    .collect();
                rows.push(PooledRow {
                    rank: rank[pooled.as_str()],
                    study,
                    line: *line,
                    sequence,
                    centre,
                    cells,
                });
            }
        }
        rows.sort_by_key(|row| (row.rank, row.study, row.sequence));
        let mut writer = csv::Writer::from_writer(Vec::new());
        let _ = writer.write_record(&columns);
        let mut line = 2;
        for row in &rows {
            let _ = writer.write_record(&row.cells);
            origins.insert(
                SourceRow { file, line },
                format!(
                    "{}: {}/{}:{}",
                    row.centre,
                    studies[row.study].name,
                    file.file_name(),
                    row.line
                ),
            );
            // A quoted cell may hold line breaks: the next row starts after them.
            line += 1 + row
                .cells
                .iter()
                .map(|c| c.matches('\n').count() as u64)
                .sum::<u64>();
        }
        files.push((
            file.file_name(),
            String::from_utf8_lossy(&writer.into_inner().unwrap_or_default()).into_owned(),
        ));
    }

    // study.toml: the centres; the title, protocol and assays when the studies agree.
    let mut pooled_toml = toml::Table::new();
    let titles: Vec<&str> = settings
        .iter()
        .filter_map(|s| s.get("title")?.as_str())
        .collect();
    let mut distinct_titles = titles.clone();
    distinct_titles.dedup();
    match distinct_titles.as_slice() {
        [] => {}
        [one] => {
            pooled_toml.insert("title".into(), toml::Value::String((*one).to_string()));
        }
        several => {
            warnings.push(format!(
                "the studies have different titles: {}",
                several.join(" | ")
            ));
            pooled_toml.insert(
                "title".into(),
                toml::Value::String(format!("Pooled study: {}", several.join("; "))),
            );
        }
    }
    let mut centres: Vec<(String, usize)> = Vec::new();
    for patient in &patients {
        match centres.iter_mut().find(|(name, _)| *name == patient.centre) {
            Some((_, count)) => *count += 1,
            None => centres.push((patient.centre.clone(), 1)),
        }
    }
    pooled_toml.insert(
        "centres".into(),
        toml::Value::Array(
            centres
                .iter()
                .map(|(name, _)| toml::Value::String(name.clone()))
                .collect(),
        ),
    );
    for (section, disagreement_is_an_error) in [("assays", true), ("protocol", false)] {
        let tables: Vec<Option<&toml::Value>> = settings.iter().map(|s| s.get(section)).collect();
        if tables.windows(2).all(|pair| pair[0] == pair[1]) {
            if let Some(Some(table)) = tables.first() {
                pooled_toml.insert(section.into(), (*table).clone());
            }
        } else if disagreement_is_an_error {
            problems.push(
                "the studies' [assays] differ, so their sCD25 values are in different units; convert them to U/mL \
                 first or give every study the same factor"
                    .into(),
            );
        } else {
            let named: Vec<String> = studies
                .iter()
                .zip(&tables)
                .map(|(study, table)| {
                    format!(
                        "{} ({})",
                        study.name,
                        table.map_or("defaults".into(), |t| t.to_string().replace('\n', " "))
                    )
                })
                .collect();
            warnings.push(format!(
                "the studies' [protocol] tables differ, so the pooled study has none (the defaults, or --protocol \
                 FILE when it is analysed): {}",
                named.join("; ")
            ));
        }
    }
    files.push((
        hlh_ingest::STUDY_TOML,
        toml::to_string(&pooled_toml).unwrap_or_default(),
    ));
    if !problems.is_empty() {
        return Err(problems);
    }
    Ok(Pooled {
        files,
        origins,
        warnings,
        centres,
    })
}
