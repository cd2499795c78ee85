//! The referentials of one environment (E16): repair sites, brands, product types (plain and
//! labelled), each kept at most `maxAge` (24 h by default) and refreshed on demand. Ids differ
//! between pre-production and production, so a cache belongs to one client, of one environment.

use super::envelope::Envelope;
use crate::generated::ecologic::{self, types as api};
use futures_util::future::{FutureExt, LocalBoxFuture};
use progenitor_client::{Error, ResponseValue};
use std::cell::RefCell;
use std::rc::Rc;

/// One referential and when it was read.
pub struct Entry<T> {
    read_at_ms: f64,
    items: Rc<Vec<T>>,
}

/// The cached referentials of one client.
#[derive(Default)]
pub struct Referentials {
    sites: RefCell<Option<Entry<api::RepairSite>>>,
    brands: RefCell<Option<Entry<api::Brand>>>,
    product_types: RefCell<Option<Entry<api::ProductType>>>,
    labelled: RefCell<Option<Entry<api::LabelledProductType>>>,
}

/// What an operation that reads a referential returns.
pub type Read<E> = LocalBoxFuture<'static, Result<ResponseValue<E>, Error<api::ErrorReply>>>;

/// A referential type: its slot in [`Referentials`] and the operation that reads it.
pub trait Cached: Sized + 'static {
    type Envelope: Envelope<Data = Vec<Self>> + 'static;
    fn slot(cache: &Referentials) -> &RefCell<Option<Entry<Self>>>;
    fn read(client: ecologic::Client) -> Read<Self::Envelope>;
}

macro_rules! cached {
    ($($ty:ident in $envelope:ident => $field:ident, $operation:ident;)+) => {$(
        impl Cached for api::$ty {
            type Envelope = api::$envelope;
            fn slot(cache: &Referentials) -> &RefCell<Option<Entry<Self>>> {
                &cache.$field
            }
            fn read(client: ecologic::Client) -> Read<Self::Envelope> {
                async move { client.$operation().await }.boxed_local()
            }
        }
    )+};
}

cached! {
    RepairSite in RepairSiteListEnvelope => sites, get_repair_sites_by_ats;
    Brand in BrandListEnvelope => brands, print_brand_list;
    ProductType in ProductTypeListEnvelope => product_types, print_product_type_list;
    LabelledProductType in LabelledProductTypeListEnvelope => labelled, print_product_type_with_label_list;
}

impl Referentials {
    /// The cached items of `T`, if read less than `max_age_ms` ago.
    pub fn get<T: Cached>(&self, max_age_ms: f64) -> Option<Rc<Vec<T>>> {
        let slot = T::slot(self).borrow();
        let entry = slot.as_ref()?;
        (js_sys::Date::now() - entry.read_at_ms < max_age_ms).then(|| entry.items.clone())
    }

    /// Keeps freshly read items.
    pub fn put<T: Cached>(&self, items: Vec<T>) -> Rc<Vec<T>> {
        let items = Rc::new(items);
        *T::slot(self).borrow_mut() = Some(Entry {
            read_at_ms: js_sys::Date::now(),
            items: items.clone(),
        });
        items
    }

    /// Forgets everything.
    pub fn clear(&self) {
        *self.sites.borrow_mut() = None;
        *self.brands.borrow_mut() = None;
        *self.product_types.borrow_mut() = None;
        *self.labelled.borrow_mut() = None;
    }
}
