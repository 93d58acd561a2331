//! The Leanplum card: connection state, and Connect / Disconnect for
//! project admins.

use leptos::html;
use leptos::prelude::*;
use leptos_router::components::A;
use sync_model::api::{ConnectionStatus, Integration, Session};

use super::connect_dialog::ConnectDialog;
use super::disconnect_dialog::DisconnectDialog;
use crate::app::use_app;
use crate::components::unique_id;
use crate::format::utc_time;

/// The card's tag: a word for the connection state and its CSS class.
pub fn status_tag(status: &ConnectionStatus) -> (&'static str, &'static str) {
    match status {
        ConnectionStatus::NotConnected => ("Not connected", "tag"),
        ConnectionStatus::Connected { .. } => ("Connected", "tag tag-ok"),
        ConnectionStatus::Failing { .. } => ("Failing", "tag tag-bad"),
    }
}

/// The Leanplum integration card.
#[component]
pub fn LeanplumCard(
    /// The integration as last loaded.
    #[prop(into)]
    integration: Signal<Integration>,
    /// The signed-in session, once loaded.
    #[prop(into)]
    session: Signal<Option<Session>>,
    /// Called after connecting or disconnecting, to reload the state.
    on_changed: Callback<()>,
) -> impl IntoView {
    let heading_id = unique_id("integration-leanplum");
    let labelled_by = heading_id.clone();
    let note_id = unique_id("admin-note");
    let connect_open = RwSignal::new(false);
    let disconnect_open = RwSignal::new(false);
    let connect_button = NodeRef::<html::Button>::new();
    let status = Memo::new(move |_| integration.with(|i| i.status.clone()));
    let is_admin = Signal::derive(move || {
        session.with(|s| s.as_ref().is_some_and(|s| s.is_admin))
    });
    let is_member = Signal::derive(move || {
        session.with(|s| s.as_ref().is_some_and(|s| !s.is_admin))
    });
    let has_connection =
        move || !matches!(status.get(), ConnectionStatus::NotConnected);
    let described_by = {
        let note_id = note_id.clone();
        move || is_member.get().then(|| note_id.clone())
    };
    let described_by_2 = described_by.clone();

    let on_connected = Callback::new(move |_: Integration| {
        connect_open.set(false);
        on_changed.run(());
    });
    let on_disconnected = Callback::new(move |_: Integration| {
        disconnect_open.set(false);
        on_changed.run(());
        // The Disconnect button goes away; keep focus on the card.
        if let Some(button) = connect_button.get_untracked() {
            let _ = button.focus();
        }
    });

    view! {
        <article class="card integration" aria-labelledby=labelled_by>
            <header class="card-header">
                <h2 id=heading_id>{move || integration.with(|i| i.name.clone())}</h2>
                {move || {
                    let (word, class) = status_tag(&status.get());
                    view! { <span class=class>{word}</span> }
                }}
            </header>
            <p>
                {move || integration.with(|i| i.description.clone())}
                " Export cohorts from the "
                <A href=use_app().href("/cohorts")>"Cohorts page"</A>
                "."
            </p>
            <StatusDetail status />
            {move || {
                integration
                    .with(|i| i.sandbox)
                    .then(|| {
                        view! {
                            <p class="sandbox-note">
                                <strong>"Demo: "</strong>
                                "Leanplum calls go to the built-in sandbox, not to \
                                 a real Leanplum project."
                            </p>
                        }
                    })
            }}
            <div class="card-actions">
                <button
                    type="button"
                    node_ref=connect_button
                    disabled=move || !is_admin.get()
                    aria-describedby=described_by
                    on:click=move |_| connect_open.set(true)
                >
                    {move || if has_connection() { "Reconnect" } else { "Connect" }}
                </button>
                {move || {
                    has_connection()
                        .then(|| {
                            view! {
                                <button
                                    type="button"
                                    class="secondary"
                                    disabled=move || !is_admin.get()
                                    aria-describedby=described_by_2.clone()
                                    on:click=move |_| disconnect_open.set(true)
                                >
                                    "Disconnect"
                                </button>
                            }
                        })
                }}
            </div>
            <p id=note_id class="detail" hidden=move || !is_member.get()>
                "Only project admins can connect or disconnect Leanplum."
            </p>
            <ConnectDialog
                open=connect_open
                session
                on_close=Callback::new(move |()| connect_open.set(false))
                on_connected
            />
            <DisconnectDialog
                open=disconnect_open
                session
                on_close=Callback::new(move |()| disconnect_open.set(false))
                on_disconnected
            />
        </article>
    }
}

/// What the state means, and what to do about it.
#[component]
fn StatusDetail(
    /// The connection state.
    #[prop(into)]
    status: Signal<ConnectionStatus>,
) -> impl IntoView {
    move || match status.get() {
        ConnectionStatus::NotConnected => view! {
            <p class="detail">
                "Not connected. Connect with your Leanplum App ID and API \
                 Secret to export cohorts."
            </p>
        }
        .into_any(),
        ConnectionStatus::Connected {
            app_id,
            verified_at,
        } => view! {
            <p class="detail">
                "App ID " <code>{app_id}</code> ", verified "
                {utc_time(verified_at)} "."
            </p>
        }
        .into_any(),
        ConnectionStatus::Failing { app_id, reason } => view! {
            <div class="status-failing">
                <p>
                    "Leanplum refuses the stored credentials for App ID "
                    <code>{app_id}</code> ": " {reason}
                </p>
                <p>
                    "Syncs are paused. Reconnect with a current App ID and \
                     production API Secret to resume them."
                </p>
            </div>
        }
        .into_any(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_state_has_its_own_tag() {
        assert_eq!(
            status_tag(&ConnectionStatus::NotConnected),
            ("Not connected", "tag")
        );
        let connected = ConnectionStatus::Connected {
            app_id: "app_x".into(),
            verified_at: 0,
        };
        assert_eq!(status_tag(&connected), ("Connected", "tag tag-ok"));
        let failing = ConnectionStatus::Failing {
            app_id: "app_x".into(),
            reason: "401".into(),
        };
        assert_eq!(status_tag(&failing), ("Failing", "tag tag-bad"));
    }
}
