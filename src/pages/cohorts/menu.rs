//! The ⋯ menu of a cohort row: a menu button with arrow-key
//! navigation whose items export the cohort or open its sync.

use leptos::html;
use leptos::prelude::*;
use wasm_bindgen::JsCast;

use crate::app::use_app;
use crate::components::unique_id;

/// Whether the signed-in person may export now, and if not, why.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExportAccess {
    /// The session or the integration is still loading.
    Unknown,
    /// An admin, with Leanplum connected.
    Allowed,
    /// Not a project admin.
    NotAdmin,
    /// Leanplum is not connected yet.
    NotConnected,
}

impl ExportAccess {
    /// Access from the role and the connection, each `None` while
    /// loading; the role decides first, since members cannot connect.
    pub fn of(admin: Option<bool>, connected: Option<bool>) -> Self {
        match (admin, connected) {
            (Some(false), _) => Self::NotAdmin,
            (Some(true), Some(true)) => Self::Allowed,
            (Some(true), Some(false)) => Self::NotConnected,
            _ => Self::Unknown,
        }
    }

    /// Why the export item is unavailable, in words.
    pub fn reason(self) -> Option<&'static str> {
        match self {
            Self::Allowed => None,
            Self::Unknown => Some("Checking your access…"),
            Self::NotAdmin => Some("Only project admins can export cohorts."),
            Self::NotConnected => Some(
                "Leanplum is not connected. Connect it on the \
                      Integrations page.",
            ),
        }
    }
}

/// Where focus goes for a navigation key, among `count` items with
/// `current` focused; `None` for other keys.
pub fn next_item(
    key: &str,
    current: Option<usize>,
    count: usize,
) -> Option<usize> {
    if count == 0 {
        return None;
    }
    let last = count - 1;
    match key {
        "ArrowDown" => {
            Some(current.map_or(0, |i| if i >= last { 0 } else { i + 1 }))
        }
        "ArrowUp" => {
            Some(current.map_or(last, |i| if i == 0 { last } else { i - 1 }))
        }
        "Home" => Some(0),
        "End" => Some(last),
        _ => None,
    }
}

/// The actions menu of one cohort.
#[component]
pub fn CohortMenu(
    /// The cohort's name, for the button's accessible name.
    #[prop(into)]
    cohort_name: String,
    /// Whether export is possible.
    #[prop(into)]
    access: Signal<ExportAccess>,
    /// Called when the person picks Export to Leanplum.
    on_export: Callback<()>,
    /// Called to open the cohort's sync, when it has one.
    on_follow: Option<Callback<()>>,
) -> impl IntoView {
    let open = RwSignal::new(false);
    let button = NodeRef::<html::Button>::new();
    let menu = NodeRef::<html::Ul>::new();
    let menu_id = unique_id("cohort-menu");
    let integrations = use_app().href("/integrations");

    let items = move || -> Vec<web_sys::HtmlElement> {
        let Some(menu) = menu.get_untracked() else {
            return Vec::new();
        };
        let Ok(list) = menu.query_selector_all("[role=menuitem]") else {
            return Vec::new();
        };
        (0..list.length())
            .filter_map(|i| list.item(i))
            .filter_map(|n| n.dyn_into::<web_sys::HtmlElement>().ok())
            .collect()
    };
    let focus_item = move |index: usize| {
        if let Some(item) = items().get(index) {
            let _ = item.focus();
        }
    };
    let close = move |refocus: bool| {
        open.set(false);
        if refocus {
            if let Some(b) = button.get_untracked() {
                let _ = b.focus();
            }
        }
    };
    let open_at = move |index: usize| {
        open.set(true);
        // The items exist once the menu has rendered.
        request_animation_frame(move || focus_item(index));
    };

    let on_menu_key = move |ev: web_sys::KeyboardEvent| {
        let key = ev.key();
        match key.as_str() {
            "Escape" => {
                ev.prevent_default();
                ev.stop_propagation();
                close(true);
            }
            "Tab" => close(false),
            _ => {
                let all = items();
                let active = document().active_element();
                let current = all.iter().position(|item| {
                    active.as_ref().is_some_and(|a| {
                        let item: &web_sys::Element = item;
                        a == item
                    })
                });
                if let Some(next) = next_item(&key, current, all.len()) {
                    ev.prevent_default();
                    focus_item(next);
                }
            }
        }
    };
    let on_button_key =
        move |ev: web_sys::KeyboardEvent| match ev.key().as_str() {
            "ArrowDown" => {
                ev.prevent_default();
                open_at(0);
            }
            "ArrowUp" => {
                ev.prevent_default();
                open.set(true);
                request_animation_frame(move || {
                    let count = items().len();
                    if count > 0 {
                        focus_item(count - 1);
                    }
                });
            }
            _ => {}
        };
    // Also fires while the row is being removed, after its signals are
    // gone: hence the `try_` reads.
    let on_focus_out = move |ev: web_sys::FocusEvent| {
        let Some(target) = ev
            .related_target()
            .and_then(|t| t.dyn_into::<web_sys::Node>().ok())
        else {
            let _ = open.try_set(false);
            return;
        };
        let holds = |node: Option<web_sys::Node>| {
            node.is_some_and(|n| n.contains(Some(&target)))
        };
        let menu = menu.try_get_untracked().flatten().map(Into::into);
        let button = button.try_get_untracked().flatten().map(Into::into);
        if !holds(menu) && !holds(button) {
            let _ = open.try_set(false);
        }
    };

    let export_item = move || {
        let reason = access.get().reason();
        match access.get() {
            ExportAccess::Allowed => view! {
                <li role="none">
                    <button
                        type="button"
                        role="menuitem"
                        tabindex="-1"
                        on:click=move |_| {
                            close(true);
                            on_export.run(());
                        }
                    >
                        "Export to Leanplum"
                    </button>
                </li>
            }
            .into_any(),
            ExportAccess::NotConnected => view! {
                <li role="none">
                    <a role="menuitem" tabindex="-1" href=integrations.clone()>
                        <span>"Export to Leanplum"</span>
                        <span class="hint">{reason}</span>
                    </a>
                </li>
            }
            .into_any(),
            _ => view! {
                <li role="none">
                    <button
                        type="button"
                        role="menuitem"
                        tabindex="-1"
                        aria-disabled="true"
                    >
                        <span>"Export to Leanplum"</span>
                        <span class="hint">{reason}</span>
                    </button>
                </li>
            }
            .into_any(),
        }
    };
    let follow_item = on_follow.map(|on_follow| {
        view! {
            <li role="none">
                <button
                    type="button"
                    role="menuitem"
                    tabindex="-1"
                    on:click=move |_| {
                        close(false);
                        on_follow.run(());
                    }
                >
                    "View Leanplum sync"
                </button>
            </li>
        }
    });
    let label = format!("Actions for {cohort_name}");

    view! {
        <div class="menu" on:focusout=on_focus_out>
            <button
                type="button"
                class="menu-button"
                node_ref=button
                aria-label=label
                aria-haspopup="menu"
                aria-expanded=move || open.get().to_string()
                aria-controls=menu_id.clone()
                on:click=move |_| {
                    if open.get_untracked() {
                        close(false);
                    } else {
                        open_at(0);
                    }
                }
                on:keydown=on_button_key
            >
                <svg
                    class="menu-dots"
                    aria-hidden="true"
                    viewBox="0 0 16 4"
                    width="16"
                    height="4"
                >
                    <circle cx="2" cy="2" r="1.6"></circle>
                    <circle cx="8" cy="2" r="1.6"></circle>
                    <circle cx="14" cy="2" r="1.6"></circle>
                </svg>
            </button>
            <ul
                id=menu_id
                role="menu"
                node_ref=menu
                class="menu-list"
                aria-label=format!("Actions for {cohort_name}")
                hidden=move || !open.get()
                on:keydown=on_menu_key
            >
                {export_item}
                {follow_item}
            </ul>
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn members_cannot_export_even_when_leanplum_is_connected() {
        let access = ExportAccess::of(Some(false), Some(true));
        assert_eq!(access, ExportAccess::NotAdmin);
        assert_eq!(
            access.reason(),
            Some("Only project admins can export cohorts.")
        );
    }

    #[test]
    fn admins_export_only_once_leanplum_is_connected() {
        assert_eq!(
            ExportAccess::of(Some(true), Some(false)),
            ExportAccess::NotConnected
        );
        assert_eq!(
            ExportAccess::of(Some(true), Some(true)),
            ExportAccess::Allowed
        );
        assert_eq!(ExportAccess::of(Some(true), None), ExportAccess::Unknown);
    }

    #[test]
    fn arrow_keys_wrap_around_the_items() {
        assert_eq!(next_item("ArrowDown", Some(1), 2), Some(0));
        assert_eq!(next_item("ArrowUp", Some(0), 2), Some(1));
        assert_eq!(next_item("ArrowDown", None, 2), Some(0));
        assert_eq!(next_item("End", Some(0), 3), Some(2));
        assert_eq!(next_item("Home", Some(2), 3), Some(0));
        assert_eq!(next_item("x", Some(0), 3), None);
        assert_eq!(next_item("ArrowDown", None, 0), None);
    }
}
