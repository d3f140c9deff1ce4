//! The parts of the package in WordprocessingML (ECMA-376): the body from the report's blocks, the
//! styles, the relationships and the content types.

use std::fmt::Write;

use hlh_report::document::{Block, Document, Figure, Inline, Row, Table};

use crate::render::{svg_to_png, FIGURE_WIDTH_INCHES};
use crate::DocxError;

pub const CONTENT_TYPES: &str = concat!(
    r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>"#,
    "\n",
    r#"<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">"#,
    r#"<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>"#,
    r#"<Default Extension="xml" ContentType="application/xml"/>"#,
    r#"<Default Extension="png" ContentType="image/png"/>"#,
    r#"<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/>"#,
    r#"<Override PartName="/word/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.styles+xml"/>"#,
    r#"<Override PartName="/docProps/core.xml" ContentType="application/vnd.openxmlformats-package.core-properties+xml"/>"#,
    "</Types>"
);

pub const PACKAGE_RELATIONSHIPS: &str = concat!(
    r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>"#,
    "\n",
    r#"<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">"#,
    r#"<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/>"#,
    r#"<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties" Target="docProps/core.xml"/>"#,
    "</Relationships>"
);

/// Arial for the text (Word has it everywhere; LibreOffice sets it in the metric-compatible Liberation
/// Sans), sizes in half-points, spacing in twentieths of a point.
pub const STYLES: &str = concat!(
    r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>"#,
    "\n",
    r#"<w:styles xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">"#,
    r#"<w:docDefaults><w:rPrDefault><w:rPr><w:rFonts w:ascii="Arial" w:hAnsi="Arial" w:eastAsia="Arial" w:cs="Arial"/><w:sz w:val="21"/><w:szCs w:val="21"/><w:lang w:val="en-GB"/></w:rPr></w:rPrDefault>"#,
    r#"<w:pPrDefault><w:pPr><w:spacing w:after="120" w:line="264" w:lineRule="auto"/></w:pPr></w:pPrDefault></w:docDefaults>"#,
    r#"<w:style w:type="paragraph" w:default="1" w:styleId="Normal"><w:name w:val="Normal"/><w:qFormat/></w:style>"#,
    r#"<w:style w:type="paragraph" w:styleId="Title"><w:name w:val="Title"/><w:basedOn w:val="Normal"/><w:next w:val="Normal"/><w:qFormat/><w:pPr><w:spacing w:after="240"/></w:pPr><w:rPr><w:b/><w:sz w:val="32"/><w:szCs w:val="32"/></w:rPr></w:style>"#,
    r#"<w:style w:type="paragraph" w:styleId="Heading1"><w:name w:val="heading 1"/><w:basedOn w:val="Normal"/><w:next w:val="Normal"/><w:qFormat/><w:pPr><w:keepNext/><w:spacing w:before="360" w:after="120"/><w:outlineLvl w:val="0"/></w:pPr><w:rPr><w:b/><w:sz w:val="26"/><w:szCs w:val="26"/></w:rPr></w:style>"#,
    r#"<w:style w:type="paragraph" w:styleId="Heading2"><w:name w:val="heading 2"/><w:basedOn w:val="Normal"/><w:next w:val="Normal"/><w:qFormat/><w:pPr><w:keepNext/><w:spacing w:before="240" w:after="80"/><w:outlineLvl w:val="1"/></w:pPr><w:rPr><w:b/><w:sz w:val="22"/><w:szCs w:val="22"/></w:rPr></w:style>"#,
    r#"<w:style w:type="paragraph" w:styleId="TableCaption"><w:name w:val="Table caption"/><w:basedOn w:val="Normal"/><w:next w:val="TableText"/><w:qFormat/><w:pPr><w:keepNext/><w:spacing w:before="240" w:after="80"/></w:pPr><w:rPr><w:b/><w:sz w:val="20"/><w:szCs w:val="20"/></w:rPr></w:style>"#,
    r#"<w:style w:type="paragraph" w:styleId="TableText"><w:name w:val="Table text"/><w:basedOn w:val="Normal"/><w:qFormat/><w:pPr><w:spacing w:before="20" w:after="20" w:line="240" w:lineRule="auto"/></w:pPr><w:rPr><w:sz w:val="17"/><w:szCs w:val="17"/></w:rPr></w:style>"#,
    r#"<w:style w:type="paragraph" w:styleId="TableTextNarrow"><w:name w:val="Table text, wide table"/><w:basedOn w:val="TableText"/><w:qFormat/><w:rPr><w:sz w:val="14"/><w:szCs w:val="14"/></w:rPr></w:style>"#,
    r#"<w:style w:type="paragraph" w:styleId="TableNote"><w:name w:val="Table note"/><w:basedOn w:val="Normal"/><w:qFormat/><w:pPr><w:spacing w:before="40" w:after="40"/></w:pPr><w:rPr><w:sz w:val="16"/><w:szCs w:val="16"/></w:rPr></w:style>"#,
    r#"<w:style w:type="paragraph" w:styleId="Figure"><w:name w:val="Figure"/><w:basedOn w:val="Normal"/><w:qFormat/><w:pPr><w:keepNext/><w:spacing w:before="240" w:after="60"/><w:jc w:val="center"/></w:pPr></w:style>"#,
    r#"<w:style w:type="paragraph" w:styleId="FigureCaption"><w:name w:val="Figure caption"/><w:basedOn w:val="Normal"/><w:qFormat/><w:pPr><w:spacing w:after="240"/></w:pPr><w:rPr><w:sz w:val="18"/><w:szCs w:val="18"/></w:rPr></w:style>"#,
    "</w:styles>"
);

/// The document's properties: its title, and no dates (a date would change the bytes on every run).
pub fn core_properties(title: &str) -> String {
    format!(
        "{}\n{}<dc:title>{}</dc:title><dc:creator>hlhkit</dc:creator></cp:coreProperties>",
        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>"#,
        r#"<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">"#,
        text(title)
    )
}

/// A4 with 2.54 cm margins, in twentieths of a point.
const PAGE_WIDTH: u32 = 11906;
const PAGE_HEIGHT: u32 = 16838;
const MARGIN: u32 = 1440;
/// Tables with this many columns or more are set in the narrow table text on a landscape page of
/// their own.
const WIDE_FROM_COLUMNS: usize = 7;

/// How the pages of a section are turned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Orientation {
    Portrait,
    Landscape,
}

impl Orientation {
    fn text_width(self) -> u32 {
        match self {
            Orientation::Portrait => PAGE_WIDTH - 2 * MARGIN,
            Orientation::Landscape => PAGE_HEIGHT - 2 * MARGIN,
        }
    }

    /// The section's properties, which WordprocessingML writes at the end of the section.
    fn section_properties(self) -> String {
        let (width, height, orient) = match self {
            Orientation::Portrait => (PAGE_WIDTH, PAGE_HEIGHT, ""),
            Orientation::Landscape => (PAGE_HEIGHT, PAGE_WIDTH, r#" w:orient="landscape""#),
        };
        format!(
            r#"<w:sectPr><w:pgSz w:w="{width}" w:h="{height}"{orient}/><w:pgMar w:top="{MARGIN}" w:right="{MARGIN}" w:bottom="{MARGIN}" w:left="{MARGIN}" w:header="708" w:footer="708" w:gutter="0"/></w:sectPr>"#
        )
    }

    /// Ends the section so far with this orientation: a paragraph holding its properties.
    fn end_section(self, out: &mut String) {
        let _ = write!(
            out,
            "<w:p><w:pPr>{}</w:pPr></w:p>",
            self.section_properties()
        );
    }
}
/// An English Metric Unit per inch.
const EMU_PER_INCH: f64 = 914_400.0;

/// The body of `word/document.xml`, its relationships and its images.
pub struct Body {
    pub document_xml: String,
    pub relationships: String,
    /// (file name under `word/media/`, PNG)
    pub images: Vec<(String, Vec<u8>)>,
}

impl Body {
    pub fn of(document: &Document) -> Result<Body, DocxError> {
        let mut out = String::new();
        paragraph(&mut out, "Title", &[run(&document.title, false)]);
        let mut images = Vec::new();
        for block in document.manuscript_blocks() {
            match block {
                Block::Heading { level, text, .. } => {
                    let style = if *level <= 2 { "Heading1" } else { "Heading2" };
                    paragraph(&mut out, style, &[run(text, false)]);
                }
                Block::Paragraph(parts) => paragraph(&mut out, "Normal", &[inline_runs(parts)]),
                Block::List { items, .. } => {
                    for item in items {
                        let _ = write!(
                            out,
                            r#"<w:p><w:pPr><w:ind w:left="360" w:hanging="240"/></w:pPr>{}{}</w:p>"#,
                            run("•\u{a0}", false),
                            inline_runs(item)
                        );
                    }
                }
                Block::Table(table) if table.columns.len() >= WIDE_FROM_COLUMNS => {
                    Orientation::Portrait.end_section(&mut out);
                    table_xml(&mut out, table, Orientation::Landscape);
                    Orientation::Landscape.end_section(&mut out);
                }
                Block::Table(table) => table_xml(&mut out, table, Orientation::Portrait),
                Block::Figure(figure) => {
                    let number = images.len() + 1;
                    let png = svg_to_png(&figure.svg).map_err(|message| DocxError::Figure {
                        id: figure.id.clone(),
                        message,
                    })?;
                    figure_xml(&mut out, figure, number, png.width, png.height);
                    images.push((format!("figure-{number}.png"), png.png));
                }
                Block::CardStart { .. } | Block::CardEnd => {}
            }
        }
        out.push_str(&Orientation::Portrait.section_properties());
        let document_xml = format!(
            "{}\n{}<w:body>{out}</w:body></w:document>",
            r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>"#,
            r#"<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships" xmlns:wp="http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing" xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main" xmlns:pic="http://schemas.openxmlformats.org/drawingml/2006/picture">"#,
        );
        let mut relationships = String::from(concat!(
            r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>"#,
            "\n",
            r#"<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">"#,
            r#"<Relationship Id="rIdStyles" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/>"#,
        ));
        for (number, (name, _)) in images.iter().enumerate() {
            let _ = write!(
                relationships,
                r#"<Relationship Id="rIdImage{}" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/image" Target="media/{name}"/>"#,
                number + 1
            );
        }
        relationships.push_str("</Relationships>");
        Ok(Body {
            document_xml,
            relationships,
            images,
        })
    }
}

/// Text for XML, with the characters XML 1.0 cannot hold (control characters but tab and line ends)
/// left out.
fn text(value: &str) -> String {
    let allowed: String = value
        .chars()
        .filter(|&c| !c.is_control() || matches!(c, '\t' | '\n' | '\r'))
        .collect();
    hlh_report::svg::escape(&allowed)
}

fn run(value: &str, bold: bool) -> String {
    format!(
        r#"<w:r>{}<w:t xml:space="preserve">{}</w:t></w:r>"#,
        if bold { "<w:rPr><w:b/></w:rPr>" } else { "" },
        text(value)
    )
}

/// Links of the report point into its source lists, which a manuscript does not carry: their text.
fn inline_runs(parts: &[Inline]) -> String {
    let joined: String = parts.iter().map(Inline::as_text).collect();
    run(&joined, false)
}

fn paragraph(out: &mut String, style: &str, runs: &[String]) {
    let _ = write!(
        out,
        r#"<w:p><w:pPr><w:pStyle w:val="{style}"/></w:pPr>{}</w:p>"#,
        runs.concat()
    );
}

/// A rule on one side of a cell: 1.5 pt above and below the table, 0.75 pt under the header.
fn rule(side: &str, eighths_of_a_point: u32) -> String {
    format!(
        r#"<w:{side} w:val="single" w:sz="{eighths_of_a_point}" w:space="0" w:color="000000"/>"#
    )
}

/// A table in the three-line style: a rule above the header, one below it and one below the last
/// row; no vertical rules; sections in bold across the table, their rows indented; every column but
/// the first right-aligned; the notes below in small type.
fn table_xml(out: &mut String, table: &Table, orientation: Orientation) {
    paragraph(out, "TableCaption", &[run(&table.caption, false)]);
    let columns = table.columns.len().max(1);
    let text_width = orientation.text_width();
    let wide = columns >= WIDE_FROM_COLUMNS;
    let style = if wide { "TableTextNarrow" } else { "TableText" };
    let widths = column_widths(table, text_width);
    let width = |column: usize| widths.get(column).copied().unwrap_or(0);
    let _ = write!(
        out,
        r#"<w:tbl><w:tblPr><w:tblW w:w="{text_width}" w:type="dxa"/><w:tblLayout w:type="fixed"/><w:tblCellMar><w:left w:w="57" w:type="dxa"/><w:right w:w="57" w:type="dxa"/></w:tblCellMar><w:tblLook w:val="0000" w:firstRow="0" w:lastRow="0" w:firstColumn="0" w:lastColumn="0" w:noHBand="1" w:noVBand="1"/></w:tblPr><w:tblGrid>"#
    );
    for column in 0..columns {
        let _ = write!(out, r#"<w:gridCol w:w="{}"/>"#, width(column));
    }
    out.push_str("</w:tblGrid>");
    // The header, repeated on each page.
    out.push_str("<w:tr><w:trPr><w:tblHeader/><w:cantSplit/></w:trPr>");
    for (column, name) in table.columns.iter().enumerate() {
        let borders = format!("{}{}", rule("top", 12), rule("bottom", 6));
        Cell {
            width: width(column),
            span: 1,
            borders: &borders,
            style,
            right_aligned: column > 0,
            indented: false,
        }
        .write(out, &run(name, true));
    }
    out.push_str("</w:tr>");
    let last = table.rows.len().saturating_sub(1);
    for (index, row) in table.rows.iter().enumerate() {
        let borders = if index == last {
            rule("bottom", 12)
        } else {
            String::new()
        };
        out.push_str("<w:tr><w:trPr><w:cantSplit/></w:trPr>");
        match row {
            Row::Section(title) => Cell {
                width: text_width,
                span: columns,
                borders: &borders,
                style,
                right_aligned: false,
                indented: false,
            }
            .write(out, &run(title, true)),
            Row::Cells { cells, indent } => {
                for column in 0..columns {
                    let parts = cells.get(column).map_or(&[][..], Vec::as_slice);
                    Cell {
                        width: width(column),
                        span: 1,
                        borders: &borders,
                        style,
                        right_aligned: column > 0,
                        indented: column == 0 && *indent,
                    }
                    .write(out, &inline_runs(parts));
                }
            }
        }
        out.push_str("</w:tr>");
    }
    out.push_str("</w:tbl>");
    for note in &table.notes {
        paragraph(out, "TableNote", &[run(note, false)]);
    }
}

/// Widths in proportion to the longest text of each column (a header counts by its longest word, as it
/// may wrap), each between a floor and a cap, so that a p-value column does not take the room of a
/// group's summaries; summing to `text_width`.
fn column_widths(table: &Table, text_width: u32) -> Vec<u32> {
    let columns = table.columns.len().max(1);
    let mut longest: Vec<usize> = table
        .columns
        .iter()
        .map(|name| {
            name.split_whitespace()
                .map(|w| w.chars().count())
                .max()
                .unwrap_or(0)
        })
        .collect();
    longest.resize(columns, 0);
    for row in &table.rows {
        if let Row::Cells { cells, .. } = row {
            for (column, parts) in cells.iter().enumerate().take(columns) {
                let length: usize = parts
                    .iter()
                    .map(|part| part.as_text().chars().count())
                    .sum();
                longest[column] = longest[column].max(length);
            }
        }
    }
    // The label column may take up to 40 characters' worth, a value column 24, none fewer than 5;
    // each also its cell margins, about three characters.
    let weights: Vec<u32> = longest
        .iter()
        .enumerate()
        .map(|(column, &length)| length.clamp(5, if column == 0 { 40 } else { 24 }) as u32 + 3)
        .collect();
    let total: u32 = weights.iter().sum();
    let mut widths: Vec<u32> = weights.iter().map(|w| text_width * w / total).collect();
    // What rounding left over goes to the label column.
    let assigned: u32 = widths.iter().sum();
    widths[0] += text_width - assigned;
    widths
}

/// How one cell of a table is set.
struct Cell<'a> {
    width: u32,
    /// Columns spanned (a section row spans them all).
    span: usize,
    borders: &'a str,
    style: &'a str,
    right_aligned: bool,
    indented: bool,
}

impl Cell<'_> {
    fn write(&self, out: &mut String, runs: &str) {
        let _ = write!(
            out,
            r#"<w:tc><w:tcPr><w:tcW w:w="{}" w:type="dxa"/>{}{}</w:tcPr><w:p><w:pPr><w:pStyle w:val="{}"/>{}{}</w:pPr>{runs}</w:p></w:tc>"#,
            self.width,
            if self.span > 1 {
                format!(r#"<w:gridSpan w:val="{}"/>"#, self.span)
            } else {
                String::new()
            },
            if self.borders.is_empty() {
                String::new()
            } else {
                format!("<w:tcBorders>{}</w:tcBorders>", self.borders)
            },
            self.style,
            if self.indented {
                r#"<w:ind w:left="227"/>"#
            } else {
                ""
            },
            if self.right_aligned {
                r#"<w:jc w:val="right"/>"#
            } else {
                ""
            },
        );
    }
}

/// The figure as an inline picture the width of [`FIGURE_WIDTH_INCHES`], its title as alternative
/// text, then its caption.
fn figure_xml(out: &mut String, figure: &Figure, number: usize, width: u32, height: u32) {
    let cx = (FIGURE_WIDTH_INCHES * EMU_PER_INCH).round() as u64;
    let cy = (cx as f64 * f64::from(height) / f64::from(width)).round() as u64;
    let title = text(&figure.title);
    let _ = write!(
        out,
        concat!(
            r#"<w:p><w:pPr><w:pStyle w:val="Figure"/></w:pPr><w:r><w:drawing><wp:inline distT="0" distB="0" distL="0" distR="0">"#,
            r#"<wp:extent cx="{cx}" cy="{cy}"/><wp:docPr id="{number}" name="Figure {number}" descr="{title}"/>"#,
            r#"<wp:cNvGraphicFramePr><a:graphicFrameLocks noChangeAspect="1"/></wp:cNvGraphicFramePr>"#,
            r#"<a:graphic><a:graphicData uri="http://schemas.openxmlformats.org/drawingml/2006/picture"><pic:pic>"#,
            r#"<pic:nvPicPr><pic:cNvPr id="{number}" name="figure-{number}.png" descr="{title}"/><pic:cNvPicPr/></pic:nvPicPr>"#,
            r#"<pic:blipFill><a:blip r:embed="rIdImage{number}"/><a:stretch><a:fillRect/></a:stretch></pic:blipFill>"#,
            r#"<pic:spPr><a:xfrm><a:off x="0" y="0"/><a:ext cx="{cx}" cy="{cy}"/></a:xfrm><a:prstGeom prst="rect"><a:avLst/></a:prstGeom></pic:spPr>"#,
            r#"</pic:pic></a:graphicData></a:graphic></wp:inline></w:drawing></w:r></w:p>"#
        ),
        cx = cx,
        cy = cy,
        number = number,
        title = title,
    );
    paragraph(
        out,
        "FigureCaption",
        &[
            run(&figure.title, true),
            run(&format!(" {}", figure.caption), false),
        ],
    );
}
