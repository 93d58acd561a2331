//! The panel that follows one cohort's sync: its state, its runs as a
//! table and a chart, and Stop sync. It refreshes every second while a
//! run is in progress.

use std::collections::HashSet;
use std::time::Duration;

use leptos::prelude::*;
use sync_model::api::{Run, RunStatus, Runs, Session, Sync, SyncStatus};

use super::chart::{describe, run_chart, Bar, HEIGHT, WIDTH};
use super::export_dialog::kind_title;
use crate::app::use_app;
use crate::components::{unique_id, LoadError, Loading, Modal};
use crate::format::{count, utc_time};

/// How often a running sync is refreshed.
const POLL: Duration = Duration::from_secs(1);

/// Words for a sync's state.
pub fn status_label(status: &SyncStatus) -> String {
    match status {
        SyncStatus::Running => "Running".into(),
        SyncStatus::Active => "Active".into(),
        SyncStatus::Done => "Done".into(),
        SyncStatus::Paused { reason } => format!("Paused: {reason}"),
        SyncStatus::Stopped => "Stopped".into(),
        SyncStatus::Failed { reason } => format!("Failed: {reason}"),
    }
}

/// True while the proxy may still change what the panel shows soon.
pub fn in_progress(sync: Option<&Sync>, runs: Option<&Runs>) -> bool {
    let running = sync.is_some_and(|s| s.status == SyncStatus::Running);
    let run_going = runs.is_some_and(|r| {
        r.runs.iter().any(|run| run.status == RunStatus::Running)
    });
    running || run_going
}

/// True when stopping makes sense: the sync may run again.
fn stoppable(status: &SyncStatus) -> bool {
    matches!(
        status,
        SyncStatus::Running | SyncStatus::Active | SyncStatus::Paused { .. }
    )
}

fn run_status_label(status: RunStatus) -> &'static str {
    match status {
        RunStatus::Running => "Running",
        RunStatus::Succeeded => "Succeeded",
        RunStatus::Failed => "Failed",
    }
}

/// One cohort's sync, followed live.
#[component]
pub fn SyncPanel(
    /// The sync.
    sync_id: i64,
    /// The cohort's name, for the heading.
    #[prop(into)]
    cohort_name: String,
    /// Called when the person closes the panel.
    on_close: Callback<()>,
    /// Called when the sync's state changes, so the list can refresh.
    on_changed: Callback<()>,
) -> impl IntoView {
    let app = use_app();
    let client = app.client.clone();
    let sync = LocalResource::new(move || {
        let client = client.clone();
        async move { client.get::<Sync>(&format!("/syncs/{sync_id}")).await }
    });
    let client = app.client.clone();
    let runs = LocalResource::new(move || {
        let client = client.clone();
        async move { client.get::<Runs>(&format!("/syncs/{sync_id}/runs")).await }
    });
    let refresh = move || {
        sync.refetch();
        runs.refetch();
    };

    let was_running = StoredValue::new(false);
    Effect::new(move |_| {
        let s = sync.get();
        let r = runs.get();
        let going = in_progress(
            s.as_ref().and_then(|s| s.as_ref().ok()),
            r.as_ref().and_then(|r| r.as_ref().ok()),
        );
        // The list's state changes when a run ends.
        if was_running.get_value() && !going {
            on_changed.run(());
        }
        was_running.set_value(going);
        if going {
            if let Ok(handle) = set_timeout_with_handle(refresh, POLL) {
                on_cleanup(move || handle.clear());
            }
        }
    });

    let heading = NodeRef::<leptos::html::H2>::new();
    // Whoever opened the panel continues reading it.
    Effect::new(move |_| {
        if let Some(h) = heading.get() {
            let _ = h.focus();
        }
    });
    let heading_id = unique_id("sync-panel");
    let labelled_by = heading_id.clone();
    let session = app.session;
    let is_admin = move || {
        matches!(session.get(), Some(Ok(Session { is_admin: true, .. })))
    };
    let confirming = RwSignal::new(false);
    let client = app.client.clone();
    let stop = Action::new_local(move |_: &()| {
        let client = client.clone();
        let csrf = match session.get_untracked() {
            Some(Ok(s)) => s.csrf_token,
            _ => String::new(),
        };
        async move {
            client
                .send::<(), Sync>(
                    "POST",
                    &format!("/syncs/{sync_id}/stop"),
                    &csrf,
                    None,
                    &[],
                )
                .await
        }
    });
    Effect::new(move |_| {
        if let Some(Ok(_)) = stop.value().get() {
            confirming.set(false);
            refresh();
            on_changed.run(());
        }
    });
    let retry = Callback::new(move |()| refresh());

    let details = move || match sync.get() {
        None => view! { <Loading what="the sync" /> }.into_any(),
        Some(Err(error)) => {
            view! { <LoadError what="the sync" error on_retry=retry /> }
                .into_any()
        }
        Some(Ok(s)) => {
            let can_stop = stoppable(&s.status);
            let last = s.last_run_at.map_or("Never".to_owned(), utc_time);
            let next =
                s.next_run_at.map_or("Not scheduled".to_owned(), utc_time);
            view! {
                <dl class="sync-facts">
                    <dt>"Status"</dt>
                    <dd class="sync-status">{status_label(&s.status)}</dd>
                    <dt>"Kind"</dt>
                    <dd>{kind_title(s.kind)}</dd>
                    <dt>"Leanplum attribute"</dt>
                    <dd><code>{s.attribute.clone()}</code></dd>
                    <dt>"Last run"</dt>
                    <dd>{last}</dd>
                    <dt>"Next run"</dt>
                    <dd>{next}</dd>
                </dl>
                {can_stop.then(|| view! {
                    <p>
                        <button
                            type="button"
                            class="danger"
                            disabled=move || !is_admin()
                            on:click=move |_| confirming.set(true)
                        >
                            "Stop sync"
                        </button>
                        {move || (!is_admin()).then(|| view! {
                            <span class="hint">" Only project admins can stop a sync."</span>
                        })}
                    </p>
                })}
            }
            .into_any()
        }
    };
    let history = move || match runs.get() {
        None => view! { <Loading what="runs" /> }.into_any(),
        Some(Err(error)) => {
            view! { <LoadError what="runs" error on_retry=retry /> }.into_any()
        }
        Some(Ok(list)) => view! { <RunHistory runs=list.runs /> }.into_any(),
    };
    let stop_error = move || {
        stop.value().get().and_then(Result::err).map(|e| view! {
            <p role="alert">{format!("The sync was not stopped. {}", e.message())}</p>
        })
    };

    view! {
        <section class="sync-panel" aria-labelledby=labelled_by>
            <div class="sync-panel-head">
                <h2 id=heading_id tabindex="-1" node_ref=heading>{format!("Sync of {cohort_name}")}</h2>
                <button type="button" on:click=move |_| on_close.run(())>
                    "Close sync panel"
                </button>
            </div>
            {details}
            {history}
            <Modal
                open=confirming
                on_close=Callback::new(move |()| confirming.set(false))
                title="Stop this sync?"
            >
                <p>
                    "The cohort will no longer be updated on Leanplum. People \
                     keep the attribute value the last run gave them."
                </p>
                {stop_error}
                <div class="dialog-actions">
                    <button
                        type="button"
                        class="danger"
                        disabled=move || stop.pending().get()
                        on:click=move |_| {
                            stop.dispatch(());
                        }
                    >
                        "Stop sync"
                    </button>
                    <button type="button" on:click=move |_| confirming.set(false)>
                        "Keep syncing"
                    </button>
                </div>
            </Modal>
        </section>
    }
}

/// One SVG rectangle per bar.
fn bar_rects(class: &'static str, bars: &[Bar]) -> impl IntoView {
    bars.iter()
        .map(|b| view! {
            <rect class=class x=b.x y=b.y width=b.width height=b.height></rect>
        })
        .collect_view()
}

#[component]
fn RunHistory(runs: Vec<Run>) -> impl IntoView {
    let chart = run_chart(&runs);
    let label = describe(&runs);
    let open_errors = RwSignal::new(HashSet::<i64>::new());
    let added = bar_rects("bar-added", &chart.added);
    let removed = bar_rects("bar-removed", &chart.removed);
    let dots = chart
        .size_points
        .iter()
        .map(|&(x, y)| view! { <circle class="size-dot" cx=x cy=y r="3"></circle> })
        .collect_view();
    let rows = runs
        .iter()
        .map(|run| {
            let id = run.id;
            let error_id = unique_id("run-error");
            let shown = move || open_errors.with(|o| o.contains(&id));
            let error = run.error.clone().map(|text| {
                let controls = error_id.clone();
                view! {
                    <button
                        type="button"
                        aria-expanded=move || shown().to_string()
                        aria-controls=controls
                        on:click=move |_| open_errors.update(|o| {
                            if !o.remove(&id) {
                                o.insert(id);
                            }
                        })
                    >
                        "View error"
                    </button>
                    <p id=error_id class="run-error" hidden=move || !shown()>{text}</p>
                }
            });
            let t = run.totals;
            view! {
                <tr>
                    <th scope="row">{utc_time(run.started_at)}</th>
                    <td class="num">{count(t.added)}</td>
                    <td class="num">{count(t.removed)}</td>
                    <td class="num">{count(t.not_found)}</td>
                    <td class="num">{count(t.skipped_anonymous)}</td>
                    <td class="num">{count(t.invalid)}</td>
                    <td class="num">{count(t.failed)}</td>
                    <td>{run_status_label(run.status)}</td>
                    <td>{error}</td>
                </tr>
            }
        })
        .collect_view();
    let view_box = format!("0 0 {WIDTH} {HEIGHT}");

    view! {
        <svg class="run-chart" role="img" aria-label=label viewBox=view_box>
            <line class="axis" x1="0" x2=WIDTH y1=chart.axis_y y2=chart.axis_y></line>
            {added}
            {removed}
            <polyline class="size-line" points=chart.size_line()></polyline>
            {dots}
        </svg>
        <p class="chart-legend" aria-hidden="true">
            <span class="key size">"Cohort size"</span>
            <span class="key added">"Added"</span>
            <span class="key removed">"Removed"</span>
        </p>
        <table class="runs">
            <caption>"Run history"</caption>
            <thead>
                <tr>
                    <th scope="col">"Started"</th>
                    <th scope="col">"Added"</th>
                    <th scope="col">"Removed"</th>
                    <th scope="col">"Not found on Leanplum"</th>
                    <th scope="col">"Skipped (anonymous)"</th>
                    <th scope="col">"Invalid"</th>
                    <th scope="col">"Failed"</th>
                    <th scope="col">"Status"</th>
                    <th scope="col">"Error"</th>
                </tr>
            </thead>
            <tbody>{rows}</tbody>
        </table>
        {runs.is_empty().then(|| view! { <p class="empty">"No runs yet."</p> })}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use sync_model::ExportKind;

    fn sync(status: SyncStatus) -> Sync {
        Sync {
            id: 1,
            cohort_id: "c".into(),
            cohort_name: "C".into(),
            kind: ExportKind::Dynamic,
            status,
            attribute: "Mixpanel: C".into(),
            created_at: 0,
            last_run_at: None,
            next_run_at: None,
        }
    }

    #[test]
    fn a_running_sync_is_followed_and_an_active_one_is_not() {
        assert!(in_progress(Some(&sync(SyncStatus::Running)), None));
        assert!(!in_progress(Some(&sync(SyncStatus::Active)), None));
        assert!(!in_progress(None, None));
    }

    #[test]
    fn only_syncs_that_may_run_again_can_be_stopped() {
        assert!(stoppable(&SyncStatus::Active));
        assert!(!stoppable(&SyncStatus::Stopped));
        assert!(!stoppable(&SyncStatus::Done));
    }
}
