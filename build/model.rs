//! Writes each spec as Rust data (`src/schema/model.rs` defines the types): a `static` per
//! component schema, in a module per spec, and a `Spec` per spec with its operations, their
//! parameters (resolved), bodies and replies by status. What the validator does not model fails
//! the build before this runs (`check_keywords`); documentation is left out.

use serde_json::Value;
use std::fmt::Write;

/// The Rust of every spec: `(name of its static, e.g. "LALUX", the spec)`.
pub fn rust(specs: &[(String, Value)]) -> String {
    let mut out = String::new();
    for (name, tree) in specs {
        let module = format!("{}_schemas", name.to_lowercase());
        let writer = Writer { tree, module: &module };
        let _ = writeln!(
            out,
            "#[allow(non_upper_case_globals)]\npub mod {module} {{\n    use super::*;"
        );
        for (component, schema) in tree["components"]["schemas"].as_object().into_iter().flatten() {
            let _ = writeln!(
                out,
                "    pub static {}: Schema = {};",
                ident(component),
                writer.schema(schema)
            );
        }
        out.push_str("}\n");
        let mut operations = String::new();
        for (_, item) in tree["paths"].as_object().into_iter().flatten() {
            for (_, op) in item.as_object().into_iter().flatten() {
                if op["operationId"].is_string() {
                    operations.push_str(&writer.operation(op));
                    operations.push_str(",\n");
                }
            }
        }
        let _ = writeln!(out, "pub static {name}: Spec = Spec {{ operations: &[\n{operations}] }};");
    }
    out
}

struct Writer<'a> {
    tree: &'a Value,
    module: &'a str,
}

impl Writer<'_> {
    /// `node`, or what its `$ref` points at.
    fn resolve<'a>(&'a self, node: &'a Value) -> &'a Value {
        super::resolve(self.tree, node)
    }

    /// A `Schema { … }` expression for `node`.
    fn schema(&self, node: &Value) -> String {
        if let Some(reference) = node["$ref"].as_str() {
            let name = reference
                .strip_prefix("#/components/schemas/")
                .unwrap_or_else(|| panic!("`$ref: {reference}`: a schema may only point at a component schema"));
            return format!(
                "Schema {{ reference: Some(({reference:?}, &{}::{})), ..Schema::EMPTY }}",
                self.module,
                ident(name)
            );
        }
        let mut fields = String::new();
        let text = |key: &str| node[key].as_str().map(|t| format!("Some({t:?})"));
        let count = |key: &str| node[key].as_u64().map(|n| format!("Some({n})"));
        let number = |key: &str| bound(node, key).map(|n| format!("Some({n:?})"));
        let mut set = |field: &str, value: Option<String>| {
            if let Some(value) = value {
                let _ = write!(fields, "{field}: {value}, ");
            }
        };
        set("ty", text("type"));
        set("format", text("format"));
        set("pattern", text("pattern"));
        set("hint", text("x-hint"));
        set("min_length", count("minLength"));
        set("max_length", count("maxLength"));
        set("max_bytes", count("x-max-bytes"));
        set("minimum", number("minimum"));
        set("maximum", number("maximum"));
        set("nullable", (node["nullable"] == true).then(|| "true".to_owned()));
        set(
            "options",
            node["enum"].as_array().map(|options| {
                let options: Vec<String> = options.iter().map(constant).collect();
                format!("Some(&[{}])", options.join(", "))
            }),
        );
        for (key, field) in [("oneOf", "one_of"), ("allOf", "all_of")] {
            set(
                field,
                node[key].as_array().map(|parts| {
                    let parts: Vec<String> = parts.iter().map(|p| self.schema(p)).collect();
                    format!("Some(&[{}])", parts.join(", "))
                }),
            );
        }
        set(
            "properties",
            node["properties"].as_object().map(|properties| {
                // Sorted by name, as `Schema::property` searches them.
                let mut properties: Vec<(&String, &Value)> = properties.iter().collect();
                properties.sort_by(|a, b| a.0.cmp(b.0));
                let properties: Vec<String> = properties
                    .iter()
                    .map(|(name, p)| format!("({name:?}, {})", self.schema(p)))
                    .collect();
                format!("Some(&[{}])", properties.join(", "))
            }),
        );
        set(
            "required",
            node["required"].as_array().map(|names| {
                let names: Vec<String> = names.iter().map(|n| format!("{:?}", n.as_str().unwrap_or(""))).collect();
                format!("&[{}]", names.join(", "))
            }),
        );
        set("items", node.get("items").map(|items| format!("Some(&{})", self.schema(items))));
        format!("Schema {{ {fields}..Schema::EMPTY }}")
    }

    /// The JSON (or form) schema of a request body or a reply, if it has one.
    fn content(&self, node: &Value) -> Option<(String, bool)> {
        let content = &self.resolve(node)["content"];
        let form = &content["application/x-www-form-urlencoded"]["schema"];
        let json = &content["application/json"]["schema"];
        match (form.is_null(), json.is_null()) {
            (false, _) => Some((self.schema(form), true)),
            (true, false) => Some((self.schema(json), false)),
            (true, true) => None,
        }
    }

    /// A `Described { … }` expression for operation `op`.
    fn operation(&self, op: &Value) -> String {
        let id = op["operationId"].as_str().unwrap_or_default();
        let all: Vec<&Value> = op["parameters"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|p| self.resolve(p))
            .collect();
        let one_of: Vec<&str> = op["x-one-of-required"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|n| n.as_str().unwrap_or_else(|| panic!("{id}: `x-one-of-required` lists names")))
            .collect();
        let optional = |name: &str| all.iter().any(|p| p["name"] == name && p["required"] != true);
        assert!(
            one_of.is_empty() || (one_of.len() >= 2 && one_of.iter().all(|n| optional(n))),
            "{id}: `x-one-of-required` names two optional parameters or more"
        );
        let mut params = String::new();
        for (at, param) in all.iter().enumerate() {
            let name = param["name"].as_str().unwrap_or_else(|| panic!("{id}: a parameter without a name"));
            let fill = match &param["x-client-default"] {
                Value::Null => "None".to_owned(),
                Value::String(text) if text == "$now" => "Some(Fill::Now)".to_owned(),
                Value::String(text) if text.starts_with('$') => {
                    // What it copies is there when it is: required, filled before it, or one of
                    // the ids asked for together.
                    let source = &text[1..];
                    let there = all.iter().enumerate().any(|(i, p)| {
                        p["name"] == source
                            && (p["required"] == true
                                || (i < at && !p["x-client-default"].is_null())
                                || (one_of.contains(&source) && one_of.contains(&name)))
                    });
                    assert!(there, "{id}: {name}: `x-client-default: {text}` copies a parameter that may be missing");
                    format!("Some(Fill::Copy({source:?}))")
                }
                value => format!("Some(Fill::Constant({}))", constant(value)),
            };
            let _ = write!(
                params,
                "Param {{ name: {name:?}, schema: &{}, required: {}, in_path: {}, sent: {}, fill: {fill} }}, ",
                self.schema(&param["schema"]),
                param["required"] == true,
                param["in"] == "path",
                param["x-not-sent"] != true,
            );
        }
        let body = match self.content(&op["requestBody"]) {
            Some((schema, form)) => format!("Some((&{schema}, {form}))"),
            None => "None".to_owned(),
        };
        let mut responses = String::new();
        for (status, reply) in op["responses"].as_object().into_iter().flatten() {
            let status = match status.as_str() {
                "default" => "None".to_owned(),
                code => format!(
                    "Some({})",
                    code.parse::<u16>().unwrap_or_else(|_| panic!("{id}: status {code}"))
                ),
            };
            let schema = match self.content(reply) {
                Some((schema, _)) => format!("Some(&{schema})"),
                None => "None".to_owned(),
            };
            let _ = write!(responses, "({status}, {schema}), ");
        }
        let one_of: Vec<String> = one_of.iter().map(|n| format!("{n:?}")).collect();
        let variant = super::variant(id);
        format!(
            "Described {{ operation: Operation::{variant}, params: &[{params}], body: {body}, responses: &[{responses}], secret_replies: {}, one_of_required: &[{}] }}",
            op["x-secret-replies"] == true,
            one_of.join(", ")
        )
    }
}

/// A `Constant` expression for an `enum` value.
fn constant(value: &Value) -> String {
    match value {
        Value::Null => "Constant::Null".to_owned(),
        Value::String(text) => format!("Constant::Text({text:?})"),
        Value::Number(n) if n.is_i64() => format!("Constant::Integer({n})"),
        other => panic!("an enum value the client does not model: {other}"),
    }
}

/// Bound `key` (`minimum`, `maximum`) of `node` as the spec writes it, checked to be what the
/// validator reads: a whole number for an integer, a decimal with at most 2 decimals otherwise.
fn bound(node: &Value, key: &str) -> Option<String> {
    let value = node.get(key)?;
    let text = value.as_number().map(ToString::to_string);
    let valid = text.as_deref().is_some_and(|t| match node["type"].as_str() {
        Some("integer") => t.parse::<i64>().is_ok(),
        _ => {
            let (units, decimals) = t.split_once('.').unwrap_or((t, ""));
            units.trim_start_matches('-').bytes().all(|b| b.is_ascii_digit())
                && decimals.len() <= 2
                && decimals.bytes().all(|b| b.is_ascii_digit())
        }
    });
    assert!(valid, "`{key}: {value}`: the validator reads a bound as a whole number, or a decimal of at most 2 decimals");
    text
}

/// A component's name as a Rust identifier.
fn ident(name: &str) -> String {
    name.chars().map(|c| if c.is_ascii_alphanumeric() { c } else { '_' }).collect()
}
