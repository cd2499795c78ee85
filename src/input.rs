//! What callers pass, as JSON: plain objects and arrays, with a `Date` written as its day or its
//! UTC instant (see [`date_text`]) and bytes (`Uint8Array`, `ArrayBuffer`, `Blob`, `File`) held
//! in JS memory for the call, a short text standing for them (`crate::files`). Anything else
//! that JSON cannot hold is a field error.

use crate::error::{Code, FieldError};
use js_sys::{Array, ArrayBuffer, Date, Reflect, Uint8Array};
use serde_json::{Map, Number, Value};
use wasm_bindgen::{JsCast, JsValue, prelude::wasm_bindgen};
use wasm_bindgen_futures::JsFuture;

#[wasm_bindgen(module = "/src/host.js")]
extern "C" {
    /// The input as JSON text when it is plain data; see `src/host.js` for what that holds.
    #[wasm_bindgen(js_name = plainJson)]
    fn plain_json(input: &JsValue) -> Option<String>;
}

// Catching bindings: a Proxy's traps or a getter can make these throw, and an exception that
// crosses Rust frames would leave the module's state half-updated.
#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(js_namespace = Object, js_name = keys, catch)]
    fn object_keys(object: &JsValue) -> Result<Array, JsValue>;
    #[wasm_bindgen(js_namespace = Array, js_name = from, catch)]
    fn array_from(items: &JsValue) -> Result<Array, JsValue>;
}

/// The own enumerable string keys of `object` and their values (a value whose getter throws is
/// `Err`); `None` when the keys themselves cannot be read.
pub fn entries(object: &JsValue) -> Option<Vec<(String, Result<JsValue, JsValue>)>> {
    let keys = object_keys(object).ok()?;
    Some(
        keys.iter()
            .filter_map(|key| {
                let name = key.as_string()?;
                Some((name, Reflect::get(object, &key)))
            })
            .collect(),
    )
}

/// Largest integer a JS number holds exactly.
const MAX_SAFE_INTEGER: f64 = 9_007_199_254_740_991.0;
/// Deeper than any input of either API; an object that contains itself stops here.
const MAX_DEPTH: usize = 16;

/// A caller's value as JSON, and every part of it JSON cannot hold.
pub struct Input {
    pub value: Value,
    pub errors: Vec<FieldError>,
}

/// Reads `js` (the argument named `what`). Plain data, what most calls are given, crosses as one
/// JSON text, read as the value-by-value walk below would read it; anything else is walked.
pub async fn read(js: &JsValue, what: &str) -> Input {
    if let Some(value) = plain_json(js).and_then(|text| serde_json::from_str(&text).ok()) {
        return Input {
            value,
            errors: Vec::new(),
        };
    }
    let mut errors = Vec::new();
    let value = Box::pin(convert(js, String::new(), 0, &mut errors)).await;
    for error in &mut errors {
        if error.field.is_empty() {
            error.field = what.to_owned();
        }
    }
    Input { value, errors }
}

/// Joins a field path: `Consumer` + `Zip` → `Consumer.Zip`; the root has no name; a name that is
/// empty or holds `.`, `[`, `]`, `"`, a space or a control character is quoted: `Consumer[""]`.
pub fn child(path: &str, key: &str) -> String {
    let plain = !key.is_empty()
        && key
            .chars()
            .all(|c| !c.is_whitespace() && !c.is_control() && !matches!(c, '.' | '[' | ']' | '"'));
    match (path.is_empty(), plain) {
        (true, true) => key.to_owned(),
        (false, true) => [path, ".", key].concat(),
        // An empty name, or one a dotted path would misread, is written as a JSON string.
        (_, false) => format!("{path}[{}]", Value::String(key.to_owned())),
    }
}

async fn convert(js: &JsValue, path: String, depth: usize, errors: &mut Vec<FieldError>) -> Value {
    if js.is_null() || js.is_undefined() {
        return Value::Null;
    }
    if depth > MAX_DEPTH {
        errors.push(FieldError::new(
            path,
            Code::Unreadable,
            "is nested too deeply (does it contain itself?)",
        ));
        return Value::Null;
    }
    if let Some(b) = js.as_bool() {
        return Value::Bool(b);
    }
    if let Some(n) = js.as_f64() {
        return number(n).unwrap_or_else(|| {
            errors.push(
                FieldError::new(path, Code::Type, "must be a finite number")
                    .with("expected", "number"),
            );
            Value::Null
        });
    }
    if let Some(s) = js.as_string() {
        return Value::String(s);
    }
    if let Some(date) = js.dyn_ref::<Date>() {
        return date_text(date).map(Value::String).unwrap_or_else(|| {
            errors.push(
                FieldError::new(path, Code::Format, "is an invalid Date").with("expected", "date"),
            );
            Value::Null
        });
    }
    if let Some(bytes) = bytes_of(js).await {
        return match bytes {
            Ok(bytes) => Value::String(crate::files::hold(bytes)),
            Err(message) => {
                errors.push(FieldError::new(path, Code::Unreadable, message));
                Value::Null
            }
        };
    }
    if Array::is_array(js) {
        let Ok(array) = array_from(js) else {
            errors.push(FieldError::new(
                path,
                Code::Unreadable,
                "could not be read (its items threw)",
            ));
            return Value::Null;
        };
        let mut items = Vec::new();
        for (i, item) in array.iter().enumerate() {
            let at = format!("{path}[{i}]");
            items.push(Box::pin(convert(&item, at, depth + 1, errors)).await);
        }
        return Value::Array(items);
    }
    if js.is_function() || js.is_symbol() || js.is_bigint() || !js.is_object() {
        errors.push(FieldError::new(
            path,
            Code::Type,
            "must be a string, number, boolean, Date, bytes, array or plain object",
        ));
        return Value::Null;
    }
    let Some(entries) = entries(js) else {
        errors.push(FieldError::new(
            path,
            Code::Unreadable,
            "could not be read (its keys threw)",
        ));
        return Value::Null;
    };
    let mut map = Map::new();
    for (name, item) in entries {
        let at = child(&path, &name);
        // A getter may throw: that field is at fault, the rest is read.
        let Ok(item) = item else {
            errors.push(FieldError::new(
                at,
                Code::Unreadable,
                "could not be read (its getter threw)",
            ));
            continue;
        };
        if item.is_undefined() {
            continue;
        }
        let value = Box::pin(convert(&item, at, depth + 1, errors)).await;
        map.insert(name, value);
    }
    Value::Object(map)
}

/// A JS number as JSON: integral values as integers, so that ids read as `i64`.
pub fn number(n: f64) -> Option<Value> {
    if !n.is_finite() {
        return None;
    }
    if n.fract() == 0.0 && n.abs() <= MAX_SAFE_INTEGER {
        return Some(Value::Number(Number::from(n as i64)));
    }
    Number::from_f64(n).map(Value::Number)
}

/// The bytes of a `Uint8Array`, another typed array or `DataView`, an `ArrayBuffer` or a `Blob`,
/// as a view on them; `None` when `js` is none of those.
async fn bytes_of(js: &JsValue) -> Option<Result<Uint8Array, String>> {
    if let Some(buffer) = js.dyn_ref::<ArrayBuffer>() {
        return Some(Ok(Uint8Array::new(buffer)));
    }
    if ArrayBuffer::is_view(js) {
        let buffer = Reflect::get(js, &"buffer".into()).ok()?;
        let offset = Reflect::get(js, &"byteOffset".into()).ok()?.as_f64()?;
        let length = Reflect::get(js, &"byteLength".into()).ok()?.as_f64()?;
        let buffer = buffer.dyn_into::<ArrayBuffer>().ok()?;
        let view =
            Uint8Array::new_with_byte_offset_and_length(&buffer, offset as u32, length as u32);
        return Some(Ok(view));
    }
    let read = Reflect::get(js, &"arrayBuffer".into()).ok()?;
    let read = read.dyn_ref::<js_sys::Function>()?;
    let blob_like = Reflect::get(js, &"size".into()).ok()?.as_f64().is_some();
    if !blob_like {
        return None;
    }
    let outcome = match read.call0(js) {
        Ok(promise) => JsFuture::from(js_sys::Promise::resolve(&promise)).await,
        Err(e) => Err(e),
    };
    Some(
        match outcome.ok().and_then(|b| b.dyn_into::<ArrayBuffer>().ok()) {
            Some(buffer) => Ok(Uint8Array::new(&buffer)),
            None => Err("could not be read (Blob.arrayBuffer() failed)".to_owned()),
        },
    )
}

/// A `Date` as text: its day (`YYYY-MM-DD`) when it is a local midnight, which is what
/// `new Date(y, m, d)` and date pickers give, otherwise its instant in UTC. `src/values.rs` reads
/// an instant as the French day and time it stands for, so no day shifts with the machine's zone.
fn date_text(date: &Date) -> Option<String> {
    if date.get_time().is_nan() {
        return None;
    }
    let midnight = date.get_hours() == 0
        && date.get_minutes() == 0
        && date.get_seconds() == 0
        && date.get_milliseconds() == 0;
    Some(if midnight {
        format!(
            "{:04}-{:02}-{:02}",
            date.get_full_year(),
            date.get_month() + 1,
            date.get_date()
        )
    } else {
        date.to_iso_string().into()
    })
}
