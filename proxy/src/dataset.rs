//! Datasets: profiles, cohorts and events read from NDJSON files.
//!
//! Every line is checked before anything is written, and the whole dataset
//! is stored in one transaction, so a bad file changes nothing.

use std::fmt;
use std::path::{Path, PathBuf};

use rusqlite::{params, Transaction};
use serde_json::{Map, Value};

use sync_model::identity::alias_from_set;

use crate::store::members::profile_columns;
use crate::store::{Store, StoreResult};

/// A user profile: `{"distinct_id": "...", "properties": {...}}`.
#[derive(Clone, Debug, PartialEq)]
pub struct ProfileRecord {
    /// The analytics distinct ID.
    pub distinct_id: String,
    /// Profile properties; empty means anonymous.
    pub properties: Map<String, Value>,
}

/// A cohort: `{"id", "name", "description", "members": [...]}`.
#[derive(Clone, Debug, PartialEq)]
pub struct CohortRecord {
    /// Cohort id.
    pub id: String,
    /// Cohort name.
    pub name: String,
    /// What the cohort holds.
    pub description: String,
    /// Distinct IDs of the members, in order.
    pub members: Vec<String>,
}

/// A tracked event: `{"event": "...", "properties": {...}}`.
#[derive(Clone, Debug, PartialEq)]
pub struct EventRecord {
    /// Event name.
    pub name: String,
    /// Who did it.
    pub distinct_id: String,
    /// When (unix seconds).
    pub time: i64,
    /// The `$source` property, if any.
    pub source: Option<String>,
    /// Every property, as given.
    pub properties: Map<String, Value>,
}

/// Everything one import adds.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Dataset {
    /// Profiles, replacing stored ones with the same distinct ID.
    pub profiles: Vec<ProfileRecord>,
    /// Cohorts, replacing stored ones with the same id.
    pub cohorts: Vec<CohortRecord>,
    /// Events, appended.
    pub events: Vec<EventRecord>,
}

/// A line that could not be read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LineError {
    /// File the line is in.
    pub file: PathBuf,
    /// 1-based line number.
    pub line: usize,
    /// What is wrong with it.
    pub message: String,
}

impl fmt::Display for LineError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}: {}", self.file.display(), self.line, self.message)
    }
}

/// Why an import did not happen.
#[derive(Debug)]
pub enum ImportError {
    /// A file could not be read.
    Read(PathBuf, std::io::Error),
    /// Some lines are malformed; nothing was imported.
    Lines(Vec<LineError>),
    /// The database refused the write; nothing was imported.
    Store(rusqlite::Error),
}

impl fmt::Display for ImportError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Read(path, e) => {
                write!(f, "cannot read {}: {e}", path.display())
            }
            Self::Lines(errors) => {
                writeln!(
                    f,
                    "{} malformed line(s); nothing was imported:",
                    errors.len()
                )?;
                for e in errors {
                    writeln!(f, "  {e}")?;
                }
                Ok(())
            }
            Self::Store(e) => write!(f, "database error: {e}"),
        }
    }
}

impl std::error::Error for ImportError {}

/// Files to import; any may be absent.
#[derive(Clone, Debug, Default)]
pub struct ImportFiles {
    /// NDJSON profiles.
    pub profiles: Option<PathBuf>,
    /// NDJSON cohorts.
    pub cohorts: Option<PathBuf>,
    /// NDJSON events.
    pub events: Option<PathBuf>,
}

/// Reads and checks every file, then stores all of it or nothing.
pub fn import(
    store: &Store,
    files: &ImportFiles,
    now: i64,
) -> Result<ImportSummary, ImportError> {
    let dataset = read_files(files)?;
    let summary = ImportSummary::of(&dataset);
    store_dataset(store, &dataset, now).map_err(ImportError::Store)?;
    Ok(summary)
}

/// Counts of what an import stored.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ImportSummary {
    /// Profiles stored.
    pub profiles: usize,
    /// Cohorts stored.
    pub cohorts: usize,
    /// Cohort memberships stored.
    pub members: usize,
    /// Events stored.
    pub events: usize,
}

impl ImportSummary {
    fn of(dataset: &Dataset) -> Self {
        Self {
            profiles: dataset.profiles.len(),
            cohorts: dataset.cohorts.len(),
            members: dataset.cohorts.iter().map(|c| c.members.len()).sum(),
            events: dataset.events.len(),
        }
    }
}

/// Parses the given files, collecting every malformed line.
pub fn read_files(files: &ImportFiles) -> Result<Dataset, ImportError> {
    let mut dataset = Dataset::default();
    let mut errors = Vec::new();
    if let Some(path) = &files.profiles {
        dataset.profiles = parse_file(path, parse_profile, &mut errors)?;
    }
    if let Some(path) = &files.cohorts {
        dataset.cohorts = parse_file(path, parse_cohort, &mut errors)?;
    }
    if let Some(path) = &files.events {
        dataset.events = parse_file(path, parse_event, &mut errors)?;
    }
    if errors.is_empty() {
        Ok(dataset)
    } else {
        Err(ImportError::Lines(errors))
    }
}

fn parse_file<T>(
    path: &Path,
    parse: fn(Value) -> Result<T, String>,
    errors: &mut Vec<LineError>,
) -> Result<Vec<T>, ImportError> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| ImportError::Read(path.to_path_buf(), e))?;
    let mut records = Vec::new();
    for (index, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let parsed = serde_json::from_str::<Value>(line)
            .map_err(|e| format!("not valid JSON: {e}"))
            .and_then(parse);
        match parsed {
            Ok(record) => records.push(record),
            Err(message) => errors.push(LineError {
                file: path.to_path_buf(),
                line: index + 1,
                message,
            }),
        }
    }
    Ok(records)
}

fn object(value: Value, what: &str) -> Result<Map<String, Value>, String> {
    match value {
        Value::Object(map) => Ok(map),
        other => Err(format!(
            "{what} must be a JSON object, not {}",
            kind(&other)
        )),
    }
}

fn kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

fn required_string(
    map: &mut Map<String, Value>,
    key: &str,
) -> Result<String, String> {
    match map.remove(key) {
        Some(Value::String(s)) if !s.is_empty() => Ok(s),
        Some(Value::String(_)) => Err(format!("\"{key}\" is empty")),
        Some(other) => {
            Err(format!("\"{key}\" must be a string, not {}", kind(&other)))
        }
        None => Err(format!("\"{key}\" is missing")),
    }
}

/// Parses one profile line.
pub fn parse_profile(value: Value) -> Result<ProfileRecord, String> {
    let mut map = object(value, "a profile line")?;
    let distinct_id = required_string(&mut map, "distinct_id")?;
    let properties = match map.remove("properties") {
        None | Some(Value::Null) => Map::new(),
        Some(v) => object(v, "\"properties\"")?,
    };
    Ok(ProfileRecord {
        distinct_id,
        properties,
    })
}

/// Parses one cohort line.
pub fn parse_cohort(value: Value) -> Result<CohortRecord, String> {
    let mut map = object(value, "a cohort line")?;
    let id = required_string(&mut map, "id")?;
    let name = required_string(&mut map, "name")?;
    let description = match map.remove("description") {
        None | Some(Value::Null) => String::new(),
        Some(Value::String(s)) => s,
        Some(other) => {
            return Err(format!(
                "\"description\" must be a string, not {}",
                kind(&other)
            ))
        }
    };
    let members = match map.remove("members") {
        Some(Value::Array(items)) => items
            .into_iter()
            .enumerate()
            .map(|(i, item)| match item {
                Value::String(s) if !s.is_empty() => Ok(s),
                other => Err(format!(
                    "\"members\"[{i}] must be a non-empty string, not {}",
                    kind(&other)
                )),
            })
            .collect::<Result<Vec<_>, _>>()?,
        Some(other) => {
            return Err(format!(
                "\"members\" must be an array, not {}",
                kind(&other)
            ))
        }
        None => return Err("\"members\" is missing".to_string()),
    };
    Ok(CohortRecord {
        id,
        name,
        description,
        members,
    })
}

/// Parses one event line in the tracking shape.
pub fn parse_event(value: Value) -> Result<EventRecord, String> {
    let mut map = object(value, "an event line")?;
    let name = required_string(&mut map, "event")?;
    let mut properties = match map.remove("properties") {
        Some(v) => object(v, "\"properties\"")?,
        None => return Err("\"properties\" is missing".to_string()),
    };
    let distinct_id = match properties.get("distinct_id") {
        Some(Value::String(s)) if !s.is_empty() => s.clone(),
        Some(other) => {
            return Err(format!(
                "\"properties.distinct_id\" must be a non-empty string, not {}",
                kind(other)
            ))
        }
        None => return Err("\"properties.distinct_id\" is missing".to_string()),
    };
    let time = match properties.get("time") {
        Some(Value::Number(n)) => n
            .as_i64()
            .or_else(|| n.as_f64().filter(|f| f.is_finite()).map(|f| f as i64))
            .ok_or("\"properties.time\" is out of range")?,
        Some(other) => {
            return Err(format!(
                "\"properties.time\" must be unix seconds, not {}",
                kind(other)
            ))
        }
        None => return Err("\"properties.time\" is missing".to_string()),
    };
    let source = match properties.get("$source") {
        Some(Value::String(s)) => Some(s.clone()),
        _ => None,
    };
    properties.remove("distinct_id");
    properties.remove("time");
    Ok(EventRecord {
        name,
        distinct_id,
        time,
        source,
        properties,
    })
}

/// Stores a dataset in one transaction.
pub fn store_dataset(
    store: &Store,
    dataset: &Dataset,
    now: i64,
) -> StoreResult<()> {
    let mut conn = store.lock();
    let tx = conn.transaction()?;
    insert_profiles(&tx, &dataset.profiles)?;
    insert_cohorts(&tx, &dataset.cohorts, now)?;
    insert_events(&tx, &dataset.events)?;
    tx.commit()
}

fn insert_profiles(
    tx: &Transaction,
    profiles: &[ProfileRecord],
) -> StoreResult<()> {
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
         ON CONFLICT (alias) DO UPDATE SET distinct_id = excluded.distinct_id",
    )?;
    for p in profiles {
        let (kind, value) = profile_columns(&p.properties);
        put.execute(params![
            p.distinct_id,
            Value::Object(p.properties.clone()).to_string(),
            kind,
            value
        ])?;
        if let Some((id, person)) =
            alias_from_set(&p.distinct_id, &p.properties)
        {
            alias.execute(params![id, person])?;
        }
    }
    Ok(())
}

fn insert_cohorts(
    tx: &Transaction,
    cohorts: &[CohortRecord],
    now: i64,
) -> StoreResult<()> {
    let mut put = tx.prepare(
        "INSERT INTO cohorts (id, name, description, updated_at)
         VALUES (?1, ?2, ?3, ?4)
         ON CONFLICT (id) DO UPDATE SET name = excluded.name,
             description = excluded.description,
             updated_at = excluded.updated_at",
    )?;
    let mut clear =
        tx.prepare("DELETE FROM cohort_members WHERE cohort_id = ?1")?;
    let mut member = tx.prepare(
        "INSERT INTO cohort_members (cohort_id, position, distinct_id)
         VALUES (?1, ?2, ?3)",
    )?;
    for c in cohorts {
        put.execute(params![c.id, c.name, c.description, now])?;
        clear.execute(params![c.id])?;
        for (position, distinct_id) in c.members.iter().enumerate() {
            member.execute(params![c.id, position as i64, distinct_id])?;
        }
    }
    Ok(())
}

fn insert_events(tx: &Transaction, events: &[EventRecord]) -> StoreResult<()> {
    let mut put = tx.prepare(
        "INSERT INTO events (name, distinct_id, time, source, properties)
         VALUES (?1, ?2, ?3, ?4, ?5)",
    )?;
    for e in events {
        put.execute(params![
            e.name,
            e.distinct_id,
            e.time,
            e.source,
            Value::Object(e.properties.clone()).to_string()
        ])?;
    }
    Ok(())
}
