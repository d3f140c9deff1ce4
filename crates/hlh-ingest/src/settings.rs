//! `study.toml`: the study's title, its centres and the protocol overrides.

use hlh_model::shown_value;
use hlh_model::units::AssayFactors;

use crate::diagnostic::{Diagnostic, Severity};
use crate::table::Diagnostics;

const FILE: &str = "study.toml";

/// What `study.toml` says. The `[protocol]` table is kept as written: the outcomes crate owns its settings
/// and reports its unknown keys.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct StudySettings {
    pub title: Option<String>,
    pub centres: Vec<String>,
    /// `[assays]`: the factors that convert assay-specific units.
    pub assays: AssayFactors,
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
            ("assays", toml::Value::Table(assays)) => {
                settings.assays = read_assays(assays, text, diagnostics);
            }
            (key @ ("title" | "centres" | "protocol" | "assays"), other) => {
                diagnostics.push(problem(
                    Severity::Error,
                    None,
                    Some(other.to_string()),
                    format!("{key} has the wrong type ({})", other.type_str()),
                    Some(
                        match key {
                            "title" => "title = \"…\"",
                            "centres" => "centres = [\"A\", \"B\"]",
                            "assays" => "an [assays] table",
                            _ => "a [protocol] table",
                        }
                        .into(),
                    ),
                ))
            }
            (key, _) => diagnostics.push(problem(
                Severity::Warning,
                None,
                Some(key.to_string()),
                format!("unknown key {key:?} is ignored"),
                Some("title, centres, [assays] or [protocol]".into()),
            )),
        }
    }
    settings
}

/// `[assays]`: each factor a positive number; an unknown key is an error, since a misspelt factor would
/// leave values unconverted without a word.
fn read_assays(table: toml::Table, text: &str, diagnostics: &mut Diagnostics) -> AssayFactors {
    let mut assays = AssayFactors::default();
    for (key, value) in table {
        let line = line_of_key(text, &key);
        match key.as_str() {
            "scd25_pg_per_unit" => {
                let factor = value
                    .as_float()
                    .or_else(|| value.as_integer().map(|i| i as f64))
                    .filter(|f| f.is_finite() && *f > 0.0 && *f <= 1e6);
                match factor {
                    Some(factor) => assays.scd25_pg_per_unit = Some(factor),
                    None => diagnostics.push(problem(
                        Severity::Error,
                        line,
                        Some(value.to_string()),
                        "assays.scd25_pg_per_unit is not a positive number".into(),
                        Some("the pg/mL of sCD25 that make 1 U/mL on the study's assay, above 0 and at most 1000000".into()),
                    )),
                }
            }
            _ => diagnostics.push(problem(
                Severity::Error,
                line,
                Some(key.clone()),
                format!("unknown assay factor assays.{key}"),
                Some("scd25_pg_per_unit".into()),
            )),
        }
    }
    assays
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
        sheet: None,
        line,
        column: None,
        value: value.map(|value| shown_value(&value)),
        message,
        expected,
        hint: None,
    }
}

/// The first line that sets `key` (`key = …`), for a message about a value the parsed table no longer
/// places.
fn line_of_key(text: &str, key: &str) -> Option<u64> {
    text.lines()
        .position(|line| {
            line.trim_start()
                .strip_prefix(key)
                .is_some_and(|rest| rest.trim_start().starts_with('='))
        })
        .map(|index| index as u64 + 1)
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
