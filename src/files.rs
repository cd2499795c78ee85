//! Files a call was given, held in JS memory until the call ends. The input carries a short text
//! in place of a file's base64 ([`hold`]); the validator measures it ([`size`]) and the body
//! writer (`body::RequestBody`) encodes the bytes straight into the request body, a chunk at a
//! time ([`bytes`]): a file is never copied whole into the module, nor its base64 held there.
//!
//! A file is held by the call being polled ([`Scope`], which `js::settle` puts around every
//! method) and let go when that call ends, whether it sent the file or failed before.

use js_sys::Uint8Array;
use std::cell::RefCell;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

/// How a held file's text starts (no base64 text has a control character).
const PREFIX: &str = "\u{1}file:";

#[derive(Default)]
struct Held {
    /// Each held file and the call holding it; `None`: a free slot.
    files: Vec<Option<(u64, Uint8Array)>>,
    /// The free slots of `files` (taken last freed first: a call holding many files finds one
    /// at once, not by a scan).
    free: Vec<usize>,
    /// The call being polled (0: none).
    polled: u64,
    /// The last call given an id.
    calls: u64,
}

thread_local! {
    static HELD: RefCell<Held> = RefCell::default();
}

/// Holds `bytes` for the call being polled; returns the text that stands for them in its input.
pub fn hold(bytes: Uint8Array) -> String {
    let length = bytes.length();
    HELD.with_borrow_mut(|held| {
        let call = held.polled;
        let entry = Some((call, bytes));
        let free = held.free.pop();
        let slot = match free.and_then(|free| Some((free, held.files.get_mut(free)?))) {
            Some((free, slot)) => {
                *slot = entry;
                free
            }
            None => {
                held.files.push(entry);
                held.files.len() - 1
            }
        };
        format!("{PREFIX}{call}:{slot}:{length}")
    })
}

/// The bytes a text from [`hold`] stands for, to the call that holds them only (another call's
/// input cannot name them).
pub fn bytes(text: &str) -> Option<Uint8Array> {
    let (call, slot, length) = parse(text)?;
    HELD.with_borrow(|held| match held.files.get(slot) {
        Some(Some((holder, bytes)))
            if *holder == call && call == held.polled && bytes.length() as usize == length =>
        {
            Some(bytes.clone())
        }
        _ => None,
    })
}

/// Whether `text` stands for a held file (whether or not it is still held).
pub fn is_held(text: &str) -> bool {
    text.starts_with(PREFIX)
}

/// The size in bytes of a file given as text: a held file, or padded base64 (`None`: neither).
pub fn size(text: &str) -> Option<usize> {
    match text.starts_with(PREFIX) {
        true => bytes(text).map(|b| b.length() as usize),
        false => crate::values::is_base64(text).then(|| crate::values::decoded_len(text)),
    }
}

/// The length of the base64 text of `size` bytes.
pub fn base64_len(size: usize) -> usize {
    4 * size.div_ceil(3)
}

/// `(call, slot, length)` of a text from [`hold`].
fn parse(text: &str) -> Option<(u64, usize, usize)> {
    let (call, rest) = text.strip_prefix(PREFIX)?.split_once(':')?;
    let (slot, length) = rest.split_once(':')?;
    Some((call.parse().ok()?, slot.parse().ok()?, length.parse().ok()?))
}

/// What a call does, run as that call: the files it holds are let go when it ends.
pub struct Scope<T> {
    call: u64,
    work: Pin<Box<dyn Future<Output = T>>>,
}

impl<T> Scope<T> {
    pub fn new(work: Pin<Box<dyn Future<Output = T>>>) -> Self {
        let call = HELD.with_borrow_mut(|held| {
            held.calls += 1;
            held.calls
        });
        Self { call, work }
    }
}

impl<T> Future for Scope<T> {
    type Output = T;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<T> {
        let outer = HELD.with_borrow_mut(|held| std::mem::replace(&mut held.polled, self.call));
        let poll = self.work.as_mut().poll(cx);
        HELD.with_borrow_mut(|held| held.polled = outer);
        poll
    }
}

impl<T> Drop for Scope<T> {
    fn drop(&mut self) {
        HELD.with_borrow_mut(|held| {
            let Held { files, free, .. } = held;
            for (i, slot) in files.iter_mut().enumerate() {
                if slot.as_ref().is_some_and(|(call, _)| *call == self.call) {
                    *slot = None;
                    free.push(i);
                }
            }
        });
    }
}
