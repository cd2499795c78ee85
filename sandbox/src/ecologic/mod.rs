//! Ecologic behaviour: `api_key` check, referentials, eco-support calculation, and support
//! requests and claims as a state machine, with the envelope everywhere it is documented.

mod dossier;
pub mod referential;

use crate::contract::{Api, Checked, Contract, Strictness};
use crate::http::{Request, Response, json_body};
use base64::Engine;
use dossier::Kind;
use referential::{Account, Referential};
use repair_dates::{WallClock, When};
use repair_money::Amount;
use serde_json::{Value, json};
use std::collections::BTreeMap;

/// Largest attachment accepted, decoded (the document gives none; see the spec).
pub const MAX_ATTACHMENT_BYTES: usize = 10_485_760;
/// First ids handed out, as in the document's examples.
const FIRST_REQUEST_ID: i64 = 5_310_857;
const FIRST_CLAIM_ID: i64 = 5_312_276;
/// Six months, for the warranty rule.
const WARRANTY_DAYS: i64 = 183;
const DAY_MS: i64 = 86_400_000;

/// A support request's status in the offline mode, the only one since 1.3: validated at once
/// ("mode offline : Validé par le consommateur", ECL l.291; "En attente de validation
/// consommateur" is an SMS not yet validated, ECL l.289-290, a mode gone), whatever its
/// `ValidationErrors` still say (T12).
pub const STATUS_VALIDATED: &str = "Validé par le consommateur";
/// A support request once its claim exists (e-reparateur's support pages, T12).
pub const STATUS_CLOSED: &str = "Clôturée";
pub const STATUS_INCOMPLETE: &str = "Dossier incomplet";
pub const STATUS_COMPLETE: &str = "Dossier complet";
/// The refusal of a `ConsumerInvoiceNumber` another claim of the account holds (T11).
pub const INVOICE_USED: &str = "Numéro de facture déjà utilisé";
/// A claim Ecologic asks the repairer to correct (E18): open again until submitted anew.
pub const STATUS_NOT_CONFORM: &str = "NotConform";
/// What a submitted claim awaits (R10: a status the real server gives).
pub const STATUS_SUBMITTED: &str = "En attente de validation administrateur";

/// Which of the two hosts a request came to: their referential ids differ.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Environment {
    Production,
    Preproduction,
}

#[derive(Clone, Debug)]
struct SupportRequest {
    api_key: String,
    body: Value,
    created_ms: i64,
    complete: bool,
    converted: bool,
}

#[derive(Clone, Debug)]
struct Claim {
    api_key: String,
    body: Value,
    created_ms: i64,
    repair_end_ms: i64,
    attachments: Vec<String>,
    submitted: bool,
    /// `ConsumerInvoiceNumber`: one claim per invoice (T11).
    invoice: String,
    /// `LastStatus` and `Comment` set through the admin API (R10: what Ecologic's staff decide).
    decided: Option<(String, Option<String>)>,
}

/// State of one environment.
#[derive(Clone, Debug, Default)]
struct Dossiers {
    requests: BTreeMap<i64, SupportRequest>,
    claims: BTreeMap<i64, Claim>,
}

/// What every operation handler is given: where the request came, whose key, the request, when.
#[derive(Clone, Copy)]
struct Call<'a> {
    env: Environment,
    account: &'a Account,
    request: &'a Request,
    now_ms: i64,
}

/// A dossier to validate: its body and what surrounds it.
struct Subject<'a> {
    body: &'a Value,
    kind: Kind,
    attachments: &'a [String],
    /// The claim itself, left out of the warranty search.
    claim_id: Option<i64>,
    /// Repairs in the 6 months before this date fall under the warranty.
    repair_end_ms: i64,
}

impl<'a> Subject<'a> {
    /// A support request, dated `now_ms` (its `CallDate`, or now).
    fn request(body: &'a Value, now_ms: i64) -> Self {
        Self {
            body,
            kind: Kind::Request,
            attachments: &[],
            claim_id: None,
            repair_end_ms: now_ms,
        }
    }
}

/// State of the Ecologic simulation.
#[derive(Clone, Debug)]
pub struct Ecologic {
    pub referential: Referential,
    production: Dossiers,
    preproduction: Dossiers,
    /// When the sandbox started: `recentRepairs` are dated from it.
    started_ms: i64,
    /// Refuse what a strict reading of the spec refuses, even where the real server accepts it.
    strict: bool,
}

/// The envelope of a success.
fn success(status: u16, data: Value) -> Response {
    Response::json(
        status,
        &json!({"ResponseData": data, "ResponseStatus": "S", "IsValid": true, "ResponseMessage": "", "ResponseErrorMessage": ""}),
    )
}

/// The envelope of a refusal: `W` business refusal or `E` error.
fn refusal(http: u16, status: &str, message: &str, detail: Option<&str>) -> Response {
    Response::json(
        http,
        &json!({"ResponseData": null, "ResponseStatus": status, "IsValid": false, "ResponseMessage": message, "ResponseErrorMessage": detail}),
    )
}

/// A request the spec itself rejects (malformed JSON, a missing or mistyped parameter): 400.
fn invalid_request(detail: &str) -> Response {
    refusal(400, "E", "Invalid request", Some(detail))
}

/// A schema-valid request the business rules refuse: the envelope on 200, as the document shows.
fn refused_request(detail: &str) -> Response {
    refusal(200, "E", "Invalid request", Some(detail))
}

/// A request that the dossier's state forbids (validated, converted, submitted): 409.
fn conflict(detail: &str) -> Response {
    refusal(409, "E", "Invalid request", Some(detail))
}

/// The site must be one of the key's: 403 otherwise.
fn check_site(account: &Account, site: &str) -> Result<(), Response> {
    if account.has_site(site) {
        Ok(())
    } else {
        Err(message(403, "RepairSiteId is not a site of this api_key."))
    }
}

/// R1: `calculateecosupport` works under both readings of its amount's name, so the real server
/// binds one pair or the other: a request with either pair is accepted, the other reported.
fn either_amount(checked: &mut Checked, strictness: Strictness) {
    const PAIRS: [[&str; 2]; 2] = [
        ["TotalAmountExclVAT", "TotalAmountExclVAT_Currency"],
        ["TotalAmountInclVAT", "TotalAmountInclVATCurrency"],
    ];
    let missing = |name: &str| checked.missing.iter().any(|m| m == name);
    let absent: Vec<[&str; 2]> = PAIRS
        .into_iter()
        .filter(|[amount, _]| missing(amount))
        .collect();
    if absent.len() != 1 {
        return;
    }
    for name in absent.into_iter().flatten() {
        checked.missing.retain(|m| m != name);
        let what = "is left out: the request carries the other reading of the amount's name (R1)";
        match strictness {
            Strictness::AsTheServer => checked.deviations.push((name.to_owned(), what.to_owned())),
            Strictness::Strict => checked
                .faults
                .push((name.to_owned(), "is required".to_owned())),
        }
    }
}

/// The real server's reply to a call it cannot route: a required parameter is missing (R7).
fn no_route(request: &Request) -> Response {
    let uri = match request.query.is_empty() {
        true => request.path.clone(),
        false => format!("{}?{}", request.path, request.query),
    };
    message(
        404,
        &format!("No HTTP resource was found that matches the request URI '{uri}'."),
    )
}

/// An id the server does not know, or no longer knows (R7: "Invalid claim" in a 500 envelope).
fn invalid_claim() -> Response {
    refusal(500, "E", "Invalid request", Some("Invalid claim"))
}

/// The ASP.NET-style `{Message}` of 401, 403, 404, 405 and 409 replies.
pub fn message(status: u16, text: &str) -> Response {
    Response::json(status, &json!({"Message": text}))
}

/// Instant `ms` as the server writes it: Paris wall-clock time without offset.
fn local_time(ms: i64) -> String {
    WallClock::paris(ms).to_string()
}

fn id_param(request: &Request, name: &str) -> Result<i64, Response> {
    let value = request
        .query_value(name)
        .ok_or_else(|| invalid_request(&format!("{name} is required")))?;
    value
        .trim()
        .parse()
        .map_err(|_| invalid_request(&format!("{name} must be an integer")))
}

fn required_param(request: &Request, name: &str) -> Result<String, Response> {
    request
        .query_value(name)
        .ok_or_else(|| invalid_request(&format!("{name} is required")))
}

/// A date or date-time, with or without offset (R4), as epoch milliseconds: a time without
/// offset is Paris time, a day alone its midnight.
fn date_time_param(request: &Request, name: &str) -> Result<i64, Response> {
    let value = required_param(request, name)?;
    When::parse(&value)
        .map(When::epoch_ms)
        .ok_or_else(|| invalid_request(&format!("{name} must be an ISO 8601 date or date-time")))
}

/// An optional ISO 8601 parameter: absent is fine, present must parse.
fn optional_date_time(request: &Request, name: &str) -> Result<Option<i64>, Response> {
    match request.query_value(name) {
        None => Ok(None),
        Some(_) => date_time_param(request, name).map(Some),
    }
}

/// The body as a dossier (the contract has checked its shape). On a support request, the offline
/// mode turned off is the documented `E` envelope; on a claim, `false` is the same as absent
/// (R8: the document's own `createclaim` and `updateclaim` examples send it).
fn dossier_body(request: &Request, kind: Kind) -> Result<Value, Response> {
    let mut body = json_body(request).map_err(|e| invalid_request(&e))?;
    // The server reads a number where it expects text as that text (`Country: 250`).
    for (section, numbers) in [("Consumer", &["Title"][..]), ("Product", &[][..])] {
        if let Some(object) = body.get_mut(section).and_then(Value::as_object_mut) {
            for (name, value) in object.iter_mut() {
                if value.is_number() && !numbers.contains(&name.as_str()) {
                    *value = Value::String(value.to_string());
                }
            }
        }
    }
    if kind == Kind::Request
        && body.pointer("/Consumer/AutoValidation") == Some(&Value::Bool(false))
    {
        return Err(refused_request("AutoValidation should be false or empty"));
    }
    Ok(body)
}

impl Ecologic {
    pub fn new(referential: Referential, started_ms: i64, strict: bool) -> Self {
        Self {
            referential,
            production: Dossiers::default(),
            preproduction: Dossiers::default(),
            started_ms,
            strict,
        }
    }

    fn dossiers(&mut self, env: Environment) -> &mut Dossiers {
        match env {
            Environment::Production => &mut self.production,
            Environment::Preproduction => &mut self.preproduction,
        }
    }

    /// Handles `operation` (the last path segment, any case) of environment `env`.
    pub fn route(
        &mut self,
        env: Environment,
        operation: &str,
        request: &Request,
        now_ms: i64,
    ) -> Response {
        let operation = operation.to_ascii_lowercase();
        let expected = match operation.as_str() {
            "getrepairsitesbyats"
            | "printbrandlist"
            | "printproducttypelist"
            | "printproducttypewithlabellist"
            | "calculateecosupport"
            | "getsupportrequeststatus"
            | "getclaimstatus" => "GET",
            "createsupportrequest"
            | "updatesupportrequest"
            | "createclaim"
            | "updateclaim"
            | "attachfile"
            | "submitclaim" => "POST",
            _ => {
                return message(
                    404,
                    &format!(
                        "No HTTP resource was found that matches the request URI '{}'.",
                        request.path
                    ),
                );
            }
        };
        let Some(account) = request
            .header("api_key")
            .and_then(|k| {
                self.referential
                    .account(k, env == Environment::Preproduction)
            })
            .cloned()
        else {
            return message(401, "Authorization has been denied for this request.");
        };
        if request.method != expected {
            return message(
                405,
                &format!(
                    "The requested resource does not support http method '{}'.",
                    request.method
                ),
            )
            .with_header("allow", expected);
        }
        let strictness = if self.strict {
            Strictness::Strict
        } else {
            Strictness::AsTheServer
        };
        let mut checked = Contract::get()
            .map(|c| c.check(Api::Ecologic, &format!("/{operation}"), request, strictness))
            .unwrap_or_default();
        if operation == "calculateecosupport" {
            either_amount(&mut checked, strictness);
        }
        if !checked.missing.is_empty() {
            return no_route(request);
        }
        if !checked.faults.is_empty() {
            let detail: Vec<String> = checked
                .faults
                .iter()
                .map(|(field, problem)| format!("{field}: {problem}"))
                .collect();
            return invalid_request(&detail.join("; "));
        }
        let call = Call {
            env,
            account: &account,
            request,
            now_ms,
        };
        let result = match operation.as_str() {
            "getrepairsitesbyats" => Ok(success(200, Value::Array(account.sites.clone()))),
            "printbrandlist" => Ok(success(200, self.brand_list(env))),
            "printproducttypelist" => Ok(success(200, self.product_list(false))),
            "printproducttypewithlabellist" => Ok(success(200, self.product_list(true))),
            "calculateecosupport" => self.calculate(call),
            "createsupportrequest" => self.create_request(call),
            "updatesupportrequest" => self.update_request(call),
            "getsupportrequeststatus" => self.request_status(call),
            "createclaim" => self.create_claim(call),
            "updateclaim" => self.update_claim(call),
            "attachfile" => self.attach(call),
            "getclaimstatus" => self.claim_status(call),
            _ => self.submit(call),
        };
        let response = result.unwrap_or_else(|refused| refused);
        match checked.deviations.is_empty() {
            true => response,
            false => response.with_header(
                crate::DEVIATION_HEADER,
                &crate::deviations(&checked.deviations),
            ),
        }
    }

    fn brand_list(&self, env: Environment) -> Value {
        let brands = self.referential.brands(env == Environment::Preproduction);
        brands
            .iter()
            .map(|b| json!({"BrandName": b.brand_name, "BrandId": b.brand_id}))
            .collect()
    }

    fn product_list(&self, labelled: bool) -> Value {
        self.referential
            .products
            .iter()
            .map(|p| p.to_json(labelled))
            .collect()
    }

    fn brand_ids(&self, env: Environment) -> Vec<String> {
        self.referential
            .brands(env == Environment::Preproduction)
            .into_iter()
            .map(|b| b.brand_id)
            .collect()
    }

    fn calculate(&self, call: Call<'_>) -> Result<Response, Response> {
        let Call {
            env,
            account,
            request,
            now_ms,
        } = call;
        // The contract has checked the parameters' presence, types and bounds.
        let brand_id = required_param(request, "BrandId")?;
        let product_id = required_param(request, "ProductId")?;
        let refused = |text: &str| Ok(refusal(200, "W", text, None));
        // R1: the document's name, or the one public integrations send; the threshold compares
        // the invoice including VAT with the bonus (T10), so that total comes first.
        let total = request
            .query_value("TotalAmountInclVAT")
            .or_else(|| request.query_value("TotalAmountExclVAT"));
        let Ok(total) = total
            .ok_or_else(|| invalid_request("TotalAmountExclVAT is required"))?
            .trim()
            .parse::<Amount>()
        else {
            return refused("Montant pas valide : 2 décimales au plus");
        };
        let Some(product) = self.referential.product(&product_id) else {
            return refused("Produit pas valide");
        };
        if brand_id.trim() == "0" {
            if request
                .query_value("BrandName")
                .is_none_or(|n| n.trim().is_empty())
            {
                return Ok(refused_request("BrandName is required when BrandId is 0"));
            }
            if !product.unknown_brand_covered {
                return refused("Invalid organization");
            }
        } else if !self.brand_ids(env).contains(&brand_id.trim().to_owned()) {
            return refused("Produit pas valide");
        }
        // An empty optional code binds as absent (T10).
        let code = |name: &str| request.query_value(name).filter(|c| !c.trim().is_empty());
        if code("IRISSymptom").is_some_and(|s| !product.has_symptom(s.trim())) {
            return refused("Symptôme pas valide");
        }
        if code("RepairCode").is_some_and(|c| !product.has_repair_code(c.trim())) {
            return refused("Code panne pas valide");
        }
        if !account.fiches.contains(&product.fiche) {
            return refused(dossier::NOT_AUTHORISED);
        }
        if !product.eligible_on(WallClock::paris(now_ms).day) {
            return refused("Produit pas éligible au soutien à cette date");
        }
        if total < product.support_amount {
            return refused("Le seuil n'est pas dépassé");
        }
        Ok(success(
            200,
            json!([{"EcoOrganizationId": product.eco_organization_id, "SupportAmount": product.support_amount}]),
        ))
    }

    /// Validation errors of a dossier, for `account` in `env`.
    fn errors(&self, env: Environment, account: &Account, subject: Subject<'_>) -> Vec<Value> {
        let Subject {
            body,
            kind,
            attachments,
            claim_id,
            repair_end_ms,
        } = subject;
        let brand_ids = self.brand_ids(env);
        let dossiers = match env {
            Environment::Production => &self.production,
            Environment::Preproduction => &self.preproduction,
        };
        let earliest = repair_end_ms - WARRANTY_DAYS * DAY_MS;
        let recently = |serial: &str| {
            let seeded = self.referential.recent_repairs.iter().any(|r| {
                let repaired = self.started_ms - r.days_ago * DAY_MS;
                r.serial_number.eq_ignore_ascii_case(serial)
                    && repaired >= earliest
                    && repaired <= repair_end_ms
            });
            seeded
                || dossiers.claims.iter().any(|(id, c)| {
                    Some(*id) != claim_id
                        && c.submitted
                        && c.body
                            .pointer("/Product/SerialNumber")
                            .and_then(Value::as_str)
                            .is_some_and(|s| s.eq_ignore_ascii_case(serial))
                        && c.repair_end_ms >= earliest
                        && c.repair_end_ms <= repair_end_ms
                })
        };
        let ctx = dossier::Context {
            referential: &self.referential,
            account,
            brand_ids: &brand_ids,
            day: WallClock::paris(repair_end_ms).day,
            attachments,
            serial_repaired_recently: &recently,
        };
        dossier::validate(body, kind, &ctx)
    }

    /// The unknown-brand refusal of E13, before anything is stored.
    fn unknown_brand_refusal(&self, body: &Value) -> Option<Response> {
        let brand = body.pointer("/Product/BrandId").and_then(Value::as_str)?;
        let product = self
            .referential
            .product(body.pointer("/Product/ProductId").and_then(Value::as_str)?)?;
        (brand.trim() == "0" && !product.unknown_brand_covered)
            .then(|| refusal(200, "W", "Invalid organization", None))
    }

    fn create_request(&mut self, call: Call<'_>) -> Result<Response, Response> {
        let Call {
            env,
            account,
            request,
            now_ms,
        } = call;
        check_site(account, &required_param(request, "RepairSiteId")?)?;
        required_param(request, "QuoteNumber")?;
        // A request is judged on its call's day, as the client judges it.
        let dated = optional_date_time(request, "CallDate")?.unwrap_or(now_ms);
        let body = dossier_body(request, Kind::Request)?;
        if let Some(refused) = self.unknown_brand_refusal(&body) {
            return Ok(refused);
        }
        let errors = self.errors(env, account, Subject::request(&body, dated));
        let dossiers = self.dossiers(env);
        let id = dossiers
            .requests
            .keys()
            .next_back()
            .map_or(FIRST_REQUEST_ID, |last| last + 1);
        let complete = errors.is_empty();
        dossiers.requests.insert(
            id,
            SupportRequest {
                api_key: account.api_key.clone(),
                body,
                created_ms: now_ms,
                complete,
                converted: false,
            },
        );
        Ok(request_reply(id, errors))
    }

    /// E8: the real server reads the id from `claimId`; `RequestId`, the documented name, is the
    /// fallback.
    fn update_request(&mut self, call: Call<'_>) -> Result<Response, Response> {
        let Call {
            env,
            account,
            request,
            now_ms,
        } = call;
        let id = id_param(request, "claimId").or_else(|_| id_param(request, "RequestId"))?;
        let dated = optional_date_time(request, "CallDate")?.unwrap_or(now_ms);
        if let Some(site) = request.query_value("RepairSiteId") {
            check_site(account, &site)?;
        }
        let body = dossier_body(request, Kind::Request)?;
        let existing = self
            .dossiers(env)
            .requests
            .get(&id)
            .filter(|r| r.api_key == account.api_key)
            .cloned();
        let Some(existing) = existing else {
            return Err(invalid_claim());
        };
        if existing.complete {
            return Err(conflict(
                "La demande de soutien a été validée par le consommateur et ne peut plus être modifiée",
            ));
        }
        if let Some(refused) = self.unknown_brand_refusal(&body) {
            return Ok(refused);
        }
        let errors = self.errors(env, account, Subject::request(&body, dated));
        let complete = errors.is_empty();
        self.dossiers(env).requests.insert(
            id,
            SupportRequest {
                body,
                complete,
                ..existing
            },
        );
        Ok(request_reply(id, errors))
    }

    fn request_status(&mut self, call: Call<'_>) -> Result<Response, Response> {
        let Call {
            env,
            account,
            request,
            now_ms,
        } = call;
        let id = id_param(request, "RequestId")?;
        let Some(found) = self
            .dossiers(env)
            .requests
            .get(&id)
            .filter(|r| r.api_key == account.api_key)
            .cloned()
        else {
            return Err(invalid_claim());
        };
        let errors = self.errors(env, account, Subject::request(&found.body, now_ms));
        Ok(success(
            200,
            json!([{
                "RequestId": id,
                "LastStatus": if found.converted { STATUS_CLOSED } else { STATUS_VALIDATED },
                "Comment": found.body.pointer("/Product/FailureDescription").cloned().unwrap_or(Value::Null),
                "CreateDate": local_time(found.created_ms),
                "ValidationErrors": errors,
            }]),
        ))
    }

    fn create_claim(&mut self, call: Call<'_>) -> Result<Response, Response> {
        let Call {
            env,
            account,
            request,
            now_ms,
        } = call;
        let request_id = match request.query_value("RequestId") {
            None => None,
            Some(v) if v.trim().is_empty() || v.trim().eq_ignore_ascii_case("null") => None,
            Some(_) => Some(id_param(request, "RequestId")?),
        };
        let repair_end_ms = date_time_param(request, "RepairEndDate")?;
        check_site(account, &required_param(request, "RepairSiteId")?)?;
        let invoice = required_param(request, "ConsumerInvoiceNumber")?
            .trim()
            .to_owned();
        let body = dossier_body(request, Kind::Claim)?;
        // T11: an invoice already claimed by this account is refused (solution-phone: "numéro
        // facture déjà utilisé"); no claim is created.
        if self.invoice_held(env, account, &invoice, None) {
            return Ok(refused_request(INVOICE_USED));
        }
        if let Some(id) = request_id {
            match self
                .dossiers(env)
                .requests
                .get(&id)
                .filter(|r| r.api_key == account.api_key)
            {
                None => return Err(invalid_claim()),
                Some(r) if !r.complete => {
                    return Err(conflict(
                        "the support request is not validated by the consumer",
                    ));
                }
                Some(r) if r.converted => {
                    return Err(conflict("a claim already exists for this support request"));
                }
                Some(_) => {}
            }
        }
        if let Some(refused) = self.unknown_brand_refusal(&body) {
            return Ok(refused);
        }
        let dossiers = self.dossiers(env);
        let id = dossiers
            .claims
            .keys()
            .next_back()
            .map_or(FIRST_CLAIM_ID, |last| last + 1);
        if let Some(r) = request_id.and_then(|rid| dossiers.requests.get_mut(&rid)) {
            r.converted = true;
        }
        let claim = Claim {
            api_key: account.api_key.clone(),
            body,
            created_ms: now_ms,
            repair_end_ms,
            attachments: Vec::new(),
            submitted: false,
            invoice,
            decided: None,
        };
        dossiers.claims.insert(id, claim);
        Ok(self.claim_reply(env, account, id))
    }

    /// Whether a claim of `account` other than `except` holds `invoice` (in any case, T11).
    fn invoice_held(
        &mut self,
        env: Environment,
        account: &Account,
        invoice: &str,
        except: Option<i64>,
    ) -> bool {
        self.dossiers(env).claims.iter().any(|(id, c)| {
            Some(*id) != except
                && c.api_key == account.api_key
                && c.invoice.eq_ignore_ascii_case(invoice)
        })
    }

    fn claim(&mut self, env: Environment, account: &Account, id: i64) -> Result<Claim, Response> {
        self.dossiers(env)
            .claims
            .get(&id)
            .filter(|c| c.api_key == account.api_key)
            .cloned()
            .ok_or_else(invalid_claim)
    }

    fn claim_errors(
        &self,
        env: Environment,
        account: &Account,
        id: i64,
        claim: &Claim,
    ) -> Vec<Value> {
        let subject = Subject {
            body: &claim.body,
            kind: Kind::Claim,
            attachments: &claim.attachments,
            claim_id: Some(id),
            repair_end_ms: claim.repair_end_ms,
        };
        self.errors(env, account, subject)
    }

    /// The create/update reply: 200 when complete, 206 with the errors otherwise.
    fn claim_reply(&mut self, env: Environment, account: &Account, id: i64) -> Response {
        let Ok(claim) = self.claim(env, account, id) else {
            return invalid_claim();
        };
        let errors = self.claim_errors(env, account, id, &claim);
        if errors.is_empty() {
            success(200, json!({"ClaimId": id, "IsValid": true}))
        } else {
            success(
                206,
                json!({"ClaimId": id, "IsValid": false, "ValidationErrors": errors, "ErrorMessage": "Validation Errors"}),
            )
        }
    }

    fn update_claim(&mut self, call: Call<'_>) -> Result<Response, Response> {
        let Call {
            env,
            account,
            request,
            ..
        } = call;
        let id = id_param(request, "ClaimId")?;
        let claim = self.claim(env, account, id)?;
        if claim.submitted {
            return Err(conflict(
                "La mise à jour n'est plus possible après la soumission de la demande",
            ));
        }
        let repair_end_ms = date_time_param(request, "RepairEndDate")?;
        check_site(account, &required_param(request, "RepairSiteId")?)?;
        let invoice = required_param(request, "ConsumerInvoiceNumber")?
            .trim()
            .to_owned();
        let submit = match request
            .query_value("Submit")
            .map(|s| s.trim().to_ascii_lowercase())
        {
            None => false,
            Some(s) if s == "true" => true,
            Some(s) if s == "false" => false,
            Some(_) => return Err(invalid_request("Submit must be true or false")),
        };
        let body = dossier_body(request, Kind::Claim)?;
        if let Some(refused) = self.unknown_brand_refusal(&body) {
            return Ok(refused);
        }
        // T11: an update may keep its own invoice number, never take another claim's.
        if self.invoice_held(env, account, &invoice, Some(id)) {
            return Ok(refused_request(INVOICE_USED));
        }
        self.dossiers(env).claims.insert(
            id,
            Claim {
                body,
                repair_end_ms,
                invoice,
                ..claim
            },
        );
        if submit {
            let updated = self.claim(env, account, id)?;
            if self.claim_errors(env, account, id, &updated).is_empty()
                && let Some(c) = self.dossiers(env).claims.get_mut(&id)
            {
                c.submitted = true;
                c.decided
                    .take_if(|(status, _)| status == STATUS_NOT_CONFORM);
            }
        }
        Ok(self.claim_reply(env, account, id))
    }

    fn attach(&mut self, call: Call<'_>) -> Result<Response, Response> {
        let Call {
            env,
            account,
            request,
            ..
        } = call;
        let id = id_param(request, "ClaimId")?;
        let claim = self.claim(env, account, id)?;
        let bad = |text: &str| Err(message(400, text));
        if claim.submitted {
            return Err(message(
                409,
                "The claim is submitted: no attachment can be added.",
            ));
        }
        // The contract has checked the parameters and the body's shape; what it cannot check is
        // that the content really is base64, and its decoded size.
        // R6: the server reads the type in any case.
        let document_type = request
            .query_value("DocumentType")
            .unwrap_or_default()
            .to_ascii_uppercase();
        let body = json_body(request).map_err(|e| message(400, &e))?;
        let content = body
            .get("FileContent")
            .and_then(Value::as_str)
            .unwrap_or_default();
        let Ok(bytes) = base64::engine::general_purpose::STANDARD.decode(content.trim()) else {
            return bad("FileContent is not valid base64.");
        };
        if bytes.is_empty() || bytes.len() > MAX_ATTACHMENT_BYTES {
            return bad("FileContent must hold between 1 and 10485760 bytes.");
        }
        if let Some(c) = self.dossiers(env).claims.get_mut(&id)
            && !c.attachments.contains(&document_type)
        {
            c.attachments.push(document_type);
        }
        Ok(Response::text(200, "Code 200 -> OK"))
    }

    fn claim_status(&mut self, call: Call<'_>) -> Result<Response, Response> {
        let Call {
            env,
            account,
            request,
            ..
        } = call;
        let id = id_param(request, "ClaimId")?;
        let claim = self.claim(env, account, id)?;
        Ok(success(200, self.status_data(env, account, id, &claim)))
    }

    fn status_data(&self, env: Environment, account: &Account, id: i64, claim: &Claim) -> Value {
        let errors = self.claim_errors(env, account, id, claim);
        let status = match (claim.submitted, errors.is_empty()) {
            (true, _) => STATUS_SUBMITTED,
            (false, true) => STATUS_COMPLETE,
            (false, false) => STATUS_INCOMPLETE,
        };
        let comment = claim
            .body
            .pointer("/Product/FailureDescription")
            .cloned()
            .unwrap_or(Value::Null);
        let (status, comment) = match &claim.decided {
            Some((status, comment)) => (status.as_str(), json!(comment)),
            None => (status, comment),
        };
        json!({
            "ClaimId": id,
            "LastStatus": status,
            "Comment": comment,
            "CreateDate": local_time(claim.created_ms),
            "ValidationErrors": if claim.submitted { Vec::new() } else { errors },
        })
    }

    fn submit(&mut self, call: Call<'_>) -> Result<Response, Response> {
        let Call {
            env,
            account,
            request,
            ..
        } = call;
        let id = id_param(request, "claimId")?;
        let claim = self.claim(env, account, id)?;
        if claim.submitted || self.claim_errors(env, account, id, &claim).is_empty() {
            if let Some(c) = self.dossiers(env).claims.get_mut(&id) {
                c.submitted = true;
                c.decided
                    .take_if(|(status, _)| status == STATUS_NOT_CONFORM);
            }
            return Ok(success(200, json!({"ClaimId": id, "IsValid": true})));
        }
        let mut data = self.status_data(env, account, id, &claim);
        if let Some(object) = data.as_object_mut() {
            object.insert("IsValid".into(), Value::Bool(false));
        }
        Ok(success(200, data))
    }
}

impl Ecologic {
    /// Sets what Ecologic's staff decided of claim `id` (R10), as `getclaimstatus` then reports
    /// it: "Remboursement accepté", "refusé", "NotConform" with a `Comment`… `false` if there is
    /// no such claim.
    pub fn decide(
        &mut self,
        env: Environment,
        id: i64,
        status: String,
        comment: Option<String>,
    ) -> bool {
        match self.dossiers(env).claims.get_mut(&id) {
            Some(claim) => {
                // A claim asked for a correction is open again: updated, attached to and
                // submitted anew (ECL l.471-472, T5).
                if status == STATUS_NOT_CONFORM {
                    claim.submitted = false;
                }
                claim.decided = Some((status, comment));
                true
            }
            None => false,
        }
    }
}

fn request_reply(id: i64, errors: Vec<Value>) -> Response {
    let complete = errors.is_empty();
    let mut data = json!({"EcoOrganizationId": 44, "RequestId": id, "IsValid": complete});
    if !complete {
        data["ValidationErrors"] = Value::Array(errors);
    }
    success(if complete { 200 } else { 206 }, data)
}
