//! The CSV preview of a plan (RFC 4180): one row per person with the
//! operation the sync performs, and a parser that reads it back.

use super::SyncPlan;
use serde::{Deserialize, Serialize};
use std::fmt;

/// The header row.
pub const CSV_HEADER: &str = "distinct_id,leanplum_user_id,operation";

/// One row of the preview.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CsvRow {
    /// The analytics distinct id.
    pub distinct_id: String,
    /// The Leanplum user id.
    pub leanplum_user_id: String,
    /// `add`, `remove` or `no-op`.
    pub operation: String,
}

/// Appends one field, quoted when it holds `,` `"` CR or LF.
fn write_field(field: &str, out: &mut String) {
    if !field.contains([',', '"', '\r', '\n']) {
        out.push_str(field);
        return;
    }
    out.push('"');
    for c in field.chars() {
        if c == '"' {
            out.push('"');
        }
        out.push(c);
    }
    out.push('"');
}

/// Appends the plan as CSV: the header, then `add` rows, `no-op` rows
/// (unchanged) and `remove` rows, each line ending in CRLF. Values are
/// written exactly, quoted per RFC 4180 where needed.
pub fn write_csv(plan: &SyncPlan, out: &mut String) {
    out.push_str(CSV_HEADER);
    out.push_str("\r\n");
    let rows = plan
        .add()
        .iter()
        .map(|entry| (entry, "add"))
        .chain(plan.unchanged().iter().map(|entry| (entry, "no-op")))
        .chain(plan.remove().iter().map(|entry| (entry, "remove")));
    for (entry, operation) in rows {
        write_field(entry.distinct_id, out);
        out.push(',');
        write_field(entry.leanplum_id, out);
        out.push(',');
        out.push_str(operation);
        out.push_str("\r\n");
    }
}

/// CSV text that is not a plan preview.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CsvError {
    /// 1-based record number (the header is record 1).
    pub record: u64,
    /// What is wrong.
    pub message: String,
}

impl fmt::Display for CsvError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "CSV record {}: {}", self.record, self.message)
    }
}

impl std::error::Error for CsvError {}

/// Splits RFC 4180 text into records of fields; lines may end in CRLF
/// or LF.
fn records(text: &str) -> Result<Vec<Vec<String>>, CsvError> {
    let mut records = Vec::new();
    let mut record = Vec::new();
    let mut field = String::new();
    let mut chars = text.chars().peekable();
    let mut quoted = false;
    let mut field_started = false;
    while let Some(c) = chars.next() {
        if quoted {
            match c {
                '"' if chars.peek() == Some(&'"') => {
                    chars.next();
                    field.push('"');
                }
                '"' => {
                    quoted = false;
                    match chars.peek() {
                        None | Some(',' | '\r' | '\n') => {}
                        Some(_) => {
                            return Err(CsvError {
                                record: records.len() as u64 + 1,
                                message: "text follows a closing quote"
                                    .to_owned(),
                            })
                        }
                    }
                }
                _ => field.push(c),
            }
            continue;
        }
        match c {
            '"' if !field_started => {
                quoted = true;
                field_started = true;
            }
            '"' => {
                return Err(CsvError {
                    record: records.len() as u64 + 1,
                    message: "a quote inside an unquoted field".to_owned(),
                })
            }
            ',' => {
                record.push(std::mem::take(&mut field));
                field_started = false;
            }
            '\r' if chars.peek() == Some(&'\n') => {}
            '\n' => {
                record.push(std::mem::take(&mut field));
                records.push(std::mem::take(&mut record));
                field_started = false;
            }
            _ => {
                field.push(c);
                field_started = true;
            }
        }
    }
    if quoted {
        return Err(CsvError {
            record: records.len() as u64 + 1,
            message: "a quoted field is never closed".to_owned(),
        });
    }
    if field_started || !record.is_empty() {
        record.push(field);
        records.push(record);
    }
    Ok(records)
}

/// Reads a preview written by [`write_csv`] back into rows.
pub fn parse_csv(text: &str) -> Result<Vec<CsvRow>, CsvError> {
    let mut records = records(text)?.into_iter();
    match records.next() {
        Some(header) if header.join(",") == CSV_HEADER => {}
        _ => {
            return Err(CsvError {
                record: 1,
                message: format!("the header must be \"{CSV_HEADER}\""),
            })
        }
    }
    let mut rows = Vec::new();
    for (i, record) in records.enumerate() {
        let number = i as u64 + 2;
        let [distinct_id, leanplum_user_id, operation]: [String; 3] =
            record.try_into().map_err(|_| CsvError {
                record: number,
                message: "a row needs exactly three fields".to_owned(),
            })?;
        if !matches!(operation.as_str(), "add" | "remove" | "no-op") {
            return Err(CsvError {
                record: number,
                message: "the operation must be add, remove or no-op"
                    .to_owned(),
            });
        }
        rows.push(CsvRow {
            distinct_id,
            leanplum_user_id,
            operation,
        });
    }
    Ok(rows)
}
