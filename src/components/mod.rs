//! Pieces shared by several pages.

mod load_state;
mod modal;

pub use load_state::{LoadError, Loading};
pub use modal::{unique_id, Modal};
