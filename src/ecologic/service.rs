//! The client's state and its operations: input checks against the spec and the referentials,
//! reads and writes through the shared call path, envelopes unwrapped.

use super::envelope;
use super::outcomes::*;
use super::referential::{Items, List, Referential, Referentials};
use super::rules::{self, Catalogue};
use crate::auth::Auth;
use crate::call::{self, Policy, Repeat, Reply, Settings};
use crate::error::{Code, FieldError, SdkError};
use crate::files;
use crate::js::{self, PerCall};
use crate::schema::Operation;
use crate::schema::{Body, Request, Spec};
use crate::values::ParisDateTime;
use repair_dates::Day;
use serde_json::{Value, json};
use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;
use wasm_bindgen::JsValue;

/// One client's state: how calls reach Ecologic, the referential cache, and the invoice numbers
/// of the claims it created.
pub(super) struct Ecologic {
    pub(super) connection: Rc<Connection>,
    pub(super) referential_max_age_ms: f64,
    pub(super) referentials: Referentials,
    /// The `ConsumerInvoiceNumber` each of this client's claims holds: Ecologic refuses an
    /// invoice number used twice (T11).
    pub(super) invoices: RefCell<Invoices>,
    /// Where `claim()` records its steps.
    pub(super) journal: crate::journal::Journal,
}

/// Invoice numbers (trimmed, in any case) and the claims holding them, both ways.
#[derive(Default)]
pub(super) struct Invoices {
    by_number: HashMap<String, i64>,
    by_claim: HashMap<i64, String>,
}

impl Invoices {
    /// The claim holding `number`, if one does.
    fn held(&self, number: &str) -> Option<i64> {
        self.by_number.get(&invoice_key(number)).copied()
    }

    /// Claim `id` now holds `number`, instead of the one it had.
    fn remember(&mut self, number: &str, id: i64) {
        let key = invoice_key(number);
        if let Some(old) = self.by_claim.remove(&id)
            && self.by_number.get(&old) == Some(&id)
        {
            self.by_number.remove(&old);
        }
        if self.by_claim.len() < INVOICES_KEPT {
            self.by_number.insert(key.clone(), id);
            self.by_claim.insert(id, key);
        }
    }
}

/// `EcoOrganizationId` of Ecosystem, the sister eco-organism (ECL l.16).
const ECOSYSTEM: i64 = 45;

/// The most invoice numbers a client remembers (a long-lived service makes many claims).
const INVOICES_KEPT: usize = 100_000;

impl Ecologic {
    /// Reads with operation `operation` and its checked `input`: retried when safe.
    pub(super) async fn read(
        &self,
        settings: &Settings,
        operation: Operation,
        input: Value,
    ) -> Result<Value, SdkError> {
        let request = call::request(operation, input)?;
        self.connection.send(settings, Repeat::Safe, request).await
    }

    /// Writes with operation `operation` and its checked `input`: never re-sent once it may have
    /// reached the server.
    pub(super) async fn write(
        &self,
        settings: &Settings,
        operation: Operation,
        input: Value,
    ) -> Result<Value, SdkError> {
        let request = call::request(operation, input)?;
        let outcome = self.connection.send(settings, Repeat::Never, request).await;
        outcome.map_err(created)
    }

    /// A referential, from the cache when it is fresh; concurrent calls share one read, which
    /// each waits for within its own signal and `timeoutMs`.
    pub(super) async fn referential(
        &self,
        settings: &Settings,
        list: List,
    ) -> Result<Items, SdkError> {
        if let Some(items) = self.referentials.get(list, self.referential_max_age_ms) {
            return Ok(items);
        }
        let loading = self.referentials.loading(list, || {
            let connection = self.connection.clone();
            let journal = self.journal.clone();
            let max_age_ms = self.referential_max_age_ms;
            async move {
                // Another instance's read, while it is fresh (`shareCaches`).
                let name = format!("referential:{}", list.operation().id());
                let timeout_ms = connection.policy.timeout.as_millis() as f64;
                if let Some(kept) = journal.cached(&name, timeout_ms).await
                    && let (Some(at), Value::Array(items)) = (kept["at"].as_f64(), &kept["items"])
                    && js_sys::Date::now() - at < max_age_ms
                {
                    return Ok(Rc::new(Referential::new(list, items.clone(), at)));
                }
                // Shared by every caller waiting for it: the client's policy, no one's signal.
                let settings = Settings::of(connection.policy.clone());
                let request = call::request(list.operation(), json!({}))?;
                let data = connection.send(&settings, Repeat::Safe, request).await?;
                let items = match data {
                    Value::Array(items) => items,
                    _ => Vec::new(),
                };
                let kept = json!({"at": js_sys::Date::now(), "items": items});
                journal.cache(&name, &kept, max_age_ms, timeout_ms).await;
                Ok(Rc::new(Referential::new(list, items, js_sys::Date::now())))
            }
        });
        let outcome = call::within(settings, Repeat::Safe, false, loading.clone()).await;
        if outcome.is_ok() || loading.peek().is_some() {
            self.referentials.settle(list, &outcome);
        }
        outcome
    }

    /// Reads a call's input and checks it (`crate::validate::offline`: its defaults, the spec,
    /// the rules that need no referential), then against the referentials (`rules`).
    pub(super) async fn checked(
        &self,
        settings: &Settings,
        js_input: &JsValue,
        operation: Operation,
        rules: &dyn Fn(&Value, &Catalogue<'_>, &mut Vec<FieldError>),
    ) -> Result<Value, SdkError> {
        let read = crate::input::read(js_input, "input", &settings.files).await;
        self.check(settings, read.value, read.errors, operation, rules, None)
            .await
    }

    /// [`Self::checked`] for an input already read, with the faults found so far. The rules that
    /// need no referential come first: an input they refuse is refused without a request.
    pub(super) async fn check(
        &self,
        settings: &Settings,
        mut value: Value,
        mut errors: Vec<FieldError>,
        operation: Operation,
        rules: &dyn Fn(&Value, &Catalogue<'_>, &mut Vec<FieldError>),
        claim: Option<i64>,
    ) -> Result<Value, SdkError> {
        crate::validate::offline(operation, &mut value, &js::now(), &mut errors);
        self.invoice_unused(&value, claim, &mut errors);
        if !errors.is_empty() {
            return Err(SdkError::validation(errors));
        }
        // Both read at once (a first call waits for one round trip, not two). The labelled
        // product types, as every integration reads them (T2): their codes are the ones Ecologic
        // labels for the repairer.
        let read = |list: List| async move {
            // Nothing of the call was sent yet: a write may be sent again safely.
            self.referential(settings, list).await.map_err(|e| {
                e.with(|d| d.may_have_reached_server = Some(false))
                    .before(list.operation())
            })
        };
        // The first to fail is the error, at once (the other read, shared, goes on for its waiters).
        let (brands, products) =
            futures_util::future::try_join(read(List::Brands), read(List::LabelledProductTypes))
                .await?;
        let (brands, products) = (&brands, &products);
        rules(&value, &Catalogue { brands, products }, &mut errors);
        if errors.is_empty() {
            Ok(value)
        } else {
            Err(SdkError::validation(errors))
        }
    }

    /// T11: a claim's `ConsumerInvoiceNumber` that another claim of this client holds is refused
    /// before sending, as Ecologic refuses it. The claim is the input's `ClaimId`, or `claim`.
    fn invoice_unused(&self, value: &Value, claim: Option<i64>, errors: &mut Vec<FieldError>) {
        const FIELD: &str = "ConsumerInvoiceNumber";
        let Some(given) = value.get(FIELD).and_then(Value::as_str) else {
            return;
        };
        let this = value.get("ClaimId").and_then(Value::as_i64).or(claim);
        let held = self.invoices.borrow().held(given);
        if let Some(other) = held.filter(|other| Some(*other) != this) {
            errors.push(
                FieldError::new(
                    FIELD,
                    Code::InvoiceUsed,
                    format!("`{given}` is already the invoice number of claim {other}: Ecologic refuses an invoice number used twice"),
                )
                .with("given", given)
                .with("other", other.to_string()),
            );
        }
    }

    /// Remembers the invoice number of claim `id` (created or updated).
    pub(super) fn remember_invoice(&self, number: Option<&str>, id: i64) {
        if let Some(number) = number {
            self.invoices.borrow_mut().remember(number, id);
        }
    }

    /// Whether the account may claim for the product (its sites hold the product's "fiche
    /// métier", E13's organisation covers the brand), as the eco-support calculation says:
    /// a claim that cannot succeed is refused before it is created. Other answers of the
    /// calculation (a threshold, a code) are the claim's own validation errors.
    pub(super) async fn competence(
        &self,
        settings: &Settings,
        dossier: &Value,
    ) -> Result<(), SdkError> {
        let (product, quote) = (&dossier["Product"], &dossier["Quote"]);
        let (excl, incl) = (&quote["TotalAmountExclVAT"], &quote["TotalAmountInclVAT"]);
        let calculation = json!({
            "BrandId": product["BrandId"], "BrandName": product["BrandName"],
            "ProductId": product["ProductId"],
            "TotalAmountExclVAT": excl["Amount"], "TotalAmountExclVAT_Currency": excl["Currency"],
            "TotalAmountInclVAT": incl["Amount"], "TotalAmountInclVATCurrency": incl["Currency"],
        });
        let outcome = self
            .read(settings, Operation::CalculateEcoSupport, calculation)
            .await;
        match outcome {
            Err(e) if envelope::is_final(&e) => Err(e),
            // No answer (the network, a 5xx, a reply off its schema): which eco-organism covers
            // the product is unknown, and an Ecosystem product must never become a claim (T4).
            Err(e) if e.kind != crate::error::Kind::Refused || e.status.is_some_and(|s| s >= 500) => {
                Err(e
                    .with(|d| d.may_have_reached_server = Some(false))
                    .before(Operation::CalculateEcoSupport))
            }
            // T4: a product Ecosystem covers is Ecosystem's claim, never Ecologic's.
            Ok(Value::Array(supports))
                if supports.iter().any(|s| s["EcoOrganizationId"] == ECOSYSTEM) =>
            {
                Err(SdkError::new(
                    crate::error::Kind::Refused,
                    "This product and brand are covered by Ecosystem (EcoOrganizationId 45), not Ecologic: their repair bonus is claimed through Ecosystem's own platform. No claim was created.",
                )
                .with(|d| {
                    d.reason = Some(crate::error::RefusalReason::Ecosystem);
                    d.may_have_reached_server = Some(false);
                }))
            }
            _ => Ok(()),
        }
    }

    /// Creates a claim from its checked input; its invoice number is remembered once the claim
    /// exists (even when a later check of the reply fails).
    pub(super) async fn create_claim(
        &self,
        settings: &Settings,
        checked: Value,
    ) -> Result<DossierOutcome, SdkError> {
        let number = checked["ConsumerInvoiceNumber"].as_str().map(str::to_owned);
        let outcome = self
            .write(settings, Operation::CreateClaim, checked)
            .await
            .map(|result| dossier_outcome(&result, "ClaimId"));
        let id = match &outcome {
            Ok(created) => Some(created.id),
            Err(error) => error.details.claim_id,
        };
        if let Some(id) = id {
            self.remember_invoice(number.as_deref(), id);
        }
        outcome
    }

    /// Attaches a file (`attachFile`'s checked input, whatever its `ClaimId`) to claim `claim_id`.
    pub(super) async fn attach(
        &self,
        claim_id: i64,
        mut file: Value,
        call: &PerCall,
    ) -> Result<String, SdkError> {
        let name = attached_name(&file);
        file["ClaimId"] = claim_id.into();
        let request = call::request(Operation::AttachFile, file)?;
        let bytes = match &request.body {
            Body::Json(body) => body["FileContent"]
                .as_str()
                .and_then(files::size)
                .unwrap_or(0),
            _ => 0,
        };
        call.progress.emit("attaching", Some(&name), Some(bytes));
        let connection = &self.connection;
        let target = (Spec::ecologic(), connection.base_url.as_str());
        let reply = call::send(
            &call.settings,
            Repeat::Never,
            &connection.auth,
            target,
            request,
        )
        .await?;
        match reply {
            Reply::Success { .. } => {
                call.progress.emit("attached", Some(&name), Some(bytes));
                Ok(name)
            }
            Reply::Refusal { status, body } => Err(envelope::error_reply(status, &body)),
        }
    }

    pub(super) async fn claim_status(
        &self,
        settings: &Settings,
        id: i64,
    ) -> Result<Value, SdkError> {
        self.read(
            settings,
            Operation::GetClaimStatus,
            json!({ "ClaimId": id }),
        )
        .await
    }

    pub(super) async fn submit(
        &self,
        settings: &Settings,
        id: i64,
    ) -> Result<SubmitOutcome, SdkError> {
        let result = self
            .write(settings, Operation::SubmitClaim, json!({ "claimId": id }))
            .await?;
        Ok(submit_outcome(&result))
    }
}

/// How a client's calls reach Ecologic; shared with its referential reads in flight.
pub(super) struct Connection {
    pub(super) base_url: String,
    pub(super) policy: Policy,
    pub(super) auth: Auth,
}

impl Connection {
    /// Sends `request` and unwraps its envelope.
    pub(super) async fn send(
        &self,
        settings: &Settings,
        repeat: Repeat,
        request: Request,
    ) -> Result<Value, SdkError> {
        let target = (Spec::ecologic(), self.base_url.as_str());
        match call::send(settings, repeat, &self.auth, target, request).await? {
            Reply::Success { status, value } => envelope::unwrap(status, value),
            Reply::Refusal { status, body } => Err(envelope::error_reply(status, &body)),
        }
    }
}

/// A write's error keeps the ids its reply holds, even when the reply broke its schema: what the
/// server created is never lost (T1).
fn created(error: SdkError) -> SdkError {
    let data = error.reply.as_ref().map(|r| &r["ResponseData"]);
    // An id as a number, or as its text (a reply that breaks its schema may say `"5312276"`).
    let id = |key: &str| {
        let id = data.and_then(|d| d.get(key))?;
        id.as_i64().or_else(|| id.as_str()?.trim().parse().ok())
    };
    let (claim, request) = (id("ClaimId"), id("RequestId"));
    error.with(|d| {
        d.claim_id = d.claim_id.or(claim);
        d.request_id = d.request_id.or(request);
    })
}

/// An invoice number as Ecologic compares them (trimmed, in any case).
fn invoice_key(given: &str) -> String {
    given.trim().to_ascii_lowercase()
}

pub(super) fn request_rules(
    value: &Value,
    catalogue: &Catalogue<'_>,
    errors: &mut Vec<FieldError>,
) {
    rules::product(
        value,
        &rules::DOSSIER,
        &day_of(value, "CallDate"),
        catalogue,
        errors,
    );
}

pub(super) fn claim_rules(value: &Value, catalogue: &Catalogue<'_>, errors: &mut Vec<FieldError>) {
    rules::product(
        value,
        &rules::DOSSIER,
        &day_of(value, "RepairEndDate"),
        catalogue,
        errors,
    );
}

/// The name `attachFile` gives a file: `FileName.FileExtension`.
pub(super) fn attached_name(file: &Value) -> String {
    let part = |key: &str| file[key].as_str().unwrap_or_default().to_owned();
    format!("{}.{}", part("FileName"), part("FileExtension"))
}

/// The French calendar day of parameter `name`, or today's when it is absent.
pub(super) fn day_of(value: &Value, name: &str) -> Day {
    value
        .get(name)
        .and_then(Value::as_str)
        .and_then(ParisDateTime::parse)
        .map_or_else(|| js::now().day, ParisDateTime::day)
}

/// A request or claim id given as a JS number (anything else, a `BigInt` or an object whose
/// `valueOf` throws among them, is never converted: it is at fault).
pub(super) fn record_id(id: &JsValue, name: &str) -> Result<i64, SdkError> {
    let id = id.as_f64().unwrap_or(f64::NAN);
    if id.is_finite() && id.fract() == 0.0 && (1.0..=9_007_199_254_740_991.0).contains(&id) {
        Ok(id as i64)
    } else {
        Err(SdkError::validation(vec![FieldError::new(
            name,
            Code::Id,
            "must be a positive whole number (an id Ecologic returned)",
        )]))
    }
}
