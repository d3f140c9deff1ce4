//! FINDINGS.json: one patient's findings as the bedside writes them, for `hlh score` and any other front
//! end (docs/cli.md, `hlh score`). Laboratory values carry the unit printed on the report and are
//! converted; findings are `true`, `false` or left out (unknown, never "no").

use hlh_model::ranges::analyte_ranges;
use hlh_model::{shown_value, units, Analyte};
use serde_json::Value;

use crate::findings::{Findings, LabValue};

/// The yes/no findings FINDINGS.json may carry, each `true`, `false` or unknown.
pub const BOOLEAN_KEYS: [&str; 12] = [
    "immunosuppression",
    "hepatomegaly",
    "splenomegaly",
    "bm_hemophagocytosis",
    "nk_activity_low",
    "molecular_hlh",
    "febrile",
    "sjia",
    "aosd",
    "cns_involvement",
    "hemorrhage",
    "active_arthritis",
];

/// Reads the text of a FINDINGS.json (`name` is how messages call it) into findings in canonical units.
///
/// # Errors
///
/// Every problem at once: JSON that does not parse, unknown keys, values of the wrong kind, units that
/// are not accepted, physiologically impossible values; each message starts with `name`.
///
/// # Examples
///
/// ```
/// use hlh_criteria::findings_json::read_findings_json;
/// use hlh_model::Analyte;
///
/// let text = r#"{"ferritin": {"value": 8500, "unit": "ng/mL"}, "splenomegaly": true}"#;
/// let findings = read_findings_json(text, "findings.json").unwrap();
/// assert_eq!(findings.lab(Analyte::Ferritin), Some(8500.0));
/// assert_eq!(findings.hepatomegaly, None, "left out is unknown, never no");
///
/// let errors = read_findings_json(r#"{"ferritin": 3}"#, "findings.json").unwrap_err();
/// assert!(errors[0].starts_with("findings.json: \"ferritin\" 3"));
/// ```
pub fn read_findings_json(text: &str, name: &str) -> Result<Findings, Vec<String>> {
    let value: Value = serde_json::from_str(text).map_err(|error| {
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
                "aosd" => &mut findings.aosd,
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
