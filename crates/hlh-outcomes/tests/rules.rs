//! One small hand-built study per rule of docs/analysis-schema.md ("Derivations"), expected values worked out by
//! hand in each test. Day 0 is 2020-03-10 throughout unless a test says otherwise.

use hlh_ingest::{read_study, StudySources};
use hlh_model::Study;
use hlh_outcomes::{analyze, Judgement, PatientEndpoints, Protocol};
use serde_json::Value;

const PATIENTS: &str = "patient_id,sex,age_years,diagnosis_date\nP1,M,45,2020-03-10\n";

/// A study from CSV rows (headers supplied); it must read without errors.
fn study(patients: &str, observations: &str, treatments: &str, events: &str) -> Study {
    let ingested = read_study(&StudySources {
        patients: Some(patients.into()),
        observations: Some(format!("patient_id,time,analyte,value,unit\n{observations}").into()),
        treatments: Some(format!("patient_id,drug,start,end,dose,dose_unit,frequency,route,stop_reason,line\n{treatments}").into()),
        events: Some(format!("patient_id,time,event,detail,grade,drug,led_to_discontinuation,value\n{events}").into()),
        study_toml: None,
    });
    assert!(!ingested.has_errors(), "{:?}", ingested.diagnostics);
    ingested.study
}

/// Temperatures from Day `first` on, one reading a day (°C); `None` leaves a day without a reading.
fn temperatures(patient: &str, first: i8, values: &[Option<f64>]) -> String {
    values
        .iter()
        .enumerate()
        .filter_map(|(i, value)| {
            let day = 10 + first + i as i8;
            value.map(|v| format!("{patient},2020-03-{day:02}T08:00,temperature,{v},Cel\n"))
        })
        .collect()
}

/// CRP and ferritin on Day 0 and Day 7 (falling unless told otherwise).
fn labs(patient: &str, crp: (f64, f64), ferritin: (f64, f64)) -> String {
    format!(
        "{patient},2020-03-10,crp,{},mg/L\n{patient},2020-03-17,crp,{},mg/L\n{patient},2020-03-10,ferritin,{},ug/L\n{patient},2020-03-17,ferritin,{},ug/L\n",
        crp.0, crp.1, ferritin.0, ferritin.1
    )
}

const ANAKINRA: &str = "P1,anakinra,2020-03-10,2020-03-30,100,mg,bid,sc,completed,\n";
const FEBRILE_THEN_RESOLVED: [Option<f64>; 4] = [Some(39.0), Some(39.2), Some(37.0), Some(36.8)]; // days -1..2

fn only_patient(study: &Study, protocol: &Protocol) -> (PatientEndpoints, Value) {
    let analysis = analyze(study, protocol).unwrap();
    (analysis.patients[0].clone(), analysis.cohort_json())
}

fn endpoints(observations: &str, treatments: &str, events: &str) -> PatientEndpoints {
    only_patient(
        &study(PATIENTS, observations, treatments, events),
        &Protocol::default(),
    )
    .0
}

fn good_observations() -> String {
    temperatures("P1", -1, &FEBRILE_THEN_RESOLVED) + &labs("P1", (200.0, 20.0), (5000.0, 2000.0))
}

#[test]
fn a_responder_meets_every_item() {
    let p = endpoints(&good_observations(), ANAKINRA, "");
    // Fever on Days -1 and 0; Days 1 and 2 afebrile: resolution day 1.
    assert_eq!(
        (p.febrile_at_baseline, p.fever_resolution_day),
        (Some(true), Some(1))
    );
    assert_eq!(p.response, Some(true));
    assert_eq!(p.resolution_time, Some((1, true)));
}

#[test]
fn day0_is_the_earliest_start_of_several_index_rows_and_the_unexposed_are_left_out() {
    let patients = format!("{PATIENTS}P2,F,30,2020-03-01\n");
    let treatments = "P1,anakinra,2020-03-12,2020-03-30,,,,,,\nP1,anakinra,2020-03-10T20:00,2020-03-11,,,,,,\nP2,prednisone,2020-03-01,,,,,,,\n";
    let observations = good_observations() + "P2,2020-03-01,crp,10,mg/L\n";
    let analysis = analyze(
        &study(&patients, &observations, treatments, ""),
        &Protocol::default(),
    )
    .unwrap();
    assert_eq!(analysis.patients.len(), 1);
    assert_eq!(analysis.patients[0].day0.to_string(), "2020-03-10");
    let json = analysis.cohort_json();
    let attrition = &json["attrition"][1];
    assert_eq!(
        (
            attrition["remaining"].as_u64(),
            attrition["excluded"].as_u64()
        ),
        (Some(1), Some(1))
    );
    assert_eq!(attrition["excluded_patients"][0], "P2");
    let written: Value = serde_json::from_str(&analysis.json_string()).unwrap();
    let ids: Vec<&Value> = written["patients"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| &p["patient_id"])
        .collect();
    assert_eq!(ids, [&Value::from("P1")]);
}

#[test]
fn no_exposed_patient_is_no_analysis() {
    let study = study(
        PATIENTS,
        "P1,2020-03-10,crp,10,mg/L\n",
        "P1,prednisone,2020-03-10,,,,,,,\n",
        "",
    );
    assert!(analyze(&study, &Protocol::default()).is_err());
}

#[test]
fn day0_and_day7_values_follow_their_windows_and_ties() {
    // CRP on Days -2 and -1 (latest wins: -1); Days 6 and 8 tie for Day 7 (earlier wins: 6);
    // Day 10 is outside [5, 9].
    let observations = temperatures("P1", -1, &FEBRILE_THEN_RESOLVED)
        + "P1,2020-03-08,crp,300,mg/L\nP1,2020-03-09,crp,250,mg/L\nP1,2020-03-16,crp,40,mg/L\nP1,2020-03-18,crp,30,mg/L\nP1,2020-03-20,crp,5,mg/L\n"
        + "P1,2020-03-10,ferritin,5000,ug/L\nP1,2020-03-19,ferritin,900,ug/L\n";
    let p = endpoints(&observations, ANAKINRA, "");
    let crp = p.labs[&hlh_model::Analyte::Crp];
    assert_eq!(
        (crp.day0.unwrap().day, crp.day0.unwrap().value),
        (-1, 250.0)
    );
    assert_eq!((crp.day7.unwrap().day, crp.day7.unwrap().value), (6, 40.0));
    let ferritin = p.labs[&hlh_model::Analyte::Ferritin];
    assert_eq!(
        ferritin.day7.unwrap().day,
        9,
        "the only result in the window"
    );
}

#[test]
fn several_results_on_one_day_collapse_to_the_worst() {
    let observations = temperatures("P1", -1, &FEBRILE_THEN_RESOLVED)
        + "P1,2020-03-10T06:00,crp,150,mg/L\nP1,2020-03-10T18:00,crp,18,mg/dL\nP1,2020-03-17,crp,20,mg/L\n"
        + "P1,2020-03-10T06:00,platelets,90,10*9/L\nP1,2020-03-10T18:00,platelets,70000,/mm3\nP1,2020-03-17,platelets,150,10*9/L\n"
        + "P1,2020-03-10,ferritin,5000,ug/L\nP1,2020-03-17,ferritin,900,ug/L\n";
    let p = endpoints(&observations, ANAKINRA, "");
    // 18 mg/dL = 180 mg/L is the day's maximum CRP; 70000/mm3 = 70 is the day's minimum platelet count.
    assert_eq!(p.labs[&hlh_model::Analyte::Crp].day0.unwrap().value, 180.0);
    assert_eq!(
        p.labs[&hlh_model::Analyte::Platelets].day0.unwrap().value,
        70.0
    );
}

#[test]
fn fever_resolution_edge_cases() {
    let resolution = |values: &[Option<f64>]| {
        let observations =
            temperatures("P1", -1, values) + &labs("P1", (200.0, 20.0), (5000.0, 2000.0));
        let p = endpoints(&observations, ANAKINRA, "");
        (p.febrile_at_baseline, p.fever_resolution_day)
    };
    // Febrile only on Day -1, afebrile Days 0 and 1: resolved on Day 0.
    assert_eq!(
        resolution(&[Some(38.6), Some(37.0), Some(37.2)]),
        (Some(true), Some(0))
    );
    // Fever relapses on Day 2 after an afebrile Day 1: not resolved until Day 3 (Days 3 and 4 afebrile).
    assert_eq!(
        resolution(&[
            Some(39.0),
            Some(38.5),
            Some(37.0),
            Some(38.2),
            Some(37.0),
            Some(36.9)
        ]),
        (Some(true), Some(3))
    );
    // A day without any reading does not break the run: Day 1 afebrile, Day 2 unread -> resolved Day 1.
    assert_eq!(
        resolution(&[Some(39.0), Some(38.5), Some(37.0), None, Some(37.1)]),
        (Some(true), Some(1))
    );
    // 38.0 is a fever (>= 38.0): Day 1 at exactly 38.0 keeps the fever going.
    assert_eq!(
        resolution(&[Some(39.0), Some(39.0), Some(38.0), Some(37.0), Some(37.0)]),
        (Some(true), Some(2))
    );
    // Not febrile at baseline: no resolution day at all.
    assert_eq!(
        resolution(&[Some(37.0), Some(37.2), Some(38.5)]),
        (Some(false), None)
    );
    // No temperature on Days -1 or 0: febrile at baseline unknown.
    assert_eq!(resolution(&[None, None, Some(37.0)]), (None, None));
}

#[test]
fn unknown_baseline_fever_makes_the_response_unknown_not_failed() {
    let observations =
        temperatures("P1", 1, &[Some(37.0)]) + &labs("P1", (200.0, 20.0), (5000.0, 2000.0));
    let p = endpoints(&observations, ANAKINRA, "");
    assert_eq!(p.response_items.fever_resolved, Judgement::NotJudgeable);
    assert_eq!(p.response, None);
}

#[test]
fn a_missing_day7_value_is_unknown_but_a_rise_is_a_failure() {
    let missing = temperatures("P1", -1, &FEBRILE_THEN_RESOLVED)
        + "P1,2020-03-10,crp,200,mg/L\nP1,2020-03-17,crp,20,mg/L\nP1,2020-03-10,ferritin,5000,ug/L\n";
    let p = endpoints(&missing, ANAKINRA, "");
    assert_eq!(
        (p.response_items.ferritin_decreased, p.response),
        (Judgement::NotJudgeable, None)
    );
    // A failed item wins over a missing one.
    let rise = temperatures("P1", -1, &FEBRILE_THEN_RESOLVED)
        + "P1,2020-03-10,crp,200,mg/L\nP1,2020-03-17,crp,200,mg/L\nP1,2020-03-10,ferritin,5000,ug/L\n";
    let p = endpoints(&rise, ANAKINRA, "");
    assert_eq!(
        (p.response_items.crp_decreased, p.response),
        (Judgement::Failed, Some(false)),
        "equal is not a decrease"
    );
    let json = only_patient(
        &study(PATIENTS, &missing, ANAKINRA, ""),
        &Protocol::default(),
    )
    .1;
    assert_eq!(
        (
            json["outcomes"]["response"]["n"].as_u64(),
            json["outcomes"]["response"]["unknown"].as_u64()
        ),
        (Some(0), Some(1))
    );
}

#[test]
fn febrile_patients_not_resolved_by_day7_fail_even_when_readings_stop() {
    // Febrile through Day 3, then no more readings: Day 3 is febrile, so no resolution is found.
    let observations = temperatures(
        "P1",
        -1,
        &[Some(39.0), Some(39.0), Some(38.9), Some(38.5), Some(38.4)],
    ) + &labs("P1", (200.0, 20.0), (5000.0, 2000.0));
    let p = endpoints(&observations, ANAKINRA, "");
    assert_eq!((p.fever_resolution_day, p.response), (None, Some(false)));
    assert_eq!(
        p.resolution_time,
        Some((3, false)),
        "censored at the last temperature"
    );
}

#[test]
fn inefficacy_stops_and_rescue_drugs_within_day7_fail() {
    let stopped = |end: &str| {
        let treatments = format!("P1,anakinra,2020-03-10,{end},,,,,inefficacy,\n");
        endpoints(&good_observations(), &treatments, "")
            .response_items
            .no_inefficacy_or_rescue
    };
    assert_eq!(
        stopped("2020-03-16"),
        Judgement::Failed,
        "stopped on Day 6, before Day 7"
    );
    assert_eq!(
        stopped("2020-03-17"),
        Judgement::Passed,
        "stopped on Day 7 is not before Day 7"
    );
    let rescue = |drug: &str, start: &str| {
        let treatments = format!("{ANAKINRA}P1,{drug},{start},,,,,,,\n");
        endpoints(&good_observations(), &treatments, "")
            .response_items
            .no_inefficacy_or_rescue
    };
    assert_eq!(
        rescue("etoposide", "2020-03-13"),
        Judgement::Failed,
        "Day 3"
    );
    assert_eq!(
        rescue("emapalumab", "2020-03-17"),
        Judgement::Failed,
        "Day 7 is in (0, 7]"
    );
    assert_eq!(
        rescue("ruxolitinib", "2020-03-10"),
        Judgement::Passed,
        "Day 0 is not in (0, 7]"
    );
    assert_eq!(
        rescue("etoposide", "2020-03-18"),
        Judgement::Passed,
        "Day 8"
    );
    assert_eq!(
        rescue("dexamethasone", "2020-03-12"),
        Judgement::Passed,
        "not a rescue drug"
    );
}

#[test]
fn death_on_or_before_day7_fails_the_response() {
    let died = |date: &str| {
        let events = format!("P1,{date},death,,,,,\n");
        let p = endpoints(&good_observations(), ANAKINRA, &events);
        (p.response_items.alive, p.death_day)
    };
    assert_eq!(died("2020-03-15"), (Judgement::Failed, Some(5)));
    assert_eq!(died("2020-03-17"), (Judgement::Failed, Some(7)));
    assert_eq!(died("2020-03-18"), (Judgement::Passed, Some(8)));
    // A febrile patient who never resolves and dies on Day 2 is censored at Day 2 in the Kaplan-Meier.
    let observations = temperatures("P1", -1, &[Some(39.0), Some(39.5), Some(40.0), Some(40.1)])
        + &labs("P1", (200.0, 20.0), (5000.0, 2000.0));
    let p = endpoints(&observations, ANAKINRA, "P1,2020-03-12,death,,,,,\n");
    assert_eq!(p.resolution_time, Some((2, false)));
}

#[test]
fn first_line_and_monotherapy_edge_cases() {
    let lines = |extra: &str, line: &str| {
        let treatments = format!("P1,anakinra,2020-03-10,2020-03-30,,,,,completed,{line}\n{extra}");
        let p = endpoints(&good_observations(), &treatments, "");
        (p.first_line, p.monotherapy)
    };
    assert_eq!(lines("", ""), (true, true));
    // Steroids from Day -1: not first-line, and still running: not monotherapy.
    assert_eq!(
        lines("P1,methylprednisolone,2020-03-09,2020-03-20,,,,,,\n", ""),
        (false, false)
    );
    // Steroids started on Day 0: first-line (not before Day 0) but not monotherapy (during the course).
    assert_eq!(
        lines("P1,prednisone,2020-03-10,2020-03-20,,,,,,\n", ""),
        (true, false)
    );
    // Steroids that ended before Day 0: not first-line, but monotherapy.
    assert_eq!(
        lines("P1,dexamethasone,2020-03-01,2020-03-09,,,,,,\n", ""),
        (false, true)
    );
    // A drug after the course ended does not break monotherapy; a non-HLH-directed drug never does.
    assert_eq!(
        lines(
            "P1,ivig,2020-03-31,2020-04-01,,,,,,\nP1,antimicrobial,2020-03-10,,,,,,,\n",
            ""
        ),
        (true, true)
    );
    // The line column decides when it is filled.
    assert!(
        lines(
            "P1,methylprednisolone,2020-03-09,2020-03-09,,,,,,\n",
            "first"
        )
        .0
    );
    assert!(!lines("", "second").0);
    // An ongoing index course: any later HLH-directed drug overlaps it.
    let treatments = "P1,anakinra,2020-03-10,,,,,,,\nP1,ciclosporin,2020-06-01,,,,,,,\n";
    assert!(!endpoints(&good_observations(), treatments, "").monotherapy);
}

#[test]
fn discontinuation_for_adverse_events_from_either_file() {
    let by_stop_reason = "P1,anakinra,2020-03-10,2020-03-20,,,,,adverse_event,\n";
    assert!(endpoints(&good_observations(), by_stop_reason, "").discontinued_adverse_event);
    let by_event = "P1,2020-03-20,adverse_event,rash,2,anakinra,yes,\n";
    assert!(endpoints(&good_observations(), ANAKINRA, by_event).discontinued_adverse_event);
    let not_led = "P1,2020-03-20,adverse_event,rash,2,anakinra,no,\n";
    assert!(!endpoints(&good_observations(), ANAKINRA, not_led).discontinued_adverse_event);
    let other_drug = "P1,2020-03-20,adverse_event,rash,2,ciclosporin,yes,\n";
    assert!(!endpoints(&good_observations(), ANAKINRA, other_drug).discontinued_adverse_event);
}

#[test]
fn the_recorded_response_takes_the_latest_assessment_in_its_window() {
    let mut protocol = Protocol::default();
    protocol
        .apply(
            &"[response]\nsource = \"recorded\"\n".parse().unwrap(),
            "test",
        )
        .unwrap();
    let recorded = |events: &str| {
        only_patient(
            &study(PATIENTS, &good_observations(), ANAKINRA, events),
            &protocol,
        )
        .0
        .response
    };
    assert_eq!(recorded("P1,2020-03-15,response_assessment,,,,,none\nP1,2020-03-20,response_assessment,,,,,partial\n"), Some(true));
    assert_eq!(recorded("P1,2020-03-15,response_assessment,,,,,complete\nP1,2020-03-20,response_assessment,,,,,none\n"), Some(false));
    assert_eq!(
        recorded("P1,2020-03-30,response_assessment,,,,,complete\n"),
        None,
        "Day 20 is outside [0, 14]"
    );
    assert_eq!(recorded(""), None);
}

#[test]
fn protocol_settings_change_the_derivations() {
    // Days -1..3: 39.0, 39.2, 37.0, 38.3, 37.0. With 2 sustained days Day 1 fails (Day 2 febrile): Day 3.
    // With 1 sustained day, Day 1 alone suffices.
    let observations = temperatures(
        "P1",
        -1,
        &[
            Some(39.0),
            Some(39.2),
            Some(37.0),
            Some(38.3),
            Some(37.0),
            Some(37.0),
        ],
    ) + &labs("P1", (200.0, 20.0), (5000.0, 2000.0));
    let study = study(PATIENTS, &observations, ANAKINRA, "");
    assert_eq!(
        only_patient(&study, &Protocol::default())
            .0
            .fever_resolution_day,
        Some(3)
    );
    let (p, json) = only_patient(&study, &protocol_of("[fever]\nsustained_days = 1\n"));
    assert_eq!(p.fever_resolution_day, Some(1));
    assert_eq!(
        json["protocol"]["fever"]["sustained_days"], 1,
        "the resolved protocol is echoed"
    );
}

#[test]
fn the_same_study_gives_byte_identical_json() {
    let patients = format!("{PATIENTS}P2,F,30,2020-03-10\n");
    let observations = good_observations()
        + &temperatures("P2", -1, &FEBRILE_THEN_RESOLVED)
        + &labs("P2", (120.0, 60.0), (3000.0, 2500.0));
    let treatments = format!("{ANAKINRA}P2,anakinra,2020-03-10,,,,,,,\n");
    let study = study(&patients, &observations, &treatments, "");
    let first = analyze(&study, &Protocol::default()).unwrap().json_string();
    let second = analyze(&study, &Protocol::default()).unwrap().json_string();
    assert_eq!(first, second);
    let parsed: Value = serde_json::from_str(&first).expect("the streamed JSON is valid");
    assert_eq!(parsed["patients"].as_array().unwrap().len(), 2);
}

#[test]
fn a_cohort_large_enough_to_be_split_across_threads_keeps_patient_order_and_values() {
    // 12,000 patients, patient i febrile until Day (i mod 5) − 1: resolution day i mod 5.
    let n = 12_000;
    let mut patients = String::from("patient_id,sex,age_years,diagnosis_date\n");
    let (mut observations, mut treatments) = (String::new(), String::new());
    for i in 0..n {
        let id = format!("Q{i:05}");
        patients.push_str(&format!("{id},M,40,2020-03-10\n"));
        treatments.push_str(&format!("{id},anakinra,2020-03-10,2020-03-30,,,,,,\n"));
        let resolution = i % 5;
        let values: Vec<Option<f64>> = (-1..8)
            .map(|day| Some(if day < resolution as i32 { 39.0 } else { 37.0 }))
            .collect();
        observations.push_str(&temperatures(&id, -1, &values));
    }
    let study = study(&patients, &observations, &treatments, "");
    let analysis = analyze(&study, &Protocol::default()).unwrap();
    assert_eq!(analysis.patients.len(), n);
    for (i, p) in analysis.patients.iter().enumerate() {
        assert_eq!(p.patient_id, format!("Q{i:05}"));
        assert_eq!(
            p.fever_resolution_day,
            Some((i % 5) as i32),
            "{}",
            p.patient_id
        );
    }
}

#[test]
fn ohi_for_everyone_and_mas2016_for_sjia_patients_only() {
    let patients = "patient_id,sex,age_years,diagnosis_date,triggers\nP1,M,12,2020-03-10,sjia\nP2,F,40,2020-03-10,infection\n";
    let observations = good_observations()
        + &temperatures("P2", -1, &FEBRILE_THEN_RESOLVED)
        + &labs("P2", (120.0, 60.0), (3000.0, 2500.0))
        + "P1,2020-03-10,scd25,5000,U/mL\nP1,2020-03-10,platelets,150,10*9/L\nP1,2020-03-10,ast,60,U/L\n";
    let treatments = format!("{ANAKINRA}P2,anakinra,2020-03-10,,,,,,,\n");
    let analysis = analyze(
        &study(patients, &observations, &treatments, ""),
        &Protocol::default(),
    )
    .unwrap();
    let written: Value = serde_json::from_str(&analysis.json_string()).unwrap();
    let (p1, p2) = (&written["patients"][0], &written["patients"][1]);
    // P1: sCD25 5000 > 3900 and ferritin 5000 > 1000 on Day 0 (the diagnosis date): positive.
    assert_eq!(p1["ohi"]["status"], "positive");
    // P1 is febrile (39.2 °C on the diagnosis date), ferritin 5000 > 684, platelets 150 ≤ 181, AST 60 > 48.
    assert_eq!(p1["mas2016"]["status"], "met");
    assert_eq!(p2["ohi"]["status"], "unknown", "no sCD25");
    assert!(p2["mas2016"].is_null(), "not sJIA");
}

#[test]
fn report_material_counts_course_concomitant_drugs_safety_and_daily_medians_by_hand() {
    let patients = format!("{PATIENTS}P2,F,30,2020-03-10\n");
    // P1: anakinra Day 0..Day 20 (21 days), prednisone from Day -3 (during the course), an antimicrobial
    // after the course (not concomitant). P2: anakinra ongoing from Day 0, iv, 2 mg/kg.
    let treatments = format!(
        "{ANAKINRA}P1,prednisone,2020-03-07,2020-03-12,1,mg/kg,qd,po,,\nP1,antimicrobial,2020-04-01,,,,,,,\nP2,anakinra,2020-03-10,,2,mg/kg,q6h,iv,,\n"
    );
    // Adverse events before Day 0 are not counted; two events of one type and grade in one patient
    // count as two events in one patient.
    let events = "P1,2020-03-09,adverse_event,rash,1,,,\nP1,2020-03-12,adverse_event,rash,1,anakinra,no,\nP1,2020-03-14,adverse_event,rash,1,anakinra,no,\nP2,2020-03-11,infection,pneumonia,3,,,\nP2,2020-03-11,icu_admission,,,,,\nP2,2020-03-25,death,,,,,\n";
    // CRP on Day 0: 100 (P1) and 300 (P2): median 200, type-7 quartiles 150 and 250.
    let observations = "P1,2020-03-10,crp,100,mg/L\nP2,2020-03-10,crp,300,mg/L\nP2,2020-03-10T18:00,crp,250,mg/L\n";
    let analysis = analyze(
        &study(&patients, observations, &treatments, events),
        &Protocol::default(),
    )
    .unwrap();
    let json = &analysis.cohort_json();
    let baseline = &json["baseline"];
    assert_eq!(baseline["index_drug"]["route"]["sc"]["count"], 1);
    assert_eq!(baseline["index_drug"]["route"]["iv"]["proportion"], 0.5);
    assert_eq!(baseline["index_drug"]["first_dose"]["mg"]["median"], 100.0);
    assert_eq!(baseline["index_drug"]["first_dose"]["mg/kg"]["median"], 2.0);
    assert_eq!(baseline["index_drug"]["duration_days"]["n"], 1);
    assert_eq!(baseline["index_drug"]["duration_days"]["median"], 21.0);
    assert_eq!(baseline["index_drug"]["ongoing"]["count"], 1);
    assert_eq!(baseline["concomitant"]["drugs"]["prednisone"]["count"], 1);
    assert!(baseline["concomitant"]["drugs"]
        .get("antimicrobial")
        .is_none());
    assert_eq!(baseline["concomitant"]["corticosteroids_any"]["count"], 1);
    assert_eq!(baseline["labs_day0"]["crp"]["summary"]["median"], 200.0);
    let safety = &json["outcomes"]["safety"];
    assert_eq!(safety["adverse_events"]["events"], 2);
    assert_eq!(safety["adverse_events"]["patients"]["count"], 1);
    assert_eq!(
        safety["adverse_events"]["by_type"][0],
        serde_json::json!({"type": "rash", "grade": 1, "events": 2, "patients": 1})
    );
    assert_eq!(safety["infections"]["patients"]["count"], 1);
    assert_eq!(safety["icu_admission"]["count"], 1);
    assert_eq!(safety["deaths"]["count"], 1);
    let crp_days = &json["outcomes"]["trajectories"]["analytes"]["crp"]["days"];
    assert_eq!(
        crp_days[0],
        serde_json::json!({"day": 0, "n": 2, "median": 200.0, "q1": 150.0, "q3": 250.0})
    );
    let p2 = analysis.patient_json(&analysis.patients[1]);
    assert_eq!(p2["timeline"]["events"][2]["event"], "death");
    assert_eq!(p2["timeline"]["events"][2]["day"], 15);
    assert_eq!(p2["course"]["last_day"], Value::Null);
    assert_eq!(p2["trajectories"]["crp"][0]["value"], 300.0);
}

/// Items (b) and (c) with a required fall: CRP 200 → 110 is a 45 % fall, ferritin 5000 → 4000 a 20 %
/// fall; both pass "any fall" and fail 50 % and 25 %. A Day-7 CRP of 8 mg/L passes (b) when CRP below
/// 10 mg/L counts as normalised, whatever the fall.
#[test]
fn a_required_fall_and_a_normal_crp_decide_items_b_and_c() {
    let observations = temperatures("P1", -1, &FEBRILE_THEN_RESOLVED)
        + &labs("P1", (200.0, 110.0), (5000.0, 4000.0));
    let study = study(PATIENTS, &observations, ANAKINRA, "");
    let any_fall = only_patient(&study, &Protocol::default()).0;
    assert_eq!(
        (
            any_fall.response_items.crp_decreased,
            any_fall.response_items.ferritin_decreased,
            any_fall.response
        ),
        (Judgement::Passed, Judgement::Passed, Some(true))
    );
    let mut strict = Protocol::default();
    strict
        .apply(
            &"[response]\ncrp_fall_percent = 50\nferritin_fall_percent = 25\n"
                .parse()
                .unwrap(),
            "p.toml",
        )
        .unwrap();
    let p = only_patient(&study, &strict).0;
    assert_eq!(
        (
            p.response_items.crp_decreased,
            p.response_items.ferritin_decreased,
            p.response
        ),
        (Judgement::Failed, Judgement::Failed, Some(false))
    );
    // Exactly the required fall passes: 200 → 100 is 50 %.
    let observations = temperatures("P1", -1, &FEBRILE_THEN_RESOLVED)
        + &labs("P1", (200.0, 100.0), (5000.0, 3750.0));
    let p = only_patient(&study_of(&observations), &strict).0;
    assert_eq!(p.response, Some(true));
    // A normalised CRP passes (b) with a small fall, not below the limit it does not.
    let observations =
        temperatures("P1", -1, &FEBRILE_THEN_RESOLVED) + &labs("P1", (12.0, 8.0), (5000.0, 2000.0));
    strict
        .apply(
            &"[response]\ncrp_normal_below = 10\n".parse().unwrap(),
            "p.toml",
        )
        .unwrap();
    let p = only_patient(&study_of(&observations), &strict).0;
    assert_eq!(p.response_items.crp_decreased, Judgement::Passed);
    let observations = temperatures("P1", -1, &FEBRILE_THEN_RESOLVED)
        + &labs("P1", (12.0, 10.0), (5000.0, 2000.0));
    let p = only_patient(&study_of(&observations), &strict).0;
    assert_eq!(p.response_items.crp_decreased, Judgement::Failed);
    // The percent change of every lab is in the patient's JSON: 12 → 10 is −16.67 %.
    let analysis = analyze(&study_of(&observations), &strict).unwrap();
    let json = analysis.patient_json(&analysis.patients[0]);
    let change = json["labs"]["crp"]["percent_change"].as_f64().unwrap();
    assert!((change - (-100.0 / 6.0)).abs() < 1e-12, "{change}");
}

fn study_of(observations: &str) -> Study {
    study(PATIENTS, observations, ANAKINRA, "")
}

/// With the recorded response, a patient who died on Day 5 is a failure (not left out for want of an
/// assessment), and so is one given etoposide on Day 3 whom the clinician called a complete response.
#[test]
fn death_or_rescue_fails_a_recorded_response() {
    let mut recorded = Protocol::default();
    recorded
        .apply(
            &"[response]\nsource = \"recorded\"\n".parse().unwrap(),
            "p.toml",
        )
        .unwrap();
    let died = study(
        PATIENTS,
        &good_observations(),
        ANAKINRA,
        "P1,2020-03-15,death,,,,,\n",
    );
    let (p, cohort) = only_patient(&died, &recorded);
    assert_eq!(p.response, Some(false));
    assert_eq!(
        (
            cohort["outcomes"]["response"]["n"].as_u64(),
            cohort["outcomes"]["response"]["unknown"].as_u64()
        ),
        (Some(1), Some(0))
    );
    let rescued = study(
        PATIENTS,
        &good_observations(),
        &format!("{ANAKINRA}P1,etoposide,2020-03-13,2020-03-14,,,,,,\n"),
        "P1,2020-03-17,response_assessment,,,,,complete\n",
    );
    assert_eq!(only_patient(&rescued, &recorded).0.response, Some(false));
    // Without death or rescue, the clinician's word stands.
    let assessed = study(
        PATIENTS,
        &good_observations(),
        ANAKINRA,
        "P1,2020-03-17,response_assessment,,,,,partial\n",
    );
    assert_eq!(only_patient(&assessed, &recorded).0.response, Some(true));
}

/// The intention-to-treat share counts every analysed patient, an unjudgeable response as a failure:
/// P1 responds, P2 has no CRP (unknown): 1/1 judgeable, 1/2 intention to treat.
#[test]
fn the_intention_to_treat_share_counts_the_unknown_as_failures() {
    let patients = format!("{PATIENTS}P2,F,30,2020-03-10\n");
    let observations = good_observations()
        + &temperatures("P2", -1, &FEBRILE_THEN_RESOLVED)
        + "P2,2020-03-10,ferritin,5000,ug/L\nP2,2020-03-17,ferritin,2000,ug/L\n";
    let treatments = format!("{ANAKINRA}P2,anakinra,2020-03-10,2020-03-30,,,,,,\n");
    let study = study(&patients, &observations, &treatments, "");
    let mut itt = Protocol::default();
    let analysis = analyze(&study, &itt).unwrap();
    assert_eq!(analysis.cohort.outcomes.response_intention_to_treat, None);
    itt.apply(
        &"[response]\nunknown_as_failure = true\n".parse().unwrap(),
        "p.toml",
    )
    .unwrap();
    let analysis = analyze(&study, &itt).unwrap();
    let response = &analysis.cohort.outcomes.response.responders;
    assert_eq!((response.count, response.n), (1, 1));
    let intention = analysis
        .cohort
        .outcomes
        .response_intention_to_treat
        .unwrap();
    assert_eq!(
        (intention.count, intention.n, intention.patients),
        (1, 2, vec![0])
    );
}

/// The geometric mean ratio Day 7 / Day 0 and its paired t-test on the logarithms, against scipy
/// (tools/refgen/log_ratio_reference.py → tests/fixtures/log_ratio.json, with its exact call).
#[test]
fn the_geometric_mean_ratio_agrees_with_scipy() {
    // scipy prints 16 or 17 significant digits; the log, exp and t quantile differ in the last ones.
    const SPECIAL_FUNCTIONS: f64 = 1e-9;
    let fixture: Value = serde_json::from_str(include_str!("fixtures/log_ratio.json")).unwrap();
    for case in fixture["cases"].as_array().unwrap() {
        let numbers = |key: &str| -> Vec<f64> {
            case[key]
                .as_array()
                .unwrap()
                .iter()
                .map(|v| v.as_f64().unwrap())
                .collect()
        };
        let (day0, day7) = (numbers("day0"), numbers("day7"));
        let mut patients = String::from("patient_id,sex,age_years,diagnosis_date\n");
        let (mut observations, mut treatments) = (String::new(), String::new());
        for (i, (before, after)) in day0.iter().zip(&day7).enumerate() {
            patients += &format!("P{i},F,50,2020-03-10\n");
            observations += &format!(
                "P{i},2020-03-10,ferritin,{before},ug/L\nP{i},2020-03-17,ferritin,{after},ug/L\n"
            );
            treatments += &format!("P{i},anakinra,2020-03-10,2020-03-30,,,,,,\n");
        }
        let analysis = analyze(
            &study(&patients, &observations, &treatments, ""),
            &Protocol::default(),
        )
        .unwrap();
        let ratio = analysis.cohort.outcomes.labs.0[0].1.ratio.unwrap();
        let close = |actual: f64, expected: &Value, what: &str| {
            let expected = expected.as_f64().unwrap();
            assert!(
                (actual - expected).abs() <= SPECIAL_FUNCTIONS * expected.abs(),
                "{} {what}: {actual} against scipy {expected}",
                case["name"]
            );
        };
        close(
            ratio.geometric_mean_ratio.unwrap(),
            &case["geometric_mean_ratio"],
            "ratio",
        );
        let [low, high] = ratio.ci95.unwrap();
        close(low.unwrap(), &case["ci95"][0], "lower bound");
        close(high.unwrap(), &case["ci95"][1], "upper bound");
        close(ratio.p_value.unwrap(), &case["p_value"], "p");
    }
}

/// Who is missing from the pairs and why: P1 has both values, P2 only Day 0, P3 only Day 7; the median
/// percent change is P1's.
#[test]
fn patients_missing_from_the_pairs_are_named_with_what_they_lack() {
    let patients = format!("{PATIENTS}P2,F,30,2020-03-10\nP3,F,31,2020-03-10\n");
    let observations = "P1,2020-03-10,crp,200,mg/L\nP1,2020-03-17,crp,50,mg/L\nP2,2020-03-10,crp,100,mg/L\nP3,2020-03-17,crp,30,mg/L\n";
    let treatments = format!(
        "{ANAKINRA}P2,anakinra,2020-03-10,2020-03-30,,,,,,\nP3,anakinra,2020-03-10,2020-03-30,,,,,,\n"
    );
    let analysis = analyze(
        &study(&patients, observations, &treatments, ""),
        &Protocol::default(),
    )
    .unwrap();
    let crp = &analysis.cohort.outcomes.labs.0[0].1;
    assert_eq!(crp.n_pairs.patients, [0]);
    assert_eq!(
        (
            &crp.missing.no_day7.patients,
            &crp.missing.no_day0.patients,
            crp.missing.neither.count()
        ),
        (&vec![1], &vec![2], 0)
    );
    assert_eq!(crp.median_percent_change, Some(-75.0));
    // One pair: no t-test, so no ratio; the Hodges–Lehmann interval of a single difference is that
    // difference (R: wilcox.test(50, 200, paired = TRUE, conf.int = TRUE), with its warning that the
    // level is not achievable).
    assert_eq!(crp.ratio, None);
    assert_eq!(
        crp.difference.hodges_lehmann_ci95,
        Some([Some(-150.0), Some(-150.0)])
    );
}

/// Co-interventions: IVIG started on Day 3 and a methylprednisolone pulse on Day 2 are new; prednisone
/// running since Day −2 is background, and so is an antimicrobial (not HLH- or disease-directed);
/// R-CHOP (chemotherapy) on Day 7 counts, on Day 8 it is after the response day. Flagged by default,
/// they fail item (e) with `response.co_interventions = "fail"`.
#[test]
fn co_interventions_are_flagged_or_fail_the_response() {
    let treatments = format!(
        "{ANAKINRA}P1,prednisone,2020-03-08,2020-03-20,,,,,,\nP1,ivig,2020-03-13,2020-03-14,,,,,,\nP1,methylprednisolone,2020-03-12,2020-03-12,,,,,,\nP1,antimicrobial,2020-03-12,,,,,,,\nP1,R-CHOP,2020-03-17,2020-03-17,,,,,,\nP1,chemotherapy,2020-03-18,,,,,,,\n"
    );
    let study = study(PATIENTS, &good_observations(), &treatments, "");
    let (p, cohort) = only_patient(&study, &Protocol::default());
    let listed: Vec<(hlh_model::Drug, i32)> = p
        .co_interventions
        .iter()
        .map(|t| (t.drug, t.start_day))
        .collect();
    assert_eq!(
        listed,
        [
            (hlh_model::Drug::Methylprednisolone, 2),
            (hlh_model::Drug::Ivig, 3),
            (hlh_model::Drug::Chemotherapy, 7)
        ]
    );
    assert_eq!(p.response, Some(true), "flagged, not failed");
    let with = &cohort["outcomes"]["responders_with_co_interventions"];
    assert_eq!(
        (with["count"].as_u64(), with["n"].as_u64()),
        (Some(1), Some(1))
    );
    let sensitivity = cohort["outcomes"]["response_sensitivity"]
        .as_array()
        .unwrap();
    let failing = sensitivity
        .iter()
        .find(|row| row["definition"] == "co_interventions_fail")
        .unwrap();
    assert_eq!(failing["responders"]["count"].as_u64(), Some(0));
    let mut fail = Protocol::default();
    fail.apply(
        &"[response]\nco_interventions = \"fail\"\n".parse().unwrap(),
        "p.toml",
    )
    .unwrap();
    let p = only_patient(&study, &fail).0;
    assert_eq!(
        (p.response_items.no_inefficacy_or_rescue, p.response),
        (Judgement::Failed, Some(false))
    );
}

/// A Day-7 value drawn after a rescue drug started (etoposide on Day 3) is kept by default and left out
/// of the pairs with `days.day7_after_rescue = "exclude"`, and counted as such; the response fails
/// either way (item (e)).
#[test]
fn a_day7_value_after_rescue_can_be_left_out_of_the_pairs() {
    let treatments = format!("{ANAKINRA}P1,etoposide,2020-03-13,2020-03-14,,,,,,\n");
    let study = study(PATIENTS, &good_observations(), &treatments, "");
    let kept = analyze(&study, &Protocol::default()).unwrap();
    assert_eq!(kept.patients[0].rescue_day, Some(3));
    assert_eq!(kept.patients[0].response, Some(false));
    let crp = kept
        .cohort
        .outcomes
        .labs
        .get(&hlh_model::Analyte::Crp)
        .unwrap();
    assert_eq!(
        (crp.n_pairs.count(), crp.missing.after_rescue.count()),
        (1, 0)
    );
    let mut exclude = Protocol::default();
    exclude
        .apply(
            &"[days]\nday7_after_rescue = \"exclude\"\n".parse().unwrap(),
            "p.toml",
        )
        .unwrap();
    let excluded = analyze(&study, &exclude).unwrap();
    let crp = excluded
        .cohort
        .outcomes
        .labs
        .get(&hlh_model::Analyte::Crp)
        .unwrap();
    assert_eq!(
        (
            crp.n_pairs.count(),
            crp.missing.after_rescue.patients.clone()
        ),
        (0, vec![0])
    );
    assert_eq!(excluded.patients[0].response, Some(false));
}

/// Safety: the course ends on Day 20 (2020-03-30); with the default window of 30 days, an adverse event
/// on Day 50 counts and one on Day 51 does not; an ICU admission on Day −1 is baseline severity, one on
/// Day 2 is safety; a relapse on Day 40 is 20 days after the last dose.
#[test]
fn safety_counts_in_its_window_and_an_icu_stay_before_day0_is_baseline() {
    let events = "P1,2020-04-29,adverse_event,rash,2,anakinra,no,\nP1,2020-04-30,adverse_event,neutropenia,3,anakinra,no,\nP1,2020-03-09,icu_admission,,,,,\nP1,2020-04-19,relapse,,,,,\n";
    let study = study(PATIENTS, &good_observations(), ANAKINRA, events);
    let analysis = analyze(&study, &Protocol::default()).unwrap();
    let p = &analysis.patients[0];
    assert_eq!(p.safety_window_end, Some(50));
    let safety = &analysis.cohort.outcomes.safety;
    let types: Vec<&str> = safety
        .adverse_events
        .by_type
        .iter()
        .map(|t| t.name.as_str())
        .collect();
    assert_eq!((safety.adverse_events.events, types), (1, vec!["rash"]));
    assert_eq!(safety.icu_admission.count, 0);
    assert_eq!(analysis.cohort.baseline.icu_before_day0.count, 1);
    let relapse = &analysis.cohort.outcomes.relapse_after_stop;
    assert_eq!(
        (
            relapse.patients.count,
            relapse.patients.n,
            relapse.days_after_stop.median
        ),
        (1, 1, Some(20.0))
    );
    // A window of 31 days takes the neutropenia in.
    let analysis = analyze(&study, &protocol_of("[safety]\nwindow = 31\n")).unwrap();
    assert_eq!(analysis.cohort.outcomes.safety.adverse_events.events, 2);
}

/// A result written with a comparator (`>40000`) is taken at its number and its pair is counted, so the
/// report can footnote it: P1's Day-0 ferritin is ">40000", P2's values are plain.
#[test]
fn pairs_with_a_censored_result_are_counted() {
    let patients = format!("{PATIENTS}P2,F,30,2020-03-10\n");
    let observations = "P1,2020-03-10,ferritin,>40000,ug/L\nP1,2020-03-17,ferritin,10000,ug/L\nP2,2020-03-10,ferritin,5000,ug/L\nP2,2020-03-17,ferritin,2000,ug/L\n";
    let treatments = format!("{ANAKINRA}P2,anakinra,2020-03-10,2020-03-30,,,,,,\n");
    let analysis = analyze(
        &study(&patients, observations, &treatments, ""),
        &Protocol::default(),
    )
    .unwrap();
    let ferritin = analysis
        .cohort
        .outcomes
        .labs
        .get(&hlh_model::Analyte::Ferritin)
        .unwrap();
    assert_eq!(ferritin.censored_pairs.patients, [0]);
    assert_eq!(ferritin.day0.max, Some(40000.0), "taken at its number");
}

/// Death competes with resolution: P1 resolves on Day 1, P2 dies febrile on Day 2, P3 resolves on Day 4.
/// Aalen–Johansen: 1/3 at Day 1, then S = 2/3 × 1/2 = 1/3 after the death, + 1/3 at Day 4 = 2/3; the
/// Kaplan–Meier, censoring P2, reaches 1 − S = 1 at Day 4 (worked out by hand).
#[test]
fn death_competes_with_fever_resolution() {
    let patients = format!("{PATIENTS}P2,F,30,2020-03-10\nP3,F,31,2020-03-10\n");
    let febrile = |patient: &str, days: i8| {
        let mut values = vec![Some(39.0); days as usize + 2];
        values.extend([Some(37.0), Some(36.8)]);
        temperatures(patient, -1, &values)
    };
    let observations = temperatures("P1", -1, &FEBRILE_THEN_RESOLVED)
        + &temperatures("P2", -1, &[Some(39.0); 4])
        + &febrile("P3", 3);
    let treatments = format!(
        "{ANAKINRA}P2,anakinra,2020-03-10,2020-03-12,,,,,,\nP3,anakinra,2020-03-10,2020-03-30,,,,,,\n"
    );
    let events = "P2,2020-03-12,death,,,,,\n";
    let analysis = analyze(
        &study(&patients, &observations, &treatments, events),
        &Protocol::default(),
    )
    .unwrap();
    let days: Vec<Option<i32>> = analysis
        .patients
        .iter()
        .map(|p| p.fever_resolution_day)
        .collect();
    assert_eq!(days, [Some(1), None, Some(4)]);
    let fever = &analysis.cohort.outcomes.fever_resolution;
    let competing = &fever.competing_death;
    let incidence: Vec<(f64, f64)> = competing
        .table
        .iter()
        .map(|r| (r.time, r.incidence))
        .collect();
    let third = 1.0 / 3.0;
    assert_eq!(incidence.len(), 3);
    for ((time, value), (want_time, want)) in
        incidence
            .iter()
            .zip([(1.0, third), (2.0, third), (4.0, 2.0 * third)])
    {
        assert_eq!(*time, want_time);
        assert!((value - want).abs() < 1e-12, "{value} against {want}");
    }
    assert!((competing.incidence_by_day.unwrap() - 2.0 * third).abs() < 1e-12);
    let km_last = fever.km.table.last().unwrap();
    assert_eq!((km_last.time, km_last.survival), (4.0, 0.0));
}

/// A protocol from TOML text over the defaults.
fn protocol_of(toml: &str) -> Protocol {
    let mut protocol = Protocol::default();
    protocol.apply(&toml.parse().unwrap(), "test").unwrap();
    protocol
}

#[test]
fn on_the_clock_the_baseline_is_the_24_hours_before_the_first_dose_and_resolution_follows_it() {
    // First dose Day 0 at 10:00. 39.5 at 22:00 on Day −1 (12 h before); 37.0 at 07:00 on Day 0, before
    // the dose; then 37.1, 36.9, 37.0 at 08:00 on Days 1–3.
    // By dates: febrile (Day −1), resolved on Day 0 (Days 0 and 1 afebrile) — by a reading before the dose.
    // On the clock: febrile, resolved by the first reading after the dose, Day 1 at 08:00, 22 hours in.
    let observations = "P1,2020-03-09T22:00,temperature,39.5,Cel\nP1,2020-03-10T07:00,temperature,37.0,Cel\nP1,2020-03-11T08:00,temperature,37.1,Cel\nP1,2020-03-12T08:00,temperature,36.9,Cel\nP1,2020-03-13T08:00,temperature,37.0,Cel\n".to_string()
        + &labs("P1", (200.0, 20.0), (5000.0, 2000.0));
    let timed_dose = "P1,anakinra,2020-03-10T10:00,2020-03-30,100,mg,bid,sc,completed,\n";
    let study = study(PATIENTS, &observations, timed_dose, "");
    let by_dates = only_patient(&study, &Protocol::default()).0;
    assert_eq!(
        (by_dates.febrile_at_baseline, by_dates.fever_resolution_day),
        (Some(true), Some(0))
    );
    assert_eq!(
        (by_dates.fever_resolution_hours, by_dates.fever_on_clock),
        (None, false)
    );
    let clock = protocol_of("[fever]\ntiming = \"clock\"\n");
    let (on_clock, json) = only_patient(&study, &clock);
    assert_eq!(
        (on_clock.febrile_at_baseline, on_clock.fever_resolution_day),
        (Some(true), Some(1))
    );
    assert_eq!(on_clock.fever_resolution_hours, Some(22.0));
    assert!(on_clock.fever_on_clock);
    assert_eq!(on_clock.resolution_time, Some((1, true)));
    let fever = &json["outcomes"]["fever_resolution"];
    assert_eq!(
        (
            fever["on_clock"].as_u64(),
            fever["hours"]["median"].as_f64()
        ),
        (Some(1), Some(22.0))
    );
    assert_eq!(json["protocol"]["fever"]["timing"], "clock");

    // A fever 30 hours before the dose is outside the baseline; a reading at the very time of the dose
    // is inside it.
    let early = "P1,2020-03-09T04:00,temperature,39.5,Cel\nP1,2020-03-10T07:00,temperature,37.0,Cel\nP1,2020-03-11T08:00,temperature,37.1,Cel\n".to_string()
        + &labs("P1", (200.0, 20.0), (5000.0, 2000.0));
    let p = only_patient(&self::study(PATIENTS, &early, timed_dose, ""), &clock).0;
    assert_eq!(
        (p.febrile_at_baseline, p.fever_resolution_day),
        (Some(false), None)
    );
    let at_dose = "P1,2020-03-10T10:00,temperature,38.4,Cel\nP1,2020-03-10T16:00,temperature,37.0,Cel\nP1,2020-03-11T08:00,temperature,37.1,Cel\n".to_string()
        + &labs("P1", (200.0, 20.0), (5000.0, 2000.0));
    let p = only_patient(&self::study(PATIENTS, &at_dose, timed_dose, ""), &clock).0;
    assert_eq!(
        (
            p.febrile_at_baseline,
            p.fever_resolution_day,
            p.fever_resolution_hours
        ),
        (Some(true), Some(0), Some(6.0))
    );
}

#[test]
fn without_clock_times_for_the_dose_or_a_temperature_the_clock_setting_judges_by_dates() {
    let clock = protocol_of("[fever]\ntiming = \"clock\"\n");
    // The dose has a date only.
    let study_dated = study(PATIENTS, &good_observations(), ANAKINRA, "");
    let by_dates = only_patient(&study_dated, &Protocol::default()).0;
    let p = only_patient(&study_dated, &clock).0;
    assert!(!p.fever_on_clock);
    assert_eq!(
        (p.febrile_at_baseline, p.fever_resolution_day),
        (by_dates.febrile_at_baseline, by_dates.fever_resolution_day)
    );
    // The dose has a time, but a Day-0 temperature has none: it cannot be placed before or after.
    let untimed = "P1,2020-03-09T22:00,temperature,39.5,Cel\nP1,2020-03-10,temperature,37.0,Cel\nP1,2020-03-11T08:00,temperature,37.1,Cel\n".to_string()
        + &labs("P1", (200.0, 20.0), (5000.0, 2000.0));
    let timed_dose = "P1,anakinra,2020-03-10T10:00,2020-03-30,100,mg,bid,sc,completed,\n";
    let p = only_patient(&study(PATIENTS, &untimed, timed_dose, ""), &clock).0;
    assert!(!p.fever_on_clock);
    assert_eq!(
        p.fever_resolution_day,
        Some(0),
        "by dates: Days 0 and 1 afebrile"
    );
}

#[test]
fn a_fever_after_resolution_is_counted_and_can_fail_item_a() {
    // Days −1..7: 39, 39, 37, 37, 38.5, 37, 37, 37, 37: resolved on Day 1, fever again on Day 3.
    let recurring = [39.0, 39.0, 37.0, 37.0, 38.5, 37.0, 37.0, 37.0, 37.0].map(Some);
    let observations =
        temperatures("P1", -1, &recurring) + &labs("P1", (200.0, 20.0), (5000.0, 2000.0));
    let study_recurring = study(PATIENTS, &observations, ANAKINRA, "");
    let (p, json) = only_patient(&study_recurring, &Protocol::default());
    assert_eq!(
        (p.fever_resolution_day, p.fever_recurred),
        (Some(1), Some(true))
    );
    assert_eq!(
        (p.response_items.fever_resolved, p.response),
        (Judgement::Passed, Some(true)),
        "by default a recurrence is counted, not failed"
    );
    assert_eq!(json["outcomes"]["fever_resolution"]["recurred"], 1);
    let analysis = analyze(&study_recurring, &Protocol::default()).unwrap();
    assert_eq!(
        analysis.patient_json(&analysis.patients[0])["fever_recurred"],
        true
    );
    let (p, _) = only_patient(
        &study_recurring,
        &protocol_of("[fever]\nrecurrence = \"fail\"\n"),
    );
    assert_eq!(
        (p.response_items.fever_resolved, p.response),
        (Judgement::Failed, Some(false))
    );
    // A fever on Day 8, after the day the fever is judged, is no recurrence.
    let late = [39.0, 39.0, 37.0, 37.0, 37.0, 37.0, 37.0, 37.0, 37.0, 38.6].map(Some);
    let observations = temperatures("P1", -1, &late) + &labs("P1", (200.0, 20.0), (5000.0, 2000.0));
    let p = only_patient(
        &study(PATIENTS, &observations, ANAKINRA, ""),
        &protocol_of("[fever]\nrecurrence = \"fail\"\n"),
    )
    .0;
    assert_eq!((p.fever_recurred, p.response), (Some(false), Some(true)));
}

#[test]
fn a_reading_on_every_day_of_the_run_can_be_required() {
    // Days −1..4: 39, 39, 37, none, 37, 37. By default Day 1 resolves (Day 2 unread does not break the
    // run); with a reading required on each day, Day 1's run lacks Day 2, and Day 3 resolves.
    let observations = temperatures(
        "P1",
        -1,
        &[
            Some(39.0),
            Some(39.0),
            Some(37.0),
            None,
            Some(37.0),
            Some(37.0),
        ],
    ) + &labs("P1", (200.0, 20.0), (5000.0, 2000.0));
    let gappy = study(PATIENTS, &observations, ANAKINRA, "");
    assert_eq!(
        only_patient(&gappy, &Protocol::default())
            .0
            .fever_resolution_day,
        Some(1)
    );
    let every_day = protocol_of("[fever]\nreading_every_day = true\n");
    assert_eq!(
        only_patient(&gappy, &every_day).0.fever_resolution_day,
        Some(3)
    );
    // The last reading cannot start a run that needs a reading on the day after it.
    let observations = temperatures("P1", -1, &[Some(39.0), Some(39.0), Some(37.0)])
        + &labs("P1", (200.0, 20.0), (5000.0, 2000.0));
    let p = only_patient(&study(PATIENTS, &observations, ANAKINRA, ""), &every_day).0;
    assert_eq!(
        (p.fever_resolution_day, p.resolution_time),
        (None, Some((1, false)))
    );
}

#[test]
fn an_inclusion_by_diagnosis_adds_an_attrition_step_and_the_outcomes_without_it() {
    // HLH-2004 on the data given: P1 fever ≥ 38.5 °C and ferritin ≥ 500 (2 criteria met); P2 neither
    // (38.2 °C, ferritin 400: 0 met); P3 ferritin only (1 met). All three respond.
    let patients = format!("{PATIENTS}P2,F,30,2020-03-10\nP3,F,31,2020-03-10\n");
    let low_fever = [38.2, 38.1, 37.0, 36.8].map(Some);
    let observations = good_observations()
        + &temperatures("P2", -1, &low_fever)
        + &labs("P2", (200.0, 20.0), (400.0, 300.0))
        + &temperatures("P3", -1, &low_fever)
        + &labs("P3", (200.0, 20.0), (5000.0, 2000.0));
    let treatments = format!(
        "{ANAKINRA}P2,anakinra,2020-03-10,2020-03-30,,,,,,\nP3,anakinra,2020-03-10,2020-03-30,,,,,,\n"
    );
    let study = study(&patients, &observations, &treatments, "");
    let everyone = analyze(&study, &Protocol::default()).unwrap();
    let met: Vec<usize> = everyone.patients.iter().map(|p| p.hlh2004.met).collect();
    assert_eq!(met, [2, 0, 1]);
    assert!(everyone.cohort.outcomes.inclusion_sensitivity.is_none());

    let analysis = analyze(&study, &protocol_of("[inclusion]\nhlh2004_min = 2\n")).unwrap();
    let ids: Vec<&str> = analysis
        .patients
        .iter()
        .map(|p| p.patient_id.as_str())
        .collect();
    assert_eq!(ids, ["P1"]);
    let step = analysis.cohort.attrition.last().unwrap();
    assert_eq!((step.remaining, step.excluded), (1, 2));
    assert_eq!(
        step.excluded_patients.as_deref(),
        Some(&["P2".to_string(), "P3".to_string()][..])
    );
    // Six criteria are unknown for P2 and P3 (no spleen, blood counts, marrow, NK, sCD25 or
    // triglycerides recorded): either could reach 2 had they been known.
    assert_eq!(step.reachable_through_unknown, Some(2));
    let sensitivity = analysis
        .cohort
        .outcomes
        .inclusion_sensitivity
        .as_ref()
        .unwrap();
    let with = &sensitivity.with_inclusion;
    let without = &sensitivity.without_inclusion;
    assert_eq!(
        (with.n_patients, with.response.count, with.response.n),
        (1, 1, 1)
    );
    assert_eq!(
        (
            without.n_patients,
            without.response.count,
            without.response.n
        ),
        (3, 3, 3)
    );
    // P2 and P3 are not febrile by HLH-2004's 38.5 °C but are by the analysis' 38.0 °C.
    assert_eq!(
        (
            without.fever_resolved_by_day.count,
            without.fever_resolved_by_day.n
        ),
        (3, 3)
    );

    // HScore on the data given: P1 33 (39.2 °C) + 35 (ferritin 5000) = 68; P2 0; P3 35.
    let scores: Vec<u32> = everyone.patients.iter().map(|p| p.hscore.score).collect();
    assert_eq!(scores, [68, 0, 35]);
    let analysis = analyze(&study, &protocol_of("[inclusion]\nhscore_min = 35\n")).unwrap();
    let ids: Vec<&str> = analysis
        .patients
        .iter()
        .map(|p| p.patient_id.as_str())
        .collect();
    assert_eq!(ids, ["P1", "P3"], "exactly the threshold includes");
    assert_eq!(
        analysis.cohort.attrition.last().unwrap().step,
        "HScore ≥ 35 on the data given"
    );

    // Nobody with 3 criteria: no patient to analyse, said as such.
    let error = analyze(&study, &protocol_of("[inclusion]\nhlh2004_min = 3\n")).unwrap_err();
    assert!(
        error.to_string().contains("inclusion.hlh2004_min"),
        "{error}"
    );
}

#[test]
fn the_daily_dose_of_the_course_its_maximum_per_kilogram_and_escalation() {
    // P1 (70 kg): 100 mg qd on Days 0–2, then 100 mg q6h: 100 then 400 mg/day, escalated, 400/70 mg/kg.
    // P2 (no weight): 2 mg/kg bid: the daily dose in mg cannot be worked out.
    let patients = "patient_id,sex,age_years,diagnosis_date,weight_kg\nP1,M,45,2020-03-10,70\nP2,F,30,2020-03-10,\n";
    let observations = good_observations()
        + &temperatures("P2", -1, &FEBRILE_THEN_RESOLVED)
        + &labs("P2", (200.0, 20.0), (5000.0, 2000.0));
    let treatments = "P1,anakinra,2020-03-10,2020-03-12,100,mg,qd,sc,,\nP1,anakinra,2020-03-13,2020-03-30,100,mg,q6h,iv,completed,\nP2,anakinra,2020-03-10,2020-03-30,2,mg/kg,bid,sc,completed,\n";
    let analysis = analyze(
        &study(patients, &observations, treatments, ""),
        &Protocol::default(),
    )
    .unwrap();
    let p1 = analysis.patients[0].course.daily_dose;
    assert_eq!(
        (p1.first_mg_per_day, p1.max_mg_per_day, p1.escalated),
        (Some(100.0), Some(400.0), Some(true))
    );
    assert!((p1.max_mg_per_kg_per_day.unwrap() - 400.0 / 70.0).abs() < 1e-12);
    let p2 = analysis.patients[1].course.daily_dose;
    assert_eq!((p2.first_mg_per_day, p2.escalated), (None, None));
    let summary = &analysis.cohort.baseline.index_drug.daily_dose;
    assert_eq!(
        (summary.max_mg_per_day.n, summary.max_mg_per_day.median),
        (1, Some(400.0))
    );
    assert_eq!((summary.escalated.count, summary.escalated.n), (1, 1));
    assert_eq!(summary.max_unknown.count(), 1);
    let json = analysis.patient_json(&analysis.patients[0]);
    assert_eq!(json["course"]["daily_dose"]["max_mg_per_day"], 400.0);
    assert_eq!(json["demographics"]["weight_kg"], 70.0);
}
