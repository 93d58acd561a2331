//! The Connect dialog: App ID and API secret, checked as they are typed,
//! then verified with Leanplum by the proxy.
//!
//! The secret lives only in this dialog's form state, which is cleared
//! whenever the dialog closes.

use leptos::prelude::*;
use sync_model::api::{ConnectRequest, Integration, Session};
use sync_model::CredentialField;

use super::form::{ConnectFailure, CredentialForm, Severity};
use crate::app::use_app;
use crate::components::{unique_id, Modal};

/// The dialog that connects Leanplum.
#[component]
pub fn ConnectDialog(
    /// Whether the dialog is open.
    #[prop(into)]
    open: Signal<bool>,
    /// The signed-in session, for its CSRF token.
    #[prop(into)]
    session: Signal<Option<Session>>,
    /// Called when the admin cancels or presses Escape.
    on_close: Callback<()>,
    /// Called with the integration once Leanplum accepted the pair.
    on_connected: Callback<Integration>,
) -> impl IntoView {
    let client = use_app().client;
    let form = RwSignal::new(CredentialForm::default());
    let show_secret = RwSignal::new(false);
    let connect =
        Action::new_local(move |(csrf, request): &(String, ConnectRequest)| {
            let (client, csrf, request) =
                (client.clone(), csrf.clone(), request.clone());
            async move {
                client
                    .send::<ConnectRequest, Integration>(
                        "POST",
                        "/integrations/leanplum/connect",
                        &csrf,
                        Some(&request),
                        &[],
                    )
                    .await
            }
        });
    let pending = connect.pending();

    // Forget everything typed, the secret above all, once the dialog is
    // closed for any reason.
    let forget = move || {
        form.set(CredentialForm::default());
        show_secret.set(false);
        connect.clear();
    };
    // Each opening starts from an empty form, whatever happened before.
    Effect::new(move |was_open: Option<bool>| {
        let is_open = open.get();
        if is_open && was_open != Some(true) {
            forget();
        }
        is_open
    });
    Effect::new(move |_| {
        if let Some(Ok(integration)) = connect.value().get() {
            forget();
            on_connected.run(integration);
        }
    });
    let close = Callback::new(move |()| {
        forget();
        on_close.run(());
    });
    let submit = Callback::new(move |()| {
        // The button is disabled while pending; this also stops a second
        // Enter or a double click that lands before it re-renders.
        if pending.get_untracked() {
            return;
        }
        let Some(request) = form.with_untracked(CredentialForm::request) else {
            return;
        };
        let Some(csrf) = session
            .with_untracked(|s| s.as_ref().map(|s| s.csrf_token.clone()))
        else {
            return;
        };
        connect.dispatch((csrf, request));
    });
    let failure = Memo::new(move |_| match connect.value().get() {
        Some(Err(e)) => Some(ConnectFailure::from_error(&e)),
        _ => None,
    });
    let can_submit =
        move || !pending.get() && form.with(|f| f.request().is_some());

    view! {
        <Modal open on_close=close title="Connect Leanplum">
            <form
                class="connect-form"
                novalidate
                on:submit=move |ev| {
                    ev.prevent_default();
                    submit.run(());
                }
            >
                <p>
                    "Find both values in your Leanplum settings, under "
                    <strong>"Partner Integrations → Mixpanel"</strong>
                    ". The App ID is the username and the API Secret the \
                     password of the connection."
                </p>
                <CredentialInput form field=CredentialField::AppId masked=Signal::stored(false) />
                <CredentialInput form field=CredentialField::ApiSecret masked=Signal::derive(move || !show_secret.get())>
                    <button
                        type="button"
                        class="secondary toggle"
                        on:click=move |_| show_secret.update(|s| *s = !*s)
                    >
                        {move || if show_secret.get() { "Hide secret" } else { "Show secret" }}
                    </button>
                </CredentialInput>
                {move || failure.get().map(|f| view! { <FailureNote failure=f on_retry=submit /> })}
                <div class="dialog-actions">
                    <button type="submit" disabled=move || !can_submit()>
                        {move || if pending.get() { "Checking with Leanplum…" } else { "Connect" }}
                    </button>
                    <button type="button" class="secondary" on:click=move |_| close.run(())>
                        "Cancel"
                    </button>
                </div>
                <p class="visually-hidden" role="status">
                    {move || pending.get().then_some("Checking the credentials with Leanplum…")}
                </p>
            </form>
        </Modal>
    }
}

/// One labelled credential field with its problems underneath.
#[component]
fn CredentialInput(
    /// The form the field belongs to.
    form: RwSignal<CredentialForm>,
    /// Which field this is.
    field: CredentialField,
    /// True to mask what is typed.
    #[prop(into)]
    masked: Signal<bool>,
    /// Controls shown beside the input.
    #[prop(optional)]
    children: Option<Children>,
) -> impl IntoView {
    let input_id = unique_id("credential");
    let issues_id = unique_id("credential-issues");
    let label = match field {
        CredentialField::AppId => "App ID",
        CredentialField::ApiSecret => "API Secret",
    };
    let issues = move || {
        form.with(|f| {
            let mut lines: Vec<_> = f
                .shown_issues(field)
                .into_iter()
                .map(|i| {
                    let class = match i.severity {
                        Severity::Error => "issue issue-error",
                        Severity::Warning => "issue issue-warning",
                    };
                    let prefix = match i.severity {
                        Severity::Error => "Error: ",
                        Severity::Warning => "Warning: ",
                    };
                    view! {
                        <p class=class>
                            <span class="visually-hidden">{prefix}</span>
                            {i.message}
                        </p>
                    }
                    .into_any()
                })
                .collect();
            if let Some(note) = f.trimmed_note(field) {
                lines.push(
                    view! { <p class="issue issue-note">{note}</p> }.into_any(),
                );
            }
            lines
        })
    };

    view! {
        <div class="field">
            <label for=input_id.clone()>{label}</label>
            <div class="field-row">
                <input
                    id=input_id
                    type=move || if masked.get() { "password" } else { "text" }
                    autocomplete="off"
                    spellcheck="false"
                    autocapitalize="off"
                    aria-describedby=issues_id.clone()
                    aria-invalid=move || form.with(|f| f.shows_error(field)).to_string()
                    prop:value=move || form.with(|f| f.value(field).to_string())
                    on:input=move |ev| form.update(|f| f.set(field, event_target_value(&ev)))
                />
                {children.map(|c| c())}
            </div>
            <div id=issues_id class="issues" aria-live="polite">{issues}</div>
        </div>
    }
}

/// Why the last attempt failed, with a retry when one may help.
#[component]
fn FailureNote(
    /// The failure.
    failure: ConnectFailure,
    /// Called to send the same values again.
    on_retry: Callback<()>,
) -> impl IntoView {
    let retry = failure.can_retry().then(|| {
        view! {
            <button type="button" class="secondary" on:click=move |_| on_retry.run(())>
                "Try again"
            </button>
        }
    });
    let class = if failure.can_retry() {
        "form-error form-error-unreachable"
    } else {
        "form-error"
    };

    view! {
        <div class=class role="alert">
            <p>
                <strong>{failure.headline()}</strong>
                " "
                {failure.message().to_string()}
            </p>
            {retry}
        </div>
    }
}
