//! The bedside scores: a form for one patient, read as the FINDINGS.json of `hlh score` and scored by
//! the same function, so the page gives what `hlh score` prints. The findings come in a POST and go
//! back only in its answer (never stored, never in a URL).

use std::fmt::Write as _;
use std::sync::Arc;

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use axum::Form;
use hlh_criteria::every_score::{every_score, BedsideSettings, EveryScore};
use hlh_criteria::findings_json::{read_findings_json, BOOLEAN_KEYS};
use hlh_criteria::hscore::{approximate_probability, ItemValue};
use hlh_criteria::ms_score::Population;
use hlh_model::{units, Analyte};
use serde_json::{json, Map, Value};

use crate::pages::{escape, form_token_field, message_list, page, Refusal};
use crate::App;

/// What each yes/no finding of FINDINGS.json asks, in words.
fn finding_question(key: &str) -> &'static str {
    match key {
        "immunosuppression" => "Known immunosuppression (HIV, long-term immunosuppressive therapy)",
        "hepatomegaly" => "Hepatomegaly",
        "splenomegaly" => "Splenomegaly",
        "bm_hemophagocytosis" => "Haemophagocytosis on bone-marrow aspirate",
        "nk_activity_low" => "Low or absent NK-cell activity",
        "molecular_hlh" => "Molecular diagnosis consistent with HLH",
        "febrile" => "Fever (read when no temperature is given)",
        "sjia" => "Systemic juvenile idiopathic arthritis",
        "aosd" => "Adult-onset Still's disease",
        "cns_involvement" => "Central nervous system involvement",
        "hemorrhage" => "Haemorrhagic manifestations",
        "active_arthritis" => "Active arthritis",
        _ => "",
    }
}

/// The units of an analyte's drop-down: one choice per conversion (`ng/mL` and `µg/L` are one unit),
/// as (the spelling FINDINGS.json is given, the label shown), the label naming the unit's other
/// common spellings (`×10⁹/L (also G/L)`).
fn unit_choices(analyte: Analyte) -> Vec<(&'static str, String)> {
    let accepted = units::accepted_units(analyte);
    let mut choices: Vec<(&'static str, String)> = Vec::new();
    for (position, unit) in accepted.iter().enumerate() {
        if accepted[..position]
            .iter()
            .any(|earlier| earlier.conversion == unit.conversion)
        {
            continue;
        }
        // The Greek mu and the micro sign print alike: one spelling of µg/L is shown.
        let shown = |spelling: &str| units::printed(spelling).replace('\u{3bc}', "\u{b5}");
        let label = shown(unit.spelling);
        let mut also: Vec<String> = Vec::new();
        for other in &accepted[position + 1..] {
            let printed = shown(other.spelling);
            let readable = printed.chars().count() > 1 && !printed.contains(['*', '^', '[']);
            if other.conversion == unit.conversion
                && readable
                && printed != label
                && !also.contains(&printed)
            {
                also.push(printed);
            }
        }
        let label = if also.is_empty() {
            label
        } else {
            format!("{label} (also {})", also.join(", "))
        };
        choices.push((unit.spelling, label));
    }
    choices
}

type Fields = Vec<(String, String)>;

fn field<'f>(fields: &'f Fields, name: &str) -> Option<&'f str> {
    fields
        .iter()
        .find(|(key, _)| key == name)
        .map(|(_, value)| value.as_str())
}

pub async fn form(State(app): State<Arc<App>>) -> Html<String> {
    Html(bedside_page(&app, &Vec::new(), ""))
}

fn bedside_page(app: &App, fields: &Fields, results: &str) -> String {
    let mut body = String::from(
        "<p>One patient's findings, as many as are known: nothing is required, and what is left empty or \
         \"unknown\" is unknown, never \"no\". The scores are those of <code>hlh score</code>.</p>",
    );
    body.push_str(results);
    let _ = write!(
        body,
        "<form method=\"post\" action=\"/score\" autocomplete=\"off\">{}",
        form_token_field(app.security.form_token())
    );
    body.push_str(
        "<fieldset><legend>Laboratory values and temperature</legend><div class=\"bedside-grid\">",
    );
    let age = field(fields, "age_years").unwrap_or("");
    let _ = write!(
        body,
        "<div class=\"row\"><span class=\"name\"><label for=\"age_years\">Age</label></span>\
         <input type=\"text\" inputmode=\"decimal\" id=\"age_years\" name=\"age_years\" size=\"8\" value=\"{}\"> years</div>",
        escape(age)
    );
    for &analyte in Analyte::ALL {
        let name = analyte.name();
        let value = field(fields, &format!("value:{name}")).unwrap_or("");
        let chosen = field(fields, &format!("unit:{name}"));
        let options: String = unit_choices(analyte)
            .iter()
            .map(|(spelling, printed)| {
                let selected = if chosen == Some(*spelling) {
                    " selected"
                } else {
                    ""
                };
                format!(
                    "<option value=\"{}\"{selected}>{}</option>",
                    escape(spelling),
                    escape(printed)
                )
            })
            .collect();
        let _ = write!(
            body,
            "<div class=\"row\"><span class=\"name\"><label for=\"value:{name}\">{label}</label></span>\
             <input type=\"text\" inputmode=\"decimal\" id=\"value:{name}\" name=\"value:{name}\" size=\"8\" value=\"{value}\">\
             <select name=\"unit:{name}\" aria-label=\"unit of {label}\">{options}</select></div>",
            label = escape(analyte.label()),
            value = escape(value),
        );
    }
    body.push_str("</div></fieldset><fieldset><legend>Findings</legend><table>");
    for key in BOOLEAN_KEYS {
        let chosen = field(fields, &format!("finding:{key}")).unwrap_or("unknown");
        let radio = |value: &str, label: &str| {
            let checked = if chosen == value { " checked" } else { "" };
            format!(
                "<label><input type=\"radio\" name=\"finding:{key}\" value=\"{value}\"{checked}> {label}</label>"
            )
        };
        let _ = write!(
            body,
            "<tr><td>{}</td><td>{}{}{}</td></tr>",
            escape(finding_question(key)),
            radio("yes", "yes"),
            radio("no", "no"),
            radio("unknown", "unknown"),
        );
    }
    let checked = |name: &str| {
        if field(fields, name).is_some() {
            " checked"
        } else {
            ""
        }
    };
    let aosd = if field(fields, "ms_population") == Some("aosd") {
        " selected"
    } else {
        ""
    };
    let _ = write!(
        body,
        "</table></fieldset><fieldset><legend>Reading</legend>\
         <label><input type=\"checkbox\" name=\"typed_units\" value=\"on\"{}> HScore thresholds in the unit typed \
         (°F, mg/dL), as bedside calculators apply them</label><br>\
         <label><input type=\"checkbox\" name=\"approximate_probability\" value=\"on\"{}> add the fitted logistic \
         probability (an approximation, not official)</label><br>\
         <label>MS score read in <select name=\"ms_population\"><option value=\"sjia\">systemic JIA (cut-off −2.1)</option>\
         <option value=\"aosd\"{aosd}>adult-onset Still's disease (cut-off −1.74)</option></select></label>\
         </fieldset><p><button type=\"submit\">Score</button></p></form>",
        checked("typed_units"),
        checked("approximate_probability"),
    );
    page(
        "Bedside scores",
        "/score",
        app.study_name().as_deref(),
        &body,
    )
}

/// The form as FINDINGS.json: each filled value with its unit, each finding answered yes or no.
fn findings_json(fields: &Fields) -> Result<String, Vec<String>> {
    let mut object = Map::new();
    let mut problems = Vec::new();
    let number = |label: &str, text: &str, problems: &mut Vec<String>| -> Option<Value> {
        let text = text.trim();
        match text.parse::<f64>() {
            // As typed (`-4`, not `-4.0`), so that a message quotes the number the user wrote.
            Ok(value) if value.is_finite() => Some(
                serde_json::from_str::<serde_json::Number>(text)
                    .map_or_else(|_| json!(value), Value::Number),
            ),
            _ => {
                let hint = if text.contains(',') {
                    " (write a decimal point: 3.5)"
                } else {
                    ""
                };
                problems.push(format!("{label}: \"{text}\" is not a number{hint}"));
                None
            }
        }
    };
    if let Some(age) = field(fields, "age_years").filter(|t| !t.trim().is_empty()) {
        if let Some(value) = number("Age", age, &mut problems) {
            object.insert("age_years".into(), value);
        }
    }
    for &analyte in Analyte::ALL {
        let name = analyte.name();
        let Some(text) = field(fields, &format!("value:{name}")).filter(|t| !t.trim().is_empty())
        else {
            continue;
        };
        let unit = field(fields, &format!("unit:{name}")).map_or_else(
            || units::accepted_units(analyte)[0].spelling.to_string(),
            str::to_string,
        );
        if let Some(value) = number(analyte.label(), text, &mut problems) {
            object.insert(name.into(), json!({"value": value, "unit": unit}));
        }
    }
    for key in BOOLEAN_KEYS {
        match field(fields, &format!("finding:{key}")) {
            Some("yes") => {
                object.insert(key.into(), json!(true));
            }
            Some("no") => {
                object.insert(key.into(), json!(false));
            }
            _ => {}
        }
    }
    if problems.is_empty() {
        Ok(Value::Object(object).to_string())
    } else {
        Err(problems)
    }
}

pub async fn score(
    State(app): State<Arc<App>>,
    Form(fields): Form<Fields>,
) -> Result<Response, Refusal> {
    if !app.security.is_form_token(field(&fields, "form_token")) {
        return Err(Refusal::stale_form());
    }
    let ms_population = match field(&fields, "ms_population") {
        None | Some("sjia") => Population::Sjia,
        Some("aosd") => Population::Aosd,
        Some(_) => {
            return Err(Refusal::bad_request(
                "The MS score is read in sjia or aosd.",
            ))
        }
    };
    let read = findings_json(&fields).and_then(|text| read_findings_json(&text, "the form"));
    let (status, results) = match read {
        Err(problems) => (
            StatusCode::UNPROCESSABLE_ENTITY,
            format!(
                "<div class=\"error\" id=\"score-problems\"><p>Not scored:</p>{}</div>",
                message_list(&problems)
            ),
        ),
        Ok(findings) => {
            let scores = every_score(
                &findings,
                BedsideSettings {
                    typed_units: field(&fields, "typed_units").is_some(),
                    ms_population,
                },
            );
            (
                StatusCode::OK,
                results_html(&scores, field(&fields, "approximate_probability").is_some()),
            )
        }
    };
    Ok((status, Html(bedside_page(&app, &fields, &results))).into_response())
}

/// A name of the JSON output as words: `not_met` → `not met`, `bm_hemophagocytosis` → `bm hemophagocytosis`.
fn readable(name: &str) -> String {
    name.replace('_', " ")
}

fn short(value: f64) -> String {
    let text = format!("{value:.3}");
    text.trim_end_matches('0')
        .trim_end_matches('.')
        .replace('-', "−")
}

fn results_html(scores: &EveryScore, approximate: bool) -> String {
    let mut out = String::from("<section id=\"scores\" class=\"scores\">");
    let h = &scores.hscore;
    let verdict = h.verdict();
    let range = if h.min == h.max {
        String::new()
    } else {
        format!(", range {}–{} over the unknown items", h.min, h.max)
    };
    let _ = write!(
        out,
        "<h2>HScore (Fardet 2014)</h2><p class=\"verdict\" id=\"hscore\">HScore <span id=\"hscore-total\">{}</span>{range}: {verdict}</p>\
         <p>Probability of haemophagocytic syndrome <span id=\"hscore-probability\">{}</span> (published table)</p>",
        h.score,
        escape(&h.probability.text),
    );
    if approximate {
        let _ = write!(
            out,
            "<p class=\"note\">Approximation, not official: {:.1}% (logistic curve fitted to the published table)</p>",
            approximate_probability(f64::from(h.score))
        );
    }
    out.push_str(
        "<table><thead><tr><th>Item</th><th>Value</th><th>Points</th></tr></thead><tbody>",
    );
    for item in &h.items {
        let value = match &item.value {
            ItemValue::Number(v) => {
                format!("{} {}", short(*v), units::printed(item.unit.unwrap_or("")))
            }
            ItemValue::Yes(true) => "yes".into(),
            ItemValue::Yes(false) => "no".into(),
            ItemValue::Count(count) => format!("{count} {}", item.unit.unwrap_or("enlarged")),
            ItemValue::Missing => "unknown".into(),
        };
        let points = if item.known {
            item.points.to_string()
        } else {
            format!("{} (up to {})", item.points, item.max_points)
        };
        let _ = write!(
            out,
            "<tr><td>{}</td><td>{}</td><td class=\"points\">{points}</td></tr>",
            escape(&readable(item.item.name())),
            escape(&value)
        );
    }
    out.push_str("</tbody></table>");
    let l = &scores.hlh2004;
    let _ = write!(
        out,
        "<h2>HLH-2004 (Henter 2007)</h2><p class=\"verdict\" id=\"hlh2004\">{} met, {} unknown ({}–{} possible; {} needed): \
         <span id=\"hlh2004-diagnosis\">{}</span></p><p>Clinical criteria alone ({} of 8 evaluated): {}</p>\
         <table><thead><tr><th>Criterion</th><th>Status</th><th>Value</th></tr></thead><tbody>",
        l.met,
        l.unknown,
        l.count_min,
        l.count_max,
        l.required,
        escape(&readable(l.diagnosis.name())),
        l.evaluated(),
        escape(&readable(l.clinical_diagnosis.name())),
    );
    for criterion in &l.criteria {
        let value = criterion.value.map_or(String::new(), |v| {
            format!(
                "{} {}",
                short(v),
                units::printed(criterion.unit.unwrap_or(""))
            )
        });
        let _ = write!(
            out,
            "<tr><td>{}</td><td>{}</td><td>{}</td></tr>",
            escape(&readable(criterion.criterion)),
            escape(&readable(criterion.status.name())),
            escape(&value)
        );
    }
    let _ = write!(
        out,
        "<tr><td>molecular diagnosis</td><td>{}</td><td></td></tr></tbody></table>",
        escape(&readable(l.molecular.name()))
    );
    let _ = write!(
        out,
        "<h2>Other scores</h2><ul><li id=\"ohi\">OHI index (sCD25 &gt; 3900 U/mL and ferritin &gt; 1000 µg/L; {}): {}</li>\
         <li id=\"mas2016\">MAS-2016 (Ravelli 2016; febrile sJIA): {}</li><li id=\"ms-score\">{}</li></ul></section>",
        escape(hlh_criteria::ohi::DERIVED_IN),
        escape(&readable(scores.ohi.result_name())),
        escape(&readable(scores.mas2016.status.name())),
        escape(&ms_line(scores)),
    );
    out
}

fn ms_line(scores: &EveryScore) -> String {
    let m = &scores.ms_score;
    m.described().unwrap_or_else(|| {
        match m.population {
            Population::Sjia => "MS score: not applicable (derived in systemic JIA only: answer yes to it above)",
            Population::Aosd => "MS score: not applicable (read in adult-onset Still's disease only: answer yes to it above)",
        }
        .to_string()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_finding_has_its_question() {
        for key in BOOLEAN_KEYS {
            assert!(!finding_question(key).is_empty(), "{key}");
        }
    }

    #[test]
    fn the_form_reads_as_findings_json() {
        let fields: Fields = [
            ("value:ferritin", "8500"),
            ("unit:ferritin", "ng/mL"),
            ("value:crp", " "),
            ("age_years", "54"),
            ("finding:splenomegaly", "yes"),
            ("finding:hepatomegaly", "no"),
            ("finding:immunosuppression", "unknown"),
        ]
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
        let text = findings_json(&fields).unwrap();
        let value: Value = serde_json::from_str(&text).unwrap();
        assert_eq!(
            value,
            json!({"age_years": 54, "ferritin": {"value": 8500, "unit": "ng/mL"},
                   "splenomegaly": true, "hepatomegaly": false})
        );
        let wrong: Fields = vec![("value:crp".into(), "3,5".into())];
        let problems = findings_json(&wrong).unwrap_err();
        assert!(problems[0].contains("decimal point"), "{problems:?}");
    }

    #[test]
    fn each_unit_is_offered_once_under_its_printed_name() {
        let temperature = unit_choices(Analyte::Temperature);
        assert_eq!(
            temperature,
            vec![("Cel", "°C".to_string()), ("[degF]", "°F".to_string())]
        );
        let cells = unit_choices(Analyte::Platelets);
        assert_eq!(cells[0], ("10*9/L", "×10⁹/L (also G/L)".to_string()));
        assert_eq!(cells.len(), 2, "{cells:?}");
        for &analyte in Analyte::ALL {
            let choices = unit_choices(analyte);
            assert_eq!(
                choices[0].0,
                units::accepted_units(analyte)[0].spelling,
                "the canonical unit first"
            );
        }
    }
}
