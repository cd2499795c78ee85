//! The sandbox's routing tables against the specs: every operation of every spec in `openapi/`
//! is routed (a request without credentials is refused for them, not answered "no such route"),
//! and a path no spec has is not. An operation added to a spec and not to the sandbox fails here.

use sandbox::{Bases, Config, Request, Sandbox};

const NOW_MS: i64 = 1_795_000_000_000;

/// `(spec, the base URL the sandbox serves it under)`.
const SPECS: [(&str, &str); 4] = [
    ("lalux-token", Bases::LALUX_TOKEN),
    ("lalux", Bases::LALUX_API),
    ("ecologic", Bases::ECOLOGIC_PRODUCTION),
    ("ecologic", Bases::ECOLOGIC_PREPRODUCTION),
];

/// Every `(method, path)` of spec `stem`.
fn operations(stem: &str) -> Vec<(String, String)> {
    let path = format!("{}/../openapi/{stem}.yaml", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).expect("the spec");
    let spec: serde_json::Value = serde_yaml::from_str(&text).expect("YAML");
    let mut found = Vec::new();
    for (path, item) in spec["paths"].as_object().expect("paths") {
        for (method, op) in item.as_object().expect("a path item") {
            if op.get("operationId").is_some() {
                found.push((method.to_uppercase(), path.clone()));
            }
        }
    }
    found
}

fn status(sandbox: &mut Sandbox, method: &str, path: String) -> (u16, String) {
    let response = sandbox.handle(
        Request {
            method: method.into(),
            path,
            ..Request::default()
        },
        NOW_MS,
    );
    let body = String::from_utf8_lossy(&response.body).into_owned();
    (response.status, body)
}

#[test]
fn every_operation_of_the_specs_is_routed() {
    let mut sandbox = Sandbox::new(Config::default(), NOW_MS).expect("seed");
    let mut routed = 0;
    for (stem, base) in SPECS {
        let operations = operations(stem);
        assert!(!operations.is_empty(), "{stem}: no operations");
        for (method, path) in operations {
            let (status, body) = status(&mut sandbox, &method, format!("{base}{path}"));
            assert!(
                !matches!(status, 404 | 405),
                "{method} {base}{path} ({stem}) is not routed: {status} {body}"
            );
            routed += 1;
        }
    }
    assert_eq!(routed, 2 + 4 + 2 * 13, "every operation of the three specs");
}

#[test]
fn a_path_no_spec_has_is_not_routed() {
    let mut sandbox = Sandbox::new(Config::default(), NOW_MS).expect("seed");
    for (method, path) in [
        (
            "POST",
            format!("{}/deleteclaim", Bases::ECOLOGIC_PRODUCTION),
        ),
        ("PUT", format!("{}/reparateur/delete", Bases::LALUX_API)),
        ("POST", format!("{}/revoke", Bases::LALUX_TOKEN)),
        ("GET", "/elsewhere".to_owned()),
    ] {
        let (status, _) = status(&mut sandbox, method, path.clone());
        assert_eq!(status, 404, "{method} {path}");
    }
}
