//! Monthly tracked users (MTU): which people count in a month, given
//! that messages Leanplum sends on its own do not make someone count,
//! and a breakdown of the events Leanplum sent; also the UTC calendar
//! arithmetic (months, civil dates from unix time) that both rely on.

use crate::fast_hash::{FastMap, FastSet};
use crate::identity::Aliases;
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// Events that do not make a person count toward MTU on their own.
pub const EXEMPT_EVENTS: [&str; 9] = [
    "(Leanplum) Campaign Enter",
    "(Leanplum) Push Notification Send",
    "(Leanplum) Push Notification Bounce",
    "(Leanplum) Email Send",
    "(Leanplum) Email Delivered",
    "(Leanplum) Email Bounce",
    "(Leanplum) Email Marked as spam",
    "(Leanplum) Email Unsubscribed",
    "(Leanplum) A/B test",
];

/// Prefix of the names of events Leanplum sends.
pub const LEANPLUM_EVENT_PREFIX: &str = "(Leanplum) ";

/// True when `event` is exactly one of [`EXEMPT_EVENTS`].
pub fn is_exempt(event: &str) -> bool {
    EXEMPT_EVENTS.contains(&event)
}

const SECS_PER_DAY: i64 = 86_400;

/// Days from 1970-01-01 to the given proleptic Gregorian date.
fn days_from_civil(year: i32, month: u8, day: u8) -> i64 {
    let year = i64::from(year) - i64::from(month <= 2);
    let era = year.div_euclid(400);
    let year_of_era = year - era * 400;
    let month = i64::from(month);
    let shifted_month = if month > 2 { month - 3 } else { month + 9 };
    let day_of_year = (153 * shifted_month + 2) / 5 + i64::from(day) - 1;
    let day_of_era =
        year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    era * 146_097 + day_of_era - 719_468
}

/// The proleptic Gregorian (year, month, day) of a day counted from
/// 1970-01-01 (Howard Hinnant's `civil_from_days`).
fn civil_from_days(days: i64) -> (i64, u8, u8) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let day_of_era = z - era * 146_097;
    let year_of_era = (day_of_era - day_of_era / 1460 + day_of_era / 36_524
        - day_of_era / 146_096)
        / 365;
    let day_of_year =
        day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let shifted_month = (5 * day_of_year + 2) / 153;
    let day = day_of_year - (153 * shifted_month + 2) / 5 + 1;
    let month = if shifted_month < 10 {
        shifted_month + 3
    } else {
        shifted_month - 9
    };
    let year = year_of_era + era * 400 + i64::from(month <= 2);
    // Both are in range by construction: day 1..=31, month 1..=12.
    (year, month as u8, day as u8)
}

/// A UTC date and time of day, to the second.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct UtcDateTime {
    /// The proleptic Gregorian year (may be zero or negative).
    pub year: i64,
    /// The month, 1 to 12.
    pub month: u8,
    /// The day of the month, from 1.
    pub day: u8,
    /// Seconds since midnight, 0 to 86 399.
    pub seconds_of_day: u32,
}

impl UtcDateTime {
    /// The UTC date and time of `unix_secs`.
    pub fn from_unix(unix_secs: i64) -> UtcDateTime {
        let (year, month, day, seconds_of_day) = civil_from_unix(unix_secs);
        UtcDateTime {
            year,
            month,
            day,
            seconds_of_day,
        }
    }

    /// The hour, 0 to 23.
    pub fn hour(self) -> u32 {
        self.seconds_of_day / 3600
    }

    /// The minute, 0 to 59.
    pub fn minute(self) -> u32 {
        self.seconds_of_day % 3600 / 60
    }

    /// The second, 0 to 59.
    pub fn second(self) -> u32 {
        self.seconds_of_day % 60
    }
}

/// The UTC `(year, month, day, seconds_of_day)` of `unix_secs`, with
/// month 1 to 12, day from 1 and seconds since midnight 0 to 86 399.
pub fn civil_from_unix(unix_secs: i64) -> (i64, u8, u8, u32) {
    let days = unix_secs.div_euclid(SECS_PER_DAY);
    // rem_euclid by 86 400 is always 0..86 400, which fits in u32.
    let seconds_of_day = unix_secs.rem_euclid(SECS_PER_DAY) as u32;
    let (year, month, day) = civil_from_days(days);
    (year, month, day, seconds_of_day)
}

fn is_leap(year: i32) -> bool {
    (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
}

/// A UTC calendar month, written `YYYY-MM`.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Serialize,
    Deserialize,
)]
#[serde(try_from = "String", into = "String")]
pub struct Month {
    year: i32,
    month: u8,
}

/// Text that is not a `YYYY-MM` month.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MonthError {
    /// What is wrong.
    pub message: String,
}

impl fmt::Display for MonthError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for MonthError {}

impl Month {
    /// The month, if `month` is 1 to 12 and `year` 0 to 9999.
    pub fn new(year: i32, month: u8) -> Option<Month> {
        ((0..=9999).contains(&year) && (1..=12).contains(&month))
            .then_some(Month { year, month })
    }

    /// The UTC month holding `unix_secs`, clamped to `0000-01` ..=
    /// `9999-12` for instants outside the years [`Month::new`] accepts.
    pub fn containing(unix_secs: i64) -> Month {
        let (year, month, _, _) = civil_from_unix(unix_secs);
        match i32::try_from(year) {
            Ok(year @ 0..=9999) => Month { year, month },
            _ if year < 0 => Month { year: 0, month: 1 },
            _ => Month {
                year: 9999,
                month: 12,
            },
        }
    }

    /// Parses `YYYY-MM`, e.g. `2026-12`.
    pub fn parse(text: &str) -> Result<Month, MonthError> {
        let error = || MonthError {
            message: format!(
                "\"{}\" is not a month; write it as YYYY-MM, e.g. 2026-12.",
                text.chars().take(40).collect::<String>()
            ),
        };
        let (year, month) = text.split_once('-').ok_or_else(error)?;
        let digits = |s: &str, n: usize| {
            s.len() == n && s.bytes().all(|b| b.is_ascii_digit())
        };
        if !digits(year, 4) || !digits(month, 2) {
            return Err(error());
        }
        let year: i32 = year.parse().map_err(|_| error())?;
        let month: u8 = month.parse().map_err(|_| error())?;
        Month::new(year, month).ok_or_else(error)
    }

    /// The year.
    pub fn year(self) -> i32 {
        self.year
    }

    /// The month number, 1 to 12.
    pub fn month(self) -> u8 {
        self.month
    }

    /// Number of days in the month.
    pub fn days(self) -> u8 {
        match self.month {
            2 if is_leap(self.year) => 29,
            2 => 28,
            4 | 6 | 9 | 11 => 30,
            _ => 31,
        }
    }

    /// The month after this one.
    pub fn next(self) -> Month {
        match self.month {
            12 => Month {
                year: self.year + 1,
                month: 1,
            },
            m => Month {
                year: self.year,
                month: m + 1,
            },
        }
    }

    /// Unix time of the first second of the month (UTC).
    pub fn start_secs(self) -> i64 {
        days_from_civil(self.year, self.month, 1) * SECS_PER_DAY
    }

    /// Unix time of the first second after the month (UTC).
    pub fn end_secs(self) -> i64 {
        self.start_secs() + i64::from(self.days()) * SECS_PER_DAY
    }

    /// True when `unix_secs` falls within the month (UTC).
    pub fn contains(self, unix_secs: i64) -> bool {
        (self.start_secs()..self.end_secs()).contains(&unix_secs)
    }

    /// Day of the month (1-based) of `unix_secs`, if within the month.
    pub fn day_of(self, unix_secs: i64) -> Option<u8> {
        if !self.contains(unix_secs) {
            return None;
        }
        let day = (unix_secs - self.start_secs()) / SECS_PER_DAY + 1;
        u8::try_from(day).ok()
    }
}

impl fmt::Display for Month {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}", self.year, self.month)
    }
}

impl FromStr for Month {
    type Err = MonthError;

    fn from_str(text: &str) -> Result<Month, MonthError> {
        Month::parse(text)
    }
}

impl TryFrom<String> for Month {
    type Error = MonthError;

    fn try_from(text: String) -> Result<Month, MonthError> {
        Month::parse(&text)
    }
}

impl From<Month> for String {
    fn from(month: Month) -> String {
        month.to_string()
    }
}

/// One tracked event.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TrackedEvent {
    /// The event name.
    pub name: String,
    /// The distinct id it was tracked under (possibly a Leanplum alias).
    pub distinct_id: String,
    /// Unix time in seconds.
    pub time: i64,
    /// The event's `$source` property, if any.
    pub source: Option<String>,
}

impl TrackedEvent {
    /// True for events Leanplum sent: `$source` is `leanplum` (any case)
    /// or the name starts with `(Leanplum) `.
    pub fn is_from_leanplum(&self) -> bool {
        self.source
            .as_deref()
            .is_some_and(|source| source.eq_ignore_ascii_case("leanplum"))
            || self.name.starts_with(LEANPLUM_EVENT_PREFIX)
    }
}

/// One Leanplum event's totals in the month.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EventRow {
    /// The event name.
    pub name: String,
    /// Times it occurred.
    pub events: u64,
    /// Distinct people (after aliasing) it occurred for.
    pub people: u64,
    /// Whether it is exempt from MTU.
    pub exempt: bool,
}

/// Leanplum events on one day of the month.
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize,
)]
pub struct DailyCount {
    /// Day of the month, from 1.
    pub day: u8,
    /// Exempt Leanplum events that day.
    pub exempt: u64,
    /// Other Leanplum events that day.
    pub not_exempt: u64,
}

/// A month's MTU and the Leanplum events behind it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EventsSummary {
    /// The month, `YYYY-MM`.
    pub month: String,
    /// People with at least one non-exempt event in the month.
    pub mtu: u64,
    /// People with any event in the month.
    pub people_with_events: u64,
    /// People whose only events were exempt, kept out of MTU.
    pub exempt_only_people: u64,
    /// Per-event totals for events from Leanplum, sorted by name.
    pub leanplum_events: Vec<EventRow>,
    /// Leanplum events per day, one entry for every day of the month.
    pub daily: Vec<DailyCount>,
}

const EXEMPT_SEEN: u8 = 1;
const COUNTED: u8 = 2;

#[derive(Default)]
struct EventTotals {
    events: u64,
    people: FastSet<String>,
}

/// Summarizes `events` for `month`, ignoring events outside it.
///
/// Events are attributed to people through `aliases`. A person counts
/// toward MTU once they have any non-exempt event, from Leanplum or not;
/// a person who only received exempt messages does not.
pub fn summarize_month(
    month: Month,
    events: impl IntoIterator<Item = TrackedEvent>,
    aliases: &Aliases,
) -> EventsSummary {
    let mut people: FastMap<String, u8> = FastMap::default();
    let mut rows: FastMap<String, EventTotals> = FastMap::default();
    let mut daily: Vec<DailyCount> = (1..=month.days())
        .map(|day| DailyCount {
            day,
            ..DailyCount::default()
        })
        .collect();
    for event in events {
        let Some(day) = month.day_of(event.time) else {
            continue;
        };
        let exempt = is_exempt(&event.name);
        let person = aliases.person(&event.distinct_id);
        let seen = match people.get_mut(person) {
            Some(seen) => seen,
            None => people.entry(person.to_owned()).or_default(),
        };
        *seen |= if exempt { EXEMPT_SEEN } else { COUNTED };
        if !event.is_from_leanplum() {
            continue;
        }
        if let Some(count) = daily.get_mut(usize::from(day.saturating_sub(1))) {
            if exempt {
                count.exempt += 1;
            } else {
                count.not_exempt += 1;
            }
        }
        let person = person.to_owned();
        let totals = rows.entry(event.name).or_default();
        totals.events += 1;
        totals.people.insert(person);
    }
    let mtu = people.values().filter(|&&seen| seen & COUNTED != 0).count();
    let mut leanplum_events: Vec<EventRow> = rows
        .into_iter()
        .map(|(name, totals)| EventRow {
            exempt: is_exempt(&name),
            events: totals.events,
            people: totals.people.len() as u64,
            name,
        })
        .collect();
    leanplum_events.sort_by(|a, b| a.name.cmp(&b.name));
    EventsSummary {
        month: month.to_string(),
        mtu: mtu as u64,
        people_with_events: people.len() as u64,
        exempt_only_people: (people.len() - mtu) as u64,
        leanplum_events,
        daily,
    }
}
