//! Issue 22: what a real claim meets, as the real Ecologic server answers it (the third audit of
//! `shared/API-NOTES.md`, T4, T5, T10, T11, T12, and support requests judged on their `CallDate`).

mod common;

use common::*;
use reqwest::Method;
use serde_json::json;

fn create(invoice: &str) -> String {
    format!(
        "createclaim?RepairEndDate=2026-11-20&RepairSiteId={SITE}&ConsumerInvoiceNumber={invoice}"
    )
}

async fn attach_both(sbx: &Running, id: i64) {
    for kind in ["INVOICE", "CONSUMERVALIDATION"] {
        let op =
            format!("attachfile?ClaimId={id}&FileName=piece&FileExtension=pdf&DocumentType={kind}");
        let reply = sbx
            .eco(
                Method::POST,
                &op,
                Some(json!({"FileContent": b64(b"%PDF")})),
            )
            .await;
        assert_eq!(reply.status, 200, "{}", reply.text);
    }
}

#[tokio::test]
async fn the_calculation_names_ecosystem_binds_an_empty_code_as_absent_and_compares_the_ttc_invoice()
 {
    let sbx = start().await;
    let calculate = |query: String| {
        let sbx = &sbx;
        async move {
            sbx.eco(Method::GET, &format!("calculateecosupport?{query}"), None)
                .await
        }
    };
    // T4: the fixture vacuum cleaner is Ecosystem's.
    let ecosystem = calculate("ProductId=EEE.M5.031&BrandId=2194&TotalAmountExclVAT=100&TotalAmountExclVAT_Currency=EUR&TotalAmountInclVAT=120&TotalAmountInclVATCurrency=EUR".into()).await;
    assert_eq!(
        ecosystem.json["ResponseData"][0]["EcoOrganizationId"], 45,
        "{}",
        ecosystem.text
    );
    // T10: an empty optional code is no code.
    let iron = "ProductId=EEE.M5.024&BrandId=2194&TotalAmountExclVAT_Currency=EUR&TotalAmountInclVATCurrency=EUR";
    let empty = calculate(format!(
        "{iron}&TotalAmountExclVAT=100&TotalAmountInclVAT=120&IRISSymptom=&RepairCode="
    ))
    .await;
    assert_eq!(empty.json["ResponseStatus"], "S", "{}", empty.text);
    assert_eq!(empty.json["ResponseData"][0]["EcoOrganizationId"], 44);
    // T10: 14 € HT but 16.80 € TTC is above the iron's 15 € bonus: the TTC invoice is compared.
    let above = calculate(format!(
        "{iron}&TotalAmountExclVAT=14&TotalAmountInclVAT=16.80"
    ))
    .await;
    assert_eq!(above.json["ResponseStatus"], "S", "{}", above.text);
    let below = calculate(format!(
        "{iron}&TotalAmountExclVAT=12&TotalAmountInclVAT=14.40"
    ))
    .await;
    assert_eq!(below.json["ResponseMessage"], "Le seuil n'est pas dépassé");
}

#[tokio::test]
async fn an_invoice_number_makes_one_claim() {
    let sbx = start().await;
    let first = sbx.eco(Method::POST, &create("FA-9"), Some(iron())).await;
    assert_eq!(first.status, 206, "{}", first.text);
    let again = sbx.eco(Method::POST, &create(" fa-9 "), Some(iron())).await;
    assert_eq!(
        (
            again.status.as_u16(),
            &again.json["ResponseStatus"],
            &again.json["ResponseErrorMessage"]
        ),
        (200, &json!("E"), &json!("Numéro de facture déjà utilisé")),
    );
    assert!(again.json["ResponseData"].is_null(), "no claim is created");
    let other = sbx.eco(Method::POST, &create("FA-10"), Some(iron())).await;
    assert_eq!(
        other.json["ResponseData"]["ClaimId"].as_i64(),
        first.json["ResponseData"]["ClaimId"]
            .as_i64()
            .map(|id| id + 1),
    );
    // An update keeps its own number, and cannot take another claim's.
    let id = other.json["ResponseData"]["ClaimId"]
        .as_i64()
        .expect("ClaimId");
    let update = |invoice: &str| {
        format!(
            "updateclaim?ClaimId={id}&RepairEndDate=2026-11-20&RepairSiteId={SITE}&ConsumerInvoiceNumber={invoice}"
        )
    };
    let kept = sbx.eco(Method::POST, &update("FA-10"), Some(iron())).await;
    assert_eq!(kept.json["ResponseStatus"], "S", "{}", kept.text);
    let taken = sbx.eco(Method::POST, &update("FA-9"), Some(iron())).await;
    assert_eq!(
        taken.json["ResponseErrorMessage"],
        "Numéro de facture déjà utilisé"
    );
}

#[tokio::test]
async fn a_not_conform_claim_is_corrected_and_submitted_again() {
    let sbx = start().await;
    let created = sbx.eco(Method::POST, &create("FA-1"), Some(iron())).await;
    let id = created.json["ResponseData"]["ClaimId"]
        .as_i64()
        .expect("ClaimId");
    attach_both(&sbx, id).await;
    let submitted = sbx
        .eco(Method::POST, &format!("submitclaim?claimId={id}"), None)
        .await;
    assert_eq!(
        submitted.json["ResponseData"]["IsValid"], true,
        "{}",
        submitted.text
    );
    let decision = json!({"lastStatus": "NotConform", "comment": "La facture n'est pas conforme (Nom du consommateur)"});
    let decided = sbx
        .admin(Method::POST, &format!("/claims/{id}"), Some(decision))
        .await;
    assert_eq!(decided.status, 204);
    // ECL l.471-472: the repairer corrects the claim, attaches the new invoice, submits again.
    let update = format!(
        "updateclaim?ClaimId={id}&RepairEndDate=2026-11-20&RepairSiteId={SITE}&ConsumerInvoiceNumber=FA-1"
    );
    let mut corrected = iron();
    corrected["Consumer"]["LastName"] = json!("Dupond");
    let updated = sbx.eco(Method::POST, &update, Some(corrected)).await;
    assert_eq!(updated.status, 200, "{}", updated.text);
    attach_both(&sbx, id).await;
    let status = sbx
        .eco(Method::GET, &format!("getclaimstatus?ClaimId={id}"), None)
        .await;
    assert_eq!(
        status.json["ResponseData"]["LastStatus"], "NotConform",
        "until submitted again"
    );
    let again = sbx
        .eco(Method::POST, &format!("submitclaim?claimId={id}"), None)
        .await;
    assert_eq!(
        again.json["ResponseData"]["IsValid"], true,
        "{}",
        again.text
    );
    let status = sbx
        .eco(Method::GET, &format!("getclaimstatus?ClaimId={id}"), None)
        .await;
    assert_eq!(
        status.json["ResponseData"]["LastStatus"],
        "En attente de validation administrateur"
    );
    // A claim accepted or refused stays closed.
    let accepted = json!({"lastStatus": "Remboursement accepté"});
    sbx.admin(Method::POST, &format!("/claims/{id}"), Some(accepted))
        .await;
    assert_eq!(
        sbx.eco(Method::POST, &update, Some(iron())).await.status,
        409
    );
}

#[tokio::test]
async fn a_support_request_is_judged_on_its_call_date_and_closed_once_its_claim_exists() {
    let sbx = start().await;
    // The scooter is eligible from 2030: a request called on a day of 2030 is judged on it.
    let mut scooter = iron();
    scooter["Product"] =
        json!({"ProductId": "EEE.M3.101", "BrandId": "2194", "IRISSymptom": "XX10"});
    let request = |call_date: &str| {
        format!("createsupportrequest?CallDate={call_date}&RepairSiteId={SITE}&QuoteNumber=D-1")
    };
    let today = sbx
        .eco(
            Method::POST,
            &request("2026-11-20T10:00:00"),
            Some(scooter.clone()),
        )
        .await;
    assert!(
        messages(&today).iter().any(|m| m.contains("pas éligible")),
        "{}",
        today.text
    );
    let later = sbx
        .eco(Method::POST, &request("2030-02-01T10:00:00"), Some(scooter))
        .await;
    assert_eq!(later.status, 200, "{}", later.text);

    let made = sbx
        .eco(Method::POST, &request("2026-11-20T10:00:00"), Some(iron()))
        .await;
    let id = made.json["ResponseData"]["RequestId"]
        .as_i64()
        .expect("RequestId");
    let status = || async {
        let reply = sbx
            .eco(
                Method::GET,
                &format!("getsupportrequeststatus?RequestId={id}"),
                None,
            )
            .await;
        reply.json["ResponseData"][0]["LastStatus"].clone()
    };
    assert_eq!(status().await, "Validé par le consommateur");
    let claim = sbx
        .eco(
            Method::POST,
            &format!("{}&RequestId={id}", create("FA-3")),
            Some(iron()),
        )
        .await;
    assert_eq!(claim.status, 206, "{}", claim.text);
    assert_eq!(status().await, "Clôturée");
}
