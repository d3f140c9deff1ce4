//! What the Kaplan–Meier figures share: the steps of a curve with its confidence band and censoring
//! marks, and the number-at-risk row under the plot.

use hlh_stats::survival::KmRow;

use super::{LEFT, RIGHT, WIDTH};
use crate::svg::{colour, tick_label, Anchor, Plot, Scale, Svg, TextStyle, TICK_FONT_SIZE};
use crate::Context;

/// The frame every Kaplan–Meier figure is drawn in: a plot from day 0 to the last time of `table` (at
/// least a week) over 0–100 %, room below it for the number at risk; with that last time.
pub fn frame(table: &[KmRow]) -> (Svg, Plot, f64) {
    let last_time = table.iter().map(|r| r.time).fold(0.0, f64::max);
    let plot = Plot {
        left: LEFT,
        top: 20.0,
        width: WIDTH - LEFT - RIGHT,
        height: 280.0,
        x: Scale::linear_over(0.0, last_time.max(7.0), true),
        y: Scale::Linear { min: 0.0, max: 1.0 },
    };
    (Svg::new(WIDTH, 404.0), plot, last_time)
}

/// Which way a curve is drawn.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Drawn {
    /// S(t), from 1 down.
    Survival,
    /// 1 − S(t), from 0 up (its interval is [1 − upper, 1 − lower]).
    Incidence,
}

/// Draws the curve of `table` from time 0 to `last_time`: its band, the steps and the censoring marks,
/// each a series.
pub fn draw_curve(svg: &mut Svg, plot: &Plot, table: &[KmRow], drawn: Drawn, last_time: f64) {
    let start = match drawn {
        Drawn::Survival => 1.0,
        Drawn::Incidence => 0.0,
    };
    let mut curve = vec![plot.point(0.0, start)];
    let mut upper_band = vec![plot.point(0.0, start)];
    let mut lower_band = vec![plot.point(0.0, start)];
    let mut censored = Vec::new();
    let (mut level, mut band) = (start, (start, start));
    let mut steps = 0;
    for row in table {
        let time = row.time;
        let value = match drawn {
            Drawn::Survival => row.survival,
            Drawn::Incidence => 1.0 - row.survival,
        };
        if value != level {
            curve.push(plot.point(time, level));
            curve.push(plot.point(time, value));
            level = value;
            steps += 1;
        }
        // Where the bounds are null (S is 1, or 0), the last band is carried on.
        let next_band = match (row.lower, row.upper, drawn) {
            (Some(lower), Some(upper), Drawn::Survival) => (lower, upper),
            (Some(lower), Some(upper), Drawn::Incidence) => (1.0 - upper, 1.0 - lower),
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
    curve.push(plot.point(last_time, level));
    lower_band.push(plot.point(last_time, band.0));
    upper_band.push(plot.point(last_time, band.1));
    let mut polygon = upper_band;
    polygon.extend(lower_band.iter().rev());
    svg.open(&[("class", "band ci".into())]);
    svg.polygon(&polygon, colour::BLUE, 0.15);
    svg.close();
    let series = match drawn {
        Drawn::Survival => "survival",
        Drawn::Incidence => "cumulative incidence",
    };
    svg.open(&[
        ("class", format!("series {}", series.replace(' ', "-"))),
        ("data-series", series.into()),
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
}

/// The number at risk at each tick of the x axis, `below` the plot's bottom: the n_risk of the first
/// row at or after the tick (0 past the last), suppressed as every count.
pub fn at_risk_row(svg: &mut Svg, plot: &Plot, table: &[KmRow], context: &Context, below: f64) {
    let table_top = plot.bottom() + below;
    svg.text(
        (8.0, table_top),
        "Number at risk",
        TextStyle::new(TICK_FONT_SIZE, Anchor::Start).bold(),
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
            TextStyle::new(TICK_FONT_SIZE, Anchor::Middle),
        );
    }
    svg.close();
}

/// The legend entries every Kaplan–Meier figure has, the band of the interval (named with its
/// transform) and the censoring mark, one under the other from (`x`, `y`).
pub fn legend_band_and_censored(svg: &mut Svg, (x, y): (f64, f64), conf_type: &str) {
    svg.rect((x, y), (26.0, 12.0), colour::BLUE, 0.15, None);
    svg.text(
        (x + 32.0, y + 10.5),
        &format!("95% CI ({conf_type})"),
        TextStyle::new(TICK_FONT_SIZE, Anchor::Start),
    );
    svg.line(
        (x + 13.0, y + 20.0),
        (x + 13.0, y + 32.0),
        colour::BLACK,
        1.4,
        None,
    );
    svg.text(
        (x + 32.0, y + 30.5),
        "Censored",
        TextStyle::new(TICK_FONT_SIZE, Anchor::Start),
    );
}
