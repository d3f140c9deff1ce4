//! The cumulative incidence of fever resolution with its number-at-risk table.

use super::km::{at_risk_row, draw_curve, frame, legend_band_and_censored, Drawn};
use crate::document::Figure;
use crate::numbers::days;
use crate::svg::{colour, Anchor, Plot, TextStyle, TICK_FONT_SIZE};
use crate::Context;

/// Cumulative incidence of fever resolution among the febrile: 1 − Kaplan–Meier with its confidence band
/// and censoring marks, the Aalen–Johansen estimate with death competing, and an aligned
/// number-at-risk table.
pub fn fever_resolution(context: &Context, number_of_figure: usize) -> Option<Figure> {
    let km = &context.cohort.outcomes.fever_resolution.km;
    let table = &km.table;
    if table.is_empty() {
        return None;
    }
    let (mut svg, plot, last_time) = frame(table);
    plot.draw_axes(
        &mut svg,
        "Days since the first dose",
        "Fever resolved (%)",
        &|v| format!("{:.0}", v * 100.0),
    );
    let end = plot.x.bounds().1;
    draw_curve(&mut svg, &plot, table, Drawn::Incidence, end.min(last_time));
    let (competing_curve, competing_steps) = competing_death_steps(context, &plot, last_time);
    svg.open(&[
        ("class", "series competing-death".into()),
        ("data-series", "death as a competing event".into()),
        ("data-points", competing_steps.to_string()),
    ]);
    svg.polyline_dashed(&competing_curve, colour::VERMILLION, 2.0, 1.0, Some("6 4"));
    svg.close();
    // Legend inside the plot, lower right, away from the rising curve.
    svg.open(&[("class", "legend".into())]);
    let (lx, ly) = (plot.left + plot.width - 250.0, plot.bottom() - 82.0);
    svg.line((lx, ly), (lx + 26.0, ly), colour::BLUE, 2.4, None);
    svg.text(
        (lx + 32.0, ly + 4.5),
        "1 − Kaplan–Meier",
        TextStyle::new(TICK_FONT_SIZE, Anchor::Start),
    );
    let ly = ly + 20.0;
    svg.line(
        (lx, ly),
        (lx + 26.0, ly),
        colour::VERMILLION,
        2.0,
        Some("6 4"),
    );
    svg.text(
        (lx + 32.0, ly + 4.5),
        "Death as a competing event",
        TextStyle::new(TICK_FONT_SIZE, Anchor::Start),
    );
    legend_band_and_censored(
        &mut svg,
        (lx, ly + 14.0),
        context.cohort.protocol.km_conf_type.name(),
    );
    svg.close();
    at_risk_row(&mut svg, &plot, table, context, 72.0);
    Some(Figure {
        id: format!("figure-{number_of_figure}-fever-resolution"),
        title: format!("Figure {number_of_figure}. Time to fever resolution among the patients febrile at baseline."),
        caption: format!(
            "Cumulative incidence of fever resolution: 1 − Kaplan–Meier estimate (solid, with its band), in which patients who never resolved are censored at death or at their last temperature, and the Aalen–Johansen estimate with death before resolution as a competing event (dashed), which does not count the dead as if they could still resolve. Median {} (Kaplan–Meier). The number at risk is read from the Kaplan–Meier table at each tick.",
            days(km.median)
        ),
        svg: svg.finish("Time to fever resolution", "Cumulative incidence of fever resolution with its confidence band and number at risk"),
    })
}

/// The steps of the Aalen–Johansen cumulative incidence from (0, 0) to the last time, and their number.
fn competing_death_steps(
    context: &Context,
    plot: &Plot,
    last_time: f64,
) -> (Vec<(f64, f64)>, usize) {
    let mut curve = vec![plot.point(0.0, 0.0)];
    let (mut level, mut steps) = (0.0, 0);
    for row in &context
        .cohort
        .outcomes
        .fever_resolution
        .competing_death
        .table
    {
        if row.incidence != level {
            curve.push(plot.point(row.time, level));
            curve.push(plot.point(row.time, row.incidence));
            level = row.incidence;
            steps += 1;
        }
    }
    curve.push(plot.point(last_time, level));
    (curve, steps)
}
