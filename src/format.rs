//! Plain-text formatting of numbers and times for the pages.

use sync_model::civil_from_unix;

/// Formats unix seconds as `YYYY-MM-DD HH:MM UTC`.
pub fn utc_time(secs: i64) -> String {
    let (y, m, d, seconds) = civil_from_unix(secs);
    format!(
        "{y:04}-{m:02}-{d:02} {:02}:{:02} UTC",
        seconds / 3600,
        (seconds % 3600) / 60
    )
}

/// Formats a count with thin grouping commas: `1,234,567`.
pub fn count(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utc_time_formats_minutes_in_utc() {
        assert_eq!(utc_time(1_796_312_820), "2026-12-03 15:47 UTC");
        assert_eq!(utc_time(0), "1970-01-01 00:00 UTC");
        assert_eq!(utc_time(1_709_251_199), "2024-02-29 23:59 UTC");
    }

    #[test]
    fn counts_are_grouped_by_thousands() {
        assert_eq!(count(0), "0");
        assert_eq!(count(999), "999");
        assert_eq!(count(1000), "1,000");
        assert_eq!(count(1_234_567), "1,234,567");
    }
}
