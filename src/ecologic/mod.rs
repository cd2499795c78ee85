//! `EcologicClient`: referentials (cached), eco-support calculation, support requests, claims,
//! attachments and submission, and the claim workflow.

pub(crate) mod envelope;
mod inputs;
mod referential;
mod rules;

use crate::auth::Auth;
use crate::call::{self, Policy, Repeat, Reply, Settings};
use crate::error::{Code, FieldError, SdkError};
use crate::generated::ecologic::{self, types as api};
use crate::js::{self, CallPolicy, PerCall};
use crate::schema::Spec;
use crate::transport::Context;
use envelope::Envelope;
use inputs::*;
use progenitor_client::{Error, ResponseValue};
use referential::{Cached, Referentials};
use rules::Catalogue;
use serde::{Deserialize, Serialize};

#[wasm_bindgen(typescript_custom_section)]
const TS_ECOLOGIC: &str = r#"
/** `claim()` input: the claim, the files to attach in order (the invoice and the consumer's proof always, the nameplate for "Fiche métier 7" products, E15), and whether to submit (default true). */
export type ClaimWorkflowInput = CreateClaimInput & { files: ClaimFile[]; submit?: boolean };
"#;
use crate::values::ParisDateTime;
use repair_dates::{Day, WallClock};
use serde_json::Value;
use std::future::Future;
use std::rc::Rc;
use tsify::Tsify;
use wasm_bindgen::prelude::*;

const PRODUCTION: &str = "https://apiecologic.e-reparateur.eco/api/v1/ecosupport";
const PREPRODUCTION: &str = "https://preprod-apiecologic.e-reparateur.eco/api/v1/ecosupport";
/// E16: referentials are read again after a day.
const DAY_MS: u32 = 86_400_000;

/// Which Ecologic platform; ids and keys differ between them.
#[derive(Clone, Copy, Debug, Deserialize, Tsify)]
#[serde(rename_all = "lowercase")]
pub enum Environment {
    /// Calls trigger real actions with the Fonds Réparations EEE.
    Production,
    /// Pre-production; key from support@e-reparateur.eco.
    Preproduction,
}

/// `new EcologicClient(options)`.
#[derive(Deserialize, Tsify)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct EcologicOptions {
    environment: Environment,
    /// Base URL override (your back end, or the sandbox); the environment's host otherwise.
    #[tsify(optional)]
    base_url: Option<String>,
    /// The account's api key (`api_key` header). Server side only: never ship it to a browser.
    #[tsify(optional)]
    api_key: Option<String>,
    /// Instead of `apiKey`: returns the headers to send (what a browser portal uses, through its back end).
    #[serde(default, with = "serde_wasm_bindgen::preserve")]
    #[tsify(optional, type = "HeadersCallback")]
    headers: JsValue,
    /// How long referentials are kept, in milliseconds (default and maximum 86 400 000: 24 h).
    #[serde(default)]
    referential_max_age_ms: Option<u32>,
    /// Milliseconds to wait for each attempt's reply (default 30 000, at most 600 000).
    #[serde(default)]
    timeout_ms: Option<u32>,
    /// Retries of a call that is safe to repeat, after a network error, a timeout, 429 or 502–504 (default 2).
    #[serde(default)]
    max_retries: Option<u32>,
    /// First backoff delay in milliseconds, doubled on each retry with jitter (default 300); a `Retry-After` header wins.
    #[serde(default)]
    retry_delay_ms: Option<u32>,
}

/// The outcome of creating or updating a request or a claim: 200 and 206 are both success (E6).
#[derive(Serialize, Tsify)]
#[serde(rename_all = "camelCase")]
pub struct DossierOutcome {
    /// `RequestId` or `ClaimId`.
    pub id: i64,
    /// Whether Ecologic has all it needs (200); otherwise see `validationErrors` (206).
    pub complete: bool,
    pub validation_errors: Vec<api::ValidationError>,
}

/// The outcome of a submission: submitted, or the claim's status and what is still missing.
#[derive(Serialize, Tsify)]
#[serde(rename_all = "camelCase")]
pub struct SubmitOutcome {
    pub claim_id: i64,
    pub submitted: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_status: Option<String>,
    pub validation_errors: Vec<api::ValidationError>,
}

/// The outcome of the claim workflow.
#[derive(Serialize, Tsify)]
#[serde(rename_all = "camelCase")]
pub struct ClaimOutcome {
    pub claim_id: i64,
    /// The files attached, in order (`FileName.FileExtension`).
    pub attached: Vec<String>,
    /// Whether the claim is submitted; otherwise `validationErrors` says what is missing.
    pub submitted: bool,
    pub last_status: String,
    pub validation_errors: Vec<api::ValidationError>,
}

struct Ecologic {
    connection: Rc<Connection>,
    referential_max_age_ms: f64,
    referentials: Referentials,
}

/// The Ecologic Fonds Réparations EEE API, for one environment.
#[wasm_bindgen]
pub struct EcologicClient {
    inner: Rc<Ecologic>,
}

/// Runs `work`, the JS method `operation`, on the client's shared state as a JS promise, with the
/// call's options (`CallOptions`).
fn run<F, Fut>(
    client: &EcologicClient,
    operation: &'static str,
    options: Option<js_sys::Object>,
    work: F,
) -> js_sys::Promise
where
    F: FnOnce(Rc<Ecologic>, PerCall) -> Fut + 'static,
    Fut: Future<Output = Result<JsValue, SdkError>> + 'static,
{
    let inner = client.inner.clone();
    js::promise(operation, async move {
        let call = PerCall::read(&options, inner.connection.policy)?;
        work(inner, call).await
    })
}

#[wasm_bindgen]
impl EcologicClient {
    /// A client with an api key (server side) or a `headers` callback (browsers).
    #[wasm_bindgen(constructor)]
    pub fn new(
        #[wasm_bindgen(unchecked_param_type = "EcologicOptions")] options: JsValue,
    ) -> Result<EcologicClient, JsValue> {
        Ok(Self {
            inner: Rc::new(Ecologic::new(js::options(options)?)?),
        })
    }

    /// The account's repair sites (`SiteId` is what `RepairSiteId` takes). Cached.
    #[wasm_bindgen(js_name = repairSites, unchecked_return_type = "Promise<RepairSite[]>")]
    pub fn repair_sites(&self) -> js_sys::Promise {
        run(self, "repairSites", None, move |e, _| async move {
            js::to_js(&*e.referential::<api::RepairSite>().await?)
        })
    }

    /// The brand referential. Cached.
    #[wasm_bindgen(unchecked_return_type = "Promise<Brand[]>")]
    pub fn brands(&self) -> js_sys::Promise {
        run(self, "brands", None, move |e, _| async move {
            js::to_js(&*e.referential::<api::Brand>().await?)
        })
    }

    /// The product type referential, with IRIS codes and eligibility windows. Cached.
    #[wasm_bindgen(js_name = productTypes, unchecked_return_type = "Promise<ProductType[]>")]
    pub fn product_types(&self) -> js_sys::Promise {
        run(self, "productTypes", None, move |e, _| async move {
            js::to_js(&*e.referential::<api::ProductType>().await?)
        })
    }

    /// The product types with the labels of their IRIS codes. Cached.
    #[wasm_bindgen(js_name = productTypesWithLabels, unchecked_return_type = "Promise<LabelledProductType[]>")]
    pub fn product_types_with_labels(&self) -> js_sys::Promise {
        run(
            self,
            "productTypesWithLabels",
            None,
            move |e, _| async move { js::to_js(&*e.referential::<api::LabelledProductType>().await?) },
        )
    }

    /// Reads the sites, brands and product types again (the labelled list on next use).
    #[wasm_bindgen(js_name = refreshReferentials, unchecked_return_type = "Promise<void>")]
    pub fn refresh_referentials(&self) -> js_sys::Promise {
        run(self, "refreshReferentials", None, move |e, _| async move {
            e.referentials.clear();
            e.referential::<api::RepairSite>().await?;
            e.referential::<api::Brand>().await?;
            e.referential::<api::ProductType>().await?;
            Ok(JsValue::UNDEFINED)
        })
    }

    /// The eco-support for a repair (`W` refusals such as "Produit pas valide" are errors).
    #[wasm_bindgen(js_name = calculateEcoSupport, unchecked_return_type = "Promise<EcoSupport[]>")]
    pub fn calculate_eco_support(
        &self,
        #[wasm_bindgen(unchecked_param_type = "CalculateEcoSupportInput")] input: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "CallOptions")] options: Option<
            js_sys::Object,
        >,
    ) -> js_sys::Promise {
        run(
            self,
            "calculateEcoSupport",
            options,
            move |e, call| async move {
                let today = today();
                let checked = e
                    .checked(
                        &input,
                        "calculateEcoSupport",
                        |v| {
                            default(v, "TotalAmountExclVAT_Currency", "EUR");
                            let currency = v["TotalAmountExclVAT_Currency"].clone();
                            default(v, "TotalAmountInclVATCurrency", currency);
                        },
                        &|v, c, errors| rules::product(v, &rules::CALCULATION, &today, c, errors),
                    )
                    .await?;
                let i: CalculateEcoSupportInput = js::typed(checked)?;
                let i = &i;
                let currency = i.currency.unwrap_or(api::Currency::Eur);
                let currency_incl_vat = i.currency_incl_vat.unwrap_or(currency);
                let data = e
                    .read(&call.settings, |c| async move {
                        c.calculate_eco_support(
                            &i.brand_id,
                            i.brand_name.as_deref(),
                            i.iris_symptom.as_deref(),
                            &i.product_id,
                            i.repair_code.as_deref(),
                            &i.total_amount_excl_vat,
                            currency,
                            &i.total_amount_incl_vat,
                            currency_incl_vat,
                        )
                        .await
                    })
                    .await?;
                js::to_js(&data)
            },
        )
    }

    /// Creates a support request; 206 (information missing) is not an error.
    #[wasm_bindgen(js_name = createSupportRequest, unchecked_return_type = "Promise<DossierOutcome>")]
    pub fn create_support_request(
        &self,
        #[wasm_bindgen(unchecked_param_type = "CreateSupportRequestInput")] input: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "CallOptions")] options: Option<
            js_sys::Object,
        >,
    ) -> js_sys::Promise {
        run(
            self,
            "createSupportRequest",
            options,
            move |e, call| async move {
                let checked = e
                    .checked(
                        &input,
                        "createSupportRequest",
                        call_date_now,
                        &request_rules,
                    )
                    .await?;
                let i: CreateSupportRequestInput = js::typed(checked)?;
                let i = &i;
                let outcome = e
                    .write(&call.settings, |c| async move {
                        c.create_support_request(
                            &i.call_date,
                            &i.quote_number,
                            &i.repair_site_id,
                            &i.repair,
                        )
                        .await
                    })
                    .await?;
                js::to_js(&request_outcome(outcome))
            },
        )
    }

    /// Completes or corrects a support request (refused once validated).
    #[wasm_bindgen(js_name = updateSupportRequest, unchecked_return_type = "Promise<DossierOutcome>")]
    pub fn update_support_request(
        &self,
        #[wasm_bindgen(unchecked_param_type = "UpdateSupportRequestInput")] input: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "CallOptions")] options: Option<
            js_sys::Object,
        >,
    ) -> js_sys::Promise {
        run(
            self,
            "updateSupportRequest",
            options,
            move |e, call| async move {
                // E8: the id is sent as `RequestId` and as `claimId`.
                let same_id = |v: &mut Value| {
                    if let Some(id) = v.get("RequestId").cloned() {
                        default(v, "claimId", id);
                    }
                    call_date_now(v);
                };
                let checked = e
                    .checked(&input, "updateSupportRequest", same_id, &request_rules)
                    .await?;
                let i: UpdateSupportRequestInput = js::typed(checked)?;
                let i = &i;
                let outcome = e
                    .write(&call.settings, |c| async move {
                        c.update_support_request(
                            &i.call_date,
                            &i.quote_number,
                            &i.repair_site_id,
                            &i.request_id,
                            &i.request_id,
                            &i.repair,
                        )
                        .await
                    })
                    .await?;
                js::to_js(&request_outcome(outcome))
            },
        )
    }

    /// The status of a support request.
    #[wasm_bindgen(js_name = getSupportRequestStatus, unchecked_return_type = "Promise<SupportRequestStatus[]>")]
    pub fn get_support_request_status(
        &self,
        #[wasm_bindgen(js_name = "requestId")] request_id: f64,
        #[wasm_bindgen(unchecked_optional_param_type = "CallOptions")] options: Option<
            js_sys::Object,
        >,
    ) -> js_sys::Promise {
        run(
            self,
            "getSupportRequestStatus",
            options,
            move |e, call| async move {
                let id = record_id(request_id, "requestId")?;
                let data = e
                    .read(&call.settings, |c| async move {
                        c.get_support_request_status(&id).await
                    })
                    .await?;
                js::to_js(&data)
            },
        )
    }

    /// Creates a claim, from a support request or directly; 206 (information or files missing) is not an error.
    #[wasm_bindgen(js_name = createClaim, unchecked_return_type = "Promise<DossierOutcome>")]
    pub fn create_claim(
        &self,
        #[wasm_bindgen(unchecked_param_type = "CreateClaimInput")] input: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "CallOptions")] options: Option<
            js_sys::Object,
        >,
    ) -> js_sys::Promise {
        run(self, "createClaim", options, move |e, call| async move {
            let checked = e
                .checked(&input, "createClaim", |_| {}, &claim_rules)
                .await?;
            let outcome = e.create_claim(&call.settings, js::typed(checked)?).await?;
            js::to_js(&outcome)
        })
    }

    /// Completes or corrects a claim, and submits it when `Submit` is true.
    #[wasm_bindgen(js_name = updateClaim, unchecked_return_type = "Promise<DossierOutcome>")]
    pub fn update_claim(
        &self,
        #[wasm_bindgen(unchecked_param_type = "UpdateClaimInput")] input: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "CallOptions")] options: Option<
            js_sys::Object,
        >,
    ) -> js_sys::Promise {
        run(self, "updateClaim", options, move |e, call| async move {
            let checked = e
                .checked(&input, "updateClaim", |_| {}, &claim_rules)
                .await?;
            let i: UpdateClaimInput = js::typed(checked)?;
            let i = &i;
            let outcome = e
                .write(&call.settings, |c| async move {
                    c.update_claim(
                        &i.claim_id,
                        &i.consumer_invoice_number,
                        i.quote_number.as_deref(),
                        &i.repair_end_date,
                        &i.repair_site_id,
                        i.submit,
                        &i.repair,
                    )
                    .await
                })
                .await?;
            js::to_js(&claim_outcome(outcome))
        })
    }

    /// Attaches a file to a claim (any 2xx is success, E14).
    #[wasm_bindgen(js_name = attachFile, unchecked_return_type = "Promise<void>")]
    pub fn attach_file(
        &self,
        #[wasm_bindgen(unchecked_param_type = "AttachFileInput")] input: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "CallOptions")] options: Option<
            js_sys::Object,
        >,
    ) -> js_sys::Promise {
        run(self, "attachFile", options, move |e, call| async move {
            let checked = js::checked(&input, Spec::ecologic(), "attachFile", |_, _| {}).await?;
            let i: AttachFileInput = js::typed(checked)?;
            e.attach(i.claim_id, i.file, &call).await?;
            Ok(JsValue::UNDEFINED)
        })
    }

    /// The status of a claim and what it still misses.
    #[wasm_bindgen(js_name = getClaimStatus, unchecked_return_type = "Promise<ClaimStatus>")]
    pub fn get_claim_status(
        &self,
        #[wasm_bindgen(js_name = "claimId")] claim_id: f64,
        #[wasm_bindgen(unchecked_optional_param_type = "CallOptions")] options: Option<
            js_sys::Object,
        >,
    ) -> js_sys::Promise {
        run(self, "getClaimStatus", options, move |e, call| async move {
            let status = e
                .claim_status(&call.settings, record_id(claim_id, "claimId")?)
                .await?;
            js::to_js(&status)
        })
    }

    /// Submits a claim; an incomplete claim is not an error: see `validationErrors`.
    #[wasm_bindgen(js_name = submitClaim, unchecked_return_type = "Promise<SubmitOutcome>")]
    pub fn submit_claim(
        &self,
        #[wasm_bindgen(js_name = "claimId")] claim_id: f64,
        #[wasm_bindgen(unchecked_optional_param_type = "CallOptions")] options: Option<
            js_sys::Object,
        >,
    ) -> js_sys::Promise {
        run(self, "submitClaim", options, move |e, call| async move {
            let outcome = e
                .submit(&call.settings, record_id(claim_id, "claimId")?)
                .await?;
            js::to_js(&outcome)
        })
    }

    /// From a quote to a submitted claim: creates the claim, attaches the files, submits it, and
    /// returns what is still missing instead of throwing when the claim is incomplete. An error
    /// after the claim exists carries its `claimId`.
    #[wasm_bindgen(unchecked_return_type = "Promise<ClaimOutcome>")]
    pub fn claim(
        &self,
        #[wasm_bindgen(unchecked_param_type = "ClaimWorkflowInput")] input: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "CallOptions")] options: Option<
            js_sys::Object,
        >,
    ) -> js_sys::Promise {
        run(self, "claim", options, move |e, call| async move {
            e.claim_workflow(input, call).await
        })
    }
}

impl Ecologic {
    fn new(options: EcologicOptions) -> Result<Self, SdkError> {
        let mut errors = Vec::new();
        let default_url = match options.environment {
            Environment::Production => PRODUCTION,
            Environment::Preproduction => PREPRODUCTION,
        };
        let base_url = js::base_url(&options.base_url, "baseUrl", default_url, &mut errors);
        let api_key = js::non_empty(&options.api_key, "apiKey", &mut errors);
        let callback = options.headers.dyn_into::<js_sys::Function>().ok();
        let auth = match (api_key, callback) {
            (Some(key), None) => Auth::header("api_key", key).ok(),
            (None, Some(callback)) => Some(Auth::callback(callback, &[("api", "ecologic")])),
            (Some(_), Some(_)) => {
                errors.push(
                    FieldError::new(
                        "headers",
                        Code::Exclusive,
                        "give apiKey or a headers callback, not both",
                    )
                    .with("other", "apiKey"),
                );
                None
            }
            (None, None) => {
                if errors.is_empty() {
                    errors.push(FieldError::new(
                        "apiKey",
                        Code::Required,
                        "is required, unless a headers callback is given",
                    ));
                }
                None
            }
        };
        let max_age = options.referential_max_age_ms.unwrap_or(DAY_MS);
        if max_age > DAY_MS {
            errors.push(
                FieldError::new(
                    "referentialMaxAgeMs",
                    Code::Option,
                    format!("must be at most {DAY_MS} (24 h, E16)"),
                )
                .with("max", DAY_MS)
                .with("given", max_age),
            );
        }
        let policy = CallPolicy {
            timeout_ms: options.timeout_ms,
            max_retries: options.max_retries,
            retry_delay_ms: options.retry_delay_ms,
        }
        .policy();
        match (policy, auth) {
            (Ok(policy), Some(auth)) if errors.is_empty() => Ok(Self {
                connection: Rc::new(Connection {
                    base_url,
                    policy,
                    auth,
                }),
                referential_max_age_ms: max_age.into(),
                referentials: Referentials::default(),
            }),
            (policy, auth) => {
                if let Err(e) = policy {
                    errors.extend(e.fields);
                }
                if auth.is_none() && errors.is_empty() {
                    errors.push(FieldError::new(
                        "apiKey",
                        Code::HeaderValue,
                        "has characters a header cannot carry",
                    ));
                }
                Err(SdkError::validation(errors))
            }
        }
    }

    /// A read: retried when safe.
    async fn read<E, F, Fut>(&self, settings: &Settings, operation: F) -> Result<E::Data, SdkError>
    where
        E: Envelope + 'static,
        F: Fn(ecologic::Client) -> Fut,
        Fut: Future<Output = Result<ResponseValue<E>, Error<api::ErrorReply>>>,
    {
        self.connection
            .send(settings, Repeat::Safe, operation)
            .await
    }

    /// A write: never re-sent once it may have reached the server.
    async fn write<E, F, Fut>(&self, settings: &Settings, operation: F) -> Result<E::Data, SdkError>
    where
        E: Envelope + 'static,
        F: Fn(ecologic::Client) -> Fut,
        Fut: Future<Output = Result<ResponseValue<E>, Error<api::ErrorReply>>>,
    {
        self.connection
            .send(settings, Repeat::Never, operation)
            .await
    }

    /// A referential, from the cache when it is fresh; concurrent calls share one read.
    async fn referential<T: Cached>(&self) -> Result<Rc<Vec<T>>, SdkError> {
        if let Some(items) = self.referentials.get::<T>(self.referential_max_age_ms) {
            return Ok(items);
        }
        let loading = self.referentials.loading::<T, _>(|| {
            let connection = self.connection.clone();
            async move {
                // Shared by every caller waiting for it: the client's policy, no one's signal.
                let settings = Settings::of(connection.policy);
                let items = connection
                    .send(&settings, Repeat::Safe, |c| T::read(c))
                    .await?;
                Ok(Rc::new(items))
            }
        });
        let outcome = loading.await;
        self.referentials.settle(&outcome);
        outcome
    }

    /// Reads a call's input, fills defaults (`prepare`; `AutoValidation` is set by
    /// `rules::offline_mode`), checks it against the spec, then against the referentials (`rules`).
    async fn checked(
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
    async fn check(
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
            self.referential::<api::Brand>().await,
            self.referential::<api::ProductType>().await,
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
    async fn competence(
        &self,
        settings: &Settings,
        repair: &api::RepairData,
    ) -> Result<(), SdkError> {
        let (product, quote) = (&repair.product, &repair.quote);
        let outcome = self
            .read(settings, |c| async move {
                c.calculate_eco_support(
                    &product.brand_id,
                    product.brand_name.as_deref(),
                    None,
                    &product.product_id,
                    None,
                    &quote.total_amount_excl_vat.amount,
                    quote.total_amount_excl_vat.currency,
                    &quote.total_amount_incl_vat.amount,
                    quote.total_amount_incl_vat.currency,
                )
                .await
            })
            .await;
        match outcome {
            Err(e) if envelope::is_final(&e) => Err(e),
            _ => Ok(()),
        }
    }

    async fn create_claim(
        &self,
        settings: &Settings,
        i: CreateClaimInput,
    ) -> Result<DossierOutcome, SdkError> {
        let outcome = self
            .write(settings, |c| {
                let i = &i;
                async move {
                    c.create_claim(
                        &i.consumer_invoice_number,
                        i.quote_number.as_deref(),
                        &i.repair_end_date,
                        &i.repair_site_id,
                        i.request_id.as_ref(),
                        &i.repair,
                    )
                    .await
                }
            })
            .await?;
        Ok(claim_outcome(outcome))
    }

    async fn attach(
        &self,
        claim_id: api::RecordId,
        file: ClaimFile,
        call: &PerCall,
    ) -> Result<String, SdkError> {
        let ClaimFile {
            file_name,
            file_extension,
            document_type,
            file_content,
        } = file;
        let name = format!("{}.{file_extension}", file_name.as_str());
        let bytes = file_content.byte_len();
        call.progress.emit("attaching", Some(&name), Some(bytes));
        let body = api::AttachFileBody { file_content };
        let file_name = &file_name;
        let connection = &self.connection;
        let reply = call::send(&call.settings, Repeat::Never, &connection.auth, |c| {
            let (client, body) = (connection.client(c), &body);
            async move {
                client
                    .attach_file(&claim_id, document_type, file_extension, file_name, body)
                    .await
            }
        })
        .await?;
        match reply {
            Reply::Success { .. } => {
                call.progress.emit("attached", Some(&name), Some(bytes));
                Ok(name)
            }
            Reply::Refusal { status, body } => Err(envelope::error_reply(status, body)),
        }
    }

    async fn claim_status(
        &self,
        settings: &Settings,
        id: api::RecordId,
    ) -> Result<api::ClaimStatus, SdkError> {
        self.read(settings, |c| async move { c.get_claim_status(&id).await })
            .await
    }

    async fn submit(
        &self,
        settings: &Settings,
        id: api::RecordId,
    ) -> Result<SubmitOutcome, SdkError> {
        let result = self
            .write(settings, |c| async move { c.submit_claim(&id).await })
            .await?;
        Ok(SubmitOutcome {
            claim_id: result.claim_id.0,
            submitted: result.is_valid == Some(true),
            last_status: result.last_status,
            validation_errors: result.validation_errors,
        })
    }

    async fn claim_workflow(&self, js_input: JsValue, call: PerCall) -> Result<JsValue, SdkError> {
        let read = crate::input::read(&js_input, "input").await;
        let mut value = read.value;
        let mut errors = read.errors;
        // The workflow's own keys are set aside; the rest is `createClaim`'s input.
        let mut take = |key: &str| {
            value
                .as_object_mut()
                .and_then(|o| o.remove(key))
                .unwrap_or(Value::Null)
        };
        let (mut files, submit) = (take("files"), take("submit"));
        match files.as_array_mut() {
            Some(files) => {
                for (i, file) in files.iter_mut().enumerate() {
                    // Each file is checked as `attachFile` would be, for a claim not made yet.
                    default(file, "ClaimId", 1);
                    Spec::ecologic().normalise("attachFile", file);
                    for e in Spec::ecologic().check("attachFile", file) {
                        errors.push(FieldError {
                            field: format!("files[{i}].{}", e.field),
                            ..e
                        });
                    }
                }
            }
            None => errors.push(FieldError::new(
                "files",
                Code::Type,
                "must be an array of files to attach",
            )),
        }
        if !(submit.is_null() || submit.is_boolean()) {
            errors.push(
                FieldError::new("submit", Code::Type, "must be true or false")
                    .with("expected", "boolean"),
            );
        }
        let claim: CreateClaimInput = js::typed(
            self.check(value, errors, "createClaim", &claim_rules)
                .await?,
        )?;
        let files: Vec<ClaimFile> = js::typed(files)?;
        self.competence(&call.settings, &claim.repair).await?;

        call.progress.emit("creating", None, None);
        let created = self.create_claim(&call.settings, claim).await?;
        call.progress.emit("created", None, None);
        let id = api::RecordId(created.id);
        let with_claim = |e: SdkError| e.with_detail("claimId", created.id);
        let mut attached = Vec::new();
        for file in files {
            let name = self
                .attach(id, file, &call)
                .await
                .map_err(|e| with_claim(e).with_detail("attached", &attached))?;
            attached.push(name);
        }
        let submitted = match submit.as_bool().unwrap_or(true) {
            true => {
                call.progress.emit("submitting", None, None);
                let outcome = self
                    .submit(&call.settings, id)
                    .await
                    .map_err(|e| with_claim(e).with_detail("attached", &attached))?;
                call.progress.emit("submitted", None, None);
                outcome.submitted
            }
            false => false,
        };
        // Read last, the status says what Ecologic holds now, and what it still misses.
        let status = self
            .claim_status(&call.settings, id)
            .await
            .map_err(|e| with_claim(e).with_detail("attached", &attached))?;
        js::to_js(&ClaimOutcome {
            claim_id: created.id,
            attached,
            submitted,
            last_status: status.last_status,
            validation_errors: status.validation_errors,
        })
    }
}

/// How a client's calls reach Ecologic; shared with its referential reads in flight.
struct Connection {
    base_url: String,
    policy: Policy,
    auth: Auth,
}

impl Connection {
    fn client(&self, context: Context) -> ecologic::Client {
        ecologic::Client::new(&self.base_url, context)
    }

    /// Sends an operation and unwraps its envelope.
    async fn send<E, F, Fut>(
        &self,
        settings: &Settings,
        repeat: Repeat,
        operation: F,
    ) -> Result<E::Data, SdkError>
    where
        E: Envelope + 'static,
        F: Fn(ecologic::Client) -> Fut,
        Fut: Future<Output = Result<ResponseValue<E>, Error<api::ErrorReply>>>,
    {
        match call::send(settings, repeat, &self.auth, |c| operation(self.client(c))).await? {
            Reply::Success { status, value } => envelope::unwrap(status, value),
            Reply::Refusal { status, body } => Err(envelope::error_reply(status, body)),
        }
    }
}

/// `CallDate` is the current Paris time when the caller gives none (the server needs it).
fn call_date_now(value: &mut Value) {
    let now = WallClock::paris(js_sys::Date::now() as i64);
    default(value, "CallDate", now.to_string());
}

/// Sets `key` of an object when it is absent or null.
fn default(value: &mut Value, key: &str, default: impl Into<Value>) {
    if let Some(object) = value.as_object_mut()
        && object.get(key).is_none_or(Value::is_null)
    {
        object.insert(key.to_owned(), default.into());
    }
}

fn request_rules(value: &Value, catalogue: &Catalogue<'_>, errors: &mut Vec<FieldError>) {
    rules::product(
        value,
        &rules::DOSSIER,
        &day_of(value, "CallDate"),
        catalogue,
        errors,
    );
}

fn claim_rules(value: &Value, catalogue: &Catalogue<'_>, errors: &mut Vec<FieldError>) {
    rules::product(
        value,
        &rules::DOSSIER,
        &day_of(value, "RepairEndDate"),
        catalogue,
        errors,
    );
}

/// The French calendar day of parameter `name`, or today's when it is absent.
fn day_of(value: &Value, name: &str) -> Day {
    value
        .get(name)
        .and_then(Value::as_str)
        .and_then(ParisDateTime::parse)
        .map_or_else(today, ParisDateTime::day)
}

/// Today in France.
fn today() -> Day {
    WallClock::paris(js_sys::Date::now() as i64).day
}

/// A request or claim id given as a JS number.
fn record_id(id: f64, name: &str) -> Result<api::RecordId, SdkError> {
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

fn request_outcome(result: api::SupportRequestResult) -> DossierOutcome {
    DossierOutcome {
        id: result.request_id.0,
        complete: result.is_valid,
        validation_errors: result.validation_errors,
    }
}

fn claim_outcome(result: api::ClaimResult) -> DossierOutcome {
    DossierOutcome {
        id: result.claim_id.0,
        complete: result.is_valid,
        validation_errors: result.validation_errors,
    }
}
