//! The protocol: every setting with its default, meaning and value in use, editable; "analyse again"
//! reads the edits over the study's own protocol, as `--protocol FILE` would.

use std::fmt::Write as _;
use std::sync::Arc;

use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use axum::Form;
use hlh_outcomes::protocol::SETTINGS;
use hlh_outcomes::Protocol;

use crate::pages::{escape, form_token_field, message_list, page, Refusal};
use crate::{blocking, App, Current};

pub async fn show(State(app): State<Arc<App>>) -> Html<String> {
    Html(protocol_page(&app, &[], None))
}

/// The page: `problems` of the last edit, and the values as typed when they were refused.
fn protocol_page(app: &App, problems: &[String], typed: Option<&[(String, String)]>) -> String {
    let Some(current) = app.current() else {
        return page(
            "Protocol",
            "/protocol",
            None,
            "<p>No study is open. <a href=\"/\">Open one</a>.</p>",
        );
    };
    let mut body = String::from(
        "<p>The settings of the analysis: the defaults, then the <code>[protocol]</code> table of the study's \
         study.toml, then what you change here. Type a number, a word, <code>true</code> or <code>false</code>, \
         or a list in brackets (<code>[28, 90]</code>).</p>",
    );
    let in_use = match (&current.protocol, &current.study_protocol) {
        (Ok(protocol), _) => protocol.clone(),
        (Err(_), Ok(study)) => study.clone(),
        (Err(errors), Err(_)) => {
            let _ = write!(
                body,
                "<p class=\"error\">The study's own protocol (study.toml) has errors; fix them in the file:</p>{}",
                message_list(errors)
            );
            Protocol::default()
        }
    };
    if !problems.is_empty() {
        let _ = write!(
            body,
            "<div class=\"error\" id=\"protocol-problems\"><p>Nothing was changed:</p>{}</div>",
            message_list(problems)
        );
    }
    let defaults = Protocol::default().echo_toml();
    let values = in_use.echo_toml();
    let _ = write!(
        body,
        "<form method=\"post\" action=\"/protocol\">{}\
         <p><button type=\"submit\" name=\"action\" value=\"analyse\">Analyse again</button> \
         <button type=\"submit\" name=\"action\" value=\"reset\" class=\"secondary\">Back to the study's protocol</button> \
         <a href=\"/download/protocol.toml\" download>Download protocol.toml</a></p>\
         <table id=\"settings\"><thead><tr><th>Setting</th><th>Meaning</th><th>Default</th><th>In use</th></tr></thead><tbody>",
        form_token_field(app.security.form_token())
    );
    for ((setting, (_, default)), (_, value)) in SETTINGS.iter().zip(&defaults).zip(&values) {
        let shown = typed
            .and_then(|typed| typed.iter().find(|(name, _)| name == setting.name))
            .map_or(value.as_str(), |(_, text)| text.as_str());
        let changed = if default != value {
            " class=\"changed\""
        } else {
            ""
        };
        let _ = write!(
            body,
            "<tr{changed}><td><label for=\"{name}\"><code>{name}</code></label></td><td>{doc}</td><td><code>{default}</code></td>\
             <td><input type=\"text\" class=\"setting\" id=\"{name}\" name=\"{name}\" value=\"{shown}\"></td></tr>",
            name = setting.name,
            doc = escape(setting.doc.trim()),
            default = escape(default),
            shown = escape(shown),
        );
    }
    body.push_str("</tbody></table><p><button type=\"submit\" name=\"action\" value=\"analyse\">Analyse again</button></p></form>");
    page("Protocol", "/protocol", Some(&current.opened.name), &body)
}

/// A typed value as TOML: a number, a quoted string, a boolean, a list; a bare word is a string, as a
/// clinician would write `clock` for `"clock"`.
fn typed_value(name: &str, text: &str) -> Result<toml::Value, String> {
    let text = text.trim();
    if let Ok(mut table) = format!("value = {text}").parse::<toml::Table>() {
        if let Some(value) = table.remove("value") {
            return Ok(value);
        }
    }
    if !text.is_empty()
        && text
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
    {
        return Ok(toml::Value::String(text.to_string()));
    }
    Err(format!(
        "{name} = {text}: not a value (a number, a word, true or false, or a list in brackets)"
    ))
}

pub async fn analyse_again(
    State(app): State<Arc<App>>,
    Form(fields): Form<Vec<(String, String)>>,
) -> Result<Response, Refusal> {
    let field = |name: &str| {
        fields
            .iter()
            .find(|(key, _)| key == name)
            .map(|(_, value)| value.as_str())
    };
    if !app.security.is_form_token(field("form_token")) {
        return Err(Refusal::stale_form());
    }
    let Some(current) = app.current() else {
        return Err(Refusal::bad_request("No study is open."));
    };
    let edits = if field("action") == Some("reset") {
        toml::Table::new()
    } else {
        let in_use = match &current.protocol {
            Ok(protocol) => protocol.echo_toml(),
            Err(_) => current
                .study_protocol
                .clone()
                .unwrap_or_default()
                .echo_toml(),
        };
        let mut edits = current.edits.clone();
        let mut problems = Vec::new();
        for (name, text) in &fields {
            let Some((_, value_in_use)) = in_use.iter().find(|(setting, _)| setting == name) else {
                continue;
            };
            if text.trim() == value_in_use {
                continue;
            }
            match typed_value(name, text) {
                Ok(value) => {
                    edits.insert(name.clone(), value);
                }
                Err(problem) => problems.push(problem),
            }
        }
        // The edits must read as a protocol file would, over the study's protocol.
        if problems.is_empty() {
            if let Ok(study) = &current.study_protocol {
                if let Err(errors) = study.clone().apply(&edits, "the protocol page") {
                    problems.extend(errors);
                }
            }
        }
        if !problems.is_empty() {
            return Ok((
                StatusCode::UNPROCESSABLE_ENTITY,
                Html(protocol_page(&app, &problems, Some(&fields))),
            )
                .into_response());
        }
        edits
    };
    let opened = current.opened.clone();
    let next = blocking(move || Current::new(opened, edits)).await?;
    app.set_current(next);
    Ok((StatusCode::SEE_OTHER, [(header::LOCATION, "/report")]).into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn typed_values_read_as_toml_or_as_a_bare_word() {
        assert_eq!(typed_value("a", "3").unwrap(), toml::Value::Integer(3));
        assert_eq!(
            typed_value("a", " 38.5 ").unwrap(),
            toml::Value::Float(38.5)
        );
        assert_eq!(
            typed_value("a", "clock").unwrap(),
            toml::Value::String("clock".into())
        );
        assert_eq!(
            typed_value("a", "\"clock\"").unwrap(),
            toml::Value::String("clock".into())
        );
        assert_eq!(
            typed_value("a", "true").unwrap(),
            toml::Value::Boolean(true)
        );
        assert!(typed_value("a", "[28, 90]").unwrap().is_array());
        assert!(typed_value("a", "3,5").is_err());
        assert!(typed_value("a", "").is_err());
        assert!(
            typed_value("a", "x = 1\ny").is_err(),
            "one value, not a table"
        );
    }
}
