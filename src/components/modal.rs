//! A real modal dialog on the native `<dialog>` element: focus moves in
//! when it opens, Escape closes it, and focus returns to what opened it.

use std::sync::atomic::{AtomicUsize, Ordering};

use leptos::html;
use leptos::prelude::*;

static NEXT_ID: AtomicUsize = AtomicUsize::new(0);

/// A fresh id for linking labels to elements within one page.
pub fn unique_id(prefix: &str) -> String {
    format!("{prefix}-{}", NEXT_ID.fetch_add(1, Ordering::Relaxed))
}

/// A modal dialog whose content exists only while it is open.
#[component]
pub fn Modal(
    /// Whether the dialog is open.
    #[prop(into)]
    open: Signal<bool>,
    /// Called when the person dismisses it with Escape.
    on_close: Callback<()>,
    /// The dialog's title, also its accessible name.
    #[prop(into)]
    title: String,
    /// Content; built anew each time the dialog opens.
    children: ChildrenFn,
) -> impl IntoView {
    let node = NodeRef::<html::Dialog>::new();
    let title_id = unique_id("dialog-title");
    let labelled_by = title_id.clone();

    Effect::new(move |_| {
        let Some(dialog) = node.get() else { return };
        match (open.get(), dialog.open()) {
            (true, false) => {
                let _ = dialog.show_modal();
            }
            (false, true) => dialog.close(),
            _ => {}
        }
    });

    view! {
        <dialog
            node_ref=node
            class="modal"
            aria-labelledby=labelled_by
            on:cancel=move |ev: web_sys::Event| {
                // Escape: let the owner decide, so state stays in one place.
                ev.prevent_default();
                on_close.run(());
            }
        >
            <h2 id=title_id class="modal-title">{title}</h2>
            <Show when=move || open.get()>{children()}</Show>
        </dialog>
    }
}
