//! The specs in `openapi/` as the contract requests must honour: every query parameter and JSON
//! body of an operation is validated against the operation's own schemas before the behaviour
//! runs, so what the spec rejects is refused the same way whatever the route.
//!
//! A lenient check ([`Strictness::AsTheServer`]) sorts out what a strict reading of the spec
//! refuses but the real server accepts (Ecologic's ASP.NET binding: unknown parameters ignored,
//! R9; enum-like values in any case, R6; an empty date, R5) as deviations, reported instead of
//! refused.

use crate::http::Request;
use jsonschema::Validator;
use serde_json::{Map, Value, json};
use std::sync::OnceLock;

const LALUX: &str = include_str!("../../openapi/lalux.yaml");
const ECOLOGIC: &str = include_str!("../../openapi/ecologic.yaml");

/// The two specs whose requests the sandbox checks (the token service takes forms, checked by
/// its behaviour).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Api {
    Lalux,
    Ecologic,
}

/// A problem with a request: the field at fault and what is wrong.
pub type Fault = (String, String);

/// How a check treats what the real server accepts though the spec does not.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Strictness {
    /// Every departure from the spec is a fault (LALUX, whose server is not known to be lenient;
    /// `--strict`).
    Strict,
    /// What the real server accepts is a deviation, not a fault.
    AsTheServer,
}

/// What a check found.
#[derive(Debug, Default)]
pub struct Checked {
    /// Refused: the request cannot be bound.
    pub faults: Vec<Fault>,
    /// Required parameters left out: the real server finds no route for the call (R7's 404).
    pub missing: Vec<String>,
    /// Accepted, but a strict reading of the spec would refuse them.
    pub deviations: Vec<Fault>,
}

struct Parameter {
    name: String,
    required: bool,
    kind: String,
    /// The values of a string enum, for the any-case comparison of R6.
    options: Vec<String>,
    validator: Validator,
}

struct Operation {
    api: Api,
    method: String,
    /// Lower case, relative to the spec's server.
    path: String,
    parameters: Vec<Parameter>,
    body: Option<Validator>,
}

/// Both specs' operations, compiled once.
pub struct Contract(Vec<Operation>);

impl Contract {
    /// The contract of the built-in specs; `None` only if a spec does not compile, which the
    /// sandbox's tests rule out.
    pub fn get() -> Option<&'static Contract> {
        static CONTRACT: OnceLock<Option<Contract>> = OnceLock::new();
        CONTRACT.get_or_init(|| Self::load().ok()).as_ref()
    }

    fn load() -> Result<Self, String> {
        let mut operations = Vec::new();
        for (api, text) in [(Api::Lalux, LALUX), (Api::Ecologic, ECOLOGIC)] {
            let spec: Value = serde_yaml::from_str(text).map_err(|e| e.to_string())?;
            operations.extend(operations_of(api, &spec)?);
        }
        Ok(Self(operations))
    }

    /// What `request` breaks of operation `method path` of `api` (path relative to the spec's
    /// server, any case). Unknown operations have no contract here.
    pub fn check(
        &self,
        api: Api,
        path: &str,
        request: &Request,
        strictness: Strictness,
    ) -> Checked {
        let path = path.to_ascii_lowercase();
        let Some(operation) = self
            .0
            .iter()
            .find(|o| o.api == api && o.method == request.method && o.path == path)
        else {
            return Checked::default();
        };
        let mut checked = Checked::default();
        let lenient = strictness == Strictness::AsTheServer;
        let query = request.query_pairs();
        for (name, _) in &query {
            if !operation
                .parameters
                .iter()
                .any(|p| p.name.eq_ignore_ascii_case(name))
            {
                let fault = (
                    name.clone(),
                    "is not a parameter of this operation".to_owned(),
                );
                if lenient {
                    checked.deviations.push((
                        name.clone(),
                        "is not a parameter of this operation: the server ignores it".to_owned(),
                    ));
                } else {
                    checked.faults.push(fault);
                }
            }
        }
        for parameter in &operation.parameters {
            let value = query
                .iter()
                .find(|(n, _)| n.eq_ignore_ascii_case(&parameter.name))
                .map(|(_, v)| v);
            match value {
                None if parameter.required => checked.missing.push(parameter.name.clone()),
                None => {}
                // An optional value left blank or written `null` (an AgoraPlus v2 client,
                // RamiBenSlimene/QualiRepar, sends `requestId=null`) binds as no value.
                Some(text)
                    if lenient
                        && !parameter.required
                        && (text.trim().is_empty() || text.trim().eq_ignore_ascii_case("null")) =>
                {
                    checked.deviations.push((
                        parameter.name.clone(),
                        format!("`{text}` is no value; the server binds it as absent"),
                    ));
                }
                Some(text) => {
                    let text = match parameter
                        .options
                        .iter()
                        .find(|o| o.eq_ignore_ascii_case(text))
                    {
                        Some(known) if known != text && lenient => {
                            checked.deviations.push((
                                parameter.name.clone(),
                                format!("`{text}` is written `{known}` in the spec; the server reads it in any case"),
                            ));
                            known
                        }
                        _ => text,
                    };
                    match coerce(text, &parameter.kind) {
                        None => checked.faults.push((
                            parameter.name.clone(),
                            format!("must be of type {}", parameter.kind),
                        )),
                        Some(value) => checked.faults.extend(
                            parameter
                                .validator
                                .iter_errors(&value)
                                .map(|e| (parameter.name.clone(), e.to_string())),
                        ),
                    }
                }
            }
        }
        if let Some(validator) = &operation.body {
            match serde_json::from_slice::<Value>(&request.body) {
                Err(e) => checked
                    .faults
                    .push(("body".to_owned(), format!("is not valid JSON: {e}"))),
                Ok(body) => {
                    for error in validator.iter_errors(&body) {
                        let fault = (field(&error), error.to_string());
                        match bound_anyway(&error).filter(|_| lenient) {
                            Some(how) => checked.deviations.push((fault.0, how.to_owned())),
                            None => checked.faults.push(fault),
                        }
                    }
                }
            }
        }
        checked
    }
}

/// How the real server binds a body value the spec refuses, if it does: an empty date is no date
/// (R5: integrations send `PurchaseDate: ""`), a number where text is expected is its text
/// (jhujube/Qualirepar sends `Country: 250`), an absent mandatory field is an empty one (T3: the
/// document's model is a 206 "Cette valeur est obligatoire", ECL l.343, 373).
fn bound_anyway(error: &jsonschema::ValidationError<'_>) -> Option<&'static str> {
    use jsonschema::JsonType;
    use jsonschema::error::{TypeKind, ValidationErrorKind};
    match error.kind() {
        ValidationErrorKind::Required { .. } => Some(
            "is absent; the server binds it as empty (Ecologic then answers 206 \"Cette valeur est obligatoire\")",
        ),
        ValidationErrorKind::Format { format }
            if format == "date" && error.instance().as_str() == Some("") =>
        {
            Some("is an empty string, not a date; the server takes it as no date")
        }
        ValidationErrorKind::Type {
            kind: TypeKind::Single(JsonType::String),
        } if error.instance().is_number() => {
            Some("is a number where the spec has text; the server reads it as text")
        }
        // A nullable value (`anyOf [schema, null]`, or `oneOf [schema, NoValue]`): bound anyway
        // when every failure of the schema is.
        ValidationErrorKind::AnyOf { context } | ValidationErrorKind::OneOfNotValid { context } => {
            context.iter().find_map(|errors| {
                let all: Option<Vec<_>> = errors.iter().map(bound_anyway).collect();
                all.and_then(|how| how.first().copied())
            })
        }
        _ => None,
    }
}

/// The dotted path of the property at fault (`Consumer.Phone`), or `body` for the whole body.
fn field(error: &jsonschema::ValidationError<'_>) -> String {
    let mut path: Vec<String> = error
        .instance_path()
        .as_str()
        .split('/')
        .filter(|s| !s.is_empty())
        .map(|s| s.replace("~1", "/").replace("~0", "~"))
        .collect();
    if let jsonschema::error::ValidationErrorKind::Required { property } = error.kind() {
        path.push(
            property
                .as_str()
                .map_or_else(|| property.to_string(), str::to_owned),
        );
    }
    if path.is_empty() {
        "body".to_owned()
    } else {
        path.join(".")
    }
}

/// A query string value as the JSON value its schema type expects.
fn coerce(text: &str, kind: &str) -> Option<Value> {
    match kind {
        "integer" => text.trim().parse::<i64>().ok().map(Value::from),
        "number" => text
            .trim()
            .parse::<f64>()
            .ok()
            .filter(|f| f.is_finite())
            .map(Value::from),
        "boolean" => match text.trim() {
            "true" | "True" => Some(Value::Bool(true)),
            "false" | "False" => Some(Value::Bool(false)),
            _ => None,
        },
        _ => Some(Value::String(text.to_owned())),
    }
}

fn operations_of(api: Api, spec: &Value) -> Result<Vec<Operation>, String> {
    let components = to_json_schema(spec.get("components").cloned().unwrap_or(Value::Null));
    let compile = |schema: &Value| -> Result<Validator, String> {
        let root = json!({"allOf": [to_json_schema(schema.clone())], "components": components});
        jsonschema::options()
            .with_draft(jsonschema::Draft::Draft7)
            .should_validate_formats(true)
            .with_format("byte", is_base64)
            .build(&root)
            .map_err(|e| e.to_string())
    };
    let resolve = |value: &Value| -> Value {
        let mut value = value.clone();
        while let Some(pointer) = value
            .get("$ref")
            .and_then(Value::as_str)
            .and_then(|r| r.strip_prefix('#'))
        {
            value = spec.pointer(pointer).cloned().unwrap_or(Value::Null);
        }
        value
    };
    let mut operations = Vec::new();
    for (path, item) in spec
        .get("paths")
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
    {
        for (method, operation) in item.as_object().into_iter().flatten() {
            let mut parameters = Vec::new();
            for parameter in operation
                .get("parameters")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
            {
                let parameter = resolve(parameter);
                let schema = parameter.get("schema").cloned().unwrap_or(Value::Null);
                let options = resolve(&schema)
                    .get("enum")
                    .and_then(Value::as_array)
                    .into_iter()
                    .flatten()
                    .filter_map(Value::as_str)
                    .map(str::to_owned)
                    .collect();
                parameters.push(Parameter {
                    name: parameter
                        .get("name")
                        .and_then(Value::as_str)
                        .unwrap_or_default()
                        .to_owned(),
                    required: parameter
                        .get("required")
                        .and_then(Value::as_bool)
                        .unwrap_or(false),
                    kind: resolve(&schema)
                        .get("type")
                        .and_then(Value::as_str)
                        .unwrap_or("string")
                        .to_owned(),
                    options,
                    validator: compile(&schema)?,
                });
            }
            let body = operation
                .get("requestBody")
                .map(&resolve)
                .and_then(|b| b.pointer("/content/application~1json/schema").cloned())
                .map(|schema| compile(&schema))
                .transpose()?;
            operations.push(Operation {
                api,
                method: method.to_ascii_uppercase(),
                path: path.to_ascii_lowercase(),
                parameters,
                body,
            });
        }
    }
    Ok(operations)
}

/// OpenAPI's `byte` format: base64 text.
fn is_base64(text: &str) -> bool {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD
        .decode(text)
        .is_ok()
}

/// OpenAPI 3.0's schema dialect as JSON Schema: `nullable: true` becomes `anyOf [it, null]`, and
/// the `int32`/`int64` formats become the bounds they mean.
fn to_json_schema(value: Value) -> Value {
    match value {
        Value::Object(mut object) => {
            let nullable = object.remove("nullable") == Some(Value::Bool(true));
            let bounds = match object.get("format").and_then(Value::as_str) {
                Some("int32") => Some((i64::from(i32::MIN), i64::from(i32::MAX))),
                Some("int64") => Some((i64::MIN, i64::MAX)),
                _ => None,
            };
            if let Some((low, high)) = bounds {
                object.entry("minimum").or_insert(json!(low));
                object.entry("maximum").or_insert(json!(high));
            }
            let converted: Map<String, Value> = object
                .into_iter()
                .map(|(k, v)| (k, to_json_schema(v)))
                .collect();
            if nullable {
                json!({"anyOf": [Value::Object(converted), {"type": "null"}]})
            } else {
                Value::Object(converted)
            }
        }
        Value::Array(items) => Value::Array(items.into_iter().map(to_json_schema).collect()),
        other => other,
    }
}
