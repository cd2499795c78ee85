//! The validator against the generated specs, natively (`cargo test -p repair-claims --lib`).

use super::{Operation, Spec};
use crate::error::Code;
use serde_json::{Value, json};

fn faults(spec: &Spec, operation: Operation, input: Value) -> Vec<(String, Code)> {
    let mut found: Vec<(String, Code)> = spec
        .check(operation, &input)
        .into_iter()
        .map(|e| (e.field, e.code))
        .collect();
    found.sort_by(|a, b| a.0.cmp(&b.0));
    found
}

fn dossier() -> Value {
    json!({
        "RepairEndDate": "2026-11-20", "RepairSiteId": "site", "ConsumerInvoiceNumber": "F-1",
        "Consumer": {"Title": 1, "LastName": "Dupont", "FirstName": "Marie", "Zip": "75001", "City": "Paris",
            "Country": "250", "Phone": "06"},
        "Product": {"ProductId": "EEE.M1.010", "BrandId": "1689"},
        "Quote": {"TotalAmountExclVAT": {"Amount": 100, "Currency": "EUR"}, "TotalAmountInclVAT": {"Amount": "120.00", "Currency": "EUR"}}
    })
}

#[test]
fn a_valid_dossier_passes_and_nullable_references_take_null() {
    let mut input = dossier();
    assert_eq!(
        faults(Spec::ecologic(), Operation::CreateClaim, input.clone()),
        []
    );
    input["Quote"]["LaborCost"] = Value::Null;
    input["Product"]["PurchaseDate"] = Value::Null;
    assert_eq!(
        faults(Spec::ecologic(), Operation::CreateClaim, input.clone()),
        [],
        "oneOf [X, NoValue] (R12)"
    );
    input["Quote"]["LaborCost"] = json!({"Amount": "x"});
    assert_eq!(
        faults(Spec::ecologic(), Operation::CreateClaim, input),
        [
            ("Quote.LaborCost.Amount".to_owned(), Code::Decimals),
            ("Quote.LaborCost.Currency".to_owned(), Code::Required)
        ]
    );
}

#[test]
fn every_fault_is_named_with_its_code() {
    let mut input = dossier();
    input["Consumer"]["Title"] = json!(5);
    input["Consumer"]["Country"] = json!("FR");
    input["Consumer"]["Zipp"] = json!("75001");
    input["RepairEndDate"] = json!("2026-02-30");
    input["Quote"]["TotalAmountExclVAT"]["Amount"] = json!(56.99999999999999);
    input.as_object_mut().unwrap().remove("RepairSiteId");
    assert_eq!(
        faults(Spec::ecologic(), Operation::CreateClaim, input),
        [
            ("Consumer.Country".to_owned(), Code::Pattern),
            ("Consumer.Title".to_owned(), Code::Enum),
            ("Consumer.Zipp".to_owned(), Code::UnknownField),
            ("Quote.TotalAmountExclVAT.Amount".to_owned(), Code::Decimals),
            ("RepairEndDate".to_owned(), Code::Format),
            ("RepairSiteId".to_owned(), Code::Required),
        ]
    );
}

#[test]
fn messages_carry_what_helps() {
    let mut input = dossier();
    input["Consumer"]["Country"] = json!("FR");
    input["Quote"]["TotalAmountExclVAT"]["Amount"] = json!("170,50");
    input["Quote"]["TotalAmountInclVAT"]["Amount"] = json!(56.99999999999999);
    input["Consumer"]["Zipp"] = json!("75001");
    let errors = Spec::ecologic().check(Operation::CreateClaim, &input);
    let find = |field: &str| errors.iter().find(|e| e.field == field).unwrap();
    let country = find("Consumer.Country");
    assert_eq!(
        country.message,
        "must be the 3-digit ISO 3166 country code: 250 for France, not FR"
    );
    assert_eq!(
        country.french(),
        "doit être le code pays ISO 3166 à 3 chiffres : 250 pour la France (et non FR)"
    );
    assert_eq!(
        find("Quote.TotalAmountExclVAT.Amount").message,
        "must use a decimal point, not a comma: 170.50"
    );
    let rounded = find("Quote.TotalAmountInclVAT.Amount");
    assert_eq!(rounded.params["rounded"], "57.00");
    assert_eq!(find("Consumer.Zipp").params["suggestion"], "Zip");
}

#[test]
fn an_amount_with_more_decimals_is_rounded_as_its_text_says_not_as_its_float() {
    // 12.345 is 12.3449999… as a float, which rounds down; to the cent the decimal is 12.35.
    for (given, rounded) in [
        (json!(12.345), "12.35"),
        (json!("-0.125"), "-0.13"),
        (json!(1000.001), "1000.00"),
    ] {
        let mut input = dossier();
        input["Quote"]["TotalAmountInclVAT"]["Amount"] = given.clone();
        let errors = Spec::ecologic().check(Operation::CreateClaim, &input);
        let error = errors
            .iter()
            .find(|e| e.field == "Quote.TotalAmountInclVAT.Amount")
            .unwrap();
        assert_eq!(error.code, Code::Decimals, "{given}");
        assert_eq!(error.params["rounded"], rounded, "{given}");
    }
}

#[test]
fn files_are_measured_in_bytes() {
    // 5 242 881 bytes (1 747 627 groups of 3) are 6 990 508 base64 characters.
    let big = "A".repeat(6_990_508);
    let errors = Spec::lalux().check(
        Operation::UploadRepairerFile,
        &json!({"fileNameWithExtension": "f.pdf", "file": big}),
    );
    assert_eq!(errors.len(), 1);
    assert_eq!(errors[0].code, Code::FileTooBig);
    assert_eq!(
        (
            errors[0].params["size"].as_u64(),
            errors[0].params["limit"].as_u64()
        ),
        (Some(5_242_881), Some(5_242_880))
    );
    assert_eq!(
        errors[0].french(),
        "fait 5 242 881 octets ; la limite est de 5 242 880 octets"
    );
}

#[test]
fn enum_parameters_are_written_as_the_spec_does() {
    let mut input = json!({"ClaimId": 1, "FileName": "facture", "FileExtension": "PDF", "DocumentType": "NamePlate", "FileContent": "JVBERg=="});
    Spec::ecologic().normalise(Operation::AttachFile, &mut input);
    assert_eq!(
        (&input["FileExtension"], &input["DocumentType"]),
        (&json!("pdf"), &json!("NAMEPLATE"))
    );
    assert_eq!(faults(Spec::ecologic(), Operation::AttachFile, input), []);
}

#[test]
fn a_line_break_is_named_as_such() {
    let input = json!({"ClaimId": 1, "FileName": "a\r\nb", "FileExtension": "pdf", "DocumentType": "INVOICE", "FileContent": "JVBERg=="});
    let errors = Spec::ecologic().check(Operation::AttachFile, &input);
    assert_eq!(errors.len(), 1);
    assert_eq!(errors[0].params["hint"], "noControlCharacters");
    assert_eq!(
        errors[0].message,
        "must not contain control characters (line breaks, tabs…)"
    );
}

/// Found by the `validation` fuzz target: `{"": 8}` was reported against a field named "".
#[test]
fn a_field_with_an_empty_or_dotted_name_is_still_named() {
    let mut input = dossier();
    input[""] = json!(8);
    input["Consumer"]["a.b"] = json!(1);
    let found = faults(Spec::ecologic(), Operation::CreateClaim, input);
    assert_eq!(
        found,
        [
            ("Consumer[\"a.b\"]".to_owned(), Code::UnknownField),
            ("[\"\"]".to_owned(), Code::UnknownField),
        ]
    );
}

/// The same, for an operation that takes parameters only.
#[test]
fn an_unknown_parameter_with_an_empty_name_is_still_named() {
    let found = faults(
        Spec::ecologic(),
        Operation::PrintProductTypeWithLabelList,
        json!({"": 8}),
    );
    assert_eq!(found, [("[\"\"]".to_owned(), Code::UnknownField)]);
}

fn reply_faults(operation: Operation, status: u16, body: Value) -> Vec<(String, Code)> {
    Spec::ecologic()
        .check_reply(operation, status, &body)
        .into_iter()
        .map(|e| (e.field, e.code))
        .collect()
}

#[test]
fn a_reply_is_checked_as_a_typed_read_would_take_it() {
    let status = |data: Value| {
        json!({"ResponseStatus": "S", "ResponseMessage": "", "ResponseErrorMessage": null,
            "IsValid": true, "ResponseData": data})
    };
    let claim = json!({"ClaimId": 7, "LastStatus": "Dossier incomplet", "ValidationErrors": [],
        "Comment": null, "SomethingNew": {"added": "later"}});
    // Unknown fields, a null optional field, an empty list: taken.
    assert_eq!(
        reply_faults(Operation::GetClaimStatus, 200, status(claim.clone())),
        []
    );
    // A W envelope's data is null (R12).
    let refused = json!({"ResponseStatus": "W", "ResponseMessage": "Produit pas valide",
        "IsValid": false, "ResponseData": null});
    assert_eq!(
        reply_faults(Operation::CalculateEcoSupport, 200, refused),
        []
    );
    // A required field missing, a wrong type: each named.
    let mut broken = claim;
    broken.as_object_mut().map(|o| o.remove("LastStatus"));
    broken["ClaimId"] = json!("7");
    assert_eq!(
        reply_faults(Operation::GetClaimStatus, 200, status(broken)),
        [
            ("ResponseData.LastStatus".to_owned(), Code::Required),
            ("ResponseData.ClaimId".to_owned(), Code::Type),
        ]
    );
    // Values outside an enum, a null `Field` (nullable): taken, as the specs' decisions say (T1).
    let mut body = status(
        json!({"ClaimId": 7, "LastStatus": "A finaliser", "IsValid": false,
        "ValidationErrors": [{"Field": null, "ErrorMessage": "?", "MessageType": "I"}]}),
    );
    body["ResponseStatus"] = json!("X");
    assert_eq!(reply_faults(Operation::GetClaimStatus, 200, body), []);
    let calculation = status(json!([{"EcoOrganizationId": 46, "SupportAmount": 25}]));
    assert_eq!(
        reply_faults(Operation::CalculateEcoSupport, 200, calculation),
        []
    );
    // A null required field the spec does not make nullable breaks the reply.
    let no_id = status(json!({"ClaimId": null, "LastStatus": "A finaliser"}));
    assert_eq!(
        reply_faults(Operation::GetClaimStatus, 200, no_id),
        [("ResponseData.ClaimId".to_owned(), Code::Required)]
    );
}

#[test]
fn an_error_reply_is_checked_against_the_documented_refusal() {
    let asp_net = json!({"Message": "Authorization has been denied for this request."});
    assert_eq!(reply_faults(Operation::PrintBrandList, 401, asp_net), []);
    assert_eq!(
        reply_faults(
            Operation::PrintBrandList,
            401,
            json!(["not", "an", "object"])
        ),
        [("".to_owned(), Code::Type)]
    );
    // A status the spec does not document has no schema to check (the call path already made
    // it an unexpected response).
    assert_eq!(reply_faults(Operation::PrintBrandList, 418, json!(1)), []);
}

#[test]
fn a_body_is_the_input_without_its_parameters_written_for_the_wire() {
    let mut input = dossier();
    input["Product"]["PurchaseDate"] = Value::Null;
    input["Quote"]["TotalAmountInclVAT"]["Amount"] = json!("120.50");
    let request = Spec::ecologic().request(Operation::CreateClaim, input);
    let Some(super::Request {
        body: super::Body::Json(body),
        target,
        ..
    }) = request
    else {
        panic!("a JSON body: {request:?}");
    };
    assert_eq!(
        body.as_object()
            .map(|o| o.keys().cloned().collect::<Vec<_>>()),
        Some(vec!["Consumer".into(), "Product".into(), "Quote".into()])
    );
    assert_eq!(body["Quote"]["TotalAmountInclVAT"]["Amount"], json!(120.5));
    assert_eq!(body["Quote"]["TotalAmountExclVAT"]["Amount"], json!(100.0));
    assert!(
        body["Product"].get("PurchaseDate").is_none(),
        "null left out"
    );
    assert!(target.contains("RepairSiteId=site"), "{target}");
}

#[test]
fn every_generated_operation_is_the_specs_own() {
    for operation in Operation::ALL {
        let described = operation.spec().operation(operation);
        assert!(described.is_some(), "{} in its spec", operation.id());
        assert_eq!(Operation::from_id(operation.id()), Some(operation));
    }
    let described: usize = [Spec::lalux(), Spec::lalux_token(), Spec::ecologic()]
        .iter()
        .map(|spec| spec.operations.len())
        .sum();
    assert_eq!(
        described,
        Operation::ALL.len(),
        "no spec operation missing from the enum"
    );
}
