//! The files a call was given, held in JS memory until the call ends ([`Files`], one per call,
//! in its `call::Settings`). The input carries a short text in place of a file's base64
//! ([`Files::hold`]): it says the file's length, so the validator measures it without the
//! files ([`size`]), and the body writer (`body::RequestBody`) encodes the bytes straight into
//! the request body, a chunk at a time, from the call's own files ([`Files::bytes`]): a file is
//! never copied whole into the module, nor its base64 held there. A text names its call: one
//! call's input cannot name another's files (and `readInput` refuses a caller's text that starts
//! as a stand-in does).

use js_sys::Uint8Array;
use std::cell::RefCell;
use std::rc::Rc;
use std::sync::atomic::{AtomicU64, Ordering};

/// How a held file's text starts (no base64 text has a control character, and `readInput`
/// refuses a caller's text that starts with one).
const PREFIX: &str = "\u{1}file:";

/// The files of one call (clones share them); let go when the call's last clone drops.
#[derive(Clone, Default)]
pub struct Files(Rc<Held>);

struct Held {
    /// This call's number among the module's, in its texts: another call's text, or a text that
    /// a later step puts in a body (an upload key), never names this call's files.
    call: u64,
    files: RefCell<Vec<Uint8Array>>,
}

impl Default for Held {
    fn default() -> Self {
        static CALLS: AtomicU64 = AtomicU64::new(0);
        Self {
            call: CALLS.fetch_add(1, Ordering::Relaxed),
            files: RefCell::default(),
        }
    }
}

impl Files {
    /// Holds `bytes` for the call; returns the text that stands for them in its input.
    pub fn hold(&self, bytes: Uint8Array) -> String {
        let length = bytes.length();
        let mut files = self.0.files.borrow_mut();
        files.push(bytes);
        format!("{PREFIX}{}:{}:{length}", self.0.call, files.len() - 1)
    }

    /// The bytes a text from [`Self::hold`] stands for (`None`: not one of this call's files).
    pub fn bytes(&self, text: &str) -> Option<Uint8Array> {
        let (call, slot, length) = parse(text)?;
        let files = self.0.files.borrow();
        let bytes = files.get(slot).filter(|_| call == self.0.call)?;
        (bytes.length() == length).then(|| bytes.clone())
    }
}

/// Whether `text` stands for a held file.
pub fn is_held(text: &str) -> bool {
    text.starts_with(PREFIX)
}

/// The size in bytes of a file given as text: a held file's (as its text says), or padded
/// base64's (`None`: neither).
pub fn size(text: &str) -> Option<usize> {
    match text.starts_with(PREFIX) {
        true => parse(text).map(|(.., length)| length as usize),
        false => crate::values::is_base64(text).then(|| crate::values::decoded_len(text)),
    }
}

/// The length of the base64 text of `size` bytes.
pub fn base64_len(size: usize) -> usize {
    size.div_ceil(3).saturating_mul(4)
}

/// `(call, slot, length)` of a text from [`Files::hold`] (a `Uint8Array`'s length is a `u32`).
fn parse(text: &str) -> Option<(u64, usize, u32)> {
    let mut parts = text.strip_prefix(PREFIX)?.splitn(3, ':');
    let mut next = || parts.next();
    Some((next()?.parse().ok()?, next()?.parse().ok()?, next()?.parse().ok()?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_stand_in_is_measured_by_its_text_and_a_forged_one_cannot_overflow() {
        assert_eq!(size("\u{1}file:3:0:5"), Some(5));
        assert_eq!(base64_len(5), 8);
        // Longer than any `Uint8Array`, or not a stand-in's shape: not a file.
        assert_eq!(size("\u{1}file:3:0:18446744073709551615"), None);
        assert_eq!(size("\u{1}file:0:5"), None);
        assert_eq!(base64_len(usize::MAX), usize::MAX);
        // Base64 is measured by what it decodes to.
        assert_eq!(size("aGVsbG8="), Some(5));
        assert!(is_held("\u{1}file:1:2:3") && !is_held("aGVsbG8="));
    }
}
