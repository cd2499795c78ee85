//! The core without a host: `Sandbox::handle` with the time passed in and seeded ids.

use sandbox::{Config, Request, Sandbox};

const NOW_MS: i64 = 1_795_000_000_000;

fn token_request() -> Request {
    Request {
        method: "POST".into(),
        path: "/lalux/wts/token".into(),
        headers: vec![
            (
                "authorization".into(),
                "sandbox-repairer/sandbox-repairer-secret".into(),
            ),
            (
                "content-type".into(),
                "application/x-www-form-urlencoded".into(),
            ),
        ],
        body: b"grant_type=client_credentials&scope=%2Freparateur".to_vec(),
        ..Request::default()
    }
}

fn body(sandbox: &mut Sandbox, request: Request, now_ms: i64) -> (u16, serde_json::Value) {
    let response = sandbox.handle(request, now_ms);
    (
        response.status,
        serde_json::from_slice(&response.body).unwrap_or_default(),
    )
}

#[test]
fn the_same_seed_gives_the_same_tokens() {
    let mut a = Sandbox::new(Config::default(), NOW_MS).expect("seed");
    let mut b = Sandbox::new(Config::default(), NOW_MS).expect("seed");
    let mut other = Sandbox::new(
        Config {
            seed: 7,
            ..Config::default()
        },
        NOW_MS,
    )
    .expect("seed");
    let (_, ta) = body(&mut a, token_request(), NOW_MS);
    let (_, tb) = body(&mut b, token_request(), NOW_MS);
    let (_, tc) = body(&mut other, token_request(), NOW_MS);
    assert_eq!(ta["access_token"], tb["access_token"]);
    assert_ne!(ta["access_token"], tc["access_token"]);
}

#[test]
fn time_is_what_the_host_passes_in() {
    let mut sandbox = Sandbox::new(Config::default(), NOW_MS).expect("seed");
    let (_, token) = body(&mut sandbox, token_request(), NOW_MS);
    let upload = |at: i64, sandbox: &mut Sandbox| {
        let request = Request {
            method: "PUT".into(),
            path: "/lalux/api/reparateur/upload".into(),
            headers: vec![(
                "authorization".into(),
                format!(
                    "Bearer {}",
                    token["access_token"].as_str().unwrap_or_default()
                ),
            )],
            body: br#"{"fileNameWithExtension":"a.pdf","file":"JVBERg=="}"#.to_vec(),
            ..Request::default()
        };
        sandbox.handle(request, at).status
    };
    assert_eq!(upload(NOW_MS + 3_599_000, &mut sandbox), 200);
    assert_eq!(upload(NOW_MS + 3_600_000, &mut sandbox), 401);
}

#[test]
fn garbage_never_panics() {
    let mut sandbox = Sandbox::new(Config::default(), NOW_MS).expect("seed");
    let paths = [
        "/lalux/wts/token",
        "/lalux/api/expert",
        "/ecologic/api/v1/ecosupport/createclaim",
        "/ecologic/api/v1/ecosupport/attachfile",
        "/_sandbox/faults",
        "/%zz",
    ];
    let bodies: [&[u8]; 4] = [
        b"",
        b"\xff\xfe",
        b"[1,2",
        br#"{"Consumer": 5, "Product": []}"#,
    ];
    for path in paths {
        for body in bodies {
            for method in ["GET", "POST", "PUT", "DELETE"] {
                let request = Request {
                    method: method.into(),
                    path: path.into(),
                    query: "ClaimId=x&RequestId=%&RepairEndDate=never".into(),
                    headers: vec![
                        (
                            "api_key".into(),
                            "C8E88146-AF8D-4E95-9B76-8C8FFF5A2C9B".into(),
                        ),
                        ("authorization".into(), "Bearer".into()),
                    ],
                    body: body.to_vec(),
                };
                let status = sandbox.handle(request, NOW_MS).status;
                assert!((200..500).contains(&status), "{method} {path}: {status}");
            }
        }
    }
}

#[test]
fn the_log_keeps_the_latest_entries_and_counts_the_dropped() {
    let mut sandbox = Sandbox::new(Config::default(), NOW_MS).expect("seed");
    let extra = 5;
    for i in 0..sandbox::LOG_CAPACITY + extra {
        let request = Request {
            method: "GET".into(),
            path: format!("/ecologic/api/v1/ecosupport/n{i}"),
            ..Request::default()
        };
        sandbox.handle(request, NOW_MS);
    }
    let log = Request {
        method: "GET".into(),
        path: "/_sandbox/requests".into(),
        ..Request::default()
    };
    let response = sandbox.handle(log, NOW_MS);
    let dropped = response
        .headers
        .iter()
        .find(|(name, _)| name == sandbox::LOG_DROPPED_HEADER)
        .map(|(_, value)| value.as_str());
    assert_eq!(dropped, Some("5"));
    let entries: serde_json::Value = serde_json::from_slice(&response.body).expect("json");
    let entries = entries.as_array().expect("an array");
    assert_eq!(entries.len(), sandbox::LOG_CAPACITY);
    assert_eq!(
        entries[0]["path"],
        format!("/ecologic/api/v1/ecosupport/n{extra}")
    );
}
