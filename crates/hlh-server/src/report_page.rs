//! The report, as `hlh report` writes it (the same bytes for the same study and protocol), shown in a
//! sandboxed frame, and its downloads.

use std::fmt::Write as _;
use std::io::Write as _;
use std::sync::Arc;

use axum::extract::{Path, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{Html, IntoResponse, Response};
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
        "the analysis, as hlh analyze --json writes it",
    ),
    (
        "protocol.toml",
        "the protocol in use, for hlh analyze --protocol",
    ),
];

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

pub async fn show(State(app): State<Arc<App>>) -> Html<String> {
    let Some(current) = app.current() else {
        return Html(page(
            "Report",
            "/report",
            None,
            "<p>No study is open. <a href=\"/\">Open one</a>.</p>",
        ));
    };
    let Some(analysis) = analysis_of(&current) else {
        return Html(page(
            "Report",
            "/report",
            Some(&current.opened.name),
            &unanalysed(&current),
        ));
    };
    let mut body = format!("<p id=\"summary\">{}</p>", escape(&analysis.summary));
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
    body.push_str("<h2>Downloads</h2><ul class=\"downloads\">");
    for (file, what) in DOWNLOADS {
        let _ = write!(
            body,
            "<li><a href=\"/download/{file}\" download>{file}</a>: {what}</li>"
        );
    }
    body.push_str(
        "</ul><h2>The report</h2><iframe class=\"report\" src=\"/report/view\" title=\"The report\"></iframe>",
    );
    Html(page("Report", "/report", Some(&current.opened.name), &body))
}

fn no_analysis() -> Refusal {
    Refusal::new(
        StatusCode::CONFLICT,
        "No analysis",
        "There is no analysis to show: open a study without errors first.",
    )
}

/// The report's own page, as `hlh report --out report.html` writes it.
pub async fn view(State(app): State<Arc<App>>) -> Result<Response, Refusal> {
    let current = app.current().ok_or_else(no_analysis)?;
    if analysis_of(&current).is_none() {
        return Err(no_analysis());
    }
    let html = blocking(move || {
        analysis_of(&current).map(|analysis| hlh_report::html(analysis, &ReportOptions::default()))
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
) -> Result<Response, Refusal> {
    let Some((file, _)) = DOWNLOADS.iter().find(|(name, _)| *name == file) else {
        return Err(Refusal::new(
            StatusCode::NOT_FOUND,
            "No such download",
            "There is no download of that name.",
        ));
    };
    let current = app.current().ok_or_else(no_analysis)?;
    let file: &'static str = file;
    let made = blocking(move || make_download(&current, file)).await??;
    let (content_type, bytes) = made;
    let mut response = ([(header::CONTENT_TYPE, content_type)], bytes).into_response();
    if let Ok(disposition) = HeaderValue::from_str(&format!("attachment; filename=\"{file}\"")) {
        response
            .headers_mut()
            .insert(header::CONTENT_DISPOSITION, disposition);
    }
    Ok(response)
}

fn make_download(current: &Current, file: &str) -> Result<(&'static str, Vec<u8>), Refusal> {
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
    let options = ReportOptions::default();
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
                .write_json(&mut bytes)
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
