//! The application shell: router, navigation bar and shared context.

use leptos::prelude::*;
use leptos_router::components::{Route, Router, Routes, A};
use leptos_router::path;
use sync_model::api::Session;

use crate::client::{ApiClient, ClientError};
use crate::host::HostConfig;
use crate::pages::{CohortsPage, IntegrationsPage, NotFoundPage};

/// What every page can reach: the API client and the session.
#[derive(Clone)]
pub struct AppContext {
    /// The proxy's API.
    pub client: ApiClient,
    /// URL prefix the console is embedded under.
    pub base: String,
    /// Who is signed in; refetch after signing in as someone else.
    pub session: LocalResource<Result<Session, ClientError>>,
}

impl AppContext {
    /// The full URL of a console path such as `/cohorts`, below the base
    /// the console is embedded under.
    pub fn href(&self, path: &str) -> String {
        href(&self.base, path)
    }
}

/// Joins the embedding base and a console path.
pub fn href(base: &str, path: &str) -> String {
    match (base.is_empty(), path) {
        (true, _) => path.to_string(),
        (false, "/") => format!("{base}/"),
        (false, _) => format!("{base}{path}"),
    }
}

/// The context provided by [`App`].
pub fn use_app() -> AppContext {
    expect_context::<AppContext>()
}

/// The whole console.
#[component]
pub fn App(
    /// Where the console is embedded and where its proxy answers.
    config: HostConfig,
) -> impl IntoView {
    let client = ApiClient::new(config.api.clone());
    let session = {
        let client = client.clone();
        LocalResource::new(move || {
            let client = client.clone();
            async move { client.get::<Session>("/session").await }
        })
    };
    let base = config.base.clone();
    let app = AppContext {
        client,
        base: base.clone(),
        session,
    };
    let (home, cohorts) = (app.href("/"), app.href("/cohorts"));
    provide_context(app);

    view! {
        <Router base=base>
            <div class="console">
                <header class="console-header">
                    <nav aria-label="Console">
                        <A href=home exact=true>"Integrations"</A>
                        <A href=cohorts>"Cohorts"</A>
                    </nav>
                    <SessionBadge />
                </header>
                <main class="console-main">
                    <Routes fallback=NotFoundPage>
                        <Route path=path!("/") view=IntegrationsPage />
                        <Route path=path!("/integrations") view=IntegrationsPage />
                        <Route path=path!("/cohorts") view=CohortsPage />
                    </Routes>
                </main>
            </div>
        </Router>
    }
}

/// Who is signed in, shown in the header.
#[component]
fn SessionBadge() -> impl IntoView {
    let session = use_app().session;
    move || match session.get() {
        Some(Ok(s)) => {
            let who = s
                .account
                .as_ref()
                .map(|a| {
                    let role = if s.is_admin { "admin" } else { "member" };
                    format!("{} ({role})", a.name)
                })
                .unwrap_or_else(|| "Not signed in".to_string());
            view! { <p class="session">{who}</p> }.into_any()
        }
        _ => ().into_any(),
    }
}

#[cfg(test)]
mod tests {
    use super::href;

    #[test]
    fn paths_at_the_site_root_are_unchanged() {
        assert_eq!(href("", "/"), "/");
        assert_eq!(href("", "/cohorts"), "/cohorts");
    }

    #[test]
    fn paths_go_below_the_embedding_base() {
        assert_eq!(href("/dash/lp", "/"), "/dash/lp/");
        assert_eq!(href("/dash/lp", "/cohorts"), "/dash/lp/cohorts");
    }
}
