//! Which rows of a long list are worth putting in the page: those in
//! view plus a few on either side, all rows being the same height.

use std::ops::Range;

/// Rows rendered above and below the visible ones.
pub const OVERSCAN: usize = 8;

/// The rows to render for a list of `total` rows of `row_height` pixels
/// scrolled to `scroll_top` in a viewport `viewport` pixels tall.
pub fn visible_rows(
    scroll_top: f64,
    viewport: f64,
    row_height: f64,
    total: usize,
) -> Range<usize> {
    if total == 0 || row_height <= 0.0 {
        return 0..0;
    }
    let first = (scroll_top.max(0.0) / row_height).floor() as usize;
    let shown = (viewport.max(0.0) / row_height).ceil() as usize + 1;
    let start = first.saturating_sub(OVERSCAN).min(total);
    let end = first
        .saturating_add(shown)
        .saturating_add(OVERSCAN)
        .min(total);
    start..end.max(start)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_top_of_a_list_renders_the_view_and_the_overscan() {
        assert_eq!(visible_rows(0.0, 320.0, 32.0, 1_000_000), 0..19);
    }

    #[test]
    fn a_scrolled_list_renders_around_the_view() {
        let rows = visible_rows(32_000.0, 320.0, 32.0, 1_000_000);
        assert_eq!(rows, 992..1019);
    }

    #[test]
    fn the_end_of_a_list_stops_at_its_last_row() {
        assert_eq!(visible_rows(1e12, 320.0, 32.0, 50), 50..50);
        assert_eq!(visible_rows(1_280.0, 320.0, 32.0, 50), 32..50);
    }

    #[test]
    fn an_empty_list_renders_nothing() {
        assert_eq!(visible_rows(0.0, 320.0, 32.0, 0), 0..0);
        assert_eq!(visible_rows(0.0, 320.0, 0.0, 10), 0..0);
    }
}
