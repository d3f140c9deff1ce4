//! Figure 1: the flow of patients from the study to the analyses.

use super::WIDTH;
use crate::document::Figure;
use crate::labels;
use crate::svg::{colour, Anchor, Svg, TextStyle, TICK_FONT_SIZE};
use crate::Context;

/// Figure 1: the flow of patients from the study to the analyses.
pub fn flow(context: &Context, number_of_figure: usize) -> Figure {
    let cohort = context.cohort;
    let numbers = &context.numbers;
    let drug = cohort.protocol.index_drug;
    let attrition = &cohort.attrition;
    let in_study = attrition.first().map_or(0, |s| s.remaining as u64);
    let analysed = cohort.n_patients as u64;
    let fever = &cohort.outcomes.fever_resolution;
    let response = &cohort.outcomes.response;
    let mut svg = Svg::new(WIDTH, 0.0);
    let centre = 230.0;
    let box_width = 300.0;
    let node = |svg: &mut Svg, x: f64, y: f64, w: f64, lines: &[String], class: &str| {
        let height = 16.0 + 18.0 * lines.len() as f64;
        svg.open(&[("class", format!("node {class}"))]);
        svg.rect(
            (x - w / 2.0, y),
            (w, height),
            "#FFFFFF",
            1.0,
            Some(colour::BLACK),
        );
        for (i, line) in lines.iter().enumerate() {
            svg.text((x, y + 22.0 + 18.0 * i as f64), line, {
                let style = TextStyle::new(TICK_FONT_SIZE + 1.0, Anchor::Middle);
                if i == 0 {
                    style.bold()
                } else {
                    style
                }
            });
        }
        svg.close();
        y + height
    };
    let arrow = |svg: &mut Svg, from: (f64, f64), to: (f64, f64)| {
        svg.line(from, to, colour::BLACK, 1.4, None);
        let (x, y) = to;
        if (from.0 - to.0).abs() < 1e-9 {
            svg.path(
                &format!("M{x} {y}L{} {}L{} {}Z", x - 5.0, y - 9.0, x + 5.0, y - 9.0),
                colour::BLACK,
                None,
            );
        } else {
            svg.path(
                &format!("M{x} {y}L{} {}L{} {}Z", x - 9.0, y - 5.0, x - 9.0, y + 5.0),
                colour::BLACK,
                None,
            );
        }
    };
    let top = node(
        &mut svg,
        centre,
        12.0,
        box_width,
        &[
            "Patients in the study".into(),
            format!("n = {}", numbers.count(in_study)),
        ],
        "screened",
    );
    let mut y = top;
    for step in attrition.iter().skip(1) {
        let excluded = step.excluded as u64;
        let reason = step.reason.as_deref().unwrap_or("excluded");
        let mid = y + 38.0;
        svg.line((centre, y), (centre, mid), colour::BLACK, 1.4, None);
        arrow(&mut svg, (centre, mid), (400.0, mid));
        node(
            &mut svg,
            530.0,
            mid - 26.0,
            260.0,
            &[
                format!("Excluded, n = {}", numbers.count(excluded)),
                labels::capitalised(reason),
            ],
            "excluded",
        );
        y = mid + 40.0;
        arrow(&mut svg, (centre, mid), (centre, y));
    }
    let bottom = node(
        &mut svg,
        centre,
        y,
        box_width,
        &[
            format!("Analysed: treated with {drug}"),
            format!("n = {}", numbers.count(analysed)),
        ],
        "analysed",
    );
    let split = bottom + 30.0;
    let (left_box, right_box) = (180.0, 500.0);
    svg.line((centre, bottom), (centre, split), colour::BLACK, 1.4, None);
    svg.line(
        (left_box, split),
        (right_box, split),
        colour::BLACK,
        1.4,
        None,
    );
    arrow(&mut svg, (left_box, split), (left_box, split + 24.0));
    arrow(&mut svg, (right_box, split), (right_box, split + 24.0));
    node(
        &mut svg,
        left_box,
        split + 24.0,
        280.0,
        &[
            "Fever resolution".into(),
            format!(
                "febrile at baseline, n = {}",
                numbers.count(fever.febrile_at_baseline.count())
            ),
        ],
        "fever",
    );
    let end = node(
        &mut svg,
        right_box,
        split + 24.0,
        280.0,
        &[
            "Response".into(),
            format!(
                "judged, n = {}; unknown, n = {}",
                numbers.count(response.responders.n),
                numbers.count(response.unknown.count())
            ),
        ],
        "response",
    );
    svg.set_height(end + 12.0);
    Figure {
        id: format!("figure-{number_of_figure}-flow"),
        title: format!("Figure {number_of_figure}. Flow of patients."),
        caption: format!("From the patients of the study to those analysed (exposed to {drug}), and the denominators of fever resolution and response."),
        svg: svg.finish("Flow of patients", "Flow diagram: patients in the study, excluded with reasons, analysed"),
    }
}
