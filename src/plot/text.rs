//! Text on PNG charts, drawn with the glyph placement the font asks for. plotters 0.3.7's `ab_glyph` drawing puts
//! each glyph's ink at the pen position and drops its left side bearing (it draws the outline from its pixel
//! bounds' corner, then truncates the pen), so letters with a wide bearing (U, 0, 1) slide left and narrow ones
//! (T, C) collide: every label read like `(U TC)` or `video 21 02255 41 2`. [`Kerned`] wraps a bitmap backend and
//! draws text itself from the same embedded DejaVu Sans: pen advance, kerning, and each outline placed at its own
//! bounds. Everything else goes straight to the wrapped backend. SVG needs none of this: its text is `<text>`,
//! laid out by the viewer.

use ab_glyph::{Font, FontRef, OutlinedGlyph, PxScale, ScaleFont, point};
use plotters::style::FontStyle;
use plotters_backend::text_anchor::{HPos, VPos};
use plotters_backend::{BackendColor, BackendCoord, BackendStyle, BackendTextStyle, DrawingBackend, DrawingErrorKind};
use std::sync::OnceLock;

/// A bitmap backend whose text is laid out by [`layout`].
pub(crate) struct Kerned<B>(pub B);

/// The embedded DejaVu Sans, regular or bold, parsed once.
fn font(style: FontStyle) -> &'static FontRef<'static> {
    static REGULAR: OnceLock<FontRef<'static>> = OnceLock::new();
    static BOLD: OnceLock<FontRef<'static>> = OnceLock::new();
    let (cell, bytes) = match style {
        FontStyle::Bold => (&BOLD, dejavu::sans::bold()),
        _ => (&REGULAR, dejavu::sans::regular()),
    };
    cell.get_or_init(|| FontRef::try_from_slice(bytes).expect("the embedded DejaVu Sans parses"))
}

/// The outlines of `text` at `size` px, placed as a text engine places them: the pen moves by each glyph's advance
/// plus the kerning of the pair, and each outline sits at its own bounds (side bearing included). The baseline is
/// at `size / 2`, where plotters puts it, so text stays where the rest of plotters' layout expects it.
pub(crate) fn layout(text: &str, size: f64, style: FontStyle) -> Vec<OutlinedGlyph> {
    let font = font(style);
    let scale = PxScale::from(size as f32);
    let scaled = font.as_scaled(scale);
    let baseline = size as f32 / 2.0;
    let (mut pen, mut previous, mut glyphs) = (0f32, None, Vec::new());
    for c in text.chars() {
        let id = scaled.glyph_id(c);
        if let Some(previous) = previous {
            pen += scaled.kern(previous, id);
        }
        if let Some(outline) = font.outline_glyph(id.with_scale_and_position(scale, point(pen, baseline))) {
            glyphs.push(outline);
        }
        pen += scaled.h_advance(id);
        previous = Some(id);
    }
    glyphs
}

impl<B: DrawingBackend> DrawingBackend for Kerned<B> {
    type ErrorType = B::ErrorType;

    fn get_size(&self) -> (u32, u32) {
        self.0.get_size()
    }

    fn ensure_prepared(&mut self) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        self.0.ensure_prepared()
    }

    fn present(&mut self) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        self.0.present()
    }

    fn draw_pixel(
        &mut self,
        point: BackendCoord,
        color: BackendColor,
    ) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        self.0.draw_pixel(point, color)
    }

    fn draw_line<S: BackendStyle>(
        &mut self,
        from: BackendCoord,
        to: BackendCoord,
        style: &S,
    ) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        self.0.draw_line(from, to, style)
    }

    fn draw_rect<S: BackendStyle>(
        &mut self,
        upper_left: BackendCoord,
        bottom_right: BackendCoord,
        style: &S,
        fill: bool,
    ) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        self.0.draw_rect(upper_left, bottom_right, style, fill)
    }

    fn draw_path<S: BackendStyle, I: IntoIterator<Item = BackendCoord>>(
        &mut self,
        path: I,
        style: &S,
    ) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        self.0.draw_path(path, style)
    }

    fn draw_circle<S: BackendStyle>(
        &mut self,
        center: BackendCoord,
        radius: u32,
        style: &S,
        fill: bool,
    ) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        self.0.draw_circle(center, radius, style, fill)
    }

    fn fill_polygon<S: BackendStyle, I: IntoIterator<Item = BackendCoord>>(
        &mut self,
        vert: I,
        style: &S,
    ) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        self.0.fill_polygon(vert, style)
    }

    fn blit_bitmap(
        &mut self,
        pos: BackendCoord,
        (iw, ih): (u32, u32),
        src: &[u8],
    ) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        self.0.blit_bitmap(pos, (iw, ih), src)
    }

    /// plotters' own `draw_text` (anchor from the layout box, rotation, clipping to the picture), with the glyphs
    /// from [`layout`].
    fn draw_text<S: BackendTextStyle>(
        &mut self,
        text: &str,
        style: &S,
        pos: BackendCoord,
    ) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        let color = style.color();
        if color.alpha == 0.0 {
            return Ok(());
        }
        let ((min_x, min_y), (max_x, max_y)) = style
            .layout_box(text)
            .map_err(|e| DrawingErrorKind::FontError(Box::new(e)))?;
        let (width, height) = (max_x - min_x, max_y - min_y);
        let dx = match style.anchor().h_pos {
            HPos::Left => 0,
            HPos::Right => -width,
            HPos::Center => -width / 2,
        };
        let dy = match style.anchor().v_pos {
            VPos::Top => 0,
            VPos::Center => -height / 2,
            VPos::Bottom => -height,
        };
        let transform = style.transform();
        let (w, h) = self.get_size();
        for glyph in layout(text, style.size(), style.style()) {
            let bounds = glyph.px_bounds();
            let mut pixels = Vec::new();
            glyph.draw(|x, y, coverage| pixels.push((x, y, coverage)));
            for (x, y, coverage) in pixels {
                if coverage <= 0.0 {
                    continue;
                }
                let (x, y) = (bounds.min.x as i32 + x as i32, bounds.min.y as i32 + y as i32);
                let (x, y) = transform.transform(x + dx - min_x, y + dy - min_y);
                let (x, y) = (pos.0 + x, pos.1 + y);
                if x >= 0 && x < w as i32 && y >= 0 && y < h as i32 {
                    let shade = BackendColor {
                        alpha: color.alpha * f64::from(coverage.min(1.0)),
                        rgb: color.rgb,
                    };
                    self.0.draw_pixel((x, y), shade)?;
                }
            }
        }
        Ok(())
    }
}
