//! One module per page.

mod cohorts;
mod integrations;
mod not_found;

pub use cohorts::CohortsPage;
pub use integrations::IntegrationsPage;
pub use not_found::NotFoundPage;
