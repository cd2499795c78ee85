//! What callers pass, as JSON. `src/host.js`'s `readInput` reads a caller's value on the JS side
//! (its getters, Proxies and buffers may throw; an exception must never unwind through the
//! module) into JSON text, with a `Date` written as its day or its UTC instant (see `readInput`),
//! bytes (`Uint8Array`, `ArrayBuffer`, `Blob`, `File`) copied and held in JS memory for the call
//! (`crate::files::Files`: a short text stands for them), and every value that cannot be read named as a
//! field error.

use crate::error::{Code, FieldError};
use crate::files::Files;
use js_sys::{Array, Uint8Array};
use serde_json::{Number, Value};
use wasm_bindgen::{JsCast, JsValue, prelude::wasm_bindgen};
use wasm_bindgen_futures::JsFuture;

#[wasm_bindgen(module = "/src/host.js")]
extern "C" {
    /// `{ json, files, numbers, faults }`, or a promise of it; see `src/host.js`.
    #[wasm_bindgen(js_name = readInput, catch)]
    fn read_input(input: &JsValue) -> Result<JsValue, JsValue>;

    /// What `readInput` gives.
    type Read;
    #[wasm_bindgen(method, getter)]
    fn json(this: &Read) -> Option<String>;
    #[wasm_bindgen(method, getter)]
    fn files(this: &Read) -> Option<Array>;
    #[wasm_bindgen(method, getter)]
    fn numbers(this: &Read) -> Option<Vec<f64>>;
    #[wasm_bindgen(method, getter)]
    fn faults(this: &Read) -> Option<Array>;

    /// `string`, `number`, `array`, `object`…: what a value is, never what it holds.
    #[wasm_bindgen(js_name = typeName)]
    pub fn type_name(value: &JsValue) -> String;
}

// Catching bindings: a Proxy's traps or a getter can make these throw, and an exception that
// crosses Rust frames would leave the module's state half-updated.
#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(js_namespace = Object, js_name = keys, catch)]
    fn object_keys(object: &JsValue) -> Result<Array, JsValue>;
}

/// The own enumerable string keys of `object` and their values (a value whose getter throws is
/// `Err`); `None` when the keys themselves cannot be read.
pub fn entries(object: &JsValue) -> Option<Vec<(String, Result<JsValue, JsValue>)>> {
    let keys = object_keys(object).ok()?;
    Some(
        keys.iter()
            .filter_map(|key| {
                let name = key.as_string()?;
                Some((name, js_sys::Reflect::get(object, &key)))
            })
            .collect(),
    )
}

/// Largest integer a JS number holds exactly.
const MAX_SAFE_INTEGER: f64 = 9_007_199_254_740_991.0;
/// How a stand-in for a file (`f<i>`) or a number (`n<i>`) starts in `readInput`'s JSON text (a
/// caller's own text never does: `readInput` refuses it).
const MARK: char = '\u{1}';

/// A caller's value as JSON, and every part of it JSON cannot hold.
pub struct Input {
    pub value: Value,
    pub errors: Vec<FieldError>,
}

/// Reads `js` (the argument named `what`), its files held in the call's `held`; never fails:
/// what cannot be read is an error.
pub async fn read(js: &JsValue, what: &str, held: &Files) -> Input {
    let unreadable = |message: &str| Input {
        value: Value::Null,
        errors: vec![FieldError::new(what, Code::Unreadable, message)],
    };
    let read = match read_input(js) {
        Ok(read) if read.is_instance_of::<js_sys::Promise>() => {
            match JsFuture::from(read.unchecked_into::<js_sys::Promise>()).await {
                Ok(read) => read,
                Err(_) => return unreadable("could not be read"),
            }
        }
        Ok(read) => read,
        Err(_) => return unreadable("could not be read"),
    };
    let read: Read = read.unchecked_into();
    let (Some(json), Some(files), Some(numbers), Some(faults)) =
        (read.json(), read.files(), read.numbers(), read.faults())
    else {
        return unreadable("could not be read");
    };
    let mut value = serde_json::from_str(&json).unwrap_or(Value::Null);
    let files: Vec<Option<Uint8Array>> = files.iter().map(|f| f.dyn_into().ok()).collect();
    stand_ins(&mut value, &files, &numbers, held);
    let errors = faults
        .iter()
        .filter_map(|fault| {
            let fault: Array = fault.dyn_into().ok()?;
            let path = fault.get(0).as_string()?;
            let code = crate::json::read(Value::String(fault.get(1).as_string()?)).ok()?;
            let field = if path.is_empty() {
                what.to_owned()
            } else {
                path
            };
            let error = FieldError::new(field, code, fault.get(2).as_string()?);
            Some(match fault.get(3).as_string() {
                Some(expected) => error.with("expected", expected),
                None => error,
            })
        })
        .collect();
    Input { value, errors }
}

/// Puts back what `readInput`'s stand-ins stand for: each file held for the call, each number.
fn stand_ins(value: &mut Value, files: &[Option<Uint8Array>], numbers: &[f64], held: &Files) {
    match value {
        Value::String(text) => {
            let Some(rest) = text.strip_prefix(MARK) else {
                return;
            };
            let index = |digits: &str| digits.parse::<usize>().ok();
            *value = match rest.split_at_checked(1) {
                Some(("f", i)) => match index(i).and_then(|i| files.get(i)).cloned().flatten() {
                    Some(bytes) => Value::String(held.hold(bytes)),
                    // A Blob that could not be read: its fault is among the input's.
                    None => Value::Null,
                },
                Some(("n", i)) => index(i)
                    .and_then(|i| numbers.get(i))
                    .and_then(|n| number(*n))
                    .unwrap_or(Value::Null),
                _ => Value::Null,
            };
        }
        Value::Array(items) => items.iter_mut().for_each(|v| stand_ins(v, files, numbers, held)),
        Value::Object(map) => map.values_mut().for_each(|v| stand_ins(v, files, numbers, held)),
        _ => {}
    }
}

/// Joins a field path: `Consumer` + `Zip` → `Consumer.Zip`; the root has no name; a name that is
/// empty or holds `.`, `[`, `]`, `"`, a space or a control character is quoted: `Consumer[""]`
/// (`src/host.js`'s `child` writes them alike).
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
