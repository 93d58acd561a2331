//! Where the console lives in its host page: the element it mounts into,
//! the URL prefix it is embedded under, and where its proxy answers.

use wasm_bindgen::JsCast;

/// Id of the element the console mounts into.
pub const HOST_ELEMENT_ID: &str = "cohort-sync-console";

/// Settings read from the host element's `data-*` attributes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HostConfig {
    /// URL prefix the console's routes live under (`data-base`), no
    /// trailing slash; empty at the site root.
    pub base: String,
    /// Base URL of the proxy's API (`data-api`), no trailing slash.
    pub api: String,
}

impl Default for HostConfig {
    fn default() -> Self {
        Self::from_attributes(None, None)
    }
}

impl HostConfig {
    /// Builds the config from raw attribute values, normalising slashes.
    pub fn from_attributes(base: Option<&str>, api: Option<&str>) -> Self {
        let base = base.map(str::trim).unwrap_or("").trim_end_matches('/');
        let base = if base.is_empty() || base.starts_with('/') {
            base.to_string()
        } else {
            format!("/{base}")
        };
        let api = api
            .map(str::trim)
            .filter(|a| !a.is_empty())
            .unwrap_or(sync_model::api::API_PREFIX)
            .trim_end_matches('/')
            .to_string();
        Self { base, api }
    }

    /// Reads the host element of the current document.
    pub fn from_document() -> Self {
        match host_element() {
            Some(el) => Self::from_attributes(
                el.get_attribute("data-base").as_deref(),
                el.get_attribute("data-api").as_deref(),
            ),
            None => Self::default(),
        }
    }
}

/// The element the console mounts into, if the page has one.
pub fn host_element() -> Option<web_sys::HtmlElement> {
    web_sys::window()?
        .document()?
        .get_element_by_id(HOST_ELEMENT_ID)?
        .dyn_into()
        .ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn missing_attributes_mean_site_root_and_same_origin_api() {
        let c = HostConfig::from_attributes(None, None);
        assert_eq!(c.base, "");
        assert_eq!(c.api, "/api");
    }

    #[test]
    fn base_gets_a_leading_slash_and_loses_the_trailing_one() {
        let c = HostConfig::from_attributes(Some("analytics/leanplum/"), None);
        assert_eq!(c.base, "/analytics/leanplum");
    }

    #[test]
    fn api_keeps_its_origin_and_loses_the_trailing_slash() {
        let c = HostConfig::from_attributes(
            Some("/"),
            Some(" https://proxy.example.com/api/ "),
        );
        assert_eq!(c.base, "");
        assert_eq!(c.api, "https://proxy.example.com/api");
    }
}
