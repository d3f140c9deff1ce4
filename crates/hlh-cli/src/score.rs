//! `hlh score FINDINGS.json`: every score of one patient, for the bedside or as JSON (analysis contract
//! §2 and §4).

use std::path::Path;

use hlh_criteria::hlh2004::{hlh2004, Criterion, Hlh2004, Hlh2004Settings};
use hlh_criteria::hscore::{
    approximate_probability, hscore, HScore, HScoreSettings, ItemValue, UnitMode,
};
use hlh_criteria::mas2016::{mas2016, Mas2016};
use hlh_criteria::ms_score::{ms_score, MsScore};
use hlh_criteria::ohi::{ohi, Ohi, OhiOperator};
use hlh_criteria::{Findings, LabValue};
use hlh_ingest::{analyte_ranges, shown_value};
use hlh_model::{units, Analyte};
use serde_json::{json, Map, Value};

use hlh_outcomes::json_forms::{number_value as json_number, optional_value as json_optional};

use crate::output::paint_error;
use crate::Outcome;

/// The boolean findings FINDINGS.json may carry.
const BOOLEAN_KEYS: [&str; 11] = [
    "immunosuppression",
    "hepatomegaly",
    "splenomegaly",
    "bm_hemophagocytosis",
    "nk_activity_low",
    "molecular_hlh",
    "febrile",
    "sjia",
    "cns_involvement",
    "hemorrhage",
    "active_arthritis",
];

pub fn run(
    file: &Path,
    as_json: bool,
    typed_units: bool,
    approximate: bool,
) -> anyhow::Result<Outcome> {
    let findings = match read_findings(file) {
        Ok(findings) => findings,
        Err(errors) => {
            for error in errors {
                eprintln!("{}: {error}", paint_error("error"));
            }
            return Ok(Outcome::InvalidInput);
        }
    };
    let hscore_settings = HScoreSettings {
        unit_mode: if typed_units {
            UnitMode::Typed
        } else {
            UnitMode::Canonical
        },
        ..HScoreSettings::default()
    };
    let scores = Scores {
        hscore: hscore(&findings, &hscore_settings),
        hlh2004: hlh2004(&findings, &Hlh2004Settings::default()),
        ohi: ohi(&findings, OhiOperator::Strict),
        mas2016: mas2016(&findings),
        ms_score: ms_score(&findings),
    };
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

struct Scores {
    hscore: HScore,
    hlh2004: Hlh2004,
    ohi: Ohi,
    mas2016: Mas2016,
    ms_score: MsScore,
}

/// Reads FINDINGS.json into findings in canonical units; every problem is collected.
fn read_findings(file: &Path) -> Result<Findings, Vec<String>> {
    let name = file.display().to_string();
    let text = std::fs::read_to_string(file)
        .map_err(|error| vec![format!("{name}: cannot be read: {error}")])?;
    let value: Value = serde_json::from_str(&text).map_err(|error| {
        vec![format!(
            "{name}:{}:{}: not valid JSON: {error}",
            error.line(),
            error.column()
        )]
    })?;
    let Value::Object(object) = value else {
        return Err(vec![format!(
            "{name}: expected a JSON object of findings, found {}",
            kind(&value)
        )]);
    };
    let mut findings = Findings::default();
    let mut errors = Vec::new();
    for (key, value) in &object {
        if let Some(analyte) = Analyte::from_name(key).filter(|a| a.name() == key) {
            match read_lab(analyte, value) {
                Ok(Some(lab)) => findings.set_lab(lab),
                Ok(None) => {}
                Err(problem) => errors.push(format!("{name}: {key:?} {}: {problem}", shown(value))),
            }
        } else if key == "age_years" {
            match value {
                Value::Null => {}
                Value::Number(number) => match number.as_f64() {
                    Some(age) if (0.0..120.0).contains(&age) => findings.age_years = Some(age),
                    _ => errors.push(format!(
                        "{name}: \"age_years\" {number}: expected an age in years, 0 ≤ age < 120"
                    )),
                },
                other => errors.push(format!(
                    "{name}: \"age_years\" {}: expected a number of years",
                    shown(other)
                )),
            }
        } else if BOOLEAN_KEYS.contains(&key.as_str()) {
            let flag = match value {
                Value::Bool(flag) => Some(*flag),
                Value::Null => None,
                other => {
                    errors.push(format!(
                        "{name}: {key:?} {}: expected true, false or null (unknown)",
                        shown(other)
                    ));
                    continue;
                }
            };
            let slot = match key.as_str() {
                "immunosuppression" => &mut findings.immunosuppression,
                "hepatomegaly" => &mut findings.hepatomegaly,
                "splenomegaly" => &mut findings.splenomegaly,
                "bm_hemophagocytosis" => &mut findings.bm_hemophagocytosis,
                "nk_activity_low" => &mut findings.nk_activity_low,
                "molecular_hlh" => &mut findings.molecular_hlh,
                "febrile" => &mut findings.febrile,
                "sjia" => &mut findings.sjia,
                "cns_involvement" => &mut findings.cns_involvement,
                "hemorrhage" => &mut findings.hemorrhage,
                _ => &mut findings.active_arthritis,
            };
            *slot = flag;
        } else {
            errors.push(format!(
                "{name}: unknown key {key:?}; expected an analyte ({}), \"age_years\" or one of {}",
                Analyte::expected_list(),
                BOOLEAN_KEYS.join(", ")
            ));
        }
    }
    if errors.is_empty() {
        Ok(findings)
    } else {
        Err(errors)
    }
}

fn kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// A value for a message, cut to a readable length.
fn shown(value: &Value) -> String {
    shown_value(&value.to_string())
}

/// `{"value": number, "unit": "..."}` → a converted, physically possible value; null → unknown.
fn read_lab(analyte: Analyte, value: &Value) -> Result<Option<LabValue>, String> {
    let object = match value {
        Value::Null => return Ok(None),
        Value::Object(object) => object,
        other => {
            return Err(format!(
                "expected {{\"value\": number, \"unit\": \"…\"}}, found {}",
                kind(other)
            ))
        }
    };
    if let Some(extra) = object.keys().find(|k| *k != "value" && *k != "unit") {
        return Err(format!(
            "unknown key {extra:?}; expected only \"value\" and \"unit\""
        ));
    }
    let number = match object.get("value") {
        Some(Value::Number(number)) => number.as_f64().ok_or("the value is not a finite number")?,
        Some(other) => return Err(format!("\"value\" is {}; expected a number", kind(other))),
        None => return Err("\"value\" is missing".to_string()),
    };
    let unit = match object.get("unit") {
        Some(Value::String(unit)) => unit.as_str(),
        Some(other) => {
            return Err(format!(
                "\"unit\" is {}; expected a unit such as \"{}\"",
                kind(other),
                analyte.canonical_unit()
            ))
        }
        None => {
            return Err(format!(
                "\"unit\" is missing; expected a unit such as \"{}\"",
                analyte.canonical_unit()
            ))
        }
    };
    let quantity = units::convert(analyte, number, unit).map_err(|error| error.to_string())?;
    let (low, high) = analyte_ranges(analyte).possible;
    if !(low <= quantity.value() && quantity.value() <= high) {
        return Err(format!(
            "{} {} is physiologically impossible; expected {low} to {high} {}",
            quantity.value(),
            analyte.canonical_unit(),
            analyte.canonical_unit()
        ));
    }
    Ok(Some(LabValue {
        quantity,
        as_typed: Some((number, unit.to_string())),
        source: None,
    }))
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

fn scores_json(scores: &Scores, approximate: bool) -> Value {
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
            "molecular": l.molecular.name(),
            "criteria": l.criteria.iter().map(criterion_json).collect::<Vec<_>>(),
        },
        "ohi": {
            "status": scores.ohi.result_name(),
            "ferritin": json_optional(scores.ohi.ferritin),
            "scd25": json_optional(scores.ohi.scd25),
        },
        "mas2016": {
            "status": scores.mas2016.status.name(),
            "febrile": scores.mas2016.febrile.name(),
            "criteria": scores.mas2016.criteria.iter().map(criterion_json).collect::<Vec<_>>(),
        },
        "ms_score": {
            "score": json_number(scores.ms_score.score), "min": json_number(scores.ms_score.min), "max": json_number(scores.ms_score.max),
            "cutoff": scores.ms_score.cutoff, "verdict": scores.ms_score.verdict.name(), "unknown": scores.ms_score.unknown,
        },
    })
}

/// What a clinician at the bedside wants: each item with its value, points and status, the total with
/// its range, the probability, and each verdict.
fn bedside(scores: &Scores, approximate: bool) -> String {
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
    let verdict = match h.positive {
        Some(true) => format!("positive (≥ {})", h.cutoff),
        Some(false) => format!("negative (< {})", h.cutoff),
        None => format!(
            "undetermined: the unknown items decide (cut-off {})",
            h.cutoff
        ),
    };
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
    let ohi_status = scores.ohi.result_name();
    let _ = writeln!(
        out,
        "\nOHI index (sCD25 > 3900 U/mL and ferritin > 1000 µg/L): {ohi_status}"
    );
    let _ = writeln!(
        out,
        "MAS-2016 (febrile sJIA): {}",
        scores.mas2016.status.name()
    );
    let m = &scores.ms_score;
    let range = if m.unknown.is_empty() {
        String::new()
    } else {
        format!(
            " (range {} to {}; unknown: {})",
            short(m.min),
            short(m.max),
            m.unknown.join(", ")
        )
    };
    let _ = writeln!(
        out,
        "MS score: {}{range}: {} (cut-off ≥ −2.1)",
        short(m.score),
        m.verdict.name()
    );
    out
}

fn short(value: f64) -> String {
    let text = format!("{value:.3}");
    text.trim_end_matches('0').trim_end_matches('.').to_string()
}
