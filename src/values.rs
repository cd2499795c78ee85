//! Wire values that JavaScript callers hold in another shape: calendar days and Paris wall-clock
//! times (`Date`, or any text [`repair_dates::When`] reads) and files (bytes, sent as base64).
//!
//! `src/input.rs` turns a JS `Date` into `YYYY-MM-DD` when it is a local midnight (what
//! `new Date(y, m, d)` and date pickers give) and into its UTC instant otherwise, and holds bytes
//! in JS memory behind a stand-in text (`crate::files`; `src/body.rs` writes their base64 into the
//! body by chunks), so these types only ever parse strings. A day is never shifted: an instant is read as
//! the French day and time it stands for, whatever the time zone of the machine.

use repair_dates::{Day, WallClock, When};
use serde::{Deserialize, Deserializer, Serialize, Serializer, de};
use std::fmt;
use wasm_bindgen::prelude::wasm_bindgen;

#[wasm_bindgen(typescript_custom_section)]
const TS_VALUES: &str = r#"
/** An amount in euros with at most 2 decimals: a number (`170.5`) or a decimal string (`"170.50"`). Replies carry numbers. */
export type Amount = number | string;
/** A French calendar day: `"YYYY-MM-DD"`, a date-time (an instant with `Z` or an offset is read as its day in Paris), or a `Date` (a local midnight is that day; any other `Date` is its day in Paris). Replies carry strings. */
export type CalendarDate = string | Date;
/** A French wall-clock time, sent as Paris time without offset (`2024-05-02T00:30:00`), as the real integrations do: `"YYYY-MM-DD"` (midnight), `"YYYY-MM-DDTHH:MM:SS"` (Paris time), an instant with `Z` or an offset, or a `Date` (a local midnight is that day; any other `Date` is its Paris time). */
export type ParisDateTime = string | Date;
/** A file's bytes; the client encodes them in base64. A `File` is a `Blob`. */
export type FileData = Uint8Array | ArrayBuffer | Blob;
/** A whole number of at least 1. */
export type NonZeroU32 = number;
"#;

/// A calendar day, `YYYY-MM-DD` on the wire.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct CalendarDate(pub Day);

impl CalendarDate {
    /// The French calendar day of a date or date-time text.
    pub fn parse(text: &str) -> Option<Self> {
        When::parse(text).map(|when| Self(when.day()))
    }
}

impl fmt::Display for CalendarDate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
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

/// A Paris wall-clock time, `YYYY-MM-DDTHH:MM:SS` without offset on the wire (R4).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ParisDateTime(pub WallClock);

impl ParisDateTime {
    /// The Paris wall-clock time of a date or date-time text.
    pub fn parse(text: &str) -> Option<Self> {
        When::parse(text).map(|when| Self(when.wall_clock()))
    }

    /// Its French calendar day.
    pub fn day(self) -> Day {
        self.0.day
    }
}

impl fmt::Display for ParisDateTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

impl Serialize for ParisDateTime {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for ParisDateTime {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        Self::parse(&text).ok_or_else(|| {
            de::Error::custom(format!("`{text}` is not a date or an ISO 8601 date-time"))
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
