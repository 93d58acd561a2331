//! The Cohorts page: every cohort and its Leanplum sync state.

use leptos::prelude::*;
use sync_model::api::{Cohort, CohortSyncState, Cohorts};

use crate::app::use_app;
use crate::components::{LoadError, Loading};
use crate::format::{count, utc_time};

/// The Cohorts page.
#[component]
pub fn CohortsPage() -> impl IntoView {
    let client = use_app().client;
    let cohorts = LocalResource::new(move || {
        let client = client.clone();
        async move { client.get::<Cohorts>("/cohorts").await }
    });
    let retry = Callback::new(move |()| cohorts.refetch());

    view! {
        <section class="page">
            <h1>"Cohorts"</h1>
            {move || match cohorts.get() {
                None => view! { <Loading what="cohorts" /> }.into_any(),
                Some(Err(error)) => {
                    view! { <LoadError what="cohorts" error on_retry=retry /> }
                        .into_any()
                }
                Some(Ok(list)) => view! { <CohortTable cohorts=list.cohorts /> }
                    .into_any(),
            }}
        </section>
    }
}

/// Words for a cohort's sync state.
pub fn sync_label(state: &CohortSyncState) -> String {
    match state {
        CohortSyncState::None => "Not exported".into(),
        CohortSyncState::Running => "Sync running".into(),
        CohortSyncState::ExportDone => "One-time export done".into(),
        CohortSyncState::Active => "Dynamic sync active".into(),
        CohortSyncState::Paused { reason } => format!("Paused: {reason}"),
        CohortSyncState::Failed { reason } => format!("Failed: {reason}"),
        CohortSyncState::Stopped => "Stopped".into(),
    }
}

#[component]
fn CohortTable(cohorts: Vec<Cohort>) -> impl IntoView {
    let rows = cohorts
        .into_iter()
        .map(|c| {
            view! {
                <tr>
                    <th scope="row">{c.name.clone()}</th>
                    <td>{c.description.clone()}</td>
                    <td class="num">{count(c.members)}</td>
                    <td>{utc_time(c.updated_at)}</td>
                    <td>{sync_label(&c.sync)}</td>
                </tr>
            }
        })
        .collect_view();

    view! {
        <table class="cohorts">
            <caption class="visually-hidden">"Cohorts"</caption>
            <thead>
                <tr>
                    <th scope="col">"Name"</th>
                    <th scope="col">"Description"</th>
                    <th scope="col">"Members"</th>
                    <th scope="col">"Updated"</th>
                    <th scope="col">"Leanplum sync"</th>
                </tr>
            </thead>
            <tbody>{rows}</tbody>
        </table>
    }
}
