//! The abstract-style summary a clinician can paste into a draft, every number with its n, read from the
//! analysis JSON (never recomputed).

use serde_json::Value;

use crate::protocol::{PrimaryPairedTest, Protocol};

fn percent(part: &Value) -> String {
    part["proportion"]
        .as_f64()
        .map_or("–".into(), |p| format!("{:.1}%", 100.0 * p))
}

fn count_of(part: &Value) -> String {
    format!("{}/{}", part["count"], part["n"])
}

fn ci(part: &Value) -> String {
    match (part["ci95"][0].as_f64(), part["ci95"][1].as_f64()) {
        (Some(lo), Some(hi)) => format!("95% CI {:.1}–{:.1}%", 100.0 * lo, 100.0 * hi),
        _ => "95% CI not estimable".into(),
    }
}

/// Three decimals, or "< 0.001".
pub fn p_value(p: Option<f64>) -> String {
    match p {
        Some(p) if p < 0.001 => "p < 0.001".into(),
        Some(p) => format!("p = {p:.3}"),
        None => "p not estimable".into(),
    }
}

fn short(value: &Value) -> String {
    match value.as_f64() {
        Some(v) if v.abs() >= 100.0 => format!("{v:.0}"),
        Some(v) => {
            let text = format!("{v:.1}");
            text.trim_end_matches(".0").to_string()
        }
        None => "–".into(),
    }
}

pub fn summary_text(analysis: &Value, protocol: &Protocol) -> String {
    let baseline = &analysis["baseline"];
    let outcomes = &analysis["outcomes"];
    let n = analysis["n_patients"].as_u64().unwrap_or(0);
    let drug = protocol.index_drug.name();
    let capitalised = format!("{}{}", drug[..1].to_uppercase(), &drug[1..]);
    let age = &baseline["age_years"];
    let men = baseline["sex"]["M"].as_u64().unwrap_or(0);
    let mut text = format!(
        "Among {n} patients (median age {} years, IQR {}–{}), {men} ({:.1}%) were men. ",
        short(&age["median"]),
        short(&age["q1"]),
        short(&age["q3"]),
        100.0 * men as f64 / n.max(1) as f64
    );
    text += &format!(
        "{capitalised} was given first-line in {} ({}) and as monotherapy in {} ({}). ",
        count_of(&baseline["first_line"]),
        percent(&baseline["first_line"]),
        count_of(&baseline["monotherapy"]),
        percent(&baseline["monotherapy"])
    );
    let response = &outcomes["response"];
    text += &format!(
        "It was effective in {} patients ({}, {}){}. ",
        count_of(response),
        percent(response),
        ci(response),
        match response["unknown"].as_u64() {
            Some(0) | None => String::new(),
            Some(unknown) => format!("; response could not be judged in {unknown}"),
        }
    );
    let fever = &outcomes["fever_resolution"];
    text += &format!(
        "Fever resolved by Day {} in {}/{} febrile patients, within a median of {} {} (IQR {}–{}, n = {}). ",
        protocol.fever_resolved_by_day,
        fever["resolved_by_day7"],
        fever["febrile_at_baseline"],
        short(&fever["days"]["median"]),
        if fever["days"]["median"].as_f64() == Some(1.0) { "day" } else { "days" },
        short(&fever["days"]["q1"]),
        short(&fever["days"]["q3"]),
        fever["days"]["n"]
    );
    let mut lab_sentences = Vec::new();
    for analyte in ["crp", "ferritin"] {
        let lab = &outcomes["labs"][analyte];
        if lab.is_null() || lab["n_pairs"].as_u64().unwrap_or(0) == 0 {
            continue;
        }
        let (p, test) = match protocol.primary_paired_test {
            PrimaryPairedTest::PairedT => (lab["paired_t"]["p_value"].as_f64(), "paired t-test"),
            PrimaryPairedTest::Wilcoxon => (
                lab["wilcoxon"]["p_value"].as_f64(),
                "Wilcoxon signed-rank test",
            ),
        };
        let direction = match (lab["day0"]["mean"].as_f64(), lab["day7"]["mean"].as_f64()) {
            (Some(before), Some(after)) if after < before => "decreased",
            (Some(before), Some(after)) if after > before => "increased",
            _ => "did not change on average",
        };
        let unit = hlh_model::units::printed(lab["unit"].as_str().unwrap_or(""));
        lab_sentences.push(format!(
            "{} {direction} from a mean of {} {unit} to {} {unit} (n = {} pairs, {test} {})",
            if analyte == "crp" { "CRP" } else { "ferritin" },
            short(&lab["day0"]["mean"]),
            short(&lab["day7"]["mean"]),
            lab["n_pairs"],
            p_value(p)
        ));
    }
    if !lab_sentences.is_empty() {
        text += &format!("Between Day 0 and Day 7, {}. ", lab_sentences.join("; "));
    }
    let stopped = &outcomes["discontinued_adverse_event"];
    text += &format!(
        "{capitalised} was stopped for adverse events in {} patients ({}).",
        count_of(stopped),
        percent(stopped)
    );
    text
}
