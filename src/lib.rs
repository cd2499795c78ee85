//! repair-claims: typed clients for the LALUX provider API and the Ecologic Fonds Réparations EEE
//! API, sent from the specs in `openapi/` (with the types progenitor generates from them) and
//! compiled to WebAssembly.

pub mod generated;
pub use repair_money as money;
pub mod values;
pub mod wire;

mod amounts;
mod auth;
mod body;
mod call;
pub mod ecologic;
pub mod error;
mod fetch;
mod field;
mod files;
/// Entry points for the fuzz targets (`fuzz/`).
#[cfg(fuzzing)]
pub mod fuzzing;
mod gateway;
mod hooks;
mod input;
mod journal;
mod js;
pub mod json;
pub mod lalux;
mod pattern;
mod schema;
mod validate;
