//! Wire values that JavaScript callers hold in another shape: calendar dates (`Date` or
//! `"YYYY-MM-DD"`), instants (`Date` or an ISO 8601 string) and files (bytes, sent as base64).
//!
//! `src/input.rs` turns a JS `Date` into an RFC 3339 string with the caller's UTC offset and bytes
//! into base64, so these types only ever parse strings.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Deserializer, Serialize, Serializer, de};
use std::fmt;
use wasm_bindgen::prelude::wasm_bindgen;

#[wasm_bindgen(typescript_custom_section)]
const TS_VALUES: &str = r#"
/** An amount in euros with at most 2 decimals: a number (`170.5`) or a decimal string (`"170.50"`). Replies carry numbers. */
export type Amount = number | string;
/** A calendar date: `"YYYY-MM-DD"` or a `Date` (its local calendar day). Replies carry strings. */
export type CalendarDate = string | Date;
/** An instant: an ISO 8601 string with a UTC offset (`"2024-03-01T10:00:00Z"`) or a `Date`. */
export type Timestamp = string | Date;
/** A file's bytes; the client encodes them in base64. A `File` is a `Blob`. */
export type FileData = Uint8Array | ArrayBuffer | Blob;
/** A whole number of at least 1. */
export type NonZeroU32 = number;
"#;

/// A calendar date, `YYYY-MM-DD` on the wire.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct CalendarDate(pub NaiveDate);

impl CalendarDate {
    /// Parses `YYYY-MM-DD`, or the calendar day an RFC 3339 date-time is written in (what a JS
    /// `Date` becomes): `2024-03-01T23:30:00+01:00` is the 1st of March.
    pub fn parse(text: &str) -> Option<Self> {
        let day = match text.len() {
            10 => text,
            _ => {
                DateTime::parse_from_rfc3339(text).ok()?;
                text.get(..10)?
            }
        };
        let bytes = day.as_bytes();
        let shape = bytes.len() == 10
            && bytes.iter().enumerate().all(|(i, b)| match i {
                4 | 7 => *b == b'-',
                _ => b.is_ascii_digit(),
            });
        if !shape {
            return None;
        }
        NaiveDate::parse_from_str(day, "%Y-%m-%d").ok().map(Self)
    }
}

impl fmt::Display for CalendarDate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0.format("%Y-%m-%d"))
    }
}

impl Serialize for CalendarDate {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for CalendarDate {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        Self::parse(&text)
            .ok_or_else(|| de::Error::custom(format!("`{text}` is not a date YYYY-MM-DD")))
    }
}

/// An instant, read from RFC 3339 with an offset (the generated client sends it in UTC).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Timestamp(pub DateTime<Utc>);

impl Timestamp {
    /// Parses an RFC 3339 date-time with a UTC offset (`Z` or `±hh:mm`).
    pub fn parse(text: &str) -> Option<Self> {
        DateTime::parse_from_rfc3339(text)
            .ok()
            .map(|t| Self(t.with_timezone(&Utc)))
    }
}

impl<'de> Deserialize<'de> for Timestamp {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        Self::parse(&text).ok_or_else(|| {
            de::Error::custom(format!(
                "`{text}` is not an ISO 8601 date-time with a UTC offset"
            ))
        })
    }
}

/// A file, held as its base64 text (what both APIs send).
#[derive(Clone, PartialEq, Eq)]
pub struct FileData(String);

impl FileData {
    /// Encodes bytes in one pass.
    pub fn from_bytes(bytes: &[u8]) -> Self {
        use base64::Engine;
        Self(base64::engine::general_purpose::STANDARD.encode(bytes))
    }

    /// The base64 text.
    pub fn into_string(self) -> String {
        self.0
    }

    /// How many bytes the file has, from the length of its base64 text.
    pub fn byte_len(&self) -> usize {
        decoded_len(&self.0)
    }
}

/// The decoded size of padded base64 text.
pub fn decoded_len(text: &str) -> usize {
    let padding = text.bytes().rev().take_while(|b| *b == b'=').count().min(2);
    (text.len() / 4 * 3).saturating_sub(padding)
}

/// Whether `text` is padded standard base64.
pub fn is_base64(text: &str) -> bool {
    let bytes = text.as_bytes();
    let body = bytes.len() - bytes.iter().rev().take_while(|b| **b == b'=').count();
    bytes.len().is_multiple_of(4)
        && bytes.len() - body <= 2
        && bytes[..body]
            .iter()
            .all(|b| b.is_ascii_alphanumeric() || *b == b'+' || *b == b'/')
}

impl fmt::Debug for FileData {
    /// A file's content is not worth printing: its size is.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "FileData({} bytes)", self.byte_len())
    }
}

impl Serialize for FileData {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for FileData {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        if is_base64(&text) {
            Ok(Self(text))
        } else {
            Err(de::Error::custom(
                "a file must be bytes (Uint8Array, ArrayBuffer or Blob)",
            ))
        }
    }
}
