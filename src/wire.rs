//! Wire types that replace generated ones where typify cannot say what the spec means (see
//! `build.rs`): the TypeScript of inputs and replies, and the generated types the tests build
//! bodies and read replies with. The client itself sends and reads JSON (`json.rs`), checked and
//! written by the spec (`schema.rs`). They use only generated types.

use crate::generated::{ecologic::types as ecologic, lalux::types as api};
use serde::{Deserialize, Serialize};
use wasm_bindgen::prelude::wasm_bindgen;

#[wasm_bindgen(typescript_custom_section)]
const TS_WIRE: &str = r#"
/** An amount in a reply: a number with at most 2 decimals. */
export type ReplyAmount = number;
/** Civility (E10): 1 Mrs., 2 Ms., 3 Mr., 4 Société (a company). */
export type Title = 1 | 2 | 3 | 4;
/** Eco-organism: 44 Ecologic, 45 Ecosystem (another id, should one appear, is passed on). */
export type EcoOrganizationId = 44 | 45 | (number & {});
/** Severity of a validation error: `E` error, `W` warning (another letter is passed on). */
export type MessageType = 'E' | 'W' | (string & {});
/** An amount of a quote and its currency. */
export interface Money {
    Amount: Amount;
    /** `EUR` when left out (the only currency the document shows); always sent. */
    Currency?: Currency;
}
"#;

/// Civility (`Title`, E10): 1 Mrs., 2 Ms., 3 Mr., 4 Société; another number is refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "i64", into = "i64")]
pub struct Title(i64);

impl TryFrom<i64> for Title {
    type Error = &'static str;
    fn try_from(value: i64) -> Result<Self, Self::Error> {
        match value {
            1..=4 => Ok(Self(value)),
            _ => Err("a Title is 1, 2, 3 or 4"),
        }
    }
}

impl From<Title> for i64 {
    fn from(title: Title) -> Self {
        title.0
    }
}

/// An amount in a reply: integer cents inside, a JSON number outside (TypeScript `number`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct ReplyAmount(pub crate::money::Amount);

/// An eco-organism id of a reply (44, 45), passed on as it comes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct EcoOrganizationId(pub i64);

/// The severity letter of a reply's validation error (`E`, `W`), passed on as it comes.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct MessageType(pub String);

/// The body of `PUT /expert` (`ExpertSettlementRequest`) as the generator sees it: typify would give
/// R2's two spellings of one flag one Rust name. The client sends JSON (`Role::settlement` copies
/// `abandonVehicule` to `AbandonVehicule`); this type serves the tests that build bodies typed.
#[derive(Clone, Debug, PartialEq, Deserialize, Serialize)]
pub struct ExpertSettlementRequest {
    #[serde(flatten)]
    pub settlement: api::ExpertSettlement,
    #[serde(rename = "AbandonVehicule")]
    abandon_vehicule_table: bool,
}

impl From<api::ExpertSettlement> for ExpertSettlementRequest {
    fn from(settlement: api::ExpertSettlement) -> Self {
        Self {
            abandon_vehicule_table: settlement.abandon_vehicule,
            settlement,
        }
    }
}

/// An amount of the Ecologic quote (`Money`): the currency is `EUR` when the caller leaves it out
/// (the validator fills it in before this type is read), and always sent.
#[derive(Clone, Debug, PartialEq, Deserialize, Serialize)]
pub struct Money {
    #[serde(rename = "Amount")]
    pub amount: crate::money::Amount,
    #[serde(rename = "Currency", default = "euro")]
    pub currency: ecologic::Currency,
}

fn euro() -> ecologic::Currency {
    ecologic::Currency::Eur
}
