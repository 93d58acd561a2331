//! Confirmation before Leanplum is disconnected.

use leptos::prelude::*;
use sync_model::api::{Integration, Session};

use crate::app::use_app;
use crate::client::ClientError;
use crate::components::Modal;

/// Asks before disconnecting, then disconnects.
#[component]
pub fn DisconnectDialog(
    /// Whether the dialog is open.
    #[prop(into)]
    open: Signal<bool>,
    /// The signed-in session, for its CSRF token.
    #[prop(into)]
    session: Signal<Option<Session>>,
    /// Called when the admin cancels.
    on_close: Callback<()>,
    /// Called with the integration once disconnected.
    on_disconnected: Callback<Integration>,
) -> impl IntoView {
    let client = use_app().client;
    let disconnect = Action::new_local(move |csrf: &String| {
        let (client, csrf) = (client.clone(), csrf.clone());
        async move {
            client
                .send::<(), Integration>(
                    "POST",
                    "/integrations/leanplum/disconnect",
                    &csrf,
                    None,
                    &[],
                )
                .await
        }
    });
    let pending = disconnect.pending();

    Effect::new(move |_| {
        if let Some(Ok(integration)) = disconnect.value().get() {
            disconnect.clear();
            on_disconnected.run(integration);
        }
    });
    let close = Callback::new(move |()| {
        disconnect.clear();
        on_close.run(());
    });
    let confirm = move |_| {
        if pending.get_untracked() {
            return;
        }
        if let Some(s) = session.get_untracked() {
            disconnect.dispatch(s.csrf_token);
        }
    };
    let error = move || match disconnect.value().get() {
        Some(Err(e)) => Some(error_text(&e)),
        _ => None,
    };

    view! {
        <Modal open on_close=close title="Disconnect Leanplum?">
            <p>
                "Active syncs will pause until Leanplum is connected again. \
                 Nothing already sent to Leanplum is removed."
            </p>
            {move || {
                error().map(|text| view! { <p class="form-error" role="alert">{text}</p> })
            }}
            <div class="dialog-actions">
                <button type="button" class="danger" disabled=pending on:click=confirm>
                    {move || if pending.get() { "Disconnecting…" } else { "Disconnect" }}
                </button>
                <button type="button" class="secondary" on:click=move |_| close.run(())>
                    "Cancel"
                </button>
            </div>
        </Modal>
    }
}

fn error_text(error: &ClientError) -> String {
    format!("Could not disconnect. {}", error.message())
}
