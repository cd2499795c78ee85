//! `LaluxClient`: repairers' and experts' uploads and settlement requests, and the workflows
//! that chain them (`settle`).
//!
//! This module holds the JavaScript shell (`LaluxClient` and one class per role); `options` what
//! `new LaluxClient(options)` makes, `service` the operations (the shared call path, refusals,
//! each role's files and rules), `workflow` the `settle` workflow.

mod options;
pub(crate) mod rules;
mod service;
mod workflow;

use crate::error::SdkError;
use crate::js::{self, PerCall};
use service::*;
use std::rc::Rc;
use wasm_bindgen::prelude::*;

pub use options::LaluxOptionFields;
#[cfg(fuzzing)]
pub(crate) use service::refusal;
pub use service::{SettleResult, UploadReceipt};

#[wasm_bindgen(typescript_custom_section)]
const TS_LALUX: &str = r#"
/** `repairer.settle` input: the settlement without `refPDFFacture`, plus the invoice file. */
export type RepairSettleInput = Omit<RepairSettlement, 'refPDFFacture'> & {
  /** The invoice ("Facture"), PDF preferred, at most 5 242 880 bytes. */
  invoicePdf: FileData;
  /** Its name with extension (default `facture.pdf`). */
  invoiceFileName?: string;
} & WorkflowIdentity;
/** `expert.settle` input: the settlement without the two keys, plus the two files. */
export type ExpertSettleInput = Omit<ExpertSettlement, 'refPdfHonoraires' | 'refPdfExpertise'> & {
  /** The fee note ("Mémoire d'honoraires"). */
  feeNotePdf: FileData;
  /** Its name with extension (default `honoraires.pdf`). */
  feeNoteFileName?: string;
  /** The expert report ("Rapport d'expertise"). */
  reportPdf: FileData;
  /** Its name with extension (default `expertise.pdf`). */
  reportFileName?: string;
} & WorkflowIdentity;
"#;

/// A LALUX provider: what repairers and experts send.
#[wasm_bindgen]
pub struct LaluxClient {
    inner: Rc<Lalux>,
}

#[wasm_bindgen]
impl LaluxClient {
    /// A client with credentials (server side) or a `headers` callback (browsers).
    #[wasm_bindgen(constructor)]
    pub fn new(
        #[wasm_bindgen(unchecked_param_type = "LaluxOptions")] options: JsValue,
    ) -> Result<LaluxClient, JsValue> {
        let made = js::options(options).and_then(|(options, apart)| Lalux::new(options, apart));
        let inner = made.map_err(|e| e.in_operation("new LaluxClient").into_js())?;
        Ok(Self {
            inner: Rc::new(inner),
        })
    }

    /// Repairers ("réparateurs"): invoice upload and repair settlement.
    #[wasm_bindgen(getter)]
    pub fn repairer(&self) -> LaluxRepairer {
        LaluxRepairer {
            inner: self.inner.clone(),
        }
    }

    /// Experts: fee note and report uploads, expert settlement.
    #[wasm_bindgen(getter)]
    pub fn expert(&self) -> LaluxExpert {
        LaluxExpert {
            inner: self.inner.clone(),
        }
    }
}

/// Shared by both roles' JS classes.
async fn upload(
    inner: Rc<Lalux>,
    role: Role,
    input: JsValue,
    call: PerCall,
) -> Result<JsValue, SdkError> {
    let value = js::checked(&input, role.upload_operation(), &call.settings.files).await?;
    let receipt = inner.upload(role, value, &call).await?;
    js::to_js(&receipt)
}

async fn submit(
    inner: Rc<Lalux>,
    role: Role,
    input: JsValue,
    call: PerCall,
) -> Result<JsValue, SdkError> {
    let value = js::checked(&input, role.submit_operation(), &call.settings.files).await?;
    inner.submit(role, value, &call).await?;
    Ok(JsValue::UNDEFINED)
}

/// The JS class of one role: `upload`, the role's submission method and `settle`.
macro_rules! role_class {
    (
        $doc:literal $class:ident, $role:expr, $name:literal,
        $submit_doc:literal $submit:ident as $submit_js:literal, $settlement:literal,
        $settle_doc:literal settle($settle_input:literal)
    ) => {
        #[doc = $doc]
        #[wasm_bindgen]
        pub struct $class {
            inner: Rc<Lalux>,
        }

        #[wasm_bindgen]
        impl $class {
            /// Uploads a file: checked (at most 5 242 880 bytes, with an extension), base64-encoded,
            /// scanned by LALUX. An `Infected` or `Error` scan is a receipt, not an error.
            #[wasm_bindgen(unchecked_return_type = "ApiPromise<UploadReceipt>")]
            pub fn upload(
                &self,
                #[wasm_bindgen(unchecked_param_type = "FileUpload")] input: JsValue,
                #[wasm_bindgen(unchecked_optional_param_type = "CallOptions")] options: Option<
                    js_sys::Object,
                >,
            ) -> js_sys::Promise {
                let inner = self.inner.clone();
                js::run(
                    concat!($name, ".upload"),
                    &options,
                    inner.policy.clone(),
                    Some(input),
                    move |call, input| upload(inner, $role, input, call),
                )
            }

            #[doc = $submit_doc]
            #[wasm_bindgen(js_name = $submit_js, unchecked_return_type = "ApiPromise<void>")]
            pub fn $submit(
                &self,
                #[wasm_bindgen(unchecked_param_type = $settlement)] settlement: JsValue,
                #[wasm_bindgen(unchecked_optional_param_type = "CallOptions")] options: Option<
                    js_sys::Object,
                >,
            ) -> js_sys::Promise {
                let inner = self.inner.clone();
                let operation = concat!($name, ".", $submit_js);
                js::run(
                    operation,
                    &options,
                    inner.policy.clone(),
                    Some(settlement),
                    move |call, settlement| submit(inner, $role, settlement, call),
                )
            }

            #[doc = $settle_doc]
            #[wasm_bindgen(unchecked_return_type = "ApiPromise<SettleResult>")]
            pub fn settle(
                &self,
                #[wasm_bindgen(unchecked_param_type = $settle_input)] input: JsValue,
                #[wasm_bindgen(unchecked_optional_param_type = "CallOptions")] options: Option<
                    js_sys::Object,
                >,
            ) -> js_sys::Promise {
                let inner = self.inner.clone();
                js::run(
                    concat!($name, ".settle"),
                    &options,
                    inner.policy.clone(),
                    Some(input),
                    move |call, input| async move { inner.settle($role, input, call).await },
                )
            }
        }
    };
}

role_class! {
    "`lalux.repairer`: what a repairer sends (the invoice, the repair settlement)."
    LaluxRepairer, Role::Repairer, "repairer",
    "Sends the repair settlement request (`refPDFFacture` from an upload); resolves on 202."
    submit_invoice as "submitInvoice", "RepairSettlement",
    "Uploads the invoice, then submits the settlement with its key. Checks everything first; the upload's receipt reaches the caller even when the submission fails."
    settle("RepairSettleInput")
}

role_class! {
    "`lalux.expert`: what an expert sends (the fee note, the report, the expert settlement)."
    LaluxExpert, Role::Expert, "expert",
    "Sends the expert settlement request (both keys from uploads); resolves on 202."
    submit_settlement as "submitSettlement", "ExpertSettlement",
    "Uploads the fee note and the report, then submits the settlement with their keys. Checks everything first; the receipts reach the caller even when a later step fails."
    settle("ExpertSettleInput")
}
