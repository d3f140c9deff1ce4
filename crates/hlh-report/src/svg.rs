//! A small SVG writer for journal figures: plot areas with linear or log-10 axes, lines, markers and
//! text, every coordinate written with two decimals so that the same figure gives the same bytes.
//!
//! Styling is written as presentation attributes, not CSS classes, so that an SVG file beside a
//! Markdown report looks the same as the figure inline in the HTML one.

use std::fmt::Write;

/// The Okabe–Ito palette: distinguishable with every common colour-vision deficiency.
pub mod colour {
    pub const BLACK: &str = "#000000";
    pub const ORANGE: &str = "#E69F00";
    pub const SKY_BLUE: &str = "#56B4E9";
    pub const BLUISH_GREEN: &str = "#009E73";
    pub const BLUE: &str = "#0072B2";
    pub const VERMILLION: &str = "#D55E00";
    pub const REDDISH_PURPLE: &str = "#CC79A7";
    /// Individual patients, behind the summary line.
    pub const INDIVIDUAL: &str = "#8C8C8C";
    pub const GRID: &str = "#E3E3E3";
}

const FONT: &str = "Helvetica, Arial, 'Liberation Sans', sans-serif";
pub const TICK_FONT_SIZE: f64 = 13.0;
pub const TITLE_FONT_SIZE: f64 = 14.0;

/// Escapes text for XML content and attribute values.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

/// A coordinate or length, two decimals (byte-stable and finer than any screen).
fn n(value: f64) -> String {
    let text = format!("{value:.2}");
    if text == "-0.00" {
        "0.00".into()
    } else {
        text
    }
}

/// The `points` attribute of a polyline or polygon.
/// ` stroke-dasharray="…"` for a dashed stroke, nothing for a solid one.
fn dash_attribute(dash: Option<&str>) -> String {
    dash.map_or(String::new(), |d| format!(" stroke-dasharray=\"{d}\""))
}

fn points_attribute(points: &[(f64, f64)]) -> String {
    let coordinates: Vec<String> = points
        .iter()
        .map(|(x, y)| format!("{},{}", n(*x), n(*y)))
        .collect();
    coordinates.join(" ")
}

/// An SVG document being written.
#[derive(Debug)]
pub struct Svg {
    width: f64,
    height: f64,
    body: String,
}

impl Svg {
    pub fn new(width: f64, height: f64) -> Svg {
        Svg {
            width,
            height,
            body: String::new(),
        }
    }

    /// For figures whose height follows their content (the flow diagram).
    pub fn set_height(&mut self, height: f64) {
        self.height = height;
    }

    /// The finished document, with a title and description for screen readers.
    pub fn finish(self, title: &str, description: &str) -> String {
        format!(
            "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {w} {h}\" width=\"{w}\" height=\"{h}\" \
             font-family=\"{FONT}\" role=\"img\"><title>{}</title><desc>{}</desc>\
             <rect x=\"0\" y=\"0\" width=\"{w}\" height=\"{h}\" fill=\"#FFFFFF\"/>{}</svg>",
            escape(title),
            escape(description),
            self.body,
            w = n(self.width),
            h = n(self.height),
        )
    }

    /// Opens a group with raw attributes (`class`, `data-*`); close it with [`Svg::close`].
    pub fn open(&mut self, attributes: &[(&str, String)]) {
        self.body.push_str("<g");
        for (name, value) in attributes {
            let _ = write!(self.body, " {name}=\"{}\"", escape(value));
        }
        self.body.push('>');
    }

    pub fn close(&mut self) {
        self.body.push_str("</g>");
    }

    pub fn line(
        &mut self,
        from: (f64, f64),
        to: (f64, f64),
        stroke: &str,
        width: f64,
        dash: Option<&str>,
    ) {
        let _ = write!(
            self.body,
            "<line x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\" stroke=\"{stroke}\" stroke-width=\"{}\"{}/>",
            n(from.0),
            n(from.1),
            n(to.0),
            n(to.1),
            n(width),
            dash_attribute(dash),
        );
    }

    /// A line through the points, or nothing for fewer than two.
    pub fn polyline(&mut self, points: &[(f64, f64)], stroke: &str, width: f64, opacity: f64) {
        self.polyline_dashed(points, stroke, width, opacity, None);
    }

    /// A line through the points with an optional `stroke-dasharray`, or nothing for fewer than two.
    pub fn polyline_dashed(
        &mut self,
        points: &[(f64, f64)],
        stroke: &str,
        width: f64,
        opacity: f64,
        dash: Option<&str>,
    ) {
        if points.len() < 2 {
            return;
        }
        let _ = write!(
            self.body,
            "<polyline points=\"{}\" fill=\"none\" stroke=\"{stroke}\" stroke-width=\"{}\" stroke-opacity=\"{}\" stroke-linejoin=\"round\"{}/>",
            points_attribute(points),
            n(width),
            n(opacity),
            dash_attribute(dash),
        );
    }

    /// A filled polygon (a confidence band).
    pub fn polygon(&mut self, points: &[(f64, f64)], fill: &str, opacity: f64) {
        if points.len() < 3 {
            return;
        }
        let _ = write!(
            self.body,
            "<polygon points=\"{}\" fill=\"{fill}\" fill-opacity=\"{}\" stroke=\"none\"/>",
            points_attribute(points),
            n(opacity),
        );
    }

    pub fn circle(&mut self, centre: (f64, f64), radius: f64, fill: &str, opacity: f64) {
        let _ = write!(
            self.body,
            "<circle cx=\"{}\" cy=\"{}\" r=\"{}\" fill=\"{fill}\" fill-opacity=\"{}\"/>",
            n(centre.0),
            n(centre.1),
            n(radius),
            n(opacity),
        );
    }

    pub fn rect(
        &mut self,
        corner: (f64, f64),
        size: (f64, f64),
        fill: &str,
        opacity: f64,
        stroke: Option<&str>,
    ) {
        let _ = write!(
            self.body,
            "<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" fill=\"{fill}\" fill-opacity=\"{}\"{}/>",
            n(corner.0),
            n(corner.1),
            n(size.0.max(0.0)),
            n(size.1.max(0.0)),
            n(opacity),
            stroke.map_or(String::new(), |s| format!(" stroke=\"{s}\" stroke-width=\"1.2\"")),
        );
    }

    /// A closed path from raw path data (markers: triangles, diamonds, crosses).
    pub fn path(&mut self, data: &str, fill: &str, stroke: Option<(&str, f64)>) {
        let _ = write!(
            self.body,
            "<path d=\"{data}\" fill=\"{fill}\"{}/>",
            stroke.map_or(String::new(), |(s, w)| format!(
                " stroke=\"{s}\" stroke-width=\"{}\"",
                n(w)
            )),
        );
    }

    /// Text; `anchor` is start, middle or end; `rotate` turns it about its anchor point (axis titles).
    pub fn text(&mut self, at: (f64, f64), text: &str, style: TextStyle) {
        let _ = write!(
            self.body,
            "<text x=\"{}\" y=\"{}\" font-size=\"{}\" text-anchor=\"{}\" fill=\"#1A1A1A\"{}{}>{}</text>",
            n(at.0),
            n(at.1),
            n(style.size),
            style.anchor.name(),
            if style.bold {
                " font-weight=\"bold\""
            } else {
                ""
            },
            if style.vertical {
                format!(" transform=\"rotate(-90 {} {})\"", n(at.0), n(at.1))
            } else {
                String::new()
            },
            escape(text),
        );
    }
}

/// Where a text stands relative to its point.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Anchor {
    Start,
    Middle,
    End,
}

impl Anchor {
    fn name(self) -> &'static str {
        match self {
            Anchor::Start => "start",
            Anchor::Middle => "middle",
            Anchor::End => "end",
        }
    }
}

/// How a text is drawn: size, anchor, weight, and whether it reads bottom to top (a y-axis title).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TextStyle {
    pub size: f64,
    pub anchor: Anchor,
    pub bold: bool,
    pub vertical: bool,
}

impl TextStyle {
    pub fn new(size: f64, anchor: Anchor) -> TextStyle {
        TextStyle {
            size,
            anchor,
            bold: false,
            vertical: false,
        }
    }

    pub fn bold(self) -> TextStyle {
        TextStyle { bold: true, ..self }
    }

    pub fn vertical(self) -> TextStyle {
        TextStyle {
            vertical: true,
            ..self
        }
    }
}

/// Marker shapes centred on a point, as path data.
pub mod marker {
    use super::n;

    pub fn triangle((x, y): (f64, f64), size: f64) -> String {
        format!(
            "M{} {}L{} {}L{} {}Z",
            n(x),
            n(y - size),
            n(x + size),
            n(y + size * 0.8),
            n(x - size),
            n(y + size * 0.8)
        )
    }

    pub fn diamond((x, y): (f64, f64), size: f64) -> String {
        format!(
            "M{} {}L{} {}L{} {}L{} {}Z",
            n(x),
            n(y - size),
            n(x + size),
            n(y),
            n(x),
            n(y + size),
            n(x - size),
            n(y)
        )
    }

    pub fn cross((x, y): (f64, f64), size: f64) -> String {
        format!(
            "M{} {}L{} {}M{} {}L{} {}",
            n(x - size),
            n(y - size),
            n(x + size),
            n(y + size),
            n(x - size),
            n(y + size),
            n(x + size),
            n(y - size)
        )
    }
}

/// How data values map onto an axis.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Scale {
    Linear {
        min: f64,
        max: f64,
    },
    /// Base 10; `min` > 0.
    Log {
        min: f64,
        max: f64,
    },
}

impl Scale {
    /// A linear scale over the values with round ends; `include_zero` starts it at 0 for positive data.
    pub fn linear_over(low: f64, high: f64, include_zero: bool) -> Scale {
        let low = if include_zero { low.min(0.0) } else { low };
        let (low, high) = if high > low {
            (low, high)
        } else {
            (low - 1.0, high + 1.0)
        };
        let step = nice_step((high - low) / 5.0);
        Scale::Linear {
            min: (low / step).floor() * step,
            max: (high / step).ceil() * step,
        }
    }

    /// A log scale from the power of ten at or below the smallest positive value to the one at or above
    /// the largest.
    pub fn log_over(low: f64, high: f64) -> Scale {
        let low = if low > 0.0 { low } else { 1.0 };
        let high = high.max(low);
        let mut min = 10f64.powf(low.log10().floor());
        let mut max = 10f64.powf(high.log10().ceil());
        if max <= min {
            max = min * 10.0;
        }
        if min <= 0.0 {
            min = 1.0;
        }
        Scale::Log { min, max }
    }

    pub fn bounds(&self) -> (f64, f64) {
        match *self {
            Scale::Linear { min, max } | Scale::Log { min, max } => (min, max),
        }
    }

    pub fn name(&self) -> &'static str {
        match self {
            Scale::Linear { .. } => "linear",
            Scale::Log { .. } => "log10",
        }
    }

    /// The fraction of the axis at which a value sits (0 at `min`, 1 at `max`).
    pub fn fraction(&self, value: f64) -> f64 {
        match *self {
            Scale::Linear { min, max } => (value - min) / (max - min),
            Scale::Log { min, max } => {
                (value.max(min * 1e-3).log10() - min.log10()) / (max.log10() - min.log10())
            }
        }
    }

    /// Where the scale can place a value (a log scale cannot place 0 or less).
    pub fn can_place(&self, value: f64) -> bool {
        value.is_finite() && !matches!(self, Scale::Log { .. } if value <= 0.0)
    }

    /// Tick values: round steps for a linear scale, powers of ten (with 2 and 5 between when the scale
    /// spans few decades) for a log scale.
    pub fn ticks(&self) -> Vec<f64> {
        match *self {
            Scale::Linear { min, max } => {
                let step = nice_step((max - min) / 5.0);
                let first = (min / step).ceil() as i64;
                let last = (max / step).floor() as i64;
                (first..=last).map(|k| k as f64 * step).collect()
            }
            Scale::Log { min, max } => {
                let decades = (max / min).log10().round() as i32;
                let start = min.log10().round() as i32;
                let multipliers: &[f64] = if decades <= 2 {
                    &[1.0, 2.0, 5.0]
                } else {
                    &[1.0]
                };
                let mut ticks = Vec::new();
                for power in start..=start + decades {
                    for m in multipliers {
                        let value = m * 10f64.powi(power);
                        if value <= max * (1.0 + 1e-9) {
                            ticks.push(value);
                        }
                    }
                }
                ticks
            }
        }
    }
}

/// 1, 2 or 5 times a power of ten, at or above `raw`.
fn nice_step(raw: f64) -> f64 {
    if raw.is_nan() || raw <= 0.0 || raw.is_infinite() {
        return 1.0;
    }
    let power = 10f64.powf(raw.log10().floor());
    let fraction = raw / power;
    let nice = if fraction <= 1.0 {
        1.0
    } else if fraction <= 2.0 {
        2.0
    } else if fraction <= 5.0 {
        5.0
    } else {
        10.0
    };
    nice * power
}

/// A tick label: no trailing zeros, thousands separated by a thin space as journals print them.
pub fn tick_label(value: f64) -> String {
    let rounded = (value * 1e6).round() / 1e6;
    let text = if rounded.fract() == 0.0 {
        format!("{rounded:.0}")
    } else {
        format!("{rounded}")
    };
    // A typographic minus, as journals print negative numbers.
    group_thousands(&text).replacen('-', "\u{2212}", 1)
}

fn group_thousands(text: &str) -> String {
    let (sign, digits) = text
        .strip_prefix('-')
        .map_or(("", text), |rest| ("-", rest));
    let (whole, fraction) = digits
        .split_once('.')
        .map_or((digits, None), |(w, f)| (w, Some(f)));
    if whole.len() < 5 {
        return text.to_string();
    }
    let mut grouped = String::new();
    for (i, c) in whole.chars().enumerate() {
        if i > 0 && (whole.len() - i) % 3 == 0 {
            grouped.push('\u{2009}');
        }
        grouped.push(c);
    }
    match fraction {
        Some(f) => format!("{sign}{grouped}.{f}"),
        None => format!("{sign}{grouped}"),
    }
}

/// A rectangular plotting area with an x and a y scale, in SVG pixels.
#[derive(Debug, Clone, Copy)]
pub struct Plot {
    pub left: f64,
    pub top: f64,
    pub width: f64,
    pub height: f64,
    pub x: Scale,
    pub y: Scale,
}

impl Plot {
    pub fn x(&self, value: f64) -> f64 {
        self.left + self.x.fraction(value) * self.width
    }

    pub fn y(&self, value: f64) -> f64 {
        self.top + (1.0 - self.y.fraction(value)) * self.height
    }

    pub fn point(&self, x: f64, y: f64) -> (f64, f64) {
        (self.x(x), self.y(y))
    }

    pub fn bottom(&self) -> f64 {
        self.top + self.height
    }

    /// Horizontal grid lines, both axes with ticks and labels, and the axis titles. `y_label` formats a
    /// y tick (percentages, say).
    pub fn draw_axes(
        &self,
        svg: &mut Svg,
        x_title: &str,
        y_title: &str,
        y_label: &dyn Fn(f64) -> String,
    ) {
        let (y_min, y_max) = self.y.bounds();
        svg.open(&[
            ("class", "axis y".into()),
            ("data-scale", self.y.name().into()),
            ("data-min", y_min.to_string()),
            ("data-max", y_max.to_string()),
        ]);
        for tick in self.y.ticks() {
            let y = self.y(tick);
            svg.line(
                (self.left, y),
                (self.left + self.width, y),
                colour::GRID,
                1.0,
                None,
            );
            svg.line(
                (self.left - 5.0, y),
                (self.left, y),
                colour::BLACK,
                1.0,
                None,
            );
            svg.text(
                (self.left - 8.0, y + 4.5),
                &y_label(tick),
                TextStyle::new(TICK_FONT_SIZE, Anchor::End),
            );
        }
        svg.line(
            (self.left, self.top),
            (self.left, self.bottom()),
            colour::BLACK,
            1.2,
            None,
        );
        svg.text(
            (self.left - 58.0, self.top + self.height / 2.0),
            y_title,
            TextStyle::new(TITLE_FONT_SIZE, Anchor::Middle).vertical(),
        );
        svg.close();
        self.draw_x_axis(svg, x_title, false);
    }

    /// The x-axis with ticks, labels and title; `grid` adds vertical grid lines at the ticks.
    pub fn draw_x_axis(&self, svg: &mut Svg, x_title: &str, grid: bool) {
        let (x_min, x_max) = self.x.bounds();
        svg.open(&[
            ("class", "axis x".into()),
            ("data-scale", self.x.name().into()),
            ("data-min", x_min.to_string()),
            ("data-max", x_max.to_string()),
        ]);
        for tick in self.x.ticks() {
            let x = self.x(tick);
            if grid {
                svg.line((x, self.top), (x, self.bottom()), colour::GRID, 1.0, None);
            }
            svg.line(
                (x, self.bottom()),
                (x, self.bottom() + 5.0),
                colour::BLACK,
                1.0,
                None,
            );
            svg.text(
                (x, self.bottom() + 20.0),
                &tick_label(tick),
                TextStyle::new(TICK_FONT_SIZE, Anchor::Middle),
            );
        }
        svg.line(
            (self.left, self.bottom()),
            (self.left + self.width, self.bottom()),
            colour::BLACK,
            1.2,
            None,
        );
        svg.text(
            (self.left + self.width / 2.0, self.bottom() + 42.0),
            x_title,
            TextStyle::new(TITLE_FONT_SIZE, Anchor::Middle),
        );
        svg.close();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn linear_scales_end_on_round_values_and_tick_inside() {
        let scale = Scale::linear_over(3.0, 287.0, true);
        assert_eq!(scale.bounds(), (0.0, 300.0));
        assert_eq!(scale.ticks(), vec![0.0, 100.0, 200.0, 300.0]);
        assert!((scale.fraction(150.0) - 0.5).abs() < 1e-12);
    }

    #[test]
    fn log_scales_span_whole_decades() {
        let scale = Scale::log_over(350.0, 42_500.0);
        assert_eq!(scale.bounds(), (100.0, 100_000.0));
        assert_eq!(scale.ticks(), vec![100.0, 1_000.0, 10_000.0, 100_000.0]);
        assert!((scale.fraction(1_000.0) - 1.0 / 3.0).abs() < 1e-12);
        assert!(!scale.can_place(0.0));
        let narrow = Scale::log_over(150.0, 900.0);
        assert_eq!(narrow.ticks(), vec![100.0, 200.0, 500.0, 1_000.0]);
    }

    #[test]
    fn labels_drop_trailing_zeros_and_group_thousands() {
        assert_eq!(tick_label(10_000.0), "10\u{2009}000");
        assert_eq!(tick_label(1_000.0), "1000");
        assert_eq!(tick_label(37.5), "37.5");
        assert_eq!(tick_label(-2.0), "\u{2212}2");
        assert_eq!(escape("a<b & \"c\""), "a&lt;b &amp; &quot;c&quot;");
    }
}
