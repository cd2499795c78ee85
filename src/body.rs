//! A request body for `fetch`, written once per call; a JSON body from the checked input: its text; or,
//! when it holds a file ([`crate::files`]) or another long string that needs no escaping, its
//! parts: the JSON around them, each long string as it is, each file's base64 encoded from its
//! bytes in JS memory a chunk at a time, so that neither a file nor its base64 is ever whole in
//! the module. Where the host streams request bodies (Node), every attempt streams the chunks as
//! they are encoded, so that no attempt holds the whole body either; elsewhere (browsers stream
//! a request only over HTTP/2) they are written into one `Uint8Array`.

use crate::files::Files;
use base64::Engine;
use js_sys::Uint8Array;
use serde_json::Value;
use wasm_bindgen::JsValue;
use wasm_bindgen::prelude::{Closure, wasm_bindgen};

#[wasm_bindgen(module = "/src/host.js")]
extern "C" {
    /// Whether the host's `fetch` takes a streamed request body over HTTP/1.1 (Node).
    #[wasm_bindgen(js_name = streamsRequestBodies)]
    fn streams_request_bodies() -> bool;
}

/// A body as `fetch` is given it.
pub struct RequestBody {
    /// The text, the bytes, or the function giving chunk `i` of them (`undefined` past the last).
    pub value: JsValue,
    /// With that function, the body's length in bytes (its `Content-Length`).
    pub length: Option<u32>,
    /// Keeps that function alive while the call lasts.
    _chunks: Option<Closure<dyn FnMut(u32) -> JsValue>>,
}

impl RequestBody {
    /// The JSON body of `value`, a checked input written for the wire, with the call's `files`;
    /// `None` when a file it names is not one of them (its stand-in text is never sent).
    pub fn json(mut value: Value, files: &Files) -> Option<Self> {
        let mut parts = Parts {
            files: files.clone(),
            ..Parts::default()
        };
        parts.write(&mut value);
        if parts.lost {
            return None;
        }
        if parts.parts.is_empty() {
            return Some(Self::text(&parts.text));
        }
        parts.flush();
        Some(Self::of(parts.parts))
    }

    /// A relayed call's body (`src/gateway.rs`): the JSON text of `value`, each held file in it
    /// written as `{"repairClaimsFile":<its length in bytes>}`, then a newline and those files'
    /// bytes, raw, in the order they appear (no base64 to write and read back); `None` when a
    /// file it names is not one of the call's `files`.
    pub fn relayed(mut value: Value, files: &Files) -> Option<Self> {
        let mut parts = Parts {
            files: files.clone(),
            relayed: Some(Vec::new()),
            ..Parts::default()
        };
        parts.write(&mut value);
        let files = parts.relayed.take().unwrap_or_default();
        if parts.lost {
            return None;
        }
        if files.is_empty() {
            return Some(Self::text(&parts.text));
        }
        parts.text.push('\n');
        parts.flush();
        parts.parts.extend(files.into_iter().map(Part::Bytes));
        Some(Self::of(parts.parts))
    }

    /// The body of `parts`, streamed by chunks where the host streams request bodies, else in one
    /// `Uint8Array`.
    fn of(parts: Vec<Part>) -> Self {
        let length: usize = parts.iter().map(Part::len).sum();
        let chunks = chunks(&parts);
        let mut scratch = Scratch::default();
        if !streams_request_bodies() {
            let body = Uint8Array::new_with_length(length as u32);
            let mut offset = 0;
            for chunk in &chunks {
                let bytes = scratch.encode(&parts, chunk);
                // SAFETY: the view is copied by `set` at once, before the module allocates again.
                let view = bytes.unwrap_or_else(|bytes| unsafe { Uint8Array::view(bytes) });
                body.set(&view, offset);
                offset += view.length();
            }
            return Self::whole(body.into());
        }
        let next =
            Closure::<dyn FnMut(u32) -> JsValue>::new(move |i: u32| match chunks.get(i as usize) {
                Some(chunk) => match scratch.encode(&parts, chunk) {
                    Ok(view) => view.into(),
                    Err(bytes) => Uint8Array::from(bytes).into(),
                },
                None => JsValue::UNDEFINED,
            });
        Self {
            value: next.as_ref().clone(),
            length: Some(length as u32),
            _chunks: Some(next),
        }
    }

    /// A body of text (JSON, a form).
    pub fn text(text: &str) -> Self {
        Self::whole(JsValue::from_str(text))
    }

    fn whole(value: JsValue) -> Self {
        Self {
            value,
            length: None,
            _chunks: None,
        }
    }
}

/// Strings at least this long are not copied into the body's text.
const LONG: usize = 64 * 1024;
/// The most bytes of a body a chunk holds (256 KiB: against 64, the same peak memory in Node and
/// a 5 MB upload 10 % faster, `scripts/bench.mjs`).
const CHUNK: usize = 256 * 1024;
/// A file's bytes encoded at a time into a chunk: whole groups of 3, so that only its last chunk
/// may end in padding.
const FILE_CHUNK: usize = CHUNK / 4 * 3;

enum Part {
    Text(String),
    /// A long string, taken from the input as it is.
    Raw(String),
    /// A held file, written as its base64.
    File(Uint8Array),
    /// A held file's bytes, as they are (a relayed body).
    Bytes(Uint8Array),
}

impl Part {
    fn len(&self) -> usize {
        match self {
            Part::Text(text) | Part::Raw(text) => text.len(),
            Part::File(file) => crate::files::base64_len(file.length() as usize),
            Part::Bytes(file) => file.length() as usize,
        }
    }
}

/// A chunk of a body: bytes `start..end` of part `part` (of a file: of its bytes, before base64).
struct Chunk {
    part: usize,
    start: usize,
    end: usize,
}

/// The chunks of `parts`: a text part whole, a long string and a file by pieces.
fn chunks(parts: &[Part]) -> Vec<Chunk> {
    let mut chunks = Vec::new();
    for (part, content) in parts.iter().enumerate() {
        let (length, step) = match content {
            Part::Text(text) => (text.len(), text.len().max(1)),
            Part::Raw(text) => (text.len(), CHUNK),
            Part::Bytes(file) => (file.length() as usize, CHUNK),
            Part::File(file) => (file.length() as usize, FILE_CHUNK),
        };
        let mut start = 0;
        while start < length {
            let end = length.min(start + step);
            chunks.push(Chunk { part, start, end });
            start = end;
        }
    }
    chunks
}

/// Where a file's chunk is copied and encoded, kept from one chunk to the next.
#[derive(Default)]
struct Scratch {
    bytes: Vec<u8>,
    base64: Vec<u8>,
}

impl Scratch {
    /// The bytes of `chunk` of `parts` (empty when it is out of range): in the module's memory,
    /// or a view of a file's bytes where they are sent as they are.
    fn encode<'a>(&'a mut self, parts: &'a [Part], chunk: &Chunk) -> Result<Uint8Array, &'a [u8]> {
        let range = chunk.start..chunk.end;
        match parts.get(chunk.part) {
            Some(Part::Text(text) | Part::Raw(text)) => {
                Err(text.as_bytes().get(range).unwrap_or_default())
            }
            Some(Part::Bytes(file)) => Ok(file.subarray(range.start as u32, range.end as u32)),
            Some(Part::File(file)) => {
                self.bytes.resize(range.len(), 0);
                self.base64.resize(crate::files::base64_len(range.len()), 0);
                file.subarray(range.start as u32, range.end as u32)
                    .copy_to(&mut self.bytes);
                match base64::engine::general_purpose::STANDARD
                    .encode_slice(&self.bytes, &mut self.base64)
                {
                    Ok(n) => Err(self.base64.get(..n).unwrap_or_default()),
                    Err(_) => Err(&[]),
                }
            }
            None => Err(&[]),
        }
    }
}

/// A body's parts as they are written.
#[derive(Default)]
struct Parts {
    parts: Vec<Part>,
    text: String,
    /// The call's files, which stand-in texts name.
    files: Files,
    /// A file's stand-in text was met that names none of them.
    lost: bool,
    /// For a relayed body, the files met, each left out of the text (see [`RequestBody::relayed`]).
    relayed: Option<Vec<Uint8Array>>,
}

impl Parts {
    fn flush(&mut self) {
        if !self.text.is_empty() {
            self.parts.push(Part::Text(std::mem::take(&mut self.text)));
        }
    }

    /// A string's own part: it goes between quotes as it is.
    fn part(&mut self, part: Part) {
        self.text.push('"');
        self.flush();
        self.parts.push(part);
        self.text.push('"');
    }

    /// Writes `value` as JSON, taking its long strings out of it.
    fn write(&mut self, value: &mut Value) {
        match value {
            Value::String(s) => match self.files.bytes(s) {
                Some(file) => match &mut self.relayed {
                    Some(files) => {
                        let length = file.length();
                        files.push(file);
                        self.write(&mut serde_json::json!({ "repairClaimsFile": length }));
                    }
                    None => self.part(Part::File(file)),
                },
                None if crate::files::is_held(s) => self.lost = true,
                None if self.relayed.is_none()
                    && s.len() >= LONG
                    && needs_no_escape(s.as_bytes()) =>
                {
                    self.part(Part::Raw(std::mem::take(s)));
                }
                None => self.string(s),
            },
            Value::Object(map) => {
                self.text.push('{');
                for (i, (key, item)) in map.iter_mut().enumerate() {
                    if i > 0 {
                        self.text.push(',');
                    }
                    self.string(key);
                    self.text.push(':');
                    self.write(item);
                }
                self.text.push('}');
            }
            Value::Array(items) => {
                self.text.push('[');
                for (i, item) in items.iter_mut().enumerate() {
                    if i > 0 {
                        self.text.push(',');
                    }
                    self.write(item);
                }
                self.text.push(']');
            }
            other => self.text.push_str(&other.to_string()),
        }
    }

    /// A JSON string.
    fn string(&mut self, text: &str) {
        self.text
            .push_str(&serde_json::to_string(text).unwrap_or_default());
    }
}

/// Whether `text` goes into a JSON string as it is: no control character, quote or backslash.
/// Eight bytes at a time (the module has no SIMD).
fn needs_no_escape(text: &[u8]) -> bool {
    const ONES: u64 = u64::from_ne_bytes([0x01; 8]);
    const HIGH: u64 = u64::from_ne_bytes([0x80; 8]);
    // A byte of `x` is below `n` (for n <= 0x80): its bit 7 set in the result.
    let below = |x: u64, n: u8| x.wrapping_sub(ONES * u64::from(n)) & !x & HIGH;
    let is = |x: u64, b: u8| below(x ^ (ONES * u64::from(b)), 1);
    let (chunks, rest) = text.as_chunks::<8>();
    chunks.iter().all(|chunk| {
        let x = u64::from_ne_bytes(*chunk);
        below(x, b' ') | is(x, b'"') | is(x, b'\\') == 0
    }) && rest.iter().all(|&b| b >= b' ' && b != b'"' && b != b'\\')
}

#[cfg(test)]
mod tests {
    use super::needs_no_escape;

    #[test]
    fn a_string_needs_no_escape_without_control_characters_quotes_or_backslashes() {
        let naive = |t: &[u8]| t.iter().all(|&b| b >= b' ' && b != b'"' && b != b'\\');
        let base: Vec<u8> = b"QUJDRA==+/09azAZ ~\x7f\xc3\xa9".repeat(3);
        assert!(needs_no_escape(&base));
        for at in 0..base.len() {
            for bad in [b'"', b'\\', b'\n', 0, 0x1f] {
                let mut text = base.clone();
                text[at] = bad;
                assert!(!needs_no_escape(&text), "{bad:#x} at {at}");
            }
        }
        for byte in 0..=255u8 {
            let text = [b'A', b'B', byte, b'C', b'D', b'E', b'F', b'G', byte, byte];
            assert_eq!(needs_no_escape(&text), naive(&text), "{byte:#x}");
        }
    }
}
