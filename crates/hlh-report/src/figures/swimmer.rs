//! The swimmer plot: each patient's treatments and events on the study-day axis.

use hlh_model::EventKind;

use super::{RIGHT, WIDTH};
use crate::document::Figure;
use crate::labels;
use crate::svg::{colour, marker, tick_label, Anchor, Plot, Scale, Svg, TextStyle, TICK_FONT_SIZE};
use crate::Context;

/// One row per patient: the index-drug course and other treatments as bars, with adverse events,
/// infections, ICU stays and deaths marked.
pub fn swimmer(context: &Context, number_of_figure: usize) -> Option<Figure> {
    if context.patients.is_empty() {
        return None;
    }
    let protocol = &context.cohort.protocol;
    let drug = protocol.index_drug;
    // The axis runs from the earliest start (but no earlier than Day −30) to the last day of the record
    // (but no later than Day 180); bars beyond are cut at the edge with an arrow.
    let mut first: f64 = 0.0;
    let mut last: f64 = 14.0;
    for p in context.patients {
        for t in &p.treatments {
            first = first.min(f64::from(t.start_day));
            last = last.max(f64::from(t.end_day.unwrap_or(0)));
        }
        for e in &p.events {
            last = last.max(f64::from(e.day));
        }
        last = last.max(f64::from(p.last_followup_day.unwrap_or(0)));
    }
    let x = Scale::linear_over(first.max(-30.0), last.min(180.0), true);
    let row_height = 20.0;
    let rows = context.patients.len() as f64;
    let plot_height = rows * row_height;
    let left = 96.0;
    let plot = Plot {
        left,
        top: 12.0,
        width: WIDTH - left - RIGHT,
        height: plot_height,
        x,
        y: Scale::Linear {
            min: 0.0,
            max: rows,
        },
    };
    let mut svg = Svg::new(WIDTH, plot_height + 120.0);
    let (x_min, x_max) = x.bounds();
    let clip = |day: f64| day.clamp(x_min, x_max);
    plot.draw_x_axis(&mut svg, "Days since the first dose", true);
    let day0 = plot.x(0.0);
    svg.line(
        (day0, plot.top),
        (day0, plot.bottom()),
        colour::BLACK,
        1.0,
        Some("3 3"),
    );
    for (i, p) in context.patients.iter().enumerate() {
        let centre = plot.top + (i as f64 + 0.5) * row_height;
        let id = &p.patient_id;
        let end_of_record = p.last_followup_day.map_or(x_max, f64::from);
        let (treatments, events) = (&p.treatments, &p.events);
        svg.open(&[
            ("class", "series patient".into()),
            ("data-series", id.clone()),
            ("data-points", (treatments.len() + events.len()).to_string()),
        ]);
        svg.text(
            (left - 8.0, centre + 4.5),
            id,
            TextStyle::new(TICK_FONT_SIZE - 1.0, Anchor::End),
        );
        // ICU stays behind the bars: admission to the next discharge (or the end of the record).
        let mut admitted: Option<f64> = None;
        for e in events {
            let day = f64::from(e.day);
            match e.kind {
                EventKind::IcuAdmission => admitted = Some(day),
                EventKind::IcuDischarge => {
                    if let Some(start) = admitted.take() {
                        let (a, b) = (plot.x(clip(start)), plot.x(clip(day)));
                        svg.rect((a, centre - 9.0), (b - a, 18.0), colour::ORANGE, 0.35, None);
                    }
                }
                _ => {}
            }
        }
        if let Some(start) = admitted {
            let (a, b) = (plot.x(clip(start)), plot.x(clip(end_of_record)));
            svg.rect((a, centre - 9.0), (b - a, 18.0), colour::ORANGE, 0.35, None);
        }
        for t in treatments {
            let start = f64::from(t.start_day);
            let ongoing = t.end_day.is_none();
            let end = t.end_day.map_or(end_of_record, f64::from);
            let index_drug = t.drug == drug;
            let (colour_of_bar, height, offset) = if index_drug {
                (colour::BLUE, 8.0, -4.0)
            } else if t.drug.is_corticosteroid() {
                (colour::BLUISH_GREEN, 4.0, 4.5)
            } else if protocol.hlh_directed_drugs.contains(&t.drug) {
                (colour::REDDISH_PURPLE, 4.0, 4.5)
            } else {
                continue;
            };
            // A course of one day still shows: it spans that whole day.
            let (a, b) = (plot.x(clip(start)), plot.x(clip(end + 1.0)));
            svg.rect(
                (a, centre + offset - height / 2.0),
                (b - a, height),
                colour_of_bar,
                1.0,
                None,
            );
            if ongoing && index_drug {
                svg.path(
                    &format!(
                        "M{b:.2} {:.2}L{:.2} {:.2}L{b:.2} {:.2}Z",
                        centre - 9.0,
                        b + 8.0,
                        centre - 4.0,
                        centre + 1.0
                    ),
                    colour::BLUE,
                    None,
                );
            }
        }
        for e in events {
            let day = f64::from(e.day);
            let at = (plot.x(clip(day + 0.5)), centre - 2.0);
            match e.kind {
                EventKind::AdverseEvent => {
                    let stopped = e.led_to_discontinuation == Some(true);
                    svg.path(
                        &marker::triangle(at, 5.5),
                        if stopped {
                            colour::VERMILLION
                        } else {
                            "#FFFFFF"
                        },
                        Some((colour::VERMILLION, 1.5)),
                    );
                }
                EventKind::Infection => svg.path(
                    &marker::diamond(at, 5.5),
                    colour::SKY_BLUE,
                    Some((colour::BLACK, 1.0)),
                ),
                EventKind::Death => {
                    svg.path(&marker::cross(at, 5.0), "none", Some((colour::BLACK, 2.4)))
                }
                _ => {}
            }
        }
        svg.close();
    }
    // Legend below the x-axis title, in two lines.
    let legend_y = plot.bottom() + 68.0;
    svg.open(&[("class", "legend".into())]);
    let entries_first: [(&str, &str); 3] = [
        (colour::BLUE, drug.name()),
        (colour::BLUISH_GREEN, "corticosteroid"),
        (colour::REDDISH_PURPLE, "other HLH-directed drug"),
    ];
    let mut lx = 8.0;
    for (fill, name) in entries_first {
        svg.rect((lx, legend_y - 9.0), (22.0, 8.0), fill, 1.0, None);
        svg.text(
            (lx + 28.0, legend_y),
            &labels::capitalised(name),
            TextStyle::new(TICK_FONT_SIZE, Anchor::Start),
        );
        lx += 40.0 + 7.5 * name.len() as f64;
    }
    svg.rect(
        (lx, legend_y - 11.0),
        (22.0, 14.0),
        colour::ORANGE,
        0.35,
        None,
    );
    svg.text(
        (lx + 28.0, legend_y),
        "ICU stay",
        TextStyle::new(TICK_FONT_SIZE, Anchor::Start),
    );
    let second = legend_y + 22.0;
    svg.path(
        &marker::triangle((14.0, second - 4.0), 5.5),
        "#FFFFFF",
        Some((colour::VERMILLION, 1.5)),
    );
    svg.text(
        (26.0, second),
        "Adverse event",
        TextStyle::new(TICK_FONT_SIZE, Anchor::Start),
    );
    svg.path(
        &marker::triangle((134.0, second - 4.0), 5.5),
        colour::VERMILLION,
        Some((colour::VERMILLION, 1.5)),
    );
    svg.text(
        (146.0, second),
        &format!("Adverse event stopping {drug}"),
        TextStyle::new(TICK_FONT_SIZE, Anchor::Start),
    );
    svg.path(
        &marker::diamond((356.0, second - 4.0), 5.5),
        colour::SKY_BLUE,
        Some((colour::BLACK, 1.0)),
    );
    svg.text(
        (368.0, second),
        "Infection",
        TextStyle::new(TICK_FONT_SIZE, Anchor::Start),
    );
    svg.path(
        &marker::cross((450.0, second - 4.0), 5.0),
        "none",
        Some((colour::BLACK, 2.4)),
    );
    svg.text(
        (462.0, second),
        "Death",
        TextStyle::new(TICK_FONT_SIZE, Anchor::Start),
    );
    svg.close();
    Some(Figure {
        id: format!("figure-{number_of_figure}-swimmer"),
        title: format!("Figure {number_of_figure}. Treatments and events of each patient."),
        caption: format!(
            "One row per patient. Bars: {drug} (thick) and other HLH-directed drugs (thin), from the first to the last day given; an arrow marks a course still running at the end of the record. The axis is cut at Day {} and Day {}.",
            tick_label(x_min),
            tick_label(x_max)
        ),
        svg: svg.finish("Treatments and events of each patient", "Swimmer plot of treatments with adverse events, infections, ICU stays and deaths"),
    })
}
