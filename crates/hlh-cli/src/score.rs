//! `hlh score FINDINGS.json`: every score of one patient, for the bedside or as JSON (docs/cli.md).

use std::path::Path;

use hlh_criteria::every_score::{every_score, BedsideSettings, EveryScore};
use hlh_criteria::findings_json::read_findings_json;
use hlh_criteria::hlh2004::Criterion;
use hlh_criteria::hscore::{approximate_probability, ItemValue};
use hlh_criteria::ms_score::Population;
use serde_json::{json, Map, Value};

use hlh_outcomes::json_forms::{number_value as json_number, optional_value as json_optional};

use crate::output::paint_error;
use crate::Outcome;

/// How `hlh score` reads and prints.
pub struct Options {
    pub as_json: bool,
    /// The HScore's secondary-unit thresholds, as bedside calculators apply them.
    pub typed_units: bool,
    /// The fitted logistic probability, labelled as an approximation.
    pub approximate: bool,
    pub ms_population: Population,
}

/// `--ms-population`: one of the populations the MS score has a published cut-off for.
pub fn ms_population(name: &str) -> Result<Population, String> {
    Population::from_name(name).ok_or_else(|| "sjia or aosd".to_string())
}

pub fn run(file: &Path, options: Options) -> anyhow::Result<Outcome> {
    let Options {
        as_json,
        typed_units,
        approximate,
        ms_population,
    } = options;
    let name = file.display().to_string();
    let parsed = std::fs::read_to_string(file)
        .map_err(|error| vec![format!("{name}: cannot be read: {error}")])
        .and_then(|text| read_findings_json(&text, &name));
    let findings = match parsed {
        Ok(findings) => findings,
        Err(errors) => {
            for error in errors {
                eprintln!("{}: {error}", paint_error("error"));
            }
            return Ok(Outcome::InvalidInput);
        }
    };
    let scores = every_score(
        &findings,
        BedsideSettings {
            typed_units,
            ms_population,
        },
    );
    if as_json {
        println!(
            "{}",
            serde_json::to_string_pretty(&scores_json(&scores, approximate)).unwrap_or_default()
        );
    } else {
        print!("{}", bedside(&scores, approximate));
    }
    Ok(Outcome::Success)
}

fn item_value(value: &ItemValue) -> Value {
    match value {
        ItemValue::Number(v) => json_number(*v),
        ItemValue::Yes(flag) => json!(flag),
        ItemValue::Count(count) => json!(count),
        ItemValue::Missing => Value::Null,
    }
}

fn criterion_json(criterion: &Criterion) -> Value {
    json!({
        "criterion": criterion.criterion,
        "status": criterion.status.name(),
        "value": json_optional(criterion.value),
        "unit": criterion.unit,
    })
}

fn scores_json(scores: &EveryScore, approximate: bool) -> Value {
    let h = &scores.hscore;
    let mut probability = Map::new();
    probability.insert("percent".into(), json_optional(h.probability.percent));
    probability.insert(
        "band".into(),
        json!([h.probability.band.0, h.probability.band.1]),
    );
    probability.insert("text".into(), json!(h.probability.text));
    if approximate {
        probability.insert(
            "approximation".into(),
            json!({
                "percent": json_number(approximate_probability(f64::from(h.score))),
                "label": "approximation, not official: logistic curve fitted to the published table",
            }),
        );
    }
    let l = &scores.hlh2004;
    json!({
        "hscore": {
            "score": h.score, "min": h.min, "max": h.max, "positive": h.positive, "cutoff": h.cutoff,
            "probability": probability,
            "items": h.items.iter().map(|item| json!({
                "item": item.item.name(),
                "points": item.points,
                "max_points": item.max_points,
                "value": item_value(&item.value),
                "unit": item.unit,
                "status": if item.known { "known" } else { "unknown" },
            })).collect::<Vec<_>>(),
        },
        "hlh2004": {
            "met": l.met, "not_met": l.not_met, "unknown": l.unknown, "count_min": l.count_min,
            "count_max": l.count_max, "required": l.required, "diagnosis": l.diagnosis.name(),
            "clinical_diagnosis": l.clinical_diagnosis.name(), "evaluated": l.evaluated(),
            "molecular": l.molecular.name(),
            "criteria": l.criteria.iter().map(criterion_json).collect::<Vec<_>>(),
        },
        "ohi": {
            "status": scores.ohi.result_name(),
            "derived_in": hlh_criteria::ohi::DERIVED_IN,
            "ferritin": json_optional(scores.ohi.ferritin),
            "scd25": json_optional(scores.ohi.scd25),
        },
        "mas2016": {
            "status": scores.mas2016.status.name(),
            "febrile": scores.mas2016.febrile.name(),
            "criteria": scores.mas2016.criteria.iter().map(criterion_json).collect::<Vec<_>>(),
        },
        "ms_score": {
            "score": json_optional(scores.ms_score.value.map(|v| v.score)),
            "min": json_optional(scores.ms_score.value.map(|v| v.min)),
            "max": json_optional(scores.ms_score.value.map(|v| v.max)),
            "cutoff": scores.ms_score.cutoff, "population": scores.ms_score.population.name(),
            "cutoff_source": scores.ms_score.population.source(),
            "verdict": scores.ms_score.verdict.name(), "unknown": scores.ms_score.unknown,
        },
    })
}

/// What a clinician at the bedside wants: each item with its value, points and status, the total with
/// its range, the probability, and each verdict.
fn bedside(scores: &EveryScore, approximate: bool) -> String {
    use std::fmt::Write as _;
    let mut out = String::new();
    let h = &scores.hscore;
    let _ = writeln!(out, "HScore (Fardet 2014)");
    for item in &h.items {
        let value = match &item.value {
            ItemValue::Number(v) => format!("{} {}", short(*v), item.unit.unwrap_or("")),
            ItemValue::Yes(flag) => {
                if *flag {
                    "yes".into()
                } else {
                    "no".into()
                }
            }
            ItemValue::Count(count) => format!("{count} {}", item.unit.unwrap_or("enlarged")),
            ItemValue::Missing => "unknown".into(),
        };
        let points = if item.known {
            format!("{:>3}", item.points)
        } else {
            format!("{:>3} (up to {})", item.points, item.max_points)
        };
        let _ = writeln!(out, "  {:<20} {:<22} {points}", item.item.name(), value);
    }
    let range = if h.min == h.max {
        String::new()
    } else {
        format!(" (range {}–{} over the unknown items)", h.min, h.max)
    };
    let verdict = h.verdict();
    let _ = writeln!(out, "  total {}{range}: {verdict}", h.score);
    let _ = writeln!(
        out,
        "  probability of haemophagocytic syndrome {} (published table)",
        h.probability.text
    );
    if approximate {
        let _ = writeln!(
            out,
            "  approximation, not official: {:.1}% (logistic curve fitted to the published table)",
            approximate_probability(f64::from(h.score))
        );
    }
    let l = &scores.hlh2004;
    let _ = writeln!(
        out,
        "\nHLH-2004 (Henter 2007; fever ≥ 38.5 °C, {} of 8)",
        l.required
    );
    for criterion in &l.criteria {
        let value = criterion.value.map_or(String::new(), |v| {
            format!("  [{} {}]", short(v), criterion.unit.unwrap_or(""))
        });
        let _ = writeln!(
            out,
            "  {:<28} {:<8}{value}",
            criterion.criterion,
            criterion.status.name()
        );
    }
    let _ = writeln!(out, "  molecular diagnosis          {}", l.molecular.name());
    let _ = writeln!(
        out,
        "  {} met, {} unknown ({}–{} possible): {}",
        l.met,
        l.unknown,
        l.count_min,
        l.count_max,
        l.diagnosis.name()
    );
    let _ = writeln!(
        out,
        "  clinical criteria alone ({} of 8 evaluated, {} needed): {}",
        l.evaluated(),
        l.required,
        l.clinical_diagnosis.name()
    );
    let ohi_status = scores.ohi.result_name();
    let _ = writeln!(
        out,
        "\nOHI index (sCD25 > 3900 U/mL and ferritin > 1000 µg/L; {}): {ohi_status}",
        hlh_criteria::ohi::DERIVED_IN
    );
    let _ = writeln!(
        out,
        "MAS-2016 (febrile sJIA): {}",
        scores.mas2016.status.name()
    );
    let m = &scores.ms_score;
    let ms_line = m.described().unwrap_or_else(|| {
        match m.population {
            Population::Sjia => "MS score: not applicable (derived in systemic JIA only; give \"sjia\": true for a patient with it)",
            Population::Aosd => "MS score: not applicable (read in adult-onset Still's disease with --ms-population aosd; give \"aosd\": true for a patient with it)",
        }
        .to_string()
    });
    let _ = writeln!(out, "{ms_line}");
    out
}

fn short(value: f64) -> String {
    let text = format!("{value:.3}");
    text.trim_end_matches('0').trim_end_matches('.').to_string()
}
