//! The "Events from Leanplum" panel: a month's Leanplum events, which of
//! them are exempt from MTU, and the MTU they leave.

use leptos::prelude::*;
use sync_model::api::{EventsSummary, MONTH_QUERY};
use sync_model::mtu::EventRow;
use sync_model::Month;

use super::chart::DailyChart;
use crate::app::use_app;
use crate::components::{unique_id, LoadError, Loading};
use crate::format::count;

const MONTH_NAMES: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

/// The month in words, such as "January 2026".
pub fn month_label(month: Month) -> String {
    let name = MONTH_NAMES
        .get(usize::from(month.month().saturating_sub(1)))
        .copied()
        .unwrap_or("Month");
    format!("{name} {}", month.year())
}

/// The month before `month` (January stays put in year 0).
pub fn previous_month(month: Month) -> Month {
    match month.month() {
        1 => Month::new(month.year() - 1, 12).unwrap_or(month),
        m => Month::new(month.year(), m - 1).unwrap_or(month),
    }
}

/// The API path of one month's summary.
pub fn summary_path(month: Month) -> String {
    format!("/events/leanplum?{MONTH_QUERY}={month}")
}

/// The current UTC month, by the browser's clock.
fn current_month() -> Month {
    let now = js_sys::Date::new_0();
    let month = u8::try_from(now.get_utc_month() + 1).unwrap_or(1);
    let year = i32::try_from(now.get_utc_full_year()).unwrap_or(2026);
    Month::new(year, month).unwrap_or_else(|| {
        Month::new(2026, 1).expect("January 2026 is a month")
    })
}

/// The panel, opening on the current month.
#[component]
pub fn EventsPanel() -> impl IntoView {
    let client = use_app().client;
    let this_month = current_month();
    let month = RwSignal::new(this_month);
    let summary = LocalResource::new(move || {
        let client = client.clone();
        let path = summary_path(month.get());
        async move { client.get::<EventsSummary>(&path).await }
    });
    let retry = Callback::new(move |()| summary.refetch());
    let picker_id = unique_id("events-month");

    view! {
        <section class="card events" aria-labelledby="events-heading">
            <h2 id="events-heading">"Events from Leanplum"</h2>
            <p>
                "Leanplum sends back events about the messages it delivers. "
                "Messages sent to dormant users, such as a push notification "
                "or email they have not opened, are "
                <strong>"exempt"</strong>
                ": they do not make that person count toward monthly \
                 tracked users (MTU) until the person engages, for example \
                 by opening the message or using the app."
            </p>
            <div class="month-picker">
                <button
                    type="button"
                    class="secondary"
                    on:click=move |_| month.update(|m| *m = previous_month(*m))
                >
                    "Previous month"
                </button>
                <label for=picker_id.clone()>"Month"</label>
                <input
                    id=picker_id
                    type="month"
                    max=this_month.to_string()
                    prop:value=move || month.get().to_string()
                    on:change=move |ev| {
                        if let Ok(m) = Month::parse(&event_target_value(&ev)) {
                            month.set(m);
                        }
                    }
                />
                <button
                    type="button"
                    class="secondary"
                    disabled=move || { month.get() >= this_month }
                    on:click=move |_| month.update(|m| *m = m.next())
                >
                    "Next month"
                </button>
            </div>
            {move || match summary.get() {
                None => view! { <Loading what="Leanplum events" /> }.into_any(),
                Some(Err(error)) => {
                    view! {
                        <LoadError what="Leanplum events" error on_retry=retry />
                    }
                        .into_any()
                }
                Some(Ok(s)) => view! { <MonthSummary summary=s /> }.into_any(),
            }}
        </section>
    }
}

#[component]
fn MonthSummary(summary: EventsSummary) -> impl IntoView {
    let label = Month::parse(&summary.month)
        .map(month_label)
        .unwrap_or_else(|_| summary.month.clone());
    let has_events = summary.daily.iter().any(|d| d.exempt + d.not_exempt > 0);

    view! {
        <dl class="mtu-figures">
            <div>
                <dt>"Monthly tracked users (MTU)"</dt>
                <dd>{count(summary.mtu)}</dd>
            </div>
            <div>
                <dt>"People with any event"</dt>
                <dd>{count(summary.people_with_events)}</dd>
            </div>
            <div>
                <dt>"Kept out of MTU by the exemption"</dt>
                <dd>{count(summary.exempt_only_people)}</dd>
            </div>
        </dl>
        <p class="detail">
            "People kept out of MTU only received exempt messages in "
            {label.clone()}
            "."
        </p>
        {if summary.leanplum_events.is_empty() {
            view! {
                <p>{format!("No events from Leanplum in {label}.")}</p>
            }
                .into_any()
        } else {
            view! { <EventTable rows=summary.leanplum_events month_label=label.clone() /> }
                .into_any()
        }}
        {has_events.then(|| view! { <DailyChart daily=summary.daily month_label=label /> })}
    }
}

#[component]
fn EventTable(rows: Vec<EventRow>, month_label: String) -> impl IntoView {
    let rows = rows
        .into_iter()
        .map(|r| {
            let mtu = if r.exempt { "Exempt" } else { "Counts" };
            view! {
                <tr>
                    <th scope="row">{r.name}</th>
                    <td class="num">{count(r.events)}</td>
                    <td class="num">{count(r.people)}</td>
                    <td>{mtu}</td>
                </tr>
            }
        })
        .collect_view();

    view! {
        <table class="event-table">
            <caption>{format!("Leanplum events in {month_label}")}</caption>
            <thead>
                <tr>
                    <th scope="col">"Event"</th>
                    <th scope="col">"Events"</th>
                    <th scope="col">"People"</th>
                    <th scope="col">"Toward MTU"</th>
                </tr>
            </thead>
            <tbody>{rows}</tbody>
        </table>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn month(text: &str) -> Month {
        Month::parse(text).expect("a month")
    }

    #[test]
    fn months_read_as_words() {
        assert_eq!(month_label(month("2026-01")), "January 2026");
        assert_eq!(month_label(month("2025-12")), "December 2025");
    }

    #[test]
    fn the_month_before_january_is_the_previous_december() {
        assert_eq!(previous_month(month("2026-01")), month("2025-12"));
        assert_eq!(previous_month(month("2026-03")), month("2026-02"));
    }

    #[test]
    fn the_summary_path_names_the_month() {
        assert_eq!(
            summary_path(month("2026-01")),
            "/events/leanplum?month=2026-01"
        );
    }
}
