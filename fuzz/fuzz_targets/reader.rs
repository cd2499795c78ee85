//! The reply reader at its limits: a body nested `depth` levels deep (around serde_json's limit of
//! 128, under and past it) and, one input in 64, padded up to the client's 8 MiB reply limit;
//! read as the call path reads it, then checked against every operation's replies. No panic, no
//! stack overflow: a body past the nesting limit does not read, and every other is checked.
#![no_main]

use libfuzzer_sys::fuzz_target;
use repair_claims::fuzzing::{REPLY_LIMIT, check_every_reply, read_reply};

fuzz_target!(|data: &[u8]| {
    let [shape, depth, high, low, core @ ..] = data else {
        return;
    };
    let depth = 100 + usize::from(*depth) % 60;
    let status = 100 + u16::from_be_bytes([*high, *low]) % 500;
    let (open, close): (&[u8], &[u8]) = match shape % 3 {
        0 => (b"[", b"]"),
        1 => (b"{\"ResponseData\":", b"}"),
        _ => (b"{\"a\":[", b"]}"),
    };
    let mut body = Vec::with_capacity(core.len() + depth * 20);
    for _ in 0..depth {
        body.extend_from_slice(open);
    }
    body.extend_from_slice(core);
    for _ in 0..depth {
        body.extend_from_slice(close);
    }
    if shape % 64 == 63 {
        // Up to the limit: a long string beside the nested part, as a referential's labels are.
        let pad = REPLY_LIMIT.saturating_sub(body.len() + 16);
        let mut padded = Vec::with_capacity(REPLY_LIMIT);
        padded.extend_from_slice(b"[\"");
        padded.resize(pad, b'x');
        padded.extend_from_slice(b"\",");
        padded.extend_from_slice(&body);
        padded.push(b']');
        body = padded;
    }
    match read_reply(&body) {
        Some(value) => {
            // serde_json refuses what is nested past 128 levels, so nothing checked is deeper.
            check_every_reply(status, &value);
        }
        None => {}
    }
});
