//! Any valid study analyses without panicking, and what comes out keeps its promises: counts add up,
//! proportions are fractions, p-values are probabilities, and the JSON parses.

use hlh_ingest::{read_study, StudySources};
use hlh_outcomes::{analyze, Protocol};
use proptest::prelude::*;
use serde_json::Value;

const DRUGS: [&str; 6] = [
    "anakinra",
    "prednisone",
    "etoposide",
    "ivig",
    "ruxolitinib",
    "antimicrobial",
];
const STOPS: [&str; 4] = ["", "inefficacy", "adverse_event", "completed"];
const ANALYTES: [(&str, &str, f64, f64); 5] = [
    ("temperature", "Cel", 35.0, 41.5),
    ("crp", "mg/L", 0.0, 400.0),
    ("ferritin", "ug/L", 10.0, 90_000.0),
    ("platelets", "10*9/L", 5.0, 500.0),
    ("hemoglobin", "g/dL", 4.0, 16.0),
];

/// A date within a fortnight either side of 2020-03-15.
fn date(offset: i8) -> String {
    let day = 15 + i32::from(offset);
    let (month, day) = if day < 1 {
        (2, day + 29)
    } else if day > 31 {
        (4, day - 31)
    } else {
        (3, day)
    };
    format!("2020-{month:02}-{day:02}")
}

fn study_text() -> impl Strategy<Value = (String, String, String, String)> {
    let patients = 1usize..6;
    patients.prop_flat_map(|n| {
        let observation = (0..n, -14i8..14, 0..ANALYTES.len(), 0.0f64..1.0);
        let treatment = (
            0..n,
            0..DRUGS.len(),
            -14i8..14,
            proptest::option::of(0i8..20),
            0..STOPS.len(),
        );
        let event = (0..n, -3i8..14, 0..4usize);
        (
            Just(n),
            proptest::collection::vec(observation, 0..80),
            proptest::collection::vec(treatment, 0..12),
            proptest::collection::vec(event, 0..6),
        )
            .prop_map(|(n, observations, treatments, events)| {
                let mut patients =
                    String::from("patient_id,sex,age_years,diagnosis_date,triggers\n");
                for i in 0..n {
                    patients.push_str(&format!(
                        "P{i},{},{},{},{}\n",
                        ["M", "F", "U"][i % 3],
                        10 + i * 13,
                        date(0),
                        ["sjia", "aosd", ""][i % 3]
                    ));
                }
                let mut obs = String::from("patient_id,time,analyte,value,unit\n");
                for (p, day, a, fraction) in observations {
                    let (name, unit, low, high) = ANALYTES[a];
                    obs.push_str(&format!(
                        "P{p},{},{name},{:.1},{unit}\n",
                        date(day),
                        low + fraction * (high - low)
                    ));
                }
                let mut tr = String::from("patient_id,drug,start,end,stop_reason\n");
                for (p, d, start, length, stop) in treatments {
                    let end = length.map_or(String::new(), |l| date((start + l).min(14)));
                    let stop = if end.is_empty() { "" } else { STOPS[stop] };
                    tr.push_str(&format!("P{p},{},{},{end},{stop}\n", DRUGS[d], date(start)));
                }
                let mut ev =
                    String::from("patient_id,time,event,drug,led_to_discontinuation,value\n");
                let mut dead = std::collections::HashSet::new();
                for (p, day, kind) in events {
                    let row = match kind {
                        0 if dead.insert(p) => format!("P{p},{},death,,,\n", date(day)),
                        1 => format!("P{p},{},adverse_event,anakinra,yes,\n", date(day)),
                        2 => format!("P{p},{},response_assessment,,,partial\n", date(day)),
                        _ => format!("P{p},{},icu_admission,,,\n", date(day)),
                    };
                    ev.push_str(&row);
                }
                (patients, obs, tr, ev)
            })
    })
}

fn assert_fraction(value: &Value, what: &str) {
    if let Some(p) = value.as_f64() {
        assert!((0.0..=1.0).contains(&p), "{what} = {p}");
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 200, ..ProptestConfig::default() })]

    #[test]
    fn any_valid_study_analyses_and_keeps_its_promises((patients, observations, treatments, events) in study_text()) {
        let ingested = read_study(&StudySources {
            patients: Some(patients.into_bytes()),
            observations: Some(observations.into_bytes()),
            treatments: Some(treatments.into_bytes()),
            events: Some(events.into_bytes()),
            study_toml: None,
        });
        prop_assume!(!ingested.has_errors());
        for source in ["derived", "recorded"] {
            let mut protocol = Protocol::default();
            protocol.apply(&format!("[response]\nsource = \"{source}\"\n").parse().unwrap(), "test").unwrap();
            let Ok(analysis) = analyze(&ingested.study, &protocol) else { continue };
            let json: Value = serde_json::from_str(&analysis.json_string()).expect("valid JSON");
            let n = json["n_patients"].as_u64().unwrap();
            let response = &json["outcomes"]["response"];
            prop_assert_eq!(response["n"].as_u64().unwrap() + response["unknown"].as_u64().unwrap(), n);
            prop_assert!(response["count"].as_u64().unwrap() <= response["n"].as_u64().unwrap());
            for share in [&json["baseline"]["first_line"], &json["baseline"]["monotherapy"], response, &json["outcomes"]["discontinued_adverse_event"]] {
                assert_fraction(&share["proportion"], "proportion");
                assert_fraction(&share["ci95"][0], "lower bound");
                assert_fraction(&share["ci95"][1], "upper bound");
            }
            let fever = &json["outcomes"]["fever_resolution"];
            prop_assert!(fever["resolved_by_day7"].as_u64() <= fever["febrile_at_baseline"].as_u64());
            for row in fever["km"]["table"].as_array().unwrap() {
                assert_fraction(&row["survival"], "survival");
                prop_assert!(row["time"].as_f64().unwrap() >= 0.0);
            }
            for (_, lab) in json["outcomes"]["labs"].as_object().unwrap() {
                assert_fraction(&lab["paired_t"]["p_value"], "paired t p");
                assert_fraction(&lab["wilcoxon"]["p_value"], "Wilcoxon p");
            }
            prop_assert_eq!(json["patients"].as_array().unwrap().len() as u64, n);
            prop_assert!(!analysis.summary.is_empty());
        }
    }
}
