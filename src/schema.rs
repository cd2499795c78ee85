//! Checks a call's input against its operation in the spec, before anything is sent: required
//! parameters and properties, types, enums, lengths, patterns, bounds, formats. Every field at
//! fault is reported, by wire name. The specs are embedded by `build.rs` without their prose.
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
use serde_json::{Map, Value};
use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};
use std::sync::OnceLock;

mod request;
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

/// One API's spec, as JSON.
pub struct Spec {
    /// Each operation, found once.
    operations: Vec<Described>,
    /// Each `$ref` of the spec, by the address of the object holding it: its text and what it
    /// points at, found once (looking a reference up by name was a quarter of a check's time).
    refs: HashMap<usize, (&'static str, &'static Value), BuildHasherDefault<AddressHasher>>,
    /// The schema keywords the checks read, of every object of the spec by its address, found
    /// once (each read of one was a search of the object's keys).
    keywords: HashMap<usize, Keywords, BuildHasherDefault<AddressHasher>>,
}

/// The keywords of a schema object that the checks and the request writer read.
struct Keywords {
    ty: Option<&'static str>,
    format: Option<&'static str>,
    /// `enum`.
    options: Option<&'static Vec<Value>>,
    nullable: bool,
    one_of: Option<&'static Vec<Value>>,
    all_of: Option<&'static Vec<Value>>,
    properties: Option<&'static Map<String, Value>>,
    required: Option<&'static Vec<Value>>,
    /// `null` when it has none.
    items: &'static Value,
    min_length: Option<u64>,
    max_length: Option<u64>,
    pattern: Option<&'static str>,
    /// `x-hint`: which advice a pattern's fault gives.
    hint: Option<&'static str>,
}

/// A schema without any keyword (or no schema).
static NO_KEYWORDS: Keywords = Keywords {
    ty: None,
    format: None,
    options: None,
    nullable: false,
    one_of: None,
    all_of: None,
    properties: None,
    required: None,
    items: &Value::Null,
    min_length: None,
    max_length: None,
    pattern: None,
    hint: None,
};

impl Keywords {
    /// Those of `schema`, an object of a spec.
    fn of(schema: &'static Map<String, Value>) -> Self {
        let text = |key: &str| schema.get(key).and_then(Value::as_str);
        let list = |key: &str| schema.get(key).and_then(Value::as_array);
        let count = |key: &str| schema.get(key).and_then(Value::as_u64);
        Self {
            ty: text("type"),
            format: text("format"),
            options: list("enum"),
            nullable: schema.get("nullable") == Some(&Value::Bool(true)),
            one_of: list("oneOf"),
            all_of: list("allOf"),
            properties: schema.get("properties").and_then(Value::as_object),
            required: list("required"),
            items: schema.get("items").unwrap_or(&Value::Null),
            min_length: count("minLength"),
            max_length: count("maxLength"),
            pattern: text("pattern"),
            hint: text("x-hint"),
        }
    }
}

/// An operation of a spec, with what every call of it reads, found once at load (looking the
/// operation up by path and method, and its parameters by `$ref`, on every call was a tenth of
/// a check's time).
struct Described {
    operation: Operation,
    /// As the embedded spec has them (`Operation::path` and `method` would be a second copy).
    path: &'static str,
    method: &'static str,
    /// Its description in the spec.
    spec: &'static Value,
    params: Vec<Param>,
    /// Its replies by status (`None`: `default`), each with the schema of its JSON body (`null`
    /// when it documents none).
    responses: Vec<(Option<u16>, &'static Value)>,
    /// `x-secret-replies`: its replies hold a secret (a token), so no error ever carries one.
    secret_replies: bool,
    /// `x-one-of-required`: parameters of which the input must give one.
    one_of_required: Vec<&'static str>,
}

/// A parameter of an operation, as its calls read it.
struct Param {
    name: &'static str,
    schema: &'static Value,
    required: bool,
    /// In the path (else in the query).
    in_path: bool,
    /// The values its schema allows, if it lists them (`enum`).
    options: Option<&'static Vec<Value>>,
    /// `x-not-sent`: an input the client checks but never sends (its wire name is unknown).
    sent: bool,
    /// `x-client-default`: what the client fills it with when the input leaves it out.
    fill: Option<&'static Value>,
}

/// Hashes an address (the keys of [`Spec::refs`]): one multiplication.
#[derive(Default)]
struct AddressHasher(u64);

impl Hasher for AddressHasher {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for &byte in bytes {
            self.0 = (self.0.rotate_left(8) ^ u64::from(byte)).wrapping_mul(0x9E37_79B9_7F4A_7C15);
        }
    }

    fn write_usize(&mut self, address: usize) {
        self.0 = (address as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    }
}

/// The address of a node of a spec, as [`Spec::refs`] keys it.
fn address(value: &Value) -> usize {
    std::ptr::from_ref(value) as usize
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
    fn load(text: &str) -> Self {
        // Leaked: each spec lives as long as the module, and its nodes' addresses key `refs`.
        let root: &'static Value =
            Box::leak(Box::new(serde_json::from_str(text).unwrap_or(Value::Null)));
        let mut refs = HashMap::default();
        let mut keywords = HashMap::default();
        let mut nodes = vec![root];
        while let Some(node) = nodes.pop() {
            match node {
                Value::Object(map) => {
                    if let Some(Value::String(reference)) = map.get("$ref") {
                        // A reference to nothing (none in the specs) is taken as `null`.
                        let target = pointer(root, reference).unwrap_or(&Value::Null);
                        refs.insert(address(node), (reference.as_str(), target));
                    }
                    keywords.insert(address(node), Keywords::of(map));
                    nodes.extend(map.values());
                }
                Value::Array(items) => nodes.extend(items),
                _ => {}
            }
        }
        let mut spec = Self {
            operations: Vec::new(),
            refs,
            keywords,
        };
        for (path, item) in root["paths"].as_object().into_iter().flatten() {
            for (method, op) in item.as_object().into_iter().flatten() {
                if let Some(operation) = op["operationId"].as_str().and_then(Operation::from_id) {
                    let params = op["parameters"].as_array().into_iter().flatten();
                    let params = params.filter_map(|param| {
                        let param = spec.resolve(param);
                        Some(Param {
                            name: param["name"].as_str()?,
                            schema: &param["schema"],
                            required: param["required"] == true,
                            in_path: param["in"] == "path",
                            options: spec.resolve(&param["schema"])["enum"].as_array(),
                            sent: param["x-not-sent"] != true,
                            fill: param.get("x-client-default"),
                        })
                    });
                    let params = params.collect();
                    let responses = op["responses"].as_object().into_iter().flatten();
                    let responses = responses
                        .filter_map(|(status, response)| {
                            let status = match status.as_str() {
                                "default" => None,
                                code => Some(code.parse().ok()?),
                            };
                            Some((status, spec.json_schema(response)))
                        })
                        .collect();
                    spec.operations.push(Described {
                        operation,
                        path,
                        method,
                        spec: op,
                        params,
                        responses,
                        secret_replies: op["x-secret-replies"] == true,
                        one_of_required: op["x-one-of-required"]
                            .as_array()
                            .into_iter()
                            .flatten()
                            .filter_map(Value::as_str)
                            .collect(),
                    });
                }
            }
        }
        spec
    }

    /// The LALUX API spec.
    pub fn lalux() -> &'static Spec {
        static SPEC: OnceLock<Spec> = OnceLock::new();
        SPEC.get_or_init(|| Self::load(include_str!(concat!(env!("OUT_DIR"), "/lalux.json"))))
    }

    /// The LALUX token service's spec.
    pub fn lalux_token() -> &'static Spec {
        static SPEC: OnceLock<Spec> = OnceLock::new();
        SPEC.get_or_init(|| Self::load(include_str!(concat!(env!("OUT_DIR"), "/lalux-token.json"))))
    }

    /// The Ecologic API spec.
    pub fn ecologic() -> &'static Spec {
        static SPEC: OnceLock<Spec> = OnceLock::new();
        SPEC.get_or_init(|| Self::load(include_str!(concat!(env!("OUT_DIR"), "/ecologic.json"))))
    }

    /// What the spec says of `operation` (`None`: another spec's).
    fn operation(&self, operation: Operation) -> Option<&Described> {
        self.operations.iter().find(|o| o.operation == operation)
    }

    fn resolve<'a>(&self, mut schema: &'a Value) -> &'a Value {
        // Specs are trees of finite depth; a few hops resolve any chain of `$ref`.
        for _ in 0..8 {
            match self.refs.get(&address(schema)) {
                Some((_, target)) => schema = target,
                None => break,
            }
        }
        schema
    }

    /// The `$ref` of `schema`, if it is one.
    fn reference(&self, schema: &Value) -> Option<&str> {
        self.refs
            .get(&address(schema))
            .map(|(reference, _)| *reference)
    }

    /// The keywords of `schema` (resolved: those of a `$ref` are its target's).
    fn keywords(&self, schema: &Value) -> &Keywords {
        self.keywords.get(&address(schema)).unwrap_or(&NO_KEYWORDS)
    }

    /// The JSON schema of a request body or a response (`null` when it has none).
    fn json_schema<'a>(&self, body: &'a Value) -> &'a Value {
        &self.resolve(body)["content"]["application/json"]["schema"]
    }

    /// Fills each parameter that `input` leaves out (or null) and that the client fills
    /// (`x-client-default`): with the value given there, with the Paris wall clock `now` for
    /// `$now`, or with parameter `Name`'s for `$Name` (as given, or filled before it).
    pub fn fill(&self, operation: Operation, input: &mut Value, now: &str) {
        let (Some(op), Some(object)) = (self.operation(operation), input.as_object_mut()) else {
            return;
        };
        for param in &op.params {
            let Some(fill) = param.fill else { continue };
            if object.get(param.name).is_some_and(|v| !v.is_null()) {
                continue;
            }
            let value = match fill.as_str().and_then(|text| text.strip_prefix('$')) {
                Some("now") => Value::from(now),
                Some(other) => match object.get(other) {
                    Some(value) if !value.is_null() => value.clone(),
                    _ => continue,
                },
                None => fill.clone(),
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
        for param in &op.params {
            let Some(options) = param.options else {
                continue;
            };
            if let Some(Value::String(given)) = object.get_mut(param.name)
                && let Some(known) = options
                    .iter()
                    .filter_map(Value::as_str)
                    .find(|o| o.eq_ignore_ascii_case(given))
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
        let params = &op.params;
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
        let body = self.json_schema(&op.spec["requestBody"]);
        let rest: Vec<(&String, &Value)> = object
            .iter()
            .filter(|(k, _)| !params.iter().any(|p| p.name == k.as_str()))
            .collect();
        if body.is_null() {
            for (key, _) in rest {
                errors.push(FieldError::new(
                    child("", key),
                    Code::UnknownField,
                    "is not a parameter of this call",
                ));
            }
        } else {
            self.object(body, &rest, "", Mode::Input, &mut errors);
        }
        // A top-level field may be meant for a parameter (`consumerInvoiceNumber`,
        // `ConsumerInvoiceNumbr`) as well as for the body: "did you mean" looks among both.
        let names: Vec<String> = params.iter().map(|p| p.name.to_owned()).collect();
        let body_names = self.resolve(body)["properties"]
            .as_object()
            .into_iter()
            .flatten();
        let names: Vec<String> = names
            .into_iter()
            .chain(body_names.map(|(k, _)| k.clone()))
            .collect();
        for error in &mut errors {
            let top_level = object.contains_key(&error.field);
            if error.code == Code::UnknownField
                && top_level
                && !error.params.contains_key("suggestion")
            {
                let suggested = unknown_field(error.field.clone(), &error.field, names.iter());
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
    fn wire(&self, schema: &Value, value: &mut Value) {
        let reference = self.reference(schema);
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
        let schema = self.keywords(self.resolve(schema));
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
                    if let Some(property) = schema.properties.and_then(|p| p.get(key)) {
                        self.wire(property, v);
                    }
                }
            }
            Value::Array(items) => {
                for item in items {
                    self.wire(schema.items, item);
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
        let responses = &self.operation(operation)?.responses;
        let (_, schema) = responses.iter().find(|(s, _)| *s == Some(status))?;
        Some(!schema.is_null())
    }

    /// Every fault of `body`, the reply of operation `operation` with HTTP `status`, against
    /// the schema the spec gives that status (or `default`); none when it documents no body.
    pub fn check_reply(&self, operation: Operation, status: u16, body: &Value) -> Vec<FieldError> {
        let mut errors = Vec::new();
        let Some(responses) = self.operation(operation).map(|op| &op.responses) else {
            return errors;
        };
        let Some((_, schema)) = responses
            .iter()
            .find(|(s, _)| *s == Some(status))
            .or_else(|| responses.iter().find(|(s, _)| s.is_none()))
        else {
            return errors;
        };
        if !schema.is_null() {
            self.value(schema, body, "", Mode::Reply, &mut errors);
        }
        errors
    }

    fn value(
        &self,
        schema: &Value,
        value: &Value,
        path: &str,
        mode: Mode,
        errors: &mut Vec<FieldError>,
    ) {
        let reference = self.reference(schema);
        if reference == Some(AMOUNT) {
            return self.amount(self.resolve(schema), value, path, errors);
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
        let schema = self.resolve(schema);
        let keywords = self.keywords(schema);
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
            && !options.contains(value)
        {
            let list: Vec<String> = options
                .iter()
                .map(|o| o.to_string().replace('"', ""))
                .collect();
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
                    self.object(schema, &map.iter().collect::<Vec<_>>(), path, mode, errors)
                }
                None => errors.push(type_error(path, "object")),
            },
            Some("array") => match value.as_array() {
                Some(items) => {
                    for (i, item) in items.iter().enumerate() {
                        self.value(keywords.items, item, &format!("{path}[{i}]"), mode, errors);
                    }
                }
                None => errors.push(type_error(path, "array")),
            },
            Some("string") => match value.as_str() {
                Some(text) if mode == Mode::Input => {
                    self.string(schema, keywords, text, path, errors)
                }
                Some(_) => {}
                None => errors.push(type_error(path, "string")),
            },
            Some("integer") => integer(schema, value, path, errors),
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
        alternatives: &[Value],
        value: &Value,
        path: &str,
        mode: Mode,
        errors: &mut Vec<FieldError>,
    ) {
        let mut first = None;
        for alternative in alternatives {
            let only_null = self
                .keywords(self.resolve(alternative))
                .options
                .is_some_and(|e| e.iter().all(Value::is_null));
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
        schema: &Value,
        fields: &[(&String, &Value)],
        path: &str,
        mode: Mode,
        errors: &mut Vec<FieldError>,
    ) {
        let schema = self.resolve(schema);
        // The properties of the schema and of its `allOf` parts (a later part's win).
        let mut parts = Vec::new();
        let mut required = Vec::new();
        let all_of = self.keywords(schema).all_of.into_iter().flatten();
        for part in std::iter::once(schema).chain(all_of) {
            let part = self.keywords(self.resolve(part));
            parts.extend(part.properties);
            required.extend(
                part.required
                    .into_iter()
                    .flatten()
                    .filter_map(Value::as_str),
            );
        }
        for name in required {
            let given = fields.iter().find(|(k, _)| k.as_str() == name);
            // A required field is there, and not null unless its schema says it may be.
            let property = parts.iter().rev().find_map(|props| props.get(name));
            let nullable = property.is_some_and(|p| self.keywords(self.resolve(p)).nullable);
            let null_given = given.is_some_and(|(_, v)| v.is_null()) && !nullable;
            if given.is_none() || null_given {
                errors.push(FieldError::required(child(path, name)));
            }
        }
        for &(key, value) in fields {
            let property = parts.iter().rev().find_map(|props| props.get(key));
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
                    parts.iter().flat_map(|p| p.keys()),
                )),
            }
        }
    }

    fn string(
        &self,
        schema: &Value,
        keywords: &Keywords,
        text: &str,
        path: &str,
        errors: &mut Vec<FieldError>,
    ) {
        match keywords.format {
            Some("byte") => return file(schema, text, path, errors),
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

    fn amount(&self, schema: &Value, value: &Value, path: &str, errors: &mut Vec<FieldError>) {
        let Some(amount) = amount_of(value) else {
            return errors.push(decimals_error(path, value));
        };
        let bound = |key: &str| amount_of(&schema[key]);
        if let Some(min) = bound("minimum")
            && amount.cents() < min.cents()
        {
            errors.push(
                FieldError::new(path, Code::TooSmall, format!("must be at least {min}"))
                    .with("min", min.to_string()),
            );
        }
        if let Some(max) = bound("maximum")
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

/// The value a local `$ref` (`#/components/schemas/Name`) points at in `root`. The specs' names
/// need no JSON-pointer escapes, so this reads them as they are.
fn pointer<'a>(root: &'a Value, reference: &str) -> Option<&'a Value> {
    let (kind, name) = reference.strip_prefix("#/components/")?.split_once('/')?;
    root.get("components")?.get(kind)?.get(name)
}

/// "is not a field": with the closest known name when one differs only by case or a letter.
fn unknown_field<'a>(at: String, key: &str, known: impl Iterator<Item = &'a String>) -> FieldError {
    let known: Vec<&String> = known.collect();
    match known
        .iter()
        .find(|k| k.eq_ignore_ascii_case(key) || close(k, key))
    {
        Some(k) => FieldError::new(
            at,
            Code::UnknownField,
            format!("is not a field here; did you mean `{k}`?"),
        )
        .with("suggestion", k.as_str()),
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

fn integer(schema: &Value, value: &Value, path: &str, errors: &mut Vec<FieldError>) {
    let Some(n) = value.as_i64() else {
        return errors.push(type_error(path, "integer"));
    };
    let (low, high) = match schema["format"].as_str() {
        Some("int32") => (i64::from(i32::MIN), i64::from(i32::MAX)),
        _ => (i64::MIN, i64::MAX),
    };
    let min = schema["minimum"].as_i64().unwrap_or(low).max(low);
    let max = schema["maximum"].as_i64().unwrap_or(high).min(high);
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
fn file(schema: &Value, text: &str, path: &str, errors: &mut Vec<FieldError>) {
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
    if size == 0
        || schema["minLength"]
            .as_u64()
            .is_some_and(|min| base64_len < min)
    {
        errors.push(FieldError::new(path, Code::Empty, "is empty"));
    }
    if let Some(max) = schema["x-max-bytes"].as_u64()
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
