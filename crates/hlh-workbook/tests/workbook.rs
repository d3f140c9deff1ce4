//! Workbooks as studies: the template, the rules of the study format on sheets and cells, and the
//! round trip of the demo study. Workbooks are written here with rust_xlsxwriter, as Excel would store
//! them (dates as serial numbers, formulas with their cached results, merged areas).

use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use hlh_ingest::{read_study_folder, Ingested, Severity};
use hlh_workbook::{read_workbook, read_workbook_files, study_workbook, template};
use rust_xlsxwriter::{ExcelDateTime, Format, Formula, Workbook};

const DEMO: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../hlh-cli/demo");

fn save(dir: &Path, name: &str, bytes: &[u8]) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, bytes).unwrap();
    path
}

fn rendered(ingested: &Ingested) -> Vec<String> {
    ingested
        .diagnostics
        .iter()
        .map(ToString::to_string)
        .collect()
}

const PATIENTS_HEADER: [&str; 4] = ["patient_id", "sex", "age_years", "diagnosis_date"];

/// A workbook with a patients sheet of two patients (P2's diagnosis date a real Excel date) and an
/// observations sheet whose rows the caller writes from row 2 on.
fn workbook_with(observations: impl FnOnce(&mut rust_xlsxwriter::Worksheet)) -> Vec<u8> {
    let mut workbook = Workbook::new();
    let dates = Format::new().set_num_format("yyyy-mm-dd");
    let patients = workbook.add_worksheet().set_name("Patients").unwrap();
    for (col, name) in PATIENTS_HEADER.iter().enumerate() {
        patients.write_string(0, col as u16, *name).unwrap();
    }
    patients.write_string(1, 0, "P1").unwrap();
    patients.write_string(1, 1, "M").unwrap();
    patients.write_number(1, 2, 45.0).unwrap();
    patients.write_string(1, 3, "2020-01-10").unwrap();
    patients.write_string(2, 0, "P2").unwrap();
    patients.write_string(2, 1, "F").unwrap();
    patients.write_number(2, 2, 30.0).unwrap();
    patients
        .write_datetime_with_format(2, 3, ExcelDateTime::from_ymd(2020, 2, 1).unwrap(), &dates)
        .unwrap();
    let sheet = workbook.add_worksheet().set_name("observations").unwrap();
    for (col, name) in ["patient_id", "time", "analyte", "value", "unit"]
        .iter()
        .enumerate()
    {
        sheet.write_string(0, col as u16, *name).unwrap();
    }
    observations(sheet);
    workbook.save_to_buffer().unwrap()
}

#[test]
fn the_demo_study_as_a_workbook_gives_the_same_analysis_and_converts_back_to_the_same_files() {
    let dir = tempfile::tempdir().unwrap();
    let folder = read_study_folder(Path::new(DEMO));
    let bytes = study_workbook(Path::new(DEMO)).unwrap();
    let path = save(dir.path(), "demo.xlsx", &bytes);
    let (ingested, files) = read_workbook_files(&path);
    assert!(!ingested.has_errors(), "{:?}", rendered(&ingested));
    assert_eq!(ingested.diagnostics.len(), folder.diagnostics.len());
    let protocol = hlh_outcomes::Protocol::default();
    let from_folder = hlh_outcomes::analyze(&folder.study, &protocol).unwrap();
    let from_workbook = hlh_outcomes::analyze(&ingested.study, &protocol).unwrap();
    assert_eq!(from_workbook.json_string(), from_folder.json_string());
    for (name, text) in files {
        let original = std::fs::read_to_string(Path::new(DEMO).join(name)).unwrap();
        assert_eq!(text, original, "{name} converts back as it was");
    }
}

#[test]
fn the_template_has_every_column_a_drop_down_for_each_vocabulary_and_its_example_warns() {
    let dir = tempfile::tempdir().unwrap();
    let bytes = template().unwrap();
    let path = save(dir.path(), "template.xlsx", &bytes);
    let ingested = read_workbook(&path);
    assert!(!ingested.has_errors(), "{:?}", rendered(&ingested));
    let warnings = rendered(&ingested);
    assert_eq!(warnings.len(), 1, "{warnings:?}");
    assert!(warnings[0].contains("patients!A2") && warnings[0].contains("example patient"));
    assert_eq!(ingested.study.patients.len(), 1);
    assert_eq!(ingested.study.observations.len(), 1);
    assert_eq!(ingested.study.treatments.len(), 1);
    assert_eq!(ingested.study.events.len(), 1);

    // The sheets' XML: frozen headers, list validations (the unit's following the row's analyte) and
    // one defined list of units per analyte.
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
    let mut xml = |name: &str| {
        let mut text = String::new();
        archive
            .by_name(name)
            .unwrap()
            .read_to_string(&mut text)
            .unwrap();
        text
    };
    let workbook = xml("xl/workbook.xml");
    for analyte in hlh_model::Analyte::ALL {
        assert!(
            workbook.contains(&format!("name=\"units_{}\"", analyte.name())),
            "{analyte:?}"
        );
    }
    // Sheet 2 is patients (after "how to fill"), 3 observations.
    let patients = xml("xl/worksheets/sheet2.xml");
    assert!(patients.contains("<pane ySplit=\"1\""));
    let lists = patients.matches("<dataValidation type=\"list\"").count();
    assert_eq!(lists, 2 + 6, "sex, triggers and the six findings");
    let observations = xml("xl/worksheets/sheet3.xml");
    assert!(
        observations.contains("INDIRECT(\"units_\"&amp;$C2)"),
        "{observations}"
    );
}

#[test]
fn cells_are_read_by_the_study_format_rules_and_problems_name_sheet_and_cell() {
    let dir = tempfile::tempdir().unwrap();
    let date_time = Format::new().set_num_format("yyyy-mm-dd hh:mm");
    let bytes = workbook_with(|sheet| {
        // Row 2: an Excel date-time, a number stored as text: fine.
        sheet.write_string(1, 0, "P1").unwrap();
        sheet
            .write_datetime_with_format(
                1,
                1,
                ExcelDateTime::from_ymd(2020, 1, 10)
                    .unwrap()
                    .and_hms(8, 30, 0)
                    .unwrap(),
                &date_time,
            )
            .unwrap();
        sheet.write_string(1, 2, "crp").unwrap();
        sheet.write_string(1, 3, "120.5").unwrap();
        sheet.write_string(1, 4, "mg/L").unwrap();
        // Row 3: a decimal comma; row 4: a date typed as text the wrong way round; row 5: an error
        // cell (a formula whose cached result is #N/A); row 6: a censored result.
        for (row, time, value) in [
            (2, "2020-01-11", "3,5"),
            (3, "25/01/2020", "7"),
            (5, "2020-01-12", "<5"),
        ] {
            sheet.write_string(row, 0, "P1").unwrap();
            sheet.write_string(row, 1, time).unwrap();
            sheet.write_string(row, 2, "crp").unwrap();
            sheet.write_string(row, 3, value).unwrap();
            sheet.write_string(row, 4, "mg/L").unwrap();
        }
        sheet.write_string(4, 0, "P1").unwrap();
        sheet.write_string(4, 1, "2020-01-13").unwrap();
        sheet.write_string(4, 2, "crp").unwrap();
        sheet
            .write_formula(4, 3, Formula::new("=NA()").set_result("#N/A"))
            .unwrap();
        sheet.write_string(4, 4, "mg/L").unwrap();
    });
    let path = save(dir.path(), "study.xlsx", &bytes);
    let ingested = read_workbook(&path);
    let errors: Vec<String> = ingested
        .diagnostics
        .iter()
        .filter(|d| d.severity == Severity::Error)
        .map(ToString::to_string)
        .collect();
    assert_eq!(errors.len(), 3, "{errors:#?}");
    assert!(
        errors[0].contains("study.xlsx observations!D3 (value) \"3,5\""),
        "{}",
        errors[0]
    );
    assert!(
        errors[1].contains("observations!B4 (time) \"25/01/2020\""),
        "{}",
        errors[1]
    );
    assert!(
        errors[1].contains("hint"),
        "the CSV rule's hint comes along: {}",
        errors[1]
    );
    assert!(
        errors[2].contains("observations!D5 (value) \"#N/A\": the cell holds an Excel error"),
        "{}",
        errors[2]
    );
    // The good rows were read: the date-time at its minute, the patient's Excel date as a date.
    let crp: Vec<String> = ingested
        .study
        .observations
        .iter()
        .map(|o| o.time.to_string())
        .collect();
    assert_eq!(crp, ["2020-01-10T08:30", "2020-01-12"]);
    assert_eq!(ingested.study.observations[1].value_as_written, "<5");
    assert_eq!(
        ingested.study.patients[1].diagnosis_date.to_string(),
        "2020-02-01"
    );
}

#[test]
fn merged_cells_carry_their_value_and_a_missing_sheet_is_named() {
    let dir = tempfile::tempdir().unwrap();
    let bytes = workbook_with(|sheet| {
        // P1's identifier merged down rows 2–4, as clinicians lay out a patient's results.
        sheet.merge_range(1, 0, 3, 0, "P1", &Format::new()).unwrap();
        for (row, day) in [(1, "2020-01-10"), (2, "2020-01-11"), (3, "2020-01-12")] {
            sheet.write_string(row, 1, day).unwrap();
            sheet.write_string(row, 2, "ferritin").unwrap();
            sheet.write_number(row, 3, 1000.0 * f64::from(row)).unwrap();
            sheet.write_string(row, 4, "ug/L").unwrap();
        }
    });
    let path = save(dir.path(), "merged.xlsx", &bytes);
    let ingested = read_workbook(&path);
    assert!(!ingested.has_errors(), "{:?}", rendered(&ingested));
    assert_eq!(ingested.study.observations.len(), 3);
    assert!(ingested.study.observations.iter().all(|o| o.patient.0 == 0));
    // No treatments or events sheet: warnings that name the sheet, as a folder names its files.
    let warnings = rendered(&ingested);
    assert!(
        warnings
            .iter()
            .any(|w| w.contains("merged.xlsx sheet treatments: sheet not found")),
        "{warnings:?}"
    );
}

#[test]
fn excel_dates_of_the_1904_system_are_read_as_the_same_days() {
    // rust_xlsxwriter writes the 1900 system; the workbook is switched to 1904 as a Mac Excel file
    // would be, with the serial number the same day has there (1462 days less).
    let dir = tempfile::tempdir().unwrap();
    let bytes = workbook_with(|sheet| {
        sheet.write_string(1, 0, "P1").unwrap();
        sheet
            .write_number_with_format(
                1,
                1,
                43840.0 - 1462.0,
                &Format::new().set_num_format("yyyy-mm-dd"),
            )
            .unwrap();
        sheet.write_string(1, 2, "crp").unwrap();
        sheet.write_number(1, 3, 12.0).unwrap();
        sheet.write_string(1, 4, "mg/L").unwrap();
    });
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
    let mut rewritten = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    for index in 0..archive.len() {
        let mut entry = archive.by_index(index).unwrap();
        let name = entry.name().to_string();
        let mut content = Vec::new();
        entry.read_to_end(&mut content).unwrap();
        if name == "xl/workbook.xml" {
            let text = String::from_utf8(content).unwrap();
            let text = text.replacen("<workbookPr", "<workbookPr date1904=\"1\"", 1);
            assert!(text.contains("date1904"), "{text}");
            content = text.into_bytes();
        }
        rewritten
            .start_file(name, zip::write::SimpleFileOptions::default())
            .unwrap();
        rewritten.write_all(&content).unwrap();
    }
    let bytes = rewritten.finish().unwrap().into_inner();
    let path = save(dir.path(), "mac.xlsx", &bytes);
    let ingested = read_workbook(&path);
    assert!(!ingested.has_errors(), "{:?}", rendered(&ingested));
    // 43840 is 2020-01-10 in the 1900 system.
    assert_eq!(
        ingested.study.observations[0].time.to_string(),
        "2020-01-10"
    );
}

#[test]
fn what_is_not_a_workbook_is_said_so_without_a_panic() {
    let dir = tempfile::tempdir().unwrap();
    let csv = save(dir.path(), "patients.xlsx", b"patient_id,sex\nP1,M\n");
    let truncated = save(dir.path(), "cut.xlsx", &template().unwrap()[..2000]);
    for path in [csv, truncated, dir.path().join("absent.xlsx")] {
        let ingested = read_workbook(&path);
        assert!(ingested.has_errors());
        let first = ingested.diagnostics[0].to_string();
        assert!(first.contains("cannot be read"), "{first}");
    }
}
