//! The referentials of one environment (E16): repair sites, brands, product types (plain and
//! labelled), each kept at most `maxAge` (24 h by default) and refreshed on demand. Ids differ
//! between pre-production and production, so a cache belongs to one client, of one environment.
//! Concurrent calls share one read in flight, as they share a LALUX token request.

use crate::error::SdkError;
use futures_util::future::{FutureExt, LocalBoxFuture, Shared};
use serde_json::Value;
use std::cell::RefCell;
use std::future::Future;
use std::rc::Rc;

/// The items of a referential, as Ecologic sent them (checked against their schema).
pub type Items = Rc<Vec<Value>>;

/// A read of a referential in flight, awaited by every call that needs it.
type Loading = Shared<LocalBoxFuture<'static, Result<Items, SdkError>>>;

/// One referential: when it was read, and a read in flight.
#[derive(Default)]
pub struct Slot {
    read: Option<(f64, Items)>,
    loading: Option<Loading>,
}

/// The referentials of Ecologic.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum List {
    RepairSites,
    Brands,
    ProductTypes,
    LabelledProductTypes,
}

impl List {
    /// The operation that reads it.
    pub fn operation_id(self) -> &'static str {
        match self {
            List::RepairSites => "getRepairSitesByAts",
            List::Brands => "printBrandList",
            List::ProductTypes => "printProductTypeList",
            List::LabelledProductTypes => "printProductTypeWithLabelList",
        }
    }
}

/// The cached referentials of one client, one slot per [`List`].
#[derive(Default)]
pub struct Referentials {
    slots: [RefCell<Slot>; 4],
}

impl Referentials {
    fn slot(&self, list: List) -> &RefCell<Slot> {
        &self.slots[list as usize]
    }

    /// The cached items of `list`, if read less than `max_age_ms` ago.
    pub fn get(&self, list: List, max_age_ms: f64) -> Option<Items> {
        let slot = self.slot(list).borrow();
        let (read_at_ms, items) = slot.read.as_ref()?;
        (js_sys::Date::now() - read_at_ms < max_age_ms).then(|| items.clone())
    }

    /// The read of `list` in flight, or a new one made by `read`.
    pub fn loading<F>(&self, list: List, read: impl FnOnce() -> F) -> Loading
    where
        F: Future<Output = Result<Items, SdkError>> + 'static,
    {
        self.slot(list)
            .borrow_mut()
            .loading
            .get_or_insert_with(|| read().boxed_local().shared())
            .clone()
    }

    /// Keeps what a read gave (its items, or nothing on failure); the next call reads anew if
    /// it failed.
    pub fn settle(&self, list: List, outcome: &Result<Items, SdkError>) {
        let mut slot = self.slot(list).borrow_mut();
        slot.loading = None;
        if let Ok(items) = outcome {
            slot.read = Some((js_sys::Date::now(), items.clone()));
        }
    }

    /// Forgets everything read.
    pub fn clear(&self) {
        for slot in &self.slots {
            slot.borrow_mut().read = None;
        }
    }
}
