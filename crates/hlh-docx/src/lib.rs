//! The report as a Word document a co-author can edit: the blocks of [`hlh_report::Document`] up to the
//! methods (the case cards and source lists stay in the HTML), with native tables in the three-line
//! style journals print, the figures as 300-dpi PNG rendered from the report's SVG, and captions.
//!
//! The WordprocessingML is written here and packaged with `zip`, rather than through a document
//! crate, for two properties the report needs: the same bytes for the same analysis however many
//! documents a process writes (docx-rs numbers pictures and paragraphs from process-wide counters),
//! and per-cell rules for the three-line tables.
//!
//! Invariants: the same document gives the same bytes (entries in a fixed order, the zip's fixed
//! 1980-01-01 timestamps, no creation date, fonts only from this crate); every number is the
//! report's, as text, never recomputed.

mod ooxml;
mod render;

use std::io::{Cursor, Write};

use hlh_outcomes::Analysis;
use hlh_report::document::Document;
use hlh_report::ReportOptions;
use zip::write::SimpleFileOptions;
use zip::CompressionMethod;

pub use render::{svg_to_png, FigurePng, FIGURE_DPI, FIGURE_WIDTH_INCHES};

/// Why a document could not be written.
#[derive(Debug)]
pub enum DocxError {
    /// A figure's SVG did not parse (a defect of the report, never of the data).
    Figure { id: String, message: String },
    /// Packaging failed.
    Package(String),
}

impl std::fmt::Display for DocxError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            DocxError::Figure { id, message } => {
                write!(f, "figure {id} could not be rendered: {message}")
            }
            DocxError::Package(message) => {
                write!(f, "the Word document could not be written: {message}")
            }
        }
    }
}

impl std::error::Error for DocxError {}

fn package_error(error: impl std::fmt::Display) -> DocxError {
    DocxError::Package(error.to_string())
}

/// The report of `analysis` as a Word document: the same blocks, hence the same numbers, as
/// [`hlh_report::html`], with `options` (small-cell suppression) applied alike.
///
/// # Errors
///
/// As [`to_docx`].
pub fn report_docx(analysis: &Analysis, options: &ReportOptions) -> Result<Vec<u8>, DocxError> {
    to_docx(&hlh_report::build(analysis, options))
}

/// The Word document of `document`, as the bytes of a .docx file.
///
/// # Errors
///
/// [`DocxError`] when a figure cannot be rendered or the package cannot be written.
pub fn to_docx(document: &Document) -> Result<Vec<u8>, DocxError> {
    let body = ooxml::Body::of(document)?;
    let mut entries: Vec<(String, Vec<u8>)> = vec![
        (
            "[Content_Types].xml".into(),
            ooxml::CONTENT_TYPES.as_bytes().to_vec(),
        ),
        (
            "_rels/.rels".into(),
            ooxml::PACKAGE_RELATIONSHIPS.as_bytes().to_vec(),
        ),
        (
            "docProps/core.xml".into(),
            ooxml::core_properties(&document.title).into_bytes(),
        ),
        ("word/document.xml".into(), body.document_xml.into_bytes()),
        ("word/styles.xml".into(), ooxml::STYLES.as_bytes().to_vec()),
        (
            "word/_rels/document.xml.rels".into(),
            body.relationships.into_bytes(),
        ),
    ];
    entries.extend(
        body.images
            .into_iter()
            .map(|(name, png)| (format!("word/media/{name}"), png)),
    );
    let mut zip = zip::ZipWriter::new(Cursor::new(Vec::new()));
    for (name, bytes) in &entries {
        // PNG is already compressed; deflating it again only costs time.
        let method = if name.ends_with(".png") {
            CompressionMethod::Stored
        } else {
            CompressionMethod::Deflated
        };
        zip.start_file(
            name.as_str(),
            SimpleFileOptions::default().compression_method(method),
        )
        .map_err(package_error)?;
        zip.write_all(bytes).map_err(package_error)?;
    }
    zip.finish().map(Cursor::into_inner).map_err(package_error)
}
