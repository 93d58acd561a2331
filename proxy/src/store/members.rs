//! Cohort members and sync snapshots, read page by page so a cohort of
//! millions never sits in memory twice.
//!
//! Each profile keeps what identity matching needs (`profile_kind` and the
//! raw `$leanplum_user_id`) beside its JSON, computed once when stored.

use rusqlite::{params, Connection, OptionalExtension};
use serde_json::{Map, Value};
use sync_model::{Member, Profile, SnapshotEntry};

use super::{Store, StoreResult};

/// Rows read per page.
pub const PAGE_ROWS: usize = 10_000;

/// The `(profile_kind, leanplum_user_id)` columns for a profile: the
/// member-line kind letter and the value the line carries.
pub fn profile_columns(
    properties: &Map<String, Value>,
) -> (&'static str, Option<String>) {
    let profile = Member::from_profile("", Some(properties)).profile;
    let (kind, value) = profile.line_kind();
    (kind, value.map(str::to_owned))
}

/// A member from its distinct ID and stored profile columns (`None` kind
/// when it has no profile).
pub fn member_from_columns(
    distinct_id: String,
    kind: Option<&str>,
    value: Option<String>,
) -> Member {
    Member {
        distinct_id,
        profile: Profile::from_line_kind(kind, value),
    }
}

/// Adds and fills the profile columns in a database made before they
/// existed.
pub(super) fn migrate_profiles(conn: &Connection) -> StoreResult<()> {
    let has_kind: bool = conn
        .prepare("SELECT 1 FROM pragma_table_info('profiles') WHERE name = ?1")?
        .exists(params!["profile_kind"])?;
    if has_kind {
        return Ok(());
    }
    conn.execute_batch(
        "ALTER TABLE profiles ADD COLUMN profile_kind TEXT NOT NULL
             DEFAULT 'A';
         ALTER TABLE profiles ADD COLUMN leanplum_user_id TEXT;",
    )?;
    let rows: Vec<(String, String)> = conn
        .prepare("SELECT distinct_id, properties FROM profiles")?
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<StoreResult<_>>()?;
    let mut put = conn.prepare(
        "UPDATE profiles SET profile_kind = ?2, leanplum_user_id = ?3
          WHERE distinct_id = ?1",
    )?;
    for (id, json) in rows {
        let properties = match serde_json::from_str(&json) {
            Ok(Value::Object(map)) => map,
            _ => Map::new(),
        };
        let (kind, value) = profile_columns(&properties);
        put.execute(params![id, kind, value])?;
    }
    Ok(())
}

impl Store {
    /// Number of members of a cohort, or `None` for an unknown cohort.
    pub fn member_count(&self, cohort_id: &str) -> StoreResult<Option<u64>> {
        Ok(self.cohort_size(cohort_id)?.map(|(_, n)| n))
    }

    /// Up to `limit` members after position `after` (exclusive; -1 for
    /// the start), with the position of the last one.
    pub fn member_page(
        &self,
        cohort_id: &str,
        after: i64,
        limit: usize,
    ) -> StoreResult<(Vec<Member>, Option<i64>)> {
        let conn = self.lock();
        let mut stmt = conn.prepare_cached(
            "SELECT m.position, m.distinct_id, p.profile_kind,
                    p.leanplum_user_id
               FROM cohort_members m
               LEFT JOIN profiles p ON p.distinct_id = m.distinct_id
              WHERE m.cohort_id = ?1 AND m.position > ?2
              ORDER BY m.position LIMIT ?3",
        )?;
        let mut rows = stmt.query(params![cohort_id, after, limit as i64])?;
        let mut members = Vec::with_capacity(limit.min(PAGE_ROWS));
        let mut last = None;
        while let Some(row) = rows.next()? {
            last = Some(row.get::<_, i64>(0)?);
            let kind = row.get_ref(2)?.as_str_or_null()?;
            members.push(member_from_columns(row.get(1)?, kind, row.get(3)?));
        }
        Ok((members, last))
    }

    /// Calls `sink` with every member of a cohort in order, a page at a
    /// time; stops early when `sink` returns false.
    pub fn for_each_member_page(
        &self,
        cohort_id: &str,
        mut sink: impl FnMut(Vec<Member>) -> bool,
    ) -> StoreResult<()> {
        let mut after = -1;
        loop {
            let (page, last) = self.member_page(cohort_id, after, PAGE_ROWS)?;
            let Some(last) = last else { return Ok(()) };
            after = last;
            if !sink(page) {
                return Ok(());
            }
        }
    }

    /// Number of snapshot entries of a cohort on one Leanplum app.
    pub fn snapshot_count(
        &self,
        app_id: &str,
        cohort_id: &str,
    ) -> StoreResult<u64> {
        let conn = self.lock();
        conn.query_row(
            "SELECT count(*) FROM snapshot_entries
              WHERE app_id = ?1 AND cohort_id = ?2",
            params![app_id, cohort_id],
            |r| r.get::<_, i64>(0),
        )
        .map(|n| n as u64)
    }

    /// Up to `limit` snapshot entries with a Leanplum ID after `after`.
    pub fn snapshot_page(
        &self,
        app_id: &str,
        cohort_id: &str,
        after: Option<&str>,
        limit: usize,
    ) -> StoreResult<Vec<SnapshotEntry>> {
        let conn = self.lock();
        // Two statements, so each page is an index range, not a scan.
        let mut stmt = match after {
            None => conn.prepare_cached(
                "SELECT leanplum_id, distinct_id FROM snapshot_entries
                  WHERE app_id = ?1 AND cohort_id = ?2 AND ?3 IS NULL
                  ORDER BY leanplum_id LIMIT ?4",
            )?,
            Some(_) => conn.prepare_cached(
                "SELECT leanplum_id, distinct_id FROM snapshot_entries
                  WHERE app_id = ?1 AND cohort_id = ?2 AND leanplum_id > ?3
                  ORDER BY leanplum_id LIMIT ?4",
            )?,
        };
        let rows = stmt.query_map(
            params![app_id, cohort_id, after, limit as i64],
            |r| {
                Ok(SnapshotEntry {
                    leanplum_id: r.get(0)?,
                    distinct_id: r.get(1)?,
                })
            },
        )?;
        rows.collect()
    }

    /// Calls `sink` with every snapshot entry page; stops early when
    /// `sink` returns false.
    pub fn for_each_snapshot_page(
        &self,
        app_id: &str,
        cohort_id: &str,
        mut sink: impl FnMut(Vec<SnapshotEntry>) -> bool,
    ) -> StoreResult<()> {
        let mut after: Option<String> = None;
        loop {
            let page = self.snapshot_page(
                app_id,
                cohort_id,
                after.as_deref(),
                PAGE_ROWS,
            )?;
            let Some(last) = page.last() else {
                return Ok(());
            };
            after = Some(last.leanplum_id.clone());
            if !sink(page) {
                return Ok(());
            }
        }
    }

    /// The App ID of a cohort's latest sync, whose snapshot the cohort
    /// shows.
    pub fn cohort_app_id(
        &self,
        cohort_id: &str,
    ) -> StoreResult<Option<String>> {
        let conn = self.lock();
        conn.query_row(
            "SELECT app_id FROM syncs WHERE cohort_id = ?1
              ORDER BY id DESC LIMIT 1",
            params![cohort_id],
            |r| r.get(0),
        )
        .optional()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn props(value: Value) -> Map<String, Value> {
        match value {
            Value::Object(map) => map,
            _ => Map::new(),
        }
    }

    #[test]
    fn profile_columns_follow_the_member_rules() {
        assert_eq!(profile_columns(&Map::new()), ("A", None));
        assert_eq!(profile_columns(&props(json!({"a": 1}))), ("P", None));
        assert_eq!(
            profile_columns(&props(json!({"$leanplum_user_id": "lp"}))),
            ("S", Some("lp".into()))
        );
        assert_eq!(
            profile_columns(&props(json!({"$leanplum_user_id": 7}))),
            ("V", Some("7".into()))
        );
    }

    #[test]
    fn columns_round_trip_to_the_same_member() {
        let map = props(json!({"$leanplum_user_id": [1]}));
        let (kind, value) = profile_columns(&map);
        assert_eq!(
            member_from_columns("d".into(), Some(kind), value),
            Member::from_profile("d", Some(&map))
        );
        assert_eq!(
            member_from_columns("d".into(), None, None),
            Member::from_profile("d", None)
        );
    }
}
