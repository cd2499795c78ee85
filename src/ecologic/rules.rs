//! Ecologic rules the spec cannot express, checked against the cached referentials: the unknown
//! brand (`BrandId` "0" needs `BrandName`, E13), known brands and product types, the product's
//! eligibility window (E17), IRIS codes that belong to the product (E3, the labelled referential), and the offline mode
//! (`AutoValidation`, E9), an empty purchase date (R5), the quote's currency, a French postal code.

use super::referential::Referential;
use crate::error::{Code, FieldError};
use crate::input::child;
use repair_dates::{Day, When};
use serde_json::Value;

/// Where a call carries the product's fields.
pub struct ProductFields {
    /// Object holding them (`""` for query parameters, `"Product"` for dossier bodies).
    pub at: &'static str,
    /// The IRIS repair code's name: `RepairCode` (calculation) or `IRISSection` (dossiers).
    pub repair_code: &'static str,
}

pub const CALCULATION: ProductFields = ProductFields {
    at: "",
    repair_code: "RepairCode",
};
pub const DOSSIER: ProductFields = ProductFields {
    at: "Product",
    repair_code: "IRISSection",
};

/// The referentials the rules read, as Ecologic sent them (`Brand`, `ProductType`).
pub struct Catalogue<'a> {
    pub brands: &'a Referential,
    pub products: &'a Referential,
}

/// Checks the product of `input` on French calendar day `day`.
pub fn product(
    input: &Value,
    fields: &ProductFields,
    day: &Day,
    catalogue: &Catalogue<'_>,
    errors: &mut Vec<FieldError>,
) {
    let object = if fields.at.is_empty() {
        Some(input)
    } else {
        input.get(fields.at)
    };
    let Some(object) = object.filter(|o| o.is_object()) else {
        return;
    };
    let text = |name: &str| {
        object
            .get(name)
            .and_then(Value::as_str)
            .map(str::trim)
            .filter(|s| !s.is_empty())
    };
    let path = |name: &str| child(fields.at, name);
    let faulty =
        |errors: &Vec<FieldError>, name: &str| errors.iter().any(|e| e.field == path(name));

    match text("BrandId") {
        Some("0") | None => {}
        Some(id) if !faulty(errors, "BrandId") && catalogue.brands.get(id).is_none() => {
            errors.push(FieldError::new(
                path("BrandId"),
                Code::UnknownBrand,
                format!("`{id}` is not a brand of the referential (brands()); use \"0\" with BrandName for a brand missing from it"),
            ).with("given", id));
        }
        Some(_) => {}
    }

    let Some(id) = text("ProductId").filter(|_| !faulty(errors, "ProductId")) else {
        return;
    };
    let Some(product) = catalogue.products.get(id) else {
        return errors.push(
            FieldError::new(
                path("ProductId"),
                Code::UnknownProduct,
                format!("`{id}` is not a product type of the referential (productTypes())"),
            )
            .with("given", id),
        );
    };
    let field = |name: &str| {
        product
            .get(name)
            .and_then(Value::as_str)
            .unwrap_or_default()
    };
    let start = When::parse(field("EligibilityStartDate")).map(When::day);
    let end = When::parse(field("EligibilityEndDate")).map(When::day);
    let product_name = field("ProductName");
    if let (Some(start), Some(end)) = (start, end)
        && (*day < start || *day > end)
    {
        errors.push(
            FieldError::new(
                path("ProductId"),
                Code::Eligibility,
                format!(
                    "{} is eligible to the support from {start} to {end}, not on {day}",
                    product_name
                ),
            )
            .with("product", product_name)
            .with("start", start.to_string())
            .with("end", end.to_string())
            .with("day", day.to_string()),
        );
    }
    // IRIS codes of the product: a symptom (E3) and a repair code.
    let codes = [
        (
            "IRISSymptom",
            Code::IrisSymptom,
            "an IRIS symptom",
            "IRISSymtoms",
            &product["IRISSymtoms"],
        ),
        (
            fields.repair_code,
            Code::RepairCode,
            "a repair code",
            "RepairCodes",
            &product["RepairCodes"],
        ),
    ];
    for (name, kind, what, list, known) in codes {
        // Codes of the labelled referential (`{Code, Label}`, what every integration reads, T2)
        // or of the plain one (strings); an empty or absent list knows no code to refuse: the
        // server decides (206).
        let known: Vec<&str> = known
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|code| code.get("Code").unwrap_or(code).as_str())
            .collect();
        if let Some(given) = text(name)
            && !known.is_empty()
            && !known.contains(&given)
        {
            let message = format!(
                "`{given}` is not {what} of {id} (its {list}: {})",
                known.join(", ")
            );
            errors.push(
                FieldError::new(path(name), kind, message)
                    .with("given", given)
                    .with("product", id)
                    .with("allowed", known.clone()),
            );
        }
    }
}

/// E13: `BrandId` "0" (a brand missing from the referential) needs `BrandName`, in a calculation
/// (query parameters) or a dossier (`Product`). Needs no referential.
pub fn brand_name(input: &Value, errors: &mut Vec<FieldError>) {
    for at in [CALCULATION.at, DOSSIER.at] {
        let object = if at.is_empty() {
            Some(input)
        } else {
            input.get(at)
        };
        let text = |name: &str| {
            object
                .and_then(|o| o.get(name))
                .and_then(Value::as_str)
                .map(str::trim)
                .filter(|s| !s.is_empty())
        };
        let field = child(at, "BrandName");
        if text("BrandId") == Some("0")
            && text("BrandName").is_none()
            && !errors.iter().any(|e| e.field == field)
        {
            errors.push(FieldError::new(
                field,
                Code::BrandName,
                "is required when BrandId is \"0\" (a brand missing from the referential)",
            ));
        }
    }
}

/// E9: only the offline mode exists since 1.3. `AutoValidation` is set to `true` when left out;
/// `false` is a fault on a support request (the SMS validation it asked for is gone), and taken
/// on a claim, where the document's own examples send it (ECL l.350, 423) and the server ignores
/// it (R8, T7).
pub fn offline_mode(input: &mut Value, request: bool, errors: &mut Vec<FieldError>) {
    let Some(consumer) = input.get_mut("Consumer").and_then(Value::as_object_mut) else {
        return;
    };
    match consumer.get("AutoValidation") {
        Some(Value::Bool(false)) if request => errors.push(FieldError::new(
            "Consumer.AutoValidation",
            Code::AutoValidation,
            "must be true or left out: since version 1.3 only the offline (attestation) mode exists; attach the consumer's proof (CONSUMERVALIDATION) to the claim",
        )),
        None | Some(Value::Null) => {
            consumer.insert("AutoValidation".to_owned(), Value::Bool(true));
        }
        Some(_) => {}
    }
}

/// R5: portals send `Product.PurchaseDate: ""` when the consumer has no receipt; an empty date
/// is a date left out.
pub fn empty_purchase_date(input: &mut Value) {
    if let Some(product) = input.get_mut("Product").and_then(Value::as_object_mut)
        && product.get("PurchaseDate").and_then(Value::as_str) == Some("")
    {
        product.remove("PurchaseDate");
    }
}

/// The quote's amounts are in euros unless said otherwise: a `Currency` left out is `EUR`.
pub fn default_currency(input: &mut Value) {
    let Some(quote) = input.get_mut("Quote").and_then(Value::as_object_mut) else {
        return;
    };
    for money in quote.values_mut().filter_map(Value::as_object_mut) {
        if money.get("Currency").is_none_or(Value::is_null) {
            money.insert("Currency".to_owned(), Value::from("EUR"));
        }
    }
}

/// A French consumer's postal code (`Country` 250) has five digits.
pub fn french_zip(input: &Value, errors: &mut Vec<FieldError>) {
    const ZIP: &str = "Consumer.Zip";
    let consumer = input.get("Consumer");
    let text = |name: &str| consumer.and_then(|c| c.get(name)).and_then(Value::as_str);
    if let (Some("250"), Some(zip)) = (text("Country"), text("Zip"))
        && !zip.is_empty()
        && !(zip.len() == 5 && zip.bytes().all(|b| b.is_ascii_digit()))
        && !errors.iter().any(|e| e.field == ZIP)
    {
        errors.push(
            FieldError::new(
                ZIP,
                Code::Pattern,
                "must be a French postal code of 5 digits (Country 250)",
            )
            .with("given", zip)
            .with("hint", "zipFrance"),
        );
    }
}

/// The ids of requests and claims a call names (`ClaimId`, `RequestId`, `claimId`) are ids
/// Ecologic returned: positive whole numbers (the spec says integer).
pub fn record_ids(input: &Value, errors: &mut Vec<FieldError>) {
    for name in ["ClaimId", "RequestId", "claimId"] {
        let Some(id) = input.get(name).filter(|v| v.is_number()) else {
            continue;
        };
        if id.as_i64().is_none_or(|id| id < 1) && !errors.iter().any(|e| e.field == name) {
            errors.push(
                FieldError::new(
                    name,
                    Code::Id,
                    "must be a positive whole number (an id Ecologic returned)",
                )
                .with("given", id.to_string()),
            );
        }
    }
}

/// A phone number is digits, with spaces, dots, dashes, slashes, parentheses and a leading `+`
/// (`06 12 34 56 78`, `+33 (0)6 12.34.56-78`); letters (`06-APPEL-MOI`), accented or not, are not.
pub fn phone(input: &Value, errors: &mut Vec<FieldError>) {
    const PHONE: &str = "Consumer.Phone";
    let given = input.pointer("/Consumer/Phone").and_then(Value::as_str);
    let shape = |p: &str| {
        let rest = p.trim_start().strip_prefix('+').unwrap_or(p);
        rest.bytes().any(|b| b.is_ascii_digit())
            && rest
                .bytes()
                .all(|b| b.is_ascii_digit() || b" .-/()".contains(&b))
    };
    if let Some(phone) = given.filter(|p| !p.trim().is_empty() && !shape(p))
        && !errors.iter().any(|e| e.field == PHONE)
    {
        errors.push(
            FieldError::new(
                PHONE,
                Code::Pattern,
                "must be a phone number: digits, spaces, dots, dashes, slashes, parentheses and a leading +",
            )
            .with("given", phone)
            .with("hint", "phone"),
        );
    }
}

/// The total including VAT is never below the total excluding VAT: a dossier's quote
/// (`Quote.TotalAmount…VAT.Amount`) or a calculation's (`TotalAmount…VAT`).
pub fn totals_in_order(input: &Value, errors: &mut Vec<FieldError>) {
    let quote = input.get("Quote");
    let amount = |name: &str| {
        let value = match quote {
            Some(quote) => quote.get(name)?.get("Amount")?,
            None => input.get(name)?,
        };
        crate::schema::amount_of(value)
    };
    let incl = match quote {
        Some(_) => "Quote.TotalAmountInclVAT.Amount",
        None => "TotalAmountInclVAT",
    };
    if let (Some(excl), Some(ttc)) = (amount("TotalAmountExclVAT"), amount("TotalAmountInclVAT"))
        && ttc < excl
        && !errors.iter().any(|e| e.field.contains("TotalAmount"))
    {
        errors.push(
            FieldError::new(
                incl,
                Code::InclBelowExcl,
                format!("must not be below TotalAmountExclVAT ({ttc} including VAT for {excl} excluding VAT)"),
            )
            .with("ht", excl.to_string())
            .with("ttc", ttc.to_string()),
        );
    }
}

/// A repair's or a call's day (`RepairEndDate`, `RepairDate`, `CallDate`) is not after `today` in
/// France.
pub fn not_after(input: &Value, name: &str, today: &Day, errors: &mut Vec<FieldError>) {
    let day = input
        .get(name)
        .and_then(Value::as_str)
        .and_then(crate::values::ParisDateTime::parse)
        .map(crate::values::ParisDateTime::day);
    if let Some(day) = day.filter(|day| day > today)
        && !errors.iter().any(|e| e.field == name)
    {
        errors.push(
            FieldError::new(
                name,
                Code::FutureDate,
                format!("must not be after today in France ({day} is after {today})"),
            )
            .with("day", day.to_string())
            .with("max", today.to_string()),
        );
    }
}
