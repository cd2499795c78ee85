//! The referentials of one environment (E16): repair sites, brands, product types (plain and
//! labelled), each kept at most `maxAge` (24 h by default) and refreshed on demand. Ids differ
//! between pre-production and production, so a cache belongs to one client, of one environment.
//! Concurrent calls share one read in flight, as they share a LALUX token request.

use crate::error::SdkError;
use crate::schema::Operation;
use futures_util::future::{FutureExt, LocalBoxFuture, Shared};
use serde_json::Value;
use std::cell::RefCell;
use std::collections::HashMap;
use std::future::Future;
use std::rc::Rc;

/// A referential as Ecologic sent it (checked against its schema).
pub type Items = Rc<Referential>;

/// The items of a referential, and where each id is among them: the rules look a brand or a
/// product up on every call, and Ecologic's lists hold thousands of brands.
pub struct Referential {
    pub items: Vec<Value>,
    /// Each item's id (a string, as on the wire, E4) and its index; the first of a repeated id.
    by_id: HashMap<String, usize>,
    /// When Ecologic sent it (another instance may have read it earlier: `shareCaches`).
    read_at_ms: f64,
}

impl Referential {
    /// The items of `list`, as Ecologic sent them at `read_at_ms`.
    pub fn new(list: List, items: Vec<Value>, read_at_ms: f64) -> Self {
        let mut by_id = HashMap::with_capacity(items.len());
        for (index, item) in items.iter().enumerate() {
            if let Some(id) = item.get(list.id_field()).and_then(Value::as_str) {
                by_id.entry(id.to_owned()).or_insert(index);
            }
        }
        Self {
            items,
            by_id,
            read_at_ms,
        }
    }

    /// The item whose id is `id`.
    pub fn get(&self, id: &str) -> Option<&Value> {
        self.items.get(*self.by_id.get(id)?)
    }
}

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
    pub fn operation(self) -> Operation {
        match self {
            List::RepairSites => Operation::GetRepairSitesByAts,
            List::Brands => Operation::PrintBrandList,
            List::ProductTypes => Operation::PrintProductTypeList,
            List::LabelledProductTypes => Operation::PrintProductTypeWithLabelList,
        }
    }

    /// The field of its items that identifies them.
    fn id_field(self) -> &'static str {
        match self {
            List::RepairSites => "SiteId",
            List::Brands => "BrandId",
            List::ProductTypes | List::LabelledProductTypes => "ProductId",
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
            slot.read = Some((items.read_at_ms, items.clone()));
        }
    }

    /// Forgets everything read.
    pub fn clear(&self) {
        for slot in &self.slots {
            slot.borrow_mut().read = None;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{List, Referential};
    use serde_json::json;

    #[test]
    fn items_are_found_by_their_string_id_the_first_of_a_repeated_one() {
        let items = vec![
            json!({"BrandId": "1689", "BrandName": "SEB"}),
            json!({"BrandId": 42, "BrandName": "a number, not an id on the wire"}),
            json!({"BrandId": "1689", "BrandName": "repeated"}),
            json!({"BrandName": "no id"}),
        ];
        let brands = Referential::new(List::Brands, items, 0.0);
        assert_eq!(brands.get("1689").unwrap()["BrandName"], "SEB");
        assert!(brands.get("42").is_none());
        assert!(brands.get("").is_none());
        assert_eq!(brands.items.len(), 4);
        let products = Referential::new(
            List::ProductTypes,
            vec![json!({"ProductId": "EEE.M1.010"})],
            0.0,
        );
        assert!(products.get("EEE.M1.010").is_some());
    }
}
