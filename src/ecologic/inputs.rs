//! What the Ecologic methods take: each operation's query parameters beside the properties of its
//! JSON body, in one object, with the documents' wire names. These types are the TypeScript of
//! the inputs; the client sends a checked input by wire name (`Spec::request`).

use crate::generated::ecologic::types as api;
use crate::money::Amount;
use crate::values::{FileData, ParisDateTime};
use tsify::Tsify;

/// `calculateEcoSupport` (GET `/calculateecosupport`, E2).
#[derive(Tsify)]
pub struct CalculateEcoSupportInput {
    /// Quote total excluding VAT.
    #[serde(rename = "TotalAmountExclVAT")]
    pub total_amount_excl_vat: Amount,
    /// Currency (default `EUR`).
    #[serde(rename = "TotalAmountExclVAT_Currency", default)]
    #[tsify(optional)]
    pub currency: Option<api::Currency>,
    /// Quote total including VAT (R1: sent too, under the name public integrations use).
    #[serde(rename = "TotalAmountInclVAT")]
    pub total_amount_incl_vat: Amount,
    /// Its currency (default: the excl-VAT total's).
    #[serde(rename = "TotalAmountInclVATCurrency", default)]
    #[tsify(optional)]
    pub currency_incl_vat: Option<api::Currency>,
    /// Brand code from `brands()`; `"0"` with `BrandName` for a brand missing from it.
    #[serde(rename = "BrandId")]
    pub brand_id: api::BrandId,
    #[serde(rename = "BrandName", default)]
    #[tsify(optional)]
    pub brand_name: Option<String>,
    /// Product type code from `productTypes()`.
    #[serde(rename = "ProductId")]
    pub product_id: api::ProductId,
    /// One of the product's `IRISSymtoms`.
    #[serde(rename = "IRISSymptom", default)]
    #[tsify(optional)]
    pub iris_symptom: Option<String>,
    /// One of the product's `RepairCodes`.
    #[serde(rename = "RepairCode", default)]
    #[tsify(optional)]
    pub repair_code: Option<String>,
    /// The repair's day, on which eligibility is judged (default: today). Checked, not sent (T8).
    #[serde(rename = "RepairDate", default)]
    #[tsify(optional)]
    pub repair_date: Option<ParisDateTime>,
}

/// `createSupportRequest`: the site, the quote number and the dossier.
#[derive(Tsify)]
pub struct CreateSupportRequestInput {
    /// A `SiteId` from `repairSites()`.
    #[serde(rename = "RepairSiteId")]
    pub repair_site_id: api::CreateSupportRequestRepairSiteId,
    /// Quote number ("numéro du devis").
    #[serde(rename = "QuoteNumber")]
    pub quote_number: api::CreateSupportRequestQuoteNumber,
    /// Reference date of the call (default: now).
    #[serde(rename = "CallDate")]
    #[tsify(optional)]
    pub call_date: ParisDateTime,
    #[serde(flatten)]
    pub repair: api::RepairData,
}

/// `updateSupportRequest`: the request id and the corrected dossier.
#[derive(Tsify)]
pub struct UpdateSupportRequestInput {
    /// Id from `createSupportRequest` (sent as `RequestId` and `claimId`, E8); this or `claimId`.
    #[serde(rename = "RequestId")]
    #[tsify(optional)]
    pub request_id: Option<api::RecordId>,
    /// The same id under the name the server reads (T6: GLE sends it alone); this or `RequestId`.
    #[serde(rename = "claimId")]
    #[tsify(optional)]
    pub claim_id: Option<api::RecordId>,
    /// A `SiteId` from `repairSites()`.
    #[serde(rename = "RepairSiteId")]
    pub repair_site_id: api::UpdateSupportRequestRepairSiteId,
    /// Quote number ("numéro du devis").
    #[serde(rename = "QuoteNumber")]
    pub quote_number: api::UpdateSupportRequestQuoteNumber,
    /// Reference date of the call (default: now).
    #[serde(rename = "CallDate")]
    #[tsify(optional)]
    pub call_date: ParisDateTime,
    #[serde(flatten)]
    pub repair: api::RepairData,
}

/// `createClaim`: from a support request (`RequestId`) or directly (version 1.4).
#[derive(Tsify)]
pub struct CreateClaimInput {
    #[serde(rename = "RequestId", default)]
    #[tsify(optional)]
    pub request_id: Option<api::RecordId>,
    /// End of the repair.
    #[serde(rename = "RepairEndDate")]
    pub repair_end_date: ParisDateTime,
    /// A `SiteId` from `repairSites()`.
    #[serde(rename = "RepairSiteId")]
    pub repair_site_id: api::CreateClaimRepairSiteId,
    /// Your invoice number to the consumer.
    #[serde(rename = "ConsumerInvoiceNumber")]
    pub consumer_invoice_number: api::CreateClaimConsumerInvoiceNumber,
    #[serde(rename = "QuoteNumber", default)]
    #[tsify(optional)]
    pub quote_number: Option<String>,
    #[serde(flatten)]
    pub repair: api::RepairData,
}

/// `updateClaim`: the claim id, the corrected dossier, and whether to submit it.
#[derive(Tsify)]
pub struct UpdateClaimInput {
    #[serde(rename = "ClaimId")]
    pub claim_id: api::RecordId,
    #[serde(rename = "RepairEndDate")]
    pub repair_end_date: ParisDateTime,
    #[serde(rename = "RepairSiteId")]
    pub repair_site_id: api::UpdateClaimRepairSiteId,
    #[serde(rename = "ConsumerInvoiceNumber")]
    pub consumer_invoice_number: api::UpdateClaimConsumerInvoiceNumber,
    #[serde(rename = "QuoteNumber", default)]
    #[tsify(optional)]
    pub quote_number: Option<String>,
    /// Try to submit after the update (default false).
    #[serde(rename = "Submit", default)]
    #[tsify(optional)]
    pub submit: Option<bool>,
    #[serde(flatten)]
    pub repair: api::RepairData,
}

/// A file to attach to a claim.
#[derive(Tsify)]
pub struct ClaimFile {
    /// File name without the extension.
    #[serde(rename = "FileName")]
    pub file_name: api::AttachFileFileName,
    #[serde(rename = "FileExtension")]
    pub file_extension: api::FileExtension,
    #[serde(rename = "DocumentType")]
    pub document_type: api::DocumentType,
    /// The file's bytes (at most 10 485 760).
    #[serde(rename = "FileContent")]
    pub file_content: FileData,
}

/// `attachFile`: a file and the claim it belongs to.
#[derive(Tsify)]
pub struct AttachFileInput {
    #[serde(rename = "ClaimId")]
    pub claim_id: api::RecordId,
    #[serde(flatten)]
    pub file: ClaimFile,
}
