//! Laying a chart out: a [`Spec`] (two or three axes and layers in data units) drawn with plotters on a PNG or SVG
//! backend, in the theme's colours, with the embedded DejaVu Sans. Dots are drawn once per cell of a small pixel
//! grid, so a million points cost as much as the pixels they cover, in time and in SVG size.

use plotters::chart::DualCoordChartContext;
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};
use plotters::style::{FontStyle, RGBAColor, register_font};
use std::path::Path;
use std::sync::Once;

use super::axis::max_ticks;
use super::axis::{Axis, Scale};
use super::labels;
use super::text::Kerned;
use super::{ScatterOptions, Style, Theme};
use crate::error::{Error, Result};

/// A chart in data units, ready to draw.
pub(crate) struct Spec {
    /// The caption.
    pub title: String,
    /// The x axis.
    pub x: Axis,
    /// The left y axis.
    pub y: Axis,
    /// A right y axis for layers that say so.
    pub right: Option<Axis>,
    /// The x axis description.
    pub x_desc: String,
    /// The left y axis description.
    pub y_desc: String,
    /// The right y axis description.
    pub right_desc: String,
    /// Drawn in order: the first is at the back.
    pub layers: Vec<Layer>,
}

/// The captions a chart gives itself; the user's title and x label replace the first two (see [`Spec::framed`]).
pub(crate) struct Captions {
    /// The title unless `--title` says.
    pub title: String,
    /// The x axis description unless `--x-label` says.
    pub x_desc: String,
    /// The left y axis description.
    pub y_desc: String,
}

impl Spec {
    /// The frame every chart is drawn in: `layers` on `x` and `y`, captioned with the user's title
    /// (`style.title`) and x label (`options.x_label`) where given, else the chart's own; no right axis.
    pub(crate) fn framed(
        style: &Style,
        options: &ScatterOptions,
        (x, y): (Axis, Axis),
        captions: Captions,
        layers: Vec<Layer>,
    ) -> Spec {
        Spec {
            title: style.title.clone().unwrap_or(captions.title),
            x_desc: options.x_label.clone().unwrap_or(captions.x_desc),
            y_desc: captions.y_desc,
            right_desc: String::new(),
            x,
            y,
            right: None,
            layers,
        }
    }
}

/// An x axis from `lo` to `hi` across the picture's width, with as many labelled ticks as fit.
pub(crate) fn x_axis(scale: Scale, lo: i64, hi: i64, style: &Style) -> Axis {
    Axis::new(scale, lo, hi, max_ticks(scale, style.width, true))
}

/// A y axis from `lo` to `hi` up the picture's height, with as many labelled ticks as fit.
pub(crate) fn y_axis(scale: Scale, lo: i64, hi: i64, style: &Style) -> Axis {
    Axis::new(scale, lo, hi, max_ticks(scale, style.height, false))
}

/// A follow-bot wave as `itch report bot-waves` reports it, in Unix seconds.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Wave {
    /// The first and last follow of the wave.
    pub followed: (i64, i64),
    /// The first and last account creation.
    pub created: (i64, i64),
    /// How many accounts.
    pub size: u64,
}

/// One thing drawn on a chart.
pub(crate) enum Layer {
    /// Shaded vertical bands over the whole height (stream sessions).
    Spans { spans: Vec<(i64, i64)>, label: String },
    /// Planned broadcasts (the stream schedule) as lighter bands over the whole height, in their own colour.
    Planned { spans: Vec<(i64, i64)>, label: String },
    /// A scatter of small square dots; with `density`, coloured by how many points fall near each.
    Dots {
        points: Vec<(i64, i64)>,
        density: bool,
        label: String,
    },
    /// A line through `points`, on the right axis when `right`.
    Line {
        points: Vec<(i64, i64)>,
        paint: Paint,
        right: bool,
        fill: bool,
        markers: bool,
        label: Option<String>,
    },
    /// Outlined rectangles around bot waves (follow time by account creation), each labelled with its size and day.
    Waves { waves: Vec<Wave>, label: String },
    /// Bars from the x axis: `(from, to, height)`.
    Bars { bars: Vec<(i64, i64, i64)>, label: String },
    /// Light bands over the whole height, alternating two tints, each labelled along its top (a VOD's chapters:
    /// `(from, to, game)`). Put them first, so the data is drawn over them; their labels sit in the strip the
    /// chart keeps above its data ([`CHAPTER_HEADROOM`]).
    Chapters {
        chapters: Vec<(i64, i64, String)>,
        label: String,
    },
    /// Moments marked over the whole height, each a vertical line with a short label at its top: `(x, label)`.
    Marks {
        marks: Vec<(i64, String)>,
        paint: Paint,
        label: String,
    },
}

/// Which colour of the theme a line takes.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Paint {
    /// The cumulative count.
    Cumulative,
    /// A total over time.
    Total,
    /// The n-th of several series.
    Series(usize),
}

/// The theme's colours.
struct Palette {
    background: RGBColor,
    text: RGBColor,
    grid: RGBColor,
    axis: RGBColor,
    legend: RGBAColor,
    points: RGBColor,
    cumulative: RGBColor,
    total: RGBColor,
    bars: RGBColor,
    spans: RGBAColor,
    /// The two alternating tints of chapter bands.
    chapters: [RGBAColor; 2],
    planned: RGBAColor,
    waves: RGBColor,
    density: [(u8, u8, u8); 5],
    series: [RGBColor; 8],
}

impl Palette {
    fn of(theme: Theme) -> Palette {
        match theme {
            Theme::Light => Palette {
                background: RGBColor(255, 255, 255),
                text: RGBColor(38, 38, 38),
                grid: RGBColor(228, 228, 228),
                axis: RGBColor(140, 140, 140),
                legend: RGBColor(255, 255, 255).mix(0.9),
                points: RGBColor(43, 108, 212),
                cumulative: RGBColor(214, 150, 0),
                total: RGBColor(43, 108, 212),
                bars: RGBColor(91, 141, 239),
                spans: RGBColor(44, 160, 44).mix(0.16),
                chapters: [RGBColor(120, 120, 160).mix(0.10), RGBColor(214, 150, 0).mix(0.10)],
                planned: RGBColor(150, 80, 220).mix(0.12),
                waves: RGBColor(200, 20, 20),
                density: DENSITY,
                series: [
                    RGBColor(78, 121, 167),
                    RGBColor(242, 142, 43),
                    RGBColor(225, 87, 89),
                    RGBColor(89, 161, 79),
                    RGBColor(176, 122, 161),
                    RGBColor(118, 183, 178),
                    RGBColor(237, 201, 72),
                    RGBColor(156, 117, 95),
                ],
            },
            // The 2016 itch-plot's look: near-black, light grey text and grid, yellow count, green streams.
            Theme::Dark => Palette {
                background: RGBColor(13, 13, 13),
                text: RGBColor(205, 205, 205),
                grid: RGBColor(48, 48, 48),
                axis: RGBColor(120, 120, 120),
                legend: RGBColor(24, 24, 24).mix(0.9),
                points: RGBColor(79, 157, 255),
                cumulative: RGBColor(255, 210, 63),
                total: RGBColor(79, 157, 255),
                bars: RGBColor(111, 168, 255),
                spans: RGBColor(61, 220, 132).mix(0.2),
                chapters: [RGBColor(160, 160, 220).mix(0.12), RGBColor(255, 210, 63).mix(0.10)],
                planned: RGBColor(190, 140, 255).mix(0.14),
                waves: RGBColor(255, 80, 80),
                // Brighter at the sparse end: a lone dot of the light theme's blue vanishes on near-black.
                density: [
                    (120, 175, 255),
                    (150, 140, 255),
                    (195, 120, 255),
                    (240, 100, 215),
                    (255, 90, 90),
                ],
                series: [
                    RGBColor(100, 160, 255),
                    RGBColor(255, 170, 60),
                    RGBColor(255, 100, 110),
                    RGBColor(110, 210, 110),
                    RGBColor(210, 140, 255),
                    RGBColor(90, 220, 210),
                    RGBColor(255, 225, 90),
                    RGBColor(200, 160, 130),
                ],
            },
        }
    }

    fn paint(&self, paint: Paint) -> RGBColor {
        match paint {
            Paint::Cumulative => self.cumulative,
            Paint::Total => self.total,
            Paint::Series(n) => self.series[n % self.series.len()],
        }
    }
}

/// Density colours, sparse to dense: blue, indigo, purple, magenta, red (the 2016 chart's map, brightened to
/// read on both themes).
const DENSITY: [(u8, u8, u8); 5] = [
    (59, 108, 255),
    (91, 60, 255),
    (155, 50, 230),
    (224, 47, 191),
    (255, 48, 48),
];

/// The colour at `t` in 0..=1 along a density map such as [`DENSITY`].
fn density_colour(map: &[(u8, u8, u8); 5], t: f64) -> RGBColor {
    let t = t.clamp(0.0, 1.0) * (map.len() - 1) as f64;
    let i = (t.floor() as usize).min(map.len() - 2);
    let f = t - i as f64;
    let (a, b) = (map[i], map[i + 1]);
    let mix = |a: u8, b: u8| (f64::from(a) + (f64::from(b) - f64::from(a)) * f).round() as u8;
    RGBColor(mix(a.0, b.0), mix(a.1, b.1), mix(a.2, b.2))
}

/// Registers the embedded DejaVu Sans as "sans-serif" for plotters, once: text then draws the same on every
/// machine, with no system font.
pub(crate) fn register_fonts() {
    static FONTS: Once = Once::new();
    FONTS.call_once(|| {
        let regular = register_font("sans-serif", FontStyle::Normal, dejavu::sans::regular());
        let bold = register_font("sans-serif", FontStyle::Bold, dejavu::sans::bold());
        assert!(regular.is_ok() && bold.is_ok(), "the embedded DejaVu Sans parses");
    });
}

/// The PNG charts' backend over an RGB buffer (what `render` draws on, minus the file).
#[cfg(test)]
pub(crate) fn bitmap(buffer: &mut [u8], size: (u32, u32)) -> Kerned<BitMapBackend<'_>> {
    Kerned(BitMapBackend::with_buffer(buffer, size))
}

/// Draws `spec` into `path`: SVG when it ends in `.svg`, else PNG.
pub(crate) fn render(spec: &Spec, style: &Style, path: &Path) -> Result<()> {
    let svg = super::is_svg(path)?;
    register_fonts();
    let failed = |source: Box<dyn std::error::Error + Send + Sync>| Error::Plot {
        path: path.to_owned(),
        source,
    };
    let size = (style.width, style.height);
    if svg {
        let root = SVGBackend::new(path, size).into_drawing_area();
        draw(&root, spec, style).map_err(|e| failed(Box::new(e)))?;
        root.present().map_err(|e| failed(Box::new(e)))?;
    } else {
        let root = Kerned(BitMapBackend::new(path, size)).into_drawing_area();
        draw(&root, spec, style).map_err(|e| failed(Box::new(e)))?;
        root.present().map_err(|e| failed(Box::new(e)))?;
    }
    Ok(())
}

type DrawResult<DB> = std::result::Result<(), DrawingAreaErrorKind<<DB as DrawingBackend>::ErrorType>>;

/// The chart plotters draws on: x against the left y axis, and against the right one (the left again when the
/// spec has none).
type Chart<'a, DB> = DualCoordChartContext<'a, DB, Cartesian2d<Axis, Axis>, Cartesian2d<Axis, Axis>>;

/// The text sizes of a picture: 14 px labels at the default 1600x800, growing and shrinking with the picture
/// within reason.
struct Text<'a> {
    zoom: f64,
    label: TextStyle<'a>,
    desc: TextStyle<'a>,
}

impl Text<'_> {
    fn of(style: &Style, palette: &Palette) -> Self {
        let zoom = (f64::from(style.width) / 1600.0)
            .min(f64::from(style.height) / 800.0)
            .clamp(0.75, 2.5);
        let size = |px: f64| (px * zoom).round();
        Text {
            zoom,
            label: ("sans-serif", size(14.0)).into_font().color(&palette.text),
            desc: ("sans-serif", size(15.0)).into_font().color(&palette.text),
        }
    }

    /// `px` at this picture's zoom.
    fn size(&self, px: f64) -> f64 {
        (px * self.zoom).round()
    }
}

fn draw<DB: DrawingBackend>(root: &DrawingArea<DB, Shift>, spec: &Spec, style: &Style) -> DrawResult<DB> {
    let palette = Palette::of(style.theme);
    root.fill(&palette.background)?;
    let text = Text::of(style, &palette);
    let mut chart = frame(root, spec, &text, &palette)?;
    let (area_width, area_height) = chart.plotting_area().dim_in_pixel();
    let area = (area_width as i32, area_height as i32);
    let mut ink = labels::Ink::new(area);
    let mut legend = Vec::new();
    for layer in &spec.layers {
        if draw_layer(root, &mut chart, layer, spec, &palette, style, &mut ink)? {
            legend.extend(layer.legend_label());
        }
    }
    let margin = text.size(10.0) as i32;
    let swatch = text.size(26.0) as i32;
    // The legend's box as plotters lays it out (the labels' text plus the swatch and a margin each side), put in
    // the corner of the plotting area that hides no bot wave and the least of the data: the upper left, the usual
    // place, is where a recent wave sits on a `--since` chart, and on a small chart where the first stream's line
    // or a chapter's name is.
    let legend_box = if legend.is_empty() {
        None
    } else {
        let mut lines = MultiLineText::<_, &str>::new((0, 0), &text.label);
        legend.iter().for_each(|line| lines.push_line(*line));
        let (width, height) = lines.estimate_dimension().map_err(|e| {
            DrawingAreaErrorKind::BackendError(plotters_backend::DrawingErrorKind::FontError(Box::new(e)))
        })?;
        let outlines: Vec<labels::Rect> = spec
            .layers
            .iter()
            .filter_map(|layer| match layer {
                Layer::Waves { waves, .. } => Some(wave_outlines(&chart, waves, style, &palette)),
                _ => None,
            })
            .flatten()
            .collect();
        let size = (width + swatch + 2 * margin, height + 2 * margin);
        Some(labels::corner(size, area, &outlines, &ink))
    };
    if let Some(at) = legend_box {
        chart
            .configure_series_labels()
            .position(SeriesLabelPosition::Coordinate(at.left, at.top))
            .margin(margin as u32)
            .legend_area_size(swatch as u32)
            .background_style(palette.legend.filled())
            .border_style(palette.axis)
            .label_font(text.label.clone())
            .draw()?;
    }
    // Wave labels go last, clear of the legend.
    for layer in &spec.layers {
        if let Layer::Waves { waves, .. } = layer {
            label_waves(&chart, waves, legend_box, &palette, style)?;
        }
    }
    Ok(())
}

/// The title and its font: at the picture's title size when it fits in `room` pixels, else as much smaller as it
/// takes (down to three fifths of it), else at that size and shortened with `…`. A long title on a small picture
/// ran off both edges.
fn fit_title<'a, DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    title: &str,
    text: &Text<'_>,
    palette: &'a Palette,
    room: i32,
) -> std::result::Result<(String, TextStyle<'a>), DrawingAreaErrorKind<DB::ErrorType>> {
    let font = |px: f64| ("sans-serif", px, FontStyle::Bold).into_font().color(&palette.text);
    let width = |words: &str, px: f64| root.estimate_text_size(words, &font(px)).map(|(w, _)| w as i32);
    let largest = text.size(22.0);
    let smallest = (largest * 0.6).round();
    let mut px = largest;
    while px > smallest && width(title, px)? > room {
        px -= 1.0;
    }
    let mut words = title.to_owned();
    let mut kept: Vec<char> = title.chars().collect();
    while kept.len() > 1 && width(&words, px)? > room {
        kept.pop();
        words = kept.iter().collect::<String>().trim_end().to_owned() + "…";
    }
    Ok((words, font(px)))
}

/// The chart's frame: the caption, the label areas sized to the widest tick label, the grid and the axes (the
/// right one when the spec has it).
fn frame<'a, DB: DrawingBackend>(
    root: &'a DrawingArea<DB, Shift>,
    spec: &Spec,
    text: &Text<'_>,
    palette: &Palette,
) -> std::result::Result<Chart<'a, DB>, DrawingAreaErrorKind<DB::ErrorType>> {
    let side = |axis: &Axis| -> std::result::Result<u32, DrawingAreaErrorKind<DB::ErrorType>> {
        let mut widest = 0;
        for &tick in axis.ticks() {
            widest = widest.max(root.estimate_text_size(&axis.label(tick), &text.label)?.0);
        }
        Ok(widest + text.size(34.0) as u32)
    };
    let left = side(&spec.y)?;
    let right = match &spec.right {
        Some(axis) => side(axis)?,
        None => 0,
    };
    let bottom = text.size(58.0) as u32;
    let margin = text.size(14.0);
    let room = root.dim_in_pixel().0 as i32 - 2 * margin as i32;
    let (title, title_font) = fit_title(root, &spec.title, text, palette, room)?;

    let mut chart = ChartBuilder::on(root)
        .caption(&title, title_font)
        .margin(margin as u32)
        .margin_right(if right > 0 { text.size(8.0) } else { text.size(30.0) } as u32)
        .set_label_area_size(LabelAreaPosition::Left, left)
        .set_label_area_size(LabelAreaPosition::Bottom, bottom)
        .set_label_area_size(LabelAreaPosition::Right, right)
        .build_cartesian_2d(spec.x.clone(), spec.y.clone())?
        .set_secondary_coord(spec.x.clone(), spec.right.clone().unwrap_or_else(|| spec.y.clone()));

    chart
        .configure_mesh()
        .x_desc(spec.x_desc.as_str())
        .y_desc(spec.y_desc.as_str())
        .label_style(text.label.clone())
        .axis_desc_style(text.desc.clone())
        .bold_line_style(palette.grid)
        .axis_style(palette.axis)
        .x_labels(spec.x.ticks().len().max(2))
        .y_labels(spec.y.ticks().len().max(2))
        .draw()?;
    if let Some(axis) = &spec.right {
        chart
            .configure_secondary_axes()
            .y_desc(spec.right_desc.as_str())
            .label_style(text.label.clone())
            .axis_desc_style(text.desc.clone())
            .axis_style(palette.axis)
            .y_labels(axis.ticks().len().max(2))
            .draw()?;
    }
    Ok(chart)
}

impl Layer {
    /// The layer's line in the legend, when drawing it put one there.
    fn legend_label(&self) -> Option<&str> {
        match self {
            Layer::Spans { label, .. }
            | Layer::Planned { label, .. }
            | Layer::Dots { label, .. }
            | Layer::Waves { label, .. }
            | Layer::Bars { label, .. }
            | Layer::Chapters { label, .. }
            | Layer::Marks { label, .. } => Some(label),
            Layer::Line { label, .. } => label.as_deref(),
        }
    }
}

/// Draws one layer, marking in `ink` what the legend should not hide; returns whether it put an entry in the
/// legend.
fn draw_layer<'a, DB: DrawingBackend + 'a>(
    root: &DrawingArea<DB, Shift>,
    chart: &mut Chart<'a, DB>,
    layer: &Layer,
    spec: &Spec,
    palette: &Palette,
    style: &Style,
    ink: &mut labels::Ink,
) -> std::result::Result<bool, DrawingAreaErrorKind<DB::ErrorType>> {
    match layer {
        Layer::Spans { spans, label } => draw_spans(chart, spans, label, spec, palette.spans),
        Layer::Planned { spans, label } => draw_spans(chart, spans, label, spec, palette.planned),
        Layer::Dots { points, density, label } => {
            draw_dots(root, chart, points, *density, palette, style, ink)?;
            let legend = chart.draw_series(std::iter::empty::<Rectangle<(i64, i64)>>())?;
            legend.label(label.as_str());
            if *density {
                let colours: Vec<RGBColor> = (0..5)
                    .map(|i| density_colour(&palette.density, f64::from(i) / 4.0))
                    .collect();
                legend.legend(move |(x, y)| {
                    EmptyElement::at((x, y))
                        + Rectangle::new([(0, -4), (3, 4)], colours[0].filled())
                        + Rectangle::new([(4, -4), (7, 4)], colours[1].filled())
                        + Rectangle::new([(8, -4), (11, 4)], colours[2].filled())
                        + Rectangle::new([(12, -4), (15, 4)], colours[3].filled())
                        + Rectangle::new([(16, -4), (19, 4)], colours[4].filled())
                });
            } else {
                let colour = palette.points;
                legend.legend(move |(x, y)| Rectangle::new([(x + 5, y - 4), (x + 13, y + 4)], colour.filled()));
            }
            Ok(true)
        }
        Layer::Line { .. } => draw_line(chart, layer, spec, palette, ink),
        Layer::Waves { waves, label } => draw_waves(chart, waves, label, palette, style),
        Layer::Marks { marks, paint, label } => {
            draw_marks(chart, marks, palette.paint(*paint), label, spec, style, ink)
        }
        Layer::Chapters { chapters, label } => draw_chapters(chart, chapters, label, spec, palette, style, ink),
        Layer::Bars { bars, label } => {
            let colour = palette.bars;
            // A pixel of gap between bars when they are wide enough to spare it.
            let width = bars.first().map_or(0, |&(from, to, _)| {
                spec.x.pixel(to, style.width as i32) - spec.x.pixel(from, style.width as i32)
            });
            let gap = u32::from(width >= 4);
            let baseline = spec.y.lo();
            for &(from, to, height) in bars {
                let ((left, top), (right, bottom)) = (
                    in_area(chart, (from, height), false),
                    in_area(chart, (to, baseline), false),
                );
                ink.area(
                    &labels::Rect::new(left, top, right - left, bottom - top),
                    labels::Ink::DOT,
                );
            }
            chart
                .draw_series(bars.iter().map(|&(from, to, height)| {
                    let mut bar = Rectangle::new([(from, baseline), (to, height)], colour.filled());
                    bar.set_margin(0, 0, gap, gap);
                    bar
                }))?
                .label(label.as_str())
                .legend(move |(x, y)| Rectangle::new([(x + 3, y - 6), (x + 15, y + 6)], colour.filled()));
            Ok(true)
        }
    }
}

/// Where `point` (on the right axis when `right`, else the left) falls, in pixels of the plotting area.
fn in_area<DB: DrawingBackend>(chart: &Chart<'_, DB>, point: (i64, i64), right: bool) -> (i32, i32) {
    let (xs, ys) = chart.plotting_area().get_pixel_range();
    let (x, y) = if right {
        chart.borrow_secondary().backend_coord(&point)
    } else {
        chart.backend_coord(&point)
    };
    (x - xs.start, y - ys.start)
}

/// About the widest a character of DejaVu Sans is, in ems: what a label's width is estimated from.
const CHAR_WIDTH: f64 = 0.62;

/// The pixels of the plotting area a one-line text of `chars` characters at `px` covers, from `(x, y)` its
/// corner on the `h` (left or right) and `v` (top or bottom) side.
fn text_box(x: i32, y: i32, chars: usize, px: f64, h: HPos, v: VPos) -> labels::Rect {
    let (width, height) = ((chars as f64 * px * CHAR_WIDTH).ceil() as i32, px.ceil() as i32);
    let left = if matches!(h, HPos::Right) { x - width } else { x };
    let top = if matches!(v, VPos::Bottom) { y - height } else { y };
    labels::Rect::new(left, top, width, height)
}

/// Stream sessions as bands over the whole height, cut to the x axis; no legend entry when none is on it.
fn draw_spans<'a, DB: DrawingBackend + 'a>(
    chart: &mut Chart<'a, DB>,
    spans: &[(i64, i64)],
    label: &str,
    spec: &Spec,
    fill: RGBAColor,
) -> std::result::Result<bool, DrawingAreaErrorKind<DB::ErrorType>> {
    let (lo, hi) = (spec.x.lo(), spec.x.hi());
    let bands: Vec<_> = spans
        .iter()
        .filter(|(start, end)| *end >= lo && *start <= hi)
        .map(|&(start, end)| {
            Rectangle::new(
                [(start.max(lo), spec.y.lo()), (end.min(hi), spec.y.hi())],
                fill.filled(),
            )
        })
        .collect();
    // No legend entry for streams that all fall outside the chart.
    if bands.is_empty() {
        return Ok(false);
    }
    chart
        .draw_series(bands)?
        .label(label)
        .legend(move |(x, y)| Rectangle::new([(x, y - 6), (x + 18, y + 6)], fill.filled()));
    Ok(true)
}

/// The share of a chart's height kept above its data when it has chapter bands, for their labels: they stand on
/// the strip's lower edge, under the legend and the labels of [`Layer::Marks`] at the top, over no bar.
pub(crate) const CHAPTER_HEADROOM: f64 = 0.22;

/// A [`Layer::Chapters`]: each chapter a band over the whole height, cut to the x axis, in alternating tints, its
/// game written on the lower edge of the strip kept clear above the data ([`CHAPTER_HEADROOM`]), shortened with
/// `…` to the band's width (and left out when not even a few letters fit). No legend entry when no chapter is on
/// the axis.
fn draw_chapters<'a, DB: DrawingBackend + 'a>(
    chart: &mut Chart<'a, DB>,
    chapters: &[(i64, i64, String)],
    label: &str,
    spec: &Spec,
    palette: &Palette,
    style: &Style,
    ink: &mut labels::Ink,
) -> std::result::Result<bool, DrawingAreaErrorKind<DB::ErrorType>> {
    let (lo, hi) = (spec.x.lo(), spec.x.hi());
    let shown: Vec<(usize, i64, i64, &str)> = chapters
        .iter()
        .enumerate()
        .filter(|(_, (start, end, _))| *end > lo && *start < hi)
        .map(|(i, (start, end, game))| (i, (*start).max(lo), (*end).min(hi), game.as_str()))
        .collect();
    if shown.is_empty() {
        return Ok(false);
    }
    let tints = palette.chapters;
    chart
        .draw_series(shown.iter().map(|&(i, start, end, _)| {
            Rectangle::new([(start, spec.y.lo()), (end, spec.y.hi())], tints[i % 2].filled())
        }))?
        .label(label)
        .legend(move |(x, y)| {
            EmptyElement::at((x, y))
                + Rectangle::new([(0, -6), (9, 6)], tints[0].filled())
                + Rectangle::new([(9, -6), (18, 6)], tints[1].filled())
        });
    let text = Text::of(style, palette);
    let px = text.size(12.0);
    let font = ("sans-serif", px)
        .into_font()
        .color(&palette.text)
        .pos(Pos::new(HPos::Left, VPos::Bottom));
    let (y_lo, y_hi) = (spec.y.lo(), spec.y.hi());
    let baseline = y_lo + ((y_hi - y_lo) as f64 * (1.0 - CHAPTER_HEADROOM)).round() as i64;
    // So that a shortened name never runs past its band.
    let per_char = px * CHAR_WIDTH;
    let width = style.width as i32;
    let labels: Vec<_> = shown
        .iter()
        .filter_map(|&(_, start, end, game)| {
            let room = f64::from(spec.x.pixel(end, width) - spec.x.pixel(start, width)) - 8.0;
            let fits = (room / per_char).floor() as usize;
            let count = game.chars().count();
            let name = if count <= fits {
                game.to_owned()
            } else if fits >= 4 {
                let mut short: String = game.chars().take(fits - 1).collect();
                short.push('…');
                short
            } else {
                return None;
            };
            let (x, y) = in_area(chart, (start, baseline), false);
            let words = text_box(x + 4, y - 3, name.chars().count(), px, HPos::Left, VPos::Bottom);
            ink.area(&words, labels::Ink::TEXT);
            Some(EmptyElement::at((start, baseline)) + plotters::element::Text::new(name, (4, -3), font.clone()))
        })
        .collect();
    chart.draw_series(labels)?;
    Ok(true)
}

/// A [`Layer::Marks`]: a line up the chart at each mark on the x axis, its label beside the top; successive
/// labels step down a line each (three steps, then back up) so close marks do not print over each other. No
/// legend entry when no mark is on the axis.
fn draw_marks<'a, DB: DrawingBackend + 'a>(
    chart: &mut Chart<'a, DB>,
    marks: &[(i64, String)],
    colour: RGBColor,
    label: &str,
    spec: &Spec,
    style: &Style,
    ink: &mut labels::Ink,
) -> std::result::Result<bool, DrawingAreaErrorKind<DB::ErrorType>> {
    let (lo, hi) = (spec.x.lo(), spec.x.hi());
    let shown: Vec<&(i64, String)> = marks.iter().filter(|(x, _)| (lo..=hi).contains(x)).collect();
    if shown.is_empty() {
        return Ok(false);
    }
    let text = Text::of(style, &Palette::of(style.theme));
    let font = ("sans-serif", text.size(12.0)).into_font().color(&colour);
    let step = text.size(15.0) as i32;
    let top = spec.y.hi();
    chart
        .draw_series(
            shown
                .iter()
                .map(|(x, _)| PathElement::new(vec![(*x, spec.y.lo()), (*x, top)], colour.stroke_width(2))),
        )?
        .label(label)
        .legend(move |(x, y)| PathElement::new(vec![(x + 9, y - 7), (x + 9, y + 7)], colour.stroke_width(2)));
    // A label in the right fifth of the chart goes left of its line, so it is not cut off at the edge.
    let right_side = lo + (hi - lo) / 5 * 4;
    let leftward = font.pos(Pos::new(HPos::Right, VPos::Top));
    let px = text.size(12.0);
    let mut words = Vec::with_capacity(shown.len());
    for (i, (x, name)) in shown.iter().enumerate() {
        let dy = 4 + step * (i % 3) as i32;
        let (dx, font, side) = if *x > right_side {
            (-4, &leftward, HPos::Right)
        } else {
            (4, &font, HPos::Left)
        };
        let (at_x, at_y) = in_area(chart, (*x, top), false);
        ink.area(
            &text_box(at_x + dx, at_y + dy, name.chars().count(), px, side, VPos::Top),
            labels::Ink::TEXT,
        );
        words.push(EmptyElement::at((*x, top)) + plotters::element::Text::new(name.clone(), (dx, dy), font.clone()));
    }
    chart.draw_series(words)?;
    Ok(true)
}

/// A [`Layer::Waves`]: each wave outlined, at least a few pixels each way so that a wave of minutes stays
/// visible on a chart of years. Their labels are drawn after the legend ([`label_waves`]).
fn draw_waves<'a, DB: DrawingBackend + 'a>(
    chart: &mut Chart<'a, DB>,
    waves: &[Wave],
    label: &str,
    palette: &Palette,
    style: &Style,
) -> std::result::Result<bool, DrawingAreaErrorKind<DB::ErrorType>> {
    if waves.is_empty() {
        return Ok(false);
    }
    let colour = palette.waves;
    let area = chart.plotting_area().strip_coord_spec();
    for outline in wave_outlines(chart, waves, style, palette) {
        area.draw(&Rectangle::new(
            [(outline.left, outline.top), (outline.right, outline.bottom)],
            colour.stroke_width(2),
        ))?;
    }
    // The legend entry: an outlined square.
    chart
        .draw_series(std::iter::empty::<Rectangle<(i64, i64)>>())?
        .label(label)
        .legend(move |(x, y)| Rectangle::new([(x + 3, y - 6), (x + 15, y + 6)], colour.stroke_width(2)));
    Ok(true)
}

/// Each wave's outline in the plotting area's pixels.
fn wave_outlines<DB: DrawingBackend>(
    chart: &Chart<'_, DB>,
    waves: &[Wave],
    style: &Style,
    palette: &Palette,
) -> Vec<labels::Rect> {
    let least = Text::of(style, palette).size(7.0) as i32;
    let (xs, ys) = chart.plotting_area().get_pixel_range();
    let grow = |lo: i32, hi: i32| {
        let short = (least - (hi - lo)).max(0);
        (lo - short / 2 - 2, hi + (short + 1) / 2 + 2)
    };
    waves
        .iter()
        .map(|wave| {
            let (x0, y1) = chart.backend_coord(&(wave.followed.0, wave.created.0));
            let (x1, y0) = chart.backend_coord(&(wave.followed.1, wave.created.1));
            let ((x0, x1), (y0, y1)) = (grow(x0, x1), grow(y0, y1));
            labels::Rect {
                left: x0 - xs.start,
                top: y0 - ys.start,
                right: x1 - xs.start,
                bottom: y1 - ys.start,
            }
        })
        .collect()
}

/// Each wave's label, its size and the day it began, beside its outline: inside the plotting area, clear of the
/// legend (`legend`, when there is one) and of one another ([`labels::place`]).
fn label_waves<DB: DrawingBackend>(
    chart: &Chart<'_, DB>,
    waves: &[Wave],
    legend: Option<labels::Rect>,
    palette: &Palette,
    style: &Style,
) -> DrawResult<DB> {
    let text = Text::of(style, palette);
    let font = ("sans-serif", text.size(13.0), FontStyle::Bold)
        .into_font()
        .color(&palette.waves)
        .pos(Pos::new(HPos::Left, VPos::Top));
    let area = chart.plotting_area().strip_coord_spec();
    let (width, height) = area.dim_in_pixel();
    let words: Vec<String> = waves
        .iter()
        .map(|wave| {
            let day = chrono::DateTime::from_timestamp(wave.followed.0, 0)
                .map(|t| t.format("%Y-%m-%d").to_string())
                .unwrap_or_default();
            format!("{} accounts, {day}", super::axis::thousands(wave.size as i64))
        })
        .collect();
    let mut boxes = Vec::with_capacity(waves.len());
    for (outline, words) in wave_outlines(chart, waves, style, palette).into_iter().zip(&words) {
        let (w, h) = area.estimate_text_size(words, &font)?;
        boxes.push((outline, (w as i32, h as i32)));
    }
    let bounds = labels::Rect::new(0, 0, width as i32, height as i32);
    let taken: Vec<labels::Rect> = legend.into_iter().collect();
    for (corner, words) in labels::place(&boxes, bounds, &taken, 3).into_iter().zip(words) {
        area.draw(&plotters::element::Text::new(words, corner, font.clone()))?;
    }
    Ok(())
}

/// A [`Layer::Line`]: the area under it when filled, the line, its markers; on the right axis when it says so.
fn draw_line<'a, DB: DrawingBackend + 'a>(
    chart: &mut Chart<'a, DB>,
    layer: &Layer,
    spec: &Spec,
    palette: &Palette,
    ink: &mut labels::Ink,
) -> std::result::Result<bool, DrawingAreaErrorKind<DB::ErrorType>> {
    let Layer::Line {
        points,
        paint,
        right,
        fill,
        markers,
        label,
    } = layer
    else {
        unreachable!("draw_layer hands over lines only");
    };
    let colour = palette.paint(*paint);
    let axis = if *right {
        spec.right.as_ref().unwrap_or(&spec.y)
    } else {
        &spec.y
    };
    let baseline = axis.lo().max(0);
    if *fill && let (Some(first), Some(last)) = (points.first(), points.last()) {
        // The area under the line, as one polygon down to the baseline.
        let mut outline = points.clone();
        outline.push((last.0, baseline));
        outline.push((first.0, baseline));
        let area = std::iter::once(Polygon::new(outline, colour.mix(0.06).filled()));
        if *right {
            chart.draw_secondary_series(area)?;
        } else {
            chart.draw_series(area)?;
        }
    }
    let pixels: Vec<(i32, i32)> = points.iter().map(|&point| in_area(chart, point, *right)).collect();
    for pair in pixels.windows(2) {
        ink.segment(pair[0], pair[1], labels::Ink::LINE);
    }
    if let [only] = pixels[..] {
        ink.point(only, labels::Ink::LINE);
    }
    let line = LineSeries::new(points.iter().copied(), colour.stroke_width(2));
    let anno = if *right {
        chart.draw_secondary_series(line)?
    } else {
        chart.draw_series(line)?
    };
    let labelled = label.is_some();
    if let Some(label) = label {
        anno.label(label.as_str())
            .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 18, y)], colour.stroke_width(3)));
    }
    if *markers {
        let dots = points.iter().map(|&point| Circle::new(point, 3, colour.filled()));
        if *right {
            chart.draw_secondary_series(dots)?;
        } else {
            chart.draw_series(dots)?;
        }
    }
    Ok(labelled)
}

/// The dots of a scatter. Points are counted into cells of a pixel grid: each occupied cell `dot` pixels wide is
/// drawn once. With `density` its colour follows the count of its bin (3x3 cells) on a log scale. Dense cells are
/// no longer drawn larger: at 300,000 follows that painted blocks along the natural young-account edge of every
/// month (issue 15); the waves `itch report bot-waves` finds are outlined instead ([`Layer::Waves`]). No
/// per-point work but the count: a million points cost what the cells they cover cost.
fn draw_dots<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    chart: &Chart<'_, DB>,
    points: &[(i64, i64)],
    density: bool,
    palette: &Palette,
    style: &Style,
    ink: &mut labels::Ink,
) -> DrawResult<DB> {
    let (xs, ys) = chart.plotting_area().get_pixel_range();
    let (width, height) = ((xs.end - xs.start).max(1) as usize, (ys.end - ys.start).max(1) as usize);
    let dot = (style.width as usize / 700).clamp(2, 6);
    let bin = dot * 3;
    let (columns, rows) = (width.div_ceil(dot), height.div_ceil(dot));
    let bin_columns = width.div_ceil(bin);
    let mut occupied = vec![false; columns * rows];
    let mut counts = vec![0u32; bin_columns * height.div_ceil(bin)];
    for point in points {
        let (px, py) = chart.backend_coord(point);
        if !xs.contains(&px) || !ys.contains(&py) {
            continue;
        }
        let (dx, dy) = ((px - xs.start) as usize, (py - ys.start) as usize);
        ink.point((dx as i32, dy as i32), labels::Ink::DOT);
        occupied[dy / dot * columns + dx / dot] = true;
        counts[dy / bin * bin_columns + dx / bin] += 1;
    }
    let densest = f64::from(counts.iter().copied().max().unwrap_or(1).max(2)).ln();
    // (bin count, x, y) of each occupied cell, sparse first so dense cells are drawn on top.
    let mut cells: Vec<(u32, usize, usize)> = occupied
        .iter()
        .enumerate()
        .filter(|(_, occupied)| **occupied)
        .map(|(cell, _)| {
            let (cx, cy) = (cell % columns * dot, cell / columns * dot);
            (counts[cy / bin * bin_columns + cx / bin], cx, cy)
        })
        .collect();
    if density {
        cells.sort_unstable_by_key(|cell| cell.0);
    }
    for (count, cx, cy) in cells {
        let colour = if density {
            density_colour(&palette.density, f64::from(count).ln() / densest)
        } else {
            palette.points
        };
        let (x, y) = (xs.start + cx as i32, ys.start + cy as i32);
        let side = dot as i32;
        let cell = Rectangle::new([(x, y), (x + side - 1, y + side - 1)], colour.filled());
        root.draw(&cell)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The title `fit_title` gives for `title` on a picture of `size`, its width in pixels, and the room it had.
    fn fitted(title: &str, size: (u32, u32)) -> (String, i32, i32) {
        register_fonts();
        let mut svg = String::new();
        let root = SVGBackend::with_string(&mut svg, size).into_drawing_area();
        let palette = Palette::of(Theme::Light);
        let style = Style {
            width: size.0,
            height: size.1,
            ..Style::default()
        };
        let text = Text::of(&style, &palette);
        let room = size.0 as i32 - 2 * text.size(14.0) as i32;
        let (words, font) = fit_title(&root, title, &text, &palette, room).unwrap();
        let width = root.estimate_text_size(&words, &font).unwrap().0 as i32;
        (words, width, room)
    }

    const LONG: &str = "zestytoast: when followers followed, and when their accounts were made";

    #[test]
    fn a_title_that_fits_is_drawn_whole_at_its_size() {
        let (words, width, room) = fitted(LONG, (1600, 800));
        assert_eq!(words, LONG);
        assert!(width <= room);
    }

    #[test]
    fn a_long_title_on_a_small_picture_shrinks_then_is_cut_to_fit() {
        // At 480 px the title at its size was 640 px wide and ran off both edges (issue 15).
        let (words, width, room) = fitted(LONG, (480, 260));
        assert!(width <= room, "{words:?} is {width} px in {room}");
        assert_eq!(words, LONG, "a smaller font is enough here");
        let (words, width, room) = fitted(LONG, (300, 200));
        assert!(width <= room, "{words:?} is {width} px in {room}");
        assert!(
            words.ends_with('…') && words.starts_with("zestytoast: when"),
            "{words:?}"
        );
    }
}
