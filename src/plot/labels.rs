//! Where a short label goes beside a marked box (a bot wave's outline) so that it stays inside the plotting area
//! and clear of the legend and of the labels placed before it. On a small chart a label put naively above its box
//! ran off the right edge, over the top of the area, or under the legend (issue 15).

/// A rectangle in pixels: left, top, right, bottom (right and bottom exclusive).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Rect {
    pub left: i32,
    pub top: i32,
    pub right: i32,
    pub bottom: i32,
}

impl Rect {
    pub(crate) fn new(left: i32, top: i32, width: i32, height: i32) -> Rect {
        Rect {
            left,
            top,
            right: left + width,
            bottom: top + height,
        }
    }

    fn overlaps(&self, other: &Rect) -> bool {
        self.left < other.right && other.left < self.right && self.top < other.bottom && other.top < self.bottom
    }

    fn inside(&self, area: &Rect) -> bool {
        self.left >= area.left && self.top >= area.top && self.right <= area.right && self.bottom <= area.bottom
    }

    /// Moved the least distance that puts it inside `area` (its top-left corner when it is bigger).
    fn clamped(&self, area: &Rect) -> Rect {
        let (width, height) = (self.right - self.left, self.bottom - self.top);
        let left = self.left.min(area.right - width).max(area.left);
        let top = self.top.min(area.bottom - height).max(area.top);
        Rect::new(left, top, width, height)
    }
}

/// The top-left corner of each label, one per `(box, label size)`, in order. Each label sits just above its box
/// (left-aligned with it, or right-aligned when that is what fits), else just below it, stepping further away a
/// line at a time; the first spot inside `area` that covers neither anything in `taken` nor an earlier label
/// wins. When none is free the label is moved into the area above its box, overlapping rather than lost.
pub(crate) fn place(boxes: &[(Rect, (i32, i32))], area: Rect, taken: &[Rect], gap: i32) -> Vec<(i32, i32)> {
    let mut taken = taken.to_vec();
    let mut corners = Vec::with_capacity(boxes.len());
    for &(target, (width, height)) in boxes {
        let step = height + gap;
        let mut spots = (0..3).flat_map(|lift| {
            let above = target.top - gap - height - lift * step;
            let below = target.bottom + gap + lift * step;
            [
                Rect::new(target.left, above, width, height),
                Rect::new(target.right - width, above, width, height),
                Rect::new(target.left, below, width, height),
                Rect::new(target.right - width, below, width, height),
            ]
        });
        let spot = spots
            .find(|spot| spot.inside(&area) && !taken.iter().any(|t| t.overlaps(spot)))
            .unwrap_or_else(|| Rect::new(target.left, target.top - gap - height, width, height).clamped(&area));
        taken.push(spot);
        corners.push((spot.left, spot.top));
    }
    corners
}

/// Where a box of `size` goes in an area of `area` pixels, 5 px in from a corner: of the corners whose box covers
/// none of `keep_clear` (the bot waves), the one that hides the least of what `ink` says was drawn; on a tie the
/// first of the upper left (the usual place), the upper right, the lower right, the lower left. When every corner
/// covers something of `keep_clear`, the one that hides the least ink.
pub(crate) fn corner(size: (i32, i32), area: (i32, i32), keep_clear: &[Rect], ink: &Ink) -> Rect {
    let (width, height) = size;
    let (left, right) = (5, area.0 - width - 5);
    let (top, bottom) = (5, area.1 - height - 5);
    let spots =
        [(left, top), (right, top), (right, bottom), (left, bottom)].map(|(x, y)| Rect::new(x, y, width, height));
    let least = |spots: &mut dyn Iterator<Item = Rect>| {
        spots.fold(None, |best: Option<(u64, Rect)>, spot| {
            let hidden = ink.under(&spot);
            match best {
                Some((least, _)) if least <= hidden => best,
                _ => Some((hidden, spot)),
            }
        })
    };
    let clear = least(
        &mut spots
            .iter()
            .copied()
            .filter(|spot| !keep_clear.iter().any(|r| r.overlaps(spot))),
    );
    clear
        .or_else(|| least(&mut spots.iter().copied()))
        .map_or(spots[0], |(_, spot)| spot)
}

/// What the layers drew where, on a grid of [`Ink::CELL`]-pixel cells over the plotting area, each cell weighted by
/// the most telling thing in it (a label over a line over a dot): how much a box put somewhere would hide. Cheap
/// at a million points: a point costs one cell.
pub(crate) struct Ink {
    columns: i32,
    rows: i32,
    weights: Vec<u8>,
}

impl Ink {
    /// Cells are this many pixels wide and high.
    const CELL: i32 = 6;
    /// A dot of a scatter, a bar.
    pub(crate) const DOT: u8 = 1;
    /// A line (a count, a total): hiding a stretch of it hides the trend.
    pub(crate) const LINE: u8 = 4;
    /// Text the chart wrote (a chapter's game, a mark's name).
    pub(crate) const TEXT: u8 = 30;

    /// An empty grid over a plotting area of `area` pixels.
    pub(crate) fn new(area: (i32, i32)) -> Ink {
        let cells = |pixels: i32| (pixels.max(1) + Self::CELL - 1) / Self::CELL;
        let (columns, rows) = (cells(area.0), cells(area.1));
        Ink {
            columns,
            rows,
            weights: vec![0; (columns * rows) as usize],
        }
    }

    /// Something of `weight` at pixel (`x`, `y`) of the plotting area; nothing when that is outside it.
    pub(crate) fn point(&mut self, (x, y): (i32, i32), weight: u8) {
        let (column, row) = (x.div_euclid(Self::CELL), y.div_euclid(Self::CELL));
        if (0..self.columns).contains(&column) && (0..self.rows).contains(&row) {
            let cell = &mut self.weights[(row * self.columns + column) as usize];
            *cell = (*cell).max(weight);
        }
    }

    /// A straight line from `a` to `b`, marked every few pixels along it.
    pub(crate) fn segment(&mut self, a: (i32, i32), b: (i32, i32), weight: u8) {
        let steps = (b.0 - a.0).abs().max((b.1 - a.1).abs()) / (Self::CELL / 2) + 1;
        for step in 0..=steps {
            let along = |from: i32, to: i32| from + (to - from) * step / steps;
            self.point((along(a.0, b.0), along(a.1, b.1)), weight);
        }
    }

    /// Everything inside `rect` (a bar, a label).
    pub(crate) fn area(&mut self, rect: &Rect, weight: u8) {
        for y in (rect.top..rect.bottom)
            .step_by(Self::CELL as usize)
            .chain([rect.bottom - 1])
        {
            for x in (rect.left..rect.right)
                .step_by(Self::CELL as usize)
                .chain([rect.right - 1])
            {
                self.point((x, y), weight);
            }
        }
    }

    /// The weights of the cells `rect` covers, summed.
    fn under(&self, rect: &Rect) -> u64 {
        let columns =
            rect.left.div_euclid(Self::CELL).max(0)..(rect.right - 1).div_euclid(Self::CELL).min(self.columns - 1) + 1;
        let rows =
            rect.top.div_euclid(Self::CELL).max(0)..(rect.bottom - 1).div_euclid(Self::CELL).min(self.rows - 1) + 1;
        rows.flat_map(|row| columns.clone().map(move |column| (row, column)))
            .map(|(row, column)| u64::from(self.weights[(row * self.columns + column) as usize]))
            .sum()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const AREA: Rect = Rect {
        left: 0,
        top: 0,
        right: 500,
        bottom: 300,
    };

    #[test]
    fn the_legend_leaves_the_upper_left_only_for_a_wave_it_would_hide() {
        let size = (200, 60);
        let blank = Ink::new((500, 300));
        assert_eq!(corner(size, (500, 300), &[], &blank), Rect::new(5, 5, 200, 60));
        let under_the_legend = Rect::new(100, 30, 10, 10);
        assert_eq!(
            corner(size, (500, 300), &[under_the_legend], &blank),
            Rect::new(295, 5, 200, 60)
        );
        let top_row = [under_the_legend, Rect::new(400, 10, 10, 10)];
        assert_eq!(corner(size, (500, 300), &top_row, &blank), Rect::new(295, 235, 200, 60));
        assert_eq!(corner(size, (500, 300), &[AREA], &blank), Rect::new(5, 5, 200, 60));
    }

    #[test]
    fn the_legend_goes_to_the_corner_that_hides_the_least_of_the_data() {
        let size = (200, 60);
        // A line rising from the middle of the left edge to the upper right, dots all over the upper left: the
        // lower corners are empty.
        let mut ink = Ink::new((500, 300));
        ink.segment((0, 150), (499, 0), Ink::LINE);
        for x in (0..250).step_by(7) {
            for y in (0..150).step_by(7) {
                ink.point((x, y), Ink::DOT);
            }
        }
        assert_eq!(corner(size, (500, 300), &[], &ink), Rect::new(295, 235, 200, 60));
        // A wave there: the other empty corner, the lower left.
        let wave = Rect::new(400, 260, 10, 10);
        assert_eq!(corner(size, (500, 300), &[wave], &ink), Rect::new(5, 235, 200, 60));
        // Text outweighs a line, a line a few dots but not a field of them: with a label in the lower left, the
        // upper right (a stretch of the line) wins over the upper left (the dots).
        ink.area(&Rect::new(20, 250, 60, 12), Ink::TEXT);
        assert_eq!(corner(size, (500, 300), &[wave], &ink), Rect::new(295, 5, 200, 60));
    }

    #[test]
    fn ink_outside_the_area_is_not_counted_and_does_not_panic() {
        let mut ink = Ink::new((100, 50));
        ink.point((-3, 10), Ink::TEXT);
        ink.point((100, 10), Ink::TEXT);
        ink.segment((-50, -50), (150, 100), Ink::LINE);
        ink.area(&Rect::new(90, 40, 40, 40), Ink::DOT);
        assert!(ink.under(&Rect::new(0, 0, 100, 50)) > 0);
        assert_eq!(ink.under(&Rect::new(0, 0, 3, 3)), 0);
        assert_eq!(ink.under(&Rect::new(200, 200, 10, 10)), 0);
    }

    #[test]
    fn a_label_with_room_sits_just_above_its_box() {
        let wave = Rect::new(200, 150, 10, 10);
        assert_eq!(place(&[(wave, (80, 12))], AREA, &[], 3), vec![(200, 135)]);
    }

    #[test]
    fn a_label_near_the_right_edge_is_right_aligned_with_its_box_not_cut() {
        let wave = Rect::new(470, 150, 10, 10);
        let corner = place(&[(wave, (120, 12))], AREA, &[], 3)[0];
        assert_eq!(corner, (360, 135));
        assert!(corner.0 + 120 <= AREA.right);
    }

    #[test]
    fn a_label_at_the_top_goes_below_its_box() {
        let wave = Rect::new(200, 2, 10, 10);
        assert_eq!(place(&[(wave, (80, 12))], AREA, &[], 3), vec![(200, 15)]);
    }

    #[test]
    fn a_label_never_lands_on_the_legend() {
        let legend = Rect::new(5, 5, 300, 80);
        let wave = Rect::new(100, 95, 10, 10);
        let corner = place(&[(wave, (80, 12))], AREA, &[legend], 3)[0];
        assert!(!Rect::new(corner.0, corner.1, 80, 12).overlaps(&legend), "{corner:?}");
        assert_eq!(corner, (100, 108));
    }

    #[test]
    fn neighbours_step_apart_instead_of_printing_over_each_other() {
        let first = Rect::new(200, 150, 10, 10);
        let second = Rect::new(205, 152, 10, 10);
        let corners = place(&[(first, (80, 12)), (second, (80, 12))], AREA, &[], 3);
        let rects: Vec<Rect> = corners.iter().map(|&(x, y)| Rect::new(x, y, 80, 12)).collect();
        assert!(!rects[0].overlaps(&rects[1]), "{corners:?}");
    }

    #[test]
    fn with_no_free_spot_the_label_still_lands_inside_the_area() {
        let everything = [AREA];
        let wave = Rect::new(490, 0, 10, 10);
        let corner = place(&[(wave, (120, 12))], AREA, &everything, 3)[0];
        assert_eq!(corner, (380, 0));
    }
}
