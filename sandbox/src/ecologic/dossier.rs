//! Validation of a support request or claim body (`RepairData`): every missing or wrong piece
//! becomes a `ValidationError`, as the real API reports it with HTTP 206.

use super::referential::{Account, Product, Referential};
use repair_money::Amount;
use serde_json::{Value, json};

pub const REQUIRED: &str = "Cette valeur est obligatoire";
pub const WARRANTY: &str = "Une réparation a déjà été effectuée il y a moins de 6 mois sur cet appareil. Cette réparation est donc couverte par votre garantie.";
pub const NOT_AUTHORISED: &str =
    "Votre compte n'est pas autorisé à effectuer une demande de soutien pour ce type de produit.";
const SUPPORT_FIELD: &str = "Montant de remboursement / Soutien";

/// Which kind of dossier is checked: a support request needs a symptom, a claim a repair code,
/// attachments and, for EI&T products, a serial number.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Request,
    Claim,
}

/// A `ValidationError` of the API.
pub fn error(field: &str, message: &str) -> Value {
    json!({"Field": field, "ErrorMessage": message, "MessageType": "E"})
}

fn text<'a>(object: Option<&'a Value>, field: &str) -> Option<&'a str> {
    object?
        .get(field)?
        .as_str()
        .map(str::trim)
        .filter(|s| !s.is_empty())
}

fn money(quote: Option<&Value>, field: &str) -> Option<Amount> {
    let amount = quote?.get(field)?.get("Amount")?;
    amount
        .is_number()
        .then(|| serde_json::from_value(amount.clone()).ok())
        .flatten()
}

/// What the checks need to know besides the body.
pub struct Context<'a> {
    pub referential: &'a Referential,
    pub account: &'a Account,
    pub brand_ids: &'a [String],
    /// The dossier's French calendar day: the repair's for a claim, its call's for a request.
    pub day: repair_dates::Day,
    /// Attachment types already on the claim.
    pub attachments: &'a [String],
    /// Whether the serial number had a repair less than 6 months ago.
    pub serial_repaired_recently: &'a dyn Fn(&str) -> bool,
}

/// Every validation error of `body` for a dossier of `kind`.
pub fn validate(body: &Value, kind: Kind, ctx: &Context<'_>) -> Vec<Value> {
    let mut errors = Vec::new();
    let consumer = body.get("Consumer");
    let product_json = body.get("Product");
    let quote = body.get("Quote");

    match consumer
        .and_then(|c| c.get("Title"))
        .and_then(Value::as_i64)
    {
        Some(1..=4) => {}
        _ => errors.push(error("Civilité", REQUIRED)),
    }
    for (field, label) in [
        ("LastName", "Nom"),
        ("FirstName", "Prénom"),
        ("Zip", "Code postal"),
        ("City", "Ville"),
        ("Phone", "N° de téléphone"),
        ("Country", "Pays"),
    ] {
        if text(consumer, field).is_none() {
            errors.push(error(label, REQUIRED));
        }
    }

    let product = text(product_json, "ProductId").and_then(|id| ctx.referential.product(id));
    match (text(product_json, "ProductId"), product) {
        (None, _) => errors.push(error("Type de produit", REQUIRED)),
        (Some(_), None) => errors.push(error("Type de produit", "Produit pas valide")),
        (Some(_), Some(p)) => check_product(p, ctx, &mut errors),
    }
    match text(product_json, "BrandId") {
        None => errors.push(error("Marque", REQUIRED)),
        Some("0") if text(product_json, "BrandName").is_none() => errors.push(error(
            "Marque",
            "Le nom de la marque est obligatoire pour une marque inconnue (BrandId = 0)",
        )),
        Some("0") => {}
        Some(id) if !ctx.brand_ids.iter().any(|b| b == id) => {
            errors.push(error("Marque", "Marque pas valide"))
        }
        Some(_) => {}
    }

    if let Some(p) = product {
        match kind {
            Kind::Request => match text(product_json, "IRISSymptom") {
                None => errors.push(error("Symptôme", REQUIRED)),
                Some(code) if !p.has_symptom(code) => errors.push(error(
                    SUPPORT_FIELD,
                    "Code symptôme non valide, demande de remboursement / soutien non valide",
                )),
                Some(_) => {}
            },
            Kind::Claim => {
                match text(product_json, "IRISSection") {
                    None => errors.push(error("Panne ou code IRIS", REQUIRED)),
                    Some(code) if !p.has_repair_code(code) => errors.push(error(
                        SUPPORT_FIELD,
                        "Code panne non valide, demande de remboursement / soutien non valide",
                    )),
                    Some(_) => {}
                }
                check_claim_product(p, product_json, ctx, &mut errors);
            }
        }
        check_quote(p, quote, &mut errors);
    }
    check_decimals(quote, &mut errors);
    errors
}

fn check_product(product: &Product, ctx: &Context<'_>, errors: &mut Vec<Value>) {
    if !ctx.account.fiches.contains(&product.fiche) {
        errors.push(error("Type de produit", NOT_AUTHORISED));
    }
    if !product.eligible_on(ctx.day) {
        errors.push(error(
            "Type de produit",
            &format!(
                "Ce produit n'est pas éligible au soutien à cette date (du {} au {})",
                day(&product.eligibility_start),
                day(&product.eligibility_end)
            ),
        ));
    }
}

/// The `YYYY-MM-DD` part of a local date-time.
fn day(date_time: &str) -> &str {
    date_time.get(..10).unwrap_or(date_time)
}

fn check_claim_product(
    product: &Product,
    product_json: Option<&Value>,
    ctx: &Context<'_>,
    errors: &mut Vec<Value>,
) {
    let serial = text(product_json, "SerialNumber");
    if product.requires_serial_and_nameplate() && serial.is_none() {
        errors.push(error("Numéro de série", REQUIRED));
    }
    if serial.is_some_and(|s| (ctx.serial_repaired_recently)(s)) {
        errors.push(error("Numéro de série", WARRANTY));
    }
    let attached = |kind: &str| ctx.attachments.iter().any(|a| a == kind);
    if product.requires_serial_and_nameplate() && !attached("NAMEPLATE") {
        errors.push(error(
            "Plaque signalétique",
            "Des pièces jointes sont requises : Plaque signalétique",
        ));
    }
    if !attached("INVOICE") {
        errors.push(error(
            "Facture",
            "Des pièces jointes sont requises : Facture",
        ));
    }
    if !attached("CONSUMERVALIDATION") {
        errors.push(error(
            "Validation manuelle du consommateur",
            "Des pièces jointes sont requises : Validation manuscrite",
        ));
    }
}

/// The quote's amounts and their French labels.
const QUOTE_AMOUNTS: [(&str, &str); 6] = [
    ("LaborCost", "Main d'œuvre"),
    ("SparePartsCost", "Pièces détachées"),
    ("TravelCost", "Frais de déplacement"),
    ("TotalAmountExclVAT", "Montant HT"),
    ("TotalAmountInclVAT", "Montant TTC"),
    ("SupportAmount", SUPPORT_FIELD),
];

/// Amounts with more than 2 decimals (the spec states the rule; the contract cannot check it).
fn check_decimals(quote: Option<&Value>, errors: &mut Vec<Value>) {
    for (field, label) in QUOTE_AMOUNTS {
        let given = quote
            .and_then(|q| q.get(field))
            .and_then(|m| m.get("Amount"))
            .is_some_and(Value::is_number);
        if given && money(quote, field).is_none() {
            errors.push(error(label, "Le montant doit avoir au plus 2 décimales"));
        }
    }
}

fn check_quote(product: &Product, quote: Option<&Value>, errors: &mut Vec<Value>) {
    let excl = money(quote, "TotalAmountExclVAT");
    let incl = money(quote, "TotalAmountInclVAT");
    for (field, label) in [
        ("TotalAmountExclVAT", "Montant HT"),
        ("TotalAmountInclVAT", "Montant TTC"),
    ] {
        let absent = quote
            .and_then(|q| q.get(field))
            .and_then(|m| m.get("Amount"))
            .is_none_or(Value::is_null);
        if absent {
            errors.push(error(label, REQUIRED));
        }
    }
    if let (Some(excl), Some(incl)) = (excl, incl)
        && incl < excl
    {
        errors.push(error(
            "Montant TTC",
            "Le montant TTC ne peut être inférieur au montant HT",
        ));
    }
    // The public rule compares the invoice including VAT with the bonus (T10, ecosystem.eco's
    // QualiRépar page).
    if incl.is_some_and(|i| i < product.support_amount) {
        errors.push(error(
            SUPPORT_FIELD,
            "Le seuil n'est pas dépassé, demande de remboursement / soutien non valide",
        ));
    }
    if money(quote, "SupportAmount").is_some_and(|s| s > product.support_amount) {
        errors.push(error(
            SUPPORT_FIELD,
            &format!(
                "Le montant du soutien ne peut dépasser {} EUR pour ce produit",
                product.support_amount
            ),
        ));
    }
}
