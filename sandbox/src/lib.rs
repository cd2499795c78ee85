//! A stateful local sandbox of the LALUX and Ecologic APIs.
//!
//! The core is [`Sandbox::handle`]: state plus `request → response`, with the time passed in and
//! seeded randomness, no sockets and no tokio, so it can be hosted anywhere. The `server` feature
//! adds the HTTP host ([`server`]) that `cargo run -p sandbox` starts on 127.0.0.1.
//!
//! Every API sits under a path prefix of one port (see [`Bases`]); `/_sandbox/…` is the admin API
//! that tests use to read what was received, reset state, move the clock and inject faults.

pub mod contract;
mod ecologic;
mod faults;
mod fields;
pub mod http;
mod inspect;
mod lalux;
mod rng;
#[cfg(feature = "server")]
pub mod server;

pub use ecologic::referential::{Account, Referential};
pub use faults::Fault;
pub use http::{Delivery, Request, Response};
pub use inspect::{BodySummary, LOG_CAPACITY, LOGGED_BODY_BYTES, LoggedRequest, REDACTED};
pub use lalux::{Credentials, EICAR, MAX_FILE_BYTES};

use ecologic::{Ecologic, Environment};
use faults::Faults;
use lalux::Lalux;
use serde::{Deserialize, Serialize};
use serde_json::json;

/// Path prefixes of the simulated hosts, below the sandbox's origin.
pub struct Bases;

impl Bases {
    pub const LALUX_TOKEN: &'static str = "/lalux/wts";
    pub const LALUX_API: &'static str = "/lalux/api";
    pub const ECOLOGIC_PRODUCTION: &'static str = "/ecologic/api/v1/ecosupport";
    pub const ECOLOGIC_PREPRODUCTION: &'static str = "/ecologic-preprod/api/v1/ecosupport";
    pub const ADMIN: &'static str = "/_sandbox";
}

/// Headers a browser may send cross-origin: the two APIs' credentials and JSON bodies. Not
/// `api-version`, so a client that leaks progenitor's header fails in the browser tests.
const ALLOWED_HEADERS: &str = "authorization, api_key, content-type, accept";

/// The header of `GET /_sandbox/requests` that says how many of the oldest requests the bounded
/// log dropped ([`LOG_CAPACITY`]).
pub const LOG_DROPPED_HEADER: &str = "x-sandbox-log-dropped";

/// The largest request body a host reads (above every documented file: 5 MiB, 7 MiB in base64);
/// a larger one is refused with 413 ([`Sandbox::too_large`]) before it is buffered whole.
pub const MAX_BODY_BYTES: usize = 16 * 1024 * 1024;

/// The header that reports what a strict reading of the specs would have refused, answered as
/// the real server would (R9).
pub const DEVIATION_HEADER: &str = "x-sandbox-deviation";

/// The deviations as one header value: `field: what`, joined by `; `, in visible ASCII.
pub fn deviations(found: &[(String, String)]) -> String {
    let text: Vec<String> = found
        .iter()
        .map(|(f, what)| format!("{f}: {what}"))
        .collect();
    text.join("; ")
        .chars()
        .map(|c| {
            if c == ' ' || c.is_ascii_graphic() {
                c
            } else {
                '?'
            }
        })
        .collect()
}

/// What the sandbox is started with.
#[derive(Clone, Debug)]
pub struct Config {
    pub seed: u64,
    pub lalux: Credentials,
    /// Refuse what a strict reading of the specs refuses, even where the real servers accept it
    /// (by default such requests are answered as the servers would, with `X-Sandbox-Deviation`).
    pub strict: bool,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            seed: 42,
            lalux: Credentials::default(),
            strict: false,
        }
    }
}

/// The whole simulation.
#[derive(Clone, Debug)]
pub struct Sandbox {
    config: Config,
    rng: rng::Rng,
    lalux: Lalux,
    ecologic: Ecologic,
    log: inspect::Log,
    faults: Faults,
    clock_offset_ms: i64,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct ClockChange {
    advance_seconds: i64,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct ScannerChange {
    fail: bool,
}

/// What Ecologic's staff decided of a claim (R10).
#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct Decision {
    last_status: String,
    #[serde(default)]
    comment: Option<String>,
    #[serde(default)]
    preproduction: bool,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct TokenChange {
    lifetime_seconds: i64,
}

/// The credentials and URLs the sandbox accepts, as `GET /_sandbox/info` and the start-up banner
/// give them.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Info<'a> {
    pub lalux: &'a Credentials,
    /// The keys of the production host.
    pub ecologic_api_keys: Vec<&'a str>,
    /// The keys of the pre-production host (one key per environment, as Ecologic gives them).
    pub ecologic_preprod_api_keys: Vec<&'a str>,
}

impl Sandbox {
    /// A fresh sandbox; `now_ms` (Unix epoch milliseconds) dates the seed's recent repairs. Fails
    /// only if the built-in referential or specs do not load.
    pub fn new(config: Config, now_ms: i64) -> Result<Self, String> {
        if contract::Contract::get().is_none() {
            return Err("the specs in openapi/ do not compile as a request contract".to_owned());
        }
        Ok(Self {
            rng: rng::Rng::new(config.seed),
            lalux: Lalux::new(config.lalux.clone(), config.strict),
            ecologic: Ecologic::new(
                Referential::seed().map_err(|e| format!("the referential does not parse: {e}"))?,
                now_ms,
                config.strict,
            ),
            config,
            log: inspect::Log::default(),
            faults: Faults::default(),
            clock_offset_ms: 0,
        })
    }

    pub fn info(&self) -> Info<'_> {
        let keys = |environment: &str| {
            let accounts = self.ecologic.referential.accounts.iter();
            accounts
                .filter(|a| a.environment == environment)
                .map(|a| a.api_key.as_str())
                .collect()
        };
        Info {
            lalux: &self.config.lalux,
            ecologic_api_keys: keys("production"),
            ecologic_preprod_api_keys: keys("preproduction"),
        }
    }

    /// Answers one request received at `now_ms` (Unix epoch milliseconds, before the sandbox's
    /// own clock offset).
    pub fn handle(&mut self, request: Request, now_ms: i64) -> Response {
        let response = if request.method == "OPTIONS" {
            Response::empty(204)
                .with_header(
                    "access-control-allow-methods",
                    "GET, POST, PUT, DELETE, OPTIONS",
                )
                .with_header("access-control-allow-headers", ALLOWED_HEADERS)
                .with_header("access-control-max-age", "600")
        } else if let Some(rest) = request.path.strip_prefix(Bases::ADMIN) {
            let rest = rest.to_owned();
            self.admin(&rest, &request, now_ms)
        } else {
            self.api(request, now_ms)
        };
        cors(response)
    }

    /// The answer to a request whose body is over [`MAX_BODY_BYTES`], which the host refuses
    /// before reading it whole (it never reaches [`Sandbox::handle`], nor the log).
    pub fn too_large() -> Response {
        cors(Response::json(
            413,
            &json!({"error": format!("the request body is over {MAX_BODY_BYTES} bytes")}),
        ))
    }

    /// What a host prints when it starts: the URLs of both APIs, the admin routes, the mode, the
    /// credentials, and the `SANDBOX_URL=` line scripts read.
    pub fn banner(&self, origin: &str) -> String {
        let info = serde_json::to_string_pretty(&self.info()).unwrap_or_default();
        let mode = if self.config.strict {
            "strict (what a strict reading of the specs refuses is refused)"
        } else {
            "as the real servers (what they accept is accepted and reported in X-Sandbox-Deviation)"
        };
        format!(
            "repair-claims sandbox on {origin}\n\
             \x20 LALUX token service   {origin}{}\n\
             \x20 LALUX API             {origin}{}\n\
             \x20 Ecologic production   {origin}{}\n\
             \x20 Ecologic preprod      {origin}{}\n\
             \x20 admin                 {origin}{}/requests | /reset | /faults | /clock | /scanner | /tokens | /claims/ID | /info\n\
             mode: {mode}\n\
             credentials accepted: {info}\n\
             SANDBOX_URL={origin}",
            Bases::LALUX_TOKEN,
            Bases::LALUX_API,
            Bases::ECOLOGIC_PRODUCTION,
            Bases::ECOLOGIC_PREPRODUCTION,
            Bases::ADMIN,
        )
    }

    fn api(&mut self, request: Request, now_ms: i64) -> Response {
        let now_ms = now_ms + self.clock_offset_ms;
        self.log.push(LoggedRequest::from_request(&request));
        let fault = self.faults.take(&request.method, &request.path);
        if let Some(fault) = fault.as_ref().filter(|f| f.short_circuits()) {
            return fault.apply(Response::empty(200));
        }
        let path = request.path.clone();
        let lower = path.to_ascii_lowercase();
        let response = if let Some(rest) = path.strip_prefix(Bases::LALUX_TOKEN) {
            self.lalux
                .token_route(rest, &request, now_ms, &mut self.rng)
        } else if let Some(rest) = path.strip_prefix(Bases::LALUX_API) {
            self.lalux.api_route(rest, &request, now_ms, &mut self.rng)
        } else if let Some(rest) = ecologic_operation(&lower, Bases::ECOLOGIC_PRODUCTION) {
            self.ecologic
                .route(Environment::Production, rest, &request, now_ms)
        } else if let Some(rest) = ecologic_operation(&lower, Bases::ECOLOGIC_PREPRODUCTION) {
            self.ecologic
                .route(Environment::Preproduction, rest, &request, now_ms)
        } else {
            ecologic::message(
                404,
                &format!("No HTTP resource was found that matches the request URI '{path}'."),
            )
        };
        if let (Some(found), Some(logged)) = (
            response
                .headers
                .iter()
                .find(|(name, _)| name == DEVIATION_HEADER),
            self.log.last_mut(),
        ) {
            logged.deviations = Some(found.1.clone());
        }
        match fault {
            Some(fault) => fault.apply(response),
            None => response,
        }
    }

    fn admin(&mut self, path: &str, request: &Request, now_ms: i64) -> Response {
        let body = || serde_json::from_slice::<serde_json::Value>(&request.body);
        match (request.method.as_str(), path) {
            ("GET", "/requests") => Response::json(200, self.log.entries())
                .with_header(LOG_DROPPED_HEADER, &self.log.dropped().to_string()),
            ("GET", "/info") => Response::json(200, &self.info()),
            ("POST", "/reset") => match Self::new(self.config.clone(), now_ms) {
                Ok(fresh) => {
                    *self = fresh;
                    Response::empty(204)
                }
                Err(e) => Response::json(500, &json!({"error": e})),
            },
            ("POST", "/faults") => match body().and_then(serde_json::from_value::<Fault>) {
                Ok(fault) => match fault.refusal() {
                    Some(error) => Response::json(400, &json!({ "error": error })),
                    None => match self.faults.add(fault) {
                        Ok(()) => Response::empty(204),
                        Err(error) => Response::json(409, &json!({ "error": error })),
                    },
                },
                Err(e) => Response::json(400, &json!({"error": e.to_string()})),
            },
            ("DELETE", "/faults") => {
                self.faults.clear();
                Response::empty(204)
            }
            ("POST", "/clock") => match body().and_then(serde_json::from_value::<ClockChange>) {
                Ok(change) => {
                    self.clock_offset_ms = self
                        .clock_offset_ms
                        .saturating_add(change.advance_seconds.saturating_mul(1000));
                    Response::json(200, &json!({"offsetSeconds": self.clock_offset_ms / 1000}))
                }
                Err(e) => Response::json(400, &json!({"error": e.to_string()})),
            },
            ("POST", "/tokens") => match body().and_then(serde_json::from_value::<TokenChange>) {
                Ok(change) if (1..=86_400).contains(&change.lifetime_seconds) => {
                    self.lalux.token_lifetime_seconds = Some(change.lifetime_seconds);
                    Response::empty(204)
                }
                Ok(_) => {
                    Response::json(400, &json!({"error": "lifetimeSeconds must be 1 to 86400"}))
                }
                Err(e) => Response::json(400, &json!({"error": e.to_string()})),
            },
            ("POST", "/scanner") => {
                match body().and_then(serde_json::from_value::<ScannerChange>) {
                    Ok(change) => {
                        self.lalux.scanner_fails = change.fail;
                        Response::empty(204)
                    }
                    Err(e) => Response::json(400, &json!({"error": e.to_string()})),
                }
            }
            ("POST", route) if route.starts_with("/claims/") => {
                let id = route.trim_start_matches("/claims/").parse::<i64>();
                match (id, body().and_then(serde_json::from_value::<Decision>)) {
                    (Ok(id), Ok(d)) => {
                        let env = match d.preproduction {
                            true => Environment::Preproduction,
                            false => Environment::Production,
                        };
                        match self.ecologic.decide(env, id, d.last_status, d.comment) {
                            true => Response::empty(204),
                            false => Response::json(404, &json!({"error": "no such claim"})),
                        }
                    }
                    (Err(_), _) => {
                        Response::json(400, &json!({"error": "the claim id must be a number"}))
                    }
                    (_, Err(e)) => Response::json(400, &json!({"error": e.to_string()})),
                }
            }
            _ => Response::json(404, &json!({"error": "unknown admin route"})),
        }
    }
}

/// Every answer may be read cross-origin (the demo portal, a browser test).
fn cors(response: Response) -> Response {
    response
        .with_header("access-control-allow-origin", "*")
        .with_header(
            "access-control-expose-headers",
            &format!("retry-after, content-length, {DEVIATION_HEADER}, {LOG_DROPPED_HEADER}"),
        )
}

/// The operation segment of an Ecologic path under `base` (paths compare in lower case).
fn ecologic_operation<'a>(lower_path: &'a str, base: &str) -> Option<&'a str> {
    lower_path
        .strip_prefix(base)?
        .strip_prefix('/')
        .filter(|op| !op.contains('/'))
}
