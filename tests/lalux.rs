//! Every LALUX operation, called once through its generated client against the sandbox:
//! what the sandbox received and what the caller got back.

mod common;

use base64::Engine;
use common::*;
use common::{lalux::types as api, lalux_token::types as tok};
use repair_claims::json::Json;
use repair_claims::money::Amount;
use serde_json::{Value, json};
use wasm_bindgen_test::wasm_bindgen_test;

const PDF: &[u8] = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n";
const EICAR: &str = r"X5O!P%@AP[4\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*";

fn form(scope: tok::Scope) -> tok::ClientCredentialsForm {
    tok::ClientCredentialsForm {
        grant_type: tok::ClientCredentialsGrantType::ClientCredentials,
        scope,
    }
}

async fn repairer_token() -> String {
    let token = token_client(REPAIRER_AUTH)
        .request_token(
            tok::ClientCredentialsGrantType::ClientCredentials,
            tok::Scope::Reparateur,
            &form(tok::Scope::Reparateur),
        )
        .await
        .expect("token");
    token.into_inner().access_token
}

async fn expert_token() -> String {
    let body = tok::PasswordForm {
        grant_type: tok::PasswordGrantType::Password,
        username: "expert".parse().expect("username"),
        password: "sandbox-expert-password".parse().expect("password"),
        scope: tok::Scope::Expert,
    };
    token_client(EXPERT_AUTH)
        .authenticate_expert(tok::PasswordGrantType::Password, tok::Scope::Expert, &body)
        .await
        .expect("expert token")
        .into_inner()
        .access_token
}

fn upload(name: &str, content: &[u8]) -> Json {
    json_body(api::FileUpload {
        file_name_with_extension: name.parse().expect("file name"),
        file: repair_claims::values::FileData::from_bytes(content),
    })
}

fn repair_settlement(key: &str) -> api::RepairSettlement {
    serde_json::from_value(json!({
        "idPrestataire": "XT1234", "referenceFacture": "123456789", "dateFacture": "2017-08-17",
        "numeroSinistre": "123456789", "referenceInterneLalux": "123456789",
        "immatriculationVehicule": "AA0000", "numeroChassisVehicule": "1HGBH41JXMN109186",
        "type": "F", "typeFacture": "VHR", "factureHT": 1000, "factureTVA": "170.50", "factureTTC": 1170.5,
        "nbrJourVehiculeRemplacement": 2, "refPDFFacture": key
    }))
    .expect("a valid settlement")
}

#[wasm_bindgen_test]
async fn request_token_sends_the_slash_joined_credentials_as_a_form() {
    reset().await;
    let token = token_client(REPAIRER_AUTH)
        .request_token(
            tok::ClientCredentialsGrantType::ClientCredentials,
            tok::Scope::Reparateur,
            &form(tok::Scope::Reparateur),
        )
        .await
        .expect("token");
    assert_eq!(token.status().as_u16(), 200);
    let token = token.into_inner();
    assert_eq!(
        (
            token.token_type.as_str(),
            token.expires_in,
            token.scope.as_deref()
        ),
        ("bearer", 3600, Some("/reparateur"))
    );
    assert!(!token.access_token.is_empty());

    let request = only_request().await;
    assert_eq!(
        (request["method"].as_str(), request["path"].as_str()),
        (Some("POST"), Some("/lalux/wts/token"))
    );
    assert_eq!(
        request["query"], "grant_type=client_credentials&scope=%2Freparateur",
        "R3: in the query too"
    );
    assert_headers(&request, ("authorization", REDACTED));
    assert_eq!(
        request["headers"]["content-type"],
        "application/x-www-form-urlencoded"
    );
    assert_eq!(
        request["body"],
        json!({"grant_type": "client_credentials", "scope": "/reparateur"})
    );
}

#[wasm_bindgen_test]
async fn request_token_with_a_wrong_secret_is_a_typed_401() {
    reset().await;
    let error = token_client("sandbox-repairer/wrong")
        .request_token(
            tok::ClientCredentialsGrantType::ClientCredentials,
            tok::Scope::Reparateur,
            &form(tok::Scope::Reparateur),
        )
        .await
        .expect_err("refused");
    assert_eq!(error.status().map(|s| s.as_u16()), Some(401));
    match error {
        common::lalux_token::Error::ErrorResponse(body) => {
            assert_eq!(body.error.as_deref(), Some("invalid_client"))
        }
        other => panic!("expected a typed error response, got {other:?}"),
    }
}

#[wasm_bindgen_test]
async fn authenticate_expert_sends_user_and_password_fields() {
    reset().await;
    let token = expert_token().await;
    assert!(!token.is_empty());
    let request = only_request().await;
    assert_eq!(
        (request["method"].as_str(), request["path"].as_str()),
        (Some("POST"), Some("/lalux/wts/authen"))
    );
    assert_headers(&request, ("authorization", REDACTED));
    assert_eq!(
        request["body"],
        json!({"grant_type": "password", "username": "expert", "password": REDACTED, "scope": "/expert"})
    );
}

#[wasm_bindgen_test]
async fn upload_repairer_file_returns_a_verified_key() {
    reset().await;
    let token = repairer_token().await;
    let result = lalux_client(&token)
        .upload_repairer_file(&upload("facture.pdf", PDF))
        .await
        .expect("upload");
    assert_eq!(result.status().as_u16(), 200);
    let result: api::UploadResult = result.into_typed();
    assert_eq!(result.status, api::UploadStatus::Verified);
    let key = result.key.expect("a key with Verified");
    assert!(
        key.ends_with(".pdf") && key.len() == 40,
        "<uuid>.pdf, got {key}"
    );

    let log = received().await;
    let request = &log[1];
    assert_eq!(
        (request["method"].as_str(), request["path"].as_str()),
        (Some("PUT"), Some("/lalux/api/reparateur/upload"))
    );
    assert_headers(request, ("authorization", "Bearer [redacted]"));
    assert_eq!(request["headers"]["content-type"], "application/json");
    let sent = &request["body"];
    assert_eq!(sent["fileNameWithExtension"], "facture.pdf");
    let decoded = base64::engine::general_purpose::STANDARD
        .decode(sent["file"].as_str().expect("file"))
        .expect("base64");
    assert_eq!(decoded, PDF);
}

#[wasm_bindgen_test]
async fn upload_of_the_eicar_file_is_infected_without_a_key() {
    reset().await;
    let token = repairer_token().await;
    let result = lalux_client(&token)
        .upload_repairer_file(&upload("virus.pdf", EICAR.as_bytes()))
        .await
        .expect("scanned");
    let result: api::UploadResult = result.into_typed();
    assert_eq!(
        (result.status, result.key),
        (api::UploadStatus::Infected, None)
    );
}

#[wasm_bindgen_test]
async fn upload_over_the_limit_is_refused_file_too_big() {
    reset().await;
    let token = repairer_token().await;
    // One byte over 5 242 880 still fits the spec's base64 maxLength; the server refuses it.
    let big = vec![b'a'; 5_242_881];
    let error = lalux_client(&token)
        .upload_repairer_file(&upload("big.pdf", &big))
        .await
        .expect_err("too big");
    assert_eq!(error.status().map(|s| s.as_u16()), Some(413));
    match error {
        common::lalux::Error::ErrorResponse(body) => {
            let body: api::LaluxError = body.into_typed();
            assert_eq!(body.status, Some(api::UploadStatus::FileTooBig))
        }
        other => panic!("expected a typed error response, got {other:?}"),
    }
}

#[wasm_bindgen_test]
async fn submit_repair_settlement_sends_numbers_and_gets_202() {
    reset().await;
    let token = repairer_token().await;
    let client = lalux_client(&token);
    let key = client
        .upload_repairer_file(&upload("facture.pdf", PDF))
        .await
        .expect("upload")
        .into_typed::<api::UploadResult>()
        .key
        .expect("key");
    let accepted = client
        .submit_repair_settlement(&json_body(repair_settlement(&key)))
        .await
        .expect("accepted");
    assert_eq!(accepted.status().as_u16(), 202);

    let log = received().await;
    let request = &log[2];
    assert_eq!(
        (request["method"].as_str(), request["path"].as_str()),
        (Some("PUT"), Some("/lalux/api/reparateur"))
    );
    assert_headers(request, ("authorization", "Bearer [redacted]"));
    let body = &request["body"];
    assert_eq!(
        (&body["factureHT"], &body["factureTVA"], &body["factureTTC"]),
        (&json!(1000.0), &json!(170.5), &json!(1170.5))
    );
    assert_eq!(
        (&body["nbrJourVehiculeRemplacement"], &body["typeFacture"]),
        (&json!(2), &json!("VHR"))
    );
    assert_eq!(
        (&body["refPDFFacture"], &body["dateFacture"]),
        (&json!(key), &json!("2017-08-17"))
    );
}

#[wasm_bindgen_test]
async fn a_settlement_that_does_not_add_up_lists_every_field_at_fault() {
    reset().await;
    let token = repairer_token().await;
    let mut settlement = repair_settlement("unknown.pdf");
    settlement.facture_ttc = Amount::from_cents(117_051);
    settlement.nbr_jour_vehicule_remplacement = None;
    let error = lalux_client(&token)
        .submit_repair_settlement(&json_body(settlement))
        .await
        .expect_err("refused");
    assert_eq!(error.status().map(|s| s.as_u16()), Some(400));
    let common::lalux::Error::ErrorResponse(body) = error else {
        panic!("typed error expected")
    };
    let body: api::LaluxError = body.into_typed();
    let mut fields: Vec<&str> = body.fields.iter().map(|f| f.field.as_str()).collect();
    fields.sort_unstable();
    assert_eq!(
        fields,
        ["factureTTC", "nbrJourVehiculeRemplacement", "refPDFFacture"]
    );
}

#[wasm_bindgen_test]
async fn expert_upload_and_settlement() {
    reset().await;
    let token = expert_token().await;
    let client = lalux_client(&token);
    let fees = client
        .upload_expert_file(&upload("honoraires.pdf", PDF))
        .await
        .expect("fees")
        .into_typed::<api::UploadResult>()
        .key
        .expect("key");
    let report = client
        .upload_expert_file(&upload("rapport.pdf", PDF))
        .await
        .expect("report")
        .into_typed::<api::UploadResult>()
        .key
        .expect("key");
    let settlement: repair_claims::generated::lalux::types::ExpertSettlement =
        serde_json::from_value(json!({
        "idExpert": "XT5678", "referenceFacture": "123456789", "dateFacture": "2017-08-17",
        "numeroSinistre": "123456789", "referenceInterneLalux": "123456789",
        "immatriculationVehicule": "AA0000", "numeroChassisVehicule": "1HGBH41JXMN109186", "type": "F",
        "honorairesHT": 200, "honorairesTVA": 34.5, "honorairesTTC": 234.5,
        "prejudiceHT": 10000, "prejudiceTVA": 1700.5, "prejudiceTTC": 11700.5,
        "abandonVehicule": false, "refPdfHonoraires": fees, "refPdfExpertise": report
    }))
    .expect("a valid expert settlement");
    let accepted = client
        .submit_expert_settlement(&json_body(
            repair_claims::wire::ExpertSettlementRequest::from(settlement),
        ))
        .await
        .expect("accepted");
    assert_eq!(accepted.status().as_u16(), 202);

    let log = received().await;
    let paths: Vec<&str> = log.iter().filter_map(|r| r["path"].as_str()).collect();
    assert_eq!(
        paths,
        [
            "/lalux/wts/authen",
            "/lalux/api/expert/upload",
            "/lalux/api/expert/upload",
            "/lalux/api/expert"
        ]
    );
    let body = &log[3]["body"];
    assert_eq!(
        (&body["abandonVehicule"], &body["prejudiceTTC"]),
        (&Value::Bool(false), &json!(11700.5))
    );
    assert_eq!(
        body["AbandonVehicule"], false,
        "R2: under the table's spelling too"
    );
    assert_headers(&log[3], ("authorization", "Bearer [redacted]"));
}

#[wasm_bindgen_test]
async fn a_repairer_token_does_not_open_the_expert_function() {
    reset().await;
    let token = repairer_token().await;
    let error = lalux_client(&token)
        .upload_expert_file(&upload("rapport.pdf", PDF))
        .await
        .expect_err("wrong scope");
    assert_eq!(error.status().map(|s| s.as_u16()), Some(401));
}
