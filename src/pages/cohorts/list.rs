//! Filtering and sorting of the cohort list, and its sync states in
//! words.

use std::cmp::Ordering;

use sync_model::api::{Cohort, CohortSyncState};

/// A column the list can be sorted by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Column {
    /// Cohort name.
    Name,
    /// Description.
    Description,
    /// Member count.
    Members,
    /// Last change.
    Updated,
    /// Leanplum sync state.
    Sync,
}

impl Column {
    /// Every sortable column, in table order.
    pub const ALL: [Column; 5] = [
        Column::Name,
        Column::Description,
        Column::Members,
        Column::Updated,
        Column::Sync,
    ];

    /// The column header.
    pub fn label(self) -> &'static str {
        match self {
            Column::Name => "Name",
            Column::Description => "Description",
            Column::Members => "Members",
            Column::Updated => "Updated",
            Column::Sync => "Leanplum sync",
        }
    }
}

/// How the list is sorted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Sort {
    /// The column.
    pub column: Column,
    /// Smallest first when true.
    pub ascending: bool,
}

impl Default for Sort {
    fn default() -> Self {
        Self {
            column: Column::Name,
            ascending: true,
        }
    }
}

impl Sort {
    /// The sort after clicking `column`'s header: the same column flips,
    /// another one starts ascending.
    pub fn toggled(self, column: Column) -> Sort {
        Sort {
            column,
            ascending: self.column != column || !self.ascending,
        }
    }

    /// The `aria-sort` value of `column`'s header.
    pub fn aria(self, column: Column) -> &'static str {
        match (self.column == column, self.ascending) {
            (false, _) => "none",
            (true, true) => "ascending",
            (true, false) => "descending",
        }
    }

    fn compare(self, a: &Cohort, b: &Cohort) -> Ordering {
        let folded = |s: &str| s.to_lowercase();
        let order = match self.column {
            Column::Name => folded(&a.name).cmp(&folded(&b.name)),
            Column::Description => {
                folded(&a.description).cmp(&folded(&b.description))
            }
            Column::Members => a.members.cmp(&b.members),
            Column::Updated => a.updated_at.cmp(&b.updated_at),
            Column::Sync => sync_label(&a.sync).cmp(&sync_label(&b.sync)),
        };
        let order = order.then_with(|| a.id.cmp(&b.id));
        if self.ascending {
            order
        } else {
            order.reverse()
        }
    }
}

/// The cohorts whose name contains `filter` (ignoring case), sorted.
pub fn shown_cohorts(
    cohorts: &[Cohort],
    filter: &str,
    sort: Sort,
) -> Vec<Cohort> {
    let filter = filter.trim().to_lowercase();
    let mut shown: Vec<Cohort> = cohorts
        .iter()
        .filter(|c| c.name.to_lowercase().contains(&filter))
        .cloned()
        .collect();
    shown.sort_by(|a, b| sort.compare(a, b));
    shown
}

/// Words for a cohort's sync state.
pub fn sync_label(state: &CohortSyncState) -> String {
    match state {
        CohortSyncState::None => "Not exported".into(),
        CohortSyncState::Running => "Sync running".into(),
        CohortSyncState::ExportDone => "One-time export done".into(),
        CohortSyncState::Active => "Dynamic sync active".into(),
        CohortSyncState::Paused { reason } => format!("Paused: {reason}"),
        CohortSyncState::Failed { reason } => format!("Failed: {reason}"),
        CohortSyncState::Stopped => "Stopped".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cohort(id: &str, name: &str, members: u64) -> Cohort {
        Cohort {
            id: id.into(),
            name: name.into(),
            description: String::new(),
            members,
            updated_at: 0,
            sync: CohortSyncState::None,
            sync_id: None,
            leanplum_attribute: String::new(),
        }
    }

    fn names(list: &[Cohort]) -> Vec<&str> {
        list.iter().map(|c| c.name.as_str()).collect()
    }

    #[test]
    fn the_filter_keeps_names_containing_it_ignoring_case() {
        let all = [cohort("1", "Power users", 3), cohort("2", "VIP", 1)];
        let shown = shown_cohorts(&all, " power ", Sort::default());
        assert_eq!(names(&shown), ["Power users"]);
    }

    #[test]
    fn sorting_by_members_flips_on_the_second_click() {
        let all = [cohort("1", "a", 3), cohort("2", "b", 1)];
        let sort = Sort::default().toggled(Column::Members);
        assert_eq!(names(&shown_cohorts(&all, "", sort)), ["b", "a"]);
        let sort = sort.toggled(Column::Members);
        assert_eq!(names(&shown_cohorts(&all, "", sort)), ["a", "b"]);
        assert_eq!(sort.aria(Column::Members), "descending");
        assert_eq!(sort.aria(Column::Name), "none");
    }

    #[test]
    fn paused_and_failed_states_give_their_reason() {
        let paused = CohortSyncState::Paused {
            reason: "Leanplum disconnected".into(),
        };
        assert_eq!(sync_label(&paused), "Paused: Leanplum disconnected");
    }
}
