//! The figures, drawn with the crate's own SVG writer (see ARCHITECTURE.md for why): the flow diagram,
//! individual trajectories with the cohort median, the cumulative incidence of fever resolution with
//! its number-at-risk table, and the swimmer plot.
//!
//! Every series is a `<g class="series">` with `data-series` and `data-points`, and every axis a
//! `<g class="axis">` with its scale and range, so that tests can check a figure's structure.

use hlh_model::{Analyte, EventKind};

use crate::document::Figure;
use crate::labels;
use crate::numbers::{number, whole};
use crate::svg::{colour, marker, tick_label, Plot, Scale, Svg, TICK_FONT_SIZE};
use crate::Context;

/// The value axis of a trajectory figure.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Axis {
    Linear,
    /// For values spanning decades (ferritin).
    Logarithmic,
}

const WIDTH: f64 = 680.0;
const LEFT: f64 = 86.0;
const RIGHT: f64 = 24.0;

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
            svg.text(
                (x, y + 22.0 + 18.0 * i as f64),
                line,
                TICK_FONT_SIZE + 1.0,
                "middle",
                (i == 0).then_some("bold"),
                false,
            );
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

/// Individual daily values of one analyte (patients' lines) with the cohort's daily median and IQR.
pub fn trajectories(
    context: &Context,
    analyte: Analyte,
    axis: Axis,
    number_of_figure: usize,
) -> Option<Figure> {
    let cohort_series = &context.cohort.outcomes.trajectories;
    let summary = cohort_series.analytes.get(&analyte)?;
    let days = &summary.days;
    if days.is_empty() {
        return None;
    }
    let first_day = f64::from(cohort_series.first_day);
    let last_day = f64::from(cohort_series.last_day);
    let unit = hlh_model::units::printed(summary.unit);
    let individuals: Vec<(&str, Vec<(f64, f64)>)> = context
        .patients
        .iter()
        .filter_map(|p| {
            let values = p.trajectories.get(&analyte)?;
            let points = values.iter().map(|d| (f64::from(d.day), d.value)).collect();
            Some((p.patient_id.as_str(), points))
        })
        .collect();
    let all_values = individuals
        .iter()
        .flat_map(|(_, points)| points.iter().map(|p| p.1))
        .chain(days.iter().flat_map(|d| [d.q1, d.q3, d.median]).flatten());
    let (low, high) = all_values.fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), v| {
        (lo.min(v), hi.max(v))
    });
    let y = if axis == Axis::Logarithmic {
        let smallest_positive = individuals
            .iter()
            .flat_map(|(_, points)| points.iter().map(|p| p.1))
            .chain(days.iter().filter_map(|d| d.q1))
            .filter(|v| *v > 0.0)
            .fold(f64::INFINITY, f64::min);
        Scale::log_over(smallest_positive, high)
    } else if analyte == Analyte::Temperature {
        Scale::linear_over(low.min(36.0), high.max(40.0), false)
    } else {
        Scale::linear_over(low, high, true)
    };
    let plot = Plot {
        left: LEFT,
        top: 20.0,
        width: WIDTH - LEFT - RIGHT,
        height: 300.0,
        x: Scale::Linear {
            min: first_day,
            max: last_day,
        },
        y,
    };
    let mut svg = Svg::new(WIDTH, 420.0);
    let name = analyte.label();
    plot.draw_axes(
        &mut svg,
        "Days since the first dose",
        &format!("{name} ({unit})"),
        &|v| tick_label(v),
    );
    if analyte == Analyte::Temperature {
        let threshold = context.cohort.protocol.fever_threshold_celsius;
        let at = plot.y(threshold);
        svg.line(
            (plot.left, at),
            (plot.left + plot.width, at),
            colour::VERMILLION,
            1.4,
            Some("6 4"),
        );
        svg.text(
            (plot.left + plot.width - 4.0, at - 6.0),
            &format!("fever threshold {} °C", number(threshold)),
            TICK_FONT_SIZE - 1.0,
            "end",
            None,
            false,
        );
    }
    // The IQR band and the median, drawn from the analysis' daily summaries, on the days measured in
    // enough patients: a median of the one or two patients measured on an off-schedule day would draw
    // a jump that is not the cohort's.
    let min_patients = median_min_patients(context);
    let days: Vec<_> = days.iter().filter(|d| d.n as u64 >= min_patients).collect();
    let band_days: Vec<_> = days
        .iter()
        .copied()
        .filter(|d| d.q1.is_some_and(|v| plot.y.can_place(v)))
        .collect();
    let mut band: Vec<(f64, f64)> = band_days
        .iter()
        .filter_map(|d| Some(plot.point(f64::from(d.day), d.q3?)))
        .collect();
    band.extend(
        band_days
            .iter()
            .rev()
            .filter_map(|d| Some(plot.point(f64::from(d.day), d.q1?))),
    );
    svg.open(&[("class", "band iqr".into())]);
    svg.polygon(&band, colour::SKY_BLUE, 0.28);
    svg.close();
    let mut drawn_individuals = 0;
    for (patient, points) in &individuals {
        let placed: Vec<(f64, f64)> = points
            .iter()
            .filter(|(_, v)| plot.y.can_place(*v))
            .map(|&(d, v)| plot.point(d, v))
            .collect();
        svg.open(&[
            ("class", "series individual".into()),
            ("data-series", patient.to_string()),
            ("data-points", placed.len().to_string()),
        ]);
        svg.polyline(&placed, colour::INDIVIDUAL, 1.1, 0.75);
        for point in &placed {
            svg.circle(*point, 2.2, colour::INDIVIDUAL, 0.9);
        }
        svg.close();
        drawn_individuals += 1;
    }
    let median: Vec<(f64, f64)> = days
        .iter()
        .filter_map(|d| Some((f64::from(d.day), d.median?)))
        .filter(|(_, v)| plot.y.can_place(*v))
        .map(|(d, v)| plot.point(d, v))
        .collect();
    svg.open(&[
        ("class", "series median".into()),
        ("data-series", "median".into()),
        ("data-points", median.len().to_string()),
    ]);
    svg.polyline(&median, colour::BLUE, 3.0, 1.0);
    for point in &median {
        svg.circle(*point, 3.5, colour::BLUE, 1.0);
    }
    svg.close();
    // Legend, under the x-axis title.
    let legend_y = 402.0;
    svg.open(&[("class", "legend".into())]);
    let mut x = LEFT;
    if drawn_individuals > 0 {
        svg.line(
            (x, legend_y - 4.0),
            (x + 26.0, legend_y - 4.0),
            colour::INDIVIDUAL,
            1.6,
            None,
        );
        svg.text(
            (x + 32.0, legend_y),
            "Individual patients",
            TICK_FONT_SIZE,
            "start",
            None,
            false,
        );
        x += 175.0;
    }
    svg.line(
        (x, legend_y - 4.0),
        (x + 26.0, legend_y - 4.0),
        colour::BLUE,
        3.0,
        None,
    );
    svg.text(
        (x + 32.0, legend_y),
        "Median",
        TICK_FONT_SIZE,
        "start",
        None,
        false,
    );
    x += 100.0;
    svg.rect(
        (x, legend_y - 11.0),
        (26.0, 12.0),
        colour::SKY_BLUE,
        0.28,
        None,
    );
    svg.text(
        (x + 32.0, legend_y),
        "Interquartile range",
        TICK_FONT_SIZE,
        "start",
        None,
        false,
    );
    svg.close();
    let scale_note = match axis {
        Axis::Logarithmic => " Logarithmic scale.",
        Axis::Linear => "",
    };
    let who = if drawn_individuals > 0 {
        format!("Thin grey lines: the {drawn_individuals} patients with a value (worst value of each day).")
    } else {
        "Individual patients are not drawn (patient-level content is left out of this report)."
            .to_string()
    };
    Some(Figure {
        id: format!("figure-{number_of_figure}-{analyte}"),
        title: format!("Figure {number_of_figure}. {name} from Day {} to Day {}.", tick_label(first_day), tick_label(last_day)),
        caption: format!("{who} Thick blue line and band: the median and interquartile range of the patients with a value that day, on the days with values from at least {min_patients} patients.{scale_note}"),
        svg: svg.finish(&format!("{name} from Day {first_day} to Day {last_day}"), &format!("Individual {name} values and their median, by day since the first dose")),
    })
}

/// Daily medians are drawn on days measured in at least a quarter of the analysed patients (and at
/// least 3).
fn median_min_patients(context: &Context) -> u64 {
    let n = context.cohort.n_patients as u64;
    n.div_ceil(4).max(3)
}

/// Cumulative incidence of fever resolution (1 − Kaplan–Meier) among the febrile, its confidence band,
/// censoring marks and an aligned number-at-risk table.
pub fn fever_resolution(context: &Context, number_of_figure: usize) -> Option<Figure> {
    let km = &context.cohort.outcomes.fever_resolution.km;
    let table = &km.table;
    if table.is_empty() {
        return None;
    }
    let last_time = table.iter().map(|r| r.time).fold(0.0, f64::max);
    let plot = Plot {
        left: LEFT,
        top: 20.0,
        width: WIDTH - LEFT - RIGHT,
        height: 280.0,
        x: Scale::linear_over(0.0, last_time.max(7.0), true),
        y: Scale::Linear { min: 0.0, max: 1.0 },
    };
    let mut svg = Svg::new(WIDTH, 404.0);
    plot.draw_axes(
        &mut svg,
        "Days since the first dose",
        "Fever resolved (%)",
        &|v| format!("{:.0}", v * 100.0),
    );
    // Steps of 1 − S and of its interval, from (0, 0).
    let mut curve = vec![plot.point(0.0, 0.0)];
    let mut upper_band = vec![plot.point(0.0, 0.0)];
    let mut lower_band = vec![plot.point(0.0, 0.0)];
    let mut censored = Vec::new();
    let (mut level, mut band) = (0.0, (0.0, 0.0));
    let mut steps = 0;
    for row in table {
        let time = row.time;
        let incidence = 1.0 - row.survival;
        if (incidence - level).abs() > 0.0 {
            curve.push(plot.point(time, level));
            curve.push(plot.point(time, incidence));
            level = incidence;
            steps += 1;
        }
        // The interval of 1 − S is [1 − upper, 1 − lower]; where S's bounds are null, carry the last.
        let next_band = match (row.lower, row.upper) {
            (Some(lower), Some(upper)) => (1.0 - upper, 1.0 - lower),
            _ => band,
        };
        lower_band.push(plot.point(time, band.0));
        lower_band.push(plot.point(time, next_band.0));
        upper_band.push(plot.point(time, band.1));
        upper_band.push(plot.point(time, next_band.1));
        band = next_band;
        if row.n_censor > 0 {
            censored.push(plot.point(time, level));
        }
    }
    let end = plot.x.bounds().1;
    curve.push(plot.point(end.min(last_time), level));
    lower_band.push(plot.point(last_time, band.0));
    upper_band.push(plot.point(last_time, band.1));
    let mut polygon = upper_band.clone();
    polygon.extend(lower_band.iter().rev());
    svg.open(&[("class", "band ci".into())]);
    svg.polygon(&polygon, colour::BLUE, 0.15);
    svg.close();
    svg.open(&[
        ("class", "series cumulative-incidence".into()),
        ("data-series", "cumulative incidence".into()),
        ("data-points", steps.to_string()),
    ]);
    svg.polyline(&curve, colour::BLUE, 2.4, 1.0);
    svg.close();
    svg.open(&[
        ("class", "series censored".into()),
        ("data-series", "censored".into()),
        ("data-points", censored.len().to_string()),
    ]);
    for &(x, y) in &censored {
        svg.line((x, y - 6.0), (x, y + 6.0), colour::BLACK, 1.4, None);
    }
    svg.close();
    // Legend inside the plot, lower right, away from the rising curve.
    svg.open(&[("class", "legend".into())]);
    let (lx, ly) = (plot.left + plot.width - 210.0, plot.bottom() - 62.0);
    svg.line((lx, ly), (lx + 26.0, ly), colour::BLUE, 2.4, None);
    svg.text(
        (lx + 32.0, ly + 4.5),
        "Cumulative incidence",
        TICK_FONT_SIZE,
        "start",
        None,
        false,
    );
    svg.rect((lx, ly + 14.0), (26.0, 12.0), colour::BLUE, 0.15, None);
    let conf = context.cohort.protocol.km_conf_type.name();
    svg.text(
        (lx + 32.0, ly + 24.5),
        &format!("95% CI ({conf})"),
        TICK_FONT_SIZE,
        "start",
        None,
        false,
    );
    svg.line(
        (lx + 13.0, ly + 34.0),
        (lx + 13.0, ly + 46.0),
        colour::BLACK,
        1.4,
        None,
    );
    svg.text(
        (lx + 32.0, ly + 44.5),
        "Censored",
        TICK_FONT_SIZE,
        "start",
        None,
        false,
    );
    svg.close();
    // Number at risk at each tick: the n_risk of the first row at or after the tick (0 past the last).
    let table_top = plot.bottom() + 72.0;
    svg.text(
        (8.0, table_top),
        "Number at risk",
        TICK_FONT_SIZE,
        "start",
        Some("bold"),
        false,
    );
    let ticks = plot.x.ticks();
    svg.open(&[
        ("class", "at-risk".into()),
        ("data-points", ticks.len().to_string()),
    ]);
    for tick in ticks {
        let at_risk = table
            .iter()
            .find(|r| r.time >= tick)
            .map_or(0, |r| r.n_risk);
        svg.text(
            (plot.x(tick), table_top + 22.0),
            &if context.numbers.is_suppressed(at_risk) {
                context.numbers.count(at_risk)
            } else {
                tick_label(at_risk as f64)
            },
            TICK_FONT_SIZE,
            "middle",
            None,
            false,
        );
    }
    svg.close();
    Some(Figure {
        id: format!("figure-{number_of_figure}-fever-resolution"),
        title: format!("Figure {number_of_figure}. Time to fever resolution among the patients febrile at baseline."),
        caption: format!(
            "Cumulative incidence (1 − Kaplan–Meier estimate) of fever resolution; patients who never resolved are censored at death or at their last temperature. Median {} days. The number at risk is read from the Kaplan–Meier table at each tick.",
            whole(km.median)
        ),
        svg: svg.finish("Time to fever resolution", "Cumulative incidence of fever resolution with its confidence band and number at risk"),
    })
}

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
            TICK_FONT_SIZE - 1.0,
            "end",
            None,
            false,
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
            TICK_FONT_SIZE,
            "start",
            None,
            false,
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
        TICK_FONT_SIZE,
        "start",
        None,
        false,
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
        TICK_FONT_SIZE,
        "start",
        None,
        false,
    );
    svg.path(
        &marker::triangle((134.0, second - 4.0), 5.5),
        colour::VERMILLION,
        Some((colour::VERMILLION, 1.5)),
    );
    svg.text(
        (146.0, second),
        &format!("Adverse event stopping {drug}"),
        TICK_FONT_SIZE,
        "start",
        None,
        false,
    );
    svg.path(
        &marker::diamond((356.0, second - 4.0), 5.5),
        colour::SKY_BLUE,
        Some((colour::BLACK, 1.0)),
    );
    svg.text(
        (368.0, second),
        "Infection",
        TICK_FONT_SIZE,
        "start",
        None,
        false,
    );
    svg.path(
        &marker::cross((450.0, second - 4.0), 5.0),
        "none",
        Some((colour::BLACK, 2.4)),
    );
    svg.text(
        (462.0, second),
        "Death",
        TICK_FONT_SIZE,
        "start",
        None,
        false,
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
