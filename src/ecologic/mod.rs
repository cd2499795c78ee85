//! `EcologicClient`: referentials (cached), eco-support calculation, support requests, claims,
//! attachments and submission, and the claim workflow.
//!
//! This module holds the JavaScript shell (one method per operation: read the input, hand it to
//! the service, reply); `options` what `new EcologicClient(options)` makes, `service` the
//! operations (checks, the shared call path, envelopes), `workflow` the `claim()` workflow,
//! `outcomes` what replies become for the caller.

pub(crate) mod envelope;
mod options;
mod outcomes;
mod referential;
pub(crate) mod rules;
mod service;
mod workflow;

use crate::error::SdkError;
use crate::js::{self, PerCall};
use crate::schema::Operation;
use outcomes::*;
use referential::List;
use serde_json::json;
use service::*;
use std::future::Future;
use std::rc::Rc;
use wasm_bindgen::prelude::*;

pub use options::{EcologicOptionFields, Environment};
pub use outcomes::{ClaimOutcome, DossierOutcome, SubmitOutcome};

#[wasm_bindgen(typescript_custom_section)]
const TS_ECOLOGIC: &str = r#"
/** A file to attach to a claim: `attachFile`'s input without the claim. */
export type ClaimFile = Omit<AttachFileInput, 'ClaimId'>;
/** `claim()` input: the claim, the files to attach in order (the invoice and the consumer's proof always, the nameplate for "Fiche métier 7" products, E15), and whether to submit (default true). */
export type ClaimWorkflowInput = CreateClaimInput & { files: ClaimFile[]; submit?: boolean } & WorkflowIdentity;
"#;
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
    input: Option<JsValue>,
    work: F,
) -> js_sys::Promise
where
    F: FnOnce(Rc<Ecologic>, PerCall, JsValue) -> Fut + 'static,
    Fut: Future<Output = Result<JsValue, SdkError>> + 'static,
{
    let inner = client.inner.clone();
    let policy = inner.connection.policy.clone();
    js::run(operation, &options, policy, input, move |call, input| {
        work(inner, call, input)
    })
}

#[wasm_bindgen]
impl EcologicClient {
    /// A client with an api key (server side) or a `headers` callback (browsers).
    #[wasm_bindgen(constructor)]
    pub fn new(
        #[wasm_bindgen(unchecked_param_type = "EcologicOptions")] options: JsValue,
    ) -> Result<EcologicClient, JsValue> {
        let made = js::options(options).and_then(|(options, apart)| Ecologic::new(options, apart));
        let inner = made.map_err(|e| e.in_operation("new EcologicClient").into_js())?;
        Ok(Self {
            inner: Rc::new(inner),
        })
    }

    /// The account's repair sites (`SiteId` is what `RepairSiteId` takes). Cached.
    #[wasm_bindgen(js_name = repairSites, unchecked_return_type = "ApiPromise<RepairSite[]>")]
    pub fn repair_sites(&self) -> js_sys::Promise {
        run(
            self,
            "repairSites",
            None,
            None,
            move |e, call, _| async move {
                js::to_js(
                    &e.referential(&call.settings, List::RepairSites)
                        .await?
                        .items,
                )
            },
        )
    }

    /// The brand referential. Cached.
    #[wasm_bindgen(unchecked_return_type = "ApiPromise<Brand[]>")]
    pub fn brands(&self) -> js_sys::Promise {
        run(self, "brands", None, None, move |e, call, _| async move {
            js::to_js(&e.referential(&call.settings, List::Brands).await?.items)
        })
    }

    /// The product type referential, with IRIS codes and eligibility windows. Cached.
    #[wasm_bindgen(js_name = productTypes, unchecked_return_type = "ApiPromise<ProductType[]>")]
    pub fn product_types(&self) -> js_sys::Promise {
        run(
            self,
            "productTypes",
            None,
            None,
            move |e, call, _| async move {
                js::to_js(
                    &e.referential(&call.settings, List::ProductTypes)
                        .await?
                        .items,
                )
            },
        )
    }

    /// The product types with the labels of their IRIS codes. Cached.
    #[wasm_bindgen(js_name = productTypesWithLabels, unchecked_return_type = "ApiPromise<LabelledProductType[]>")]
    pub fn product_types_with_labels(&self) -> js_sys::Promise {
        run(
            self,
            "productTypesWithLabels",
            None,
            None,
            move |e, call, _| async move {
                js::to_js(
                    &e.referential(&call.settings, List::LabelledProductTypes)
                        .await?
                        .items,
                )
            },
        )
    }

    /// Reads the sites, brands and labelled product types again (the lists the checks read; the
    /// plain product types on next use).
    #[wasm_bindgen(js_name = refreshReferentials, unchecked_return_type = "ApiPromise<void>")]
    pub fn refresh_referentials(&self) -> js_sys::Promise {
        run(
            self,
            "refreshReferentials",
            None,
            None,
            move |e, call, _| async move {
                e.referentials.clear();
                for list in [List::RepairSites, List::Brands, List::LabelledProductTypes] {
                    e.referential(&call.settings, list).await?;
                }
                Ok(JsValue::UNDEFINED)
            },
        )
    }

    /// The eco-support for a repair (`W` refusals such as "Produit pas valide" are errors).
    #[wasm_bindgen(js_name = calculateEcoSupport, unchecked_return_type = "ApiPromise<EcoSupport[]>")]
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
            Some(input),
            move |e, call, input| async move {
                let checked = e
                    .checked(
                        &call.settings,
                        &input,
                        Operation::CalculateEcoSupport,
                        // T8: eligibility on the repair's day (`RepairDate`, not sent), else today.
                        &|v, c, errors| {
                            let day = day_of(v, "RepairDate");
                            rules::product(v, &rules::CALCULATION, &day, c, errors)
                        },
                    )
                    .await?;
                let data = e
                    .read(&call.settings, Operation::CalculateEcoSupport, checked)
                    .await?;
                js::to_js(&data)
            },
        )
    }

    /// Creates a support request; 206 (information missing) is not an error.
    #[wasm_bindgen(js_name = createSupportRequest, unchecked_return_type = "ApiPromise<DossierOutcome>")]
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
            Some(input),
            move |e, call, input| async move {
                let checked = e
                    .checked(
                        &call.settings,
                        &input,
                        Operation::CreateSupportRequest,
                        &request_rules,
                    )
                    .await?;
                let result = e
                    .write(&call.settings, Operation::CreateSupportRequest, checked)
                    .await?;
                js::to_js(&dossier_outcome(&result, "RequestId"))
            },
        )
    }

    /// Completes or corrects a support request (refused once validated).
    #[wasm_bindgen(js_name = updateSupportRequest, unchecked_return_type = "ApiPromise<DossierOutcome>")]
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
            Some(input),
            move |e, call, input| async move {
                let checked = e
                    .checked(
                        &call.settings,
                        &input,
                        Operation::UpdateSupportRequest,
                        &request_rules,
                    )
                    .await?;
                let result = e
                    .write(&call.settings, Operation::UpdateSupportRequest, checked)
                    .await?;
                js::to_js(&dossier_outcome(&result, "RequestId"))
            },
        )
    }

    /// The status of a support request.
    #[wasm_bindgen(js_name = getSupportRequestStatus, unchecked_return_type = "ApiPromise<SupportRequestStatus[]>")]
    pub fn get_support_request_status(
        &self,
        #[wasm_bindgen(js_name = "requestId", unchecked_param_type = "number")] request_id: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "CallOptions")] options: Option<
            js_sys::Object,
        >,
    ) -> js_sys::Promise {
        run(
            self,
            "getSupportRequestStatus",
            options,
            Some(request_id),
            move |e, call, request_id| async move {
                let id = record_id(&request_id, "requestId")?;
                let data = e
                    .read(
                        &call.settings,
                        Operation::GetSupportRequestStatus,
                        json!({ "RequestId": id }),
                    )
                    .await?;
                js::to_js(&data)
            },
        )
    }

    /// Creates a claim, from a support request or directly; 206 (information or files missing) is not an error.
    #[wasm_bindgen(js_name = createClaim, unchecked_return_type = "ApiPromise<DossierOutcome>")]
    pub fn create_claim(
        &self,
        #[wasm_bindgen(unchecked_param_type = "CreateClaimInput")] input: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "CallOptions")] options: Option<
            js_sys::Object,
        >,
    ) -> js_sys::Promise {
        run(
            self,
            "createClaim",
            options,
            Some(input),
            move |e, call, input| async move {
                let checked = e
                    .checked(
                        &call.settings,
                        &input,
                        Operation::CreateClaim,
                        &claim_rules,
                    )
                    .await?;
                let outcome = e.create_claim(&call.settings, checked).await?;
                js::to_js(&outcome)
            },
        )
    }

    /// Completes or corrects a claim, and submits it when `Submit` is true.
    #[wasm_bindgen(js_name = updateClaim, unchecked_return_type = "ApiPromise<DossierOutcome>")]
    pub fn update_claim(
        &self,
        #[wasm_bindgen(unchecked_param_type = "UpdateClaimInput")] input: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "CallOptions")] options: Option<
            js_sys::Object,
        >,
    ) -> js_sys::Promise {
        run(
            self,
            "updateClaim",
            options,
            Some(input),
            move |e, call, input| async move {
                let checked = e
                    .checked(
                        &call.settings,
                        &input,
                        Operation::UpdateClaim,
                        &claim_rules,
                    )
                    .await?;
                let number = checked["ConsumerInvoiceNumber"].as_str().map(str::to_owned);
                let result = e
                    .write(&call.settings, Operation::UpdateClaim, checked)
                    .await?;
                let outcome = dossier_outcome(&result, "ClaimId");
                e.remember_invoice(number.as_deref(), outcome.id);
                js::to_js(&outcome)
            },
        )
    }

    /// Attaches a file to a claim (any 2xx is success, E14).
    #[wasm_bindgen(js_name = attachFile, unchecked_return_type = "ApiPromise<void>")]
    pub fn attach_file(
        &self,
        #[wasm_bindgen(unchecked_param_type = "AttachFileInput")] input: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "CallOptions")] options: Option<
            js_sys::Object,
        >,
    ) -> js_sys::Promise {
        run(
            self,
            "attachFile",
            options,
            Some(input),
            move |e, call, input| async move {
                let checked = js::checked(&input, Operation::AttachFile, &call.settings.files).await?;
                let id = checked["ClaimId"].as_i64().unwrap_or_default();
                e.attach(id, checked, &call).await?;
                Ok(JsValue::UNDEFINED)
            },
        )
    }

    /// The status of a claim and what it still misses.
    #[wasm_bindgen(js_name = getClaimStatus, unchecked_return_type = "ApiPromise<ClaimStatus>")]
    pub fn get_claim_status(
        &self,
        #[wasm_bindgen(js_name = "claimId", unchecked_param_type = "number")] claim_id: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "CallOptions")] options: Option<
            js_sys::Object,
        >,
    ) -> js_sys::Promise {
        run(
            self,
            "getClaimStatus",
            options,
            Some(claim_id),
            move |e, call, claim_id| async move {
                let status = e
                    .claim_status(&call.settings, record_id(&claim_id, "claimId")?)
                    .await?;
                js::to_js(&status)
            },
        )
    }

    /// Submits a claim; an incomplete claim is not an error: see `validationErrors`.
    #[wasm_bindgen(js_name = submitClaim, unchecked_return_type = "ApiPromise<SubmitOutcome>")]
    pub fn submit_claim(
        &self,
        #[wasm_bindgen(js_name = "claimId", unchecked_param_type = "number")] claim_id: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "CallOptions")] options: Option<
            js_sys::Object,
        >,
    ) -> js_sys::Promise {
        run(
            self,
            "submitClaim",
            options,
            Some(claim_id),
            move |e, call, claim_id| async move {
                let outcome = e
                    .submit(&call.settings, record_id(&claim_id, "claimId")?)
                    .await?;
                js::to_js(&outcome)
            },
        )
    }

    /// From a quote to a submitted claim: creates the claim, attaches the files, submits it, and
    /// returns what is still missing instead of throwing when the claim is incomplete. An error
    /// after the claim exists carries its `claimId`.
    #[wasm_bindgen(unchecked_return_type = "ApiPromise<ClaimOutcome>")]
    pub fn claim(
        &self,
        #[wasm_bindgen(unchecked_param_type = "ClaimWorkflowInput")] input: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "CallOptions")] options: Option<
            js_sys::Object,
        >,
    ) -> js_sys::Promise {
        run(
            self,
            "claim",
            options,
            Some(input),
            move |e, call, input| async move { e.claim_workflow(input, call).await },
        )
    }
}
