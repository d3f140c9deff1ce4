//! Opening a study (by path or upload) and its problems.

use std::collections::HashMap;
use std::fmt::Write as _;
use std::path::PathBuf;
use std::sync::Arc;

use axum::extract::{Multipart, Query, State};
use axum::http::{header, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use axum::Form;
use hlh_ingest::{
    column_letters, count_line, Diagnostic, Severity, StudySummary, WORKBOOK_EXTENSIONS,
};

use crate::open::{self, RedcapUpload, RowReader, SourceRow};
use crate::pages::{escape, form_token_field, page, Refusal};
use crate::{blocking, App, Current};

/// The most problems one page lists (the filters narrow the rest down).
const MAX_PROBLEMS_SHOWN: usize = 500;

pub async fn home(State(app): State<Arc<App>>) -> Html<String> {
    let token = form_token_field(app.security.form_token());
    let mut body = String::new();
    if let Some(current) = app.current() {
        let ingested = &current.opened.ingested;
        let _ = write!(
            body,
            "<section><h2>{}</h2><pre>{}</pre><p class=\"count\">{} — <a href=\"/problems\">see the problems</a>, \
             <a href=\"/protocol\">the protocol</a>, <a href=\"/report\">the report</a></p></section>",
            escape(ingested.study.title.as_deref().unwrap_or("(untitled study)")),
            escape(&StudySummary::of(&ingested.study).to_string()),
            count_line(ingested.count(Severity::Error), ingested.count(Severity::Warning)),
        );
    }
    let workbooks = WORKBOOK_EXTENSIONS
        .iter()
        .map(|extension| format!(".{extension}"))
        .collect::<Vec<_>>()
        .join(",");
    let _ = write!(
        body,
        "<h2>A study on this computer</h2>\n\
         <form method=\"post\" action=\"/open\" id=\"open-path\">{token}\
         <label for=\"path\">Folder or workbook</label>\
         <input type=\"text\" id=\"path\" name=\"path\" class=\"path\" placeholder=\"/home/me/studies/anakinra\" required> \
         <button type=\"submit\">Open</button>\
         <p class=\"note\">A study folder (patients.csv, observations.csv, treatments.csv, events.csv, study.toml) \
         or a workbook. It is only read, never changed.</p></form>\n\
         <h2>Or upload it</h2>\n\
         <form method=\"post\" action=\"/upload\" enctype=\"multipart/form-data\" id=\"upload-workbook\"><fieldset><legend>A workbook</legend>{token}\
         <input type=\"hidden\" name=\"kind\" value=\"workbook\">\
         <input type=\"file\" name=\"file\" accept=\"{workbooks}\" required> <button type=\"submit\">Upload</button>\
         </fieldset></form>\n\
         <form method=\"post\" action=\"/upload\" enctype=\"multipart/form-data\" id=\"upload-archive\"><fieldset><legend>A zip of the study folder</legend>{token}\
         <input type=\"hidden\" name=\"kind\" value=\"archive\">\
         <input type=\"file\" name=\"file\" accept=\".zip\" required> <button type=\"submit\">Upload</button>\
         </fieldset></form>\n\
         <form method=\"post\" action=\"/upload\" enctype=\"multipart/form-data\" id=\"upload-redcap\"><fieldset><legend>A REDCap export</legend>{token}\
         <input type=\"hidden\" name=\"kind\" value=\"redcap\">\
         <label>Data dictionary (CSV) <input type=\"file\" name=\"dictionary\" accept=\".csv\" required></label> \
         <label>Records, raw (CSV) <input type=\"file\" name=\"records\" accept=\".csv\" required></label><br>\
         <label>Mapping, for a project not made from hlh's template <input type=\"file\" name=\"mapping\" accept=\".toml\"></label> \
         <label>Missing-data codes <input type=\"text\" name=\"missing_codes\" placeholder=\"UNK,NA,-999\"></label> \
         <button type=\"submit\">Upload</button></fieldset></form>\n\
         <p class=\"note\">Uploads are kept in a private folder of this computer (only you can open it) and removed \
         when hlh serve stops; at most {} MiB each.</p>",
        crate::MAX_UPLOAD_BYTES / (1024 * 1024)
    );
    Html(page(
        "Open a study",
        "/",
        app.study_name().as_deref(),
        &body,
    ))
}

/// After a study is opened, its problems are the first thing to see.
fn opened(app: &App, opened: open::Opened) -> Response {
    app.set_current(Current::new(Arc::new(opened), toml::Table::new()));
    (StatusCode::SEE_OTHER, [(header::LOCATION, "/problems")]).into_response()
}

pub async fn open_path(
    State(app): State<Arc<App>>,
    Form(fields): Form<HashMap<String, String>>,
) -> Result<Response, Refusal> {
    if !app
        .security
        .is_form_token(fields.get("form_token").map(String::as_str))
    {
        return Err(Refusal::stale_form());
    }
    let path = PathBuf::from(fields.get("path").map(|p| p.trim()).unwrap_or_default());
    if path.as_os_str().is_empty() {
        return Err(Refusal::bad_request(
            "Give the path of a study folder or workbook.",
        ));
    }
    let state = app.clone();
    let study = blocking(move || {
        let study = open::open_path(&path)?;
        if let open::Sources::Folder(folder) = &study.sources {
            let has_patients = std::fs::read_dir(folder).is_ok_and(|mut entries| {
                entries.any(|entry| {
                    entry.is_ok_and(|entry| {
                        entry
                            .file_name()
                            .to_str()
                            .is_some_and(|name| name.eq_ignore_ascii_case("patients.csv"))
                    })
                })
            });
            if !has_patients {
                return Err(open::OpenError {
                    too_large: false,
                    message: format!(
                        "{} holds no patients.csv: it is not a study folder",
                        folder.display()
                    ),
                });
            }
        }
        Ok(study)
    })
    .await??;
    Ok(opened(&state, study))
}

/// One part of an upload, read whole (within the upload's limit).
struct Part {
    file_name: Option<String>,
    bytes: Vec<u8>,
}

pub async fn upload(
    State(app): State<Arc<App>>,
    mut multipart: Multipart,
) -> Result<Response, Refusal> {
    let mut parts: HashMap<String, Part> = HashMap::new();
    loop {
        let field = match multipart.next_field().await {
            Ok(Some(field)) => field,
            Ok(None) => break,
            Err(error) => return Err(upload_refusal(error.status())),
        };
        let name = field.name().unwrap_or_default().to_string();
        let file_name = field.file_name().map(str::to_string);
        let bytes = field
            .bytes()
            .await
            .map_err(|error| upload_refusal(error.status()))?;
        parts.insert(
            name,
            Part {
                file_name,
                bytes: bytes.to_vec(),
            },
        );
    }
    let text = |name: &str| {
        parts
            .get(name)
            .map(|part| String::from_utf8_lossy(&part.bytes).into_owned())
    };
    if !app.security.is_form_token(text("form_token").as_deref()) {
        return Err(Refusal::stale_form());
    }
    let kind = text("kind").unwrap_or_default();
    let file = |name: &str| -> Result<(String, Vec<u8>), Refusal> {
        let part = parts
            .get(name)
            .filter(|part| !part.bytes.is_empty())
            .ok_or_else(|| Refusal::bad_request(&format!("Choose the file to upload ({name}).")))?;
        Ok((
            shown_upload_name(part.file_name.as_deref(), name),
            part.bytes.clone(),
        ))
    };
    let folder = app.upload_folder()?;
    let study = match kind.as_str() {
        "workbook" => {
            let (name, bytes) = file("file")?;
            blocking(move || open::open_uploaded_workbook(&folder, &name, &bytes)).await??
        }
        "archive" => {
            let (name, bytes) = file("file")?;
            blocking(move || open::open_uploaded_archive(&folder, &name, &bytes)).await??
        }
        "redcap" => {
            let upload = RedcapUpload {
                dictionary: file("dictionary")?,
                records: file("records")?,
                mapping: file("mapping").ok(),
                missing_codes: text("missing_codes")
                    .unwrap_or_default()
                    .split(',')
                    .map(str::trim)
                    .filter(|code| !code.is_empty())
                    .map(str::to_string)
                    .collect(),
            };
            blocking(move || open::open_uploaded_redcap(&folder, upload)).await??
        }
        _ => {
            return Err(Refusal::bad_request(
                "Upload a workbook, a zip of the study folder or a REDCap export.",
            ))
        }
    };
    Ok(opened(&app, study))
}

fn upload_refusal(status: StatusCode) -> Refusal {
    if status == StatusCode::PAYLOAD_TOO_LARGE {
        Refusal::new(
            status,
            "The upload is too large",
            &format!(
                "An upload may weigh at most {} MiB.",
                crate::MAX_UPLOAD_BYTES / (1024 * 1024)
            ),
        )
    } else {
        Refusal::bad_request(
            "The upload could not be read (a malformed form). Please choose the file again.",
        )
    }
}

/// The name an upload had on the uploader's machine, without any folder, for pages only.
fn shown_upload_name(file_name: Option<&str>, field: &str) -> String {
    let name = file_name
        .and_then(|name| name.rsplit(['/', '\\']).next())
        .filter(|name| !name.is_empty())
        .unwrap_or(field);
    name.chars().filter(|c| !c.is_control()).take(120).collect()
}

/// Where a problem is: `observations.csv:18`, or the cell `observations!E18` of a workbook.
fn place(diagnostic: &Diagnostic) -> String {
    match (&diagnostic.sheet, diagnostic.line, &diagnostic.column) {
        (Some(sheet), Some(row), Some(column)) => {
            format!("{sheet}!{}{row}", column_letters(column.number))
        }
        (Some(sheet), Some(row), None) => format!("{sheet}, row {row}"),
        (Some(sheet), None, _) => sheet.clone(),
        (None, Some(line), _) => format!("line {line}"),
        (None, None, _) => "the whole file".into(),
    }
}

/// The file or sheet a filter names.
fn source_name(diagnostic: &Diagnostic) -> String {
    match &diagnostic.sheet {
        Some(sheet) => format!("{} (sheet {sheet})", diagnostic.file),
        None => diagnostic.file.clone(),
    }
}

pub async fn problems(
    State(app): State<Arc<App>>,
    Query(query): Query<HashMap<String, String>>,
) -> Result<Html<String>, Refusal> {
    let Some(current) = app.current() else {
        return Ok(Html(page(
            "Problems",
            "/problems",
            None,
            "<p>No study is open. <a href=\"/\">Open one</a>.</p>",
        )));
    };
    let diagnostics = &current.opened.ingested.diagnostics;
    let mut sources: Vec<String> = diagnostics.iter().map(source_name).collect();
    sources.sort();
    sources.dedup();
    let file = query.get("file").filter(|file| !file.is_empty());
    if let Some(file) = file {
        if !sources.contains(file) {
            return Err(Refusal::bad_request(
                "The study has no problems in that file.",
            ));
        }
    }
    let severity = match query.get("severity").map(String::as_str) {
        None | Some("" | "all") => None,
        Some("error") => Some(Severity::Error),
        Some("warning") => Some(Severity::Warning),
        Some(_) => return Err(Refusal::bad_request("Severity is all, error or warning.")),
    };
    let current_for_rows = current.clone();
    let (file_filter, chosen) = (file.cloned(), severity);
    let body = blocking(move || {
        problems_body(&current_for_rows, &sources, file_filter.as_deref(), chosen)
    })
    .await?;
    Ok(Html(page(
        "Problems",
        "/problems",
        Some(&current.opened.name),
        &body,
    )))
}

fn problems_body(
    current: &Current,
    sources: &[String],
    file: Option<&str>,
    severity: Option<Severity>,
) -> String {
    let ingested = &current.opened.ingested;
    let mut body = format!(
        "<p class=\"count\" id=\"problem-count\">{}</p>",
        count_line(
            ingested.count(Severity::Error),
            ingested.count(Severity::Warning)
        )
    );
    if ingested.has_errors() {
        body.push_str("<p class=\"error\">The study has errors: it cannot be analysed until they are fixed in its files.</p>");
    } else if current.analysis.is_some() {
        body.push_str("<p>The study can be analysed: <a href=\"/report\">see the report</a>.</p>");
    }
    if ingested.diagnostics.is_empty() {
        return body;
    }
    let options = |chosen: Option<&str>, values: &[(String, String)]| -> String {
        values
            .iter()
            .map(|(value, label)| {
                let selected = if chosen == Some(value.as_str()) {
                    " selected"
                } else {
                    ""
                };
                format!(
                    "<option value=\"{}\"{selected}>{}</option>",
                    escape(value),
                    escape(label)
                )
            })
            .collect()
    };
    let mut files = vec![(String::new(), "every file".to_string())];
    files.extend(sources.iter().map(|s| (s.clone(), s.clone())));
    let severities = [
        ("all".to_string(), "errors and warnings".to_string()),
        ("error".to_string(), "errors".to_string()),
        ("warning".to_string(), "warnings".to_string()),
    ];
    let chosen_severity = match severity {
        None => "all",
        Some(Severity::Error) => "error",
        Some(Severity::Warning) => "warning",
    };
    let _ = write!(
        body,
        "<form method=\"get\" action=\"/problems\"><label>File <select name=\"file\">{}</select></label>\
         <label>Show <select name=\"severity\">{}</select></label> <button type=\"submit\">Filter</button></form>",
        options(file, &files),
        options(Some(chosen_severity), &severities),
    );
    let shown: Vec<&Diagnostic> = ingested
        .diagnostics
        .iter()
        .filter(|d| file.is_none_or(|file| source_name(d) == file))
        .filter(|d| severity.is_none_or(|severity| d.severity == severity))
        .collect();
    if shown.len() > MAX_PROBLEMS_SHOWN {
        let _ = write!(
            body,
            "<p class=\"note\">The first {MAX_PROBLEMS_SHOWN} of {} problems; choose a file or a severity to see the others.</p>",
            shown.len()
        );
    }
    body.push_str(
        "<table id=\"problems\"><thead><tr><th>Severity</th><th>File</th><th>Where</th><th>Column</th><th>Value</th>\
         <th>Problem</th><th>Expected</th><th>Hint</th></tr></thead><tbody>",
    );
    let mut rows = RowReader::default();
    for diagnostic in shown.iter().take(MAX_PROBLEMS_SHOWN) {
        let (class, severity_name) = match diagnostic.severity {
            Severity::Error => ("error", "error"),
            Severity::Warning => ("warning", "warning"),
        };
        let cell = |text: Option<&str>| escape(text.unwrap_or(""));
        let _ = write!(
            body,
            "<tr><td class=\"{class}\">{severity_name}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            escape(&diagnostic.file),
            escape(&place(diagnostic)),
            cell(diagnostic.column.as_ref().map(|c| c.name.as_str())),
            cell(diagnostic.value.as_deref()),
            escape(&diagnostic.message),
            cell(diagnostic.expected.as_deref()),
            cell(diagnostic.hint.as_deref()),
        );
        if let Some(row) = rows.row(&current.opened.sources, diagnostic) {
            let _ = write!(
                body,
                "<tr><td></td><td colspan=\"7\">{}</td></tr>",
                source_row_table(&row, diagnostic)
            );
        }
    }
    body.push_str("</tbody></table>");
    body
}

/// The row a problem came from under its header, the problem's cell marked.
fn source_row_table(row: &SourceRow, diagnostic: &Diagnostic) -> String {
    let marked = diagnostic.column.as_ref().map(|column| column.number);
    let width = row.header.len().max(row.cells.len());
    let mut header = String::new();
    let mut cells = String::new();
    for index in 0..width {
        let class = if marked == Some(index + 1) {
            " class=\"marked\""
        } else {
            ""
        };
        let _ = write!(
            header,
            "<th{class}>{}</th>",
            escape(row.header.get(index).map_or("", String::as_str))
        );
        let _ = write!(
            cells,
            "<td{class}>{}</td>",
            escape(row.cells.get(index).map_or("", String::as_str))
        );
    }
    format!("<table class=\"source-row\"><tr>{header}</tr><tr>{cells}</tr></table>")
}
