//! A virtualized table of the people in one list of the change
//! preview: only the rows in view (plus a few) are in the page, however
//! long the list, and rows are read from the plan by index.

use std::sync::Arc;

use leptos::prelude::*;

use super::preview::{PlanList, Preview};
use super::window::visible_rows;

/// Height of one row in pixels; the CSS uses the same value.
pub const ROW_HEIGHT: f64 = 28.0;

/// Height of the scrolling area in pixels; the CSS uses the same value.
pub const VIEWPORT: f64 = 280.0;

/// The people of one list, scrolled through a fixed-height window.
#[component]
pub fn PlanTable(
    /// The preview the rows are read from.
    #[prop(into)]
    preview: Signal<Option<Preview>>,
    /// Which list.
    #[prop(into)]
    list: Signal<PlanList>,
    /// Positions in the list matching a search; `None` shows every row.
    #[prop(into)]
    hits: Signal<Option<Arc<Vec<u32>>>>,
    /// The table's accessible name.
    #[prop(into)]
    label: Signal<String>,
) -> impl IntoView {
    let scroll_top = RwSignal::new(0.0);
    let total = Memo::new(move |_| match hits.get() {
        Some(hits) => hits.len(),
        None => preview.with(|p| p.as_ref().map_or(0, |p| p.len(list.get()))),
    });
    // A new list or search starts at the top.
    let scroller = NodeRef::<leptos::html::Div>::new();
    Effect::new(move |_| {
        list.track();
        hits.track();
        scroll_top.set(0.0);
        if let Some(el) = scroller.get_untracked() {
            el.set_scroll_top(0);
        }
    });
    let range = Memo::new(move |_| {
        visible_rows(scroll_top.get(), VIEWPORT, ROW_HEIGHT, total.get())
    });
    let padding = move || {
        let r = range.get();
        let below = total.get().saturating_sub(r.end);
        format!(
            "padding-top: {}px; padding-bottom: {}px",
            r.start as f64 * ROW_HEIGHT,
            below as f64 * ROW_HEIGHT
        )
    };
    let rows = move || {
        let r = range.get();
        let hits = hits.get();
        let list = list.get();
        preview.with(|p| {
            let Some(p) = p else { return Vec::new() };
            r.filter_map(|row| {
                let index = match &hits {
                    Some(h) => *h.get(row)? as usize,
                    None => row,
                };
                let entry = p.entry(list, index)?;
                Some(view! {
                    <div role="row" class="plan-row" aria-rowindex=row + 2>
                        <span role="cell">{entry.distinct_id.to_owned()}</span>
                        <span role="cell">{entry.leanplum_id.to_owned()}</span>
                    </div>
                })
            })
            .collect::<Vec<_>>()
        })
    };

    view! {
        <div class="plan-table-wrap">
        <div
            role="table"
            class="plan-table"
            aria-label=move || label.get()
            aria-rowcount=move || total.get() + 1
        >
            <div role="rowgroup">
                <div role="row" class="plan-row plan-head" aria-rowindex="1">
                    <span role="columnheader">"Distinct ID"</span>
                    <span role="columnheader">"Leanplum ID"</span>
                </div>
            </div>
            <div
                role="rowgroup"
                class="plan-scroll"
                tabindex="0"
                node_ref=scroller
                on:scroll=move |ev| {
                    let top = event_target::<web_sys::Element>(&ev).scroll_top();
                    scroll_top.set(f64::from(top));
                }
            >
                <div role="none" style=padding>
                    {rows}
                </div>
            </div>
        </div>
        <Show when=move || total.get() == 0>
            <p class="empty">"Nobody in this list."</p>
        </Show>
        </div>
    }
}
