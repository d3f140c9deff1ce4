//! No input may make the reader panic: arbitrary bytes and mangled versions of a valid study are read,
//! and what comes out must still keep the reader's promises. The case count is bounded so that the suite
//! runs in seconds in CI (PROPTEST_CASES raises it for a longer hunt).

use hlh_ingest::{read_study, Severity, StudySources};
use hlh_model::ranges::analyte_ranges;
use proptest::prelude::*;

const DEMO_PATIENTS: &[u8] = include_bytes!("../../hlh-cli/demo/patients.csv");
const DEMO_OBSERVATIONS: &[u8] = include_bytes!("../../hlh-cli/demo/observations.csv");
const DEMO_TREATMENTS: &[u8] = include_bytes!("../../hlh-cli/demo/treatments.csv");
const DEMO_EVENTS: &[u8] = include_bytes!("../../hlh-cli/demo/events.csv");
const DEMO_STUDY_TOML: &[u8] = include_bytes!("../../hlh-cli/demo/study.toml");

/// Fragments that have broken CSV readers before: quotes, separators, line ends, a BOM, invalid UTF-8,
/// numbers that are not numbers, dates in other orders.
const TRICKY: &[&[u8]] = &[
    b",",
    b"\"",
    b"\n",
    b"\r\n",
    b"\r",
    b"\xEF\xBB\xBF",
    b"\xFF\xFE",
    b"\xC3",
    b"\xE9",
    b"NaN",
    b"inf",
    b"-1e309",
    b"3,5",
    b"<",
    b">=",
    b"\xE2\x89\xA4",
    b"25/12/2020",
    b"2020-02-30",
    b"9999-99-99",
    b"",
    b"yes",
    b"unknown",
    b"mg/dL",
    b"[degF]",
    b"pg/mL",
    b"P1",
    b"anakinra",
    b"death",
    b"\0",
    b"   ",
];

/// How a valid file is broken: a byte range replaced by a tricky fragment or by random bytes.
#[derive(Debug, Clone)]
enum Mutation {
    Tricky {
        at: usize,
        remove: usize,
        fragment: usize,
    },
    Random {
        at: usize,
        remove: usize,
        bytes: Vec<u8>,
    },
    Truncate {
        at: usize,
    },
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        (any::<usize>(), 0usize..12, 0..TRICKY.len()).prop_map(|(at, remove, fragment)| {
            Mutation::Tricky {
                at,
                remove,
                fragment,
            }
        }),
        (
            any::<usize>(),
            0usize..12,
            proptest::collection::vec(any::<u8>(), 0..16)
        )
            .prop_map(|(at, remove, bytes)| Mutation::Random { at, remove, bytes }),
        any::<usize>().prop_map(|at| Mutation::Truncate { at }),
    ]
}

fn apply(original: &[u8], mutations: &[Mutation]) -> Vec<u8> {
    let mut bytes = original.to_vec();
    for mutation in mutations {
        let len = bytes.len().max(1);
        match mutation {
            Mutation::Tricky {
                at,
                remove,
                fragment,
            } => {
                let at = at % len.min(bytes.len() + 1);
                let end = (at + remove).min(bytes.len());
                bytes.splice(at..end, TRICKY[*fragment].iter().copied());
            }
            Mutation::Random {
                at,
                remove,
                bytes: new,
            } => {
                let at = at % len.min(bytes.len() + 1);
                let end = (at + remove).min(bytes.len());
                bytes.splice(at..end, new.iter().copied());
            }
            Mutation::Truncate { at } => bytes.truncate(at % len),
        }
    }
    bytes
}

/// What must hold whatever the input: diagnostics point at real lines, kept observations are finite and
/// physically possible, and kept rows refer to kept patients.
fn assert_reader_promises(sources: &StudySources) {
    let ingested = read_study(sources);
    for diagnostic in &ingested.diagnostics {
        assert!(diagnostic.line.is_none_or(|line| line >= 1), "{diagnostic}");
        assert!(!diagnostic.message.is_empty());
        let _ = diagnostic.to_string();
    }
    let n_patients = ingested.study.patients.len();
    for observation in &ingested.study.observations {
        let value = observation.quantity.value();
        let (low, high) = analyte_ranges(observation.quantity.analyte()).possible;
        assert!(
            value.is_finite() && low <= value && value <= high,
            "{observation:?}"
        );
        assert!((observation.patient.0 as usize) < n_patients);
    }
    for treatment in &ingested.study.treatments {
        assert!((treatment.patient.0 as usize) < n_patients);
        assert!(
            treatment.end.is_none_or(|end| end >= treatment.start),
            "{treatment:?}"
        );
    }
    // A study without errors must be analysable: into_valid hands it over.
    let errors = ingested.count(Severity::Error);
    assert_eq!(ingested.into_valid().is_ok(), errors == 0);
}

fn demo_sources() -> StudySources {
    StudySources {
        patients: Some(DEMO_PATIENTS.to_vec()),
        observations: Some(DEMO_OBSERVATIONS.to_vec()),
        treatments: Some(DEMO_TREATMENTS.to_vec()),
        events: Some(DEMO_EVENTS.to_vec()),
        study_toml: Some(DEMO_STUDY_TOML.to_vec()),
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 128, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_bytes_never_panic(
        patients in proptest::collection::vec(any::<u8>(), 0..400),
        observations in proptest::collection::vec(any::<u8>(), 0..400),
        study_toml in proptest::collection::vec(any::<u8>(), 0..100),
    ) {
        assert_reader_promises(&StudySources {
            patients: Some(patients),
            observations: Some(observations.clone()),
            treatments: Some(observations.clone()),
            events: Some(observations),
            study_toml: Some(study_toml),
        });
    }

    #[test]
    fn mangled_study_files_never_panic(
        which in 0usize..5,
        mutations in proptest::collection::vec(mutation(), 1..6),
    ) {
        let mut sources = demo_sources();
        let file = match which {
            0 => &mut sources.patients,
            1 => &mut sources.observations,
            2 => &mut sources.treatments,
            3 => &mut sources.events,
            _ => &mut sources.study_toml,
        };
        *file = file.as_deref().map(|bytes| apply(bytes, &mutations));
        assert_reader_promises(&sources);
    }

    #[test]
    fn mangled_observation_rows_never_panic(
        rows in proptest::collection::vec(
            (
                proptest::sample::select(vec!["SYN-01", "SYN-02", "X", ""]),
                proptest::sample::select(vec!["2016-03-14", "2016-03-14T08:00", "2016-03-14 08:00:00", "14/03/2016", "2016-02-30", ""]),
                proptest::sample::select(vec!["crp", "ferritin", "temperature", "platelets", "scd25", "CRP", "pct", ""]),
                proptest::sample::select(vec!["5", "<5", ">=1e5", "3,5", "\"3,5\"", "NaN", "-3", "380", "1e400", "≤2", ""]),
                proptest::sample::select(vec!["mg/L", "mg/dL", "Cel", "[degF]", "/mm3", "U/mL", "pg/mL", "mg/l", "", "\u{b5}g/L"]),
            ),
            0..30,
        )
    ) {
        let mut text = String::from("patient_id,time,analyte,value,unit\n");
        for (patient, time, analyte, value, unit) in rows {
            text.push_str(&format!("{patient},{time},{analyte},{value},{unit}\n"));
        }
        let mut sources = demo_sources();
        sources.observations = Some(text.into_bytes());
        assert_reader_promises(&sources);
    }
}

#[test]
fn the_untouched_demo_study_is_clean() {
    let ingested = read_study(&demo_sources());
    assert!(
        ingested.diagnostics.is_empty(),
        "{:?}",
        ingested.diagnostics
    );
    assert_eq!(ingested.study.patients.len(), 21);
}
