//! Requests shaped exactly as public integrations of the real Ecologic API build them (issue 10's
//! replay test): each is accepted by the sandbox, as by the real server. The repository and path
//! of each integration are given beside its requests.

mod common;

use common::*;
use reqwest::Method;
use serde_json::{Value, json};

/// The body jhujube/Qualirepar builds with Gson
/// (`quali/src/main/java/com/hallouin/model/ecologic/api/pojo/SupportRequest.java`): `Country`
/// an int, empty strings for unknown fields, amounts as doubles, `Quantity` a double.
fn jhujube_body() -> Value {
    json!({
        "Consumer": {"Title": 2, "LastName": "Martin", "FirstName": "Claire", "StreetNumber": "3",
            "Address1": "rue des Lilas", "Address2": "", "Address3": "", "Zip": "35000", "City": "Rennes",
            "Country": 250, "Phone": "0611223344", "Email": "", "AutoValidation": true},
        "Product": {"ProductId": "EEE.M5.024", "BrandId": "2194", "CommercialRef": "", "SerialNumber": "SN-JH-1",
            "PurchaseDate": "", "IRISCondition": "", "IRISConditionEX": "", "IRISSymptom": "XX13",
            "IRISSection": "G18", "IRISDefault": "", "IRISRepair": "", "FailureDescription": "Ne chauffe plus",
            "DefectCode": ""},
        "Quote": {"LaborCost": {"Amount": 40.0, "Currency": "EUR"}, "SparePartsCost": {"Amount": 60.0, "Currency": "EUR"},
            "TravelCost": {"Amount": 0.0, "Currency": "EUR"}, "TotalAmountExclVAT": {"Amount": 100.0, "Currency": "EUR"},
            "TotalAmountInclVAT": {"Amount": 120.0, "Currency": "EUR"}, "SupportAmount": {"Amount": 15.0, "Currency": "EUR"}},
        "SpareParts": [{"Partref": "RES-12", "Quantity": 1.0, "Status": ""}]
    })
}

/// jhujube/Qualirepar, `quali/src/main/java/com/hallouin/model/ecologic/api/EcologicApi.java`:
/// calculation, claim without request, attachments, status, update with a UTC time, submission.
#[tokio::test]
async fn jhujube_qualirepar() {
    let sbx = start().await;
    // getEcoSupport: the incl-VAT total under the integration's names, `iRISSymptom`.
    let calc = sbx
        .eco(
            Method::GET,
            "calculateecosupport?totalAmountInclVAT=120.0&totalAmountInclVATCurrency=EUR&brandId=2194&productId=EEE.M5.024&iRISSymptom=XX13",
            None,
        )
        .await;
    assert_eq!(calc.json["ResponseStatus"], "S", "{}", calc.text);
    // createClaim: `ISO_LOCAL_DATE_TIME` (nanoseconds, no offset), no RequestId.
    let created = sbx
        .eco(
            Method::POST,
            &format!("createclaim?RepairEndDate=2026-11-20T14:03:27.123456789&RepairSiteId={SITE}&ConsumerInvoiceNumber=FA-77&quoteNumber=DV-77"),
            Some(jhujube_body()),
        )
        .await;
    assert_eq!(created.status, 206, "{}", created.text);
    let claim = created.json["ResponseData"]["ClaimId"]
        .as_i64()
        .expect("ClaimId");
    // attachFile: `/Attachfile`, `filename`, `fileextension`.
    for (name, extension, kind) in [
        ("facture", "pdf", "INVOICE"),
        ("attestation", "jpg", "CONSUMERVALIDATION"),
    ] {
        let attached = sbx
            .eco(
                Method::POST,
                &format!("Attachfile?ClaimId={claim}&filename={name}&fileextension={extension}&documentType={kind}"),
                Some(json!({"FileContent": b64(b"%PDF-1.4")})),
            )
            .await;
        assert_eq!(attached.status, 200, "{}", attached.text);
    }
    // checkClaimStatus: `/GetClaimStatus?ClaimId=`.
    let status = sbx
        .eco(
            Method::GET,
            &format!("GetClaimStatus?ClaimId={claim}"),
            None,
        )
        .await;
    assert_eq!(
        status.json["ResponseData"]["LastStatus"], "Dossier complet",
        "{}",
        status.text
    );
    // updateClaim: `yyyy-MM-dd'T'HH:mm:ss.SSSXXX` in UTC, lower-case names.
    let updated = sbx
        .eco(
            Method::POST,
            &format!("updateclaim?ClaimId={claim}&repairEndDate=2026-11-20T13:03:27.123Z&RepairSiteId={SITE}&consumerInvoiceNumber=FA-77&quoteNumber=MartinFA-77"),
            Some(jhujube_body()),
        )
        .await;
    assert_eq!(updated.status, 200, "{}", updated.text);
    // submitClaim: `ClaimId` (the document writes `claimId`), an empty body.
    let submitted = sbx
        .eco(Method::POST, &format!("submitclaim?ClaimId={claim}"), None)
        .await;
    assert_eq!(
        submitted.json["ResponseData"]["IsValid"], true,
        "{}",
        submitted.text
    );
    // CheckSupportStatus: `getsupportrequestStatus?requestId=` (of a request made the documented way).
    let request = sbx
        .eco(
            Method::POST,
            &format!(
                "createsupportrequest?CallDate=2026-11-20&RepairSiteId={SITE}&QuoteNumber=DV-78"
            ),
            Some(jhujube_body()),
        )
        .await;
    let id = request.json["ResponseData"]["RequestId"]
        .as_i64()
        .expect("RequestId");
    let status = sbx
        .eco(
            Method::GET,
            &format!("getsupportrequestStatus?requestId={id}"),
            None,
        )
        .await;
    assert_eq!(status.json["ResponseStatus"], "S", "{}", status.text);
}

/// RamiBenSlimene/QualiRepar, `src/app/services/eco-support.service.ts`. It calls AgoraPlus v2
/// (`preprod-api.agoraplus.com/api/v2/ecosupport/`), not Ecologic's v1 API (third audit): its
/// shapes are kept as a lenient client's, not as evidence of what the real v1 server takes.
#[tokio::test]
async fn ramibenslimene_qualirepar() {
    let sbx = start().await;
    // calculatEcoSupport: a fixed incl-VAT total, `repairCode`.
    let calc = sbx
        .eco(
            Method::GET,
            "calculateecosupport?totalAmountInclVAT=1000&totalAmountInclVATCurrency=EUR&brandId=2194&productId=EEE.M5.024&repairCode=G18",
            None,
        )
        .await;
    assert_eq!(calc.json["ResponseStatus"], "S", "{}", calc.text);
    // createClaim: `requestId=null`, a day alone for `repairEndDate`.
    let created = sbx
        .eco(
            Method::POST,
            &format!("createclaim?requestId=null&repairEndDate=2023-12-22&repairSiteId={SITE}&consumerInvoiceNumber=1703257200000&quoteNumber=Q-1"),
            Some(jhujube_body()),
        )
        .await;
    assert_eq!(created.status, 206, "{}", created.text);
    let claim = created.json["ResponseData"]["ClaimId"]
        .as_i64()
        .expect("ClaimId");
    // attachFile, then updateClaim with `submit=true`, `getclaimstatus?claimId=`.
    for kind in ["INVOICE", "CONSUMERVALIDATION"] {
        let attached = sbx
            .eco(
                Method::POST,
                &format!("attachfile?ClaimId={claim}&fileName=piece&fileExtension=png&documentType={kind}"),
                Some(json!({"FileContent": b64(b"\x89PNG")})),
            )
            .await;
        assert_eq!(attached.status, 200, "{}", attached.text);
    }
    let updated = sbx
        .eco(
            Method::POST,
            &format!("updateclaim?claimId={claim}&repairEndDate=2023-12-22&repairSiteId={SITE}&consumerInvoiceNumber=1703257200000&quoteNumber=Q-1&submit=true"),
            Some(jhujube_body()),
        )
        .await;
    assert_eq!(updated.status, 200, "{}", updated.text);
    let status = sbx
        .eco(
            Method::GET,
            &format!("getclaimstatus?claimId={claim}"),
            None,
        )
        .await;
    assert_eq!(
        status.json["ResponseData"]["LastStatus"],
        "En attente de validation administrateur"
    );
}

/// tsauron262/GLE, `htdocs/bimpapi/classes/apis/EcologicAPI.php` (`traiteReq`): a support request
/// with `callDate` in local time, a claim from it, files with upper-case extensions, then
/// `updateclaim` with `Submit=true`.
#[tokio::test]
async fn tsauron262_gle() {
    let sbx = start().await;
    let created = sbx
        .eco(
            Method::POST,
            &format!("createsupportrequest?callDate=2026-11-20T10:15:00&repairSiteId={SITE}&quoteNumber=SAV-1"),
            Some(jhujube_body()),
        )
        .await;
    assert_eq!(created.status, 200, "{}", created.text);
    let request = created.json["ResponseData"]["RequestId"]
        .as_i64()
        .expect("RequestId");
    let claim = sbx
        .eco(
            Method::POST,
            &format!("createclaim?RequestId={request}&RepairEndDate=2026-11-20&ConsumerInvoiceNumber=FA-1&repairSiteId={SITE}&quoteNumber=SAV-1"),
            Some(jhujube_body()),
        )
        .await;
    assert_eq!(claim.status, 206, "{}", claim.text);
    let claim = claim.json["ResponseData"]["ClaimId"]
        .as_i64()
        .expect("ClaimId");
    for (name, extension, kind) in [
        ("Facture", "PDF", "INVOICE"),
        ("Pv", "JPG", "CONSUMERVALIDATION"),
    ] {
        let attached = sbx
            .eco(
                Method::POST,
                &format!("attachfile?claimId={claim}&fileName={name}&fileExtension={extension}&documentType={kind}"),
                Some(json!({"FileContent": b64(b"%PDF")})),
            )
            .await;
        assert!(
            attached.text.contains("Code 200"),
            "GLE's success test: {}",
            attached.text
        );
    }
    let submitted = sbx
        .eco(
            Method::POST,
            &format!("updateclaim?ClaimId={claim}&RepairEndDate=2026-11-20&ConsumerInvoiceNumber=FA-1&repairSiteId={SITE}&quoteNumber=SAV-1&Submit=true"),
            Some(jhujube_body()),
        )
        .await;
    assert_eq!(
        (
            &submitted.json["ResponseStatus"],
            &submitted.json["ResponseData"]["IsValid"]
        ),
        (&json!("S"), &json!(true)),
        "{}",
        submitted.text
    );
}

/// solutionphone71/solution-phone, `index.html` (live flow `qrEnvoyerEcologicComplet`, l.27880-28075,
/// and `qrValiderEcologic`, l.28078-28116, through `api/proxy-ecologic.js`): `/CreateClaim` with a
/// date-only `RepairEndDate`, no `RequestId`, `QuoteNumber` nor `CallDate`, `Title` a number,
/// `Country` "250", the phone as typed, the repair code in `IRISSection` and again in an unknown
/// `Product.RepairCode` the server ignores; `/AttachFile` with `Invoice`, `Nameplate` and
/// `ConsumerValidation` (and the legacy flow's `NamePlate`, l.34298), lower-case extensions;
/// `/submitclaim?ClaimId=` with the body `{}`; `/getclaimstatus`. Then its second claim on the same
/// invoice number, which Ecologic refuses ("numéro facture déjà utilisé", l.27908). The sandbox's
/// smartphone is `EEE.M2.044` (solution-phone sends the real referential's code for its own).
#[tokio::test]
async fn solution_phone() {
    let sbx = start().await;
    let body = json!({
        "Consumer": {"Title": 1, "LastName": "Client", "FirstName": "Marie", "Address1": "21 Rue Gambetta",
            "Zip": "71000", "City": "Macon", "Country": "250", "Phone": "06 12 34 56 78", "Email": "client@example.fr"},
        "Product": {"ProductId": "EEE.M2.044", "BrandId": "2310", "CommercialRef": "Galaxy S21",
            "SerialNumber": "356938035643809", "IRISSection": "E01", "IRISCondition": "6", "IRISSymptom": "XX9",
            "IRISDefault": "08", "IRISRepair": "W10", "RepairCode": "E01", "FailureDescription": "Écran cassé"},
        "Quote": {"LaborCost": {"Amount": 40, "Currency": "EUR"}, "SparePartsCost": {"Amount": 80, "Currency": "EUR"},
            "TravelCost": {"Amount": 0, "Currency": "EUR"}, "TotalAmountExclVAT": {"Amount": 100, "Currency": "EUR"},
            "TotalAmountInclVAT": {"Amount": 120, "Currency": "EUR"}, "SupportAmount": {"Amount": 25, "Currency": "EUR"}}
    });
    let create = format!(
        "CreateClaim?RepairEndDate=2026-11-20&RepairSiteId={SITE}&ConsumerInvoiceNumber=REP-2026-001"
    );
    let created = sbx.eco(Method::POST, &create, Some(body.clone())).await;
    // Created, the unknown `Product.RepairCode` ignored; 206 until the files are attached.
    assert_eq!(created.status, 206, "{}", created.text);
    let claim = created.json["ResponseData"]["ClaimId"]
        .as_i64()
        .expect("ClaimId");
    for (name, extension, kind) in [
        ("Facture", "pdf", "Invoice"),
        ("IMEI", "jpg", "Nameplate"),
        ("plaque_imei", "png", "NamePlate"),
        ("DevisSigne", "pdf", "ConsumerValidation"),
    ] {
        let attached = sbx
            .eco(
                Method::POST,
                &format!("AttachFile?ClaimId={claim}&FileName={name}&FileExtension={extension}&DocumentType={kind}"),
                Some(json!({"FileContent": b64(b"%PDF-1.4")})),
            )
            .await;
        assert_eq!(attached.status, 200, "{kind}: {}", attached.text);
    }
    let submitted = sbx
        .eco(
            Method::POST,
            &format!("submitclaim?ClaimId={claim}"),
            Some(json!({})),
        )
        .await;
    assert!(submitted.status.is_success(), "{}", submitted.text);
    // Its success test: `resp.ok && !ResponseErrorMessage`.
    let error = submitted.json["ResponseErrorMessage"].as_str();
    assert!(error.is_none_or(str::is_empty), "{}", submitted.text);
    assert_eq!(
        submitted.json["ResponseData"]["IsValid"], true,
        "{}",
        submitted.text
    );
    let status = sbx
        .eco(
            Method::GET,
            &format!("getclaimstatus?ClaimId={claim}"),
            None,
        )
        .await;
    assert_eq!(
        status.json["ResponseData"]["LastStatus"], "En attente de validation administrateur",
        "{}",
        status.text
    );
    // The legacy flow's camelCase parameters, on the same invoice: refused, no claim made.
    let again = sbx
        .eco(
            Method::POST,
            &format!("createclaim?repairEndDate=2026-11-20&repairSiteId={SITE}&consumerInvoiceNumber=REP-2026-001"),
            Some(body),
        )
        .await;
    assert_eq!(again.json["ResponseStatus"], "E", "{}", again.text);
    assert!(
        again.json["ResponseErrorMessage"]
            .as_str()
            .is_some_and(|m| m.contains("déjà utilisé"))
    );
}

/// Document types as the document's own example writes them (`Invoice`) and as
/// solutionphone71/solution-phone (`index.html`, a 1.2 MB page; the spellings as the second audit
/// of `shared/API-NOTES.md`, R6, records them) sends them.
#[tokio::test]
async fn solution_phone_document_types() {
    let sbx = start().await;
    let created = sbx
        .eco(
            Method::POST,
            &format!("createclaim?RepairEndDate=2026-11-20&RepairSiteId={SITE}&ConsumerInvoiceNumber=SP-1"),
            Some(jhujube_body()),
        )
        .await;
    let claim = created.json["ResponseData"]["ClaimId"]
        .as_i64()
        .expect("ClaimId");
    for kind in ["Invoice", "NamePlate", "Nameplate", "ConsumerValidation"] {
        let attached = sbx
            .eco(
                Method::POST,
                &format!("attachfile?ClaimId={claim}&FileName=photo&FileExtension=jpeg&DocumentType={kind}"),
                Some(json!({"FileContent": b64(b"jpeg")})),
            )
            .await;
        assert_eq!(attached.status, 200, "{kind}: {}", attached.text);
    }
}
