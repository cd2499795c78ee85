//! LALUX rules the spec cannot express: HT + TVA = TTC to the cent (L10), replacement-vehicle
//! days only and always for `VHR` (L13).

use crate::error::{Code, FieldError};
use crate::money::Amount;
use serde_json::Value;

/// `[HT, TVA, TTC]` field names of one amount triple.
pub type Triple = [&'static str; 3];

pub const REPAIR_AMOUNTS: &[Triple] = &[["factureHT", "factureTVA", "factureTTC"]];
pub const EXPERT_AMOUNTS: &[Triple] = &[
    ["honorairesHT", "honorairesTVA", "honorairesTTC"],
    ["prejudiceHT", "prejudiceTVA", "prejudiceTTC"],
];

/// Each triple adds up, when its three amounts are valid (otherwise they are already reported).
pub fn amounts_add_up(input: &Value, triples: &[Triple], errors: &mut Vec<FieldError>) {
    let amount = |name: &str| crate::schema::amount_of(input.get(name)?);
    for [ht, tva, ttc] in triples {
        if errors
            .iter()
            .any(|e| [*ht, *tva, *ttc].contains(&e.field.as_str()))
        {
            continue;
        }
        let (Some(h), Some(t), Some(total)) = (amount(ht), amount(tva), amount(ttc)) else {
            continue;
        };
        match h.checked_add(t) {
            Some(sum) if sum == total => {}
            Some(sum) => errors.push(
                FieldError::new(
                    *ttc,
                    Code::Sum,
                    format!("must equal {ht} + {tva} = {sum} to the cent (got {total})"),
                )
                .with("ht", *ht)
                .with("tva", *tva)
                .with("sum", sum.to_string())
                .with("given", total.to_string()),
            ),
            None => errors.push(
                FieldError::new(*ttc, Code::TooBig, format!("{ht} + {tva} is out of range"))
                    .with("max", Amount::from_cents(i64::MAX).to_string()),
            ),
        }
    }
}

/// `nbrJourVehiculeRemplacement` is required for `VHR` and refused for `REP`.
pub fn replacement_days(input: &Value, errors: &mut Vec<FieldError>) {
    const DAYS: &str = "nbrJourVehiculeRemplacement";
    let days = input.get(DAYS).filter(|v| !v.is_null());
    match (input.get("typeFacture").and_then(Value::as_str), days) {
        (Some("VHR"), None) => errors.push(FieldError::new(
            DAYS,
            Code::DaysRequired,
            "is required when typeFacture is VHR (days of replacement vehicle invoiced, at least 1)",
        )),
        (Some("REP"), Some(_)) => errors.push(FieldError::new(
            DAYS,
            Code::DaysNotAllowed,
            "is only for typeFacture VHR; leave it out for REP",
        )),
        _ => {}
    }
}
