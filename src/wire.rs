//! Wire types that replace generated ones where typify cannot say what the server needs (see
//! `build.rs`): the generated clients use these, and they use only generated types.

use crate::generated::lalux::types as api;
use serde::{Deserialize, Serialize};

/// The upload reply (`UploadResult` of the spec): L6, the key is read as `key` or `Key`.
#[derive(Clone, Debug, PartialEq, Deserialize, Serialize)]
pub struct UploadResult {
    #[serde(alias = "Key", default, skip_serializing_if = "Option::is_none")]
    pub key: Option<String>,
    pub status: api::UploadStatus,
}

/// The body of `PUT /expert` (`ExpertSettlementRequest`): R2, `abandonVehicule` also goes as
/// `AbandonVehicule`, the table's spelling, with the same value.
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
