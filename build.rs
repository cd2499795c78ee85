//! Reads every OpenAPI spec in `openapi/` with progenitor into `$OUT_DIR`: the spec's types for
//! the library (`{stem}_types.rs`: their TypeScript, and the types the tests build and read
//! bodies with), a complete generated client for the tests (`{stem}_client.rs`, which checks the
//! spec against the sandbox through typed calls), and the spec as JSON without its prose
//! (`{stem}.json`), which the library sends every operation from (`src/schema.rs`).
//!
//! The specs are the single source of truth: nothing generated is checked in or edited by hand.
//! `src/generated.rs` includes the types, one module per spec; `tests/common` the clients.

use progenitor::{GenerationSettings, Generator, HooksMode, InterfaceStyle, TypeImpl, TypePatch};
use std::{env, fs, path::Path};

/// `(spec file stem, generated files' stem, whether its types are part of the JavaScript surface
/// (TypeScript declarations by tsify))`: one spec per host.
const SPECS: &[(&str, &str, bool)] = &[
    ("lalux-token", "lalux_token", false),
    ("lalux", "lalux", true),
    ("ecologic", "ecologic", true),
];

/// The specs whose JSON bodies, requests and replies, are `crate::json::Json` in the generated
/// operations (the tests' clients take and return JSON, which the tests read as the generated
/// types); the library writes and checks bodies from the spec itself (`src/schema.rs`).
const AS_JSON: &[&str] = &["lalux", "ecologic"];

/// The schema every JSON body of an [`AS_JSON`] spec points at, for the generator.
const JSON_SCHEMA: &str = "Json";

/// Keys that document a spec and that the client's validator does not read.
const DOCUMENTATION_KEYS: &[&str] = &["description", "summary", "example", "x-decision"];

fn main() {
    let out_dir = env::var("OUT_DIR").expect("cargo sets OUT_DIR");
    for (stem, out_file, exported) in SPECS {
        let path = format!("openapi/{stem}.yaml");
        println!("cargo:rerun-if-changed={path}");
        let text = fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
        let mut tree: serde_json::Value =
            serde_yaml::from_str(&text).unwrap_or_else(|e| panic!("{path}: {e}"));
        without_patterns(&mut tree);
        if AS_JSON.contains(stem) {
            bodies_as_json(&mut tree);
        }
        let spec: openapiv3::OpenAPI =
            serde_json::from_value(tree).unwrap_or_else(|e| panic!("{path}: {e}"));

        write_validation_schema(&text, &Path::new(&out_dir).join(format!("{stem}.json")));

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
        // The tests: a complete typed client of the spec.
        let client = Generator::new(&settings(Crate::Tests, false))
            .generate_tokens(&spec)
            .unwrap_or_else(|e| panic!("{path}: {e}"));
        write_rust(
            client,
            &Path::new(&out_dir).join(format!("{out_file}_client.rs")),
        );
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

/// Writes the spec as JSON without its documentation: what `src/schema.rs` validates inputs with.
fn write_validation_schema(yaml: &str, out: &Path) {
    let mut spec: serde_json::Value = serde_yaml::from_str(yaml).expect("the spec is YAML");
    if let Some(top) = spec.as_object_mut() {
        top.remove("info");
        top.remove("servers");
    }
    strip_documentation(&mut spec);
    fs::write(out, spec.to_string()).expect("write validation schema");
}

/// Removes the string schemas' `pattern`s from the copy the generator reads: typify would check
/// each with the `regress` engine inside the wasm; the client checks them with the host's
/// `RegExp` before any typed value is built (`src/pattern.rs`), from the embedded copy.
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
/// embedded copy. The schemas stay, for their TypeScript.
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

fn strip_documentation(value: &mut serde_json::Value) {
    match value {
        serde_json::Value::Object(map) => {
            // A property may be named like a documentation key: its schema is an object, kept.
            map.retain(|key, v| v.is_object() || !DOCUMENTATION_KEYS.contains(&key.as_str()));
            map.values_mut().for_each(strip_documentation);
        }
        serde_json::Value::Array(items) => items.iter_mut().for_each(strip_documentation),
        _ => {}
    }
}

fn quote_path(path: &str) -> proc_macro2::TokenStream {
    path.parse().expect("a valid Rust path")
}
