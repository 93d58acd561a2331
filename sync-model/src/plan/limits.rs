//! The product's limits on how many dynamic syncs may run and how large
//! a cohort may be exported.

use serde::{Deserialize, Serialize};
use std::fmt;

/// Most dynamic syncs one Leanplum connection may run.
pub const MAX_DYNAMIC_SYNCS: usize = 60;

/// Most members a cohort may have to be exported.
pub const MAX_COHORT_USERS: u64 = 10_000_000;

/// A limit that stops an export from being created or run.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LimitError {
    /// All dynamic sync slots are in use.
    TooManyDynamicSyncs {
        /// Dynamic syncs that already exist.
        existing: usize,
    },
    /// The cohort has more members than can be exported.
    CohortTooLarge {
        /// Members in the cohort.
        members: u64,
    },
}

impl fmt::Display for LimitError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::TooManyDynamicSyncs { existing } => write!(
                f,
                "There are already {existing} dynamic syncs, and at most \
                 {MAX_DYNAMIC_SYNCS} can run. Stop a dynamic sync you no \
                 longer need, or export this cohort one time instead."
            ),
            Self::CohortTooLarge { members } => write!(
                f,
                "This cohort has {members} members, more than the \
                 {MAX_COHORT_USERS} that can be exported. Narrow the \
                 cohort's filters and try again."
            ),
        }
    }
}

impl std::error::Error for LimitError {}

/// Checks that one more dynamic sync may be created.
pub fn check_new_dynamic_sync(
    existing_dynamic: usize,
) -> Result<(), LimitError> {
    if existing_dynamic >= MAX_DYNAMIC_SYNCS {
        return Err(LimitError::TooManyDynamicSyncs {
            existing: existing_dynamic,
        });
    }
    Ok(())
}

/// Checks that a cohort of `members` members may be exported.
pub fn check_cohort_size(members: u64) -> Result<(), LimitError> {
    if members > MAX_COHORT_USERS {
        return Err(LimitError::CohortTooLarge { members });
    }
    Ok(())
}
