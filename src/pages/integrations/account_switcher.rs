//! In demo mode, a way to sign in as another demo account, such as a
//! project member who may look but not change anything.

use leptos::prelude::*;
use sync_model::api::{Session, SignIn};

use crate::app::use_app;
use crate::components::unique_id;

/// "Signed in as" select of the demo accounts; hidden outside demo mode.
#[component]
pub fn AccountSwitcher(
    /// The signed-in session, once loaded.
    #[prop(into)]
    session: Signal<Option<Session>>,
) -> impl IntoView {
    let app = use_app();
    let (client, session_resource) = (app.client.clone(), app.session);
    let select_id = unique_id("signed-in-as");
    let switch = Action::new_local(move |(csrf, id): &(String, String)| {
        let client = client.clone();
        let body = SignIn {
            account_id: id.clone(),
        };
        let csrf = csrf.clone();
        async move {
            client
                .send::<SignIn, ()>("POST", "/session", &csrf, Some(&body), &[])
                .await
        }
    });
    let pending = switch.pending();
    Effect::new(move |_| {
        if let Some(Ok(())) = switch.value().get() {
            session_resource.refetch();
        }
    });
    let error = move || match switch.value().get() {
        Some(Err(e)) => {
            Some(format!("Could not switch accounts. {}", e.message()))
        }
        _ => None,
    };

    move || {
        let s = session.get().filter(|s| s.demo)?;
        let current = s.account.as_ref().map(|a| a.id.clone());
        let csrf = s.csrf_token.clone();
        let options = s
            .demo_accounts
            .iter()
            .map(|a| {
                let role = if a.role == sync_model::api::Role::Admin {
                    "admin"
                } else {
                    "member"
                };
                view! {
                    <option value=a.id.clone() selected=current.as_deref() == Some(a.id.as_str())>
                        {format!("{} ({role})", a.name)}
                    </option>
                }
            })
            .collect_view();
        Some(view! {
            <div class="account-switcher">
                <label for=select_id.clone()>"Signed in as"</label>
                <select
                    id=select_id.clone()
                    disabled=pending
                    on:change=move |ev| {
                        switch.dispatch((csrf.clone(), event_target_value(&ev)));
                    }
                >
                    {options}
                </select>
                <span class="detail">"Demo accounts"</span>
                {move || error().map(|t| view! { <p class="form-error" role="alert">{t}</p> })}
            </div>
        })
    }
}
