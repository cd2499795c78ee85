//! Ecologic's reply envelope, unwrapped in one place (E5): `S` gives the data; `W` and `E` are
//! refusals whatever the HTTP status. And the refusals of documented error statuses.

use crate::error::{Kind, SdkError};
use crate::generated::ecologic::types as api;

/// An operation's envelope: its status, messages and `ResponseData`.
pub trait Envelope {
    type Data;
    fn into_parts(
        self,
    ) -> (
        api::ResponseStatus,
        Option<String>,
        Option<String>,
        Option<Self::Data>,
    );
}

macro_rules! envelopes {
    ($($envelope:ident => $data:ident $(or no value in $choice:ident)?),+ $(,)?) => {$(
        impl Envelope for api::$envelope {
            type Data = envelopes!(@data $data $($choice)?);
            fn into_parts(self) -> (api::ResponseStatus, Option<String>, Option<String>, Option<Self::Data>) {
                let data = self.response_data;
                // R12: `oneOf [the data, NoValue]` in the spec, for the `null` of W/E envelopes.
                $(let data = data.and_then(|d| match d {
                    api::$choice::$data(data) => Some(data),
                    api::$choice::NoValue(_) => None,
                });)?
                (self.response_status, self.response_message, self.response_error_message, data)
            }
        }
    )+};
    (@data $data:ident $choice:ident) => { api::$data };
    (@data $data:ident) => { Vec<api::$data> };
}

envelopes! {
    RepairSiteListEnvelope => RepairSite,
    BrandListEnvelope => Brand,
    ProductTypeListEnvelope => ProductType,
    LabelledProductTypeListEnvelope => LabelledProductType,
    EcoSupportEnvelope => EcoSupport,
    SupportRequestEnvelope => SupportRequestResult or no value in SupportRequestEnvelopeResponseData,
    SupportRequestStatusEnvelope => SupportRequestStatus,
    ClaimEnvelope => ClaimResult or no value in ClaimEnvelopeResponseData,
    ClaimStatusEnvelope => ClaimStatus or no value in ClaimStatusEnvelopeResponseData,
    SubmitClaimEnvelope => SubmitClaimResult or no value in SubmitClaimEnvelopeResponseData,
}

/// `ResponseMessage` of a refusal for a brand and product Ecologic does not cover (E13).
const INVALID_ORGANIZATION: &str = "Invalid organization";
/// `ResponseErrorMessage` of a request or claim id the server does not (or no longer) know (R7).
const INVALID_CLAIM: &str = "Invalid claim";
/// The start of the refusal for a product whose "fiche métier" the account's sites lack.
const NOT_AUTHORISED: &str = "Votre compte n'est pas autorisé";

/// Whether a refusal says no claim for this product and brand can succeed on this account.
pub fn is_final(error: &SdkError) -> bool {
    matches!(
        error.details.get("reason").and_then(|r| r.as_str()),
        Some("notAuthorised" | "invalidOrganization")
    )
}

/// The data of an `S` envelope; a `refused` error for `W`/`E` or an `S` without data.
pub fn unwrap<E: Envelope>(status: u16, envelope: E) -> Result<E::Data, SdkError> {
    let (response_status, message, detail, data) = envelope.into_parts();
    match (response_status, data) {
        (api::ResponseStatus::S, Some(data)) => Ok(data),
        (api::ResponseStatus::S, None) => Err(SdkError::new(
            Kind::UnexpectedResponse,
            "Ecologic replied S without ResponseData.",
        )
        .with_reply(Some(status), None)),
        (response_status, _) => Err(refused(status, Some(response_status), message, detail)),
    }
}

/// A `W`/`E` refusal or a documented error status, with what Ecologic said.
fn refused(
    status: u16,
    response_status: Option<api::ResponseStatus>,
    message: Option<String>,
    detail: Option<String>,
) -> SdkError {
    let said = [message.as_deref(), detail.as_deref()]
        .into_iter()
        .flatten()
        .filter(|m| !m.is_empty())
        .collect::<Vec<_>>()
        .join(": ");
    let (kind, advice) = match status {
        401 => (
            Kind::Authentication,
            "Ecologic refused the api key. Check `apiKey` (one per environment) or what the headers callback returns.",
        ),
        403 => (
            Kind::Refused,
            "RepairSiteId is not a site of this api key: use a SiteId from repairSites().",
        ),
        404 => (
            Kind::Refused,
            "Ecologic found no route for the call: a required parameter is missing or misnamed (R7). This is a fault of the client or of the base URL, not an unknown id.",
        ),
        409 => (
            Kind::Refused,
            "The dossier's state forbids this call (validated, converted or submitted).",
        ),
        _ if detail.as_deref() == Some(INVALID_CLAIM) => (
            Kind::Refused,
            "Ecologic does not know this request or claim id, or no longer does (Invalid claim): create it again in this environment.",
        ),
        _ if message
            .as_deref()
            .is_some_and(|m| m.starts_with(NOT_AUTHORISED)) =>
        {
            (
                Kind::Refused,
                "This account's sites do not hold the product's competence (\"fiche métier\"): Ecologic refuses its claims.",
            )
        }
        _ if message.as_deref() == Some(INVALID_ORGANIZATION) => (
            Kind::Refused,
            "Ecologic does not cover this brand and product (Invalid organization); the sister eco-organism Ecosystem may.",
        ),
        _ => (Kind::Refused, "Ecologic refused the request."),
    };
    let text = if said.is_empty() {
        advice.to_owned()
    } else {
        format!("{advice} Ecologic said: {said}")
    };
    let mut error = SdkError::new(kind, text).with_reply(Some(status), None);
    if let Some(s) = response_status {
        error = error.with_detail("responseStatus", s);
    }
    if message.as_deref() == Some(INVALID_ORGANIZATION) {
        error = error.with_detail("reason", "invalidOrganization");
    } else if message
        .as_deref()
        .is_some_and(|m| m.starts_with(NOT_AUTHORISED))
    {
        error = error.with_detail("reason", "notAuthorised");
    } else if detail.as_deref() == Some(INVALID_CLAIM) {
        error = error.with_detail("reason", "invalidClaim");
    }
    if let Some(m) = message {
        error = error.with_detail("responseMessage", m);
    }
    if let Some(d) = detail {
        error = error.with_detail("responseErrorMessage", d);
    }
    error
}

/// A documented error reply (`ErrorReply`: ASP.NET `{Message}` or an `E` envelope).
pub fn error_reply(status: u16, body: api::ErrorReply) -> SdkError {
    let text = serde_json::to_vec(&body).ok();
    let message = body.response_message.or(body.message);
    refused(
        status,
        body.response_status,
        message,
        body.response_error_message,
    )
    .with_reply(Some(status), text.as_deref())
}
