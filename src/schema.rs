//! Checks a call's input against its operation in the spec, before anything is sent: required
//! parameters and properties, types, enums, lengths, patterns, bounds, formats. Every field at
//! fault is reported, by wire name. The specs are embedded by `build.rs` without their prose.
//!
//! A call's input is one object: the operation's parameters and, beside them, the properties of
//! its JSON body (LALUX bodies have no parameters beside them). Unknown properties are faults,
//! so that a misspelt field never goes unnoticed.

use crate::error::FieldError;
use crate::input::child;
use crate::money::Amount;
use crate::values::{CalendarDate, ParisDateTime, decoded_len, is_base64};
use serde_json::Value;
use std::collections::BTreeMap;
use std::sync::OnceLock;

/// One API's spec, as JSON.
pub struct Spec {
    root: Value,
}

/// The schema `$ref` whose values are amounts (decimal, at most 2 decimals).
const AMOUNT: &str = "#/components/schemas/Amount";
/// The schema `$ref` whose values are French wall-clock times (any form `When` reads).
const PARIS_DATE_TIME: &str = "#/components/schemas/ParisDateTime";

impl Spec {
    fn load(text: &str) -> Self {
        Self {
            root: serde_json::from_str(text).unwrap_or(Value::Null),
        }
    }

    /// The LALUX API spec.
    pub fn lalux() -> &'static Spec {
        static SPEC: OnceLock<Spec> = OnceLock::new();
        SPEC.get_or_init(|| Self::load(include_str!(concat!(env!("OUT_DIR"), "/lalux.json"))))
    }

    /// The Ecologic API spec.
    pub fn ecologic() -> &'static Spec {
        static SPEC: OnceLock<Spec> = OnceLock::new();
        SPEC.get_or_init(|| Self::load(include_str!(concat!(env!("OUT_DIR"), "/ecologic.json"))))
    }

    fn operation(&self, id: &str) -> Option<&Value> {
        self.root["paths"]
            .as_object()?
            .values()
            .filter_map(Value::as_object)
            .flat_map(|item| item.values())
            .find(|op| op["operationId"] == id)
    }

    fn resolve<'a>(&'a self, mut schema: &'a Value) -> &'a Value {
        // Specs are trees of finite depth; a few hops resolve any chain of `$ref`.
        for _ in 0..8 {
            match schema["$ref"].as_str() {
                Some(r) => {
                    schema = self
                        .root
                        .pointer(r.trim_start_matches('#'))
                        .unwrap_or(&Value::Null)
                }
                None => break,
            }
        }
        schema
    }

    /// Writes each string parameter of `input` that names one of its enum's values in another
    /// case (`Invoice`, `PDF`) the way the spec does (R6: the server reads them in any case).
    pub fn normalise(&self, operation_id: &str, input: &mut Value) {
        let (Some(op), Some(object)) = (self.operation(operation_id), input.as_object_mut()) else {
            return;
        };
        for param in op["parameters"].as_array().into_iter().flatten() {
            let param = self.resolve(param);
            let (Some(name), Some(options)) = (
                param["name"].as_str(),
                self.resolve(&param["schema"])["enum"].as_array(),
            ) else {
                continue;
            };
            if let Some(Value::String(given)) = object.get_mut(name)
                && let Some(known) = options
                    .iter()
                    .filter_map(Value::as_str)
                    .find(|o| o.eq_ignore_ascii_case(given))
            {
                *given = known.to_owned();
            }
        }
    }

    /// Every fault of `input` for operation `operation_id`.
    pub fn check(&self, operation_id: &str, input: &Value) -> Vec<FieldError> {
        let mut errors = Vec::new();
        let Some(op) = self.operation(operation_id) else {
            errors.push(FieldError::new(
                "input",
                format!("unknown operation {operation_id}"),
            ));
            return errors;
        };
        let Some(object) = input.as_object() else {
            errors.push(FieldError::new("input", "must be an object"));
            return errors;
        };
        let params: Vec<&Value> = op["parameters"]
            .as_array()
            .map(|ps| ps.iter().map(|p| self.resolve(p)).collect())
            .unwrap_or_default();
        for param in &params {
            let Some(name) = param["name"].as_str() else {
                continue;
            };
            match object.get(name) {
                Some(Value::Null) | None if param["required"] == true => {
                    errors.push(FieldError::new(name, "is required"));
                }
                Some(Value::Null) | None => {}
                Some(value) => self.value(&param["schema"], value, name, &mut errors),
            }
        }
        let body = self.resolve(&op["requestBody"]);
        let body = &body["content"]["application/json"]["schema"];
        let rest: Vec<(&String, &Value)> = object
            .iter()
            .filter(|(k, _)| !params.iter().any(|p| p["name"] == k.as_str()))
            .collect();
        if body.is_null() {
            for (key, _) in rest {
                errors.push(FieldError::new(key, "is not a parameter of this call"));
            }
        } else {
            self.object(body, &rest, "", &mut errors);
        }
        errors
    }

    fn value(&self, schema: &Value, value: &Value, path: &str, errors: &mut Vec<FieldError>) {
        if schema["$ref"] == AMOUNT {
            return self.amount(self.resolve(schema), value, path, errors);
        }
        if schema["$ref"] == PARIS_DATE_TIME {
            if value.as_str().and_then(ParisDateTime::parse).is_none() {
                errors.push(FieldError::new(
                    path,
                    "must be a date YYYY-MM-DD, a date-time YYYY-MM-DDTHH:MM:SS (Paris time) or with an offset, or a Date",
                ));
            }
            return;
        }
        let schema = self.resolve(schema);
        if let Some(alternatives) = schema["oneOf"].as_array() {
            return self.one_of(alternatives, value, path, errors);
        }
        if value.is_null() {
            if schema["nullable"] != true {
                errors.push(FieldError::new(path, "must not be null"));
            }
            return;
        }
        if let Some(all) = schema["allOf"].as_array() {
            let before = errors.len();
            for part in all {
                if errors.len() == before {
                    self.value(part, value, path, errors);
                }
            }
            if errors.len() > before || schema["type"].is_null() {
                return;
            }
        }
        if let Some(options) = schema["enum"].as_array()
            && !options.contains(value)
        {
            let list: Vec<String> = options
                .iter()
                .map(|o| o.to_string().replace('"', ""))
                .collect();
            errors.push(FieldError::new(
                path,
                format!("must be one of {}", list.join(", ")),
            ));
            return;
        }
        match schema["type"].as_str() {
            Some("object") => match value.as_object() {
                Some(map) => self.object(schema, &map.iter().collect::<Vec<_>>(), path, errors),
                None => errors.push(FieldError::new(path, "must be an object")),
            },
            Some("array") => match value.as_array() {
                Some(items) => {
                    for (i, item) in items.iter().enumerate() {
                        self.value(&schema["items"], item, &format!("{path}[{i}]"), errors);
                    }
                }
                None => errors.push(FieldError::new(path, "must be an array")),
            },
            Some("string") => match value.as_str() {
                Some(text) => self.string(schema, text, path, errors),
                None => errors.push(FieldError::new(path, "must be a string")),
            },
            Some("integer") => integer(schema, value, path, errors),
            Some("boolean") if !value.is_boolean() => {
                errors.push(FieldError::new(path, "must be true or false"));
            }
            Some("number") if !value.is_number() => {
                errors.push(FieldError::new(path, "must be a number"));
            }
            _ => {}
        }
    }

    /// `oneOf`: the specs use it for a reference or null (R12, `NoValue`); a value passes when an
    /// alternative takes it, else the faults of the first alternative that is not null.
    fn one_of(
        &self,
        alternatives: &[Value],
        value: &Value,
        path: &str,
        errors: &mut Vec<FieldError>,
    ) {
        let mut first = None;
        for alternative in alternatives {
            let resolved = self.resolve(alternative);
            let only_null = resolved["enum"]
                .as_array()
                .is_some_and(|e| e.iter().all(Value::is_null));
            if only_null {
                if value.is_null() {
                    return;
                }
                continue;
            }
            let mut found = Vec::new();
            self.value(alternative, value, path, &mut found);
            if found.is_empty() {
                return;
            }
            first.get_or_insert(found);
        }
        errors.extend(first.unwrap_or_else(|| vec![FieldError::new(path, "must not be null")]));
    }

    fn object(
        &self,
        schema: &Value,
        fields: &[(&String, &Value)],
        path: &str,
        errors: &mut Vec<FieldError>,
    ) {
        let schema = self.resolve(schema);
        let mut properties = BTreeMap::new();
        let mut required = Vec::new();
        for part in std::iter::once(schema).chain(schema["allOf"].as_array().into_iter().flatten())
        {
            let part = self.resolve(part);
            if let Some(props) = part["properties"].as_object() {
                properties.extend(props.iter());
            }
            required.extend(
                part["required"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter_map(Value::as_str),
            );
        }
        for name in required {
            let given = fields.iter().find(|(k, _)| k.as_str() == name);
            if given.is_none_or(|(_, v)| v.is_null()) {
                errors.push(FieldError::new(child(path, name), "is required"));
            }
        }
        for &(key, value) in fields {
            let at = child(path, key);
            match properties.get(key) {
                Some(property) if !(value.is_null() && errors.iter().any(|e| e.field == at)) => {
                    self.value(property, value, &at, errors);
                }
                Some(_) => {}
                None => errors.push(FieldError::new(
                    at,
                    unknown_message(key, properties.keys().copied()),
                )),
            }
        }
    }

    fn string(&self, schema: &Value, text: &str, path: &str, errors: &mut Vec<FieldError>) {
        let chars = text.chars().count() as u64;
        match schema["format"].as_str() {
            Some("byte") => return file(schema, text, path, errors),
            Some("date") if CalendarDate::parse(text).is_none() => {
                return errors.push(FieldError::new(
                    path,
                    "must be a date YYYY-MM-DD (or a Date)",
                ));
            }
            _ => {}
        }
        if let Some(min) = schema["minLength"].as_u64()
            && chars < min
        {
            let message = if min == 1 {
                "must not be empty".to_owned()
            } else {
                format!("must have at least {min} characters")
            };
            errors.push(FieldError::new(path, message));
        }
        if let Some(max) = schema["maxLength"].as_u64()
            && chars > max
        {
            errors.push(FieldError::new(
                path,
                format!("must have at most {max} characters"),
            ));
        }
        if let Some(pattern) = schema["pattern"].as_str()
            && let Ok(re) = regress::Regex::new(pattern)
            && re.find(text).is_none()
        {
            errors.push(FieldError::new(
                path,
                format!("does not have the expected shape ({pattern})"),
            ));
        }
    }

    fn amount(&self, schema: &Value, value: &Value, path: &str, errors: &mut Vec<FieldError>) {
        let parsed = match value {
            Value::Number(_) | Value::String(_) => {
                serde_json::from_value::<Amount>(value.clone()).ok()
            }
            _ => None,
        };
        let Some(amount) = parsed else {
            return errors.push(FieldError::new(
                path,
                "must be an amount with at most 2 decimals, as a number (170.5) or a string (\"170.50\")",
            ));
        };
        let bound = |key: &str| {
            schema[key]
                .as_f64()
                .and_then(|b| format!("{b:.2}").parse::<Amount>().ok())
        };
        if let Some(min) = bound("minimum")
            && amount.cents() < min.cents()
        {
            errors.push(FieldError::new(path, format!("must be at least {min}")));
        }
        if let Some(max) = bound("maximum")
            && amount.cents() > max.cents()
        {
            errors.push(FieldError::new(path, format!("must be at most {max}")));
        }
    }
}

/// "is not a field": with the closest known name when one differs only by case or a letter.
fn unknown_message<'a>(key: &str, known: impl Iterator<Item = &'a String>) -> String {
    let known: Vec<&String> = known.collect();
    match known
        .iter()
        .find(|k| k.eq_ignore_ascii_case(key) || close(k, key))
    {
        Some(k) => format!("is not a field here; did you mean `{k}`?"),
        None => "is not a field here".to_owned(),
    }
}

/// Whether two names differ by one inserted, removed or changed character, or two swapped ones.
fn close(a: &str, b: &str) -> bool {
    let (a, b): (Vec<char>, Vec<char>) = (a.chars().collect(), b.chars().collect());
    if a.len().abs_diff(b.len()) > 1 {
        return false;
    }
    let prefix = a.iter().zip(&b).take_while(|(x, y)| x == y).count();
    let suffix = a
        .iter()
        .rev()
        .zip(b.iter().rev())
        .take_while(|(x, y)| x == y)
        .count();
    let longest = a.len().max(b.len());
    let swapped = a.len() == b.len()
        && prefix + suffix + 2 == longest
        && a.get(prefix) == b.get(prefix + 1)
        && a.get(prefix + 1) == b.get(prefix);
    prefix + suffix + 1 >= longest || swapped
}

fn integer(schema: &Value, value: &Value, path: &str, errors: &mut Vec<FieldError>) {
    let Some(n) = value.as_i64() else {
        return errors.push(FieldError::new(path, "must be a whole number"));
    };
    let (low, high) = match schema["format"].as_str() {
        Some("int32") => (i64::from(i32::MIN), i64::from(i32::MAX)),
        _ => (i64::MIN, i64::MAX),
    };
    let min = schema["minimum"].as_i64().unwrap_or(low).max(low);
    let max = schema["maximum"].as_i64().unwrap_or(high).min(high);
    if n < min {
        errors.push(FieldError::new(path, format!("must be at least {min}")));
    } else if n > max {
        errors.push(FieldError::new(path, format!("must be at most {max}")));
    }
}

/// A file (base64 on the wire): its limits are in bytes, as the documents give them.
fn file(schema: &Value, text: &str, path: &str, errors: &mut Vec<FieldError>) {
    if !is_base64(text) {
        return errors.push(FieldError::new(
            path,
            "must be bytes (Uint8Array, ArrayBuffer, Blob or File)",
        ));
    }
    let size = decoded_len(text) as u64;
    if size == 0
        || schema["minLength"]
            .as_u64()
            .is_some_and(|min| (text.len() as u64) < min)
    {
        errors.push(FieldError::new(path, "is empty"));
    }
    if let Some(max) = schema["x-max-bytes"].as_u64()
        && size > max
    {
        errors.push(FieldError::new(
            path,
            format!(
                "is {} bytes; the limit is {} bytes",
                group(size),
                group(max)
            ),
        ));
    }
}

/// `5242880` → `5 242 880`, as the documents write sizes.
fn group(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(' ');
        }
        out.push(c);
    }
    out
}
