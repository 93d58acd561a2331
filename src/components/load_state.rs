//! What a page shows while its data loads, or when loading failed.

use leptos::prelude::*;

use crate::client::ClientError;

/// A polite loading line, announced to screen readers.
#[component]
pub fn Loading(
    /// What is loading, such as "cohorts".
    #[prop(into)]
    what: String,
) -> impl IntoView {
    view! {
        <p class="loading" role="status" aria-live="polite">
            {format!("Loading {what}…")}
        </p>
    }
}

/// An error in words with a retry button.
#[component]
pub fn LoadError(
    /// What could not be loaded, such as "cohorts".
    #[prop(into)]
    what: String,
    /// The failure.
    error: ClientError,
    /// Called when the person asks to try again.
    on_retry: Callback<()>,
) -> impl IntoView {
    view! {
        <div class="load-error" role="alert">
            <p>
                <strong>{format!("Could not load {what}.")}</strong>
                " "
                {error.message()}
            </p>
            <button type="button" on:click=move |_| on_retry.run(())>
                "Retry"
            </button>
        </div>
    }
}
