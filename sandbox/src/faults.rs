//! Fault injection, off by default, set per route through the admin API.

use crate::http::{Delivery, Response};
use serde::Deserialize;

/// A fault applied to requests whose path ends with `route` (case-insensitive), and whose method
/// matches when one is given.
#[derive(Clone, Debug, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Fault {
    pub route: String,
    #[serde(default)]
    pub method: Option<String>,
    /// Added latency before the answer.
    #[serde(default)]
    pub latency_ms: u64,
    /// Answer this status instead of the real one (the request is not processed).
    #[serde(default)]
    pub status: Option<u16>,
    /// `Retry-After` seconds to send with the forced status.
    #[serde(default)]
    pub retry_after: Option<u32>,
    /// With `status`: answer Ecologic's `E` envelope with this `ResponseErrorMessage` (R7: a 500
    /// envelope, "Invalid claim") instead of an ASP.NET `{Message}`.
    #[serde(default)]
    pub envelope: Option<String>,
    /// Close the connection without answering.
    #[serde(default)]
    pub drop: bool,
    /// With `drop`: process the request first (what it creates stays), then close without
    /// answering: the client cannot know its write happened.
    #[serde(default)]
    pub after_processing: bool,
    /// Send half of the body, then close.
    #[serde(default)]
    pub truncate: bool,
    /// Replace the body with text that is not JSON.
    #[serde(default)]
    pub non_json: bool,
    /// Answer `307 Temporary Redirect` to this URL (the request is not processed).
    #[serde(default)]
    pub redirect: Option<String>,
    /// Replace the body with a JSON text of this many bytes (at most [`MAX_OVERSIZE`]).
    #[serde(default)]
    pub oversize: Option<usize>,
    /// How many requests it applies to; unlimited when absent.
    #[serde(default)]
    pub times: Option<u32>,
}

/// The most faults in force at once: more are refused (each holds its route).
pub const MAX_FAULTS: usize = 100;
/// The longest route a fault matches.
pub const MAX_ROUTE: usize = 512;
/// The largest body `oversize` makes (64 MiB).
pub const MAX_OVERSIZE: usize = 64 << 20;

impl Fault {
    /// Why the admin API refuses this fault, if it does.
    pub fn refusal(&self) -> Option<String> {
        if self.route.len() > MAX_ROUTE {
            return Some(format!("route must have at most {MAX_ROUTE} bytes"));
        }
        if let Some(status) = self.status
            && !(200..=599).contains(&status)
        {
            return Some(format!(
                "status must be a final HTTP status, 200 to 599 (got {status})"
            ));
        }
        if self.oversize.is_some_and(|n| n > MAX_OVERSIZE) {
            return Some(format!("oversize must be at most {MAX_OVERSIZE} bytes"));
        }
        if self.redirect.as_deref().is_some_and(|url| {
            url.is_empty()
                || url.len() > MAX_ROUTE
                || url.bytes().any(|b| !(b' '..=b'~').contains(&b))
        }) {
            return Some("redirect must be a URL of visible ASCII".to_owned());
        }
        None
    }

    fn matches(&self, method: &str, path: &str) -> bool {
        let path = path.to_ascii_lowercase();
        path.ends_with(&self.route.to_ascii_lowercase())
            && self
                .method
                .as_deref()
                .is_none_or(|m| m.eq_ignore_ascii_case(method))
    }

    /// Whether the request must not be processed at all.
    pub fn short_circuits(&self) -> bool {
        self.status.is_some() || self.redirect.is_some() || (self.drop && !self.after_processing)
    }

    /// Applies the fault to the response the request got (or to an empty one when short-circuited).
    pub fn apply(&self, mut response: Response) -> Response {
        if let Some(status) = self.status {
            let body = match &self.envelope {
                Some(detail) => serde_json::json!({
                    "ResponseData": null, "ResponseStatus": "E", "IsValid": false,
                    "ResponseMessage": "Invalid request", "ResponseErrorMessage": detail,
                }),
                None => serde_json::json!({"Message": "fault injected by the sandbox"}),
            };
            response = Response::json(status, &body);
            if let Some(seconds) = self.retry_after {
                response = response.with_header("retry-after", &seconds.to_string());
            }
        }
        if let Some(url) = &self.redirect {
            response = Response::empty(307).with_header("location", url);
        }
        if let Some(size) = self.oversize {
            // `{"pad":"xxx…"}`: valid JSON, larger than any client takes.
            let mut body = Vec::with_capacity(size);
            body.extend_from_slice(b"{\"pad\":\"");
            body.resize(size.saturating_sub(2).max(body.len()), b'x');
            body.extend_from_slice(b"\"}");
            response = response.with_body(body);
        }
        if self.non_json {
            response = response
                .with_header("content-type", "text/html")
                .with_body(b"<html><body>502 Bad Gateway</body></html>".to_vec());
        }
        response.delay_ms = self.latency_ms;
        response.delivery = if self.drop {
            Delivery::Drop
        } else if self.truncate {
            Delivery::Truncate
        } else {
            Delivery::Whole
        };
        response
    }
}

/// The faults in force.
#[derive(Clone, Debug, Default)]
pub struct Faults(Vec<Fault>);

impl Faults {
    /// Adds a fault; `Err` when [`MAX_FAULTS`] are in force already.
    pub fn add(&mut self, fault: Fault) -> Result<(), String> {
        if self.0.len() >= MAX_FAULTS {
            return Err(format!(
                "{MAX_FAULTS} faults are in force: DELETE /_sandbox/faults first"
            ));
        }
        self.0.push(fault);
        Ok(())
    }

    pub fn clear(&mut self) {
        self.0.clear();
    }

    /// The first fault matching the request, counting one use of it.
    pub fn take(&mut self, method: &str, path: &str) -> Option<Fault> {
        let index = self.0.iter().position(|f| f.matches(method, path))?;
        let fault = self.0.get_mut(index)?;
        let found = fault.clone();
        if let Some(times) = fault.times.as_mut() {
            *times = times.saturating_sub(1);
            if *times == 0 {
                self.0.remove(index);
            }
        }
        Some(found)
    }
}
