//! `study.toml`: the study's title, its centres and the protocol overrides.

use hlh_model::shown_value;

use crate::diagnostic::{Diagnostic, Severity};
use crate::table::Diagnostics;

const FILE: &str = "study.toml";

/// What `study.toml` says. The `[protocol]` table is kept as written: the outcomes crate owns its settings
/// and reports its unknown keys.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct StudySettings {
    pub title: Option<String>,
    pub centres: Vec<String>,
    pub protocol: Option<toml::Table>,
}

pub fn read(bytes: &[u8], diagnostics: &mut Diagnostics) -> StudySettings {
    let mut settings = StudySettings::default();
    let text = match std::str::from_utf8(bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes)) {
        Ok(text) => text,
        Err(error) => {
            let line = line_of_offset(bytes, error.valid_up_to());
            diagnostics.push(problem(
                Severity::Error,
                Some(line),
                None,
                "file is not valid UTF-8".into(),
                None,
            ));
            return settings;
        }
    };
    let table: toml::Table = match text.parse() {
        Ok(table) => table,
        Err(error) => {
            let line = error
                .span()
                .map(|span| line_of_offset(text.as_bytes(), span.start));
            let message = format!("not valid TOML: {}", error.message());
            diagnostics.push(problem(Severity::Error, line, None, message, None));
            return settings;
        }
    };
    for (key, value) in table {
        match (key.as_str(), value) {
            ("title", toml::Value::String(title)) => settings.title = Some(title),
            ("centres", toml::Value::Array(values)) => {
                for value in values {
                    match value {
                        toml::Value::String(centre) => settings.centres.push(centre),
                        other => diagnostics.push(problem(
                            Severity::Error,
                            None,
                            Some(other.to_string()),
                            "centres must be strings".into(),
                            Some("centres = [\"A\", \"B\"]".into()),
                        )),
                    }
                }
            }
            ("protocol", toml::Value::Table(protocol)) => settings.protocol = Some(protocol),
            (key @ ("title" | "centres" | "protocol"), other) => diagnostics.push(problem(
                Severity::Error,
                None,
                Some(other.to_string()),
                format!("{key} has the wrong type ({})", other.type_str()),
                Some(
                    match key {
                        "title" => "title = \"…\"",
                        "centres" => "centres = [\"A\", \"B\"]",
                        _ => "a [protocol] table",
                    }
                    .into(),
                ),
            )),
            (key, _) => diagnostics.push(problem(
                Severity::Warning,
                None,
                Some(key.to_string()),
                format!("unknown key {key:?} is ignored"),
                Some("title, centres or [protocol]".into()),
            )),
        }
    }
    settings
}

fn problem(
    severity: Severity,
    line: Option<u64>,
    value: Option<String>,
    message: String,
    expected: Option<String>,
) -> Diagnostic {
    Diagnostic {
        severity,
        file: FILE.to_string(),
        line,
        column: None,
        value: value.map(|value| shown_value(&value)),
        message,
        expected,
        hint: None,
    }
}

fn line_of_offset(bytes: &[u8], offset: usize) -> u64 {
    let before = &bytes[..offset.min(bytes.len())];
    1 + before.iter().filter(|&&byte| byte == b'\n').count() as u64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_title_centres_and_protocol() {
        let mut diagnostics = Diagnostics::default();
        let text = "title = \"Anakinra in sHLH\"\ncentres = [\"A\", \"B\"]\n[protocol]\nindex_drug = \"anakinra\"\n";
        let settings = read(text.as_bytes(), &mut diagnostics);
        assert!(diagnostics.list.is_empty(), "{:?}", diagnostics.list);
        assert_eq!(settings.title.as_deref(), Some("Anakinra in sHLH"));
        assert_eq!(settings.centres, ["A", "B"]);
        assert_eq!(
            settings.protocol.unwrap()["index_drug"].as_str(),
            Some("anakinra")
        );
    }

    #[test]
    fn syntax_errors_name_their_line_and_unknown_keys_warn() {
        let mut diagnostics = Diagnostics::default();
        read(b"title = \"x\"\ncentres = [\"A\"\n", &mut diagnostics);
        assert_eq!(diagnostics.list.len(), 1);
        assert_eq!(diagnostics.list[0].severity, Severity::Error);
        assert!(diagnostics.list[0].line.is_some());

        let mut diagnostics = Diagnostics::default();
        read(b"titel = \"x\"\ncentres = \"A\"\n", &mut diagnostics);
        let severities: Vec<Severity> = diagnostics.list.iter().map(|d| d.severity).collect();
        assert!(
            severities.contains(&Severity::Warning) && severities.contains(&Severity::Error),
            "{:?}",
            diagnostics.list
        );
    }
}
