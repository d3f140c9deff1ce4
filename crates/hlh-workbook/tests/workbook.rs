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

/// The demo's Day-0 and Day-7 CRP and ferritin, one row per patient as clinicians keep them, with the
/// date of each value beside it (the Day-0 value may be from Day −1).
fn wide_demo(dir: &Path) -> (PathBuf, hlh_outcomes::Analysis) {
    let folder = read_study_folder(Path::new(DEMO));
    let analysis =
        hlh_outcomes::analyze(&folder.study, &hlh_outcomes::Protocol::default()).unwrap();
    let mut workbook = Workbook::new();
    let sheet = workbook.add_worksheet().set_name("Sheet1").unwrap();
    let headers = [
        "ID",
        "Sexe",
        "Age",
        "Date diagnostic",
        "Date anakinra",
        "CRP J0",
        "CRP J0 date",
        "CRP J7",
        "CRP J7 date",
        "Ferritine J0",
        "Ferritine J0 date",
        "Ferritine J7",
        "Ferritine J7 date",
    ];
    for (col, name) in headers.iter().enumerate() {
        sheet.write_string(0, col as u16, *name).unwrap();
    }
    for (index, p) in analysis.patients.iter().enumerate() {
        let row = index as u32 + 1;
        sheet.write_string(row, 0, &p.patient_id).unwrap();
        sheet.write_string(row, 1, p.record.sex.name()).unwrap();
        sheet.write_number(row, 2, p.record.age_years).unwrap();
        sheet
            .write_string(row, 3, p.record.diagnosis_date.to_string())
            .unwrap();
        sheet.write_string(row, 4, p.day0.to_string()).unwrap();
        let mut col = 5;
        for analyte in [hlh_model::Analyte::Crp, hlh_model::Analyte::Ferritin] {
            let pair = p.labs.get(&analyte).copied().unwrap_or_default();
            for value in [pair.day0, pair.day7] {
                if let Some(value) = value {
                    sheet.write_number(row, col, value.value).unwrap();
                    let date = p
                        .day0
                        .checked_add(jiff::Span::new().days(value.day))
                        .unwrap();
                    sheet.write_string(row, col + 1, date.to_string()).unwrap();
                }
                col += 2;
            }
        }
    }
    let path = save(dir, "wide.xlsx", &workbook.save_to_buffer().unwrap());
    (path, analysis)
}

const WIDE_MAPPING: &str = r#"
patient_id = "ID"
day0 = "Date anakinra"

[patients]
sex = "Sexe"
age_years = "Age"
diagnosis_date = "Date diagnostic"

[[observations]]
column = "CRP J0"
analyte = "crp"
unit = "mg/L"
date_column = "CRP J0 date"

[[observations]]
column = "CRP J7"
analyte = "crp"
unit = "mg/L"
date_column = "CRP J7 date"

[[observations]]
column = "Ferritine J0"
analyte = "ferritin"
unit = "ug/L"
date_column = "Ferritine J0 date"

[[observations]]
column = "Ferritine J7"
analyte = "ferritin"
unit = "ug/L"
date_column = "Ferritine J7 date"
"#;

#[test]
fn a_wide_workbook_of_the_demo_gives_the_same_day0_day7_comparisons() {
    let dir = tempfile::tempdir().unwrap();
    let (path, folder_analysis) = wide_demo(dir.path());
    let mapping = save(dir.path(), "mapping.toml", WIDE_MAPPING.as_bytes());
    let ingested = hlh_workbook::read_wide_workbook(&path, &mapping);
    assert!(!ingested.has_errors(), "{:?}", rendered(&ingested));
    assert_eq!(ingested.study.patients.len(), 21);
    let wide = hlh_outcomes::analyze(&ingested.study, &hlh_outcomes::Protocol::default()).unwrap();
    let labs = |analysis: &hlh_outcomes::Analysis| {
        let json = analysis.cohort_json();
        (
            json["outcomes"]["labs"]["crp"].clone(),
            json["outcomes"]["labs"]["ferritin"].clone(),
        )
    };
    assert_eq!(labs(&wide), labs(&folder_analysis));
    assert_eq!(
        wide.cohort
            .outcomes
            .labs
            .get(&hlh_model::Analyte::Crp)
            .unwrap()
            .n_pairs
            .count(),
        20
    );
    // Each value keeps its cell: in the analysis, and in the case cards (row 2 is the first patient, F
    // its Day-0 CRP, E its Day 0).
    let origins = &wide.cohort_json()["study"]["origins"];
    assert!(
        origins.as_array().unwrap().contains(
            &serde_json::json!({"file": "observations.csv", "line": 2, "origin": "Sheet1!F2"})
        ),
        "{origins}"
    );
    let report = hlh_report::html(&wide, &hlh_report::ReportOptions::default());
    let first_card = &report[report.find("id=\"case-1\"").unwrap()..];
    let first_card = &first_card[..first_card.find("id=\"case-2\"").unwrap()];
    assert!(first_card.contains("Sheet1!A2."), "the patient's row");
    assert!(first_card.contains("Sheet1!F2"), "the Day-0 CRP's cell");
    assert!(
        first_card.contains("Treatments: Sheet1!E2."),
        "Day 0's cell"
    );
    assert!(
        !first_card.contains("observations.csv"),
        "no line of a file that does not exist"
    );
    // So do the lists of patients behind the numbers of the tables.
    let sources = &report[report.find("id=\"sources\"").unwrap()..];
    assert!(
        sources.contains("Sheet1!F2"),
        "the Day-0 CRP behind Table 1"
    );
    for file in ["observations.csv", "treatments.csv", "events.csv"] {
        assert!(!sources.contains(file), "{file} named in the sources");
    }
    // A study folder's own lines stay its provenance, and its analysis has no origins.
    assert!(folder_analysis.cohort_json()["study"]
        .get("origins")
        .is_none());
}

#[test]
fn a_wide_mapping_names_its_mistakes_and_a_bad_cell_is_placed_on_the_sheet() {
    let dir = tempfile::tempdir().unwrap();
    let (path, _) = wide_demo(dir.path());
    // No unit for one column, a header that is not in row 1, an analyte that does not exist.
    let broken = WIDE_MAPPING
        .replacen("unit = \"mg/L\"\n", "", 1)
        .replace("\"Ferritine J7\"", "\"Ferritin J7\"")
        .replacen("analyte = \"ferritin\"", "analyte = \"ferritine\"", 1);
    let mapping = save(dir.path(), "broken.toml", broken.as_bytes());
    let problems = rendered(&hlh_workbook::read_wide_workbook(&path, &mapping));
    assert_eq!(
        problems.len(),
        2,
        "the mapping's own problems first: {problems:#?}"
    );
    assert!(
        problems[0].contains("observations[0]") && problems[0].contains("never guessed"),
        "{}",
        problems[0]
    );
    assert!(
        problems[1].contains("\"ferritine\" of column \"Ferritine J0\" is not an analyte"),
        "{}",
        problems[1]
    );
    let headers_only = WIDE_MAPPING.replace("\"Ferritine J7\"", "\"Ferritin J7\"");
    let mapping = save(dir.path(), "headers.toml", headers_only.as_bytes());
    let problems = rendered(&hlh_workbook::read_wide_workbook(&path, &mapping));
    assert_eq!(problems.len(), 1, "{problems:#?}");
    assert!(
        problems[0].contains("\"Ferritin J7\"") && problems[0].contains("Ferritine J7 date"),
        "{}",
        problems[0]
    );

    // A value the study format refuses is named by its cell and both names of its column.
    let mut workbook = Workbook::new();
    let sheet = workbook.add_worksheet().set_name("Sheet1").unwrap();
    for (col, name) in [
        "ID",
        "Sexe",
        "Age",
        "Date diagnostic",
        "Date anakinra",
        "CRP J0",
        "CRP J7",
    ]
    .iter()
    .enumerate()
    {
        sheet.write_string(0, col as u16, *name).unwrap();
    }
    for (col, value) in ["P1", "M", "45", "2020-01-10", "2020-01-10", "3,5", "12"]
        .iter()
        .enumerate()
    {
        sheet.write_string(1, col as u16, *value).unwrap();
    }
    let path = save(dir.path(), "one.xlsx", &workbook.save_to_buffer().unwrap());
    let mapping = r#"
patient_id = "ID"
day0 = "Date anakinra"
[patients]
sex = "Sexe"
age_years = "Age"
diagnosis_date = "Date diagnostic"
[[observations]]
column = "CRP J0"
analyte = "crp"
unit = "mg/L"
day = 0
[[observations]]
column = "CRP J7"
analyte = "crp"
unit = "mg%"
day = 7
"#;
    let mapping = save(dir.path(), "one.toml", mapping.as_bytes());
    let problems = rendered(&hlh_workbook::read_wide_workbook(&path, &mapping));
    assert!(
        problems
            .iter()
            .any(|p| p.contains("one.xlsx Sheet1!F2 (CRP J0 (value)) \"3,5\"")),
        "{problems:#?}"
    );
    assert!(
        problems
            .iter()
            .any(|p| p.contains("one.toml (unit (from the mapping)) \"mg%\"")),
        "{problems:#?}"
    );
}

#[test]
fn a_draft_mapping_recognises_the_headers_it_can_and_leaves_every_unit_to_the_user() {
    let dir = tempfile::tempdir().unwrap();
    let (path, _) = wide_demo(dir.path());
    let draft = hlh_workbook::draft_mapping(&path).unwrap();
    for line in [
        "patient_id = \"ID\"",
        "day0 = \"Date anakinra\"",
        "sex = \"Sexe\"",
        "age_years = \"Age\"",
        "diagnosis_date = \"Date diagnostic\"",
        "column = \"Ferritine J7\"\nanalyte = \"ferritin\"\nunit = \"\"",
        "day = 7",
        "#   \"CRP J0 date\"",
    ] {
        assert!(draft.contains(line), "{line:?} in\n{draft}");
    }
    // As drafted it does not read: the units are the user's to give.
    let mapping = save(dir.path(), "draft.toml", draft.as_bytes());
    let problems = rendered(&hlh_workbook::read_wide_workbook(&path, &mapping));
    assert_eq!(problems.len(), 4, "{problems:#?}");
    assert!(problems.iter().all(|p| p.contains("never guessed")));
    // Given them, it does.
    let completed = draft
        .replace(
            "analyte = \"crp\"\nunit = \"\"",
            "analyte = \"crp\"\nunit = \"mg/L\"",
        )
        .replace(
            "analyte = \"ferritin\"\nunit = \"\"",
            "analyte = \"ferritin\"\nunit = \"ug/L\"",
        );
    let mapping = save(dir.path(), "completed.toml", completed.as_bytes());
    let ingested = hlh_workbook::read_wide_workbook(&path, &mapping);
    assert!(!ingested.has_errors(), "{:?}", rendered(&ingested));
    assert_eq!(ingested.study.patients.len(), 21);
}
