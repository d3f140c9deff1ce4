//! The report as a sequence of blocks (headings, paragraphs, tables, figures), written out as HTML or
//! Markdown. Both formats render the same blocks, so they carry the same numbers.

use std::fmt::Write;

use crate::svg::escape;

/// A run of text, or a link to a place in the report (a source list, a case card).
#[derive(Debug, Clone, PartialEq)]
pub enum Inline {
    Text(String),
    Link { text: String, target: String },
}

impl Inline {
    /// What it reads, without its link.
    pub fn as_text(&self) -> &str {
        match self {
            Inline::Text(text) | Inline::Link { text, .. } => text,
        }
    }
}

pub fn text(value: impl Into<String>) -> Inline {
    Inline::Text(value.into())
}

/// Text linking to an anchor of the report, or plain text when there is nowhere to link.
pub fn linked(value: impl Into<String>, target: Option<String>) -> Inline {
    match target {
        Some(target) => Inline::Link {
            text: value.into(),
            target,
        },
        None => Inline::Text(value.into()),
    }
}

/// A row of a table: a section heading spanning the table, or cells (the first one the row's label).
#[derive(Debug, Clone, PartialEq)]
pub enum Row {
    Section(String),
    Cells {
        cells: Vec<Vec<Inline>>,
        indent: bool,
    },
}

#[derive(Debug, Clone, PartialEq)]
pub struct Table {
    pub id: String,
    pub caption: String,
    pub columns: Vec<String>,
    pub rows: Vec<Row>,
    pub notes: Vec<String>,
}

impl Table {
    pub fn new(id: &str, caption: &str, columns: &[&str]) -> Table {
        Table {
            id: id.into(),
            caption: caption.into(),
            columns: columns.iter().map(|c| c.to_string()).collect(),
            rows: Vec::new(),
            notes: Vec::new(),
        }
    }

    pub fn section(&mut self, title: &str) {
        self.rows.push(Row::Section(title.into()));
    }

    /// A row whose label is plain text; `indent` sets it under the section above.
    pub fn row(&mut self, label: &str, indent: bool, cells: Vec<Vec<Inline>>) {
        let mut all = vec![vec![text(label)]];
        all.extend(cells);
        self.rows.push(Row::Cells { cells: all, indent });
    }
}

/// An SVG figure with its number, title and caption.
#[derive(Debug, Clone, PartialEq)]
pub struct Figure {
    /// File stem and anchor: `figure-1-crp`.
    pub id: String,
    pub title: String,
    pub caption: String,
    pub svg: String,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Block {
    Heading {
        level: u8,
        text: String,
        id: String,
    },
    Paragraph(Vec<Inline>),
    Table(Table),
    Figure(Figure),
    List {
        id: Option<String>,
        items: Vec<Vec<Inline>>,
    },
    /// A box around a patient's case card, opened and closed around its blocks.
    CardStart {
        id: String,
    },
    CardEnd,
}

/// The whole report.
#[derive(Debug, Clone, PartialEq)]
pub struct Document {
    pub title: String,
    pub blocks: Vec<Block>,
}

impl Document {
    pub fn figures(&self) -> impl Iterator<Item = &Figure> {
        self.blocks.iter().filter_map(|b| match b {
            Block::Figure(f) => Some(f),
            _ => None,
        })
    }

    /// The blocks a manuscript carries: all before the first of [`crate::REVIEW_SECTIONS`].
    pub fn manuscript_blocks(&self) -> &[Block] {
        let end = self
            .blocks
            .iter()
            .position(|block| {
                matches!(block, Block::Heading { id, .. } if crate::REVIEW_SECTIONS.contains(&id.as_str()))
            })
            .unwrap_or(self.blocks.len());
        &self.blocks[..end]
    }

    pub fn tables(&self) -> impl Iterator<Item = &Table> {
        self.blocks.iter().filter_map(|b| match b {
            Block::Table(t) => Some(t),
            _ => None,
        })
    }
}

const STYLE: &str = "body{font-family:Helvetica,Arial,'Liberation Sans',sans-serif;color:#1a1a1a;max-width:60rem;margin:2rem auto;padding:0 1.25rem;line-height:1.45;font-size:15px}\
h1{font-size:1.6rem;margin-bottom:.2rem}h2{font-size:1.25rem;margin-top:2.2rem;border-bottom:1px solid #ccc;padding-bottom:.2rem}h3{font-size:1.05rem;margin-top:1.4rem}\
table{border-collapse:collapse;margin:.6rem 0 1.4rem;font-size:.9rem;width:100%}caption{text-align:left;font-weight:bold;padding-bottom:.4rem}\
th,td{padding:.25rem .5rem;text-align:left;vertical-align:top}thead th{border-top:2px solid #1a1a1a;border-bottom:1px solid #1a1a1a}\
tbody tr:last-child td{border-bottom:2px solid #1a1a1a}td.section{font-weight:bold;padding-top:.6rem}td.indent{padding-left:1.6rem}\
td+td,th+th{text-align:right}.table-notes{font-size:.82rem;color:#444;margin-top:-1rem}\
figure{margin:1.2rem 0 2rem}figure svg{max-width:100%;height:auto}figcaption{font-size:.88rem;color:#333}\
a{color:#0b5a91}a.source{text-decoration:none;border-bottom:1px dotted #0b5a91}\
.card{border:1px solid #bbb;border-radius:4px;padding:.2rem 1rem .6rem;margin:1.2rem 0}.card table{width:auto;min-width:60%}.card td+td,.card th+th{text-align:left}\
ul.sources{font-size:.85rem}.banner{background:#fff4d6;border:1px solid #e0b84b;padding:.5rem .8rem;border-radius:4px}\
@media print{.card{break-inside:avoid}figure{break-inside:avoid}}";

/// Forbids every fetch: the report must read offline, and a request would be a defect.
const CONTENT_SECURITY_POLICY: &str =
    "default-src 'none'; style-src 'unsafe-inline'; img-src data:";

fn inline_html(parts: &[Inline]) -> String {
    let mut out = String::new();
    for part in parts {
        match part {
            Inline::Text(t) => out.push_str(&escape(t)),
            Inline::Link { text, target } => {
                let _ = write!(
                    out,
                    "<a class=\"source\" href=\"#{}\">{}</a>",
                    escape(target),
                    escape(text)
                );
            }
        }
    }
    out
}

/// One self-contained HTML file: styles inline, figures inline as SVG, no script, no external resource.
pub fn to_html(document: &Document) -> String {
    let mut out = String::new();
    let _ = write!(
        out,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta http-equiv=\"Content-Security-Policy\" content=\"{CONTENT_SECURITY_POLICY}\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>{0}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n<h1>{0}</h1>\n",
        escape(&document.title)
    );
    for block in &document.blocks {
        match block {
            Block::Heading { level, text, id } => {
                let _ = writeln!(
                    out,
                    "<h{level} id=\"{}\">{}</h{level}>",
                    escape(id),
                    escape(text)
                );
            }
            Block::Paragraph(parts) => {
                let _ = writeln!(out, "<p>{}</p>", inline_html(parts));
            }
            Block::List { id, items } => {
                let id = id
                    .as_ref()
                    .map_or(String::new(), |id| format!(" id=\"{}\"", escape(id)));
                let _ = write!(out, "<ul class=\"sources\"{id}>");
                for item in items {
                    let _ = write!(out, "<li>{}</li>", inline_html(item));
                }
                out.push_str("</ul>\n");
            }
            Block::Table(table) => table_html(&mut out, table),
            Block::Figure(figure) => {
                let _ = writeln!(
                    out,
                    "<figure id=\"{}\">\n{}\n<figcaption><b>{}</b> {}</figcaption>\n</figure>",
                    escape(&figure.id),
                    figure.svg,
                    escape(&figure.title),
                    escape(&figure.caption)
                );
            }
            Block::CardStart { id } => {
                let _ = writeln!(out, "<section class=\"card\" id=\"{}\">", escape(id));
            }
            Block::CardEnd => out.push_str("</section>\n"),
        }
    }
    out.push_str("</body>\n</html>\n");
    out
}

fn table_html(out: &mut String, table: &Table) {
    let _ = write!(
        out,
        "<table id=\"{}\">\n<caption>{}</caption>\n<thead><tr>",
        escape(&table.id),
        escape(&table.caption)
    );
    for column in &table.columns {
        let _ = write!(out, "<th scope=\"col\">{}</th>", escape(column));
    }
    out.push_str("</tr></thead>\n<tbody>\n");
    for row in &table.rows {
        match row {
            Row::Section(title) => {
                let _ = writeln!(
                    out,
                    "<tr><td class=\"section\" colspan=\"{}\">{}</td></tr>",
                    table.columns.len(),
                    escape(title)
                );
            }
            Row::Cells { cells, indent } => {
                out.push_str("<tr>");
                for (i, cell) in cells.iter().enumerate() {
                    let class = if i == 0 && *indent {
                        " class=\"indent\""
                    } else {
                        ""
                    };
                    let _ = write!(out, "<td{class}>{}</td>", inline_html(cell));
                }
                out.push_str("</tr>\n");
            }
        }
    }
    out.push_str("</tbody>\n</table>\n");
    if !table.notes.is_empty() {
        let _ = writeln!(
            out,
            "<p class=\"table-notes\">{}</p>",
            escape(&table.notes.join(" "))
        );
    }
}

/// Markdown text for table cells and paragraphs: pipes and markup characters escaped.
fn markdown_escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if matches!(
            c,
            '|' | '*' | '_' | '[' | ']' | '<' | '>' | '`' | '\\' | '#'
        ) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

fn inline_markdown(parts: &[Inline]) -> String {
    parts
        .iter()
        .map(|part| match part {
            Inline::Text(t) => markdown_escape(t),
            Inline::Link { text, target } => format!("[{}](#{target})", markdown_escape(text)),
        })
        .collect()
}

/// Markdown with the figures as files beside it; `figure_path` names a figure's file as linked.
pub fn to_markdown(document: &Document, figure_path: &dyn Fn(&Figure) -> String) -> String {
    let mut out = format!("# {}\n\n", markdown_escape(&document.title));
    for block in &document.blocks {
        match block {
            Block::Heading { level, text, id } => {
                let _ = write!(
                    out,
                    "<a id=\"{id}\"></a>\n\n{} {}\n\n",
                    "#".repeat(usize::from(*level)),
                    markdown_escape(text)
                );
            }
            Block::Paragraph(parts) => {
                let _ = write!(out, "{}\n\n", inline_markdown(parts));
            }
            Block::List { id, items } => {
                if let Some(id) = id {
                    let _ = write!(out, "<a id=\"{id}\"></a>\n\n");
                }
                for item in items {
                    let _ = writeln!(out, "- {}", inline_markdown(item));
                }
                out.push('\n');
            }
            Block::Table(table) => out.push_str(&table_markdown(table)),
            Block::Figure(figure) => {
                let _ = write!(
                    out,
                    "<a id=\"{}\"></a>\n\n![{}]({})\n\n**{}** {}\n\n",
                    figure.id,
                    markdown_escape(&figure.title),
                    figure_path(figure),
                    markdown_escape(&figure.title),
                    markdown_escape(&figure.caption)
                );
            }
            Block::CardStart { id } => {
                let _ = write!(out, "<a id=\"{id}\"></a>\n\n");
            }
            Block::CardEnd => out.push_str("---\n\n"),
        }
    }
    out
}

/// A table as a Markdown pipe table, its caption above and its notes below.
pub fn table_markdown(table: &Table) -> String {
    let mut out = format!(
        "<a id=\"{}\"></a>\n\n**{}**\n\n",
        table.id,
        markdown_escape(&table.caption)
    );
    let _ = writeln!(
        out,
        "| {} |",
        table
            .columns
            .iter()
            .map(|c| markdown_escape(c))
            .collect::<Vec<_>>()
            .join(" | ")
    );
    let _ = writeln!(
        out,
        "|{}|",
        (0..table.columns.len())
            .map(|i| if i == 0 { " --- " } else { " ---: " })
            .collect::<Vec<_>>()
            .join("|")
    );
    for row in &table.rows {
        match row {
            Row::Section(title) => {
                let mut cells = vec![format!("**{}**", markdown_escape(title))];
                cells.extend((1..table.columns.len()).map(|_| String::new()));
                let _ = writeln!(out, "| {} |", cells.join(" | "));
            }
            Row::Cells { cells, indent } => {
                let rendered: Vec<String> = cells
                    .iter()
                    .enumerate()
                    .map(|(i, cell)| {
                        let text = inline_markdown(cell);
                        if i == 0 && *indent {
                            format!("\u{2003}{text}")
                        } else {
                            text
                        }
                    })
                    .collect();
                let _ = writeln!(out, "| {} |", rendered.join(" | "));
            }
        }
    }
    out.push('\n');
    if !table.notes.is_empty() {
        let _ = write!(out, "{}\n\n", markdown_escape(&table.notes.join(" ")));
    }
    out
}
