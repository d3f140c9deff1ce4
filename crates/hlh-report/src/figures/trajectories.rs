//! Individual daily values of one analyte with the cohort's daily median and IQR.

use hlh_model::Analyte;

use super::{LEFT, RIGHT, WIDTH};
use crate::document::Figure;
use crate::numbers::number;
use crate::svg::{colour, tick_label, Anchor, Plot, Scale, Svg, TextStyle, TICK_FONT_SIZE};
use crate::Context;

/// The value axis of a trajectory figure.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Axis {
    Linear,
    /// For values spanning decades (ferritin).
    Logarithmic,
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
            TextStyle::new(TICK_FONT_SIZE - 1.0, Anchor::End),
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
            TextStyle::new(TICK_FONT_SIZE, Anchor::Start),
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
        TextStyle::new(TICK_FONT_SIZE, Anchor::Start),
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
        TextStyle::new(TICK_FONT_SIZE, Anchor::Start),
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
