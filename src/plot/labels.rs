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

/// Where a box of `size` goes in an area of `area` pixels, 5 px in from a corner: the upper left unless it would
/// cover one of `keep_clear`, then the upper right, the lower right, the lower left; the upper left again when
/// every corner covers something.
pub(crate) fn corner(size: (i32, i32), area: (i32, i32), keep_clear: &[Rect]) -> Rect {
    let (width, height) = size;
    let (left, right) = (5, area.0 - width - 5);
    let (top, bottom) = (5, area.1 - height - 5);
    let corners = [(left, top), (right, top), (right, bottom), (left, bottom)];
    corners
        .iter()
        .map(|&(x, y)| Rect::new(x, y, width, height))
        .find(|spot| !keep_clear.iter().any(|r| r.overlaps(spot)))
        .unwrap_or_else(|| Rect::new(left, top, width, height))
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
        assert_eq!(corner(size, (500, 300), &[]), Rect::new(5, 5, 200, 60));
        let under_the_legend = Rect::new(100, 30, 10, 10);
        assert_eq!(
            corner(size, (500, 300), &[under_the_legend]),
            Rect::new(295, 5, 200, 60)
        );
        let top_row = [under_the_legend, Rect::new(400, 10, 10, 10)];
        assert_eq!(corner(size, (500, 300), &top_row), Rect::new(295, 235, 200, 60));
        assert_eq!(corner(size, (500, 300), &[AREA]), Rect::new(5, 5, 200, 60));
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
