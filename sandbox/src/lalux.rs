//! LALUX behaviour: tokens per scope, uploads with an antivirus scan, settlements.

use crate::contract::{Api, Contract, Strictness};
use crate::fields::Checks;
use crate::http::{Request, Response, form_pairs, json_body};
use crate::rng::Rng;
use base64::Engine;
use serde::Serialize;
use serde_json::{Value, json};
use std::collections::HashMap;

/// Largest file accepted, in bytes ("5 242 880 octets").
pub const MAX_FILE_BYTES: usize = 5_242_880;
/// Token lifetime ("valide 3600 s").
pub const TOKEN_SECONDS: i64 = 3600;
/// How long an uploaded file's key stays usable ("supprimés 24h après").
pub const KEY_LIFETIME_MS: i64 = 24 * 3600 * 1000;
/// The standard antivirus test file: a scan reports it `Infected`.
pub const EICAR: &str = r"X5O!P%@AP[4\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*";

/// Credentials the sandbox accepts.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Credentials {
    pub repairer_client_id: String,
    pub repairer_client_secret: String,
    pub expert_client_id: String,
    pub expert_client_secret: String,
    pub expert_username: String,
    pub expert_password: String,
}

impl Default for Credentials {
    fn default() -> Self {
        Self {
            repairer_client_id: "sandbox-repairer".into(),
            repairer_client_secret: "sandbox-repairer-secret".into(),
            expert_client_id: "sandbox-expert".into(),
            expert_client_secret: "sandbox-expert-secret".into(),
            expert_username: "expert".into(),
            expert_password: "sandbox-expert-password".into(),
        }
    }
}

/// The two API functions; a token and a key belong to one of them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Function {
    Repairer,
    Expert,
}

impl Function {
    fn scope(self) -> &'static str {
        match self {
            Self::Repairer => "/reparateur",
            Self::Expert => "/expert",
        }
    }
}

#[derive(Clone, Debug)]
struct Token {
    function: Function,
    expires_at_ms: i64,
}

#[derive(Clone, Debug)]
struct Upload {
    function: Function,
    uploaded_at_ms: i64,
}

/// State of the LALUX simulation.
#[derive(Clone, Debug, Default)]
pub struct Lalux {
    pub credentials: Credentials,
    tokens: HashMap<String, Token>,
    uploads: HashMap<String, Upload>,
    /// When set, every scan answers `Error`.
    pub scanner_fails: bool,
    /// When set, tokens last this many seconds instead of [`TOKEN_SECONDS`].
    pub token_lifetime_seconds: Option<i64>,
    /// Refuse a token request that leaves `grant_type` and `scope` out of the query (R3).
    strict: bool,
}

fn error(status: u16, code: &str, description: &str) -> Response {
    Response::json(
        status,
        &json!({"error": code, "error_description": description}),
    )
}

/// Drops what is said of `field` from `found`.
fn contract_faults_without(found: &mut Vec<(String, String)>, field: &str) {
    found.retain(|(f, _)| f != field);
}

/// Whether body field `field` holds text a .NET binder reads as a number or a boolean.
fn binds_from_text(body: &Value, field: &str) -> bool {
    let Some(text) = body.get(field).and_then(Value::as_str).map(str::trim) else {
        return false;
    };
    matches!(text.to_ascii_lowercase().as_str(), "true" | "false")
        || text.parse::<f64>().is_ok_and(f64::is_finite)
}

/// A 400 listing every field at fault, once each (the first message found for it).
fn field_errors(mut errors: Vec<(String, String)>) -> Response {
    let mut seen = std::collections::HashSet::new();
    errors.retain(|(field, _)| seen.insert(field.clone()));
    let fields: Vec<Value> = errors
        .iter()
        .map(|(f, m)| json!({"field": f, "message": m}))
        .collect();
    let description = errors
        .iter()
        .map(|(f, m)| format!("{f} {m}"))
        .collect::<Vec<_>>()
        .join("; ");
    Response::json(
        400,
        &json!({"error": "invalid_request", "error_description": description, "fields": fields}),
    )
}

impl Lalux {
    pub fn new(credentials: Credentials, strict: bool) -> Self {
        Self {
            credentials,
            strict,
            ..Self::default()
        }
    }

    /// Token server routes (`/token`, `/authen`), `path` relative to the token base URL.
    pub fn token_route(
        &mut self,
        path: &str,
        request: &Request,
        now_ms: i64,
        rng: &mut Rng,
    ) -> Response {
        match (request.method.as_str(), path) {
            ("POST", "/token") => self.issue(request, Function::Repairer, now_ms, rng),
            ("POST", "/authen") => self.issue(request, Function::Expert, now_ms, rng),
            (_, "/token" | "/authen") => {
                error(405, "invalid_request", "use POST").with_header("allow", "POST")
            }
            _ => error(404, "not_found", "no such token endpoint"),
        }
    }

    /// API routes, `path` relative to the API base URL.
    pub fn api_route(
        &mut self,
        path: &str,
        request: &Request,
        now_ms: i64,
        rng: &mut Rng,
    ) -> Response {
        let (function, action) = match path {
            "/reparateur/upload" => (Function::Repairer, Action::Upload),
            "/reparateur" => (Function::Repairer, Action::Settle),
            "/expert/upload" => (Function::Expert, Action::Upload),
            "/expert" => (Function::Expert, Action::Settle),
            _ => return error(404, "not_found", "no such API function"),
        };
        if request.method != "PUT" {
            return error(405, "invalid_request", "use PUT").with_header("allow", "PUT");
        }
        if let Err(refusal) = self.authorize(request, function, now_ms) {
            return refusal;
        }
        match action {
            Action::Upload => self.upload(request, function, now_ms, rng),
            Action::Settle => {
                // T9: as lenient as a .NET server would be, unless strict; what it binds anyway
                // is reported.
                let strictness = match self.strict {
                    true => Strictness::Strict,
                    false => Strictness::AsTheServer,
                };
                let checked = Contract::get()
                    .map(|c| c.check(Api::Lalux, path, request, strictness))
                    .unwrap_or_default();
                let missing = checked.missing.into_iter();
                let missing = missing.map(|name| (name, "is required".to_owned()));
                let faults = checked.faults.into_iter().chain(missing).collect();
                self.settle(request, function, now_ms, faults, checked.deviations)
            }
        }
    }

    fn issue(
        &mut self,
        request: &Request,
        function: Function,
        now_ms: i64,
        rng: &mut Rng,
    ) -> Response {
        let c = &self.credentials;
        let (id, secret) = match function {
            Function::Repairer => (&c.repairer_client_id, &c.repairer_client_secret),
            Function::Expert => (&c.expert_client_id, &c.expert_client_secret),
        };
        let presented = request.header("authorization").unwrap_or_default();
        if presented.split_once('/') != Some((id.as_str(), secret.as_str())) {
            return error(
                401,
                "invalid_client",
                "Authorization must be {clientId}/{clientSecret} of a known client",
            );
        }
        let mut form: HashMap<String, String> = form_pairs(&String::from_utf8_lossy(&request.body))
            .into_iter()
            .collect();
        // R3: the table puts `grant_type` and `scope` in the query, the example in the form; the
        // spec sends both. Values given twice must agree; one given once is taken where it is.
        let mut deviations = Vec::new();
        for name in ["grant_type", "scope"] {
            match (request.query_value(name), form.get(name)) {
                (Some(query), Some(body)) if &query != body => {
                    return error(
                        400,
                        "invalid_request",
                        &format!("{name} differs between the query and the form"),
                    );
                }
                (Some(_), None) if self.strict => {
                    return error(
                        400,
                        "invalid_request",
                        &format!("{name} is required in the form body (R3: the query repeats it)"),
                    );
                }
                (Some(query), None) => {
                    deviations.push(format!(
                        "{name}: is left out of the form body, where the spec sends it (R3)"
                    ));
                    form.insert(name.to_owned(), query);
                }
                (None, _) if self.strict => {
                    return error(
                        400,
                        "invalid_request",
                        &format!("{name} is required in the query too (R3)"),
                    );
                }
                (None, _) => deviations.push(format!(
                    "{name}: is left out of the query, where the spec repeats it (R3)"
                )),
                _ => {}
            }
        }
        for (name, _) in request.query_pairs() {
            if name != "grant_type" && name != "scope" {
                if self.strict {
                    return error(
                        400,
                        "invalid_request",
                        &format!("{name} is not a parameter of this call"),
                    );
                }
                deviations.push(format!("{name}: is not a parameter of this call"));
            }
        }
        let grant = form.get("grant_type").map(String::as_str);
        let expected_grant = match function {
            Function::Repairer => "client_credentials",
            Function::Expert => "password",
        };
        if grant != Some(expected_grant) {
            return error(
                400,
                "unsupported_grant_type",
                &format!("grant_type must be {expected_grant}"),
            );
        }
        if function == Function::Expert
            && (form.get("username") != Some(&c.expert_username)
                || form.get("password") != Some(&c.expert_password))
        {
            return error(401, "invalid_grant", "unknown username or wrong password");
        }
        let scope = form.get("scope").map(String::as_str).unwrap_or_default();
        if scope != function.scope() {
            return error(
                400,
                "invalid_scope",
                &format!("this client may only ask for scope {}", function.scope()),
            );
        }
        let token = format!("sbx-{}", rng.uuid());
        let lifetime = self.token_lifetime_seconds.unwrap_or(TOKEN_SECONDS);
        self.tokens.insert(
            token.clone(),
            Token {
                function,
                expires_at_ms: now_ms + lifetime * 1000,
            },
        );
        let response = Response::json(
            200,
            &json!({"token_type": "bearer", "access_token": token, "expires_in": lifetime, "scope": scope}),
        );
        match deviations.is_empty() {
            true => response,
            false => response.with_header(crate::DEVIATION_HEADER, &deviations.join("; ")),
        }
    }

    fn authorize(
        &self,
        request: &Request,
        function: Function,
        now_ms: i64,
    ) -> Result<(), Response> {
        let header = request.header("authorization").unwrap_or_default();
        let Some((scheme, token)) = header.split_once(' ') else {
            return Err(error(
                401,
                "invalid_token",
                "missing Authorization: Bearer token",
            ));
        };
        if !scheme.eq_ignore_ascii_case("bearer") {
            return Err(error(
                401,
                "invalid_token",
                "Authorization must use the Bearer scheme",
            ));
        }
        match self.tokens.get(token.trim()) {
            None => Err(error(401, "invalid_token", "unknown token")),
            Some(t) if t.expires_at_ms <= now_ms => {
                Err(error(401, "invalid_token", "the token has expired"))
            }
            Some(t) if t.function != function => Err(error(
                401,
                "insufficient_scope",
                &format!(
                    "this token opens {}, not {}",
                    t.function.scope(),
                    function.scope()
                ),
            )),
            Some(_) => Ok(()),
        }
    }

    fn upload(
        &mut self,
        request: &Request,
        function: Function,
        now_ms: i64,
        rng: &mut Rng,
    ) -> Response {
        let body = match json_body(request) {
            Ok(body) => body,
            Err(message) => return error(400, "invalid_request", &message),
        };
        let mut checks = Checks::new(&body, false);
        let name = checks.string("fileNameWithExtension");
        let extension = name
            .and_then(|n| n.rsplit_once('.'))
            .map(|(_, e)| e.to_ascii_lowercase());
        if name.is_some()
            && extension
                .as_deref()
                .is_none_or(|e| e.is_empty() || !e.bytes().all(|b| b.is_ascii_alphanumeric()))
        {
            checks.fail(
                "fileNameWithExtension",
                "must end with an extension, e.g. facture.pdf",
            );
        }
        let content = checks.string("file").and_then(|text| {
            let decoded = base64::engine::general_purpose::STANDARD.decode(text.trim());
            if decoded.is_err() {
                checks.fail("file", "is not valid base64");
            }
            decoded.ok()
        });
        let (Some(content), Some(extension), true) = (content, extension, checks.errors.is_empty())
        else {
            return field_errors(checks.errors);
        };
        if content.len() > MAX_FILE_BYTES {
            return Response::json(413, &json!({"status": "FileTooBig"}));
        }
        if self.scanner_fails {
            return Response::json(500, &json!({"status": "Error"}));
        }
        if content.windows(EICAR.len()).any(|w| w == EICAR.as_bytes()) {
            return Response::json(200, &json!({"status": "Infected"}));
        }
        let key = format!("{}.{extension}", rng.uuid());
        self.uploads.insert(
            key.clone(),
            Upload {
                function,
                uploaded_at_ms: now_ms,
            },
        );
        Response::json(200, &json!({"key": key, "status": "Verified"}))
    }

    /// `contract_faults`: what the spec itself rejects, reported with the cross-field checks.
    /// (Uploads have only their own checks: the server answers `FileTooBig` where the spec's
    /// `maxLength` would say 400.)
    fn settle(
        &mut self,
        request: &Request,
        function: Function,
        now_ms: i64,
        contract_faults: Vec<(String, String)>,
        mut deviations: Vec<(String, String)>,
    ) -> Response {
        let mut body = match json_body(request) {
            Ok(body) => body,
            Err(message) => return error(400, "invalid_request", &message),
        };
        // R2: `AbandonVehicule` alone, the table's spelling, binds as `abandonVehicule` on a .NET
        // server, which reads names in any case.
        if let Some(object) = body.as_object_mut().filter(|_| !self.strict)
            && object.get("abandonVehicule").is_none_or(Value::is_null)
            && let Some(value) = object
                .get("AbandonVehicule")
                .filter(|v| !v.is_null())
                .cloned()
        {
            object.insert("abandonVehicule".to_owned(), value);
            contract_faults_without(&mut deviations, "abandonVehicule");
            deviations.push((
                "abandonVehicule".to_owned(),
                "is given only as AbandonVehicule; a .NET server binds names in any case"
                    .to_owned(),
            ));
        }
        let contract_faults = match self.strict {
            true => contract_faults,
            // What the checks below bind (an amount as text, `"false"`) is theirs to judge.
            false => contract_faults
                .into_iter()
                .filter(|(field, _)| !binds_from_text(&body, field))
                .collect(),
        };
        let mut checks = Checks::new(&body, !self.strict);
        let id_field = match function {
            Function::Repairer => "idPrestataire",
            Function::Expert => "idExpert",
        };
        for field in [
            id_field,
            "referenceFacture",
            "numeroSinistre",
            "referenceInterneLalux",
            "immatriculationVehicule",
            "numeroChassisVehicule",
        ] {
            checks.string(field);
        }
        checks.date("dateFacture");
        checks.one_of("type", &["F", "N"]);
        let key_fields: &[&str] = match function {
            Function::Repairer => {
                let kind = checks.one_of("typeFacture", &["VHR", "REP"]);
                checks.amounts_add_up("factureHT", "factureTVA", "factureTTC");
                let days = checks.whole("nbrJourVehiculeRemplacement");
                match (kind, days) {
                    (Some("VHR"), Ok(None)) => checks.fail(
                        "nbrJourVehiculeRemplacement",
                        "is required when typeFacture is VHR",
                    ),
                    (Some("VHR"), days)
                        if days
                            .ok()
                            .flatten()
                            .is_none_or(|d| d < 1 || d > i32::MAX as u64) =>
                    {
                        checks.fail(
                            "nbrJourVehiculeRemplacement",
                            "must be an integer of at least 1",
                        )
                    }
                    (Some("REP"), Ok(Some(_)) | Err(_)) => checks.fail(
                        "nbrJourVehiculeRemplacement",
                        "is only allowed when typeFacture is VHR",
                    ),
                    _ => {}
                }
                &["refPDFFacture"]
            }
            Function::Expert => {
                checks.amounts_add_up("honorairesHT", "honorairesTVA", "honorairesTTC");
                checks.amounts_add_up("prejudiceHT", "prejudiceTVA", "prejudiceTTC");
                checks.boolean("abandonVehicule");
                &["refPdfHonoraires", "refPdfExpertise"]
            }
        };
        for field in key_fields {
            let Some(key) = checks.string(field) else {
                continue;
            };
            match self.uploads.get(key) {
                None => checks.fail(field, "is not the key of an uploaded file"),
                Some(u) if u.uploaded_at_ms + KEY_LIFETIME_MS <= now_ms => {
                    checks.fail(field, "refers to a file uploaded more than 24 h ago")
                }
                Some(u) if u.function != function => checks.fail(
                    field,
                    format!("refers to a file uploaded through {}", u.function.scope()),
                ),
                Some(_) => {}
            }
        }
        checks.errors.extend(contract_faults);
        deviations.append(&mut checks.deviations);
        let response = match checks.errors.is_empty() {
            true => Response::empty(202),
            false => field_errors(checks.errors),
        };
        match deviations.is_empty() {
            true => response,
            false => response.with_header(crate::DEVIATION_HEADER, &crate::deviations(&deviations)),
        }
    }
}

enum Action {
    Upload,
    Settle,
}
