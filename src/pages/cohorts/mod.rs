//! The Cohorts page: every cohort with its Leanplum sync state, a menu
//! per cohort to export it, the export dialog with its preview, and the
//! panel that follows a cohort's sync.

mod chart;
mod export_dialog;
mod list;
mod menu;
mod plan_table;
mod preview;
mod sync_panel;
mod window;

use leptos::prelude::*;
use sync_model::api::{
    Cohort, Cohorts, ConnectionStatus, Integrations, Session, Sync,
};

use crate::app::use_app;
use crate::components::{LoadError, Loading, Modal};
use crate::format::{count, utc_time};
use export_dialog::ExportDialog;
use list::{shown_cohorts, sync_label, Column, Sort};
use menu::{CohortMenu, ExportAccess};
use sync_panel::SyncPanel;

/// The cohort whose sync panel is open.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Followed {
    sync_id: i64,
    cohort_name: String,
}

/// The Cohorts page.
#[component]
pub fn CohortsPage() -> impl IntoView {
    let app = use_app();
    let client = app.client.clone();
    let cohorts = LocalResource::new(move || {
        let client = client.clone();
        async move { client.get::<Cohorts>("/cohorts").await }
    });
    let client = app.client.clone();
    let integrations = LocalResource::new(move || {
        let client = client.clone();
        async move { client.get::<Integrations>("/integrations").await }
    });
    let session = app.session;
    let access = Signal::derive(move || {
        let admin = match session.get() {
            Some(Ok(Session { is_admin, .. })) => Some(is_admin),
            _ => None,
        };
        let connected = match integrations.get() {
            Some(Ok(list)) => Some(leanplum_connected(&list)),
            _ => None,
        };
        ExportAccess::of(admin, connected)
    });
    let retry = Callback::new(move |()| cohorts.refetch());

    let exporting = RwSignal::new(None::<Cohort>);
    let followed = RwSignal::new(None::<Followed>);
    let on_export = Callback::new(move |c: Cohort| exporting.set(Some(c)));
    let on_follow = Callback::new(move |c: Cohort| {
        if let Some(sync_id) = c.sync_id {
            followed.set(Some(Followed {
                sync_id,
                cohort_name: c.name,
            }));
        }
    });
    let on_started = Callback::new(move |(cohort, sync): (Cohort, Sync)| {
        exporting.set(None);
        followed.set(Some(Followed {
            sync_id: sync.id,
            cohort_name: cohort.name,
        }));
        cohorts.refetch();
    });
    let dialog_open = Signal::derive(move || exporting.with(Option::is_some));

    view! {
        <section class="page cohorts-page">
            <h1>"Cohorts"</h1>
            {move || match cohorts.get() {
                None => view! { <Loading what="cohorts" /> }.into_any(),
                Some(Err(error)) => {
                    view! { <LoadError what="cohorts" error on_retry=retry /> }
                        .into_any()
                }
                Some(Ok(list)) => {
                    view! {
                        <CohortTable
                            cohorts=list.cohorts
                            access
                            on_export
                            on_follow
                        />
                    }
                        .into_any()
                }
            }}
            {move || {
                followed
                    .get()
                    .map(|f| {
                        view! {
                            <SyncPanel
                                sync_id=f.sync_id
                                cohort_name=f.cohort_name
                                on_close=Callback::new(move |()| {
                                    followed.set(None)
                                })
                                on_changed=Callback::new(move |()| {
                                    cohorts.refetch()
                                })
                            />
                        }
                    })
            }}
            <Modal
                open=dialog_open
                on_close=Callback::new(move |()| exporting.set(None))
                title="Export to Leanplum"
            >
                {move || {
                    exporting
                        .get_untracked()
                        .map(|cohort| {
                            view! {
                                <ExportDialog
                                    cohort
                                    on_close=Callback::new(move |()| {
                                        exporting.set(None)
                                    })
                                    on_started
                                />
                            }
                        })
                }}
            </Modal>
        </section>
    }
}

/// True when the project's Leanplum integration holds credentials.
fn leanplum_connected(list: &Integrations) -> bool {
    list.integrations.iter().any(|i| {
        i.id == "leanplum"
            && !matches!(i.status, ConnectionStatus::NotConnected)
    })
}

#[component]
fn CohortTable(
    cohorts: Vec<Cohort>,
    #[prop(into)] access: Signal<ExportAccess>,
    on_export: Callback<Cohort>,
    on_follow: Callback<Cohort>,
) -> impl IntoView {
    let all = StoredValue::new(cohorts);
    let filter = RwSignal::new(String::new());
    let sort = RwSignal::new(Sort::default());
    let shown = Memo::new(move |_| {
        all.with_value(|all| shown_cohorts(all, &filter.get(), sort.get()))
    });
    let filter_id = crate::components::unique_id("cohort-filter");

    let headers = Column::ALL
        .into_iter()
        .map(|column| {
            view! {
                <th scope="col" aria-sort=move || sort.get().aria(column)>
                    <button
                        type="button"
                        class="sort"
                        on:click=move |_| sort.update(|s| *s = s.toggled(column))
                    >
                        {column.label()}
                    </button>
                </th>
            }
        })
        .collect_view();

    view! {
        <div class="cohort-filter">
            <label for=filter_id.clone()>"Filter by name"</label>
            <input
                id=filter_id
                type="search"
                prop:value=move || filter.get()
                on:input=move |ev| filter.set(event_target_value(&ev))
            />
        </div>
        <table class="cohorts">
            <caption class="visually-hidden">"Cohorts"</caption>
            <thead>
                <tr>
                    {headers}
                    <th scope="col">
                        <span class="visually-hidden">"Actions"</span>
                    </th>
                </tr>
            </thead>
            <tbody>
                <For
                    each=move || shown.get()
                    key=|c| (c.id.clone(), sync_label(&c.sync), c.members, c.sync_id)
                    let:cohort
                >
                    <CohortRow cohort access on_export on_follow />
                </For>
            </tbody>
        </table>
        <Show when=move || shown.with(Vec::is_empty)>
            <p class="empty">"No cohort matches this filter."</p>
        </Show>
    }
}

#[component]
fn CohortRow(
    cohort: Cohort,
    #[prop(into)] access: Signal<ExportAccess>,
    on_export: Callback<Cohort>,
    on_follow: Callback<Cohort>,
) -> impl IntoView {
    let exported = cohort.clone();
    let followed = cohort.clone();
    let on_follow = cohort
        .sync_id
        .map(|_| Callback::new(move |()| on_follow.run(followed.clone())));
    view! {
        <tr>
            <th scope="row">{cohort.name.clone()}</th>
            <td>{cohort.description.clone()}</td>
            <td class="num">{count(cohort.members)}</td>
            <td>{utc_time(cohort.updated_at)}</td>
            <td>{sync_label(&cohort.sync)}</td>
            <td class="actions">
                <CohortMenu
                    cohort_name=cohort.name.clone()
                    access
                    on_export=Callback::new(move |()| {
                        on_export.run(exported.clone())
                    })
                    on_follow
                />
            </td>
        </tr>
    }
}
