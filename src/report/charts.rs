//! SVG line charts (plotters' SVG backend: no fonts or system libraries needed; the viewer picks
//! the font). Used by `bench`, `curve` and the HTML report.

use plotters::prelude::*;

/// One named line.
#[derive(Debug, Clone)]
pub struct Series {
    /// Legend label.
    pub name: String,
    /// Points, in x order.
    pub points: Vec<(f64, f64)>,
    /// A shaded band under the line, `(x, low, high)` in x order: the points' 95% intervals
    /// (empty: none).
    pub band: Vec<(f64, f64, f64)>,
}

/// A line chart.
#[derive(Debug, Clone)]
pub struct LineChart {
    /// Title on top.
    pub title: String,
    /// X axis label.
    pub x_label: String,
    /// Y axis label.
    pub y_label: String,
    /// Log-scale y axis.
    pub log_y: bool,
    /// Log-scale x axis.
    pub log_x: bool,
    /// The lines.
    pub series: Vec<Series>,
}

const PALETTE: [RGBColor; 10] = [
    RGBColor(31, 119, 180),
    RGBColor(255, 127, 14),
    RGBColor(44, 160, 44),
    RGBColor(214, 39, 40),
    RGBColor(148, 103, 189),
    RGBColor(140, 86, 75),
    RGBColor(227, 119, 194),
    RGBColor(127, 127, 127),
    RGBColor(188, 189, 34),
    RGBColor(23, 190, 207),
];

fn range(vals: impl Iterator<Item = f64>, log: bool) -> (f64, f64) {
    let (mut lo, mut hi) = (f64::INFINITY, f64::NEG_INFINITY);
    for v in vals.filter(|v| v.is_finite() && (!log || *v > 0.0)) {
        lo = lo.min(v);
        hi = hi.max(v);
    }
    if !lo.is_finite() {
        return if log { (1e-3, 1.0) } else { (0.0, 1.0) };
    }
    if log {
        (lo / 1.5, hi * 1.5)
    } else {
        let pad = ((hi - lo) * 0.05).max(hi.abs() * 0.01).max(1e-9);
        (
            (lo - pad).min(if lo >= 0.0 { 0.0 } else { lo - pad }),
            hi + pad,
        )
    }
}

/// Several charts stacked vertically in one SVG.
pub fn stacked_svg(charts: &[LineChart], w: u32, h: u32) -> String {
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (w, h)).into_drawing_area();
        let _ = root.fill(&WHITE);
        let areas = root.split_evenly((charts.len().max(1), 1));
        for (c, area) in charts.iter().zip(areas) {
            c.draw_on(&area);
        }
        let _ = root.present();
    }
    svg
}

impl LineChart {
    /// Renders the chart as an SVG document of `w` x `h` pixels.
    pub fn to_svg(&self, w: u32, h: u32) -> String {
        let mut svg = String::new();
        {
            let root = SVGBackend::with_string(&mut svg, (w, h)).into_drawing_area();
            let _ = root.fill(&WHITE);
            self.draw_on(&root);
            let _ = root.present();
        }
        svg
    }

    /// Draws the chart into an area.
    pub fn draw_on<DB: DrawingBackend>(&self, root: &DrawingArea<DB, plotters::coord::Shift>) {
        {
            let xs = self
                .series
                .iter()
                .flat_map(|s| s.points.iter().map(|p| p.0));
            let ys = self.series.iter().flat_map(|s| {
                s.points
                    .iter()
                    .map(|p| p.1)
                    .chain(s.band.iter().flat_map(|b| [b.1, b.2]))
            });
            let (x0, x1) = range(xs, self.log_x);
            let (y0, y1) = range(ys, self.log_y);
            let (x0, x1) = if self.log_x {
                (x0, x1)
            } else {
                (x0.max(0.0).min(x0), x1)
            };
            macro_rules! draw {
                ($chart:expr) => {{
                    let mut chart = $chart;
                    let _ = chart
                        .configure_mesh()
                        .x_desc(self.x_label.as_str())
                        .y_desc(self.y_label.as_str())
                        .light_line_style(RGBColor(235, 235, 235))
                        .draw();
                    for (i, s) in self.series.iter().enumerate() {
                        let c = PALETTE[i % PALETTE.len()];
                        let pts: Vec<(f64, f64)> = s
                            .points
                            .iter()
                            .copied()
                            .filter(|p| (!self.log_y || p.1 > 0.0) && (!self.log_x || p.0 > 0.0))
                            .collect();
                        // The band first, pale, so the line and its points stay on top (linear
                        // axes only: a log axis has no room for an interval down to 0).
                        if s.band.len() > 1 && !self.log_x && !self.log_y {
                            let outline: Vec<(f64, f64)> = s
                                .band
                                .iter()
                                .map(|b| (b.0, b.2))
                                .chain(s.band.iter().rev().map(|b| (b.0, b.1)))
                                .collect();
                            let _ = chart.draw_series(std::iter::once(Polygon::new(
                                outline,
                                c.mix(0.25).filled(),
                            )));
                        }
                        if let Ok(a) =
                            chart.draw_series(LineSeries::new(pts.clone(), c.stroke_width(2)))
                        {
                            a.label(s.name.as_str()).legend(move |(x, y)| {
                                PathElement::new(vec![(x, y), (x + 16, y)], c.stroke_width(2))
                            });
                        }
                        let _ =
                            chart.draw_series(pts.iter().map(|&p| Circle::new(p, 3, c.filled())));
                    }
                    let _ = chart
                        .configure_series_labels()
                        .background_style(WHITE.mix(0.85))
                        .border_style(BLACK.mix(0.3))
                        .position(SeriesLabelPosition::LowerRight)
                        .draw();
                }};
            }
            let mut builder = ChartBuilder::on(root);
            builder
                .caption(self.title.as_str(), ("sans-serif", 20))
                .margin(12)
                .x_label_area_size(42)
                .y_label_area_size(64);
            match (self.log_x, self.log_y) {
                (false, false) => {
                    if let Ok(c) = builder.build_cartesian_2d(x0..x1, y0..y1) {
                        draw!(c)
                    }
                }
                (false, true) => {
                    if let Ok(c) = builder.build_cartesian_2d(x0..x1, (y0..y1).log_scale()) {
                        draw!(c)
                    }
                }
                (true, false) => {
                    if let Ok(c) = builder.build_cartesian_2d((x0..x1).log_scale(), y0..y1) {
                        draw!(c)
                    }
                }
                (true, true) => {
                    if let Ok(c) =
                        builder.build_cartesian_2d((x0..x1).log_scale(), (y0..y1).log_scale())
                    {
                        draw!(c)
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A band is drawn under its line and widens the axis to hold it.
    #[test]
    fn a_band_is_drawn_and_kept_in_view() {
        let chart = |band: Vec<(f64, f64, f64)>| {
            LineChart {
                title: "reach".into(),
                x_label: "budget".into(),
                y_label: "reach".into(),
                log_y: false,
                log_x: false,
                series: vec![Series {
                    name: "reach".into(),
                    points: vec![(0.0, 0.0), (1.0, 50.0), (2.0, 70.0)],
                    band,
                }],
            }
            .to_svg(640, 400)
        };
        let plain = chart(Vec::new());
        let banded = chart(vec![(0.0, 0.0, 0.0), (1.0, 30.0, 90.0), (2.0, 40.0, 480.0)]);
        assert!(!plain.contains("<polygon") && banded.contains("<polygon"));
        assert!(!plain.contains("\n400.0\n") && banded.contains("\n400.0\n"));
    }

    #[test]
    fn renders_svg_with_series_and_labels() {
        let c = LineChart {
            title: "reach vs k".into(),
            x_label: "k".into(),
            y_label: "reach".into(),
            log_y: true,
            log_x: false,
            series: vec![
                Series {
                    name: "auto".into(),
                    points: vec![(1.0, 10.0), (5.0, 40.0), (10.0, 70.0)],
                    band: Vec::new(),
                },
                Series {
                    name: "degree".into(),
                    points: vec![(1.0, 8.0), (5.0, 30.0), (10.0, 0.0)],
                    band: Vec::new(),
                },
            ],
        };
        let svg = c.to_svg(640, 400);
        assert!(svg.starts_with("<svg"));
        assert!(svg.contains("reach vs k"));
        assert!(svg.contains("\nauto\n") && svg.contains("\ndegree\n"));
        assert!(svg.contains("<polyline") || svg.contains("<path"));
    }
}
