//! The JavaScript surface (`LaluxClient`, `EcologicClient`) called as JS calls it, in Node and
//! in headless Chromium (where `fetch`, CORS and `Blob` are the browser's): every method and
//! workflow once against the sandbox, and the shape of what comes back and of what is thrown.

mod common;

use common::*;
use repair_claims::ecologic::EcologicClient;
use repair_claims::lalux::LaluxClient;
use serde::Serialize;
use serde_json::{Value, json};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use wasm_bindgen_test::wasm_bindgen_test;

const PDF: &[u8] = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n";

/// A JSON value as the plain JS object a caller would write.
fn js(value: &Value) -> JsValue {
    value
        .serialize(&serde_wasm_bindgen::Serializer::json_compatible())
        .expect("JSON is representable in JS")
}

/// `object[key] = value`, for values JSON cannot hold (bytes, `Blob`, `Date`, functions).
fn with(object: JsValue, key: &str, value: &JsValue) -> JsValue {
    js_sys::Reflect::set(&object, &key.into(), value).expect("set a property");
    object
}

fn bytes(content: &[u8]) -> JsValue {
    js_sys::Uint8Array::from(content).into()
}

/// A `Blob` holding `content`, through the global constructor (Node ≥ 18 and browsers).
fn blob(content: &[u8]) -> JsValue {
    let constructor = js_sys::Reflect::get(&js_sys::global(), &"Blob".into()).expect("Blob exists");
    let parts = js_sys::Array::of1(&bytes(content));
    let arguments = js_sys::Array::of1(&parts);
    js_sys::Reflect::construct(constructor.unchecked_ref::<js_sys::Function>(), &arguments)
        .expect("a Blob")
}

/// Awaits a call's promise: its value as JSON, or the thrown error as JSON (with its message).
async fn settle(promise: js_sys::Promise) -> Result<Value, Value> {
    let to_json =
        |v: &JsValue| serde_wasm_bindgen::from_value::<Value>(v.clone()).unwrap_or(Value::Null);
    match JsFuture::from(promise).await {
        Ok(value) => Ok(to_json(&value)),
        Err(error) => {
            assert!(
                error.is_instance_of::<js_sys::Error>(),
                "errors are JS Error objects"
            );
            let mut json = to_json(&error);
            json["message"] = js_sys::Reflect::get(&error, &"message".into())
                .ok()
                .and_then(|m| m.as_string())
                .into();
            Err(json)
        }
    }
}

async fn ok(promise: js_sys::Promise) -> Value {
    settle(promise)
        .await
        .unwrap_or_else(|e| panic!("the call failed: {e:#}"))
}

async fn fails(promise: js_sys::Promise) -> Value {
    match settle(promise).await {
        Ok(value) => panic!("the call succeeded: {value:#}"),
        Err(error) => error,
    }
}

fn lalux(credentials: Value) -> LaluxClient {
    // The suite runs in Chromium too, where a secret is refused unless allowed.
    let mut options = json!({
        "tokenUrl": format!("{SANDBOX}/lalux/wts"),
        "apiUrl": format!("{SANDBOX}/lalux/api"),
        "dangerouslyAllowBrowser": true,
    });
    if let (Some(o), Some(c)) = (options.as_object_mut(), credentials.as_object()) {
        o.extend(c.clone());
    }
    LaluxClient::new(js(&options)).expect("valid options")
}

fn repairer() -> LaluxClient {
    lalux(json!({"clientId": "sandbox-repairer", "clientSecret": "sandbox-repairer-secret"}))
}

fn expert() -> LaluxClient {
    lalux(json!({
        "clientId": "sandbox-expert", "clientSecret": "sandbox-expert-secret",
        "username": "expert", "password": "sandbox-expert-password"
    }))
}

fn ecologic() -> EcologicClient {
    EcologicClient::new(js(&json!({
        "environment": "production",
        "baseUrl": format!("{SANDBOX}/ecologic/api/v1/ecosupport"),
        "apiKey": ECOLOGIC_KEY,
        "dangerouslyAllowBrowser": true,
    })))
    .expect("valid options")
}

fn repair_settlement() -> Value {
    json!({
        "idPrestataire": "XT1234", "referenceFacture": "F-1", "dateFacture": "2024-03-01",
        "numeroSinistre": "S-1", "referenceInterneLalux": "PEC-1", "immatriculationVehicule": "AB1234",
        "numeroChassisVehicule": "1HGBH41JXMN109186", "type": "N", "typeFacture": "REP",
        "factureHT": "-100.00", "factureTVA": -17, "factureTTC": -117
    })
}

fn expert_settlement() -> Value {
    json!({
        "idExpert": "XT5678", "referenceFacture": "H-1", "dateFacture": "2024-03-01",
        "numeroSinistre": "S-1", "referenceInterneLalux": "EXP-1", "immatriculationVehicule": "AB1234",
        "numeroChassisVehicule": "1HGBH41JXMN109186", "type": "F",
        "honorairesHT": 200, "honorairesTVA": 34.5, "honorairesTTC": 234.5,
        "prejudiceHT": 10000, "prejudiceTVA": 1700.5, "prejudiceTTC": 11700.5, "abandonVehicule": true
    })
}

fn dossier() -> Value {
    json!({
        "Consumer": {"Title": 4, "LastName": "SARL Dupont", "FirstName": "-", "Zip": "75001", "City": "Paris", "Country": "250", "Phone": "0601020304"},
        "Product": {"ProductId": "EEE.M1.010", "BrandId": "1689", "IRISSymptom": "XX4", "IRISSection": "G12", "SerialNumber": "SN-1"},
        "Quote": {"TotalAmountExclVAT": {"Amount": 100, "Currency": "EUR"}, "TotalAmountInclVAT": {"Amount": 120, "Currency": "EUR"}}
    })
}

/// `dossier()` with the claim's parameters.
fn claim_input(extra: Value) -> Value {
    let mut input = dossier();
    if let (Some(i), Some(e)) = (input.as_object_mut(), extra.as_object()) {
        i.extend(e.clone());
        i.insert("RepairEndDate".into(), "2026-11-20T15:00:00Z".into());
        i.insert("RepairSiteId".into(), SITE_ID.into());
        i.insert("ConsumerInvoiceNumber".into(), "FAC-1".into());
    }
    input
}

fn paths(log: &[Value]) -> Vec<String> {
    log.iter()
        .map(|r| {
            format!(
                "{} {}",
                r["method"].as_str().unwrap_or(""),
                r["path"].as_str().unwrap_or("")
            )
        })
        .collect()
}

#[wasm_bindgen_test]
async fn repairer_upload_submit_and_settle() {
    reset().await;
    let client = repairer();
    let receipt = ok(client.repairer().upload(
        with(
            js(&json!({"fileNameWithExtension": "f.pdf"})),
            "file",
            &blob(PDF),
        ),
        None,
    ))
    .await;
    assert_eq!(receipt["status"], "Verified");
    assert_eq!(receipt["bytes"], PDF.len());
    let key = receipt["key"].as_str().expect("a key").to_owned();

    let mut settlement = repair_settlement();
    settlement["refPDFFacture"] = key.clone().into();
    assert_eq!(
        ok(client.repairer().submit_invoice(js(&settlement), None)).await,
        Value::Null
    );

    let settled = ok(client.repairer().settle(
        with(js(&repair_settlement()), "invoicePdf", &bytes(PDF)),
        None,
    ))
    .await;
    let settled_key = settled["uploads"][0]["key"]
        .as_str()
        .expect("the settle upload's key");

    let log = received().await;
    assert_eq!(
        paths(&log),
        [
            "POST /lalux/wts/token",
            "PUT /lalux/api/reparateur/upload",
            "PUT /lalux/api/reparateur",
            "PUT /lalux/api/reparateur/upload",
            "PUT /lalux/api/reparateur"
        ]
    );
    assert_headers(&log[1], ("authorization", "Bearer [redacted]"));
    assert_eq!(log[2]["body"]["refPDFFacture"], key);
    assert_eq!(
        (&log[2]["body"]["factureHT"], &log[2]["body"]["type"]),
        (&json!(-100.0), &json!("N"))
    );
    assert_eq!(log[4]["body"]["refPDFFacture"], settled_key);
}

#[wasm_bindgen_test]
async fn expert_upload_submit_and_settle() {
    reset().await;
    let client = expert();
    let fees = ok(client.expert().upload(
        with(
            js(&json!({"fileNameWithExtension": "h.pdf"})),
            "file",
            &bytes(PDF),
        ),
        None,
    ))
    .await;
    let report = ok(client.expert().upload(
        with(
            js(&json!({"fileNameWithExtension": "r.pdf"})),
            "file",
            &bytes(PDF),
        ),
        None,
    ))
    .await;
    let mut settlement = expert_settlement();
    settlement["refPdfHonoraires"] = fees["key"].clone();
    settlement["refPdfExpertise"] = report["key"].clone();
    ok(client.expert().submit_settlement(js(&settlement), None)).await;
    let input = with(
        with(js(&expert_settlement()), "feeNotePdf", &bytes(PDF)),
        "reportPdf",
        &blob(PDF),
    );
    let settled = ok(client.expert().settle(input, None)).await;
    assert_eq!(settled["uploads"].as_array().map(Vec::len), Some(2));

    let log = received().await;
    assert_eq!(paths(&log)[0], "POST /lalux/wts/authen");
    assert_eq!(log[3]["body"]["refPdfExpertise"], report["key"]);
    assert_eq!(log[3]["body"]["abandonVehicule"], true);
    assert_eq!(
        log[3]["body"]["AbandonVehicule"], true,
        "R2: both spellings"
    );
    assert_eq!(
        log.len(),
        7,
        "one token, two uploads, a submission, then two uploads and a submission"
    );
}

#[wasm_bindgen_test]
async fn errors_are_js_errors_with_a_kind_and_every_field() {
    reset().await;
    let invalid = fails(
        repairer()
            .repairer()
            .submit_invoice(js(&json!({"type": "X", "factureHT": 1.234})), None),
    )
    .await;
    assert_eq!(invalid["kind"], "validation");
    let fields: Vec<&str> = invalid["fields"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|f| f["field"].as_str())
        .collect();
    assert!(
        fields.contains(&"type")
            && fields.contains(&"factureHT")
            && fields.contains(&"refPDFFacture"),
        "{fields:?}"
    );
    assert!(received().await.is_empty(), "nothing was sent");

    let refused = fails(
        lalux(json!({"clientId": "sandbox-repairer", "clientSecret": "wrong"}))
            .repairer()
            .upload(
                with(
                    js(&json!({"fileNameWithExtension": "f.pdf"})),
                    "file",
                    &bytes(PDF),
                ),
                None,
            ),
    )
    .await;
    assert_eq!(
        (&refused["kind"], &refused["status"]),
        (&json!("authentication"), &json!(401))
    );
    assert!(
        !refused.to_string().contains("wrong"),
        "no secret in the error"
    );
}

#[wasm_bindgen_test]
async fn referentials_and_calculation() {
    reset().await;
    let client = ecologic();
    let sites = ok(client.repair_sites()).await;
    assert_eq!(sites[0]["SiteId"], SITE_ID);
    assert!(
        ok(client.brands())
            .await
            .as_array()
            .is_some_and(|b| b.iter().any(|b| b["BrandName"] == "Acer"))
    );
    assert!(
        ok(client.product_types())
            .await
            .as_array()
            .is_some_and(|p| p.len() > 3)
    );
    assert!(ok(client.product_types_with_labels()).await[0]["IRISSymtoms"][0]["Label"].is_string());
    ok(client.brands()).await;
    let support = ok(client.calculate_eco_support(
        js(&json!({"TotalAmountExclVAT": 150, "TotalAmountInclVAT": 180, "BrandId": "1689", "ProductId": "EEE.M1.010"})),
        None,
    ))
    .await;
    assert_eq!(
        support,
        json!([{"EcoOrganizationId": 44, "SupportAmount": 25}])
    );
    ok(client.refresh_referentials()).await;

    let log = received().await;
    let operations: Vec<&str> = log
        .iter()
        .filter_map(|r| r["path"].as_str()?.rsplit('/').next())
        .collect();
    assert_eq!(
        operations,
        [
            "getrepairsitesbyats",
            "printbrandlist",
            "printproducttypelist",
            "printproducttypewithlabellist",
            "calculateecosupport",
            "getrepairsitesbyats",
            "printbrandlist",
            "printproducttypewithlabellist"
        ]
    );
    assert_headers(&log[0], ("api_key", REDACTED));
}

#[wasm_bindgen_test]
async fn support_requests() {
    reset().await;
    let client = ecologic();
    let mut input = dossier();
    input["RepairSiteId"] = SITE_ID.into();
    input["QuoteNumber"] = "DEV-1".into();
    let created = ok(client.create_support_request(js(&input), None)).await;
    assert_eq!(created["complete"], true);
    let id = created["id"].as_f64().expect("an id");
    let status = ok(client.get_support_request_status(id.into(), None)).await;
    assert_eq!(status[0]["RequestId"].as_f64(), Some(id));
    input["RequestId"] = id.into();
    let conflict = fails(client.update_support_request(js(&input), None)).await;
    assert_eq!(
        (&conflict["kind"], &conflict["status"]),
        (&json!("refused"), &json!(409))
    );
    let update = received()
        .await
        .into_iter()
        .find(|r| {
            r["path"]
                .as_str()
                .is_some_and(|p| p.ends_with("updatesupportrequest"))
        })
        .expect("sent");
    assert!(update["query"].as_str().is_some_and(
        |q| q.contains(&format!("claimId={id}")) && q.contains(&format!("RequestId={id}"))
    ));
}

#[wasm_bindgen_test]
async fn claims_step_by_step() {
    reset().await;
    let client = ecologic();
    let created = ok(client.create_claim(js(&claim_input(json!({}))), None)).await;
    assert_eq!(
        created["complete"], false,
        "the files are missing: {created}"
    );
    let id = created["id"].as_f64().expect("an id");
    for (name, kind) in [("facture", "INVOICE"), ("preuve", "CONSUMERVALIDATION")] {
        let file = with(
            js(
                &json!({"ClaimId": id, "FileName": name, "FileExtension": "pdf", "DocumentType": kind}),
            ),
            "FileContent",
            &blob(PDF),
        );
        assert_eq!(ok(client.attach_file(file, None)).await, Value::Null);
    }
    let status = ok(client.get_claim_status(id.into(), None)).await;
    assert_eq!(status["ClaimId"].as_f64(), Some(id));
    let mut update = claim_input(json!({"ClaimId": id, "Submit": true}));
    update["ConsumerInvoiceNumber"] = "FAC-2".into();
    let updated = ok(client.update_claim(js(&update), None)).await;
    assert_eq!(updated["complete"], true);
    let submitted = ok(client.submit_claim(id.into(), None)).await;
    assert_eq!(submitted["submitted"], true);
    let attach = received()
        .await
        .into_iter()
        .find(|r| {
            r["path"]
                .as_str()
                .is_some_and(|p| p.ends_with("attachfile"))
        })
        .expect("sent");
    assert_eq!(
        attach["body"]["FileContent"],
        "JVBERi0xLjQKMSAwIG9iaiA8PCAvVHlwZSAvQ2F0YWxvZyA+PiBlbmRvYmoKJSVFT0YK"
    );
}

#[wasm_bindgen_test]
async fn claim_workflow_with_a_headers_callback() {
    reset().await;
    // What a browser portal does: no key in the page, the callback supplies the headers.
    let callback = js_sys::Function::new_with_args(
        "request",
        &format!("return {{ api_key: '{ECOLOGIC_KEY}' }};"),
    );
    let options = with(
        js(
            &json!({"environment": "production", "baseUrl": format!("{SANDBOX}/ecologic/api/v1/ecosupport")}),
        ),
        "headers",
        &callback,
    );
    let client = EcologicClient::new(options).expect("valid options");
    let file = |name: &str, kind: &str| {
        with(
            js(&json!({"FileName": name, "FileExtension": "pdf", "DocumentType": kind})),
            "FileContent",
            &bytes(PDF),
        )
    };
    let files = js_sys::Array::of2(
        &file("facture", "INVOICE"),
        &file("preuve", "CONSUMERVALIDATION"),
    );
    let input = with(js(&claim_input(json!({}))), "files", &files);
    let outcome = ok(client.claim(input, None)).await;
    assert_eq!(outcome["submitted"], true, "{outcome}");
    assert_eq!(outcome["attached"], json!(["facture.pdf", "preuve.pdf"]));
    let writes: Vec<String> = paths(&received().await)
        .into_iter()
        .filter(|p| p.starts_with("POST"))
        .collect();
    assert_eq!(
        writes.len(),
        4,
        "create, two attachments, submit: {writes:?}"
    );
}

/// A view (`subarray`) sends its own bytes, not its whole buffer.
#[wasm_bindgen_test]
async fn a_file_view_sends_its_own_bytes() {
    use base64::Engine;
    reset().await;
    let all: Vec<u8> = (0..1000u32).map(|i| (i * 37 % 256) as u8).collect();
    let view: JsValue = js_sys::Uint8Array::from(all.as_slice())
        .subarray(1, 1000)
        .into();
    let input = with(
        js(&json!({"fileNameWithExtension": "f.pdf"})),
        "file",
        &view,
    );
    let receipt = ok(repairer().repairer().upload(input, None)).await;
    assert_eq!(receipt["bytes"], 999);
    let sent: Vec<Value> = received()
        .await
        .iter()
        .filter(|r| r["path"] == "/lalux/api/reparateur/upload")
        .map(|r| r["body"]["file"].clone())
        .collect();
    let expected = base64::engine::general_purpose::STANDARD.encode(&all[1..]);
    assert_eq!(sent, [json!(expected)]);
}
