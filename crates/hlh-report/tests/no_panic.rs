//! Any analysable study gives a report without panicking, with well-formed figures, links that match
//! their counts, and under any `--min-cell`.

use hlh_ingest::{read_study, StudySources};
use hlh_outcomes::{analyze, Protocol};
use hlh_report::{build, document::to_html, document::to_markdown, ReportOptions};
use proptest::prelude::*;

const DRUGS: [&str; 4] = ["anakinra", "prednisone", "etoposide", "antimicrobial"];
const EVENTS: [&str; 6] = [
    "adverse_event,rash,2,anakinra,yes",
    "adverse_event,,,,",
    "infection,pneumonia,3,,",
    "icu_admission,,,,",
    "icu_discharge,,,,",
    "death,,,,",
];
const ANALYTES: [(&str, &str, f64, f64); 3] = [
    ("temperature", "Cel", 35.0, 41.5),
    ("crp", "mg/L", 0.0, 400.0),
    ("ferritin", "ug/L", 10.0, 90_000.0),
];

/// 2020-03-01 plus `day` days, `day` in 0..=27.
fn date(day: u8) -> String {
    format!("2020-03-{:02}", 1 + day)
}

type Rows = (
    usize,
    Vec<(usize, u8, usize, f64)>,
    Vec<(usize, usize, u8, Option<u8>)>,
    Vec<(usize, u8, usize)>,
);

fn study() -> impl Strategy<Value = Rows> {
    (1usize..6).prop_flat_map(|n| {
        (
            Just(n),
            proptest::collection::vec((0..n, 0u8..28, 0..ANALYTES.len(), 0.0f64..1.0), 0..60),
            proptest::collection::vec(
                (0..n, 0..DRUGS.len(), 0u8..20, proptest::option::of(0u8..8)),
                1..10,
            ),
            proptest::collection::vec((0..n, 0u8..28, 0..EVENTS.len()), 0..8),
        )
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    #[test]
    fn every_analysable_study_gives_a_sound_report((n, observations, treatments, events) in study(), min_cell in prop::sample::select(vec![0u64, 1, 3, 5])) {
        let mut patients = String::from("patient_id,sex,age_years,diagnosis_date,triggers\n");
        for i in 0..n {
            patients.push_str(&format!("P{i},{},{},{},{}\n", ["M", "F", "U"][i % 3], 20 + i, date(5), ["infection", "sjia", ""][i % 3]));
        }
        let mut obs = String::from("patient_id,time,analyte,value,unit\n");
        for (p, day, a, fraction) in observations {
            let (name, unit, low, high) = ANALYTES[a];
            obs.push_str(&format!("P{p},{},{name},{:.1},{unit}\n", date(day), low + fraction * (high - low)));
        }
        let mut tr = String::from("patient_id,drug,start,end\n");
        for (p, d, start, length) in treatments {
            let end = length.map_or(String::new(), |l| date((start + l).min(27)));
            tr.push_str(&format!("P{p},{},{},{end}\n", DRUGS[d], date(start)));
        }
        let mut ev = String::from("patient_id,time,event,detail,grade,drug,led_to_discontinuation\n");
        let mut dead = vec![false; n];
        for (p, day, e) in events {
            // One death per patient, as the study format requires.
            if EVENTS[e].starts_with("death") && std::mem::replace(&mut dead[p], true) {
                continue;
            }
            ev.push_str(&format!("P{p},{},{}\n", date(day), EVENTS[e]));
        }
        let ingested = read_study(&StudySources {
            patients: Some(patients.into()),
            observations: Some(obs.into()),
            treatments: Some(tr.into()),
            events: Some(ev.into()),
            study_toml: None,
        });
        prop_assume!(!ingested.has_errors());
        let Ok(analysis) = analyze(&ingested.study, &Protocol::default()) else {
            return Ok(());
        };
        let document = build(&analysis, &ReportOptions { min_cell });
        for figure in document.figures() {
            let svg = roxmltree::Document::parse(&figure.svg);
            prop_assert!(svg.is_ok(), "{}", figure.svg);
            // Every coordinate is a finite number.
            for node in svg.unwrap().descendants() {
                for attribute in node.attributes() {
                    let numbers: Vec<&str> = match attribute.name() {
                        "x" | "y" | "x1" | "y1" | "x2" | "y2" | "width" | "height" | "cx" | "cy" | "r" => vec![attribute.value()],
                        "points" => attribute.value().split([' ', ',']).collect(),
                        _ => continue,
                    };
                    for number in numbers {
                        prop_assert!(number.parse::<f64>().is_ok_and(f64::is_finite), "{} = {number}", attribute.name());
                    }
                }
            }
        }
        let page = to_html(&document);
        prop_assert!(!page.contains("SOURCE MISMATCH"));
        if min_cell > 1 {
            prop_assert!(!page.contains("Patient P"));
        }
        let _ = to_markdown(&document, &|f| f.id.clone());
    }
}
