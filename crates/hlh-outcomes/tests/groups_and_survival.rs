//! Comparisons between groups, overall survival and the time to the index drug on one hand-built study of
//! six patients, every expected value worked out by hand below.
//!
//! Every patient starts anakinra on 2020-03-10 (Day 0) for 20 days and is afebrile on Days −1 and 0.
//!
//! | patient | centre | sex | age | diagnosis (days before Day 0) | triggers | CRP | outcome |
//! |---|---|---|---|---|---|---|---|
//! | P1 | A | M | 30 | 0 | infection | falls | dies Day 10 |
//! | P2 | A | F | 40 | 2 | infection; malignancy | falls | dies Day 40 |
//! | P3 | B | M | 50 | 5 | infection | falls | followed to Day 60 |
//! | P4 | B | F | 60 | 6 | malignancy | falls | no follow-up date: last record Day 20 |
//! | P5 | C | M | 70 | 10 | malignancy | rises | followed to Day 30 |
//! | P6 | C | U | 80 | 1 | malignancy | rises | followed to Day 100 |

use hlh_ingest::{read_study, StudySources};
use hlh_outcomes::compare::{GroupSummary, GroupTest, Variable};
use hlh_outcomes::{analyze, Analysis, Protocol};

const PATIENTS: &str = "patient_id,centre,sex,age_years,diagnosis_date,triggers,last_followup_date
P1,A,M,30,2020-03-10,infection,
P2,A,F,40,2020-03-08,infection;malignancy,
P3,B,M,50,2020-03-05,infection,2020-05-09
P4,B,F,60,2020-03-04,malignancy,
P5,C,M,70,2020-02-29,malignancy,2020-04-09
P6,C,U,80,2020-03-09,malignancy,2020-06-18
";

fn analysis(protocol_toml: &str) -> Analysis {
    let mut observations = String::from("patient_id,time,analyte,value,unit\n");
    let mut treatments =
        String::from("patient_id,drug,start,end,dose,dose_unit,frequency,route,stop_reason,line\n");
    for (i, patient) in ["P1", "P2", "P3", "P4", "P5", "P6"].iter().enumerate() {
        let crp_day7 = if i < 4 { 20 } else { 300 };
        observations.push_str(&format!(
            "{patient},2020-03-09T08:00,temperature,37.0,Cel\n{patient},2020-03-10T08:00,temperature,37.1,Cel\n\
             {patient},2020-03-10,crp,200,mg/L\n{patient},2020-03-17,crp,{crp_day7},mg/L\n\
             {patient},2020-03-10,ferritin,{},ug/L\n{patient},2020-03-17,ferritin,1000,ug/L\n",
            5000 + 1000 * i
        ));
        treatments.push_str(&format!(
            "{patient},anakinra,2020-03-10,2020-03-30,100,mg,bid,sc,completed,\n"
        ));
    }
    let ingested = read_study(&StudySources {
        patients: Some(PATIENTS.into()),
        observations: Some(observations.into()),
        treatments: Some(treatments.into()),
        events: Some(
            "patient_id,time,event,detail,grade,drug,led_to_discontinuation,value\n\
             P1,2020-03-20,death,,,,,\nP2,2020-04-19,death,,,,,\n"
                .into(),
        ),
        study_toml: None,
    });
    assert!(!ingested.has_errors(), "{:?}", ingested.diagnostics);
    let mut protocol = Protocol::default();
    protocol
        .apply(&protocol_toml.parse().unwrap(), "test.toml")
        .unwrap();
    analyze(&ingested.study, &protocol).unwrap()
}

fn close(actual: Option<f64>, expected: f64) {
    let actual = actual.expect("a value");
    assert!(
        (actual - expected).abs() < 1e-12,
        "{actual} against {expected}"
    );
}

#[test]
fn days_to_index_and_each_patients_survival_time() {
    let analysis = analysis("");
    let days: Vec<i32> = analysis.patients.iter().map(|p| p.days_to_index).collect();
    assert_eq!(days, [0, 2, 5, 6, 10, 1]);
    let survival: Vec<(i32, bool)> = analysis.patients.iter().map(|p| p.survival).collect();
    assert_eq!(
        survival,
        [
            (10, true),
            (40, true),
            (60, false),
            (20, false),
            (30, false),
            (100, false)
        ]
    );
    let json = analysis.patient_json(&analysis.patients[3]);
    assert_eq!(json["days_to_index"], 6);
    assert_eq!(
        json["survival"],
        serde_json::json!({"time": 20, "event": false})
    );
}

#[test]
fn overall_survival_by_kaplan_meier_with_landmarks() {
    // Day 10: 6 at risk, 1 death, S = 5/6. Day 40: P2, P3 and P6 at risk, 1 death, S = 5/6 · 2/3 = 5/9.
    // S never reaches ½: no median. At Day 28 S = 5/6 with P5, P2, P3 and P6 still followed; at Day 90
    // S = 5/9 with P6 alone.
    let survival = analysis("").cohort.outcomes.survival;
    assert_eq!((survival.n, survival.deaths.count()), (6, 2));
    assert_eq!(survival.median, None);
    let events: Vec<(f64, u64, u64)> = survival
        .table
        .iter()
        .map(|row| (row.time, row.n_risk, row.n_event))
        .collect();
    assert_eq!(
        events,
        [
            (10.0, 6, 1),
            (20.0, 5, 0),
            (30.0, 4, 0),
            (40.0, 3, 1),
            (60.0, 2, 0),
            (100.0, 1, 0)
        ]
    );
    let [day28, day90] = survival.landmarks[..] else {
        panic!("two landmarks by default")
    };
    assert_eq!(
        (day28.day, day28.n_risk, day90.day, day90.n_risk),
        (28, Some(4), 90, Some(1))
    );
    close(day28.survival, 5.0 / 6.0);
    close(day90.survival, 5.0 / 9.0);
    // Log-log interval at Day 28: Greenwood σ² of log S = 1/(6·5); the bounds are
    // exp(−exp(log(−log S) ∓ z σ / log S)).
    let (s, sigma, z): (f64, f64, f64) = (5.0 / 6.0, (1.0f64 / 30.0).sqrt(), 1.959963984540054);
    let bound = |sign: f64| (-((-s.ln()).ln() + sign * z * sigma / s.ln()).exp()).exp();
    close(day28.ci95[0], bound(-1.0));
    close(day28.ci95[1], bound(1.0));

    let late = analysis("[survival]\nlandmark_days = [1]\n")
        .cohort
        .outcomes
        .survival;
    assert_eq!(
        late.landmarks[0].survival,
        Some(1.0),
        "before the first death"
    );
    let beyond = analysis("[survival]\nlandmark_days = [365]\n")
        .cohort
        .outcomes
        .survival;
    assert_eq!(
        (beyond.landmarks[0].survival, beyond.landmarks[0].ci95),
        (None, [None, None]),
        "after the last day followed nothing is estimated"
    );
}

#[test]
fn responders_against_non_responders() {
    let analysis = analysis("[compare]\nby = [\"response\"]\n");
    let [comparison] = &analysis.cohort.comparisons[..] else {
        panic!("one grouping")
    };
    let groups: Vec<(&str, &[String])> = comparison
        .groups
        .iter()
        .map(|g| (g.label.as_str(), g.patient_ids.as_slice()))
        .collect();
    assert_eq!(
        groups,
        [
            ("responder", &["P1", "P2", "P3", "P4"].map(String::from)[..]),
            ("non-responder", &["P5", "P6"].map(String::from)[..])
        ]
    );
    let row = |name: &str| {
        comparison
            .rows
            .iter()
            .find(|r| r.variable.name() == name)
            .unwrap_or_else(|| panic!("no row {name}"))
    };
    assert!(
        comparison
            .rows
            .iter()
            .all(|r| r.variable != Variable::Response),
        "not the grouping itself"
    );
    // Ages 30, 40, 50, 60 against 70, 80: ranks 1–4 against 5, 6, W = 10 − 10 = 0; exact, two-sided
    // p = 2 · P(W = 0) = 2 / C(6, 2) = 2/15.
    let age = row("age_years");
    assert_eq!(age.test, Some(GroupTest::WilcoxonRankSum));
    assert_eq!(age.statistic, Some(0.0));
    close(age.p_value, 2.0 / 15.0);
    let GroupSummary::Continuous { summary, unknown } = &age.summaries[0] else {
        panic!("a number")
    };
    assert_eq!((summary.n, *unknown, summary.median), (4, 0, Some(45.0)));
    // Deaths 2 of 4 against 0 of 2: margins 4, 2 and 2, 4; P(k deaths among responders) = C(2, k)
    // C(4, 4 − k) / C(6, 4) = 1/15, 8/15, 6/15 for k = 0, 1, 2; observed k = 2, so p = (1 + 6)/15.
    let death = row("death");
    assert_eq!(
        (death.test, death.statistic),
        (Some(GroupTest::FisherExact), None)
    );
    close(death.p_value, 7.0 / 15.0);
    // P6's sex is unknown: the non-responders have one patient with a sex, so no test.
    let sex = row("sex");
    assert_eq!((sex.test, sex.p_value), (None, None));
    assert_eq!(
        sex.no_test,
        Some("a group has fewer than two patients with a value")
    );
    assert_eq!(
        (sex.summaries[1].n(), sex.summaries[1].unknown()),
        (1, 1),
        "the unknown is its own count"
    );
}

#[test]
fn three_centres_by_kruskal_wallis_and_early_anakinra() {
    let analysis =
        analysis("[compare]\nby = [\"centre\", \"early_anakinra\"]\nearly_anakinra_days = 5\n");
    let [centre, early] = &analysis.cohort.comparisons[..] else {
        panic!("two groupings")
    };
    // Ages by centre are ranks {1, 2}, {3, 4}, {5, 6}: H = 12 · 89.5 / 42 − 21 = 32/7, p = e^(−16/7).
    let age = centre
        .rows
        .iter()
        .find(|r| r.variable == Variable::Age)
        .unwrap();
    assert_eq!(age.test, Some(GroupTest::KruskalWallis));
    close(age.statistic, 32.0 / 7.0);
    close(age.p_value, (-16.0f64 / 7.0).exp());
    // Days to Day 0: 0, 2, 5, 6, 10, 1 → early (≤ 5) P1, P2, P3, P6; later P4, P5.
    let labels: Vec<(&str, usize)> = early
        .groups
        .iter()
        .map(|g| (g.label.as_str(), g.n))
        .collect();
    assert_eq!(labels, [("≤ 5 days", 4), ("> 5 days", 2)]);
    assert!(early
        .rows
        .iter()
        .all(|r| r.variable != Variable::DaysToIndex));
    // Responders 3 of 4 early, 1 of 2 later: every table with these margins is as likely or less, p = 1.
    let response = early
        .rows
        .iter()
        .find(|r| r.variable == Variable::Response)
        .unwrap();
    close(response.p_value, 1.0);
}

#[test]
fn triggers_overlap_in_the_summaries_and_not_in_the_tests() {
    let analysis = analysis("[compare]\nby = [\"trigger\"]\n");
    let [trigger] = &analysis.cohort.comparisons[..] else {
        panic!("one grouping")
    };
    assert!(trigger.overlapping);
    let groups: Vec<(&str, usize)> = trigger
        .groups
        .iter()
        .map(|g| (g.label.as_str(), g.n))
        .collect();
    assert_eq!(groups, [("Infection", 3), ("Malignancy", 4)], "P2 in both");
    // The test leaves P2 out: ages 30, 50 against 60, 70, 80, ranks 1, 2 against 3–5, W = 0, exact
    // p = 2 / C(5, 2) = 0.2; the summaries keep P2 (infection ages 30, 40, 50, median 40).
    let age = trigger
        .rows
        .iter()
        .find(|r| r.variable == Variable::Age)
        .unwrap();
    close(age.p_value, 0.2);
    let GroupSummary::Continuous { summary, .. } = &age.summaries[0] else {
        panic!("a number")
    };
    assert_eq!((summary.n, summary.median), (3, Some(40.0)));
    assert!(trigger
        .rows
        .iter()
        .all(|r| !matches!(r.variable, Variable::Trigger(_))));
}

#[test]
fn comparisons_are_in_the_json_with_their_groups_and_tests() {
    let analysis = analysis("[compare]\nby = [\"response\"]\n");
    let json: serde_json::Value = serde_json::from_str(&analysis.json_string()).unwrap();
    let comparison = &json["comparisons"][0];
    assert_eq!(comparison["by"], "response");
    assert_eq!(
        comparison["groups"][1]["patient_ids"],
        serde_json::json!(["P5", "P6"])
    );
    let death = comparison["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["variable"] == "death")
        .unwrap();
    assert_eq!(death["test"], "fisher_exact");
    assert_eq!(
        death["summaries"][0]["levels"][0],
        serde_json::json!({"level": "yes", "count": 2})
    );
    assert!(json["outcomes"]["survival"]["landmarks"][0]["ci95"][0].is_number());
}
