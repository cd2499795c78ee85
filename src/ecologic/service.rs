//! The client's state and its operations: input checks against the spec and the referentials,
//! reads and writes through the shared call path, envelopes unwrapped.

use super::envelope;
use super::inputs::*;
use super::outcomes::*;
use super::referential::{Items, List, Referentials};
use super::rules::{self, Catalogue};
use crate::auth::Auth;
use crate::call::{self, Policy, Repeat, Reply, Settings};
use crate::error::{Code, FieldError, SdkError};
use crate::generated::ecologic::{self, types as api};
use crate::js::{self, PerCall};
use crate::json::Sent;
use crate::schema::Spec;
use crate::transport::Context;
use crate::values::{ParisDateTime, decoded_len};
use repair_dates::{Day, WallClock};
use serde_json::Value;
use std::future::Future;
use std::rc::Rc;
use wasm_bindgen::JsValue;

/// One client's state: how calls reach Ecologic, and the referential cache.
pub(super) struct Ecologic {
    pub(super) connection: Rc<Connection>,
    pub(super) referential_max_age_ms: f64,
    pub(super) referentials: Referentials,
}

impl Ecologic {
    /// A read (`operation_id` names it, for its reply's schema): retried when safe.
    pub(super) async fn read<F, Fut>(
        &self,
        settings: &Settings,
        operation_id: &str,
        operation: F,
    ) -> Result<Value, SdkError>
    where
        F: Fn(ecologic::Client) -> Fut,
        Fut: Future<Output = Sent>,
    {
        self.connection
            .send(settings, Repeat::Safe, operation_id, operation)
            .await
    }

    /// A write: never re-sent once it may have reached the server.
    pub(super) async fn write<F, Fut>(
        &self,
        settings: &Settings,
        operation_id: &str,
        operation: F,
    ) -> Result<Value, SdkError>
    where
        F: Fn(ecologic::Client) -> Fut,
        Fut: Future<Output = Sent>,
    {
        self.connection
            .send(settings, Repeat::Never, operation_id, operation)
            .await
    }

    /// A referential, from the cache when it is fresh; concurrent calls share one read.
    pub(super) async fn referential(&self, list: List) -> Result<Items, SdkError> {
        if let Some(items) = self.referentials.get(list, self.referential_max_age_ms) {
            return Ok(items);
        }
        let loading = self.referentials.loading(list, || {
            let connection = self.connection.clone();
            async move {
                // Shared by every caller waiting for it: the client's policy, no one's signal.
                let settings = Settings::of(connection.policy);
                let data = connection
                    .send(&settings, Repeat::Safe, list.operation_id(), |c| {
                        list.read(c)
                    })
                    .await?;
                Ok(Rc::new(match data {
                    Value::Array(items) => items,
                    _ => Vec::new(),
                }))
            }
        });
        let outcome = loading.await;
        self.referentials.settle(list, &outcome);
        outcome
    }

    /// Reads a call's input, fills defaults (`prepare`; `AutoValidation` is set by
    /// `rules::offline_mode`), checks it against the spec, then against the referentials (`rules`).
    pub(super) async fn checked(
        &self,
        js_input: &JsValue,
        operation_id: &str,
        prepare: impl FnOnce(&mut Value),
        rules: &dyn Fn(&Value, &Catalogue<'_>, &mut Vec<FieldError>),
    ) -> Result<Value, SdkError> {
        let read = crate::input::read(js_input, "input").await;
        let mut value = read.value;
        prepare(&mut value);
        self.check(value, read.errors, operation_id, rules).await
    }

    /// [`Self::checked`] for an input already read, with the faults found so far.
    pub(super) async fn check(
        &self,
        mut value: Value,
        mut errors: Vec<FieldError>,
        operation_id: &str,
        rules: &dyn Fn(&Value, &Catalogue<'_>, &mut Vec<FieldError>),
    ) -> Result<Value, SdkError> {
        rules::offline_mode(&mut value, &mut errors);
        rules::empty_purchase_date(&mut value);
        rules::default_currency(&mut value);
        Spec::ecologic().normalise(operation_id, &mut value);
        js::check(Spec::ecologic(), operation_id, &value, &mut errors);
        rules::french_zip(&value, &mut errors);
        // The referential rules skip fields already at fault, so every fault is reported at once.
        match (
            self.referential(List::Brands).await,
            self.referential(List::ProductTypes).await,
        ) {
            (Ok(brands), Ok(products)) => rules(
                &value,
                &Catalogue {
                    brands: &brands,
                    products: &products,
                },
                &mut errors,
            ),
            (Err(e), _) | (_, Err(e)) if errors.is_empty() => return Err(e),
            _ => {}
        }
        if errors.is_empty() {
            Ok(value)
        } else {
            Err(SdkError::validation(errors))
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
        let q = &EcoSupportQuery::of_dossier(dossier)?;
        let outcome = self
            .read(settings, "calculateEcoSupport", |c| async move {
                c.calculate_eco_support(
                    &q.brand_id,
                    q.brand_name.as_deref(),
                    None,
                    &q.product_id,
                    None,
                    &q.excl_vat,
                    q.currency,
                    &q.incl_vat,
                    q.currency_incl_vat,
                )
                .await
            })
            .await;
        match outcome {
            Err(e) if envelope::is_final(&e) => Err(e),
            _ => Ok(()),
        }
    }

    /// Creates a claim from its checked input.
    pub(super) async fn create_claim(
        &self,
        settings: &Settings,
        mut checked: Value,
    ) -> Result<DossierOutcome, SdkError> {
        let invoice: api::CreateClaimConsumerInvoiceNumber =
            js::param(&checked, "ConsumerInvoiceNumber")?;
        let quote: Option<String> = js::param(&checked, "QuoteNumber")?;
        let end: ParisDateTime = js::param(&checked, "RepairEndDate")?;
        let site: api::CreateClaimRepairSiteId = js::param(&checked, "RepairSiteId")?;
        let request: Option<api::RecordId> = js::param(&checked, "RequestId")?;
        let body = &Spec::ecologic().body("createClaim", &mut checked);
        let (invoice, quote, end, site, request) =
            (&invoice, quote.as_deref(), &end, &site, request.as_ref());
        let result = self
            .write(settings, "createClaim", |c| async move {
                c.create_claim(invoice, quote, end, site, request, body)
                    .await
            })
            .await?;
        Ok(dossier_outcome(&result, "ClaimId"))
    }

    /// Attaches a file (`attachFile`'s checked input, whatever its `ClaimId`) to claim `claim_id`.
    pub(super) async fn attach(
        &self,
        claim_id: api::RecordId,
        mut file: Value,
        call: &PerCall,
    ) -> Result<String, SdkError> {
        let file_name: api::AttachFileFileName = js::param(&file, "FileName")?;
        let file_extension: api::FileExtension = js::param(&file, "FileExtension")?;
        let document_type: api::DocumentType = js::param(&file, "DocumentType")?;
        let name = format!("{}.{file_extension}", file_name.as_str());
        let body = Spec::ecologic().body("attachFile", &mut file);
        let bytes = body.0["FileContent"].as_str().map_or(0, decoded_len);
        call.progress.emit("attaching", Some(&name), Some(bytes));
        let file_name = &file_name;
        let connection = &self.connection;
        let documented = (Spec::ecologic(), "attachFile");
        let reply = call::send_json(
            &call.settings,
            Repeat::Never,
            &connection.auth,
            documented,
            |c| {
                let (client, body) = (connection.client(c), &body);
                async move {
                    client
                        .attach_file(&claim_id, document_type, file_extension, file_name, body)
                        .await
                }
            },
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
        id: api::RecordId,
    ) -> Result<Value, SdkError> {
        self.read(settings, "getClaimStatus", |c| async move {
            c.get_claim_status(&id).await
        })
        .await
    }

    pub(super) async fn submit(
        &self,
        settings: &Settings,
        id: api::RecordId,
    ) -> Result<SubmitOutcome, SdkError> {
        let result = self
            .write(settings, "submitClaim", |c| async move {
                c.submit_claim(&id).await
            })
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
    pub(super) fn client(&self, context: Context) -> ecologic::Client {
        ecologic::Client::new(&self.base_url, context)
    }

    /// Sends operation `operation_id` and unwraps its envelope.
    pub(super) async fn send<F, Fut>(
        &self,
        settings: &Settings,
        repeat: Repeat,
        operation_id: &str,
        operation: F,
    ) -> Result<Value, SdkError>
    where
        F: Fn(ecologic::Client) -> Fut,
        Fut: Future<Output = Sent>,
    {
        let documented = (Spec::ecologic(), operation_id);
        match call::send_json(settings, repeat, &self.auth, documented, |c| {
            operation(self.client(c))
        })
        .await?
        {
            Reply::Success { status, value } => envelope::unwrap(status, value),
            Reply::Refusal { status, body } => Err(envelope::error_reply(status, &body)),
        }
    }
}

/// `CallDate` is the current Paris time when the caller gives none (the server needs it).
pub(super) fn call_date_now(value: &mut Value) {
    let now = WallClock::paris(js_sys::Date::now() as i64);
    default(value, "CallDate", now.to_string());
}

/// Sets `key` of an object when it is absent or null.
pub(super) fn default(value: &mut Value, key: &str, default: impl Into<Value>) {
    if let Some(object) = value.as_object_mut()
        && object.get(key).is_none_or(Value::is_null)
    {
        object.insert(key.to_owned(), default.into());
    }
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

/// The French calendar day of parameter `name`, or today's when it is absent.
pub(super) fn day_of(value: &Value, name: &str) -> Day {
    value
        .get(name)
        .and_then(Value::as_str)
        .and_then(ParisDateTime::parse)
        .map_or_else(today, ParisDateTime::day)
}

/// Today in France.
pub(super) fn today() -> Day {
    WallClock::paris(js_sys::Date::now() as i64).day
}

/// A request or claim id given as a JS number.
pub(super) fn record_id(id: f64, name: &str) -> Result<api::RecordId, SdkError> {
    if id.is_finite() && id.fract() == 0.0 && (1.0..=9_007_199_254_740_991.0).contains(&id) {
        Ok(api::RecordId(id as i64))
    } else {
        Err(SdkError::validation(vec![FieldError::new(
            name,
            Code::Id,
            "must be a positive whole number (an id Ecologic returned)",
        )]))
    }
}
