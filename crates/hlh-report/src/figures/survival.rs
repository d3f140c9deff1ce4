//! Overall survival from Day 0 with its number-at-risk table.

use super::km::{at_risk_row, draw_curve, frame, legend_band_and_censored, Drawn};
use crate::document::Figure;
use crate::numbers::percent;
use crate::svg::{colour, Anchor, TextStyle, TICK_FONT_SIZE};
use crate::Context;

/// The Kaplan–Meier curve of overall survival with its band, censoring marks and an aligned
/// number-at-risk table; none without a death, or when small counts are suppressed (each step of the
/// curve is a death).
pub fn survival(context: &Context, number_of_figure: usize) -> Option<Figure> {
    let survival = &context.cohort.outcomes.survival;
    let table = &survival.table;
    if survival.deaths.count() == 0 || context.numbers.suppressing() {
        return None;
    }
    let (mut svg, plot, last_time) = frame(table);
    plot.draw_axes(&mut svg, "Days since Day 0", "Alive (%)", &|v| {
        format!("{:.0}", v * 100.0)
    });
    draw_curve(&mut svg, &plot, table, Drawn::Survival, last_time);
    // Legend in the lower left, below the curve, which starts at the top.
    svg.open(&[("class", "legend".into())]);
    let (lx, ly) = (plot.left + 16.0, plot.bottom() - 62.0);
    svg.line((lx, ly), (lx + 26.0, ly), colour::BLUE, 2.4, None);
    svg.text(
        (lx + 32.0, ly + 4.5),
        "Kaplan–Meier",
        TextStyle::new(TICK_FONT_SIZE, Anchor::Start),
    );
    legend_band_and_censored(&mut svg, (lx, ly + 14.0), survival.conf_type.name());
    svg.close();
    at_risk_row(&mut svg, &plot, table, context, 72.0);
    let landmarks: Vec<String> = survival
        .landmarks
        .iter()
        .filter_map(|l| {
            l.survival
                .map(|s| format!("{} at Day {}", percent(s), l.day))
        })
        .collect();
    Some(Figure {
        id: format!("figure-{number_of_figure}-survival"),
        title: format!("Figure {number_of_figure}. Overall survival from Day 0."),
        caption: format!(
            "Kaplan–Meier estimate of overall survival of the {} analysed patients ({} deaths), with its 95% confidence band; patients alive are censored at their last follow-up (ticks).{} The number at risk is read from the Kaplan–Meier table at each tick.",
            survival.n,
            survival.deaths.count(),
            if landmarks.is_empty() {
                String::new()
            } else {
                format!(" Survival {}.", landmarks.join(", "))
            }
        ),
        svg: svg.finish("Overall survival", "Kaplan–Meier curve of overall survival with its confidence band and number at risk"),
    })
}
