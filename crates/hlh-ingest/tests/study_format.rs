//! One test (a valid and an invalid case) per rule of docs/study-format.md.

mod common;

use common::*;
use hlh_ingest::Severity;
use hlh_model::{
    Analyte, ClinicalTime, Comparator, Drug, EventKind, Frequency, RecordedResponse, Sex,
    StopReason, Trigger,
};
use jiff::civil::date;

// ---- General rules ------------------------------------------------------------------------------------

#[test]
fn a_leading_bom_is_accepted_and_crlf_line_endings_are_read() {
    let text = "\u{feff}patient_id,sex,age_years,diagnosis_date\r\nP1,M,45,2020-01-10\r\nP2,F,30,2020-02-01\r\n";
    let ingested = Files::default().patients(text).read();
    assert_clean(&ingested);
    assert_eq!(ingested.study.patients[0].id, "P1");
    assert_eq!(ingested.study.patients[1].diagnosis_date, date(2020, 2, 1));
}

#[test]
fn line_numbers_are_right_after_crlf_line_ends_and_blank_lines() {
    let text = "patient_id,sex,age_years,diagnosis_date\r\nP1,M,45,2020-01-10\r\n\r\nP2,F,30,2020-02-01\r\nP3,Q,30,2020-02-01\r\n";
    let ingested = Files::default().patients(text).read();
    assert_single_error(&ingested, "patients.csv", 5, Some("sex"), "M, F or U");
    assert_eq!(ingested.study.patients[1].source.line, 4);
}

#[test]
fn non_utf8_cells_are_errors_naming_line_and_column() {
    let mut bytes = b"patient_id,sex,age_years,diagnosis_date,trigger_detail\nP1,M,45,2020-01-10,ok\nP2,F,30,2020-02-01,caf".to_vec();
    bytes.extend_from_slice(&[0xE9, b'\n']); // "café" in Latin-1
    let mut files = Files::default();
    files.patients = Some(bytes);
    let ingested = files.read();
    let error = assert_single_error(
        &ingested,
        "patients.csv",
        3,
        Some("trigger_detail"),
        "not valid UTF-8",
    );
    assert_eq!(error.column.as_ref().unwrap().number, 5);
}

#[test]
fn quoted_commas_and_quotes_follow_rfc_4180() {
    let text = "patient_id,sex,age_years,diagnosis_date,trigger_detail\nP1,M,45,2020-01-10,\"EBV, then \"\"HLH\"\"\"\nP2,F,30,2020-02-01,\n";
    let ingested = Files::default().patients(text).read();
    assert_clean(&ingested);
    assert_eq!(
        ingested.study.patients[0].trigger_detail.as_deref(),
        Some("EBV, then \"HLH\"")
    );
    assert_eq!(ingested.study.patients[1].trigger_detail, None);
}

#[test]
fn column_names_are_case_insensitive_and_in_any_order() {
    let text = "Diagnosis_Date,AGE_YEARS,Sex,Patient_ID\n2020-01-10,45,M,P1\n2020-02-01,30,F,P2\n";
    let ingested = Files::default().patients(text).read();
    assert_clean(&ingested);
    assert_eq!(ingested.study.patients[0].age_years, 45.0);
}

#[test]
fn unknown_columns_are_reported_as_warnings_not_dropped_silently() {
    let text = "patient_id,sex,age_years,diagnosis_date,bmi\nP1,M,45,2020-01-10,24\nP2,F,30,2020-02-01,22\n";
    let ingested = Files::default().patients(text).read();
    let warning = assert_single_warning(&ingested, "unknown column");
    assert_eq!(
        (warning.line, warning.column.as_ref().map(|c| c.number)),
        (Some(1), Some(5))
    );
    assert_eq!(ingested.study.patients.len(), 2);
}

#[test]
fn a_missing_required_column_is_an_error_on_the_header() {
    let ingested = Files::default()
        .patients("patient_id,age_years,diagnosis_date\nP1,45,2020-01-10\n")
        .read();
    let errors = with_severity(&ingested, Severity::Error);
    assert_eq!(errors.len(), 1, "{}", render(&ingested.diagnostics));
    assert_eq!(errors[0].line, Some(1));
    assert!(errors[0].message.contains("\"sex\""), "{}", errors[0]);
}

#[test]
fn a_duplicate_column_is_an_error() {
    let ingested = Files::default()
        .patients("patient_id,sex,age_years,diagnosis_date,SEX\nP1,M,45,2020-01-10,F\n")
        .read();
    assert_single_error(&ingested, "patients.csv", 1, Some("SEX"), "appears twice");
}

#[test]
fn an_empty_cell_is_missing_and_an_empty_required_cell_is_an_error() {
    let ingested = Files::default()
        .patients("patient_id,sex,age_years,diagnosis_date\nP1,,45,2020-01-10\n")
        .read();
    assert_single_error(
        &ingested,
        "patients.csv",
        2,
        Some("sex"),
        "required value is missing",
    );
}

#[test]
fn a_quoted_decimal_comma_is_an_error_with_a_hint() {
    let ingested = Files::default()
        .observations("P1,2020-01-10,crp,\"3,5\",mg/L\n")
        .read();
    let error = assert_single_error(
        &ingested,
        "observations.csv",
        2,
        Some("value"),
        "decimal comma",
    );
    assert_eq!(error.hint.as_deref(), Some("write 3.5"));
}

#[test]
fn an_unquoted_decimal_comma_splits_the_row_and_says_why() {
    let ingested = Files::default()
        .observations("P1,2020-01-10,crp,3,5,mg/L\n")
        .read();
    let error = assert_single_error(
        &ingested,
        "observations.csv",
        2,
        None,
        "6 cells but the header has 5",
    );
    assert!(
        error.hint.as_deref().unwrap().contains("decimal comma"),
        "{error}"
    );
}

#[test]
fn dates_and_date_times_in_the_three_forms_are_read() {
    let ingested = Files::default()
        .observations("P1,2020-01-10,crp,100,mg/L\nP1,2020-01-11T08:30,crp,90,mg/L\nP1,2020-01-12 08:30,crp,80,mg/L\nP1,2020-01-13 08:30:15,crp,70,mg/L\nP2,2020-02-01,crp,1,mg/L\n")
        .read();
    assert_clean(&ingested);
    let times: Vec<ClinicalTime> = ingested.study.observations.iter().map(|o| o.time).collect();
    assert_eq!(times[0], ClinicalTime::Date(date(2020, 1, 10)));
    assert_eq!(
        times[1],
        ClinicalTime::DateTime(date(2020, 1, 11).at(8, 30, 0, 0))
    );
    assert_eq!(
        times[2],
        ClinicalTime::DateTime(date(2020, 1, 12).at(8, 30, 0, 0))
    );
    assert_eq!(
        times[3],
        ClinicalTime::DateTime(date(2020, 1, 13).at(8, 30, 15, 0))
    );
}

#[test]
fn foreign_date_formats_are_errors_with_the_iso_spelling() {
    let ingested = Files::default()
        .patients("patient_id,sex,age_years,diagnosis_date\nP1,M,45,25/01/2020\n")
        .read();
    let error = assert_single_error(
        &ingested,
        "patients.csv",
        2,
        Some("diagnosis_date"),
        "YYYY-MM-DD",
    );
    assert_eq!(
        error.hint.as_deref(),
        Some("day-first date? write 2020-01-25")
    );
    for bad in ["2020-02-30", "20-01-10", "2020/01/10", "January 10, 2020"] {
        let text = format!("patient_id,sex,age_years,diagnosis_date\nP1,M,45,{bad}\n");
        let ingested = Files::default().patients(&text).read();
        assert_eq!(
            with_severity(&ingested, Severity::Error).len(),
            1,
            "{bad}: {}",
            render(&ingested.diagnostics)
        );
    }
}

#[test]
fn booleans_accept_every_spelling_and_unknown_stays_unknown() {
    let text = "patient_id,sex,age_years,diagnosis_date,hepatomegaly,splenomegaly,immunosuppression,bm_hemophagocytosis,nk_activity_low,molecular_hlh\n\
                P1,M,45,2020-01-10,yes,Y,true,1,unknown,\n\
                P2,F,30,2020-02-01,no,n,FALSE,0,,Unknown\n";
    let ingested = Files::default().patients(text).read();
    assert_clean(&ingested);
    let [p1, p2] = [&ingested.study.patients[0], &ingested.study.patients[1]];
    assert_eq!(
        (
            p1.hepatomegaly,
            p1.splenomegaly,
            p1.immunosuppression,
            p1.bm_hemophagocytosis,
            p1.nk_activity_low,
            p1.molecular_hlh
        ),
        (Some(true), Some(true), Some(true), Some(true), None, None)
    );
    assert_eq!(
        (
            p2.hepatomegaly,
            p2.splenomegaly,
            p2.immunosuppression,
            p2.bm_hemophagocytosis,
            p2.nk_activity_low,
            p2.molecular_hlh
        ),
        (
            Some(false),
            Some(false),
            Some(false),
            Some(false),
            None,
            None
        )
    );
    let ingested = Files::default()
        .patients(
            "patient_id,sex,age_years,diagnosis_date,splenomegaly\nP1,M,45,2020-01-10,probably\n",
        )
        .read();
    assert_single_error(
        &ingested,
        "patients.csv",
        2,
        Some("splenomegaly"),
        "yes, no or unknown",
    );
}

#[test]
fn every_error_of_every_file_is_reported_in_one_run() {
    let ingested = Files::default()
        .patients("patient_id,sex,age_years,diagnosis_date\nP1,X,45,2020-01-10\nP2,F,130,2020-02-01\nP3,M,50,2020-13-01\n")
        .observations("P1,2020-01-10,crp,abc,mg/L\nP2,2020-01-10,ferritin,500,mg/L\nP9,2020-01-10,crp,5,mg/L\n")
        .treatments("P1,anakinra,2020-01-10,2020-01-05,,,,,,\n")
        .events("P1,2020-01-10,died,,,,,\n")
        .read();
    let places: Vec<(String, Option<u64>)> = with_severity(&ingested, Severity::Error)
        .iter()
        .map(|d| (d.file.clone(), d.line))
        .collect();
    let expected = [
        ("patients.csv", 2),
        ("patients.csv", 3),
        ("patients.csv", 4),
        ("observations.csv", 2),
        ("observations.csv", 3),
        ("observations.csv", 4),
        ("treatments.csv", 2),
        ("events.csv", 2),
    ];
    let expected: Vec<(String, Option<u64>)> = expected
        .iter()
        .map(|(f, l)| (f.to_string(), Some(*l)))
        .collect();
    assert_eq!(places, expected, "{}", render(&ingested.diagnostics));
}

#[test]
fn a_line_number_counts_the_lines_of_quoted_multiline_cells() {
    let text = "patient_id,sex,age_years,diagnosis_date,trigger_detail\nP1,M,45,2020-01-10,\"two\nlines\"\nP2,Q,30,2020-02-01,\n";
    let ingested = Files::default().patients(text).read();
    assert_single_error(
        &ingested,
        "patients.csv",
        4,
        Some("sex"),
        "not an accepted value",
    );
}

#[test]
fn a_huge_cell_is_read_and_shown_cut_in_messages() {
    let huge = "x".repeat(2_000_000);
    let text = format!("patient_id,sex,age_years,diagnosis_date,trigger_detail\nP1,M,45,2020-01-10,{huge}\nP2,{huge},30,2020-02-01,\n");
    let ingested = Files::default().patients(&text).read();
    let error = assert_single_error(
        &ingested,
        "patients.csv",
        3,
        Some("sex"),
        "not an accepted value",
    );
    assert!(error.value.as_ref().unwrap().chars().count() <= 81);
    assert_eq!(
        ingested.study.patients[0]
            .trigger_detail
            .as_ref()
            .map(String::len),
        Some(2_000_000)
    );
}

// ---- patients.csv -------------------------------------------------------------------------------------

#[test]
fn patients_csv_is_required() {
    let mut files = Files::default();
    files.patients = None;
    let ingested = files.read();
    let error = with_severity(&ingested, Severity::Error)[0];
    assert_eq!((error.file.as_str(), error.line), ("patients.csv", None));
    assert!(error.message.contains("file not found"));
}

#[test]
fn an_empty_patients_file_is_an_error_and_a_header_alone_a_warning() {
    let ingested = Files::default().patients("").observations("").read();
    assert!(with_severity(&ingested, Severity::Error)
        .iter()
        .any(|d| d.file == "patients.csv" && d.message.contains("empty")));
    let ingested = Files::default()
        .patients("patient_id,sex,age_years,diagnosis_date\n")
        .read();
    assert_single_warning(&ingested, "no patients");
}

#[test]
fn patient_ids_are_unique() {
    let ingested = Files::default()
        .patients("patient_id,sex,age_years,diagnosis_date\nP1,M,45,2020-01-10\nP2,F,30,2020-02-01\nP1,F,50,2020-03-01\n")
        .read();
    assert_single_error(
        &ingested,
        "patients.csv",
        4,
        Some("patient_id"),
        "duplicate patient_id, first given on line 2",
    );
}

#[test]
fn sex_is_m_f_or_u() {
    let text = "patient_id,sex,age_years,diagnosis_date\nP1,M,45,2020-01-10\nP2,f,30,2020-02-01\nP3,U,30,2020-02-01\n";
    let ingested = Files::default().patients(text).read();
    assert_clean(&ingested);
    let sexes: Vec<Sex> = ingested.study.patients.iter().map(|p| p.sex).collect();
    assert_eq!(sexes, [Sex::Male, Sex::Female, Sex::Unknown]);
    let ingested = Files::default()
        .patients("patient_id,sex,age_years,diagnosis_date\nP1,W,45,2020-01-10\n")
        .read();
    assert_single_error(&ingested, "patients.csv", 2, Some("sex"), "M, F or U");
}

#[test]
fn age_is_from_0_to_below_120() {
    for (age, valid) in [
        ("0", true),
        ("119.9", true),
        ("45.5", true),
        ("120", false),
        ("-1", false),
        ("NaN", false),
    ] {
        let text = format!(
            "patient_id,sex,age_years,diagnosis_date\nP1,M,{age},2020-01-10\nP2,F,30,2020-02-01\n"
        );
        let ingested = Files::default().patients(&text).read();
        assert_eq!(
            !ingested.has_errors(),
            valid,
            "age {age}: {}",
            render(&ingested.diagnostics)
        );
        if !valid {
            assert_single_error(&ingested, "patients.csv", 2, Some("age_years"), age);
        }
    }
    let ingested = Files::default()
        .patients(
            "patient_id,sex,age_years,diagnosis_date\nP1,M,104,2020-01-10\nP2,F,30,2020-02-01\n",
        )
        .read();
    assert_single_warning(&ingested, "age above 100");
}

#[test]
fn birth_year_gives_the_age_as_the_difference_of_years() {
    let text =
        "patient_id,sex,birth_year,diagnosis_date\nP1,M,1975,2020-01-10\nP2,F,1990,2020-12-31\n";
    let ingested = Files::default().patients(text).read();
    assert_clean(&ingested);
    assert_eq!(ingested.study.patients[0].age_years, 45.0);
    assert_eq!(ingested.study.patients[0].birth_year, Some(1975));
    assert_eq!(ingested.study.patients[1].age_years, 30.0);
    let ingested = Files::default()
        .patients("patient_id,sex,birth_year,diagnosis_date\nP1,M,2021,2020-01-10\n")
        .read();
    assert_single_error(
        &ingested,
        "patients.csv",
        2,
        Some("birth_year"),
        "after the diagnosis year",
    );
}

#[test]
fn one_of_age_years_and_birth_year_is_required() {
    let ingested = Files::default()
        .patients("patient_id,sex,diagnosis_date\nP1,M,2020-01-10\n")
        .read();
    let error = assert_single_error(
        &ingested,
        "patients.csv",
        1,
        None,
        "age_years or birth_year",
    );
    assert!(error.message.contains("header"));
    let ingested =
        Files::default().patients("patient_id,sex,age_years,birth_year,diagnosis_date\nP1,M,,,2020-01-10\nP2,F,30,,2020-02-01\n").read();
    assert_single_error(
        &ingested,
        "patients.csv",
        2,
        None,
        "age_years or birth_year is required",
    );
}

#[test]
fn an_age_that_disagrees_with_the_birth_year_is_a_warning() {
    let text = "patient_id,sex,age_years,birth_year,diagnosis_date\nP1,M,44,1975,2020-01-10\nP2,F,38,1990,2020-02-01\n";
    let ingested = Files::default().patients(text).read();
    let warning = assert_single_warning(&ingested, "disagrees with birth year 1990");
    assert_eq!(warning.line, Some(3));
    assert_eq!(ingested.study.patients[1].age_years, 38.0);
}

#[test]
fn triggers_are_a_semicolon_separated_list_of_known_words() {
    let text = "patient_id,sex,age_years,diagnosis_date,triggers\nP1,M,45,2020-01-10,aosd;infection\nP2,F,30,2020-02-01,\n";
    let ingested = Files::default().patients(text).read();
    assert_clean(&ingested);
    assert_eq!(
        ingested.study.patients[0].triggers,
        [Trigger::Aosd, Trigger::Infection]
    );
    assert!(ingested.study.patients[1].triggers.is_empty());
    let text =
        "patient_id,sex,age_years,diagnosis_date,triggers\nP1,M,45,2020-01-10,aosd;lymphoma\n";
    let ingested = Files::default().patients(text).read();
    assert_single_error(
        &ingested,
        "patients.csv",
        2,
        Some("triggers"),
        "unknown trigger \"lymphoma\"",
    );
}

#[test]
fn last_follow_up_cannot_precede_the_diagnosis() {
    let text = "patient_id,sex,age_years,diagnosis_date,last_followup_date\nP1,M,45,2020-01-10,2020-01-10\nP2,F,30,2020-02-01,2020-01-31\n";
    let ingested = Files::default().patients(text).read();
    assert_single_error(
        &ingested,
        "patients.csv",
        3,
        Some("last_followup_date"),
        "before the diagnosis date 2020-02-01",
    );
}

// ---- observations.csv ---------------------------------------------------------------------------------

#[test]
fn an_observation_of_an_unknown_patient_is_an_orphan_error() {
    let ingested = Files::default()
        .observations("P1,2020-01-10,crp,100,mg/L\nP7,2020-01-10,crp,100,mg/L\n")
        .read();
    assert_single_error(
        &ingested,
        "observations.csv",
        3,
        Some("patient_id"),
        "not in patients.csv",
    );
}

#[test]
fn rows_of_a_rejected_patient_are_not_reported_twice() {
    let text = "patient_id,sex,age_years,diagnosis_date\nP1,M,45,2020-01-10\nP2,Q,30,2020-02-01\n";
    let ingested = Files::default()
        .patients(text)
        .observations("P1,2020-01-10,crp,100,mg/L\nP2,2020-02-01,crp,50,mg/L\n")
        .read();
    assert_single_error(&ingested, "patients.csv", 3, Some("sex"), "M, F or U");
}

#[test]
fn analytes_are_those_of_the_study_format() {
    let rows: String = Analyte::ALL
        .iter()
        .map(|a| {
            let value = match a {
                Analyte::Temperature => "37",
                Analyte::Hemoglobin => "10",
                Analyte::Sodium => "135",
                _ => "5",
            };
            format!(
                "P1,2020-01-10,{},{value},{}\n",
                a.name().to_uppercase(),
                a.canonical_unit()
            )
        })
        .collect();
    let ingested = Files::default()
        .observations(&format!("{rows}P2,2020-02-01,crp,1,mg/L\n"))
        .read();
    assert_clean(&ingested);
    assert_eq!(ingested.study.observations.len(), Analyte::ALL.len() + 1);
    let ingested = Files::default()
        .observations("P1,2020-01-10,procalcitonin,5,ug/L\nP2,2020-02-01,crp,1,mg/L\n")
        .read();
    assert_single_error(&ingested, "observations.csv", 2, Some("analyte"), "d_dimer");
}

#[test]
fn values_may_carry_a_comparator_and_keep_what_was_written() {
    let ingested = Files::default()
        .observations("P1,2020-01-10,crp,<5,mg/L\nP1,2020-01-11,ferritin,>100000,ug/L\nP2,2020-02-01,crp,<= 0.5,mg/dL\n")
        .read();
    assert_clean(&ingested);
    let o = &ingested.study.observations;
    assert_eq!(
        (o[0].comparator, o[0].quantity.value()),
        (Comparator::Less, 5.0)
    );
    assert_eq!(
        (o[1].comparator, o[1].quantity.value()),
        (Comparator::Greater, 100_000.0)
    );
    assert_eq!(
        (o[2].comparator, o[2].quantity.value()),
        (Comparator::LessOrEqual, 5.0)
    );
    assert_eq!(
        (
            o[2].value_as_written.as_str(),
            o[2].unit_as_written.as_str()
        ),
        ("<= 0.5", "mg/dL")
    );
    assert_eq!(o[2].source.line, 4);
}

#[test]
fn nan_and_infinite_values_are_errors() {
    for bad in ["NaN", "inf", "-Infinity", "1e400"] {
        let ingested = Files::default()
            .observations(&format!(
                "P1,2020-01-10,crp,{bad},mg/L\nP2,2020-02-01,crp,1,mg/L\n"
            ))
            .read();
        assert_single_error(&ingested, "observations.csv", 2, Some("value"), bad);
    }
}

#[test]
fn units_are_converted_to_the_canonical_unit_on_reading() {
    let ingested = Files::default()
        .observations(
            "P1,2020-01-10,crp,15.2,mg/dL\nP1,2020-01-10,temperature,101.3,[degF]\nP1,2020-01-10,platelets,85000,/mm3\n\
             P1,2020-01-10,fibrinogen,150,mg/dL\nP1,2020-01-10,triglycerides,265,mg/dL\nP1,2020-01-10,hemoglobin,92,g/L\n\
             P2,2020-02-01,ast,0.8,ukat/L\nP2,2020-02-01,ferritin,684,ng/mL\n",
        )
        .read();
    assert_clean(&ingested);
    let values: Vec<f64> = ingested
        .study
        .observations
        .iter()
        .map(|o| o.quantity.value())
        .collect();
    let expected = [
        15.2 * 10.0,
        (101.3 - 32.0) * 5.0 / 9.0,
        85.0,
        1.5,
        265.0 / 88.57,
        9.2,
        48.0,
        684.0,
    ];
    for (got, want) in values.iter().zip(expected) {
        assert!((got - want).abs() <= want.abs() * 1e-15, "{got} vs {want}");
    }
}

#[test]
fn units_must_be_accepted_for_their_analyte_and_are_case_sensitive() {
    let ingested = Files::default()
        .observations("P1,2020-01-10,crp,15,MG/L\nP2,2020-02-01,crp,1,mg/L\n")
        .read();
    assert_single_error(
        &ingested,
        "observations.csv",
        2,
        Some("unit"),
        "mg/L or mg/dL",
    );
    let ingested = Files::default()
        .observations("P1,2020-01-10,scd25,4500,pg/mL\nP2,2020-02-01,crp,1,mg/L\n")
        .read();
    assert_single_error(
        &ingested,
        "observations.csv",
        2,
        Some("unit"),
        "assay-specific",
    );
    let ingested = Files::default()
        .observations("P1,2020-01-10,crp,15,\nP2,2020-02-01,crp,1,mg/L\n")
        .read();
    assert_single_error(
        &ingested,
        "observations.csv",
        2,
        Some("unit"),
        "required value is missing",
    );
}

#[test]
fn scd25_as_a_mass_concentration_converts_only_with_the_study_assay_factor() {
    // 8 pg/mL per U/mL (a factor the study states for its assay): 24000 pg/mL is 3000 U/mL, 3 ng/mL
    // is 3000 pg/mL, 375 U/mL; U/mL stays as written.
    let ingested = Files::default()
        .study_toml("[assays]\nscd25_pg_per_unit = 8\n")
        .observations("P1,2020-01-10,scd25,24000,pg/mL\nP1,2020-01-11,scd25,3,ng/mL\nP2,2020-02-01,scd25,2400,U/mL\n")
        .read();
    assert_clean(&ingested);
    let values: Vec<f64> = ingested
        .study
        .observations
        .iter()
        .map(|o| o.quantity.value())
        .collect();
    assert_eq!(values, [3000.0, 375.0, 2400.0]);
    assert_eq!(ingested.study.assays.scd25_pg_per_unit, Some(8.0));
    assert_eq!(ingested.study.observations[0].unit_as_written, "pg/mL");

    // A factor that is not a positive number, or a misspelt one, is an error of study.toml.
    for (toml, needle) in [
        ("[assays]\nscd25_pg_per_unit = 0\n", "not a positive number"),
        (
            "[assays]\nscd25_pg_per_unit = \"8\"\n",
            "not a positive number",
        ),
        ("[assays]\nscd25_pg_per_units = 8\n", "unknown assay factor"),
    ] {
        let ingested = Files::default().study_toml(toml).read();
        assert_single_error(&ingested, "study.toml", 2, None, needle);
    }
}

#[test]
fn weights_and_frequencies_are_read_for_the_daily_dose() {
    let ingested = Files::default()
        .patients("patient_id,sex,age_years,diagnosis_date,weight_kg\nP1,M,45,2020-01-10,72.5\nP2,F,30,2020-02-01,\n")
        .treatments("P1,anakinra,2020-01-10,,100,mg,Twice daily,sc,,\nP1,chemotherapy,2020-01-12,,,,CHOP,iv,,\nP2,anakinra,2020-02-01,,100,mg,q6h,iv,,\n")
        .read();
    assert_clean(&ingested);
    let weights: Vec<Option<f64>> = ingested
        .study
        .patients
        .iter()
        .map(|p| p.weight_kg)
        .collect();
    assert_eq!(weights, [Some(72.5), None]);
    let schedules: Vec<Option<Frequency>> = ingested
        .study
        .treatments
        .iter()
        .map(|t| t.schedule)
        .collect();
    // "Twice daily" is bid; a regimen written in the frequency column (CHOP, no dose) reads as nothing.
    assert_eq!(
        schedules,
        [Some(Frequency::Bid), None, Some(Frequency::Q6h)]
    );
    assert_eq!(
        ingested.study.treatments[0].frequency.as_deref(),
        Some("Twice daily")
    );

    // With a dose, a frequency outside the vocabulary leaves the daily dose unknown: a warning.
    let ingested = Files::default()
        .treatments("P1,anakinra,2020-01-10,,100,mg,every other day,sc,,\n")
        .read();
    let warning = assert_single_warning(&ingested, "daily dose is unknown");
    assert_eq!(warning.line, Some(2));

    let ingested = Files::default()
        .patients("patient_id,sex,age_years,diagnosis_date,weight_kg\nP1,M,45,2020-01-10,720\nP2,F,30,2020-02-01,0.2\n")
        .read();
    let errors = with_severity(&ingested, Severity::Error);
    assert_eq!(errors.len(), 2, "{}", render(&ingested.diagnostics));
    assert!(errors.iter().all(
        |e| e.column.as_ref().map(|c| c.name.as_str()) == Some("weight_kg")
            && e.to_string().contains("0.3–400")
    ));
}

#[test]
fn impossible_values_are_errors_and_unusual_ones_warnings() {
    let ingested = Files::default()
        .observations("P1,2020-01-10,temperature,380,Cel\nP2,2020-02-01,crp,1,mg/L\n")
        .read();
    assert_single_error(
        &ingested,
        "observations.csv",
        2,
        Some("value"),
        "physiologically impossible",
    );
    let ingested = Files::default()
        .observations("P1,2020-01-10,platelets,-3,10*9/L\nP2,2020-02-01,crp,1,mg/L\n")
        .read();
    assert_single_error(
        &ingested,
        "observations.csv",
        2,
        Some("value"),
        "physiologically impossible",
    );
    let ingested = Files::default()
        .observations("P1,2020-01-10,temperature,101.3,Cel\nP2,2020-02-01,crp,1,mg/L\n")
        .read();
    let error = assert_single_error(
        &ingested,
        "observations.csv",
        2,
        Some("value"),
        "impossible",
    );
    assert_eq!(
        error.hint.as_deref(),
        Some("this looks like °F: write the unit [degF]")
    );
    // The range applies after conversion: 45 °C is possible, 113.1 °F (45.06 °C) is not.
    let ingested = Files::default()
        .observations("P1,2020-01-10,temperature,113.1,[degF]\nP2,2020-02-01,crp,1,mg/L\n")
        .read();
    assert_single_error(
        &ingested,
        "observations.csv",
        2,
        Some("value"),
        "after conversion",
    );
    let ingested = Files::default()
        .observations("P1,2020-01-10,temperature,45,Cel\nP2,2020-02-01,crp,1,mg/L\n")
        .read();
    assert_single_warning(&ingested, "unusual temperature");
    let ingested = Files::default()
        .observations("P1,2020-01-10,ferritin,300000,ug/L\nP2,2020-02-01,crp,1,mg/L\n")
        .read();
    assert_single_warning(&ingested, "unusual ferritin");
}

#[test]
fn a_row_entered_twice_is_counted_once_with_a_warning() {
    let ingested = Files::default()
        .observations(
            "P1,2020-01-10,crp,100,mg/L\nP1,2020-01-10,crp,10,mg/dL\nP2,2020-02-01,crp,1,mg/L\n",
        )
        .read();
    let warning = assert_single_warning(&ingested, "as line 2; counted once");
    assert_eq!(warning.line, Some(3));
    assert_eq!(ingested.study.observations.len(), 2);
}

#[test]
fn repeats_are_found_per_patient_and_point_to_the_first_row() {
    let ingested = Files::default()
        .observations(concat!(
            "P1,2020-01-10,crp,100,mg/L\n",       // line 2
            "P2,2020-01-10,crp,100,mg/L\n",       // 3: same key, another patient
            "P1,2020-01-10T08:00,crp,100,mg/L\n", // 4: a time stamp is not the bare date
            "P2,2020-01-10,crp,10,mg/dL\n",       // 5: 100 mg/L again, repeats line 3
            "P1,2020-01-10,crp,100,mg/L\n",       // 6: repeats line 2
            "P1,2020-01-10,ferritin,100,ug/L\n",  // 7: another analyte
            "P1,2020-01-10,crp,100,mg/L\n",       // 8: repeats line 2 again
        ))
        .read();
    assert!(!ingested.has_errors());
    let repeats: Vec<(Option<u64>, &str)> = with_severity(&ingested, Severity::Warning)
        .into_iter()
        .map(|warning| (warning.line, warning.message.as_str()))
        .collect();
    let counted_once = |line: u64| format!("as line {line}; counted once");
    assert_eq!(repeats.len(), 3, "{repeats:?}");
    for ((line, message), (expected_line, first)) in repeats.iter().zip([(5, 3), (6, 2), (8, 2)]) {
        assert_eq!(*line, Some(expected_line));
        assert!(message.ends_with(&counted_once(first)), "{message}");
    }
    let kept: Vec<u64> = ingested
        .study
        .observations
        .iter()
        .map(|o| o.source.line)
        .collect();
    assert_eq!(kept, [2, 3, 4, 7]);
}

#[test]
fn repeats_are_found_when_a_large_file_is_read_on_several_threads() {
    // 2 × 60,000 distinct rows (one a second) then a repeat of P2's first row and one new row, so the
    // file is split across threads and the repeat lies far from its original.
    let mut rows = String::new();
    for second in 0..60_000u32 {
        let (hour, minute, second) = (second / 3600, second / 60 % 60, second % 60);
        for patient in ["P1", "P2"] {
            rows.push_str(&format!(
                "{patient},2020-03-01T{hour:02}:{minute:02}:{second:02},crp,100,mg/L\n"
            ));
        }
    }
    rows.push_str("P2,2020-03-01T00:00:00,crp,100,mg/L\nP1,2020-03-02T00:00:00,crp,100,mg/L\n");
    let ingested = Files::default().observations(&rows).read();
    let warnings = with_severity(&ingested, Severity::Warning);
    assert_eq!(warnings.len(), 1, "{warnings:?}");
    assert_eq!(warnings[0].line, Some(120_002));
    assert!(warnings[0].message.ends_with("as line 3; counted once"));
    assert_eq!(ingested.study.observations.len(), 120_001);
}

#[test]
fn a_patient_without_observations_is_a_warning() {
    let ingested = Files::default()
        .observations("P1,2020-01-10,crp,100,mg/L\n")
        .read();
    let warning = assert_single_warning(&ingested, "patient P2 has no observations");
    assert_eq!(
        (warning.file.as_str(), warning.line),
        ("patients.csv", Some(3))
    );
}

#[test]
fn a_result_far_from_the_diagnosis_is_a_warning() {
    let ingested = Files::default()
        .observations("P1,2021-01-12,crp,100,mg/L\nP2,2020-02-01,crp,1,mg/L\n")
        .read();
    assert_single_warning(&ingested, "368 days from the diagnosis of patient P1");
}

// ---- treatments.csv -----------------------------------------------------------------------------------

#[test]
fn treatments_read_every_column() {
    let ingested = Files::default()
        .treatments("P1,Anakinra,2020-01-10T14:00,2020-01-20,100,mg,bid,sc,adverse_event,first\nP2,cyclosporine,2020-02-01,,3,mg/kg,q12h,po,,\n")
        .read();
    assert_clean(&ingested);
    let [t1, t2] = [&ingested.study.treatments[0], &ingested.study.treatments[1]];
    assert_eq!(t1.drug, Drug::Anakinra);
    assert_eq!(
        t1.start,
        ClinicalTime::DateTime(date(2020, 1, 10).at(14, 0, 0, 0))
    );
    assert_eq!(t1.end, Some(ClinicalTime::Date(date(2020, 1, 20))));
    assert_eq!(
        (t1.dose, t1.stop_reason, t1.line_of_therapy.as_deref()),
        (Some(100.0), Some(StopReason::AdverseEvent), Some("first"))
    );
    assert_eq!(
        (t2.drug, t2.end, t2.stop_reason),
        (Drug::Ciclosporin, None, None)
    );
}

#[test]
fn a_course_cannot_end_before_it_starts() {
    let ingested = Files::default()
        .treatments(
            "P1,anakinra,2020-01-10,2020-01-10,,,,,,\nP2,anakinra,2020-02-05,2020-02-01,,,,,,\n",
        )
        .read();
    assert_single_error(
        &ingested,
        "treatments.csv",
        3,
        Some("end"),
        "ends before it starts",
    );
    let ingested = Files::default()
        .treatments("P1,anakinra,2020-01-10T18:00,2020-01-10T08:00,,,,,,\n")
        .read();
    assert_single_error(
        &ingested,
        "treatments.csv",
        2,
        Some("end"),
        "ends before it starts",
    );
}

#[test]
fn treatment_words_are_checked() {
    let cases = [
        ("P1,aspirin,2020-01-10,,,,,,,\n", "drug"),
        ("P1,anakinra,,,,,,,,\n", "start"),
        ("P1,anakinra,2020-01-10,,100,mcg,,,,\n", "dose_unit"),
        ("P1,anakinra,2020-01-10,,-100,mg,,,,\n", "dose"),
        ("P1,anakinra,2020-01-10,,,,,im,,\n", "route"),
        (
            "P1,anakinra,2020-01-10,2020-01-12,,,,,toxicity,\n",
            "stop_reason",
        ),
    ];
    for (row, column) in cases {
        let ingested = Files::default().treatments(row).read();
        assert_single_error(&ingested, "treatments.csv", 2, Some(column), "");
    }
}

#[test]
fn a_stop_reason_on_an_ongoing_course_is_a_warning() {
    let ingested = Files::default()
        .treatments("P1,anakinra,2020-01-10,,,,,,remission,\n")
        .read();
    assert_single_warning(&ingested, "stop_reason is given but end is empty");
}

// ---- events.csv ---------------------------------------------------------------------------------------

#[test]
fn events_read_every_column() {
    let ingested = Files::default()
        .events("P1,2020-01-15,adverse_event,injection-site reaction,2,anakinra,yes,\nP1,2020-01-17,response_assessment,,,,,partial\nP2,2020-02-03,death,,,,,\n")
        .read();
    assert_clean(&ingested);
    let e = &ingested.study.events;
    assert_eq!(
        (
            e[0].kind,
            e[0].grade,
            e[0].drug,
            e[0].led_to_discontinuation
        ),
        (
            EventKind::AdverseEvent,
            Some(2),
            Some(Drug::Anakinra),
            Some(true)
        )
    );
    assert_eq!(e[1].recorded_response, Some(RecordedResponse::Partial));
    assert_eq!(e[2].kind, EventKind::Death);
}

#[test]
fn event_cells_are_checked() {
    let cases = [
        ("P1,2020-01-15,fever,,,,,\n", "event"),
        ("P1,2020-01-15,adverse_event,,6,,,\n", "grade"),
        ("P1,2020-01-15,adverse_event,,2.5,,,\n", "grade"),
        ("P1,2020-01-15,adverse_event,,,kineret-x,,\n", "drug"),
        (
            "P1,2020-01-15,adverse_event,,,,perhaps,\n",
            "led_to_discontinuation",
        ),
        ("P1,2020-01-15,response_assessment,,,,,good\n", "value"),
    ];
    for (row, column) in cases {
        let ingested = Files::default().events(row).read();
        assert_single_error(&ingested, "events.csv", 2, Some(column), "");
    }
}

#[test]
fn a_second_death_is_an_error_and_results_after_death_a_warning() {
    let ingested = Files::default()
        .events("P1,2020-01-15,death,,,,,\nP1,2020-01-16,death,,,,,\n")
        .read();
    assert_single_error(
        &ingested,
        "events.csv",
        3,
        None,
        "second death of patient P1 (first on line 2)",
    );
    let ingested = Files::default()
        .observations(
            "P1,2020-01-10,crp,100,mg/L\nP1,2020-01-16,crp,100,mg/L\nP2,2020-02-01,crp,1,mg/L\n",
        )
        .events("P1,2020-01-15,death,,,,,\n")
        .read();
    assert_single_warning(&ingested, "after the death of patient P1");
}

#[test]
fn a_response_assessment_without_a_value_is_a_warning() {
    let ingested = Files::default()
        .events("P1,2020-01-15,response_assessment,,,,,\n")
        .read();
    assert_single_warning(&ingested, "counts as not recorded");
    assert_eq!(ingested.study.events[0].recorded_response, None);
}

// ---- study.toml ---------------------------------------------------------------------------------------

#[test]
fn study_toml_gives_title_centres_and_protocol() {
    let mut files = Files::default()
        .patients("patient_id,centre,sex,age_years,diagnosis_date\nP1,Lyon,M,45,2020-01-10\nP2,Paris,F,30,2020-02-01\n");
    files.study_toml = Some(
        b"title = \"HLH\"\ncentres = [\"Lyon\", \"Paris\"]\n[protocol]\nfever_threshold = 38.3\n"
            .to_vec(),
    );
    let ingested = files.clone().read();
    assert_clean(&ingested);
    assert_eq!(ingested.study.title.as_deref(), Some("HLH"));
    assert_eq!(
        ingested.settings.protocol.as_ref().unwrap()["fever_threshold"].as_float(),
        Some(38.3)
    );
    files.study_toml = Some(b"centres = [\"Lyon\"]\n".to_vec());
    assert_single_warning(&files.read(), "centre \"Paris\" is not among the centres");
}

// ---- whole studies ------------------------------------------------------------------------------------

#[test]
fn a_valid_study_with_everything_reads_without_problems() {
    let ingested = Files::default()
        .patients(
            "patient_id,centre,sex,age_years,birth_year,diagnosis_date,triggers,trigger_detail,immunosuppression,hepatomegaly,splenomegaly,bm_hemophagocytosis,nk_activity_low,molecular_hlh,last_followup_date\n\
             P1,A,M,45,,2020-01-10,aosd,,no,yes,yes,yes,,,2020-06-01\n\
             P2,B,F,,1990,2020-02-01,infection;malignancy,\"EBV, lymphoma\",yes,no,,,,no,\n",
        )
        .observations("P1,2020-01-10T08:00,temperature,39.2,Cel\nP2,2020-02-01,ferritin,<5,ug/L\n")
        .treatments("P1,anakinra,2020-01-10,2020-01-30,100,mg,qd,sc,completed,first\n")
        .events("P1,2020-01-12,icu_admission,,,,,\n")
        .read();
    assert_clean(&ingested);
    assert_eq!(ingested.study.patients.len(), 2);
    assert_eq!(
        ingested
            .study
            .patient(ingested.study.observations[1].patient)
            .id,
        "P2"
    );
    assert!(ingested.into_valid().is_ok());
}
