//! Ecologic's reply envelope, unwrapped in one place (E5): `S` gives the data; `W` and `E` are
//! refusals whatever the HTTP status. And the refusals of documented error statuses. Replies come
//! here checked against their schema (`Spec::check_reply`).

use crate::error::{Kind, RefusalReason, SdkError};
use crate::json::text;
use serde_json::Value;

/// `ResponseMessage` of a refusal for a brand and product Ecologic does not cover (E13).
const INVALID_ORGANIZATION: &str = "Invalid organization";
/// `ResponseErrorMessage` of a request or claim id the server does not (or no longer) know (R7).
const INVALID_CLAIM: &str = "Invalid claim";
/// The start of the refusal for a product whose "fiche métier" the account's sites lack.
const NOT_AUTHORISED: &str = "Votre compte n'est pas autorisé";
/// What the refusal of an invoice number used twice says (T11: solution-phone quotes "numéro
/// facture déjà utilisé"), lower case.
const INVOICE_USED: &str = "déjà utilisé";

/// Whether a refusal says no claim for this product and brand can succeed on this account.
pub fn is_final(error: &SdkError) -> bool {
    matches!(
        error.details.reason,
        Some(RefusalReason::NotAuthorised | RefusalReason::InvalidOrganization)
    )
}

/// The data of an `S` envelope; a `refused` error for `W`/`E` or an `S` without data.
pub fn unwrap(status: u16, mut envelope: Value) -> Result<Value, SdkError> {
    let response_status = text(&envelope, "ResponseStatus");
    let (message, detail) = (
        text(&envelope, "ResponseMessage"),
        text(&envelope, "ResponseErrorMessage"),
    );
    let data = envelope
        .get_mut("ResponseData")
        .map(Value::take)
        .filter(|d| !d.is_null());
    match (response_status.as_deref() == Some("S"), data) {
        (true, Some(data)) => Ok(data),
        (true, None) => Err(SdkError::new(
            Kind::UnexpectedResponse,
            "Ecologic replied S without ResponseData.",
        )
        .with_reply(Some(status), None)),
        (false, _) => Err(refused(status, response_status, message, detail)),
    }
}

/// A `W`/`E` refusal or a documented error status, with what Ecologic said.
fn refused(
    status: u16,
    response_status: Option<String>,
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
        _ if invoice_used(&message, &detail) => (
            Kind::Refused,
            "Ecologic refuses this ConsumerInvoiceNumber: another claim already holds it (one claim per invoice).",
        ),
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
    let reason = if message.as_deref() == Some(INVALID_ORGANIZATION) {
        Some(RefusalReason::InvalidOrganization)
    } else if message
        .as_deref()
        .is_some_and(|m| m.starts_with(NOT_AUTHORISED))
    {
        Some(RefusalReason::NotAuthorised)
    } else if detail.as_deref() == Some(INVALID_CLAIM) {
        Some(RefusalReason::InvalidClaim)
    } else if invoice_used(&message, &detail) {
        Some(RefusalReason::InvoiceUsed)
    } else {
        None
    };
    SdkError::new(kind, text)
        .with_reply(Some(status), None)
        .with(|d| {
            d.response_status = response_status;
            d.reason = reason;
            d.response_message = message;
            d.response_error_message = detail;
        })
}

/// Whether what Ecologic said is the refusal of an invoice number used twice.
fn invoice_used(message: &Option<String>, detail: &Option<String>) -> bool {
    [message, detail]
        .into_iter()
        .flatten()
        .map(|m| m.to_ascii_lowercase().into_bytes())
        .any(|m| holds(&m, INVOICE_USED) && holds(&m, "factur"))
}

/// Whether `text` holds `part` (a byte search: the module holds no other substring search).
fn holds(text: &[u8], part: &str) -> bool {
    text.windows(part.len()).any(|w| w == part.as_bytes())
}

/// A documented error reply (`ErrorReply`: ASP.NET `{Message}` or an `E` envelope).
pub fn error_reply(status: u16, body: &Value) -> SdkError {
    let message = text(body, "ResponseMessage").or_else(|| text(body, "Message"));
    refused(
        status,
        text(body, "ResponseStatus"),
        message,
        text(body, "ResponseErrorMessage"),
    )
    .with_reply(Some(status), serde_json::to_vec(body).ok().as_deref())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn an_s_envelope_gives_its_data_and_w_or_e_are_refusals_whatever_the_status() {
        let data = json!([{"BrandId": "1689", "BrandName": "Acer"}]);
        let s = json!({"ResponseStatus": "S", "ResponseData": data.clone()});
        assert_eq!(unwrap(200, s).ok(), Some(data));

        let empty = unwrap(200, json!({"ResponseStatus": "S", "ResponseData": null}));
        assert_eq!(
            empty.map_err(|e| e.kind).err(),
            Some(Kind::UnexpectedResponse)
        );

        let w = json!({"ResponseStatus": "W", "ResponseMessage": "Produit pas valide", "ResponseData": null});
        let error = unwrap(200, w).expect_err("a refusal");
        assert_eq!(error.kind, Kind::Refused);
        assert_eq!(error.status, Some(200));
        assert_eq!(error.details.response_status.as_deref(), Some("W"));
        assert_eq!(
            error.details.response_message.as_deref(),
            Some("Produit pas valide")
        );
        assert!(error.message.ends_with("Ecologic said: Produit pas valide"));
    }

    #[test]
    fn refusals_name_the_reason_a_caller_acts_on() {
        let refused = |body: serde_json::Value| unwrap(200, body).expect_err("a refusal");
        let not_authorised = refused(json!({"ResponseStatus": "W",
            "ResponseMessage": "Votre compte n'est pas autorisé à saisir des demandes pour ce produit"}));
        assert_eq!(
            not_authorised.details.reason,
            Some(RefusalReason::NotAuthorised)
        );
        assert!(is_final(&not_authorised));
        let organization =
            refused(json!({"ResponseStatus": "E", "ResponseMessage": "Invalid organization"}));
        assert_eq!(
            organization.details.reason,
            Some(RefusalReason::InvalidOrganization)
        );
        let claim =
            refused(json!({"ResponseStatus": "E", "ResponseErrorMessage": "Invalid claim"}));
        assert_eq!(claim.details.reason, Some(RefusalReason::InvalidClaim));
        assert!(
            !is_final(&claim),
            "a claim id to create again, not a product to give up"
        );
    }

    #[test]
    fn documented_error_statuses_keep_what_ecologic_said() {
        let asp_net = json!({"Message": "Authorization has been denied for this request."});
        let error = error_reply(401, &asp_net);
        assert_eq!(error.kind, Kind::Authentication);
        assert_eq!(
            error.details.response_message.as_deref(),
            Some("Authorization has been denied for this request.")
        );
        assert!(error.body.as_deref().is_some_and(|b| b.contains("denied")));
        let conflict = error_reply(
            409,
            &json!({"ResponseStatus": "E", "ResponseMessage": "Validated"}),
        );
        assert_eq!(
            (conflict.kind, conflict.details.response_status.as_deref()),
            (Kind::Refused, Some("E"))
        );
    }
}
