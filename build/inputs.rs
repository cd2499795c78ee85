//! The TypeScript of the operations' inputs, from the spec: an operation whose input is not one
//! schema of the spec (two parameters or more, or parameters beside a JSON body) takes one
//! object, its parameters beside the properties of its body, and gets a type `{OperationId}Input`.
//! A parameter is optional in it when the spec does not require it or the client fills it
//! (`x-client-default`); `x-one-of-required` asks for one of its names. The runtime reads the
//! same keys (`src/schema.rs`), so what `tsc` accepts is what the validator checks.

use super::{resolve, variant};
use serde_json::Value;
use std::fmt::Write;

/// The TypeScript of every input of `tree` (a spec whose types tsify declares).
pub fn typescript(tree: &Value, file: &str) -> String {
    let mut out = String::new();
    for (path, item) in tree["paths"].as_object().into_iter().flatten() {
        for (method, op) in item.as_object().into_iter().flatten() {
            let Some(id) = op["operationId"].as_str() else {
                continue;
            };
            let params: Vec<&Value> = op["parameters"]
                .as_array()
                .into_iter()
                .flatten()
                .map(|p| resolve(tree, p))
                .collect();
            let body = &resolve(tree, &op["requestBody"])["content"]["application/json"]["schema"];
            if params.len() < 2 && (params.is_empty() || body.is_null()) {
                continue;
            }
            let at = format!("{file}: {method} {path}");
            let one_of: Vec<&str> = op["x-one-of-required"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(Value::as_str)
                .collect();
            let mut fields = String::new();
            for param in &params {
                let name = param["name"].as_str().unwrap_or_else(|| panic!("{at}: a parameter without a name"));
                let fill = &param["x-client-default"];
                let required = param["required"] == true;
                let mut doc = first_paragraph(&param["description"]);
                match fill {
                    Value::Null => {}
                    Value::String(text) if text == "$now" => doc.push_str(" Default: now (Paris)."),
                    Value::String(text) if text.starts_with('$') => {
                        let _ = write!(doc, " Default: `{}`'s value.", &text[1..]);
                    }
                    Value::String(text) => {
                        let _ = write!(doc, " Default: `'{text}'`.");
                    }
                    value => {
                        let _ = write!(doc, " Default: `{value}`.");
                    }
                }
                let optional = !required || !fill.is_null();
                let ty = schema_type(tree, &param["schema"]);
                let _ = write!(
                    fields,
                    "\n  /** {} */\n  {name}{}: {ty}{};",
                    doc.trim(),
                    if optional { "?" } else { "" },
                    if optional { " | null" } else { "" },
                );
            }
            let mut parts = vec![format!("{{{fields}\n}}")];
            if !body.is_null() {
                assert!(
                    body["$ref"].is_string(),
                    "{at}: a body beside parameters is a component schema (its TypeScript is tsify's)"
                );
                parts.push(schema_type(tree, body));
            }
            if !one_of.is_empty() {
                let alternatives: Vec<String> = one_of
                    .iter()
                    .map(|name| {
                        let param = params.iter().find(|p| p["name"] == *name).expect("checked above");
                        format!("{{ {name}: {} }}", schema_type(tree, &param["schema"]))
                    })
                    .collect();
                parts.push(format!("({})", alternatives.join(" | ")));
            }
            let name = variant(id);
            let _ = write!(
                out,
                "\n/** The input of `{id}` (`{} {path}`): {} */\nexport type {name}Input = {};\n",
                method.to_uppercase(),
                first_paragraph(&op["summary"]),
                parts.join(" & ")
            );
        }
    }
    out
}

/// The TypeScript of a schema: a component's by its name (tsify declares it), else its own.
fn schema_type(tree: &Value, schema: &Value) -> String {
    if let Some(name) = schema["$ref"].as_str().and_then(|r| r.strip_prefix("#/components/schemas/")) {
        return name.to_owned();
    }
    if let Some(options) = schema["enum"].as_array() {
        let options: Vec<String> = options
            .iter()
            .map(|o| {
                let text = o.to_string();
                assert!(!text.contains('\''), "an enum value with a quote: {text}");
                text.replace('"', "'")
            })
            .collect();
        return options.join(" | ");
    }
    match schema["type"].as_str() {
        Some("string") => "string".to_owned(),
        Some("integer" | "number") => "number".to_owned(),
        Some("boolean") => "boolean".to_owned(),
        Some("array") => format!("Array<{}>", schema_type(tree, &schema["items"])),
        _ => "unknown".to_owned(),
    }
}

/// The first paragraph of a description, on one line, without the comment's end.
fn first_paragraph(text: &Value) -> String {
    let text = text.as_str().unwrap_or("");
    let paragraph = text.split("\n\n").next().unwrap_or("");
    paragraph.split_whitespace().collect::<Vec<_>>().join(" ").replace("*/", "* /")
}
