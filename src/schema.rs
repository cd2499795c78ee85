//! Checks a call's input against its operation in the spec, before anything is sent: required
//! parameters and properties, types, enums, lengths, patterns, bounds, formats. Every field at
//! fault is reported, by wire name. The specs are Rust data written by `build.rs` (`model`).
//!
//! A call's input is one object: the operation's parameters and, beside them, the properties of
//! its JSON body (LALUX bodies have no parameters beside them). Unknown properties are faults,
//! so that a misspelt field never goes unnoticed.

use crate::error::{Code, FieldError};
use crate::field::group;
pub use crate::generated::operations::{Api, Operation};
use crate::input::child;
use crate::money::Amount;
use crate::values::{CalendarDate, ParisDateTime};
use serde_json::Value;

mod model;
mod request;
use model::{Constant, Described, Fill, Schema};
pub use model::Spec;
pub use request::{Body, Request};

/// What is checked: a caller's input strictly (unknown fields, lengths, patterns, formats, enums),
/// or a server's reply as a typed read would take it (structure, types, required fields; unknown
/// fields and values, string constraints and null optional fields pass, as servers add and vary:
/// the specs' allowed values are open in replies, T1).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Mode {
    Input,
    Reply,
}

/// The schema `$ref` whose values are amounts (decimal, at most 2 decimals).
const AMOUNT: &str = "#/components/schemas/Amount";
/// The schema `$ref` whose values are French wall-clock times (any form `When` reads).
const PARIS_DATE_TIME: &str = "#/components/schemas/ParisDateTime";

impl Operation {
    /// The spec it is in.
    pub fn spec(self) -> &'static Spec {
        match self.api() {
            Api::LaluxToken => Spec::lalux_token(),
            Api::Lalux => Spec::lalux(),
            Api::Ecologic => Spec::ecologic(),
        }
    }
}

impl Spec {
    /// The LALUX API spec.
    pub fn lalux() -> &'static Spec {
        &model::LALUX
    }

    /// The LALUX token service's spec.
    pub fn lalux_token() -> &'static Spec {
        &model::LALUX_TOKEN
    }

    /// The Ecologic API spec.
    pub fn ecologic() -> &'static Spec {
        &model::ECOLOGIC
    }

    /// What the spec says of `operation` (`None`: another spec's).
    fn operation(&self, operation: Operation) -> Option<&'static Described> {
        self.operations.iter().find(|o| o.operation == operation)
    }

    /// Fills each parameter that `input` leaves out (or null) and that the client fills
    /// (`x-client-default`): with the value given there, with the Paris wall clock `now` for
    /// `$now`, or with parameter `Name`'s for `$Name` (as given, or filled before it).
    pub fn fill(&self, operation: Operation, input: &mut Value, now: &repair_dates::WallClock) {
        let (Some(op), Some(object)) = (self.operation(operation), input.as_object_mut()) else {
            return;
        };
        for param in op.params {
            let Some(fill) = &param.fill else { continue };
            if object.get(param.name).is_some_and(|v| !v.is_null()) {
                continue;
            }
            let value = match *fill {
                Fill::Now => Value::from(now.to_string()),
                Fill::Copy(other) => match object.get(other) {
                    Some(value) if !value.is_null() => value.clone(),
                    _ => continue,
                },
                Fill::Constant(Constant::Text(text)) => Value::from(text),
                Fill::Constant(Constant::Integer(n)) => Value::from(n),
                Fill::Constant(Constant::Null) => continue,
            };
            object.insert(param.name.to_owned(), value);
        }
    }

    /// Writes each string parameter of `input` that names one of its enum's values in another
    /// case (`Invoice`, `PDF`) the way the spec does (R6: the server reads them in any case).
    pub fn normalise(&self, operation: Operation, input: &mut Value) {
        let (Some(op), Some(object)) = (self.operation(operation), input.as_object_mut()) else {
            return;
        };
        for param in op.params {
            let Some(options) = param.schema.resolved().options else {
                continue;
            };
            if let Some(Value::String(given)) = object.get_mut(param.name)
                && let Some(known) = options.iter().find_map(|o| match *o {
                    Constant::Text(text) if text.eq_ignore_ascii_case(given) => Some(text),
                    _ => None,
                })
            {
                *given = known.to_owned();
            }
        }
    }

    /// Every fault of `input` for operation `operation`.
    pub fn check(&self, operation: Operation, input: &Value) -> Vec<FieldError> {
        let mut errors = Vec::new();
        let Some(op) = self.operation(operation) else {
            errors.push(FieldError::new(
                "input",
                Code::Invalid,
                format!("unknown operation {}", operation.id()),
            ));
            return errors;
        };
        let Some(object) = input.as_object() else {
            errors.push(type_error("input", "object"));
            return errors;
        };
        let params = op.params;
        let given = |name: &str| object.get(name).is_some_and(|v| !v.is_null());
        if let Some((first, others)) = op.one_of_required.split_first()
            && !op.one_of_required.iter().any(|name| given(name))
        {
            let others = others.join(", ");
            errors.push(
                FieldError::new(*first, Code::Required, format!("is required (or {others})"))
                    .with("other", others),
            );
        }
        for param in params {
            match object.get(param.name) {
                Some(Value::Null) | None if param.required => {
                    errors.push(FieldError::required(param.name));
                }
                Some(Value::Null) | None => {}
                Some(value) => {
                    self.value(param.schema, value, param.name, Mode::Input, &mut errors)
                }
            }
        }
        // Only a JSON body's properties stand beside the parameters (a form's are not checked).
        let body = op.body.and_then(|(schema, form)| (!form).then_some(schema));
        let rest: Vec<(&String, &Value)> = object
            .iter()
            .filter(|(k, _)| !params.iter().any(|p| p.name == k.as_str()))
            .collect();
        match body {
            None => {
                for (key, _) in rest {
                    errors.push(FieldError::new(
                        child("", key),
                        Code::UnknownField,
                        "is not a parameter of this call",
                    ));
                }
            }
            Some(body) => self.object(body, &rest, "", Mode::Input, &mut errors),
        }
        // A top-level field may be meant for a parameter (`consumerInvoiceNumber`,
        // `ConsumerInvoiceNumbr`) as well as for the body: "did you mean" looks among both.
        let body_names = body
            .and_then(|b| b.resolved().properties)
            .into_iter()
            .flatten()
            .map(|(k, _)| *k);
        let names: Vec<&str> = params.iter().map(|p| p.name).chain(body_names).collect();
        for error in &mut errors {
            let top_level = object.contains_key(&error.field);
            if error.code == Code::UnknownField
                && top_level
                && !error.params.contains_key("suggestion")
            {
                let suggested =
                    unknown_field(error.field.clone(), &error.field, names.iter().copied());
                if suggested.params.contains_key("suggestion") {
                    *error = suggested;
                }
            }
        }
        errors
    }

    /// Writes a checked value the way the server reads it, as the generated types would have
    /// serialised it: amounts as JSON numbers, days as `YYYY-MM-DD`, date-times as Paris wall
    /// clock, null properties left out.
    fn wire(&self, schema: &Schema, value: &mut Value) {
        let reference = schema.reference();
        if reference == Some(AMOUNT) {
            if let Some(number) = amount_of(value).and_then(|a| serde_json::to_value(a).ok()) {
                *value = number;
            }
            return;
        }
        if reference == Some(PARIS_DATE_TIME) {
            if let Some(time) = value.as_str().and_then(ParisDateTime::parse) {
                *value = Value::String(time.to_string());
            }
            return;
        }
        let schema = schema.resolved();
        if schema.format == Some("date")
            && let Some(day) = value.as_str().and_then(CalendarDate::parse)
        {
            *value = Value::String(day.to_string());
        }
        for alternative in schema.one_of.into_iter().flatten() {
            self.wire(alternative, value);
        }
        for part in schema.all_of.into_iter().flatten() {
            self.wire(part, value);
        }
        match value {
            Value::Object(map) => {
                map.retain(|_, v| !v.is_null());
                for (key, v) in map.iter_mut() {
                    if let Some(property) = schema.property(key) {
                        self.wire(property, v);
                    }
                }
            }
            Value::Array(items) => {
                for item in items {
                    self.wire(schema.items.unwrap_or(&Schema::EMPTY), item);
                }
            }
            _ => {}
        }
    }

    /// Whether the replies of operation `operation` hold a secret (`x-secret-replies`).
    pub fn secret_replies(&self, operation: Operation) -> bool {
        self.operation(operation)
            .is_some_and(|op| op.secret_replies)
    }

    /// Whether operation `operation` documents replies of HTTP `status`, and if so whether
    /// with a JSON body.
    pub fn documents(&self, operation: Operation, status: u16) -> Option<bool> {
        let responses = self.operation(operation)?.responses;
        let (_, schema) = responses.iter().find(|(s, _)| *s == Some(status))?;
        Some(schema.is_some())
    }

    /// Every fault of `body`, the reply of operation `operation` with HTTP `status`, against
    /// the schema the spec gives that status (or `default`); none when it documents no body.
    pub fn check_reply(&self, operation: Operation, status: u16, body: &Value) -> Vec<FieldError> {
        let mut errors = Vec::new();
        let Some(responses) = self.operation(operation).map(|op| op.responses) else {
            return errors;
        };
        let Some((_, schema)) = responses
            .iter()
            .find(|(s, _)| *s == Some(status))
            .or_else(|| responses.iter().find(|(s, _)| s.is_none()))
        else {
            return errors;
        };
        if let Some(schema) = schema {
            self.value(schema, body, "", Mode::Reply, &mut errors);
        }
        errors
    }

    fn value(
        &self,
        schema: &Schema,
        value: &Value,
        path: &str,
        mode: Mode,
        errors: &mut Vec<FieldError>,
    ) {
        let reference = schema.reference();
        if reference == Some(AMOUNT) {
            return self.amount(schema.resolved(), value, path, errors);
        }
        if reference == Some(PARIS_DATE_TIME) {
            if value.as_str().and_then(ParisDateTime::parse).is_none() {
                errors.push(
                    FieldError::new(
                        path,
                        Code::Format,
                        "must be a date YYYY-MM-DD, a date-time YYYY-MM-DDTHH:MM:SS (Paris time) or with an offset, or a Date",
                    )
                    .with("expected", "dateTime"),
                );
            }
            return;
        }
        let keywords = schema.resolved();
        if let Some(alternatives) = keywords.one_of {
            return self.one_of(alternatives, value, path, mode, errors);
        }
        if value.is_null() {
            if !keywords.nullable {
                errors.push(FieldError::new(path, Code::NotNull, "must not be null"));
            }
            return;
        }
        if let Some(all) = keywords.all_of {
            let before = errors.len();
            for part in all {
                if errors.len() == before {
                    self.value(part, value, path, mode, errors);
                }
            }
            if errors.len() > before || keywords.ty.is_none() {
                return;
            }
        }
        if let Some(options) = keywords.options
            && mode == Mode::Input
            && !options.iter().any(|o| o.is(value))
        {
            let list: Vec<String> = options.iter().map(|o| o.text()).collect();
            errors.push(
                FieldError::new(
                    path,
                    Code::Enum,
                    format!("must be one of {}", list.join(", ")),
                )
                .with("allowed", list),
            );
            return;
        }
        match keywords.ty {
            Some("object") => match value.as_object() {
                Some(map) => {
                    self.object(keywords, &map.iter().collect::<Vec<_>>(), path, mode, errors)
                }
                None => errors.push(type_error(path, "object")),
            },
            Some("array") => match value.as_array() {
                Some(items) => {
                    for (i, item) in items.iter().enumerate() {
                        let items = keywords.items.unwrap_or(&Schema::EMPTY);
                        self.value(items, item, &format!("{path}[{i}]"), mode, errors);
                    }
                }
                None => errors.push(type_error(path, "array")),
            },
            Some("string") => match value.as_str() {
                Some(text) if mode == Mode::Input => self.string(keywords, text, path, errors),
                Some(_) => {}
                None => errors.push(type_error(path, "string")),
            },
            Some("integer") => integer(keywords, value, path, errors),
            Some("boolean") if !value.is_boolean() => {
                errors.push(type_error(path, "boolean"));
            }
            Some("number") if !value.is_number() => {
                errors.push(type_error(path, "number"));
            }
            _ => {}
        }
    }

    /// `oneOf`: the specs use it for a reference or null (R12, `NoValue`); a value passes when an
    /// alternative takes it, else the faults of the first alternative that is not null.
    fn one_of(
        &self,
        alternatives: &[Schema],
        value: &Value,
        path: &str,
        mode: Mode,
        errors: &mut Vec<FieldError>,
    ) {
        let mut first = None;
        for alternative in alternatives {
            let only_null = alternative
                .resolved()
                .options
                .is_some_and(|e| e.iter().all(|o| *o == Constant::Null));
            if only_null {
                if value.is_null() {
                    return;
                }
                continue;
            }
            let mut found = Vec::new();
            self.value(alternative, value, path, mode, &mut found);
            if found.is_empty() {
                return;
            }
            first.get_or_insert(found);
        }
        errors.extend(
            first.unwrap_or_else(|| vec![FieldError::new(path, Code::NotNull, "must not be null")]),
        );
    }

    fn object(
        &self,
        schema: &Schema,
        fields: &[(&String, &Value)],
        path: &str,
        mode: Mode,
        errors: &mut Vec<FieldError>,
    ) {
        let schema = schema.resolved();
        // The schema and its `allOf` parts, whose properties these are (a later part's win).
        let mut parts: Vec<&Schema> = Vec::new();
        let mut required: Vec<&str> = Vec::new();
        let all_of = schema.all_of.into_iter().flatten();
        for part in std::iter::once(schema).chain(all_of) {
            let part = part.resolved();
            parts.push(part);
            required.extend(part.required);
        }
        for name in required {
            let given = fields.iter().find(|(k, _)| k.as_str() == name);
            // A required field is there, and not null unless its schema says it may be.
            let property = parts.iter().rev().find_map(|part| part.property(name));
            let nullable = property.is_some_and(|p| p.resolved().nullable);
            let null_given = given.is_some_and(|(_, v)| v.is_null()) && !nullable;
            if given.is_none() || null_given {
                errors.push(FieldError::required(child(path, name)));
            }
        }
        for &(key, value) in fields {
            let property = parts.iter().rev().find_map(|part| part.property(key));
            match property {
                // A reply's optional field may be null, as a typed read takes it.
                Some(_) if value.is_null() && mode == Mode::Reply => {}
                Some(property) => {
                    let at = child(path, key);
                    if !(value.is_null() && errors.iter().any(|e| e.field == at)) {
                        self.value(property, value, &at, mode, errors);
                    }
                }
                None if mode == Mode::Reply => {}
                None => errors.push(unknown_field(
                    child(path, key),
                    key,
                    parts
                        .iter()
                        .flat_map(|p| p.properties.into_iter().flatten().map(|(k, _)| *k)),
                )),
            }
        }
    }

    fn string(
        &self,
        keywords: &Schema,
        text: &str,
        path: &str,
        errors: &mut Vec<FieldError>,
    ) {
        match keywords.format {
            Some("byte") => return file(keywords, text, path, errors),
            // Bytes given for text (a `Uint8Array` for `idPrestataire`): never sent as text.
            _ if crate::files::is_held(text) => {
                return errors.push(
                    FieldError::new(
                        path,
                        Code::Type,
                        "must be text: only file fields take bytes",
                    )
                    .with("expected", "string"),
                );
            }
            Some("date") if CalendarDate::parse(text).is_none() => {
                return errors.push(
                    FieldError::new(path, Code::Format, "must be a date YYYY-MM-DD (or a Date)")
                        .with("expected", "date"),
                );
            }
            _ => {}
        }
        let chars = text.chars().count() as u64;
        if let Some(min) = keywords.min_length
            && chars < min
        {
            let message = if min == 1 {
                "must not be empty".to_owned()
            } else {
                format!("must have at least {min} characters")
            };
            errors.push(FieldError::new(path, Code::TooShort, message).with("min", min));
        }
        if let Some(max) = keywords.max_length
            && chars > max
        {
            errors.push(
                FieldError::new(
                    path,
                    Code::TooLong,
                    format!("must have at most {max} characters"),
                )
                .with("max", max),
            );
        }
        if let Some(pattern) = keywords.pattern
            && crate::pattern::matches(pattern, text) == Some(false)
        {
            errors.push(shape_error(path, keywords.hint, pattern, text));
        }
    }

    fn amount(&self, schema: &Schema, value: &Value, path: &str, errors: &mut Vec<FieldError>) {
        let Some(amount) = amount_of(value) else {
            return errors.push(decimals_error(path, value));
        };
        let bound = |text: Option<&str>| text.and_then(|t| t.parse::<Amount>().ok());
        if let Some(min) = bound(schema.minimum)
            && amount.cents() < min.cents()
        {
            errors.push(
                FieldError::new(path, Code::TooSmall, format!("must be at least {min}"))
                    .with("min", min.to_string()),
            );
        }
        if let Some(max) = bound(schema.maximum)
            && amount.cents() > max.cents()
        {
            errors.push(
                FieldError::new(path, Code::TooBig, format!("must be at most {max}"))
                    .with("max", max.to_string()),
            );
        }
    }
}

/// An amount as a caller or a spec gives it: a JSON number (`170.5`, its shortest decimal text
/// read exactly) or a decimal string (`"170.50"`), with at most 2 decimals.
pub fn amount_of(value: &Value) -> Option<Amount> {
    match value {
        Value::Number(n) => match n.as_i64() {
            Some(units) => Amount::from_units(units),
            None => n.as_f64().and_then(|n| Amount::from_number(n).ok()),
        },
        Value::String(text) => text.trim().parse().ok(),
        _ => None,
    }
}

/// "is not a field": with the closest known name when one differs only by case or a letter.
fn unknown_field<'a>(at: String, key: &str, known: impl Iterator<Item = &'a str>) -> FieldError {
    let known: Vec<&str> = known.collect();
    match known
        .iter()
        .find(|k| k.eq_ignore_ascii_case(key) || close(k, key))
    {
        Some(k) => FieldError::new(
            at,
            Code::UnknownField,
            format!("is not a field here; did you mean `{k}`?"),
        )
        .with("suggestion", *k),
        None => FieldError::new(at, Code::UnknownField, "is not a field here"),
    }
}

/// `path` is not of JSON type `expected`.
fn type_error(path: impl Into<String>, expected: &str) -> FieldError {
    let message = match expected {
        "object" => "must be an object",
        "array" => "must be an array",
        "string" => "must be a string",
        "boolean" => "must be true or false",
        "integer" => "must be a whole number",
        _ => "must be a number",
    };
    FieldError::new(path, Code::Type, message).with("expected", expected)
}

/// A string that does not have its pattern's shape, said with the spec's `x-hint` when it has one.
fn shape_error(path: &str, hint: Option<&str>, pattern: &str, given: &str) -> FieldError {
    // A line break or another control character is what breaks most shapes: say that.
    let hint = match given.chars().any(char::is_control) {
        true => Some("noControlCharacters"),
        false => hint,
    };
    let message = match hint {
        Some("noControlCharacters") => {
            "must not contain control characters (line breaks, tabs…)".to_owned()
        }
        Some("countryCode") if given.eq_ignore_ascii_case("fr") => {
            "must be the 3-digit ISO 3166 country code: 250 for France, not FR".to_owned()
        }
        Some("countryCode") => {
            "must be the 3-digit ISO 3166 country code: 250 for France".to_owned()
        }
        Some("fileNameWithoutExtension") => {
            "must be the file name without its extension (the extension goes in FileExtension)"
                .to_owned()
        }
        Some("email") => "must be an e-mail address (or empty)".to_owned(),
        Some("fileNameWithExtension") => {
            "must be a file name with its extension (facture.pdf), without a folder".to_owned()
        }
        _ => format!("does not have the expected shape ({pattern})"),
    };
    let error = FieldError::new(path, Code::Pattern, message).with("given", given);
    match hint {
        Some(hint) => error.with("hint", hint),
        None => error,
    }
}

/// Not an amount with at most 2 decimals: says what a number rounds to, or that a comma is not a
/// decimal point.
fn decimals_error(path: &str, value: &Value) -> FieldError {
    const GENERIC: &str =
        "must be an amount with at most 2 decimals, as a number (170.5) or a string (\"170.50\")";
    let given = match value {
        Value::Number(n) => n.to_string(),
        Value::String(text) => text.clone(),
        _ => return FieldError::new(path, Code::Decimals, GENERIC),
    };
    let error = FieldError::new(path, Code::Decimals, GENERIC).with("given", given.as_str());
    if given.contains(',') {
        let fixed = given.replace(',', ".");
        return FieldError {
            message: format!("must use a decimal point, not a comma: {fixed}"),
            ..error
        };
    }
    match crate::money::to_the_cent(given.trim()) {
        Some(rounded) => FieldError {
            message: format!(
                "has more than 2 decimals ({given}); to the cent it is {rounded}: round it before sending"
            ),
            ..error.with("rounded", rounded)
        },
        None => error,
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

fn integer(schema: &Schema, value: &Value, path: &str, errors: &mut Vec<FieldError>) {
    let Some(n) = value.as_i64() else {
        return errors.push(type_error(path, "integer"));
    };
    let (low, high) = match schema.format {
        Some("int32") => (i64::from(i32::MIN), i64::from(i32::MAX)),
        _ => (i64::MIN, i64::MAX),
    };
    let bound = |text: Option<&str>| text.and_then(|t| t.parse::<i64>().ok());
    let min = bound(schema.minimum).unwrap_or(low).max(low);
    let max = bound(schema.maximum).unwrap_or(high).min(high);
    if n < min {
        errors.push(
            FieldError::new(path, Code::TooSmall, format!("must be at least {min}"))
                .with("min", min),
        );
    } else if n > max {
        errors.push(
            FieldError::new(path, Code::TooBig, format!("must be at most {max}")).with("max", max),
        );
    }
}

/// A file (base64 on the wire): its limits are in bytes, as the documents give them.
fn file(schema: &Schema, text: &str, path: &str, errors: &mut Vec<FieldError>) {
    let Some(size) = crate::files::size(text) else {
        return errors.push(
            FieldError::new(
                path,
                Code::Format,
                "must be bytes (Uint8Array, ArrayBuffer, Blob or File)",
            )
            .with("expected", "bytes"),
        );
    };
    let base64_len = crate::files::base64_len(size) as u64;
    let size = size as u64;
    if size == 0 || schema.min_length.is_some_and(|min| base64_len < min) {
        errors.push(FieldError::new(path, Code::Empty, "is empty"));
    }
    if let Some(max) = schema.max_bytes
        && size > max
    {
        errors.push(
            FieldError::new(
                path,
                Code::FileTooBig,
                format!(
                    "is {} bytes; the limit is {} bytes",
                    group(&size.to_string()),
                    group(&max.to_string())
                ),
            )
            .with("size", size)
            .with("limit", max),
        );
    }
}

#[cfg(test)]
mod tests;
