//! `amountsFromHT`, the VAT helper of the JavaScript surface: HT, TVA and TTC to the cent.

use crate::error::{Code, FieldError, SdkError};
use crate::money::Amount;
use serde::Serialize;
use wasm_bindgen::prelude::{JsValue, wasm_bindgen};

#[wasm_bindgen(typescript_custom_section)]
const TS_AMOUNTS: &str = r#"
/** An amount excluding VAT, its VAT and the total, consistent to the cent. */
export interface VatAmounts { ht: number; tva: number; ttc: number }
/**
 * The VAT and the total of an amount excluding VAT at `vatRatePercent` (`20`, `5.5`, `17`): the VAT
 * rounded to the nearest cent, halves away from zero, so that HT + TVA = TTC exactly, as the
 * settlements and quotes require (`factureHT`, `factureTVA`, `factureTTC`). Throws a
 * `RepairClaimsError` of kind `validation` for an amount or a rate with more than 2 decimals.
 */
export function amountsFromHT(ht: Amount, vatRatePercent: number | string): VatAmounts;
"#;

/// `amountsFromHT`: HT, TVA and TTC to the cent from HT and a VAT rate in percent.
#[wasm_bindgen(js_name = amountsFromHT, skip_typescript)]
pub fn amounts_from_ht(ht: JsValue, vat_rate_percent: JsValue) -> Result<JsValue, JsValue> {
    let read = |value: JsValue, name: &str| {
        let text = value
            .as_f64()
            .map(crate::money::shortest)
            .or_else(|| value.as_string())
            .unwrap_or_default();
        text.trim().parse::<Amount>().map_err(|_| {
            FieldError::new(
                name,
                Code::Decimals,
                "must be a number or decimal string with at most 2 decimals",
            )
            .with("given", text)
        })
    };
    let (ht, rate) = match (read(ht, "ht"), read(vat_rate_percent, "vatRatePercent")) {
        (Ok(ht), Ok(rate)) => (ht, rate),
        (ht, rate) => {
            let errors = [ht.err(), rate.err()].into_iter().flatten().collect();
            return Err(SdkError::validation(errors)
                .in_operation("amountsFromHT")
                .into_js());
        }
    };
    let tva = ht.vat(rate);
    let ttc = tva.and_then(|tva| ht.checked_add(tva));
    let (Some(tva), Some(ttc)) = (tva, ttc) else {
        let error = FieldError::new("ht", Code::TooBig, "is too large to compute its VAT");
        return Err(SdkError::validation(vec![error])
            .in_operation("amountsFromHT")
            .into_js());
    };
    #[derive(Serialize)]
    struct VatAmounts {
        ht: Amount,
        tva: Amount,
        ttc: Amount,
    }
    crate::js::to_js(&VatAmounts { ht, tva, ttc }).map_err(SdkError::into_js)
}
