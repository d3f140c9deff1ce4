//! Findings of a patient of a study: the worst value of each analyte in the scoring window, with the row
//! that produced it.

use hlh_criteria::hscore::{hscore, HScoreSettings};
use hlh_criteria::Findings;
use hlh_model::{
    units, Analyte, ClinicalTime, Comparator, Observation, Patient, PatientIndex, Sex, SourceRow,
    Study, StudyFile, Trigger,
};
use jiff::civil::date;

fn observation(line: u64, day: i8, analyte: Analyte, value: f64, unit: &str) -> Observation {
    Observation {
        patient: PatientIndex(0),
        time: ClinicalTime::Date(date(2020, 1, 10 + day)),
        quantity: units::convert(analyte, value, unit).unwrap(),
        comparator: Comparator::Equal,
        value_as_written: value.to_string().into(),
        unit_as_written: unit.into(),
        source: SourceRow {
            file: StudyFile::Observations,
            line,
        },
    }
}

fn study() -> Study {
    let patient = Patient {
        id: "P1".into(),
        centre: None,
        sex: Sex::Female,
        age_years: 30.0,
        birth_year: None,
        weight_kg: None,
        diagnosis_date: date(2020, 1, 13),
        triggers: vec![Trigger::Aosd],
        trigger_detail: None,
        immunosuppression: Some(false),
        hepatomegaly: Some(true),
        splenomegaly: None,
        bm_hemophagocytosis: Some(true),
        nk_activity_low: None,
        molecular_hlh: None,
        last_followup_date: None,
        source: SourceRow {
            file: StudyFile::Patients,
            line: 2,
        },
    };
    Study {
        patients: vec![patient],
        observations: vec![
            observation(2, -1, Analyte::Ferritin, 9000.0, "ug/L"), // day -4 of diagnosis: outside
            observation(3, 0, Analyte::Ferritin, 4000.0, "ug/L"),  // -3: inside
            observation(4, 2, Analyte::Ferritin, 5000.0, "ng/mL"), // -1: the worst inside
            observation(5, 6, Analyte::Ferritin, 3000.0, "ug/L"),  // +3: inside
            observation(6, 7, Analyte::Ferritin, 8000.0, "ug/L"),  // +4: outside
            observation(7, 2, Analyte::Platelets, 150.0, "10*9/L"),
            observation(8, 3, Analyte::Platelets, 90000.0, "/mm3"), // the lowest: 90
            observation(9, 3, Analyte::Temperature, 102.0, "[degF]"),
        ],
        ..Study::default()
    }
}

#[test]
fn the_worst_value_in_the_window_with_its_row() {
    let study = study();
    let findings = Findings::from_patient(&study, PatientIndex(0), (-3, 3));
    assert_eq!(findings.lab(Analyte::Ferritin), Some(5000.0));
    assert_eq!(
        findings
            .lab_value(Analyte::Ferritin)
            .unwrap()
            .source
            .unwrap()
            .line,
        4
    );
    assert_eq!(findings.lab(Analyte::Platelets), Some(90.0));
    assert_eq!(
        findings
            .lab_value(Analyte::Platelets)
            .unwrap()
            .source
            .unwrap()
            .line,
        8
    );
    assert_eq!(
        findings.lab(Analyte::Hemoglobin),
        None,
        "never measured: unknown"
    );
    assert_eq!(findings.splenomegaly, None);
    assert_eq!(findings.sjia, Some(false), "AOSD is listed, sJIA is not");
    assert_eq!(findings.patient_source.unwrap().line, 2);

    // The typed unit survives for the calculators' mode: 102 °F.
    assert_eq!(
        findings.lab_value(Analyte::Temperature).unwrap().as_typed,
        Some((102.0, "[degF]".to_string()))
    );

    let score = hscore(&findings, &HScoreSettings::default());
    let ferritin_item = score
        .items
        .iter()
        .find(|i| i.item.name() == "ferritin")
        .unwrap();
    assert_eq!(
        (ferritin_item.points, ferritin_item.sources[0].line),
        (35, 4)
    );
}
