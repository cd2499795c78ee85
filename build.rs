//! Generates one progenitor client per OpenAPI spec in `openapi/` into `$OUT_DIR`.
//!
//! The specs are the single source of truth: nothing generated is checked in or edited by hand.
//! `src/generated.rs` includes the output, one module per spec.

use progenitor::{GenerationSettings, Generator, HooksMode, InterfaceStyle, TypeImpl, TypePatch};
use std::{env, fs, path::Path};

/// `(spec file stem, generated file)`: one client per host.
const SPECS: &[(&str, &str)] = &[
    ("lalux-token", "lalux_token.rs"),
    ("lalux", "lalux.rs"),
    ("ecologic", "ecologic.rs"),
];

fn main() {
    let out_dir = env::var("OUT_DIR").expect("cargo sets OUT_DIR");
    for (stem, out_file) in SPECS {
        let path = format!("openapi/{stem}.yaml");
        println!("cargo:rerun-if-changed={path}");
        let text = fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
        let spec: openapiv3::OpenAPI =
            serde_yaml::from_str(&text).unwrap_or_else(|e| panic!("{path}: {e}"));

        let mut settings = GenerationSettings::new();
        settings
            .with_interface(InterfaceStyle::Positional)
            // Hooks (auth headers, `api-version` removal) are implemented in `src/transport.rs`.
            .with_hooks(HooksMode::Expected)
            .with_inner_type(quote_path("crate::transport::Context"))
            .with_derive("PartialEq")
            // Ecologic's dossier ids are plain integers: copying them is what callers expect.
            .with_patch("RecordId", TypePatch::default().with_derive("Copy"))
            // Money is integer cents, never binary floating point.
            .with_replacement(
                "Amount",
                "crate::money::Amount",
                [TypeImpl::Display, TypeImpl::FromStr].into_iter(),
            );
        let tokens = Generator::new(&settings)
            .generate_tokens(&spec)
            .unwrap_or_else(|e| panic!("{path}: {e}"));
        let file = syn::parse2(tokens).unwrap_or_else(|e| panic!("{path}: {e}"));
        let code = prettyplease::unparse(&file);
        fs::write(Path::new(&out_dir).join(out_file), code).expect("write generated client");
    }
}

fn quote_path(path: &str) -> proc_macro2::TokenStream {
    path.parse().expect("a valid Rust path")
}
