//! The report, as `hlh report` writes it (the same bytes for the same study and protocol), shown in a
//! sandboxed frame, and its downloads.

use std::fmt::Write as _;
use std::io::Write as _;
use std::sync::Arc;

use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use hlh_outcomes::suppression::MinCell;
use hlh_outcomes::Analysis;
use hlh_report::ReportOptions;

use crate::pages::{escape, message_list, page, Refusal};
use crate::security::REPORT_CONTENT_SECURITY_POLICY;
use crate::{blocking, App, Current};

/// The downloads: (file name, what it is). Markdown comes zipped with its figures' folder.
const DOWNLOADS: [(&str, &str); 5] = [
    ("report.html", "the report, one self-contained HTML file"),
    (
        "report.docx",
        "the report for Word: native tables, 300-dpi figures",
    ),
    (
        "report-markdown.zip",
        "the report as Markdown, with its SVG figures in report-figures/",
    ),
    (
        "analysis.json",
        "the analysis, as hlh analyze --json (--min-cell) writes it",
    ),
    (
        "protocol.toml",
        "the protocol in use, for hlh analyze --protocol",
    ),
];

/// The largest threshold the form accepts: beyond it every count of any study is hidden.
const MAX_MIN_CELL: u64 = 1000;

/// `?min_cell=N` of the report page, its frame and its downloads: counts below N suppressed, as
/// `hlh report --min-cell N` and `hlh analyze --json --min-cell N` do. Absent, empty or 0: none.
#[derive(Debug, Clone, Copy, Default, serde::Deserialize)]
pub struct Sharing {
    #[serde(default, deserialize_with = "optional_count")]
    min_cell: Option<u64>,
}

/// An empty field of the form is no threshold.
fn optional_count<'de, D: serde::Deserializer<'de>>(
    deserializer: D,
) -> Result<Option<u64>, D::Error> {
    let text: Option<String> = serde::Deserialize::deserialize(deserializer)?;
    match text.as_deref().map(str::trim) {
        None | Some("") => Ok(None),
        Some(number) => number.parse().map(Some).map_err(serde::de::Error::custom),
    }
}

impl Sharing {
    fn min_cell(self) -> u64 {
        self.min_cell.unwrap_or(0)
    }

    fn options(self) -> ReportOptions {
        ReportOptions {
            min_cell: self.min_cell(),
        }
    }

    /// The query to carry to the frame and the downloads.
    fn query(self) -> String {
        match self.min_cell() {
            0 | 1 => String::new(),
            n => format!("?min_cell={n}"),
        }
    }

    fn checked(self) -> Result<Sharing, Refusal> {
        if self.min_cell() > MAX_MIN_CELL {
            return Err(Refusal::new(
                StatusCode::BAD_REQUEST,
                "Threshold too large",
                &format!("Suppress counts below at most {MAX_MIN_CELL}."),
            ));
        }
        Ok(self)
    }
}

/// The Markdown report's name without its extension; its figure folder is `STEM-figures`, as
/// `hlh report --out STEM.md` names it.
const MARKDOWN_STEM: &str = "report";

/// Why there is no analysis to show: the study's errors, its protocol's, or the analysis's own.
fn unanalysed(current: &Current) -> String {
    if current.opened.ingested.has_errors() {
        return "<p class=\"error\">The study has errors, so it cannot be analysed: \
                <a href=\"/problems\">see the problems</a>.</p>"
            .into();
    }
    let errors = match (&current.protocol, &current.analysis) {
        (Err(errors), _) => errors.clone(),
        (_, Some(Err(error))) => vec![error.clone()],
        _ => Vec::new(),
    };
    format!(
        "<p class=\"error\">No analysis:</p>{}<p><a href=\"/protocol\">The protocol</a></p>",
        message_list(&errors)
    )
}

fn analysis_of(current: &Current) -> Option<&Analysis> {
    current.analysis.as_ref()?.as_ref().ok()
}

pub async fn show(
    State(app): State<Arc<App>>,
    sharing: Result<Query<Sharing>, QueryRejection>,
) -> Result<Html<String>, Refusal> {
    let sharing = sharing.map_err(|_| bad_threshold())?.0.checked()?;
    let Some(current) = app.current() else {
        return Ok(Html(page(
            "Report",
            "/report",
            None,
            "<p>No study is open. <a href=\"/\">Open one</a>.</p>",
        )));
    };
    let Some(analysis) = analysis_of(&current) else {
        return Ok(Html(page(
            "Report",
            "/report",
            Some(&current.opened.name),
            &unanalysed(&current),
        )));
    };
    let suppressing = MinCell(sharing.min_cell()).active();
    // The summary prints every count: not shown while preparing what leaves the centre.
    let mut body = if suppressing {
        format!(
            "<p id=\"summary\" class=\"note\">Counts below {} are suppressed in the report and the downloads below; the summary, which shows every count, is not shown.</p>",
            sharing.min_cell()
        )
    } else {
        format!("<p id=\"summary\">{}</p>", escape(&analysis.summary))
    };
    if !current.edits.is_empty() {
        let _ = write!(
            body,
            "<p class=\"note\">Analysed with the settings changed on the <a href=\"/protocol\">protocol page</a>: {}.</p>",
            escape(
                &current
                    .edits
                    .iter()
                    .map(|(name, value)| format!("{name} = {value}"))
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        );
    }
    let _ = write!(
        body,
        "<h2>For sharing outside the centre</h2><form method=\"get\" action=\"/report\" class=\"sharing\">\
         <label>Suppress counts below <input type=\"number\" name=\"min_cell\" min=\"0\" max=\"{MAX_MIN_CELL}\" value=\"{}\"></label> \
         <button type=\"submit\">Apply</button></form>\
         <p class=\"note\">A count from 1 to N − 1, and every number that would reveal it, is hidden in the report and the downloads; patient-level content and the analysis's patients are left out (docs/sharing.md). 0: nothing suppressed.</p>",
        sharing.min_cell()
    );
    let query = sharing.query();
    body.push_str("<h2>Downloads</h2><ul class=\"downloads\">");
    for (file, what) in DOWNLOADS {
        let _ = write!(
            body,
            "<li><a href=\"/download/{file}{query}\" download>{file}</a>: {what}</li>"
        );
    }
    let _ = write!(
        body,
        "</ul><h2>The report</h2><iframe class=\"report\" src=\"/report/view{query}\" title=\"The report\"></iframe>",
    );
    Ok(Html(page(
        "Report",
        "/report",
        Some(&current.opened.name),
        &body,
    )))
}

fn bad_threshold() -> Refusal {
    Refusal::new(
        StatusCode::BAD_REQUEST,
        "Not a threshold",
        "Suppress counts below a whole number (0 for none).",
    )
}

fn no_analysis() -> Refusal {
    Refusal::new(
        StatusCode::CONFLICT,
        "No analysis",
        "There is no analysis to show: open a study without errors first.",
    )
}

/// The report's own page, as `hlh report --out report.html` writes it.
pub async fn view(
    State(app): State<Arc<App>>,
    sharing: Result<Query<Sharing>, QueryRejection>,
) -> Result<Response, Refusal> {
    let sharing = sharing.map_err(|_| bad_threshold())?.0.checked()?;
    let current = app.current().ok_or_else(no_analysis)?;
    if analysis_of(&current).is_none() {
        return Err(no_analysis());
    }
    let html = blocking(move || {
        analysis_of(&current).map(|analysis| hlh_report::html(analysis, &sharing.options()))
    })
    .await?
    .ok_or_else(no_analysis)?;
    Ok((
        [
            (header::CONTENT_TYPE, "text/html; charset=utf-8"),
            (
                header::CONTENT_SECURITY_POLICY,
                REPORT_CONTENT_SECURITY_POLICY,
            ),
        ],
        html,
    )
        .into_response())
}

pub async fn download(
    State(app): State<Arc<App>>,
    Path(file): Path<String>,
    sharing: Result<Query<Sharing>, QueryRejection>,
) -> Result<Response, Refusal> {
    let sharing = sharing.map_err(|_| bad_threshold())?.0.checked()?;
    let Some((file, _)) = DOWNLOADS.iter().find(|(name, _)| *name == file) else {
        return Err(Refusal::new(
            StatusCode::NOT_FOUND,
            "No such download",
            "There is no download of that name.",
        ));
    };
    let current = app.current().ok_or_else(no_analysis)?;
    let file: &'static str = file;
    let made = blocking(move || make_download(&current, file, sharing)).await??;
    let (content_type, bytes) = made;
    let mut response = ([(header::CONTENT_TYPE, content_type)], bytes).into_response();
    if let Ok(disposition) = HeaderValue::from_str(&format!("attachment; filename=\"{file}\"")) {
        response
            .headers_mut()
            .insert(header::CONTENT_DISPOSITION, disposition);
    }
    Ok(response)
}

fn make_download(
    current: &Current,
    file: &str,
    sharing: Sharing,
) -> Result<(&'static str, Vec<u8>), Refusal> {
    if file == "protocol.toml" {
        let protocol = current.protocol.as_ref().map_err(|_| no_analysis())?;
        let text = format!(
            "# The protocol of this analysis, every setting: `hlh analyze STUDY --protocol protocol.toml`\n\
             # reproduces it whatever the study's study.toml says.\n\n{}",
            protocol.to_toml()
        );
        return Ok(("application/toml; charset=utf-8", text.into_bytes()));
    }
    let analysis = analysis_of(current).ok_or_else(no_analysis)?;
    let options = sharing.options();
    let failed = |what: &str| {
        Refusal::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "The download could not be made",
            &format!("{what} could not be written."),
        )
    };
    Ok(match file {
        "report.html" => (
            "text/html; charset=utf-8",
            hlh_report::html(analysis, &options).into_bytes(),
        ),
        "report.docx" => (
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            hlh_docx::report_docx(analysis, &options).map_err(|_| failed("The Word report"))?,
        ),
        "analysis.json" => {
            let mut bytes = Vec::new();
            analysis
                .write_json_with(&mut bytes, MinCell(sharing.min_cell()))
                .map_err(|_| failed("The analysis"))?;
            ("application/json", bytes)
        }
        _ => (
            "application/zip",
            markdown_zip(analysis, &options).map_err(|_| failed("The Markdown report"))?,
        ),
    })
}

/// The Markdown report and its figure folder in one zip, as `hlh report --out STEM.md` lays them out; every
/// entry dated 1980-01-01 (zip's earliest date), so the same report gives the same bytes.
fn markdown_zip(analysis: &Analysis, options: &ReportOptions) -> zip::result::ZipResult<Vec<u8>> {
    let figure_folder = format!("{MARKDOWN_STEM}-figures");
    let (text, figures) = hlh_report::markdown(analysis, options, &figure_folder);
    let mut archive = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let entry = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .last_modified_time(zip::DateTime::default());
    archive.start_file(format!("{MARKDOWN_STEM}.md"), entry)?;
    archive.write_all(text.as_bytes())?;
    for (name, svg) in &figures {
        archive.start_file(format!("{figure_folder}/{name}"), entry)?;
        archive.write_all(svg.as_bytes())?;
    }
    Ok(archive.finish()?.into_inner())
}
