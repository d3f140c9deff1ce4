//! The HScore for reactive haemophagocytic syndrome, with its probability.
//!
//! Source: Fardet L, Galicier L, Lambotte O, et al. Development and validation of the HScore, a score for
//! the diagnosis of reactive hemophagocytic syndrome. Arthritis Rheumatol 2014;66(9):2613–20,
//! doi:10.1002/art.38690 (Table 3, as reproduced in Case Rep Rheumatol 2017, Table 3). Boundary readings
//! and the disagreements between sources: docs/criteria/hscore.md.

use hlh_model::{Analyte, SourceRow};

use crate::findings::Findings;

/// Which thresholds are compared with what.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UnitMode {
    /// Every threshold compared with the value converted to the canonical unit (the default).
    Canonical,
    /// Temperature in °F, triglycerides and fibrinogen in mg/dL compared with the secondary-unit
    /// thresholds bedside calculators use (101.1/102.9 °F, 132.7/354 mg/dL, 250 mg/dL), to reproduce them.
    Typed,
}

/// How scores between 241 and 249 read (the paper tabulates 240 → 99 % and 250 → >99 %; MDCalc-style
/// band tables print ">99 %" from 241).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BandConvention {
    Paper,
    MdCalc,
}

/// Settings of the HScore.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct HScoreSettings {
    /// Positive at score ≥ cutoff (169: Fardet 2014's best cut-off, read as inclusive).
    pub cutoff: u32,
    pub unit_mode: UnitMode,
    pub band_convention: BandConvention,
}

impl Default for HScoreSettings {
    fn default() -> HScoreSettings {
        HScoreSettings {
            cutoff: 169,
            unit_mode: UnitMode::Canonical,
            band_convention: BandConvention::Paper,
        }
    }
}

/// The nine items, in the order of the published table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Item {
    Immunosuppression,
    Temperature,
    Organomegaly,
    Cytopenias,
    Ferritin,
    Triglycerides,
    Fibrinogen,
    Ast,
    BmHemophagocytosis,
}

impl Item {
    pub fn name(self) -> &'static str {
        match self {
            Item::Immunosuppression => "immunosuppression",
            Item::Temperature => "temperature",
            Item::Organomegaly => "organomegaly",
            Item::Cytopenias => "cytopenias",
            Item::Ferritin => "ferritin",
            Item::Triglycerides => "triglycerides",
            Item::Fibrinogen => "fibrinogen",
            Item::Ast => "ast",
            Item::BmHemophagocytosis => "bm_hemophagocytosis",
        }
    }
}

/// What an item was scored on.
#[derive(Debug, Clone, PartialEq)]
pub enum ItemValue {
    Number(f64),
    Yes(bool),
    /// Cytopenias: the lineages known to be low; organomegaly: the organs known to be enlarged.
    Count(u32),
    Missing,
}

/// One scored item.
#[derive(Debug, Clone, PartialEq)]
pub struct ScoredItem {
    pub item: Item,
    /// Points on the data given, unknown parts scored 0.
    pub points: u32,
    /// The most the item could score once its unknown parts are known (= points when fully known).
    pub max_points: u32,
    /// Whether everything the item needs is known.
    pub known: bool,
    pub value: ItemValue,
    pub unit: Option<&'static str>,
    /// The rows the item was scored from.
    pub sources: Vec<SourceRow>,
}

/// The HScore probability of reactive haemophagocytic syndrome, from the published table.
#[derive(Debug, Clone, PartialEq)]
pub struct Probability {
    /// Only at a tabulated score, 100 … 240.
    pub percent: Option<f64>,
    /// The two neighbouring tabulated values, open ends written 0 and 100; [p, p] at a tabulated score.
    pub band: (f64, f64),
    /// The published notation ("<1%", "40–54%", ">99%").
    pub text: String,
}

/// The published probability table: (HScore, %), with 90 → "<1" and 250 → ">99" as open ends.
const PROBABILITY_TABLE: [(u32, f64); 15] = [
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

/// The probability of a score, read from the published table.
pub fn probability(score: u32, convention: BandConvention) -> Probability {
    let band_text = |lo: f64, hi: f64| format!("{lo}–{hi}%");
    if score <= 90 {
        return Probability {
            percent: None,
            band: (0.0, 1.0),
            text: "<1%".into(),
        };
    }
    if score < 100 {
        return Probability {
            percent: None,
            band: (0.0, 1.0),
            text: "<1–1%".into(),
        };
    }
    if score >= 250 || (score > 240 && convention == BandConvention::MdCalc) {
        return Probability {
            percent: None,
            band: (99.0, 100.0),
            text: ">99%".into(),
        };
    }
    if score > 240 {
        return Probability {
            percent: None,
            band: (99.0, 100.0),
            text: "99–>99%".into(),
        };
    }
    match PROBABILITY_TABLE.iter().position(|&(s, _)| s >= score) {
        Some(i) if PROBABILITY_TABLE[i].0 == score => {
            let p = PROBABILITY_TABLE[i].1;
            Probability {
                percent: Some(p),
                band: (p, p),
                text: format!("{p}%"),
            }
        }
        Some(i) => {
            let (lo, hi) = (PROBABILITY_TABLE[i - 1].1, PROBABILITY_TABLE[i].1);
            Probability {
                percent: None,
                band: (lo, hi),
                text: band_text(lo, hi),
            }
        }
        None => unreachable!("scores 100..=240 fall inside the table"),
    }
}

/// The fitted logistic curve: an APPROXIMATION, NOT AN OFFICIAL FORMULA. logit(P) = −10.5382 + 0.06283 ×
/// HScore is the least-squares fit of the 15 interior points of the published table
/// (docs/criteria/README.md, "The HScore probability"; maximum error 1.9 percentage points, at 160). Returns a percentage.
pub fn approximate_probability(score: f64) -> f64 {
    100.0 / (1.0 + (-(-10.5382 + 0.06283 * score)).exp())
}

/// Points for temperature in °C: < 38.4 → 0; 38.4 ≤ t ≤ 39.4 → 33; > 39.4 → 49.
pub fn temperature_points(celsius: f64) -> u32 {
    if celsius < 38.4 {
        0
    } else if celsius <= 39.4 {
        33
    } else {
        49
    }
}

/// Points for temperature as typed in °F, with the calculators' thresholds: < 101.1 → 0;
/// 101.1 ≤ t ≤ 102.9 → 33; > 102.9 → 49.
pub fn temperature_points_fahrenheit(fahrenheit: f64) -> u32 {
    if fahrenheit < 101.1 {
        0
    } else if fahrenheit <= 102.9 {
        33
    } else {
        49
    }
}

/// Points for ferritin in µg/L (= ng/mL): < 2000 → 0; 2000 ≤ f ≤ 6000 → 35; > 6000 → 50.
pub fn ferritin_points(ug_per_l: f64) -> u32 {
    if ug_per_l < 2000.0 {
        0
    } else if ug_per_l <= 6000.0 {
        35
    } else {
        50
    }
}

/// Points for triglycerides in mmol/L: < 1.5 → 0; 1.5 ≤ x ≤ 4 → 44; > 4 → 64.
pub fn triglyceride_points(mmol_per_l: f64) -> u32 {
    if mmol_per_l < 1.5 {
        0
    } else if mmol_per_l <= 4.0 {
        44
    } else {
        64
    }
}

/// Points for triglycerides as typed in mg/dL, with the calculators' thresholds: < 132.7 → 0;
/// 132.7 ≤ x ≤ 354 → 44; > 354 → 64.
pub fn triglyceride_points_mg_per_dl(mg_per_dl: f64) -> u32 {
    if mg_per_dl < 132.7 {
        0
    } else if mg_per_dl <= 354.0 {
        44
    } else {
        64
    }
}

/// Points for fibrinogen in g/L: > 2.5 → 0; ≤ 2.5 → 30.
pub fn fibrinogen_points(g_per_l: f64) -> u32 {
    if g_per_l <= 2.5 {
        30
    } else {
        0
    }
}

/// Points for AST in U/L: < 30 → 0; ≥ 30 → 19.
pub fn ast_points(u_per_l: f64) -> u32 {
    if u_per_l >= 30.0 {
        19
    } else {
        0
    }
}

/// Points for the number of cytopenic lineages: 0 or 1 → 0; 2 → 24; 3 → 34.
pub fn cytopenia_points(lineages: u32) -> u32 {
    match lineages {
        0 | 1 => 0,
        2 => 24,
        _ => 34,
    }
}

/// Points for organomegaly: none → 0; hepatomegaly or splenomegaly → 23; both → 38.
pub fn organomegaly_points(organs: u32) -> u32 {
    match organs {
        0 => 0,
        1 => 23,
        _ => 38,
    }
}

/// A lineage counts as cytopenic at haemoglobin ≤ 9.2 g/dL, leukocytes ≤ 5.0 × 10⁹/L or platelets
/// ≤ 110 × 10⁹/L (all inclusive).
pub fn is_cytopenic(analyte: Analyte, value: f64) -> bool {
    match analyte {
        Analyte::Hemoglobin => value <= 9.2,
        Analyte::Leukocytes => value <= 5.0,
        Analyte::Platelets => value <= 110.0,
        _ => false,
    }
}

/// The score with its range, verdict, probability and items.
#[derive(Debug, Clone, PartialEq)]
pub struct HScore {
    /// On the data given, unknown parts scored 0; equals `min`.
    pub score: u32,
    pub min: u32,
    /// Every unknown part at its maximum.
    pub max: u32,
    pub cutoff: u32,
    /// `Some(true)` when even `min` reaches the cut-off, `Some(false)` when even `max` does not.
    pub positive: Option<bool>,
    /// Of `score`.
    pub probability: Probability,
    pub items: Vec<ScoredItem>,
}

impl HScore {
    /// The verdict in words: positive or negative at the cut-off, or undetermined while the unknown
    /// items could take the total to either side.
    pub fn verdict(&self) -> String {
        match self.positive {
            Some(true) => format!("positive (≥ {})", self.cutoff),
            Some(false) => format!("negative (< {})", self.cutoff),
            None => format!(
                "undetermined: the unknown items decide (cut-off {})",
                self.cutoff
            ),
        }
    }
}

fn item(
    item: Item,
    points: u32,
    max_points: u32,
    known: bool,
    value: ItemValue,
    unit: Option<&'static str>,
    sources: Vec<SourceRow>,
) -> ScoredItem {
    ScoredItem {
        item,
        points,
        max_points,
        known,
        value,
        unit,
        sources,
    }
}

/// A laboratory item: its points when the value is known, else 0 with `max_points` at stake.
fn lab_item(
    findings: &Findings,
    analyte: Analyte,
    item_name: Item,
    max_points: u32,
    points: impl Fn(f64) -> u32,
) -> ScoredItem {
    match findings.lab_value(analyte) {
        Some(lab) => {
            let p = points(lab.quantity.value());
            item(
                item_name,
                p,
                p,
                true,
                ItemValue::Number(lab.quantity.value()),
                Some(analyte.canonical_unit()),
                lab.source.into_iter().collect(),
            )
        }
        None => item(
            item_name,
            0,
            max_points,
            false,
            ItemValue::Missing,
            Some(analyte.canonical_unit()),
            Vec::new(),
        ),
    }
}

/// A finding item worth `points` when present.
fn finding_item(
    findings: &Findings,
    finding: Option<bool>,
    item_name: Item,
    points: u32,
) -> ScoredItem {
    let sources: Vec<SourceRow> = findings.patient_source.into_iter().collect();
    match finding {
        Some(present) => item(
            item_name,
            if present { points } else { 0 },
            if present { points } else { 0 },
            true,
            ItemValue::Yes(present),
            None,
            sources,
        ),
        None => item(
            item_name,
            0,
            points,
            false,
            ItemValue::Missing,
            None,
            Vec::new(),
        ),
    }
}

/// The HScore of `findings`.
pub fn hscore(findings: &Findings, settings: &HScoreSettings) -> HScore {
    let typed = settings.unit_mode == UnitMode::Typed;
    let typed_in = |analyte: Analyte, units: &[&str]| -> Option<f64> {
        let lab = findings.lab_value(analyte)?;
        let (number, unit) = lab.as_typed.as_ref()?;
        (typed && units.contains(&unit.as_str())).then_some(*number)
    };

    // The nine items, in one allocation (a cohort scores every patient).
    let mut items = Vec::with_capacity(9);
    items.push(finding_item(
        findings,
        findings.immunosuppression,
        Item::Immunosuppression,
        18,
    ));

    let mut temperature = lab_item(
        findings,
        Analyte::Temperature,
        Item::Temperature,
        49,
        temperature_points,
    );
    if let Some(fahrenheit) = typed_in(Analyte::Temperature, &["[degF]", "°F", "F"]) {
        temperature.points = temperature_points_fahrenheit(fahrenheit);
        temperature.max_points = temperature.points;
    }
    items.push(temperature);

    // Organomegaly: what is known to be enlarged scores now; an unknown organ may add to it.
    let organs = [findings.hepatomegaly, findings.splenomegaly];
    let enlarged = organs.iter().filter(|o| **o == Some(true)).count() as u32;
    let unknown_organs = organs.iter().filter(|o| o.is_none()).count() as u32;
    items.push(item(
        Item::Organomegaly,
        organomegaly_points(enlarged),
        organomegaly_points(enlarged + unknown_organs),
        unknown_organs == 0,
        ItemValue::Count(enlarged),
        None,
        findings
            .patient_source
            .filter(|_| unknown_organs < 2)
            .into_iter()
            .collect(),
    ));

    // Cytopenias: the lineages known to be low score now; unknown lineages may add to them.
    let lineages = [Analyte::Hemoglobin, Analyte::Leukocytes, Analyte::Platelets];
    let low = lineages
        .iter()
        .filter(|&&a| findings.lab(a).is_some_and(|v| is_cytopenic(a, v)))
        .count() as u32;
    let unknown_lineages = lineages
        .iter()
        .filter(|&&a| findings.lab(a).is_none())
        .count() as u32;
    let lineage_sources = lineages
        .iter()
        .filter_map(|&a| findings.lab_value(a)?.source)
        .collect();
    items.push(item(
        Item::Cytopenias,
        cytopenia_points(low),
        cytopenia_points(low + unknown_lineages),
        unknown_lineages == 0,
        ItemValue::Count(low),
        Some("lineages"),
        lineage_sources,
    ));

    items.push(lab_item(
        findings,
        Analyte::Ferritin,
        Item::Ferritin,
        50,
        ferritin_points,
    ));

    let mut triglycerides = lab_item(
        findings,
        Analyte::Triglycerides,
        Item::Triglycerides,
        64,
        triglyceride_points,
    );
    if let Some(mg_per_dl) = typed_in(Analyte::Triglycerides, &["mg/dL", "mg/dl"]) {
        triglycerides.points = triglyceride_points_mg_per_dl(mg_per_dl);
        triglycerides.max_points = triglycerides.points;
    }
    items.push(triglycerides);

    let mut fibrinogen = lab_item(
        findings,
        Analyte::Fibrinogen,
        Item::Fibrinogen,
        30,
        fibrinogen_points,
    );
    if let Some(mg_per_dl) = typed_in(Analyte::Fibrinogen, &["mg/dL", "mg/dl"]) {
        fibrinogen.points = if mg_per_dl <= 250.0 { 30 } else { 0 };
        fibrinogen.max_points = fibrinogen.points;
    }
    items.push(fibrinogen);

    items.push(lab_item(findings, Analyte::Ast, Item::Ast, 19, ast_points));
    items.push(finding_item(
        findings,
        findings.bm_hemophagocytosis,
        Item::BmHemophagocytosis,
        35,
    ));

    let score: u32 = items.iter().map(|i| i.points).sum();
    let max: u32 = items.iter().map(|i| i.max_points).sum();
    let positive = if score >= settings.cutoff {
        Some(true)
    } else if max < settings.cutoff {
        Some(false)
    } else {
        None
    };
    HScore {
        score,
        min: score,
        max,
        cutoff: settings.cutoff,
        positive,
        probability: probability(score, settings.band_convention),
        items,
    }
}
