//! The referentials of one environment (E16): repair sites, brands, product types (plain and
//! labelled), each kept at most `maxAge` (24 h by default) and refreshed on demand. Ids differ
//! between pre-production and production, so a cache belongs to one client, of one environment.
//! Concurrent calls share one read in flight, as they share a LALUX token request.

use super::envelope::Envelope;
use crate::error::SdkError;
use crate::generated::ecologic::{self, types as api};
use futures_util::future::{FutureExt, LocalBoxFuture, Shared};
use progenitor_client::{Error, ResponseValue};
use std::cell::RefCell;
use std::future::Future;
use std::rc::Rc;

/// A read of a referential in flight, awaited by every call that needs it.
type Loading<T> = Shared<LocalBoxFuture<'static, Result<Rc<Vec<T>>, SdkError>>>;

/// One referential: when it was read, and a read in flight.
pub struct Slot<T> {
    read: Option<(f64, Rc<Vec<T>>)>,
    loading: Option<Loading<T>>,
}

impl<T> Default for Slot<T> {
    fn default() -> Self {
        Self {
            read: None,
            loading: None,
        }
    }
}

/// The cached referentials of one client.
#[derive(Default)]
pub struct Referentials {
    sites: RefCell<Slot<api::RepairSite>>,
    brands: RefCell<Slot<api::Brand>>,
    product_types: RefCell<Slot<api::ProductType>>,
    labelled: RefCell<Slot<api::LabelledProductType>>,
}

/// What an operation that reads a referential returns.
pub type Read<E> = LocalBoxFuture<'static, Result<ResponseValue<E>, Error<api::ErrorReply>>>;

/// A referential type: its slot in [`Referentials`] and the operation that reads it.
pub trait Cached: Sized + 'static {
    type Envelope: Envelope<Data = Vec<Self>> + 'static;
    fn slot(cache: &Referentials) -> &RefCell<Slot<Self>>;
    fn read(client: ecologic::Client) -> Read<Self::Envelope>;
}

macro_rules! cached {
    ($($ty:ident in $envelope:ident => $field:ident, $operation:ident;)+) => {$(
        impl Cached for api::$ty {
            type Envelope = api::$envelope;
            fn slot(cache: &Referentials) -> &RefCell<Slot<Self>> {
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
        let (read_at_ms, items) = slot.read.as_ref()?;
        (js_sys::Date::now() - read_at_ms < max_age_ms).then(|| items.clone())
    }

    /// The read of `T` in flight, or a new one made by `read`.
    pub fn loading<T: Cached, F>(&self, read: impl FnOnce() -> F) -> Loading<T>
    where
        F: Future<Output = Result<Rc<Vec<T>>, SdkError>> + 'static,
    {
        T::slot(self)
            .borrow_mut()
            .loading
            .get_or_insert_with(|| read().boxed_local().shared())
            .clone()
    }

    /// Keeps what a read gave (its items, or nothing on failure); the next call reads anew if
    /// it failed.
    pub fn settle<T: Cached>(&self, outcome: &Result<Rc<Vec<T>>, SdkError>) {
        let mut slot = T::slot(self).borrow_mut();
        slot.loading = None;
        if let Ok(items) = outcome {
            slot.read = Some((js_sys::Date::now(), items.clone()));
        }
    }

    /// Forgets everything read.
    pub fn clear(&self) {
        self.sites.borrow_mut().read = None;
        self.brands.borrow_mut().read = None;
        self.product_types.borrow_mut().read = None;
        self.labelled.borrow_mut().read = None;
    }
}
