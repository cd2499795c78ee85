//! The sandbox's own request and response values: plain data, no sockets.

use serde::Serialize;
use serde_json::Value;

/// An HTTP request as the core sees it.
#[derive(Clone, Debug, Default)]
pub struct Request {
    pub method: String,
    /// Path without the query string.
    pub path: String,
    /// Raw query string, without `?`.
    pub query: String,
    /// Header names in lower case.
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Request {
    /// The first value of header `name` (case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// Decoded query pairs, in order.
    pub fn query_pairs(&self) -> Vec<(String, String)> {
        form_pairs(&self.query)
    }

    /// The first query value whose name matches `name` case-insensitively (ASP.NET binding).
    pub fn query_value(&self, name: &str) -> Option<String> {
        self.query_pairs()
            .into_iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v)
    }
}

/// How the host must deliver a response: whole, or broken on purpose (fault injection).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Delivery {
    #[default]
    Whole,
    /// Close the connection without answering.
    Drop,
    /// Announce the full length, send half the body, close.
    Truncate,
}

/// An HTTP response as the core produces it.
#[derive(Clone, Debug, PartialEq)]
pub struct Response {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
    /// Milliseconds the host waits before answering (fault injection).
    pub delay_ms: u64,
    pub delivery: Delivery,
}

impl Response {
    /// A response with no body.
    pub fn empty(status: u16) -> Self {
        Self {
            status,
            headers: Vec::new(),
            body: Vec::new(),
            delay_ms: 0,
            delivery: Delivery::Whole,
        }
    }

    /// A JSON response.
    pub fn json(status: u16, value: &impl Serialize) -> Self {
        let body = serde_json::to_vec(value).unwrap_or_else(|_| b"null".to_vec());
        Self::empty(status)
            .with_header("content-type", "application/json; charset=utf-8")
            .with_body(body)
    }

    /// A plain-text response.
    pub fn text(status: u16, text: &str) -> Self {
        Self::empty(status)
            .with_header("content-type", "text/plain; charset=utf-8")
            .with_body(text.as_bytes().to_vec())
    }

    pub fn with_header(mut self, name: &str, value: &str) -> Self {
        self.headers.retain(|(n, _)| !n.eq_ignore_ascii_case(name));
        self.headers.push((name.to_owned(), value.to_owned()));
        self
    }

    pub fn with_body(mut self, body: Vec<u8>) -> Self {
        self.body = body;
        self
    }
}

/// `application/x-www-form-urlencoded` pairs, decoded (`+` is a space).
pub fn form_pairs(text: &str) -> Vec<(String, String)> {
    text.split('&')
        .filter(|part| !part.is_empty())
        .map(|part| {
            let (name, value) = part.split_once('=').unwrap_or((part, ""));
            (percent_decode(name), percent_decode(value))
        })
        .collect()
}

/// Percent-decoding that never fails: an invalid escape is kept as it is.
pub fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let escaped = bytes
            .get(i + 1..i + 3)
            .filter(|_| bytes[i] == b'%')
            .and_then(|hex| std::str::from_utf8(hex).ok())
            .and_then(|hex| u8::from_str_radix(hex, 16).ok());
        match (bytes[i], escaped) {
            (_, Some(byte)) => {
                out.push(byte);
                i += 3;
            }
            (b'+', None) => {
                out.push(b' ');
                i += 1;
            }
            (byte, None) => {
                out.push(byte);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Parses a JSON body, or says why it is not one.
pub fn json_body(request: &Request) -> Result<Value, String> {
    serde_json::from_slice(&request.body).map_err(|e| format!("the body is not valid JSON: {e}"))
}
