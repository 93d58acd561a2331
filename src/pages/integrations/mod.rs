//! The Integrations page: the Leanplum card and its connection, how users
//! are matched, and the events Leanplum sends back.

mod account_switcher;
mod card;
mod chart;
mod connect_dialog;
mod disconnect_dialog;
mod events;
mod form;
mod matching;

use leptos::prelude::*;
use sync_model::api::{Integration, Integrations};

use crate::app::use_app;
use crate::components::{LoadError, Loading};
use account_switcher::AccountSwitcher;
use card::LeanplumCard;
use events::EventsPanel;
use matching::MatchingUsers;

/// The Integrations page.
#[component]
pub fn IntegrationsPage() -> impl IntoView {
    let app = use_app();
    let client = app.client.clone();
    let session_resource = app.session;
    let session =
        Signal::derive(move || session_resource.get().and_then(Result::ok));
    let integrations = LocalResource::new(move || {
        let client = client.clone();
        async move { client.get::<Integrations>("/integrations").await }
    });
    let retry = Callback::new(move |()| integrations.refetch());
    let leanplum = Memo::new(move |_| {
        integrations.get().and_then(Result::ok).and_then(|list| {
            list.integrations.into_iter().find(|i| i.id == "leanplum")
        })
    });
    let loaded = move || leanplum.with(Option::is_some);

    view! {
        <section class="page integrations-page">
            <div class="page-heading">
                <h1>"Integrations"</h1>
                <AccountSwitcher session />
            </div>
            {move || match integrations.get() {
                None => view! { <Loading what="integrations" /> }.into_any(),
                Some(Err(error)) => {
                    view! {
                        <LoadError what="integrations" error on_retry=retry />
                    }
                        .into_any()
                }
                Some(Ok(_)) => ().into_any(),
            }}
            <Show when=loaded>
                <LeanplumCard
                    integration=Signal::derive(move || {
                        leanplum.get().unwrap_or_else(placeholder)
                    })
                    session
                    on_changed=retry
                />
            </Show>
            <MatchingUsers />
            <EventsPanel />
        </section>
    }
}

/// Never shown: the card is only rendered once Leanplum is loaded.
fn placeholder() -> Integration {
    Integration {
        id: "leanplum".into(),
        name: "Leanplum".into(),
        description: String::new(),
        status: sync_model::api::ConnectionStatus::NotConnected,
        sandbox: false,
    }
}
