//! The cohort-sync console: connect Leanplum and export cohorts to it.
//!
//! `main.rs` only calls [`mount`]; everything else lives here so native
//! tests can reach it.

pub mod app;
pub mod client;
pub mod components;
pub mod format;
pub mod host;
pub mod pages;

use leptos::prelude::*;

/// Mounts the console into its host element (see [`host::HostConfig`]).
pub fn mount() {
    let config = host::HostConfig::from_document();
    let Some(element) = host::host_element() else {
        web_sys::console::error_1(
            &format!(
                "cohort-sync console: no element with id \"{}\" to mount in",
                host::HOST_ELEMENT_ID
            )
            .into(),
        );
        return;
    };
    leptos::mount::mount_to(element, move || {
        view! { <app::App config=config.clone() /> }
    })
    .forget();
}
