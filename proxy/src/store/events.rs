//! Tracked events and aliases as the MTU summary reads them, and profile
//! updates from ingestion.

use rusqlite::{params, OptionalExtension};
use serde_json::{Map, Value};
use sync_model::identity::alias_from_set;
use sync_model::{Aliases, Month, TrackedEvent};

use super::members::profile_columns;
use super::{Store, StoreResult};

/// One `$set` update of a profile.
#[derive(Clone, Debug, PartialEq)]
pub struct ProfileUpdate {
    /// Whose profile.
    pub distinct_id: String,
    /// Properties to set, replacing those of the same name.
    pub set: Map<String, Value>,
}

impl Store {
    /// Events tracked within `month`.
    pub fn events_in(&self, month: Month) -> StoreResult<Vec<TrackedEvent>> {
        let conn = self.lock();
        let mut stmt = conn.prepare(
            "SELECT name, distinct_id, time, source FROM events
              WHERE time >= ?1 AND time < ?2",
        )?;
        let rows = stmt.query_map(
            params![month.start_secs(), month.end_secs()],
            |r| {
                Ok(TrackedEvent {
                    name: r.get(0)?,
                    distinct_id: r.get(1)?,
                    time: r.get(2)?,
                    source: r.get(3)?,
                })
            },
        )?;
        rows.collect()
    }

    /// Every alias from a `$leanplum_user_id` to a distinct ID.
    pub fn aliases(&self) -> StoreResult<Aliases> {
        let conn = self.lock();
        let mut stmt =
            conn.prepare("SELECT alias, distinct_id FROM aliases")?;
        let mut rows = stmt.query([])?;
        let mut aliases = Aliases::new();
        while let Some(row) = rows.next()? {
            aliases.record(row.get::<_, String>(0)?, row.get::<_, String>(1)?);
        }
        Ok(aliases)
    }

    /// Applies `$set` updates in one transaction, recording the alias a
    /// `$leanplum_user_id` string creates.
    pub fn apply_profile_updates(
        &self,
        updates: &[ProfileUpdate],
    ) -> StoreResult<()> {
        self.with_tx(|tx| {
            let mut get = tx.prepare(
                "SELECT properties FROM profiles WHERE distinct_id = ?1",
            )?;
            let mut put = tx.prepare(
                "INSERT INTO profiles (distinct_id, properties, profile_kind,
                                       leanplum_user_id)
                 VALUES (?1, ?2, ?3, ?4)
                 ON CONFLICT (distinct_id) DO UPDATE SET
                     properties = excluded.properties,
                     profile_kind = excluded.profile_kind,
                     leanplum_user_id = excluded.leanplum_user_id",
            )?;
            let mut alias = tx.prepare(
                "INSERT INTO aliases (alias, distinct_id) VALUES (?1, ?2)
                 ON CONFLICT (alias) DO UPDATE SET
                     distinct_id = excluded.distinct_id",
            )?;
            for update in updates {
                let stored: Option<String> = get
                    .query_row(params![update.distinct_id], |r| r.get(0))
                    .optional()?;
                let mut properties =
                    match stored.and_then(|s| serde_json::from_str(&s).ok()) {
                        Some(Value::Object(map)) => map,
                        _ => Map::new(),
                    };
                for (k, v) in &update.set {
                    properties.insert(k.clone(), v.clone());
                }
                let (kind, value) = profile_columns(&properties);
                put.execute(params![
                    update.distinct_id,
                    Value::Object(properties).to_string(),
                    kind,
                    value
                ])?;
                if let Some((id, person)) =
                    alias_from_set(&update.distinct_id, &update.set)
                {
                    alias.execute(params![id, person])?;
                }
            }
            Ok(())
        })
    }
}
