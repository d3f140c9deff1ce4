//! The report: the analysis laid out as a journal would — flow diagram, Table 1, Table 2, figures,
//! methods, case cards and the sources of every number — as one self-contained HTML file or as Markdown
//! with SVG files beside it.
//!
//! Invariants:
//! - The report only lays out the [`Analysis`]: every number is read from its typed cohort and the
//!   patients' endpoints; nothing is recomputed, and each linked number lists the patients the analysis
//!   counted. The one transformation is the cumulative incidence, 1 − S, of a
//!   Kaplan–Meier table, and the number at risk read from that table at the axis ticks.
//! - The same analysis and options give the same bytes (no clock, no randomness, fixed decimals).
//! - The HTML needs nothing from the network: styles and figures are inline, there is no script, and a
//!   Content-Security-Policy forbids every fetch.

mod cards;
mod comparisons;
pub mod document;
mod figures;
mod labels;
mod methods;
pub mod numbers;
mod places;
mod sources;
pub mod svg;
mod tables;

use hlh_model::Analyte;
use hlh_outcomes::suppression::{HiddenCells, MinCell};
use hlh_outcomes::{Analysis, Cohort, PatientEndpoints};

use document::{text, Block};
pub use document::{Document, Figure};
use numbers::Numbers;
use sources::Sources;

/// Above this many analysed patients the report leaves out case cards, individual lines, the swimmer
/// plot and the patient lists behind the numbers: they would run to thousands of pages. The analysis
/// JSON keeps every patient.
pub const PATIENT_LEVEL_LIMIT: usize = 200;

/// The anchors of the sections that check the analysis patient by patient (the case cards and the
/// patients behind each number): after the methods, and left out of a manuscript.
pub const REVIEW_SECTIONS: [&str; 2] = ["case-cards", "sources"];

/// What the caller may choose.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ReportOptions {
    /// Counts below this are suppressed (0 or 1: none), and patient-level content is left out.
    pub min_cell: u64,
}

/// What the builders share while laying out one report.
#[derive(Debug)]
pub(crate) struct Context<'a> {
    pub cohort: &'a Cohort,
    /// The analysed patients, in analysis order; empty when patient-level content is left out.
    pub patients: &'a [PatientEndpoints],
    pub numbers: Numbers,
    /// The cells of Table 1's partitions that suppression hides.
    pub hidden: HiddenCells,
    pub sources: Sources,
}

impl<'a> Context<'a> {
    /// How the rows behind a value are named in this report.
    pub fn rows(&self) -> places::Rows<'a> {
        places::Rows(&self.cohort.study.origins)
    }

    /// The patients at `positions` (as the cohort lists them), each with a detail; none when
    /// patient-level content is left out.
    pub fn members(
        &self,
        positions: &[usize],
        detail: impl Fn(&PatientEndpoints) -> String,
    ) -> Vec<sources::Member> {
        if self.patients.is_empty() {
            return Vec::new();
        }
        positions
            .iter()
            .map(|&patient| {
                let endpoints = &self.patients[patient];
                sources::Member {
                    patient,
                    patient_id: endpoints.patient_id.clone(),
                    detail: detail(endpoints),
                }
            })
            .collect()
    }
}

/// Lays out an analysis.
pub fn build(analysis: &Analysis, options: &ReportOptions) -> Document {
    let numbers = Numbers {
        min_cell: options.min_cell,
        total: analysis.cohort.n_patients as u64,
    };
    let patient_level = !numbers.suppressing() && analysis.patients.len() <= PATIENT_LEVEL_LIMIT;
    let cohort = &analysis.cohort;
    let mut context = Context {
        cohort,
        patients: if patient_level {
            &analysis.patients
        } else {
            &[]
        },
        numbers,
        hidden: HiddenCells::of(cohort, MinCell(options.min_cell)),
        sources: Sources::new(patient_level),
    };
    let title = cohort
        .study
        .title
        .as_deref()
        .map_or("Analysis report".to_string(), |t| {
            format!("Analysis report: {t}")
        });
    let drug = cohort.protocol.index_drug;
    let mut blocks = Vec::new();
    let heading = |level: u8, text: &str, id: &str| Block::Heading {
        level,
        text: text.into(),
        id: id.into(),
    };
    let centres = &cohort.study.centres;
    blocks.push(Block::Paragraph(vec![text(format!(
        "{} patients treated with {drug}{}. hlhkit {}, analysis schema {}.",
        numbers.count(cohort.n_patients as u64),
        if centres.is_empty() {
            String::new()
        } else {
            format!(" in {}", centres.join(", "))
        },
        cohort.hlhkit_version,
        cohort.schema,
    ))]));
    if numbers.suppressing() {
        blocks.push(Block::Paragraph(vec![text(format!(
            "For sharing outside the centre: counts below {} are suppressed, and patient-level content (case cards, individual curves, the swimmer plot, patient lists) is left out.",
            numbers.min_cell
        ))]));
    } else {
        if !patient_level {
            blocks.push(Block::Paragraph(vec![text(format!(
                "With more than {PATIENT_LEVEL_LIMIT} patients, patient-level content (case cards, individual curves, the swimmer plot, patient lists) is left out; the analysis JSON holds every patient."
            ))]));
        }
        blocks.push(heading(2, "Summary", "summary"));
        blocks.push(Block::Paragraph(vec![text(
            analysis.summary.trim().to_string(),
        )]));
    }

    let mut figure_number = 1;
    blocks.push(heading(2, "Patients", "patients"));
    blocks.push(Block::Figure(figures::flow(&context, figure_number)));
    blocks.push(Block::Table(tables::table1(&mut context)));

    blocks.push(heading(2, "Outcomes", "outcomes"));
    blocks.push(Block::Table(tables::table2_efficacy(&mut context)));
    blocks.push(Block::Table(tables::table2_sensitivity(&mut context)));
    if let Some(table) = tables::table2_inclusion(&mut context) {
        blocks.push(Block::Table(table));
    }
    blocks.push(Block::Table(tables::table2_labs(&mut context)));
    blocks.push(Block::Table(tables::table2_safety(&mut context)));
    blocks.push(Block::Table(comparisons::survival_table(&context)));
    let comparison_tables = comparisons::comparison_tables(&context);
    if !comparison_tables.is_empty() {
        blocks.push(heading(2, "Comparisons between groups", "comparisons"));
        blocks.extend(comparison_tables.into_iter().map(Block::Table));
    }

    blocks.push(heading(2, "Figures", "figures"));
    for (analyte, scale) in [
        (Analyte::Crp, figures::Axis::Linear),
        (Analyte::Ferritin, figures::Axis::Logarithmic),
        (Analyte::Temperature, figures::Axis::Linear),
    ] {
        if let Some(figure) = figures::trajectories(&context, analyte, scale, figure_number + 1) {
            figure_number += 1;
            blocks.push(Block::Figure(figure));
        }
    }
    if let Some(figure) = figures::fever_resolution(&context, figure_number + 1) {
        figure_number += 1;
        blocks.push(Block::Figure(figure));
    }
    if let Some(figure) = figures::survival(&context, figure_number + 1) {
        figure_number += 1;
        blocks.push(Block::Figure(figure));
    }
    if let Some(figure) = figures::swimmer(&context, figure_number + 1) {
        blocks.push(Block::Figure(figure));
    }

    blocks.push(heading(2, "Methods", "methods"));
    for paragraph in methods::paragraphs(cohort, numbers.min_cell) {
        blocks.push(Block::Paragraph(vec![text(paragraph)]));
    }

    if !context.patients.is_empty() {
        blocks.push(heading(2, "Case cards", REVIEW_SECTIONS[0]));
        blocks.push(Block::Paragraph(vec![text(
            "Each card shows what was derived for one patient and the lines of the study files behind it.",
        )]));
        for (index, patient) in context.patients.iter().enumerate() {
            blocks.extend(cards::card(
                index,
                patient,
                drug,
                &context.cohort.study.origins,
            ));
        }
    }
    if !context.sources.is_empty() {
        blocks.push(heading(2, "Sources of the numbers", REVIEW_SECTIONS[1]));
        blocks.push(Block::Paragraph(vec![text(
            "Each linked number of the tables lists here the patients it counts; each patient links to their case card.",
        )]));
        blocks.extend(context.sources.blocks());
    }
    Document { title, blocks }
}

/// The report as one self-contained HTML file.
pub fn html(analysis: &Analysis, options: &ReportOptions) -> String {
    document::to_html(&build(analysis, options))
}

/// The report as Markdown, and its figures as (file name, SVG) to write into `figure_folder`, which the
/// Markdown links to relatively.
pub fn markdown(
    analysis: &Analysis,
    options: &ReportOptions,
    figure_folder: &str,
) -> (String, Vec<(String, String)>) {
    let document = build(analysis, options);
    let file_name = |figure: &Figure| format!("{}.svg", figure.id);
    let text = document::to_markdown(&document, &|figure| {
        format!("{figure_folder}/{}", file_name(figure))
    });
    let figures = document
        .figures()
        .map(|f| (file_name(f), f.svg.clone()))
        .collect();
    (text, figures)
}
