//! The Integrations page: the Leanplum card and its connection state.

use leptos::prelude::*;
use leptos_router::components::A;
use sync_model::api::{ConnectionStatus, Integration, Integrations};

use crate::app::use_app;
use crate::components::{LoadError, Loading};
use crate::format::utc_time;

/// The Integrations page.
#[component]
pub fn IntegrationsPage() -> impl IntoView {
    let client = use_app().client;
    let integrations = LocalResource::new(move || {
        let client = client.clone();
        async move { client.get::<Integrations>("/integrations").await }
    });
    let retry = Callback::new(move |()| integrations.refetch());

    view! {
        <section class="page">
            <h1>"Integrations"</h1>
            {move || match integrations.get() {
                None => view! { <Loading what="integrations" /> }.into_any(),
                Some(Err(error)) => {
                    view! {
                        <LoadError what="integrations" error on_retry=retry />
                    }
                        .into_any()
                }
                Some(Ok(list)) => {
                    list.integrations
                        .into_iter()
                        .map(|i| view! { <IntegrationCard integration=i /> })
                        .collect_view()
                        .into_any()
                }
            }}
        </section>
    }
}

#[component]
fn IntegrationCard(integration: Integration) -> impl IntoView {
    let heading_id = format!("integration-{}", integration.id);
    let labelled_by = heading_id.clone();
    let (tag, detail) = match &integration.status {
        ConnectionStatus::NotConnected => ("Not connected", String::new()),
        ConnectionStatus::Connected {
            app_id,
            verified_at,
        } => (
            "Connected",
            format!("App ID {app_id}, verified {}", utc_time(*verified_at)),
        ),
        ConnectionStatus::Failing { app_id, reason } => {
            ("Failing", format!("App ID {app_id}: {reason}"))
        }
    };
    let tag_class = match integration.status {
        ConnectionStatus::Connected { .. } => "tag tag-ok",
        ConnectionStatus::Failing { .. } => "tag tag-bad",
        ConnectionStatus::NotConnected => "tag",
    };

    view! {
        <article class="card" aria-labelledby=labelled_by>
            <header class="card-header">
                <h2 id=heading_id>{integration.name.clone()}</h2>
                <span class=tag_class>{tag}</span>
            </header>
            <p>{integration.description.clone()}</p>
            <p class="detail">{detail}</p>
            <p>
                "Exports happen from the "
                <A href=use_app().href("/cohorts")>"Cohorts page"</A>
                "."
            </p>
        </article>
    }
}
