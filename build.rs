//! Reads every OpenAPI spec in `openapi/` with progenitor into `$OUT_DIR`: the spec's types for
//! the library (`{stem}_types.rs`: their TypeScript, and the types the tests build and read
//! bodies with), a complete generated client for the tests only (`{stem}_client.rs`, with feature
//! `tests-client`, which checks the spec against the sandbox through typed calls), and the spec as
//! Rust data (`model.rs`, `build/model.rs`), which the library checks and sends every operation
//! from (`src/schema.rs`).
//!
//! It also writes `operations.rs`: every operation of every spec as one enum (its `operationId`,
//! method, path and spec), which the library, the fuzz targets and the tests name operations by;
//! and it fails on any schema keyword, type or format the client's validator does not model.
//! And `inputs.ts`: the TypeScript of the inputs that gather parameters beside a body
//! (`build/inputs.rs`).
//!
//! The specs are the single source of truth: nothing generated is checked in or edited by hand.
//! `src/generated.rs` includes the types, one module per spec, and the operations; `tests/common`
//! the clients.

#[path = "build/inputs.rs"]
mod inputs;
#[path = "build/model.rs"]
mod model;

use progenitor::{GenerationSettings, Generator, HooksMode, InterfaceStyle, TypeImpl, TypePatch};
use std::{env, fs, path::Path};

/// `(spec file stem, generated files' stem, whether its types are part of the JavaScript surface
/// (TypeScript declarations by tsify), its `Api` variant)`: one spec per host.
const SPECS: &[(&str, &str, bool, &str)] = &[
    ("lalux-token", "lalux_token", false, "LaluxToken"),
    ("lalux", "lalux", true, "Lalux"),
    ("ecologic", "ecologic", true, "Ecologic"),
];

/// The schema keywords the client's validator reads (`src/schema.rs`), and those that only
/// document; a spec with any other fails the build rather than go unchecked.
const KEYWORDS: &[&str] = &[
    "enum",
    "nullable",
    "oneOf",
    "allOf",
    "properties",
    "required",
    "items",
    "minLength",
    "maxLength",
    "pattern",
    "minimum",
    "maximum",
    "$ref",
    "x-hint",
    "x-max-bytes",
    // Documentation, and a server's default (the client sends what the caller gives).
    "description",
    "example",
    "x-decision",
    "title",
    "default",
];
/// The values of `type` and `format` the validator models.
const TYPES: &[&str] = &["object", "array", "string", "integer", "number", "boolean"];
const FORMATS: &[&str] = &["byte", "date", "date-time", "int32", "int64"];

/// The specs whose JSON bodies, requests and replies, are `crate::json::Json` in the generated
/// operations (the tests' clients take and return JSON, which the tests read as the generated
/// types); the library writes and checks bodies from the spec itself (`src/schema.rs`).
const AS_JSON: &[&str] = &["lalux", "ecologic"];

/// The schema every JSON body of an [`AS_JSON`] spec points at, for the generator.
const JSON_SCHEMA: &str = "Json";


fn main() {
    let out_dir = env::var("OUT_DIR").expect("cargo sets OUT_DIR");
    let mut operations = Vec::new();
    let mut input_types = String::new();
    let mut trees = Vec::new();
    for (stem, out_file, exported, api) in SPECS {
        let path = format!("openapi/{stem}.yaml");
        println!("cargo:rerun-if-changed={path}");
        println!("cargo:rerun-if-changed=build");
        let text = fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
        let mut tree: serde_json::Value =
            serde_yaml::from_str(&text).unwrap_or_else(|e| panic!("{path}: {e}"));
        check_keywords(&tree, &path);
        operations.extend(operations_of(&tree, api));
        if *exported {
            input_types.push_str(&inputs::typescript(&tree, &path));
        }
        trees.push((out_file.to_uppercase(), tree.clone()));
        without_patterns(&mut tree);
        if AS_JSON.contains(stem) {
            bodies_as_json(&mut tree);
        }
        let spec: openapiv3::OpenAPI =
            serde_json::from_value(tree).unwrap_or_else(|e| panic!("{path}: {e}"));

        // The library: the spec's types only (its operations are sent from the JSON copy).
        let mut generator = Generator::new(&settings(Crate::Library, *exported));
        generator
            .generate_tokens(&spec)
            .unwrap_or_else(|e| panic!("{path}: {e}"));
        let types = generator.get_type_space().to_stream();
        let types = quote::quote! {
            /// The spec's types (schemas and parameters).
            #[allow(clippy::all)]
            pub mod types { #types }
        };
        write_rust(
            types,
            &Path::new(&out_dir).join(format!("{out_file}_types.rs")),
        );
        // The tests (feature `tests-client`, which the crate's dev-dependency on itself turns
        // on): a complete typed client of the spec.
        if env::var_os("CARGO_FEATURE_TESTS_CLIENT").is_some() {
            let client = Generator::new(&settings(Crate::Tests, false))
                .generate_tokens(&spec)
                .unwrap_or_else(|e| panic!("{path}: {e}"));
            write_rust(
                client,
                &Path::new(&out_dir).join(format!("{out_file}_client.rs")),
            );
        }
    }
    write_operations(&operations, &Path::new(&out_dir).join("operations.rs"));
    let model = Path::new(&out_dir).join("model.rs");
    fs::write(&model, model::rust(&trees)).unwrap_or_else(|e| panic!("{}: {e}", model.display()));
    let inputs = Path::new(&out_dir).join("inputs.ts");
    fs::write(&inputs, input_types).unwrap_or_else(|e| panic!("{}: {e}", inputs.display()));
}

/// An operation of a spec: `(Api variant, operationId, method in capitals, path)`.
type Found = (&'static str, String, String, String);

/// The operations of `tree`, in the spec's order.
fn operations_of(tree: &serde_json::Value, api: &'static str) -> Vec<Found> {
    let paths = tree["paths"].as_object().into_iter().flatten();
    paths
        .flat_map(|(path, item)| {
            let methods = item.as_object().into_iter().flatten();
            methods.filter_map(move |(method, op)| {
                let id = op["operationId"].as_str()?;
                Some((api, id.to_owned(), method.to_uppercase(), path.clone()))
            })
        })
        .collect()
}

/// The `Operation` variant (and input type stem) of `operationId` `id`: `createClaim` → `CreateClaim`.
fn variant(id: &str) -> String {
    let mut chars = id.chars();
    chars
        .next()
        .map(|c| c.to_ascii_uppercase().to_string() + chars.as_str())
        .expect("an operationId is not empty")
}

/// `node` of spec `tree`, or what its `$ref` points at.
fn resolve<'a>(tree: &'a serde_json::Value, node: &'a serde_json::Value) -> &'a serde_json::Value {
    match node["$ref"].as_str().and_then(|r| r.strip_prefix('#')) {
        Some(pointer) => tree
            .pointer(pointer)
            .unwrap_or_else(|| panic!("`$ref: #{pointer}` points at nothing")),
        None => node,
    }
}

/// Writes the `Operation` enum: one variant per operation of every spec.
fn write_operations(operations: &[Found], out: &Path) {
    let arms = |f: &dyn Fn(&Found) -> String| {
        operations
            .iter()
            .map(|op| format!("Self::{} => {},", variant(&op.1), f(op)))
            .collect::<String>()
    };
    let variants: String = operations
        .iter()
        .map(|(api, id, method, path)| {
            format!("/// `{method} {path}` ({api}: `{id}`).\n{},", variant(id))
        })
        .collect();
    let all: String = operations
        .iter()
        .map(|op| format!("Self::{},", variant(&op.1)))
        .collect();
    let apis: String = SPECS
        .iter()
        .map(|(stem, .., api)| format!("/// `openapi/{stem}.yaml`.\n{api},"))
        .collect();
    let code = format!(
        "/// The specs, one per host.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Api {{ {apis} }}

/// Every operation of the specs in `openapi/`, generated by `build.rs`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Operation {{ {variants} }}

impl Operation {{
    /// Every operation, by spec, then by path.
    pub const ALL: [Self; {count}] = [{all}];

    /// Its `operationId`.
    pub const fn id(self) -> &'static str {{ match self {{ {ids} }} }}

    /// Its HTTP method, in capitals.
    pub const fn method(self) -> &'static str {{ match self {{ {methods} }} }}

    /// Its path, with `{{name}}` for each path parameter.
    pub const fn path(self) -> &'static str {{ match self {{ {paths} }} }}

    /// The spec it is in.
    pub const fn api(self) -> Api {{ match self {{ {of_api} }} }}

    /// The operation of `operationId` `id`.
    pub fn from_id(id: &str) -> Option<Self> {{ Self::ALL.into_iter().find(|op| op.id() == id) }}
}}
",
        count = operations.len(),
        ids = arms(&|op| format!("{:?}", op.1)),
        methods = arms(&|op| format!("{:?}", op.2)),
        paths = arms(&|op| format!("{:?}", op.3)),
        of_api = arms(&|op| format!("Api::{}", op.0)),
    );
    write_rust(code.parse().expect("the operations parse"), out);
}

/// Fails the build on a keyword, type or format of a schema of `tree` that the validator does
/// not model (it would be silently unchecked).
fn check_keywords(tree: &serde_json::Value, file: &str) {
    fn schema(node: &serde_json::Value, at: &str, file: &str) {
        let Some(map) = node.as_object() else { return };
        for (key, value) in map {
            let modelled = match key.as_str() {
                "type" => value.as_str().is_some_and(|t| TYPES.contains(&t)),
                "format" => value.as_str().is_some_and(|f| FORMATS.contains(&f)),
                key => KEYWORDS.contains(&key),
            };
            assert!(
                modelled,
                "{file}: {at}: the client's validator does not model `{key}: {value}` (build.rs KEYWORDS, TYPES, FORMATS; src/schema.rs)"
            );
        }
        for (name, property) in map
            .get("properties")
            .and_then(|p| p.as_object())
            .into_iter()
            .flatten()
        {
            schema(property, &format!("{at}.{name}"), file);
        }
        if let Some(items) = map.get("items") {
            schema(items, &format!("{at}[]"), file);
        }
        for key in ["allOf", "oneOf"] {
            for (i, part) in map
                .get(key)
                .and_then(|p| p.as_array())
                .into_iter()
                .flatten()
                .enumerate()
            {
                schema(part, &format!("{at}.{key}[{i}]"), file);
            }
        }
    }
    let content = |body: &serde_json::Value, at: &str| {
        for (media, item) in body["content"].as_object().into_iter().flatten() {
            schema(&item["schema"], &format!("{at} {media}"), file);
        }
    };
    let components = &tree["components"];
    for (name, node) in components["schemas"].as_object().into_iter().flatten() {
        schema(node, name, file);
    }
    for (name, node) in components["parameters"].as_object().into_iter().flatten() {
        schema(&node["schema"], name, file);
    }
    for kind in ["responses", "requestBodies"] {
        for (name, node) in components[kind].as_object().into_iter().flatten() {
            content(node, name);
        }
    }
    for (path, item) in tree["paths"].as_object().into_iter().flatten() {
        for (method, op) in item.as_object().into_iter().flatten() {
            let at = format!("{method} {path}");
            for param in op["parameters"].as_array().into_iter().flatten() {
                schema(&param["schema"], &at, file);
            }
            content(&op["requestBody"], &at);
            for (status, reply) in op["responses"].as_object().into_iter().flatten() {
                content(reply, &format!("{at} {status}"));
            }
        }
    }
}

/// Which crate a generated file is compiled in: the paths of the hand-written types differ.
#[derive(Clone, Copy, PartialEq)]
enum Crate {
    Library,
    Tests,
}

fn settings(target: Crate, exported: bool) -> GenerationSettings {
    let own = |name: &str| match target {
        Crate::Library => format!("crate::{name}"),
        Crate::Tests => format!("repair_claims::{name}"),
    };
    let mut settings = GenerationSettings::new();
    settings
        .with_interface(InterfaceStyle::Positional)
        // The tests' client: authentication headers and `api-version` removal in `tests/common`.
        .with_hooks(HooksMode::Expected)
        .with_inner_type(quote_path("crate::common::Context"))
        .with_derive("PartialEq")
        // Ecologic's dossier ids are plain integers: copying them is what callers expect.
        .with_patch("RecordId", TypePatch::default().with_derive("Copy"))
        // Money is integer cents, never binary floating point.
        .with_replacement(
            "Amount",
            own("money::Amount"),
            [TypeImpl::Display, TypeImpl::FromStr].into_iter(),
        )
        // Dates and files take what JavaScript callers have (`Date`, bytes, `Blob`).
        .with_replacement(
            "CalendarDate",
            own("values::CalendarDate"),
            [TypeImpl::Display].into_iter(),
        )
        .with_replacement(
            "ParisDateTime",
            own("values::ParisDateTime"),
            [TypeImpl::Display].into_iter(),
        );
    // Types of our own that replace generated ones, with nothing the generated code needs of them.
    let plain = [
        ("FileData", "values::FileData"),
        (JSON_SCHEMA, "json::Json"),
        // TypeScript as narrow as the document, for an input (`1 | 2 | 3 | 4`) and for reply
        // values that stay open to new ones (`44 | 45`, `'E' | 'W'`).
        ("Title", "wire::Title"),
        ("ReplyAmount", "wire::ReplyAmount"),
        ("EcoOrganizationId", "wire::EcoOrganizationId"),
        ("MessageType", "wire::MessageType"),
        // The quote's `Currency` is optional in TypeScript (the client sends `EUR` for it).
        ("Money", "wire::Money"),
        // R2: one flag under two spellings, which typify would give one Rust name.
        ("ExpertSettlementRequest", "wire::ExpertSettlementRequest"),
    ];
    for (name, path) in plain {
        settings.with_replacement(name, own(path), std::iter::empty());
    }
    if exported {
        settings.with_derive("::tsify::Tsify");
    }
    settings
}

/// Writes generated Rust, formatted.
fn write_rust(tokens: proc_macro2::TokenStream, out: &Path) {
    let file = syn::parse2(tokens).expect("generated Rust parses");
    // tsify makes a property optional (`name?: T`) only for this spelling of the path.
    let code = prettyplease::unparse(&file).replace(
        r#"skip_serializing_if = "::std::option::Option::is_none""#,
        r#"skip_serializing_if = "Option::is_none""#,
    );
    fs::write(out, code).expect("write generated code");
}

/// Removes the string schemas' `pattern`s from the copy the generator reads: typify would check
/// each with the `regress` engine inside the wasm; the client checks them with the host's
/// `RegExp` before any typed value is built (`src/pattern.rs`), from the spec's Rust data.
fn without_patterns(value: &mut serde_json::Value) {
    match value {
        serde_json::Value::Object(map) => {
            if map.get("type").and_then(|t| t.as_str()) == Some("string")
                && map.get("pattern").is_some_and(|p| p.is_string())
            {
                map.remove("pattern");
            }
            map.values_mut().for_each(without_patterns);
        }
        serde_json::Value::Array(items) => items.iter_mut().for_each(without_patterns),
        _ => {}
    }
}

/// Points every JSON body (of the operations' request bodies and replies, and of
/// `components.requestBodies` and `components.responses`) at [`JSON_SCHEMA`]: the generated
/// operations take and return JSON, which the client checks against the body's schema in the
/// spec's Rust data. The schemas stay, for their TypeScript.
fn bodies_as_json(tree: &mut serde_json::Value) {
    let json = serde_json::json!({ "$ref": format!("#/components/schemas/{JSON_SCHEMA}") });
    let point = |body: &mut serde_json::Value| {
        if let Some(schema) = body.pointer_mut("/content/application~1json/schema") {
            *schema = json.clone();
        }
    };
    if let Some(paths) = tree["paths"].as_object_mut() {
        let operations = paths
            .values_mut()
            .filter_map(|item| item.as_object_mut())
            .flat_map(|item| item.values_mut());
        for operation in operations {
            if let Some(body) = operation.get_mut("requestBody") {
                point(body);
            }
            if let Some(responses) = operation
                .get_mut("responses")
                .and_then(|r| r.as_object_mut())
            {
                responses.values_mut().for_each(point);
            }
        }
    }
    for kind in ["requestBodies", "responses"] {
        if let Some(bodies) = tree["components"][kind].as_object_mut() {
            bodies.values_mut().for_each(point);
        }
    }
    tree["components"]["schemas"][JSON_SCHEMA] = serde_json::json!({});
}


fn quote_path(path: &str) -> proc_macro2::TokenStream {
    path.parse().expect("a valid Rust path")
}
