//! REDCap projects nobody here designed (crates/hlh-redcap/tests/fixtures/PROVENANCE.md): each is refused without a
//! mapping, since none was made from the template, and read through one where its fields allow, or
//! refused with the message that says why. The mappings stand clinical columns on whatever fields a
//! project has (an enrolment date for Day 0), for the sake of reading.

use std::path::Path;

use hlh_ingest::Ingested;
use hlh_model::{Sex, SourceRow, StudyFile};
use hlh_redcap::{import, Export};

fn fixture(project: &str, name: &str) -> String {
    std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures")
            .join(project)
            .join(name),
    )
    .unwrap()
}

/// The projects, each with its dictionary and records.
const PROJECTS: [(&str, &str, &str); 16] = [
    ("redcapr-checkboxes-1", "dictionary.csv", "data.csv"),
    ("redcapr-dag", "dictionary.csv", "data.csv"),
    ("redcapr-decimal-comma-and-dot", "metadata.csv", "data.csv"),
    ("redcapr-longitudinal", "dictionary.csv", "data.csv"),
    (
        "redcapr-repeating-instruments",
        "dictionary.csv",
        "data.csv",
    ),
    (
        "redcapr-repeating-instruments-sparse",
        "dictionary.csv",
        "data.csv",
    ),
    ("redcapr-validation-types-1", "dictionary.csv", "data.csv"),
    ("redcapr-vignette-repeating", "dictionary.csv", "data.csv"),
    (
        "phpcap-longitudinal",
        "longitudinal-metadata.csv",
        "longitudinal-data-import.csv",
    ),
    ("redcapapi-extdata", "metadata.csv", "data.csv"),
    (
        "redcapapi-offline",
        "TestRedcapAPI_DataDictionary.csv",
        "TestRedcapAPI_Records.csv",
    ),
    (
        "redcapdm-example1",
        "Example1_DataDictionary.csv",
        "Example1_DATA.csv",
    ),
    (
        "redcaprits-mtcars",
        "ExampleProject_DataDictionary_2018-06-07.csv",
        "ExampleProject_DATA_2018-06-07_1129.csv",
    ),
    (
        "redcaprits-warrior",
        "WARRIORtestForSoftwareUpgrades_DataDictionary_2018-06-21.csv",
        "WARRIORtestForSoftwa_DATA_2018-06-21_1431.csv",
    ),
    ("rtd-archer", "data-dictionary.csv", "exported-csv.csv"),
    (
        "rtd-case07-sitka",
        "test-case-07-meta-data-api.csv",
        "test-case-07-records.csv",
    ),
];

fn read(project: &str, mapping: Option<&str>) -> (Ingested, Vec<(&'static str, String)>) {
    let (_, dictionary_name, records_name) = PROJECTS.iter().find(|p| p.0 == project).unwrap();
    read_files(project, dictionary_name, records_name, mapping)
}

fn read_files(
    project: &str,
    dictionary_name: &str,
    records_name: &str,
    mapping: Option<&str>,
) -> (Ingested, Vec<(&'static str, String)>) {
    let (dictionary, records) = (
        fixture(project, dictionary_name),
        fixture(project, records_name),
    );
    import(&Export {
        dictionary_name,
        dictionary: &dictionary,
        records_name,
        records: &records,
        missing_codes: &[],
        mapping: mapping.map(|text| ("mapping.toml", text)),
    })
}

fn errors(ingested: &Ingested) -> Vec<String> {
    ingested
        .diagnostics
        .iter()
        .filter(|d| d.is_error())
        .map(ToString::to_string)
        .collect()
}

#[test]
fn no_project_of_another_design_is_read_without_a_mapping() {
    for (project, dictionary, _) in PROJECTS {
        let (ingested, files) = read(project, None);
        let errors = errors(&ingested);
        assert_eq!(errors.len(), 1, "{project}: {errors:?}");
        assert!(
            errors[0].starts_with(&format!(
                "error: {dictionary}: the project was not made from hlh's template"
            )),
            "{project}: {}",
            errors[0]
        );
        assert!(files.is_empty(), "{project}: nothing to write");
    }
    // A dictionary whose cells hold what REDCapR calls potentially problematic (a byte-order mark,
    // line breaks, quotes) still reads as a dictionary.
    let (ingested, _) = read_files(
        "redcapr-potentially-problematic-dictionary",
        "dictionary.csv",
        "dictionary.csv",
        None,
    );
    assert!(
        errors(&ingested)[0].contains("the project was not made from hlh's template"),
        "{:?}",
        errors(&ingested)
    );
}

const ENROLLED_DAY0: &str = r#"
patient_id = "study_id"
day0 = "date_enrolled"
[patients]
sex = { column = "sex", values = { "0" = "F", "1" = "M" } }
age_years = "age"
diagnosis_date = "date_enrolled"
[[observations]]
column = "creat_b"
analyte = "creatinine"
unit = "mg/dL"
day = 0
event = "enrollment_arm_1"
"#;

/// Two arms, each record's enrolment on its arm's first event: a result column restricted to an event
/// is read from that event's rows only, and each problem names record, event and field.
#[test]
fn a_longitudinal_project_reads_each_result_from_its_event() {
    let (ingested, files) = read("redcapr-longitudinal", Some(ENROLLED_DAY0));
    assert_eq!(
        errors(&ingested),
        ["error: data.csv:2:58 (record 100, event enrollment_arm_1, field creat_b) \"355\": creatinine value (31389.1 umol/L after conversion) is physiologically impossible; expected a creatinine value from 0 to 3000 umol/L"]
    );
    assert!(ingested.has_errors(), "so hlh redcap import writes nothing");
    assert_eq!(
        files.len(),
        3,
        "the tables are made; the import writes none of them"
    );
    // Record 304 is in arm 2: its enrolment creatinine (32, in enrollment_arm_2) is not the mapped
    // event's.
    // Read as µmol/L, the same cells are plausible.
    let mapping = ENROLLED_DAY0.replace("mg/dL", "umol/L");
    let (ingested, _) = read("redcapr-longitudinal", Some(&mapping));
    assert!(errors(&ingested).is_empty(), "{:?}", errors(&ingested));
    let study = &ingested.study;
    let ids: Vec<&str> = study.patients.iter().map(|p| p.id.as_str()).collect();
    assert_eq!(
        ids,
        ["100", "220", "304"],
        "a record's six events are one patient"
    );
    let sexes: Vec<Sex> = study.patients.iter().map(|p| p.sex).collect();
    assert_eq!(sexes, [Sex::Male, Sex::Female, Sex::Female]);
    let read: Vec<(&str, &str)> = study
        .observations
        .iter()
        .map(|o| {
            (
                study.patient(o.patient).id.as_str(),
                o.value_as_written.as_str(),
            )
        })
        .collect();
    assert_eq!(read, [("100", "355"), ("220", "32.4")]);
    assert_eq!(
        study.origins.get(study.observations[0].source),
        Some("data.csv line 2 (record 100, event enrollment_arm_1, field creat_b)")
    );
}

/// A classic project with a repeating instrument: the record's base row is the patient, its repeats
/// add nothing the mapping names.
#[test]
fn repeating_instruments_leave_one_patient_per_record() {
    let mapping = r#"
patient_id = "record_id"
day0 = "date_enrolled"
[patients]
sex = { column = "sex", values = { "0" = "F", "1" = "M" } }
age_years = "age"
diagnosis_date = "date_enrolled"
"#;
    let (ingested, files) = read("redcapr-repeating-instruments", Some(mapping));
    assert!(errors(&ingested).is_empty(), "{:?}", errors(&ingested));
    let study = &ingested.study;
    assert_eq!(study.patients.len(), 2);
    assert_eq!(study.patients[0].sex, Sex::Female);
    assert_eq!(study.patients[0].age_years, 8.9);
    assert_eq!(files.len(), 3);
    assert_eq!(
        study.origins.get(SourceRow {
            file: StudyFile::Patients,
            line: 2
        }),
        Some("data.csv line 2 (record 1, field record_id)")
    );
    // The sparse variant's records 3 to 5 have no demographics: each gap is named, never filled.
    let (ingested, _) = read("redcapr-repeating-instruments-sparse", Some(mapping));
    let errors = errors(&ingested);
    assert_eq!(errors.len(), 8, "{errors:?}");
    assert_eq!(
        errors[0],
        "error: data.csv:8:10 (record 3, field sex) \"\": required value is missing; expected M, F or U"
    );
    assert_eq!(
        errors[1],
        "error: data.csv:8: record 3: age_years or birth_year is required"
    );
}

/// Comma-decimal fields (`36,5`), a repeating instrument and events: read, each value from its field.
#[test]
fn comma_decimal_fields_are_read_as_their_numbers() {
    let mapping = r#"
patient_id = "record_id"
day0 = "date_ymd_test"
[patients]
sex = { value = "U" }
age_years = { value = "50" }
diagnosis_date = "date_ymd_test"
[[observations]]
column = "number_1dp_comma_test"
analyte = "crp"
unit = "mg/L"
day = 0
"#;
    let (ingested, _) = read("redcapapi-offline", Some(mapping));
    assert!(errors(&ingested).is_empty(), "{:?}", errors(&ingested));
    let study = &ingested.study;
    assert_eq!(study.patients.len(), 20);
    let first = &study.observations[0];
    assert_eq!(study.patient(first.patient).id, "2");
    assert_eq!(first.quantity.value(), 36.5);
    assert_eq!(
        study.origins.get(first.source),
        Some("TestRedcapAPI_Records.csv line 4 (record 2, event event_1_arm_1, field number_1dp_comma_test)")
    );
}

/// Events, repeating instruments, survey columns and a data access group, whose unique name is the
/// centre.
#[test]
fn the_data_access_group_becomes_the_centre() {
    let mapping = r#"
patient_id = "record_id"
day0 = "demo_date"
[patients]
sex = { value = "U" }
age_years = { value = "50" }
diagnosis_date = "demo_date"
"#;
    let (ingested, _) = read("redcaprits-warrior", Some(mapping));
    assert!(errors(&ingested).is_empty(), "{:?}", errors(&ingested));
    let centres: Vec<Option<&str>> = ingested
        .study
        .patients
        .iter()
        .map(|p| p.centre.as_deref())
        .collect();
    assert_eq!(centres, [Some("uf_test"), Some("uf_test")]);
}

/// The old 17-column dictionary (before Field Annotation) and line breaks inside quoted values.
#[test]
fn an_old_dictionary_and_multi_line_values_read() {
    let mapping = r#"
patient_id = "record_id"
day0 = "dob"
[patients]
sex = { column = "sex", values = { "0" = "F", "1" = "M" } }
age_years = "age"
diagnosis_date = "dob"
"#;
    let (ingested, _) = read("rtd-archer", Some(mapping));
    assert!(errors(&ingested).is_empty(), "{:?}", errors(&ingested));
    assert_eq!(ingested.study.patients.len(), 5);
    // Record 1's address spans two lines: record 2 starts on line 4.
    assert_eq!(
        ingested.study.origins.get(SourceRow {
            file: StudyFile::Patients,
            line: 3
        }),
        Some("exported-csv.csv line 4 (record 2, field record_id)")
    );
}

/// A byte-order mark, a one-megabyte dictionary of 2,480 fields and records of 1,846 columns: every
/// empty required field is named by record, event and field, all at once.
#[test]
fn a_large_clinical_project_names_each_missing_value() {
    let mapping = r#"
patient_id = "record_id"
day0 = "fecha_administracion"
[patients]
sex = { column = "gender", values = { "0" = "M", "1" = "F" } }
age_years = { value = "40" }
diagnosis_date = "fecha_administracion"
weight_kg = "weight"
"#;
    let (ingested, _) = read("redcapdm-example1", Some(mapping));
    let errors = errors(&ingested);
    assert_eq!(
        errors[0],
        "error: Example1_DATA.csv:2:61 (record 1, event basal_arm_1, field fecha_administracion) \"\": required value is missing; expected a date YYYY-MM-DD"
    );
    assert!(errors.iter().all(|e| e.contains(", event ")), "{errors:?}");
}

/// An import-format file with dates written month first (`4/12/1982`) in a Y-M-D field: refused, with
/// the order said ambiguous, never guessed.
#[test]
fn dates_in_another_order_are_refused_with_their_record() {
    let mapping = r#"
patient_id = "study_id"
day0 = "dob"
[patients]
sex = { column = "sex", values = { "0" = "F", "1" = "M" } }
birth_year = { value = "1980" }
diagnosis_date = "dob"
"#;
    let (ingested, _) = read("phpcap-longitudinal", Some(mapping));
    let errors = errors(&ingested);
    assert!(
        errors[0].starts_with("error: longitudinal-data-import.csv:2:11 (record 1101, event enrollment_arm_2, field dob) \"4/12/1982\": not a date in the study format"),
        "{errors:?}"
    );
    assert!(errors[0].contains("hint: day and month order is ambiguous"));
}

/// The same 1,027 rows exported raw and with labels (Sitka spruce, 13 events): the label export is
/// refused for each field it shows in; the raw one reads, and a column whose value changes between a
/// record's events cannot be one patient's Day 0.
#[test]
fn a_label_export_is_refused_and_a_record_s_rows_must_agree() {
    let (ingested, _) = read_files(
        "rtd-case07-sitka",
        "test-case-07-data-dictionary.csv",
        "test-case-07-records-api.csv",
        Some("patient_id = \"tree_id\"\nday0 = \"date\"\n"),
    );
    let errors = errors(&ingested);
    assert_eq!(errors.len(), 4, "{errors:?}");
    assert_eq!(
        errors[1],
        "error: test-case-07-records-api.csv:2:4 (field ozone) \"Yes\": a choice's label where its code belongs: a label export; expected raw codes (1 for Yes, 0 for No): export CSV (raw data)"
    );
    let mapping = r#"
patient_id = "tree_id"
day0 = "date"
[patients]
sex = { value = "U" }
age_years = { value = "1" }
diagnosis_date = "date"
"#;
    for dictionary in [
        "test-case-07-data-dictionary.csv",
        "test-case-07-meta-data-api.csv",
    ] {
        let (ingested, _) = read_files(
            "rtd-case07-sitka",
            dictionary,
            "test-case-07-records.csv",
            Some(mapping),
        );
        let errors = self::errors(&ingested);
        assert!(
            errors[0].starts_with("error: test-case-07-records.csv:3:6 (record 1, event measurement_2_arm_1, field date) \"1988-06-23\": another diagnosis_date for patient \"1\"\n  hint: test-case-07-records.csv line 2 (record 1, event measurement_1_arm_1, field date) has \"1988-06-01\": a patient's rows must agree"),
            "{dictionary}: {}",
            errors[0]
        );
    }
}

/// A mapping that names fields the project does not have is told which it has, before any row is read.
#[test]
fn a_mapping_naming_absent_fields_lists_the_project_s() {
    let (ingested, _) = read(
        "redcapr-vignette-repeating",
        Some("patient_id = \"record_id\"\nday0 = \"date_enrolled\"\nsheet = \"Sheet1\"\n"),
    );
    assert_eq!(
        errors(&ingested),
        ["error: mapping.toml \"Sheet1\": sheet: a REDCap export has no sheets; expected a mapping without sheet"]
    );
    let (ingested, _) = read(
        "redcapr-vignette-repeating",
        Some("patient_id = \"record_id\"\nday0 = \"date_enrolled\"\n"),
    );
    let errors = errors(&ingested);
    assert_eq!(errors.len(), 1);
    assert!(
        errors[0].starts_with("error: mapping.toml \"date_enrolled\": day0: no column of data.csv has this header; expected one of the headers: record_id, redcap_repeat_instrument, redcap_repeat_instance, height, weight"),
        "{}",
        errors[0]
    );
}

mod mangled {
    use proptest::prelude::*;

    use super::*;

    /// One edit of a text: a character replaced, removed or inserted where `at` falls.
    fn edit(text: &str, at: usize, kind: u8, with: char) -> String {
        let mut chars: Vec<char> = text.chars().collect();
        if chars.is_empty() {
            return with.to_string();
        }
        let at = at % chars.len();
        match kind % 3 {
            0 => chars[at] = with,
            1 => {
                chars.remove(at);
            }
            _ => chars.insert(at, with),
        }
        chars.into_iter().collect()
    }

    fn any_char() -> impl Strategy<Value = char> {
        prop_oneof![
            Just(','),
            Just('"'),
            Just('\n'),
            Just('\r'),
            Just('|'),
            Just('_'),
            Just('\u{feff}'),
            any::<char>()
        ]
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

        /// Mangled dictionaries, records and mappings are read or reported, never a panic, and any
        /// error names the file it is in.
        #[test]
        fn mangled_exports_are_read_or_reported(
            edits in prop::collection::vec((0usize..20_000, any::<u8>(), any_char(), 0u8..3), 1..12)
        ) {
            let (mut dictionary, mut records, mut mapping) = (
                fixture("redcapr-longitudinal", "dictionary.csv"),
                fixture("redcapr-longitudinal", "data.csv"),
                ENROLLED_DAY0.to_string(),
            );
            for (at, kind, with, target) in edits {
                let text = match target {
                    0 => &mut dictionary,
                    1 => &mut records,
                    _ => &mut mapping,
                };
                *text = edit(text, at, kind, with);
            }
            for with_mapping in [Some(mapping.as_str()), None] {
                let (ingested, _) = import(&Export {
                    dictionary_name: "dictionary.csv",
                    dictionary: &dictionary,
                    records_name: "data.csv",
                    records: &records,
                    missing_codes: &[],
                    mapping: with_mapping.map(|text| ("mapping.toml", text)),
                });
                for diagnostic in &ingested.diagnostics {
                    prop_assert!(
                        ["dictionary.csv", "data.csv", "mapping.toml"].contains(&diagnostic.file.as_str()),
                        "{diagnostic}"
                    );
                }
            }
        }
    }
}
