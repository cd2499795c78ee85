//! The files a call was given, held in JS memory until the call ends ([`Files`], one per call,
//! in its `call::Settings`). The input carries a short text in place of a file's base64
//! ([`Files::hold`]): it says the file's length, so the validator measures it without the
//! files ([`size`]), and the body writer (`body::RequestBody`) encodes the bytes straight into
//! the request body, a chunk at a time, from the call's own files ([`Files::bytes`]): a file is
//! never copied whole into the module, nor its base64 held there, and one call's input cannot
//! name another's files.

use js_sys::Uint8Array;
use std::cell::RefCell;
use std::rc::Rc;

/// How a held file's text starts (no base64 text has a control character, and `readInput`
/// refuses a caller's text that starts with one).
const PREFIX: &str = "\u{1}file:";

/// The files of one call (clones share them); let go when the call's last clone drops.
#[derive(Clone, Default)]
pub struct Files(Rc<RefCell<Vec<Uint8Array>>>);

impl Files {
    /// Holds `bytes` for the call; returns the text that stands for them in its input.
    pub fn hold(&self, bytes: Uint8Array) -> String {
        let length = bytes.length();
        let mut files = self.0.borrow_mut();
        files.push(bytes);
        format!("{PREFIX}{}:{length}", files.len() - 1)
    }

    /// The bytes a text from [`Self::hold`] stands for (`None`: not one of this call's files).
    pub fn bytes(&self, text: &str) -> Option<Uint8Array> {
        let (slot, length) = parse(text)?;
        let files = self.0.borrow();
        let bytes = files.get(slot)?;
        (bytes.length() as usize == length).then(|| bytes.clone())
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
        true => parse(text).map(|(_, length)| length),
        false => crate::values::is_base64(text).then(|| crate::values::decoded_len(text)),
    }
}

/// The length of the base64 text of `size` bytes.
pub fn base64_len(size: usize) -> usize {
    4 * size.div_ceil(3)
}

/// `(slot, length)` of a text from [`Files::hold`].
fn parse(text: &str) -> Option<(usize, usize)> {
    let (slot, length) = text.strip_prefix(PREFIX)?.split_once(':')?;
    Some((slot.parse().ok()?, length.parse().ok()?))
}
