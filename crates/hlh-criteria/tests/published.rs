//! The scores against their published tables and reference cases (docs/criteria/README.md, "Reference cases").

use hlh_criteria::hlh2004::{hlh2004, Diagnosis, Hlh2004Settings, Preset};
use hlh_criteria::hscore::{
    approximate_probability, hscore, probability, BandConvention, HScoreSettings, UnitMode,
};
use hlh_criteria::mas2016::{mas2016, Mas2016Status};
use hlh_criteria::ms_score::{ms_score, Population, Verdict};
use hlh_criteria::ohi::{ohi, OhiOperator};
use hlh_criteria::{Findings, LabValue, Status};
use hlh_model::{units, Analyte};

fn lab(findings: &mut Findings, analyte: Analyte, value: f64, unit: &str) {
    let quantity = units::convert(analyte, value, unit).unwrap();
    findings.set_lab(LabValue {
        quantity,
        as_typed: Some((value, unit.to_string())),
        source: None,
    });
}

/// The nine HScore inputs as the GDL test suite lists them.
struct GdlCase {
    id: &'static str,
    immunosuppression: bool,
    temperature: (f64, &'static str),
    organs: u32,
    lineages: u32,
    ferritin: (f64, &'static str),
    triglycerides: (f64, &'static str),
    fibrinogen: (f64, &'static str),
    ast: f64,
    marrow: bool,
    score: u32,
}

/// Haemoglobin, leukocytes and platelets giving `lineages` cytopenic lineages (one of them always low,
/// as the GDL suite's minimum class is "1 lineage").
fn cytopenias(findings: &mut Findings, lineages: u32) {
    lab(findings, Analyte::Hemoglobin, 8.0, "g/dL");
    lab(
        findings,
        Analyte::Leukocytes,
        if lineages >= 2 { 3.0 } else { 7.0 },
        "10*9/L",
    );
    lab(
        findings,
        Analyte::Platelets,
        if lineages >= 3 { 50.0 } else { 250.0 },
        "10*9/L",
    );
}

fn gdl_findings(case: &GdlCase) -> Findings {
    let mut f = Findings {
        immunosuppression: Some(case.immunosuppression),
        hepatomegaly: Some(case.organs >= 1),
        splenomegaly: Some(case.organs >= 2),
        bm_hemophagocytosis: Some(case.marrow),
        ..Findings::default()
    };
    lab(
        &mut f,
        Analyte::Temperature,
        case.temperature.0,
        case.temperature.1,
    );
    cytopenias(&mut f, case.lineages);
    lab(&mut f, Analyte::Ferritin, case.ferritin.0, case.ferritin.1);
    lab(
        &mut f,
        Analyte::Triglycerides,
        case.triglycerides.0,
        case.triglycerides.1,
    );
    lab(
        &mut f,
        Analyte::Fibrinogen,
        case.fibrinogen.0,
        case.fibrinogen.1,
    );
    lab(&mut f, Analyte::Ast, case.ast, "U/L");
    f
}

// gdl-lang/common-clinical-models: gdl2/HScore.v1.test.yml (commit 4a9eccc7f6b9), as listed in
// docs/criteria/README.md, "Reference cases" (the GDL suite). Units as the suite enters them.
const GDL_CASES: [GdlCase; 19] = [
    GdlCase {
        id: "01",
        immunosuppression: true,
        temperature: (40.0, "Cel"),
        organs: 2,
        lineages: 3,
        ferritin: (7000.0, "ng/mL"),
        triglycerides: (500.0, "mg/dL"),
        fibrinogen: (100.0, "mg/dL"),
        ast: 50.0,
        marrow: true,
        score: 337,
    },
    GdlCase {
        id: "02",
        immunosuppression: false,
        temperature: (36.0, "Cel"),
        organs: 0,
        lineages: 1,
        ferritin: (1000.0, "ng/mL"),
        triglycerides: (50.0, "mg/dL"),
        fibrinogen: (500.0, "mg/dL"),
        ast: 10.0,
        marrow: false,
        score: 0,
    },
    GdlCase {
        id: "03",
        immunosuppression: false,
        temperature: (100.0, "[degF]"),
        organs: 0,
        lineages: 1,
        ferritin: (1000.0, "ug/L"),
        triglycerides: (1.0, "mmol/L"),
        fibrinogen: (3.0, "g/L"),
        ast: 10.0,
        marrow: false,
        score: 0,
    },
    GdlCase {
        id: "04",
        immunosuppression: false,
        temperature: (102.5, "[degF]"),
        organs: 0,
        lineages: 1,
        ferritin: (3000.0, "ug/L"),
        triglycerides: (3.0, "mmol/L"),
        fibrinogen: (2.5, "g/L"),
        ast: 10.0,
        marrow: false,
        score: 142,
    },
    GdlCase {
        id: "05",
        immunosuppression: false,
        temperature: (39.0, "Cel"),
        organs: 0,
        lineages: 1,
        ferritin: (3000.0, "ng/mL"),
        triglycerides: (300.0, "mg/dL"),
        fibrinogen: (2.5, "g/L"),
        ast: 10.0,
        marrow: false,
        score: 142,
    },
    GdlCase {
        id: "06",
        immunosuppression: false,
        temperature: (104.0, "[degF]"),
        organs: 0,
        lineages: 1,
        ferritin: (7000.0, "ug/L"),
        triglycerides: (5.0, "mmol/L"),
        fibrinogen: (2.5, "mg/dL"),
        ast: 10.0,
        marrow: false,
        score: 193,
    },
    GdlCase {
        id: "07",
        immunosuppression: true,
        temperature: (36.0, "Cel"),
        organs: 1,
        lineages: 2,
        ferritin: (1000.0, "ug/L"),
        triglycerides: (1.0, "mmol/L"),
        fibrinogen: (3.0, "g/L"),
        ast: 10.0,
        marrow: true,
        score: 100,
    },
    GdlCase {
        id: "08",
        immunosuppression: true,
        temperature: (36.0, "Cel"),
        organs: 1,
        lineages: 3,
        ferritin: (1000.0, "ug/L"),
        triglycerides: (1.0, "mmol/L"),
        fibrinogen: (3.0, "g/L"),
        ast: 10.0,
        marrow: true,
        score: 110,
    },
    GdlCase {
        id: "09",
        immunosuppression: true,
        temperature: (36.0, "Cel"),
        organs: 2,
        lineages: 2,
        ferritin: (1000.0, "ug/L"),
        triglycerides: (1.0, "mmol/L"),
        fibrinogen: (3.0, "g/L"),
        ast: 10.0,
        marrow: true,
        score: 115,
    },
    GdlCase {
        id: "10",
        immunosuppression: true,
        temperature: (36.0, "Cel"),
        organs: 2,
        lineages: 3,
        ferritin: (1000.0, "ug/L"),
        triglycerides: (1.0, "mmol/L"),
        fibrinogen: (3.0, "g/L"),
        ast: 10.0,
        marrow: true,
        score: 125,
    },
    GdlCase {
        id: "11",
        immunosuppression: true,
        temperature: (36.0, "Cel"),
        organs: 2,
        lineages: 2,
        ferritin: (1000.0, "ug/L"),
        triglycerides: (1.0, "mmol/L"),
        fibrinogen: (5.0, "g/L"),
        ast: 50.0,
        marrow: true,
        score: 134,
    },
    GdlCase {
        id: "12",
        immunosuppression: true,
        temperature: (39.0, "Cel"),
        organs: 1,
        lineages: 2,
        ferritin: (1000.0, "ug/L"),
        triglycerides: (1.0, "mmol/L"),
        fibrinogen: (5.0, "g/L"),
        ast: 50.0,
        marrow: true,
        score: 152,
    },
    GdlCase {
        id: "13",
        immunosuppression: true,
        temperature: (39.0, "Cel"),
        organs: 2,
        lineages: 2,
        ferritin: (1000.0, "ug/L"),
        triglycerides: (1.0, "mmol/L"),
        fibrinogen: (5.0, "g/L"),
        ast: 50.0,
        marrow: true,
        score: 167,
    },
    GdlCase {
        id: "14",
        immunosuppression: true,
        temperature: (39.0, "Cel"),
        organs: 2,
        lineages: 3,
        ferritin: (1000.0, "ug/L"),
        triglycerides: (1.0, "mmol/L"),
        fibrinogen: (5.0, "g/L"),
        ast: 50.0,
        marrow: true,
        score: 177,
    },
    GdlCase {
        id: "15",
        immunosuppression: false,
        temperature: (39.0, "Cel"),
        organs: 2,
        lineages: 2,
        ferritin: (2000.0, "ug/L"),
        triglycerides: (1.0, "mmol/L"),
        fibrinogen: (5.0, "g/L"),
        ast: 50.0,
        marrow: true,
        score: 184,
    },
    GdlCase {
        id: "16",
        immunosuppression: true,
        temperature: (39.0, "Cel"),
        organs: 2,
        lineages: 2,
        ferritin: (2000.0, "ug/L"),
        triglycerides: (1.0, "mmol/L"),
        fibrinogen: (5.0, "g/L"),
        ast: 50.0,
        marrow: true,
        score: 202,
    },
    GdlCase {
        id: "17",
        immunosuppression: true,
        temperature: (39.0, "Cel"),
        organs: 2,
        lineages: 3,
        ferritin: (2000.0, "ug/L"),
        triglycerides: (1.0, "mmol/L"),
        fibrinogen: (5.0, "g/L"),
        ast: 50.0,
        marrow: true,
        score: 212,
    },
    GdlCase {
        id: "18",
        immunosuppression: true,
        temperature: (39.0, "Cel"),
        organs: 2,
        lineages: 3,
        ferritin: (2000.0, "ug/L"),
        triglycerides: (1.0, "mmol/L"),
        fibrinogen: (2.0, "g/L"),
        ast: 10.0,
        marrow: true,
        score: 223,
    },
    GdlCase {
        id: "19",
        immunosuppression: false,
        temperature: (40.0, "Cel"),
        organs: 2,
        lineages: 3,
        ferritin: (3000.0, "ug/L"),
        triglycerides: (1.0, "mmol/L"),
        fibrinogen: (2.0, "g/L"),
        ast: 50.0,
        marrow: true,
        score: 240,
    },
];

#[test]
fn the_19_gdl_reference_cases() {
    for case in &GDL_CASES {
        let findings = gdl_findings(case);
        for mode in [UnitMode::Canonical, UnitMode::Typed] {
            let settings = HScoreSettings {
                unit_mode: mode,
                ..HScoreSettings::default()
            };
            let result = hscore(&findings, &settings);
            assert_eq!(
                result.score, case.score,
                "GDL case {} ({mode:?}): {:#?}",
                case.id, result.items
            );
            assert_eq!(
                (result.min, result.max),
                (case.score, case.score),
                "case {}: everything is known",
                case.id
            );
        }
    }
}

#[test]
fn the_published_probability_table() {
    let table = [
        (100, 1.0),
        (110, 3.0),
        (120, 5.0),
        (130, 9.0),
        (140, 16.0),
        (150, 25.0),
        (160, 40.0),
        (170, 54.0),
        (180, 70.0),
        (190, 80.0),
        (200, 88.0),
        (210, 93.0),
        (220, 96.0),
        (230, 98.0),
        (240, 99.0),
    ];
    for (score, percent) in table {
        let p = probability(score, BandConvention::Paper);
        assert_eq!(p.percent, Some(percent), "HScore {score}");
        assert_eq!(p.text, format!("{percent}%"));
    }
    let at_90 = probability(90, BandConvention::Paper);
    assert_eq!(
        (at_90.percent, at_90.band, at_90.text.as_str()),
        (None, (0.0, 1.0), "<1%")
    );
    assert_eq!(probability(0, BandConvention::Paper).text, "<1%");
    assert_eq!(probability(95, BandConvention::Paper).band, (0.0, 1.0));
    let at_250 = probability(250, BandConvention::Paper);
    assert_eq!(
        (at_250.percent, at_250.band, at_250.text.as_str()),
        (None, (99.0, 100.0), ">99%")
    );
    assert_eq!(probability(337, BandConvention::Paper).text, ">99%");
    // shmabstracts.org/?p=34220: an HScore of 209 "equated to an 88–93 % probability".
    let at_209 = probability(209, BandConvention::Paper);
    assert_eq!(
        (at_209.percent, at_209.band, at_209.text.as_str()),
        (None, (88.0, 93.0), "88–93%")
    );
    assert_eq!(probability(169, BandConvention::Paper).text, "40–54%");
    // 241–249: between 99 % and >99 % in the paper; ">99%" in MDCalc-style bands.
    assert_eq!(probability(245, BandConvention::Paper).band, (99.0, 100.0));
    assert_eq!(probability(245, BandConvention::Paper).text, "99–>99%");
    assert_eq!(probability(245, BandConvention::MdCalc).text, ">99%");
}

#[test]
fn the_fitted_logistic_is_only_an_approximation_of_the_table() {
    // docs/criteria/README.md, "Reference cases" (the probability table), values given to 3 or 4 significant digits.
    for (score, expected) in [
        (100.0, 1.40),
        (142.0, 16.6),
        (169.0, 52.0),
        (193.0, 83.0),
        (240.0, 98.95),
        (250.0, 99.43),
    ] {
        let p = approximate_probability(score);
        assert!(
            (p - expected).abs() <= 0.05 * expected.max(1.0) / 10.0 + 0.05,
            "{score}: {p} vs {expected}"
        );
    }
}

/// Findings with everything normal except what the test sets: every item known and scoring 0.
fn baseline() -> Findings {
    let mut f = Findings {
        immunosuppression: Some(false),
        hepatomegaly: Some(false),
        splenomegaly: Some(false),
        bm_hemophagocytosis: Some(false),
        ..Findings::default()
    };
    lab(&mut f, Analyte::Temperature, 37.0, "Cel");
    lab(&mut f, Analyte::Hemoglobin, 13.0, "g/dL");
    lab(&mut f, Analyte::Leukocytes, 7.0, "10*9/L");
    lab(&mut f, Analyte::Platelets, 250.0, "10*9/L");
    lab(&mut f, Analyte::Ferritin, 100.0, "ug/L");
    lab(&mut f, Analyte::Triglycerides, 1.0, "mmol/L");
    lab(&mut f, Analyte::Fibrinogen, 3.0, "g/L");
    lab(&mut f, Analyte::Ast, 20.0, "U/L");
    f
}

fn hscore_with(analyte: Analyte, value: f64, unit: &str, mode: UnitMode) -> u32 {
    let mut f = baseline();
    lab(&mut f, analyte, value, unit);
    hscore(
        &f,
        &HScoreSettings {
            unit_mode: mode,
            ..HScoreSettings::default()
        },
    )
    .score
}

#[test]
fn every_hscore_boundary_on_both_sides() {
    let canonical = |analyte, value, unit| hscore_with(analyte, value, unit, UnitMode::Canonical);
    // §7.4, in number-line order.
    for (value, points) in [(38.39, 0), (38.40, 33), (39.40, 33), (39.41, 49)] {
        assert_eq!(
            canonical(Analyte::Temperature, value, "Cel"),
            points,
            "temperature {value}"
        );
    }
    for (value, points) in [(1999.9, 0), (2000.0, 35), (6000.0, 35), (6000.1, 50)] {
        assert_eq!(
            canonical(Analyte::Ferritin, value, "ug/L"),
            points,
            "ferritin {value}"
        );
    }
    for (value, points) in [(1.49, 0), (1.50, 44), (4.00, 44), (4.01, 64)] {
        assert_eq!(
            canonical(Analyte::Triglycerides, value, "mmol/L"),
            points,
            "triglycerides {value}"
        );
    }
    for (value, points) in [(2.5, 30), (2.51, 0)] {
        assert_eq!(
            canonical(Analyte::Fibrinogen, value, "g/L"),
            points,
            "fibrinogen {value}"
        );
    }
    for (value, points) in [(29.9, 0), (30.0, 19)] {
        assert_eq!(canonical(Analyte::Ast, value, "U/L"), points, "AST {value}");
    }
    // One low lineage scores 0; each of these makes a second one (24 points) exactly at the boundary.
    let two_lineages = |analyte, value, unit| {
        let mut f = baseline();
        lab(&mut f, Analyte::Leukocytes, 3.0, "10*9/L");
        lab(&mut f, analyte, value, unit);
        hscore(&f, &HScoreSettings::default()).score
    };
    assert_eq!(two_lineages(Analyte::Hemoglobin, 9.2, "g/dL"), 24);
    assert_eq!(two_lineages(Analyte::Hemoglobin, 9.3, "g/dL"), 0);
    assert_eq!(two_lineages(Analyte::Platelets, 110.0, "10*9/L"), 24);
    assert_eq!(two_lineages(Analyte::Platelets, 111.0, "10*9/L"), 0);
    let mut f = baseline();
    lab(&mut f, Analyte::Hemoglobin, 8.0, "g/dL");
    lab(&mut f, Analyte::Leukocytes, 5.0, "10*9/L");
    assert_eq!(
        hscore(&f, &HScoreSettings::default()).score,
        24,
        "WBC 5.0 counts"
    );
}

#[test]
fn unit_conversion_hazards_of_section_1_5() {
    // 101.1 °F = 38.389 °C: 0 points converted, 33 in typed-unit mode (the GDL rule ≥ 101.1 °F).
    assert_eq!(
        hscore_with(Analyte::Temperature, 101.1, "[degF]", UnitMode::Canonical),
        0
    );
    assert_eq!(
        hscore_with(Analyte::Temperature, 101.1, "[degF]", UnitMode::Typed),
        33
    );
    // 38.40 °C is 33 either way.
    assert_eq!(
        hscore_with(Analyte::Temperature, 38.4, "Cel", UnitMode::Typed),
        33
    );
    // 132.7 mg/dL = 1.4982 mmol/L: 0 converted, 44 typed.
    assert_eq!(
        hscore_with(Analyte::Triglycerides, 132.7, "mg/dL", UnitMode::Canonical),
        0
    );
    assert_eq!(
        hscore_with(Analyte::Triglycerides, 132.7, "mg/dL", UnitMode::Typed),
        44
    );
    // 354 mg/dL = 3.9968 mmol/L: 44 both ways; 250 mg/dL fibrinogen = 2.5 g/L: 30 both ways.
    assert_eq!(
        hscore_with(Analyte::Triglycerides, 354.0, "mg/dL", UnitMode::Canonical),
        44
    );
    assert_eq!(
        hscore_with(Analyte::Triglycerides, 354.0, "mg/dL", UnitMode::Typed),
        44
    );
    assert_eq!(
        hscore_with(Analyte::Fibrinogen, 250.0, "mg/dL", UnitMode::Canonical),
        30
    );
    assert_eq!(
        hscore_with(Analyte::Fibrinogen, 250.0, "mg/dL", UnitMode::Typed),
        30
    );
}

#[test]
fn the_cut_off_is_inclusive_and_unknowns_give_a_range() {
    // GDL case 13 scores 167, case 14 scores 177: below and above 169.
    assert_eq!(
        hscore(&gdl_findings(&GDL_CASES[12]), &HScoreSettings::default()).positive,
        Some(false)
    );
    assert_eq!(
        hscore(&gdl_findings(&GDL_CASES[13]), &HScoreSettings::default()).positive,
        Some(true)
    );
    let at_168 = HScoreSettings {
        cutoff: 167,
        ..HScoreSettings::default()
    };
    assert_eq!(
        hscore(&gdl_findings(&GDL_CASES[12]), &at_168).positive,
        Some(true),
        "167 >= 167"
    );
    // Nothing known: 0 to 337, verdict unknown.
    let nothing = hscore(&Findings::default(), &HScoreSettings::default());
    assert_eq!(
        (nothing.score, nothing.min, nothing.max, nothing.positive),
        (0, 0, 337, None)
    );
    assert!(nothing.items.iter().all(|item| !item.known));
    // Marrow not done: 35 points at stake.
    let mut f = gdl_findings(&GDL_CASES[18]);
    f.bm_hemophagocytosis = None;
    let result = hscore(&f, &HScoreSettings::default());
    assert_eq!((result.score, result.max), (205, 240));
    // One organ known enlarged, the other unknown: 23 now, up to 38.
    let mut f = baseline();
    f.hepatomegaly = Some(true);
    f.splenomegaly = None;
    let result = hscore(&f, &HScoreSettings::default());
    assert_eq!((result.score, result.max), (23, 38));
}

fn hlh_findings() -> Findings {
    let mut f = Findings {
        splenomegaly: Some(false),
        bm_hemophagocytosis: Some(false),
        nk_activity_low: Some(false),
        molecular_hlh: Some(false),
        age_years: Some(40.0),
        ..Findings::default()
    };
    lab(&mut f, Analyte::Temperature, 37.0, "Cel");
    lab(&mut f, Analyte::Hemoglobin, 13.0, "g/dL");
    lab(&mut f, Analyte::Platelets, 250.0, "10*9/L");
    lab(&mut f, Analyte::Neutrophils, 4.0, "10*9/L");
    lab(&mut f, Analyte::Triglycerides, 1.0, "mmol/L");
    lab(&mut f, Analyte::Fibrinogen, 3.0, "g/L");
    lab(&mut f, Analyte::Ferritin, 100.0, "ug/L");
    lab(&mut f, Analyte::Scd25, 500.0, "U/mL");
    f
}

fn criterion(findings: &Findings, name: &str) -> Status {
    hlh2004(findings, &Hlh2004Settings::default())
        .criteria
        .iter()
        .find(|c| c.criterion == name)
        .unwrap()
        .status
}

#[test]
fn every_hlh2004_boundary_on_both_sides() {
    let with = |analyte, value, unit: &str, other: Option<(Analyte, f64)>| {
        let mut f = hlh_findings();
        lab(&mut f, analyte, value, unit);
        if let Some((a, v)) = other {
            lab(
                &mut f,
                a,
                v,
                if a == Analyte::Hemoglobin {
                    "g/dL"
                } else {
                    "10*9/L"
                },
            );
        }
        f
    };
    // Cytopenias need 2 lineages: pair each tested lineage with a low platelet count.
    let low_platelets = Some((Analyte::Platelets, 50.0));
    assert_eq!(
        criterion(
            &with(Analyte::Hemoglobin, 90.0, "g/L", low_platelets),
            "cytopenias"
        ),
        Status::NotMet,
        "Hb 90 g/L does not count"
    );
    assert_eq!(
        criterion(
            &with(Analyte::Hemoglobin, 89.9, "g/L", low_platelets),
            "cytopenias"
        ),
        Status::Met
    );
    let mut infant = with(Analyte::Hemoglobin, 99.0, "g/L", low_platelets);
    infant.age_years = Some(27.0 / 365.25);
    assert_eq!(
        criterion(&infant, "cytopenias"),
        Status::Met,
        "Hb 99 g/L counts at 27 days"
    );
    infant.age_years = Some(29.0 / 365.25);
    assert_eq!(
        criterion(&infant, "cytopenias"),
        Status::NotMet,
        "not at 29 days"
    );
    infant.age_years = None;
    assert_eq!(
        criterion(&infant, "cytopenias"),
        Status::Unknown,
        "age unknown"
    );
    let low_hb = Some((Analyte::Hemoglobin, 8.0));
    assert_eq!(
        criterion(
            &with(Analyte::Platelets, 100.0, "10*9/L", low_hb),
            "cytopenias"
        ),
        Status::NotMet,
        "platelets 100 do not count"
    );
    assert_eq!(
        criterion(
            &with(Analyte::Platelets, 99.0, "10*9/L", low_hb),
            "cytopenias"
        ),
        Status::Met
    );
    assert_eq!(
        criterion(
            &with(Analyte::Neutrophils, 1.0, "10*9/L", low_hb),
            "cytopenias"
        ),
        Status::NotMet,
        "ANC 1.0 does not count"
    );
    assert_eq!(
        criterion(
            &with(Analyte::Neutrophils, 0.99, "10*9/L", low_hb),
            "cytopenias"
        ),
        Status::Met
    );
    let tf = "triglycerides_or_fibrinogen";
    assert_eq!(
        criterion(&with(Analyte::Triglycerides, 3.0, "mmol/L", None), tf),
        Status::Met,
        "TG 3.0 counts"
    );
    assert_eq!(
        criterion(&with(Analyte::Triglycerides, 2.99, "mmol/L", None), tf),
        Status::NotMet
    );
    assert_eq!(
        criterion(&with(Analyte::Fibrinogen, 1.5, "g/L", None), tf),
        Status::Met,
        "fibrinogen 1.5 counts"
    );
    assert_eq!(
        criterion(&with(Analyte::Fibrinogen, 1.51, "g/L", None), tf),
        Status::NotMet
    );
    assert_eq!(
        criterion(&with(Analyte::Ferritin, 500.0, "ug/L", None), "ferritin"),
        Status::Met,
        "ferritin 500 counts"
    );
    assert_eq!(
        criterion(&with(Analyte::Ferritin, 499.9, "ug/L", None), "ferritin"),
        Status::NotMet
    );
    assert_eq!(
        criterion(&with(Analyte::Scd25, 2400.0, "U/mL", None), "scd25"),
        Status::Met,
        "sCD25 2400 counts"
    );
    assert_eq!(
        criterion(&with(Analyte::Scd25, 2399.0, "U/mL", None), "scd25"),
        Status::NotMet
    );
    assert_eq!(
        criterion(&with(Analyte::Temperature, 38.5, "Cel", None), "fever"),
        Status::Met
    );
    assert_eq!(
        criterion(&with(Analyte::Temperature, 38.49, "Cel", None), "fever"),
        Status::NotMet
    );
}

#[test]
fn hlh2004_presets_move_their_boundaries() {
    let mut f = hlh_findings();
    lab(&mut f, Analyte::Ferritin, 500.0, "ug/L");
    lab(&mut f, Analyte::Temperature, 38.3, "Cel");
    let status_of = |f: &Findings, preset: Preset, name: &str| {
        hlh2004(f, &preset.settings())
            .criteria
            .iter()
            .find(|c| c.criterion == name)
            .unwrap()
            .status
    };
    assert_eq!(status_of(&f, Preset::Henter2007, "ferritin"), Status::Met);
    assert_eq!(
        status_of(&f, Preset::StrictOperators, "ferritin"),
        Status::NotMet,
        "ferritin > 500"
    );
    assert_eq!(
        status_of(&f, Preset::CharityIcu, "ferritin"),
        Status::NotMet,
        "ferritin >= 3000"
    );
    assert_eq!(status_of(&f, Preset::Henter2007, "fever"), Status::NotMet);
    assert_eq!(status_of(&f, Preset::Fever38_3, "fever"), Status::Met);
    assert_eq!(status_of(&f, Preset::CharityIcu, "fever"), Status::Met);
    lab(&mut f, Analyte::Triglycerides, 265.0, "mg/dL");
    assert_eq!(
        status_of(&f, Preset::Henter2007, "triglycerides_or_fibrinogen"),
        Status::NotMet,
        "265 mg/dL = 2.992 mmol/L < 3.0"
    );
    assert_eq!(
        status_of(&f, Preset::StrictOperators, "triglycerides_or_fibrinogen"),
        Status::NotMet,
        "> 265 mg/dL"
    );
    lab(&mut f, Analyte::Triglycerides, 266.0, "mg/dL");
    assert_eq!(
        status_of(&f, Preset::StrictOperators, "triglycerides_or_fibrinogen"),
        Status::Met
    );
    assert_eq!(Preset::FourOfEight.settings().required, 4);
    for preset in Preset::ALL {
        assert_eq!(Preset::from_name(preset.name()), Some(preset));
    }
}

#[test]
fn hlh2004_diagnosis_reads_unknown_as_unknown() {
    // Five criteria met: met.
    let mut f = hlh_findings();
    f.splenomegaly = Some(true);
    f.bm_hemophagocytosis = Some(true);
    lab(&mut f, Analyte::Temperature, 39.0, "Cel");
    lab(&mut f, Analyte::Ferritin, 5000.0, "ug/L");
    lab(&mut f, Analyte::Scd25, 5000.0, "U/mL");
    let result = hlh2004(&f, &Hlh2004Settings::default());
    assert_eq!((result.met, result.diagnosis), (5, Diagnosis::Met));
    // Four met and NK activity unknown: indeterminate, 4 to 5.
    f.bm_hemophagocytosis = Some(false);
    f.nk_activity_low = None;
    let result = hlh2004(&f, &Hlh2004Settings::default());
    assert_eq!(
        (result.count_min, result.count_max, result.diagnosis),
        (4, 5, Diagnosis::Indeterminate)
    );
    // The same with 4 of 8: met.
    assert_eq!(
        hlh2004(&f, &Preset::FourOfEight.settings()).diagnosis,
        Diagnosis::Met
    );
    // Fewer than 5 possible but molecular diagnosis unknown: indeterminate, never not met.
    let mut g = hlh_findings();
    g.molecular_hlh = None;
    assert_eq!(
        hlh2004(&g, &Hlh2004Settings::default()).diagnosis,
        Diagnosis::Indeterminate
    );
    g.molecular_hlh = Some(false);
    assert_eq!(
        hlh2004(&g, &Hlh2004Settings::default()).diagnosis,
        Diagnosis::NotMet
    );
    g.molecular_hlh = Some(true);
    assert_eq!(
        hlh2004(&g, &Hlh2004Settings::default()).diagnosis,
        Diagnosis::Met
    );
    // Fever from the finding when no temperature is given.
    let mut h = Findings {
        febrile: Some(true),
        ..Findings::default()
    };
    assert_eq!(criterion(&h, "fever"), Status::Met);
    h.febrile = None;
    assert_eq!(criterion(&h, "fever"), Status::Unknown);
}

fn mas_findings() -> Findings {
    let mut f = Findings {
        sjia: Some(true),
        febrile: Some(true),
        ..Findings::default()
    };
    lab(&mut f, Analyte::Ferritin, 5000.0, "ng/mL");
    lab(&mut f, Analyte::Platelets, 300.0, "10*9/L");
    lab(&mut f, Analyte::Ast, 30.0, "U/L");
    lab(&mut f, Analyte::Triglycerides, 100.0, "mg/dL");
    lab(&mut f, Analyte::Fibrinogen, 400.0, "mg/dL");
    f
}

fn mas_criterion(f: &Findings, name: &str) -> Status {
    mas2016(f)
        .criteria
        .iter()
        .find(|c| c.criterion == name)
        .unwrap()
        .status
}

#[test]
fn every_mas2016_boundary_on_both_sides() {
    let with = |analyte, value, unit: &str| {
        let mut f = mas_findings();
        lab(&mut f, analyte, value, unit);
        f
    };
    assert_eq!(
        mas_criterion(&with(Analyte::Ferritin, 684.0, "ng/mL"), "ferritin"),
        Status::NotMet,
        "684 does not qualify"
    );
    assert_eq!(
        mas_criterion(&with(Analyte::Ferritin, 684.1, "ng/mL"), "ferritin"),
        Status::Met
    );
    assert_eq!(
        mas_criterion(&with(Analyte::Platelets, 181.0, "10*9/L"), "platelets"),
        Status::Met,
        "181 counts"
    );
    assert_eq!(
        mas_criterion(&with(Analyte::Platelets, 182.0, "10*9/L"), "platelets"),
        Status::NotMet
    );
    assert_eq!(
        mas_criterion(&with(Analyte::Ast, 48.0, "U/L"), "ast"),
        Status::NotMet,
        "AST 48 does not"
    );
    assert_eq!(
        mas_criterion(&with(Analyte::Ast, 48.1, "U/L"), "ast"),
        Status::Met
    );
    assert_eq!(
        mas_criterion(
            &with(Analyte::Triglycerides, 156.0, "mg/dL"),
            "triglycerides"
        ),
        Status::NotMet,
        "TG 156 mg/dL does not"
    );
    assert_eq!(
        mas_criterion(
            &with(Analyte::Triglycerides, 156.1, "mg/dL"),
            "triglycerides"
        ),
        Status::Met
    );
    assert_eq!(
        mas_criterion(&with(Analyte::Fibrinogen, 360.0, "mg/dL"), "fibrinogen"),
        Status::Met,
        "fibrinogen 360 mg/dL counts"
    );
    assert_eq!(
        mas_criterion(&with(Analyte::Fibrinogen, 361.0, "mg/dL"), "fibrinogen"),
        Status::NotMet
    );
}

#[test]
fn mas2016_classification_needs_fever_ferritin_and_two_more() {
    assert_eq!(
        mas2016(&mas_findings()).status,
        Mas2016Status::NotMet,
        "no second criterion"
    );
    let mut f = mas_findings();
    lab(&mut f, Analyte::Platelets, 150.0, "10*9/L");
    lab(&mut f, Analyte::Ast, 60.0, "U/L");
    assert_eq!(mas2016(&f).status, Mas2016Status::Met);
    f.febrile = Some(false);
    assert_eq!(mas2016(&f).status, Mas2016Status::NotMet);
    f.febrile = None;
    assert_eq!(mas2016(&f).status, Mas2016Status::Unknown);
    f.febrile = Some(true);
    f.sjia = Some(false);
    assert_eq!(mas2016(&f).status, Mas2016Status::NotApplicable);
    f.sjia = None;
    assert_eq!(mas2016(&f).status, Mas2016Status::Unknown);
}

#[test]
fn the_ms_score_synthetic_check() {
    // §7.4: CNS 0, haemorrhage 0, active arthritis 1, platelets 150, LDH 800, fibrinogen 200 mg/dL,
    // ferritin 5000 -> -1.30 - 0.45 + 0.80 - 0.80 + 0.50 = -1.25 >= -2.1.
    let mut f = Findings {
        sjia: Some(true),
        cns_involvement: Some(false),
        hemorrhage: Some(false),
        active_arthritis: Some(true),
        ..Findings::default()
    };
    lab(&mut f, Analyte::Platelets, 150.0, "10*9/L");
    lab(&mut f, Analyte::Ldh, 800.0, "U/L");
    lab(&mut f, Analyte::Fibrinogen, 200.0, "mg/dL");
    lab(&mut f, Analyte::Ferritin, 5000.0, "ng/mL");
    let score = ms_score(&f, Population::Sjia).value.unwrap();
    assert!((score.score - (-1.25)).abs() < 1e-12, "{}", score.score);
    assert_eq!((score.min, score.max), (score.score, score.score));
    assert_eq!(ms_score(&f, Population::Sjia).verdict, Verdict::ConsiderMas);
    // Fibrinogen typed as 2.0 g/L is 200 mg/dL after conversion: the same score, not -0.458.
    lab(&mut f, Analyte::Fibrinogen, 2.0, "g/L");
    assert!((ms_score(&f, Population::Sjia).value.unwrap().score - (-1.25)).abs() < 1e-12);
    // The cut-off is inclusive: exactly -2.1 considers MAS.
    assert_eq!(
        hlh_criteria::ms_score::verdict(-2.1, -2.1, -2.1),
        Verdict::ConsiderMas
    );
    assert_eq!(
        hlh_criteria::ms_score::verdict(-2.1000001, -2.1000001, -2.1),
        Verdict::BelowCutoff
    );
    assert_eq!(
        hlh_criteria::ms_score::verdict(-3.0, 1.0, -2.1),
        Verdict::Unknown
    );
    // Platelets 650 (−1.95) and 750 (−2.25), nothing else raised: either side of the cut-off.
    let mut g = Findings {
        sjia: Some(true),
        cns_involvement: Some(false),
        hemorrhage: Some(false),
        active_arthritis: Some(false),
        ..Findings::default()
    };
    lab(&mut g, Analyte::Ldh, 0.0, "U/L");
    lab(&mut g, Analyte::Fibrinogen, 0.0, "g/L");
    lab(&mut g, Analyte::Ferritin, 0.0, "ug/L");
    lab(&mut g, Analyte::Platelets, 650.0, "10*9/L");
    assert_eq!(ms_score(&g, Population::Sjia).verdict, Verdict::ConsiderMas);
    lab(&mut g, Analyte::Platelets, 750.0, "10*9/L");
    assert_eq!(ms_score(&g, Population::Sjia).verdict, Verdict::BelowCutoff);
    // Unknown clinical items widen the range: with none known, the laboratory values decide nothing.
    let mut h = g.clone();
    h.cns_involvement = None;
    h.hemorrhage = None;
    h.active_arthritis = None;
    lab(&mut h, Analyte::Platelets, 700.0, "10*9/L");
    assert_eq!(ms_score(&h, Population::Sjia).verdict, Verdict::Unknown);
    // A laboratory input unknown: no value, and the missing input is named.
    let mut no_ldh = Findings {
        labs: Default::default(),
        ..f.clone()
    };
    lab(&mut no_ldh, Analyte::Platelets, 150.0, "10*9/L");
    lab(&mut no_ldh, Analyte::Fibrinogen, 200.0, "mg/dL");
    lab(&mut no_ldh, Analyte::Ferritin, 5000.0, "ng/mL");
    let score = ms_score(&no_ldh, Population::Sjia);
    assert_eq!(
        (score.value, score.verdict, score.unknown),
        (None, Verdict::NotComputable, vec!["ldh"])
    );
    // Outside sJIA (a 60-year-old without it, or sJIA not recorded): not applicable.
    for sjia in [Some(false), None] {
        let adult = Findings { sjia, ..f.clone() };
        assert_eq!(
            (
                ms_score(&adult, Population::Sjia).value,
                ms_score(&adult, Population::Sjia).verdict
            ),
            (None, Verdict::NotApplicable)
        );
    }
    assert_eq!(
        ms_score(&Findings::default(), Population::Sjia).verdict,
        Verdict::NotApplicable
    );
    // Read in AOSD (Yao, Clin Exp Rheumatol 2021): only for a patient known to have AOSD, at −1.74.
    // g with platelets 650 scores −1.95: "consider MAS" at sJIA's −2.1, below AOSD's −1.74.
    let aosd = Findings {
        sjia: Some(false),
        aosd: Some(true),
        ..g.clone()
    };
    let mut aosd_650 = aosd.clone();
    lab(&mut aosd_650, Analyte::Platelets, 650.0, "10*9/L");
    let read_in_aosd = ms_score(&aosd_650, Population::Aosd);
    assert!((read_in_aosd.value.unwrap().score - (-1.95)).abs() < 1e-12);
    assert_eq!(
        (read_in_aosd.cutoff, read_in_aosd.verdict),
        (-1.74, Verdict::BelowCutoff)
    );
    // Platelets 500: −1.50, above −1.74.
    lab(&mut aosd_650, Analyte::Platelets, 500.0, "10*9/L");
    assert_eq!(
        ms_score(&aosd_650, Population::Aosd).verdict,
        Verdict::ConsiderMas
    );
    // Not read in AOSD by default, nor for an sJIA patient when AOSD is asked for.
    assert_eq!(
        ms_score(&aosd_650, Population::Sjia).verdict,
        Verdict::NotApplicable
    );
    assert_eq!(
        ms_score(&g, Population::Aosd).verdict,
        Verdict::NotApplicable
    );
}

#[test]
fn ohi_reads_the_abstract_operator_by_default() {
    // §7.4: sCD25 3900 / ferritin 1000 -> negative under ">", positive under ">=".
    let mut f = Findings::default();
    lab(&mut f, Analyte::Scd25, 3900.0, "U/mL");
    lab(&mut f, Analyte::Ferritin, 1000.0, "ng/mL");
    assert_eq!(ohi(&f, OhiOperator::Strict).status, Status::NotMet);
    assert_eq!(ohi(&f, OhiOperator::Inclusive).status, Status::Met);
    lab(&mut f, Analyte::Scd25, 3901.0, "U/mL");
    lab(&mut f, Analyte::Ferritin, 1000.1, "ng/mL");
    assert_eq!(ohi(&f, OhiOperator::Strict).status, Status::Met);
    let mut g = Findings::default();
    lab(&mut g, Analyte::Ferritin, 5000.0, "ug/L");
    assert_eq!(
        ohi(&g, OhiOperator::Strict).status,
        Status::Unknown,
        "sCD25 unknown"
    );
    lab(&mut g, Analyte::Ferritin, 900.0, "ug/L");
    assert_eq!(
        ohi(&g, OhiOperator::Strict).status,
        Status::NotMet,
        "ferritin alone rules it out"
    );
}

/// The clinical verdict reads the eight criteria alone (docs/criteria/hlh2004.md): the adult without a
/// molecular test, all eight criteria known and two met, is "indeterminate" by the guideline's two
/// routes but "not met" on the criteria.
#[test]
fn hlh2004_clinical_verdict_reads_the_eight_criteria_alone() {
    let mut adult = hlh_findings();
    adult.molecular_hlh = None;
    adult.splenomegaly = Some(true);
    lab(&mut adult, Analyte::Ferritin, 5000.0, "ug/L");
    let result = hlh2004(&adult, &Hlh2004Settings::default());
    assert_eq!((result.met, result.evaluated()), (2, 8));
    assert_eq!(result.diagnosis, Diagnosis::Indeterminate);
    assert_eq!(result.clinical_diagnosis, Diagnosis::NotMet);
    // Three met and two unknown: five are possible, so the unknowns decide.
    adult.bm_hemophagocytosis = None;
    adult.nk_activity_low = None;
    lab(&mut adult, Analyte::Temperature, 39.0, "Cel");
    let result = hlh2004(&adult, &Hlh2004Settings::default());
    assert_eq!((result.met, result.unknown, result.evaluated()), (3, 2, 6));
    assert_eq!(result.clinical_diagnosis, Diagnosis::Indeterminate);
    // Five met: met by both readings; a positive molecular test alone meets only the guideline's.
    adult.bm_hemophagocytosis = Some(true);
    adult.nk_activity_low = Some(true);
    let result = hlh2004(&adult, &Hlh2004Settings::default());
    assert_eq!(
        (result.diagnosis, result.clinical_diagnosis),
        (Diagnosis::Met, Diagnosis::Met)
    );
    let mut molecular = hlh_findings();
    molecular.molecular_hlh = Some(true);
    let result = hlh2004(&molecular, &Hlh2004Settings::default());
    assert_eq!(
        (result.diagnosis, result.clinical_diagnosis),
        (Diagnosis::Met, Diagnosis::NotMet)
    );
}
