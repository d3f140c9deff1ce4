//! The Word document of the demo, opened as Word would: the package unzipped, `word/document.xml`
//! parsed, every table compared cell by cell with the report's tables, the images decoded, the bytes
//! compared between two builds, and — with LibreOffice installed (always under CI) — the document
//! converted to PDF.

use std::collections::BTreeMap;
use std::io::{Cursor, Read};
use std::path::Path;

use hlh_docx::{report_docx, svg_to_png, to_docx, FIGURE_DPI, FIGURE_WIDTH_INCHES};
use hlh_ingest::read_study_folder;
use hlh_outcomes::{analyze, Analysis, Protocol};
use hlh_report::document::{Block, Inline, Row};
use hlh_report::{build, ReportOptions};

const W: &str = "http://schemas.openxmlformats.org/wordprocessingml/2006/main";

fn demo_analysis() -> Analysis {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../hlh-cli/demo");
    let ingested = read_study_folder(&dir);
    assert!(!ingested.has_errors(), "{:?}", ingested.diagnostics);
    let table: toml::Table = std::fs::read_to_string(dir.join("study.toml"))
        .unwrap()
        .parse()
        .unwrap();
    let protocol = Protocol::load(table.get("protocol").and_then(|p| p.as_table()), None).unwrap();
    analyze(&ingested.study, &protocol).expect("the demo analyses")
}

fn unzip(bytes: &[u8]) -> BTreeMap<String, Vec<u8>> {
    let mut archive = zip::ZipArchive::new(Cursor::new(bytes)).unwrap();
    (0..archive.len())
        .map(|i| {
            let mut file = archive.by_index(i).unwrap();
            let mut content = Vec::new();
            file.read_to_end(&mut content).unwrap();
            (file.name().to_string(), content)
        })
        .collect()
}

fn plain(parts: &[Inline]) -> String {
    parts.iter().map(Inline::as_text).collect()
}

/// The text of every cell of every table of document.xml, row by row.
fn word_tables(document_xml: &str) -> Vec<Vec<Vec<String>>> {
    let xml = roxmltree::Document::parse(document_xml).unwrap();
    xml.descendants()
        .filter(|n| n.has_tag_name((W, "tbl")))
        .map(|table| {
            table
                .children()
                .filter(|n| n.has_tag_name((W, "tr")))
                .map(|row| {
                    row.children()
                        .filter(|n| n.has_tag_name((W, "tc")))
                        .map(|cell| {
                            cell.descendants()
                                .filter(|n| n.has_tag_name((W, "t")))
                                .filter_map(|n| n.text())
                                .collect::<String>()
                        })
                        .collect()
                })
                .collect()
        })
        .collect()
}

#[test]
fn every_table_cell_is_the_reports_and_the_figures_are_300_dpi_pngs() {
    let analysis = demo_analysis();
    let options = ReportOptions::default();
    let document = build(&analysis, &options);
    let bytes = report_docx(&analysis, &options).unwrap();
    let parts = unzip(&bytes);
    for name in [
        "[Content_Types].xml",
        "_rels/.rels",
        "docProps/core.xml",
        "word/document.xml",
        "word/styles.xml",
        "word/_rels/document.xml.rels",
    ] {
        let text = std::str::from_utf8(&parts[name]).unwrap();
        roxmltree::Document::parse(text).unwrap_or_else(|e| panic!("{name}: {e}"));
    }
    let document_xml = std::str::from_utf8(&parts["word/document.xml"]).unwrap();

    // The report's tables in its order, each as rows of cell texts (a section row is one cell).
    let expected: Vec<Vec<Vec<String>>> = document
        .manuscript_blocks()
        .iter()
        .filter_map(|block| match block {
            Block::Table(table) => Some(table),
            _ => None,
        })
        .map(|table| {
            std::iter::once(table.columns.clone())
                .chain(table.rows.iter().map(|row| match row {
                    Row::Section(title) => vec![title.clone()],
                    Row::Cells { cells, .. } => cells.iter().map(|c| plain(c)).collect(),
                }))
                .collect()
        })
        .collect();
    let actual = word_tables(document_xml);
    assert_eq!(expected.len(), 11, "Tables 1, 2A–2D, 2F and 3A–3E");
    assert_eq!(actual, expected);
    // Spot checks against the analysis itself, not only the report.
    let table1 = &actual[0];
    let age = table1.iter().find(|r| r[0].starts_with("Age")).unwrap();
    assert!(age[1].starts_with("45 "), "{age:?}");
    // Table 3A's p-values are the analysis' own, row by row, and each test is named beside its p.
    let by_response = &analysis.cohort.comparisons[0];
    let table3a = actual
        .iter()
        .find(|t| t[0].iter().any(|c| c.starts_with("Responder (n =")))
        .expect("Table 3A");
    let body: Vec<&Vec<String>> = table3a[1..].iter().filter(|r| r.len() > 1).collect();
    assert_eq!(body.len(), by_response.rows.len());
    for (cells, row) in body.iter().zip(&by_response.rows) {
        let printed = &cells[cells.len() - 2];
        match row.p_value {
            Some(p) if p < 0.001 => assert_eq!(printed, "<0.001"),
            Some(p) => assert_eq!(printed, &format!("{p:.3}"), "{:?}", row.variable),
            None => assert_eq!(printed, "–"),
        }
        let test = &cells[cells.len() - 1];
        assert_eq!(row.test.is_some(), test != "none", "{:?}", row.variable);
    }
    assert!(document_xml.contains("Table 3A. By response"));
    assert!(document_xml.contains("Fisher&#39;s exact test"));
    assert!(document_xml.contains("Wilcoxon–Mann–Whitney rank-sum test"));
    assert!(
        !document_xml.contains("Case cards"),
        "the case cards stay in the HTML"
    );

    // Three rules: above and below the header, below the last row, and none between body rows.
    let xml = roxmltree::Document::parse(document_xml).unwrap();
    let first_table = xml
        .descendants()
        .find(|n| n.has_tag_name((W, "tbl")))
        .unwrap();
    let rows: Vec<_> = first_table
        .children()
        .filter(|n| n.has_tag_name((W, "tr")))
        .collect();
    let rules = |row: &roxmltree::Node, side: &str| {
        row.descendants()
            .filter(|n| {
                n.has_tag_name((W, side))
                    && n.parent().is_some_and(|p| p.has_tag_name((W, "tcBorders")))
            })
            .count()
    };
    assert!(rules(&rows[0], "top") > 0 && rules(&rows[0], "bottom") > 0);
    assert!(rows[1..rows.len() - 1]
        .iter()
        .all(|r| rules(r, "top") + rules(r, "bottom") == 0));
    assert!(rules(rows.last().unwrap(), "bottom") > 0);

    // Every figure of the report, as a PNG of 300 dpi at the figure width.
    let figures: Vec<_> = document.figures().collect();
    let images: Vec<_> = parts
        .iter()
        .filter(|(name, _)| name.starts_with("word/media/"))
        .collect();
    assert_eq!(images.len(), figures.len());
    for (name, png) in images {
        let decoder = png::Decoder::new(Cursor::new(png));
        let reader = decoder
            .read_info()
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        let info = reader.info();
        assert_eq!(
            info.width,
            (FIGURE_WIDTH_INCHES * f64::from(FIGURE_DPI)) as u32,
            "{name}"
        );
        let dims = info.pixel_dims.unwrap();
        assert_eq!(
            (dims.xppu, dims.unit),
            (11811, png::Unit::Meter),
            "{name}: 300 dpi"
        );
    }
}

#[test]
fn the_same_analysis_gives_the_same_bytes_however_many_documents_are_built() {
    let analysis = demo_analysis();
    let first = report_docx(&analysis, &ReportOptions::default()).unwrap();
    let second = report_docx(&analysis, &ReportOptions::default()).unwrap();
    assert!(first == second, "two builds in one process differ");
}

#[test]
fn suppression_applies_to_the_word_tables_as_to_the_html() {
    let analysis = demo_analysis();
    let options = ReportOptions { min_cell: 5 };
    let document = build(&analysis, &options);
    let parts = unzip(&to_docx(&document).unwrap());
    let document_xml = std::str::from_utf8(&parts["word/document.xml"]).unwrap();
    let html = hlh_report::html(&analysis, &options);
    assert!(document_xml.contains("&lt;5"));
    for table in word_tables(document_xml) {
        for row in table {
            for cell in row {
                assert!(html.contains(&hlh_report::svg::escape(&cell)), "{cell}");
            }
        }
    }
    assert!(!document_xml.contains("SYN-"), "no patient identifier");
}

/// Every character of every figure's text has a glyph in the bundled font, so a machine without
/// Helvetica drops nothing.
#[test]
fn the_bundled_font_has_every_character_the_figures_use() {
    let analysis = demo_analysis();
    let document = build(&analysis, &ReportOptions::default());
    let regular =
        ttf_parser::Face::parse(include_bytes!("../fonts/LiberationSans-Regular.ttf"), 0).unwrap();
    let mut characters: Vec<char> = Vec::new();
    for figure in document.figures() {
        let svg = roxmltree::Document::parse(&figure.svg).unwrap();
        for node in svg.descendants().filter(|n| n.has_tag_name("text")) {
            characters.extend(
                node.descendants()
                    .filter_map(|n| n.text())
                    .flat_map(str::chars),
            );
        }
    }
    characters.sort_unstable();
    characters.dedup();
    assert!(characters.len() > 30);
    let missing: Vec<char> = characters
        .into_iter()
        .filter(|&c| !c.is_whitespace() && regular.glyph_index(c).is_none())
        .collect();
    assert!(missing.is_empty(), "no glyph for {missing:?}");
    assert!(
        svg_to_png("<svg").is_err(),
        "a broken SVG is an error, not a panic"
    );
}

/// LibreOffice reads the document and lays it out as PDF pages; the pages are left under target/
/// for a look. Skips without LibreOffice unless CI is set.
#[test]
fn libreoffice_renders_the_document() {
    let Some(soffice) = ["/usr/bin/soffice", "/usr/bin/libreoffice"]
        .into_iter()
        .find(|p| Path::new(p).exists())
    else {
        assert!(
            std::env::var_os("CI").is_none(),
            "CI is set but LibreOffice is not installed (apt-get install libreoffice-writer-nogui)"
        );
        eprintln!(
            "skipped: LibreOffice is not installed (apt-get install libreoffice-writer-nogui)"
        );
        return;
    };
    let out = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target/docx-render");
    std::fs::create_dir_all(&out).unwrap();
    let docx = out.join("demo-report.docx");
    std::fs::write(
        &docx,
        report_docx(&demo_analysis(), &ReportOptions::default()).unwrap(),
    )
    .unwrap();
    let profile = tempfile::tempdir().unwrap();
    let status = std::process::Command::new(soffice)
        .arg(format!(
            "-env:UserInstallation=file://{}",
            profile.path().display()
        ))
        .args(["--headless", "--convert-to", "pdf", "--outdir"])
        .arg(&out)
        .arg(&docx)
        .status()
        .unwrap();
    assert!(status.success());
    let pdf = std::fs::read(out.join("demo-report.pdf")).unwrap();
    assert!(pdf.starts_with(b"%PDF"));
    let pages = pdf
        .windows(10)
        .filter(|w| w == b"/Type /Pag" || w == b"/Type/Page")
        .count();
    assert!(pages > 5, "{pages} pages");
}
