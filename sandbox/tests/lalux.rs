//! LALUX behaviour over real HTTP: tokens, scopes, uploads and settlements.

mod common;

use common::*;
use reqwest::Method;
use sandbox::{EICAR, MAX_FILE_BYTES};
use serde_json::{Value, json};

const PDF: &[u8] = b"%PDF-1.4\n%%EOF\n";

fn settlement(key: &str) -> Value {
    json!({
        "idPrestataire": "XT1234", "referenceFacture": "123456789", "dateFacture": "2017-08-17",
        "numeroSinistre": "123456789", "referenceInterneLalux": "123456789",
        "immatriculationVehicule": "AA0000", "numeroChassisVehicule": "1HGBH41JXMN109186",
        "type": "F", "typeFacture": "VHR", "factureHT": 1000, "factureTVA": 170.5, "factureTTC": 1170.5,
        "nbrJourVehiculeRemplacement": 2, "refPDFFacture": key
    })
}

fn expert_settlement(fees: &str, report: &str) -> Value {
    json!({
        "idExpert": "XT5678", "referenceFacture": "1", "dateFacture": "2017-08-17", "numeroSinistre": "1",
        "referenceInterneLalux": "1", "immatriculationVehicule": "AA0000", "numeroChassisVehicule": "1HGBH41JXMN109186",
        "type": "N", "honorairesHT": 200, "honorairesTVA": 34.5, "honorairesTTC": 234.5,
        "prejudiceHT": 10000, "prejudiceTVA": 1700.5, "prejudiceTTC": 11700.5, "abandonVehicule": true,
        "refPdfHonoraires": fees, "refPdfExpertise": report
    })
}

fn fault_fields(reply: &Reply) -> Vec<String> {
    let mut fields: Vec<String> = reply.json["fields"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|f| f["field"].as_str().map(str::to_owned))
        .collect();
    fields.sort();
    fields
}

async fn repairer_key(sbx: &Running, token: &str) -> String {
    let reply = sbx.upload("reparateur", token, "facture.pdf", PDF).await;
    reply.json["key"].as_str().expect("key").to_owned()
}

#[tokio::test]
async fn token_accepts_only_the_slash_joined_client_credentials() {
    let sbx = start().await;
    let ok = sbx
        .token(REPAIRER, "grant_type=client_credentials&scope=/reparateur")
        .await;
    assert_eq!(ok.status, 200);
    assert_eq!(
        (
            &ok.json["token_type"],
            &ok.json["expires_in"],
            &ok.json["scope"]
        ),
        (&json!("bearer"), &json!(3600), &json!("/reparateur"))
    );

    let basic = sbx
        .token(
            "Basic c2FuZGJveC1yZXBhaXJlcjpzYW5kYm94LXJlcGFpcmVyLXNlY3JldA==",
            "grant_type=client_credentials&scope=/reparateur",
        )
        .await;
    assert_eq!(
        (basic.status.as_u16(), &basic.json["error"]),
        (401, &json!("invalid_client"))
    );
    let wrong = sbx
        .token(
            "sandbox-repairer/nope",
            "grant_type=client_credentials&scope=/reparateur",
        )
        .await;
    assert_eq!(wrong.status, 401);
    let grant = sbx
        .token(REPAIRER, "grant_type=password&scope=/reparateur")
        .await;
    assert_eq!(
        (grant.status.as_u16(), &grant.json["error"]),
        (400, &json!("unsupported_grant_type"))
    );
    let scope = sbx
        .token(REPAIRER, "grant_type=client_credentials&scope=/expert")
        .await;
    assert_eq!(
        (scope.status.as_u16(), &scope.json["error"]),
        (400, &json!("invalid_scope"))
    );
}

#[tokio::test]
async fn authen_needs_the_expert_user_and_password() {
    let sbx = start().await;
    assert!(!sbx.expert_token().await.is_empty());
    let form = "grant_type=password&username=expert&password=wrong&scope=/expert";
    let reply = sbx.authen(form).await;
    assert_eq!(
        (reply.status.as_u16(), &reply.json["error"]),
        (401, &json!("invalid_grant"))
    );
}

#[tokio::test]
async fn missing_unknown_expired_and_wrong_scope_tokens_are_401() {
    let sbx = start().await;
    let token = sbx.repairer_token().await;
    let expert = sbx.expert_token().await;
    let body = json!({"fileNameWithExtension": "a.pdf", "file": b64(PDF)});
    let none = sbx
        .send(
            Method::PUT,
            "/lalux/api/reparateur/upload",
            &[],
            Some(Body::Json(body.clone())),
        )
        .await;
    assert_eq!(none.status, 401);
    assert_eq!(
        sbx.lalux("/reparateur/upload", "forged", body.clone())
            .await
            .status,
        401
    );
    let scope = sbx.lalux("/reparateur/upload", &expert, body.clone()).await;
    assert_eq!(
        (scope.status.as_u16(), &scope.json["error"]),
        (401, &json!("insufficient_scope"))
    );
    assert_eq!(
        sbx.lalux("/reparateur/upload", &token, body.clone())
            .await
            .status,
        200
    );
    sbx.advance(3601).await;
    let expired = sbx.lalux("/reparateur/upload", &token, body).await;
    assert_eq!(
        (
            expired.status.as_u16(),
            expired.json["error_description"].as_str()
        ),
        (401, Some("the token has expired"))
    );
}

#[tokio::test]
async fn uploads_are_scanned_and_limited_to_5_mib() {
    let sbx = start().await;
    let token = sbx.repairer_token().await;
    let verified = sbx.upload("reparateur", &token, "Facture.PDF", PDF).await;
    assert_eq!(
        (verified.status.as_u16(), &verified.json["status"]),
        (200, &json!("Verified"))
    );
    let key = verified.json["key"].as_str().expect("key");
    let (uuid, extension) = key.split_once('.').expect("<uuid>.<extension>");
    assert_eq!(
        (uuid.len(), uuid.matches('-').count(), extension),
        (36, 4, "pdf")
    );

    let at_limit = sbx
        .upload("reparateur", &token, "max.pdf", &vec![b'x'; MAX_FILE_BYTES])
        .await;
    assert_eq!(at_limit.json["status"], "Verified");
    let over = sbx
        .upload(
            "reparateur",
            &token,
            "big.pdf",
            &vec![b'x'; MAX_FILE_BYTES + 1],
        )
        .await;
    assert_eq!(
        (over.status.as_u16(), &over.json),
        (413, &json!({"status": "FileTooBig"}))
    );

    let infected = sbx
        .upload("reparateur", &token, "eicar.pdf", EICAR.as_bytes())
        .await;
    assert_eq!(
        (infected.status.as_u16(), &infected.json),
        (200, &json!({"status": "Infected"}))
    );

    let bad = sbx
        .lalux(
            "/reparateur/upload",
            &token,
            json!({"fileNameWithExtension": "a.pdf", "file": "not base64!"}),
        )
        .await;
    assert_eq!(
        (bad.status.as_u16(), fault_fields(&bad)),
        (400, vec!["file".to_owned()])
    );
    let missing = sbx.lalux("/reparateur/upload", &token, json!({})).await;
    assert_eq!(fault_fields(&missing), ["file", "fileNameWithExtension"]);
}

#[tokio::test]
async fn the_scanner_can_be_made_to_answer_error() {
    let sbx = start().await;
    let token = sbx.repairer_token().await;
    assert_eq!(
        sbx.admin(Method::POST, "/scanner", Some(json!({"fail": true})))
            .await
            .status,
        204
    );
    let reply = sbx.upload("reparateur", &token, "a.pdf", PDF).await;
    assert_eq!(
        (reply.status.as_u16(), &reply.json),
        (500, &json!({"status": "Error"}))
    );
    sbx.admin(Method::POST, "/scanner", Some(json!({"fail": false})))
        .await;
    assert_eq!(
        sbx.upload("reparateur", &token, "a.pdf", PDF).await.json["status"],
        "Verified"
    );
}

#[tokio::test]
async fn token_lifetime_can_be_shortened_and_reset() {
    let sbx = start().await;
    let refused = sbx
        .admin(Method::POST, "/tokens", Some(json!({"lifetimeSeconds": 0})))
        .await;
    assert_eq!(refused.status, 400);
    let set = sbx
        .admin(
            Method::POST,
            "/tokens",
            Some(json!({"lifetimeSeconds": 61})),
        )
        .await;
    assert_eq!(set.status, 204);
    let short = sbx
        .token(REPAIRER, "grant_type=client_credentials&scope=/reparateur")
        .await;
    assert_eq!(short.json["expires_in"], 61);
    sbx.admin(Method::POST, "/reset", None).await;
    let normal = sbx
        .token(REPAIRER, "grant_type=client_credentials&scope=/reparateur")
        .await;
    assert_eq!(normal.json["expires_in"], 3600);
}

#[tokio::test]
async fn a_valid_repair_settlement_is_202_with_no_body() {
    let sbx = start().await;
    let token = sbx.repairer_token().await;
    let key = repairer_key(&sbx, &token).await;
    let reply = sbx.lalux("/reparateur", &token, settlement(&key)).await;
    assert_eq!((reply.status.as_u16(), reply.text.as_str()), (202, ""));
    let mut rep = settlement(&key);
    rep["typeFacture"] = json!("REP");
    rep.as_object_mut()
        .expect("object")
        .remove("nbrJourVehiculeRemplacement");
    assert_eq!(sbx.lalux("/reparateur", &token, rep).await.status, 202);
}

#[tokio::test]
async fn a_settlement_lists_every_field_at_fault() {
    let sbx = start().await;
    let token = sbx.repairer_token().await;
    let reply = sbx
        .lalux("/reparateur", &token, json!({"type": "X", "typeFacture": "VHR", "dateFacture": "17/08/2017", "factureHT": 10.001, "factureTVA": "un", "factureTTC": 11}))
        .await;
    assert_eq!(reply.status, 400);
    assert_eq!(
        fault_fields(&reply),
        [
            "dateFacture",
            "factureHT",
            "factureTVA",
            "idPrestataire",
            "immatriculationVehicule",
            "nbrJourVehiculeRemplacement",
            "numeroChassisVehicule",
            "numeroSinistre",
            "refPDFFacture",
            "referenceFacture",
            "referenceInterneLalux",
            "type"
        ]
    );
}

#[tokio::test]
async fn amounts_must_add_up_to_the_cent_and_days_follow_the_invoice_type() {
    let sbx = start().await;
    let token = sbx.repairer_token().await;
    let key = repairer_key(&sbx, &token).await;
    let mut wrong = settlement(&key);
    wrong["factureTTC"] = json!(1170.51);
    wrong["nbrJourVehiculeRemplacement"] = json!(0);
    let reply = sbx.lalux("/reparateur", &token, wrong).await;
    assert_eq!(
        fault_fields(&reply),
        ["factureTTC", "nbrJourVehiculeRemplacement"]
    );
    let mut rep = settlement(&key);
    rep["typeFacture"] = json!("REP");
    assert_eq!(
        fault_fields(&sbx.lalux("/reparateur", &token, rep).await),
        ["nbrJourVehiculeRemplacement"]
    );
    let mut vhr = settlement(&key);
    vhr.as_object_mut()
        .expect("object")
        .remove("nbrJourVehiculeRemplacement");
    assert_eq!(
        fault_fields(&sbx.lalux("/reparateur", &token, vhr).await),
        ["nbrJourVehiculeRemplacement"]
    );
}

#[tokio::test]
async fn referenced_keys_must_exist_be_fresh_and_of_the_same_provider() {
    let sbx = start().await;
    let token = sbx.repairer_token().await;
    let expert = sbx.expert_token().await;
    let expert_key = sbx.upload("expert", &expert, "rapport.pdf", PDF).await.json["key"]
        .as_str()
        .expect("key")
        .to_owned();
    assert_eq!(
        fault_fields(
            &sbx.lalux("/reparateur", &token, settlement(&expert_key))
                .await
        ),
        ["refPDFFacture"]
    );
    assert_eq!(
        fault_fields(
            &sbx.lalux("/reparateur", &token, settlement("0000.pdf"))
                .await
        ),
        ["refPDFFacture"]
    );
    let key = repairer_key(&sbx, &token).await;
    sbx.advance(24 * 3600).await;
    let token = sbx.repairer_token().await;
    let stale = sbx.lalux("/reparateur", &token, settlement(&key)).await;
    assert_eq!(
        stale.json["fields"][0]["message"],
        "refers to a file uploaded more than 24 h ago"
    );
}

#[tokio::test]
async fn expert_settlement_needs_both_keys_and_a_boolean() {
    let sbx = start().await;
    let expert = sbx.expert_token().await;
    let fees = sbx.upload("expert", &expert, "h.pdf", PDF).await.json["key"]
        .as_str()
        .expect("key")
        .to_owned();
    let report = sbx.upload("expert", &expert, "r.pdf", PDF).await.json["key"]
        .as_str()
        .expect("key")
        .to_owned();
    assert_eq!(
        sbx.lalux("/expert", &expert, expert_settlement(&fees, &report))
            .await
            .status,
        202
    );
    let mut wrong = expert_settlement(&fees, "missing.pdf");
    wrong["abandonVehicule"] = json!("peut-être");
    wrong["prejudiceTTC"] = json!(11700.49);
    assert_eq!(
        fault_fields(&sbx.lalux("/expert", &expert, wrong).await),
        ["abandonVehicule", "prejudiceTTC", "refPdfExpertise"]
    );
}

/// T9: the document's own examples (amounts and days as text, `"false"`) and `AbandonVehicule`
/// alone are bound as a .NET server binds them, each reported as a deviation; `--strict` refuses.
#[tokio::test]
async fn the_documents_examples_bind_as_on_a_dotnet_server_and_strict_refuses_them() {
    let sbx = start().await;
    let strict = start_with(sandbox::Config {
        strict: true,
        ..sandbox::Config::default()
    })
    .await;
    for (sbx, strict) in [(&sbx, false), (&strict, true)] {
        let expert = sbx.expert_token().await;
        let mut keys = Vec::new();
        for name in ["h.pdf", "r.pdf"] {
            let reply = sbx.upload("expert", &expert, name, PDF).await;
            keys.push(reply.json["key"].as_str().expect("key").to_owned());
        }
        let (fees, report) = (keys[0].clone(), keys[1].clone());
        // LALUX l.242-260, word for word but the keys.
        let example = json!({
            "idExpert": "XT5678", "referenceFacture": "123456789", "dateFacture": "2017-08-17",
            "numeroSinistre": "123456789", "referenceInterneLalux": "123456789",
            "immatriculationVehicule": "AA0000", "numeroChassisVehicule": "1HGBH41JXMN109186",
            "type": "F", "honorairesHT": "200", "honorairesTVA": "34.50", "honorairesTTC": "234.50",
            "prejudiceHT": "10000", "prejudiceTVA": "1700.50", "prejudiceTTC": "11700.50",
            "abandonVehicule": "false", "refPdfHonoraires": fees, "refPdfExpertise": report
        });
        let reply = sbx.lalux("/expert", &expert, example).await;
        if strict {
            assert_eq!(reply.status, 400);
            assert!(fault_fields(&reply).contains(&"abandonVehicule".to_owned()));
            assert!(fault_fields(&reply).contains(&"honorairesTVA".to_owned()));
        } else {
            assert_eq!(reply.status, 202, "{}", reply.text);
            let said = deviation(&reply).unwrap_or_default();
            assert!(
                said.contains("abandonVehicule: is text (\"false\")"),
                "{said}"
            );
            assert!(
                said.contains("honorairesTVA: is text (\"34.50\")"),
                "{said}"
            );
        }
        // R2: the table's spelling alone.
        let mut table = expert_settlement(&fees, &report);
        let value = table
            .as_object_mut()
            .and_then(|o| o.remove("abandonVehicule"));
        table["AbandonVehicule"] = value.unwrap_or(Value::Null);
        let reply = sbx.lalux("/expert", &expert, table).await;
        match strict {
            true => assert_eq!(fault_fields(&reply), ["abandonVehicule"]),
            false => {
                assert_eq!(reply.status, 202, "{}", reply.text);
                let said = deviation(&reply).unwrap_or_default();
                assert!(
                    said.contains("abandonVehicule: is given only as AbandonVehicule"),
                    "{said}"
                );
            }
        }
        // LALUX l.169-183: amounts and days as text, under the table's names.
        let token = sbx.repairer_token().await;
        let key = repairer_key(sbx, &token).await;
        let mut repair = settlement(&key);
        for (name, text) in [
            ("factureHT", "1000"),
            ("factureTVA", "170.50"),
            ("factureTTC", "1170.50"),
            ("nbrJourVehiculeRemplacement", "2"),
        ] {
            repair[name] = json!(text);
        }
        let reply = sbx.lalux("/reparateur", &token, repair).await;
        match strict {
            true => assert_eq!(reply.status, 400),
            false => {
                assert_eq!(reply.status, 202, "{}", reply.text);
                let said = deviation(&reply).unwrap_or_default();
                assert!(
                    said.contains("nbrJourVehiculeRemplacement: is text (\"2\")"),
                    "{said}"
                );
            }
        }
    }
}
