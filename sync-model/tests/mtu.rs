use sync_model::mtu::{is_exempt, DailyCount, EventRow, EXEMPT_EVENTS};
use sync_model::{summarize_month, Aliases, Month, TrackedEvent};

/// 2026-02-01T00:00:00Z.
const FEB_2026: i64 = 1_769_904_000;
const DAY: i64 = 86_400;

fn event(name: &str, who: &str, time: i64) -> TrackedEvent {
    TrackedEvent {
        name: name.into(),
        distinct_id: who.into(),
        time,
        source: None,
    }
}

fn feb() -> Month {
    Month::parse("2026-02").unwrap()
}

#[test]
fn exempt_events_match_exactly() {
    assert!(is_exempt("(Leanplum) Email Send"));
    assert!(!is_exempt("(leanplum) email send"));
    assert!(!is_exempt("(Leanplum) Email Send "));
    assert!(!is_exempt("(Leanplum) Email Open"));
    assert_eq!(EXEMPT_EVENTS.len(), 9);
}

#[test]
fn months_parse_and_display_as_year_dash_month() {
    let month = Month::parse("2026-12").unwrap();
    assert_eq!((month.year(), month.month()), (2026, 12));
    assert_eq!(month.to_string(), "2026-12");
}

#[test]
fn malformed_months_are_rejected_with_an_example() {
    let error = Month::parse("2026-13").unwrap_err();
    assert_eq!(
        error.to_string(),
        "\"2026-13\" is not a month; write it as YYYY-MM, e.g. 2026-12."
    );
    assert!(Month::parse("26-1").is_err());
    assert!(Month::parse("2026-1").is_err());
    assert!(Month::parse("+026-01").is_err());
}

#[test]
fn month_bounds_are_utc_midnights() {
    assert_eq!(feb().start_secs(), FEB_2026);
    assert_eq!(feb().end_secs(), FEB_2026 + 28 * DAY);
    assert_eq!(Month::parse("1970-01").unwrap().start_secs(), 0);
    assert_eq!(Month::parse("1969-12").unwrap().start_secs(), -31 * DAY);
}

#[test]
fn leap_februaries_have_29_days() {
    assert_eq!(Month::parse("2024-02").unwrap().days(), 29);
    assert_eq!(Month::parse("2100-02").unwrap().days(), 28);
    assert_eq!(Month::parse("2000-02").unwrap().days(), 29);
    assert_eq!(feb().days(), 28);
}

#[test]
fn contains_excludes_the_first_second_of_the_next_month() {
    assert!(feb().contains(FEB_2026));
    assert!(feb().contains(FEB_2026 + 28 * DAY - 1));
    assert!(!feb().contains(FEB_2026 + 28 * DAY));
    assert!(!feb().contains(FEB_2026 - 1));
}

#[test]
fn months_serialize_as_text() {
    assert_eq!(serde_json::to_string(&feb()).unwrap(), "\"2026-02\"");
    let back: Month = serde_json::from_str("\"2026-02\"").unwrap();
    assert_eq!(back, feb());
}

#[test]
fn people_who_only_received_exempt_messages_are_not_counted() {
    let events = vec![
        event("(Leanplum) Email Send", "a", FEB_2026),
        event("(Leanplum) Push Notification Send", "a", FEB_2026 + 5),
        event("Purchase", "b", FEB_2026),
    ];
    let summary = summarize_month(feb(), events, &Aliases::new());
    assert_eq!(summary.mtu, 1);
    assert_eq!(summary.people_with_events, 2);
    assert_eq!(summary.exempt_only_people, 1);
}

#[test]
fn any_non_exempt_event_makes_a_person_count() {
    let events = vec![
        event("(Leanplum) Email Send", "a", FEB_2026),
        event("(Leanplum) Email Open", "a", FEB_2026 + 1),
    ];
    let summary = summarize_month(feb(), events, &Aliases::new());
    assert_eq!(summary.mtu, 1);
    assert_eq!(summary.exempt_only_people, 0);
}

#[test]
fn events_under_a_leanplum_alias_count_for_the_person() {
    let mut aliases = Aliases::new();
    aliases.record("lp-1", "person");
    let events = vec![
        event("Purchase", "person", FEB_2026),
        event("(Leanplum) Email Open", "lp-1", FEB_2026),
    ];
    let summary = summarize_month(feb(), events, &aliases);
    assert_eq!(summary.mtu, 1);
    assert_eq!(summary.people_with_events, 1);
}

#[test]
fn events_outside_the_month_are_ignored() {
    let events = vec![
        event("Purchase", "a", FEB_2026 - 1),
        event("Purchase", "b", FEB_2026 + 28 * DAY),
    ];
    let summary = summarize_month(feb(), events, &Aliases::new());
    assert_eq!(summary.people_with_events, 0);
}

#[test]
fn leanplum_events_are_broken_down_by_name() {
    let mut by_source = event("Message Open", "b", FEB_2026);
    by_source.source = Some("LeanPlum".into());
    let events = vec![
        event("(Leanplum) Email Send", "a", FEB_2026),
        event("(Leanplum) Email Send", "b", FEB_2026 + DAY),
        event("(Leanplum) Email Send", "a", FEB_2026 + DAY),
        event("Purchase", "a", FEB_2026),
        by_source,
    ];
    let summary = summarize_month(feb(), events, &Aliases::new());
    assert_eq!(
        summary.leanplum_events,
        vec![
            EventRow {
                name: "(Leanplum) Email Send".into(),
                events: 3,
                people: 2,
                exempt: true,
            },
            EventRow {
                name: "Message Open".into(),
                events: 1,
                people: 1,
                exempt: false,
            },
        ]
    );
}

#[test]
fn daily_counts_cover_every_day_with_leanplum_events_only() {
    let events = vec![
        event("(Leanplum) Email Send", "a", FEB_2026),
        event("(Leanplum) Email Open", "a", FEB_2026 + 27 * DAY),
        event("Purchase", "a", FEB_2026),
    ];
    let summary = summarize_month(feb(), events, &Aliases::new());
    assert_eq!(summary.month, "2026-02");
    assert_eq!(summary.daily.len(), 28);
    assert_eq!(
        summary.daily[0],
        DailyCount {
            day: 1,
            exempt: 1,
            not_exempt: 0
        }
    );
    assert_eq!(
        summary.daily[27],
        DailyCount {
            day: 28,
            exempt: 0,
            not_exempt: 1
        }
    );
}
