//! Shown for any path the console does not know.

use leptos::prelude::*;
use leptos_router::components::A;

use crate::app::use_app;

/// The not-found page.
#[component]
pub fn NotFoundPage() -> impl IntoView {
    view! {
        <section class="page">
            <h1>"Page not found"</h1>
            <p>"There is nothing at this address."</p>
            <p><A href=use_app().href("/")>"Go to Integrations"</A></p>
        </section>
    }
}
