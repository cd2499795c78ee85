//! Every Ecologic operation, called once through its generated client against the sandbox:
//! what the sandbox received and what the caller got back, including 206 and refusals.

mod common;

use common::ecologic::{self, types as api};
use common::*;
use repair_claims::json::Json;
use repair_claims::money::Amount;
use repair_claims::values::ParisDateTime;
use serde_json::{Value, json};
use wasm_bindgen_test::wasm_bindgen_test;

const API_KEY_HEADER: (&str, &str) = ("api_key", REDACTED);
const BASE: &str = "/ecologic/api/v1/ecosupport";

fn client() -> ecologic::Client {
    ecologic_client(ECOLOGIC_KEY)
}

/// A complete dossier for a steam iron station (EEE.M5.024), as the document's example.
/// Read as the generated `RepairData` first, so the spec's types still describe it; the generated
/// operations take bodies as JSON.
fn dossier(symptom: &str, section: &str) -> Json {
    let dossier: api::RepairData = serde_json::from_value(json!({
        "Consumer": {"Title": 1, "LastName": "Test Nom", "FirstName": "Test prénom", "StreetNumber": "15",
            "Address1": "Avenue du Centre", "Zip": "78280", "City": "GUYANCOURT", "Country": "250",
            "Phone": "0600000000", "Email": "test@egmail.com", "AutoValidation": true},
        "Product": {"ProductId": "EEE.M5.024", "BrandId": "2194", "CommercialRef": "Repasse Plus",
            "SerialNumber": "ABCDE", "PurchaseDate": "2020-10-06", "IRISSymptom": symptom,
            "IRISSection": section, "FailureDescription": "Symptome code IRIS XX13"},
        "Quote": {"LaborCost": {"Amount": 20.00, "Currency": "EUR"}, "SparePartsCost": {"Amount": 10.00, "Currency": "EUR"},
            "TravelCost": {"Amount": 0, "Currency": "EUR"}, "TotalAmountExclVAT": {"Amount": 100.00, "Currency": "EUR"},
            "TotalAmountInclVAT": {"Amount": 106.00, "Currency": "EUR"}, "SupportAmount": {"Amount": 10.00, "Currency": "EUR"}},
        "SpareParts": [{"Partref": "", "Quantity": 0, "Status": ""}]
    }))
    .expect("a valid dossier");
    Json(serde_json::to_value(dossier).expect("JSON"))
}

fn params(request: &Value) -> Vec<(String, String)> {
    serde_json::from_value(request["queryParams"].clone()).expect("query pairs")
}

fn param<'a>(pairs: &'a [(String, String)], name: &str) -> Option<&'a str> {
    pairs
        .iter()
        .find(|(n, _)| n == name)
        .map(|(_, v)| v.as_str())
}

fn error_fields(errors: &[api::ValidationError]) -> Vec<&str> {
    errors
        .iter()
        .map(|e| e.field.as_deref().unwrap_or_default())
        .collect()
}

/// The data of an envelope whose `ResponseData` is the data or null (R12: `oneOf [X, NoValue]`).
trait Data {
    type Of;
    fn data(self) -> Self::Of;
}

macro_rules! data {
    ($($choice:ident => $of:ident),+) => {$(
        impl Data for Option<api::$choice> {
            type Of = api::$of;
            fn data(self) -> api::$of {
                match self {
                    Some(api::$choice::$of(data)) => data,
                    other => panic!("no ResponseData: {other:?}"),
                }
            }
        }
    )+};
}

data! {
    SupportRequestEnvelopeResponseData => SupportRequestResult,
    ClaimEnvelopeResponseData => ClaimResult,
    ClaimStatusEnvelopeResponseData => ClaimStatus,
    SubmitClaimEnvelopeResponseData => SubmitClaimResult
}

fn repair_end() -> ParisDateTime {
    ParisDateTime::parse("2026-11-20T11:50:37Z").expect("date-time")
}

#[wasm_bindgen_test]
async fn referentials_come_typed_from_get_calls_with_the_api_key() {
    reset().await;
    let sites = client()
        .get_repair_sites_by_ats()
        .await
        .expect("sites")
        .into_typed::<api::RepairSiteListEnvelope>();
    assert_eq!(sites.response_status, api::ResponseStatus::S);
    let sites = sites.response_data.expect("sites");
    assert_eq!(
        (
            sites.len(),
            sites[0].site_id.as_str(),
            sites[0].city.as_deref()
        ),
        (1, SITE_ID, Some("GUYANCOURT"))
    );

    let brands = client()
        .print_brand_list()
        .await
        .expect("brands")
        .into_typed::<api::BrandListEnvelope>()
        .response_data
        .expect("brands");
    assert!(
        brands
            .iter()
            .any(|b| b.brand_name == "Calor" && b.brand_id.as_str() == "2194")
    );

    let products = client()
        .print_product_type_list()
        .await
        .expect("products")
        .into_typed::<api::ProductTypeListEnvelope>()
        .response_data
        .expect("list");
    let cave = products
        .iter()
        .find(|p| p.product_id.as_str() == "EEE.M1.010")
        .expect("Cave à vin");
    assert_eq!(
        (
            cave.product_name.as_str(),
            cave.eligibility_start_date.as_str()
        ),
        ("Cave à vin", "2022-01-01T00:00:00")
    );
    assert!(cave.iris_symtoms.iter().any(|c| c == "XX12"));

    let labelled = client()
        .print_product_type_with_label_list()
        .await
        .expect("labelled")
        .into_typed::<api::LabelledProductTypeListEnvelope>()
        .response_data
        .expect("list");
    let cave = labelled
        .iter()
        .find(|p| p.product_id.as_str() == "EEE.M1.010")
        .expect("Cave à vin");
    assert!(
        cave.iris_symtoms
            .iter()
            .any(|c| c.code == "XX12" && c.label == "Ne refroidit plus")
    );
    assert!(
        cave.repair_codes
            .iter()
            .any(|c| c.code == "C01" && c.label == "Problème compresseur")
    );

    let log = received().await;
    let seen: Vec<(&str, &str)> = log
        .iter()
        .map(|r| {
            (
                r["method"].as_str().unwrap_or(""),
                r["path"].as_str().unwrap_or(""),
            )
        })
        .collect();
    let expected: Vec<(&str, String)> = [
        "getrepairsitesbyats",
        "printbrandlist",
        "printproducttypelist",
        "printproducttypewithlabellist",
    ]
    .iter()
    .map(|op| ("GET", format!("{BASE}/{op}")))
    .collect();
    assert_eq!(
        seen,
        expected
            .iter()
            .map(|(m, p)| (*m, p.as_str()))
            .collect::<Vec<_>>()
    );
    for request in &log {
        assert_headers(request, API_KEY_HEADER);
        assert_eq!(
            (&request["query"], &request["body"]),
            (&json!(""), &Value::Null)
        );
    }
}

#[wasm_bindgen_test]
async fn calculate_eco_support_sends_query_parameters_and_reads_the_amount() {
    reset().await;
    let reply = client()
        .calculate_eco_support(
            &"2194".parse().unwrap(),
            None,
            Some("XX13"),
            &"EEE.M5.024".parse().unwrap(),
            Some("G18"),
            None,
            &Amount::from_cents(12_000),
            api::Currency::Eur,
            &Amount::from_cents(14_400),
            api::Currency::Eur,
        )
        .await
        .expect("calculated")
        .into_typed::<api::EcoSupportEnvelope>();
    assert_eq!(reply.response_status, api::ResponseStatus::S);
    let support = reply.response_data.expect("data");
    assert_eq!(
        (
            support[0].eco_organization_id.0,
            support[0].support_amount.0
        ),
        (44, Amount::from_cents(1_500))
    );

    let request = only_request().await;
    assert_eq!(
        (request["method"].as_str(), request["path"].as_str()),
        (Some("GET"), Some(&*format!("{BASE}/calculateecosupport")))
    );
    assert_headers(&request, API_KEY_HEADER);
    let pairs = params(&request);
    let total: Option<Amount> = param(&pairs, "TotalAmountExclVAT").and_then(|t| t.parse().ok());
    assert_eq!(total, Some(Amount::from_cents(12_000)), "{pairs:?}");
    assert_eq!(param(&pairs, "TotalAmountExclVAT_Currency"), Some("EUR"));
    let incl: Option<Amount> = param(&pairs, "TotalAmountInclVAT").and_then(|t| t.parse().ok());
    assert_eq!(
        incl,
        Some(Amount::from_cents(14_400)),
        "R1: the integrations' name too"
    );
    assert_eq!(param(&pairs, "TotalAmountInclVATCurrency"), Some("EUR"));
    assert_eq!(
        (param(&pairs, "BrandId"), param(&pairs, "ProductId")),
        (Some("2194"), Some("EEE.M5.024"))
    );
    assert_eq!(
        (param(&pairs, "IRISSymptom"), param(&pairs, "RepairCode")),
        (Some("XX13"), Some("G18"))
    );
    assert_eq!(param(&pairs, "BrandName"), None);
}

#[wasm_bindgen_test]
async fn an_unknown_brand_ecologic_does_not_cover_is_a_w_envelope() {
    reset().await;
    let reply = client()
        .calculate_eco_support(
            &"0".parse().unwrap(),
            Some("SUPERPhone"),
            None,
            &"EEE.M2.044".parse().unwrap(),
            None,
            None,
            &Amount::from_cents(12_000),
            api::Currency::Eur,
            &Amount::from_cents(14_400),
            api::Currency::Eur,
        )
        .await
        .expect("an envelope, not an HTTP error")
        .into_typed::<api::EcoSupportEnvelope>();
    assert_eq!(
        (reply.response_status, reply.is_valid),
        (api::ResponseStatus::W, false)
    );
    assert_eq!(
        (reply.response_message.as_deref(), reply.response_data),
        (Some("Invalid organization"), None)
    );
    assert_eq!(
        param(&params(&only_request().await), "BrandName"),
        Some("SUPERPhone")
    );
}

#[wasm_bindgen_test]
async fn support_request_206_then_update_then_status() {
    reset().await;
    let quote = "DEV-1".parse().unwrap();
    let site = SITE_ID.parse().unwrap();
    let call_date = ParisDateTime::parse("2026-11-20T10:00:00Z").unwrap();
    let created = client()
        .create_support_request(&call_date, &quote, &site, &dossier("XX99", ""))
        .await
        .expect("created");
    assert_eq!(
        created.status().as_u16(),
        206,
        "an unknown symptom is information missing, not a failure"
    );
    let created = created
        .into_typed::<api::SupportRequestEnvelope>()
        .response_data
        .data();
    assert!(!created.is_valid);
    assert_eq!(
        error_fields(&created.validation_errors),
        ["Montant de remboursement / Soutien"]
    );

    let id = created.request_id;
    let updated = client()
        .update_support_request(
            &call_date,
            &"DEV-1b".parse().unwrap(),
            &site.to_string().parse().unwrap(),
            Some(&id),
            Some(&id),
            &dossier("XX13", ""),
        )
        .await
        .expect("updated");
    assert_eq!(updated.status().as_u16(), 200);
    let updated = updated
        .into_typed::<api::SupportRequestEnvelope>()
        .response_data
        .data();
    assert!(updated.is_valid && updated.validation_errors.is_empty());

    let status = client()
        .get_support_request_status(&id)
        .await
        .expect("status")
        .into_typed::<api::SupportRequestStatusEnvelope>()
        .response_data
        .expect("data");
    assert_eq!(
        (status[0].request_id, status[0].last_status.as_str()),
        (id, "Validé par le consommateur")
    );

    let log = received().await;
    let create = &log[0];
    assert_eq!(
        (create["method"].as_str(), create["path"].as_str()),
        (Some("POST"), Some(&*format!("{BASE}/createsupportrequest")))
    );
    assert_headers(create, API_KEY_HEADER);
    let pairs = params(create);
    assert_eq!(
        (param(&pairs, "QuoteNumber"), param(&pairs, "RepairSiteId")),
        (Some("DEV-1"), Some(SITE_ID))
    );
    // R4: Paris wall-clock time without offset (10:00 UTC is 11:00 in Paris in November).
    assert_eq!(param(&pairs, "CallDate"), Some("2026-11-20T11:00:00"));
    assert_eq!(create["body"]["Consumer"]["AutoValidation"], true);
    assert_eq!(create["body"]["Product"]["IRISSymptom"], "XX99");
    assert_eq!(
        create["body"]["Quote"]["TotalAmountInclVAT"],
        json!({"Amount": 106.0, "Currency": "EUR"})
    );
    assert_eq!(create["body"]["SpareParts"][0]["Partref"], "");

    let update = &log[1];
    let pairs = params(update);
    let id_text = id.0.to_string();
    assert_eq!(
        (param(&pairs, "RequestId"), param(&pairs, "claimId")),
        (Some(&*id_text), Some(&*id_text))
    );
    assert_eq!(log[2]["path"], format!("{BASE}/getsupportrequeststatus"));
    assert_eq!(param(&params(&log[2]), "RequestId"), Some(&*id_text));
}

#[wasm_bindgen_test]
async fn claim_from_request_attach_update_status_submit() {
    reset().await;
    let request_id = client()
        .create_support_request(
            &repair_end(),
            &"DEV-2".parse().unwrap(),
            &SITE_ID.parse().unwrap(),
            &dossier("XX13", ""),
        )
        .await
        .expect("request")
        .into_typed::<api::SupportRequestEnvelope>()
        .response_data
        .data()
        .request_id;

    let invoice_number = "FACT-1".parse().unwrap();
    let site = SITE_ID.parse().unwrap();
    let created = client()
        .create_claim(
            &invoice_number,
            Some("REF-1"),
            &repair_end(),
            &site,
            Some(&request_id),
            &dossier("XX13", "G18"),
        )
        .await
        .expect("claim");
    assert_eq!(
        created.status().as_u16(),
        206,
        "attachments are missing at first"
    );
    let created = created
        .into_typed::<api::ClaimEnvelope>()
        .response_data
        .data();
    let claim_id = created.claim_id;
    assert_eq!(
        error_fields(&created.validation_errors),
        ["Facture", "Validation manuelle du consommateur"]
    );
    assert_eq!(
        created.validation_errors[0].error_message,
        "Des pièces jointes sont requises : Facture"
    );

    for (kind, name) in [
        (api::DocumentType::Invoice, "Facture797"),
        (api::DocumentType::Consumervalidation, "Attestation"),
    ] {
        let body = api::AttachFileBody {
            file_content: repair_claims::values::FileData::from_bytes(b"%PDF-1.4\n"),
        };
        let body = Json(serde_json::to_value(body).expect("JSON"));
        let attached = client()
            .attach_file(
                &claim_id,
                kind,
                api::FileExtension::Pdf,
                &name.parse().unwrap(),
                &body,
            )
            .await
            .expect("attached");
        assert_eq!(attached.status().as_u16(), 200);
    }

    let updated = client()
        .update_claim(
            &claim_id,
            &"FACT-1".parse().unwrap(),
            None,
            &repair_end(),
            &SITE_ID.parse().unwrap(),
            Some(false),
            &dossier("XX13", "G18"),
        )
        .await
        .expect("updated");
    assert_eq!(updated.status().as_u16(), 200);
    assert!(
        updated
            .into_typed::<api::ClaimEnvelope>()
            .response_data
            .data()
            .is_valid
    );

    let status = client()
        .get_claim_status(&claim_id)
        .await
        .expect("status")
        .into_typed::<api::ClaimStatusEnvelope>()
        .response_data
        .data();
    assert_eq!(
        (status.claim_id, status.last_status.as_str()),
        (claim_id, "Dossier complet")
    );
    assert!(status.validation_errors.is_empty());

    let submitted = client()
        .submit_claim(&claim_id)
        .await
        .expect("submitted")
        .into_typed::<api::SubmitClaimEnvelope>()
        .response_data
        .data();
    assert_eq!(
        (submitted.claim_id, submitted.is_valid),
        (claim_id, Some(true))
    );

    let log = received().await;
    let claim_text = claim_id.0.to_string();
    let create = &log[1];
    let pairs = params(create);
    assert_eq!(create["path"], format!("{BASE}/createclaim"));
    assert_eq!(
        (
            param(&pairs, "RequestId"),
            param(&pairs, "ConsumerInvoiceNumber")
        ),
        (Some(&*request_id.0.to_string()), Some("FACT-1"))
    );
    assert_eq!(
        (param(&pairs, "RepairEndDate"), param(&pairs, "QuoteNumber")),
        (Some("2026-11-20T12:50:37"), Some("REF-1"))
    );
    let attach = &log[2];
    let pairs = params(attach);
    assert_eq!(
        (attach["method"].as_str(), attach["path"].as_str()),
        (Some("POST"), Some(&*format!("{BASE}/attachfile")))
    );
    assert_eq!(
        (param(&pairs, "ClaimId"), param(&pairs, "DocumentType")),
        (Some(&*claim_text), Some("INVOICE"))
    );
    assert_eq!(
        (param(&pairs, "FileExtension"), param(&pairs, "FileName")),
        (Some("pdf"), Some("Facture797"))
    );
    assert_eq!(attach["body"], json!({"FileContent": "JVBERi0xLjQK"}));
    assert_eq!(param(&params(&log[4]), "Submit"), Some("false"));
    let submit = &log[6];
    assert_eq!(
        (submit["method"].as_str(), submit["path"].as_str()),
        (Some("POST"), Some(&*format!("{BASE}/submitclaim")))
    );
    assert_eq!(
        (param(&params(submit), "claimId"), &submit["body"]),
        (Some(&*claim_text), &Value::Null)
    );
    for request in &log {
        assert_headers(request, API_KEY_HEADER);
    }
}

#[wasm_bindgen_test]
async fn an_incomplete_claim_is_not_submitted() {
    reset().await;
    let claim = client()
        .create_claim(
            &"FACT-2".parse().unwrap(),
            None,
            &repair_end(),
            &SITE_ID.parse().unwrap(),
            None,
            &dossier("XX13", ""),
        )
        .await
        .expect("claim without a request (1.4)");
    assert_eq!(claim.status().as_u16(), 206);
    let claim_id = claim
        .into_typed::<api::ClaimEnvelope>()
        .response_data
        .data()
        .claim_id;
    let submitted = client()
        .submit_claim(&claim_id)
        .await
        .expect("answered")
        .into_typed::<api::SubmitClaimEnvelope>()
        .response_data
        .data();
    assert_eq!(
        (submitted.is_valid, submitted.last_status.as_deref()),
        (Some(false), Some("Dossier incomplet"))
    );
    assert!(error_fields(&submitted.validation_errors).contains(&"Panne ou code IRIS"));
}

#[wasm_bindgen_test]
async fn an_unknown_api_key_is_a_typed_401() {
    reset().await;
    let error = ecologic_client("00000000-0000-0000-0000-000000000000")
        .print_brand_list()
        .await
        .expect_err("refused");
    assert_eq!(error.status().map(|s| s.as_u16()), Some(401));
    let ecologic::Error::ErrorResponse(body) = error else {
        panic!("typed error expected")
    };
    let body: api::ErrorReply = body.into_typed();
    assert_eq!(
        body.message.as_deref(),
        Some("Authorization has been denied for this request.")
    );
}
