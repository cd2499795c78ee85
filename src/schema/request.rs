//! An operation's HTTP request, written from its checked input by what the spec says of it:
//! method, path, parameters (path and query, by wire name) and body (JSON or a form). The
//! generated types are not involved: the spec is the one description of every call.

use super::{Operation, Spec};
use serde_json::Value;

/// One operation's request, ready to be sent to a base URL.
#[derive(Debug, PartialEq)]
pub struct Request {
    /// The spec's `operationId`: which replies are documented.
    pub operation: Operation,
    /// `GET`, `POST`, … as the spec has it, in capitals.
    pub method: String,
    /// Path and query, appended to the base URL.
    pub target: String,
    pub body: Body,
}

/// A request's body.
#[derive(Debug, PartialEq)]
pub enum Body {
    None,
    /// `application/json`.
    Json(Value),
    /// `application/x-www-form-urlencoded`, written out.
    Form(String),
    /// A call relayed to a gateway (`crate::gateway`): this JSON, then the bytes of the files it
    /// holds, raw.
    Relayed(Value),
}

impl Body {
    /// Its `Content-Type`.
    pub fn content_type(&self) -> Option<&'static str> {
        match self {
            Body::None => None,
            Body::Json(_) => Some("application/json"),
            Body::Form(_) => Some("application/x-www-form-urlencoded"),
            Body::Relayed(_) => Some(RELAYED),
        }
    }
}

/// The content type of a relayed call (`repair-claims/server` reads it back).
const RELAYED: &str = "application/vnd.repair-claims.relay";

impl Spec {
    /// The request of operation `operation` for a checked `input` (its parameters and, beside
    /// them, its body's properties; moved, not copied: a body may hold a file). Parameters go
    /// where the spec puts them, written as the server reads them (amounts as decimal numbers,
    /// days, Paris wall clock); a property of a form body that is also a parameter goes in both
    /// (LALUX's R3). `None` for an operation the spec does not have.
    pub fn request(&self, operation: Operation, mut input: Value) -> Option<Request> {
        let op = self.operation(operation)?;
        let (body_schema, form) = match op.body {
            Some((schema, form)) => (Some(schema), form),
            None => (None, false),
        };
        let in_body = |name: &str| body_schema.is_some_and(|b| b.resolved().property(name).is_some());
        let mut target = operation.path().to_owned();
        let mut query = String::new();
        if let Some(object) = input.as_object_mut() {
            for param in op.params {
                let name = param.name;
                if !param.sent {
                    object.remove(name);
                    continue;
                }
                let mut value = match in_body(name) {
                    true => object.get(name).cloned().unwrap_or(Value::Null),
                    false => object.remove(name).unwrap_or(Value::Null),
                };
                if value.is_null() {
                    continue;
                }
                self.wire(param.schema, &mut value);
                let text = scalar(&value);
                if param.in_path {
                    let mut encoded = String::new();
                    encode(&mut encoded, &text, false);
                    target = target.replace(&format!("{{{name}}}"), &encoded);
                } else {
                    query.push(if query.is_empty() { '?' } else { '&' });
                    encode(&mut query, name, true);
                    query.push('=');
                    encode(&mut query, &text, true);
                }
            }
        }
        target.push_str(&query);
        let body = match (body_schema, form) {
            (None, _) => Body::None,
            (Some(schema), false) => {
                self.wire(schema, &mut input);
                Body::Json(input)
            }
            (Some(schema), true) => {
                self.wire(schema, &mut input);
                let mut form = String::new();
                for (key, value) in input.as_object().into_iter().flatten() {
                    if !form.is_empty() {
                        form.push('&');
                    }
                    encode(&mut form, key, true);
                    form.push('=');
                    encode(&mut form, &scalar(value), true);
                }
                Body::Form(form)
            }
        };
        Some(Request {
            operation,
            method: operation.method().to_owned(),
            target,
            body,
        })
    }
}

/// A parameter's or form field's value as text: a string as it is, a number or a boolean as JSON
/// writes it (`120.5`, `true`).
fn scalar(value: &Value) -> String {
    match value {
        Value::String(text) => text.clone(),
        other => other.to_string(),
    }
}

/// Appends `text` to `out`, percent-encoding all but the unreserved characters of RFC 3986; in a
/// query or a form (`form`), a space is `+`, as `application/x-www-form-urlencoded` writes it.
fn encode(out: &mut String, text: &str, form: bool) {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    // Runs of bytes written as they are go in whole (they are ASCII: a run starts and ends on
    // character boundaries).
    let mut plain = 0;
    for (at, byte) in text.bytes().enumerate() {
        if matches!(byte, b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' | b'*') {
            continue;
        }
        out.push_str(text.get(plain..at).unwrap_or_default());
        plain = at + 1;
        if byte == b' ' && form {
            out.push('+');
        } else {
            out.push('%');
            out.push(char::from(HEX[usize::from(byte >> 4)]));
            out.push(char::from(HEX[usize::from(byte & 15)]));
        }
    }
    out.push_str(text.get(plain..).unwrap_or_default());
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn text_is_percent_encoded_byte_by_byte_and_runs_as_they_are() {
        let mut out = String::new();
        encode(&mut out, "é a~b/Z-9", true);
        assert_eq!(out, "%C3%A9+a~b%2FZ-9");
        out.clear();
        encode(&mut out, "a b", false);
        assert_eq!(out, "a%20b");
        out.clear();
        encode(&mut out, "", true);
        assert_eq!(out, "");
    }

    #[test]
    fn parameters_go_in_the_query_as_the_server_reads_them_and_the_rest_is_the_body() {
        let input = json!({
            "RepairSiteId": "s 1/é", "QuoteNumber": "DEV-1", "CallDate": "2026-01-15T10:00:00Z",
            "Consumer": {"LastName": "Nom", "Email": null}, "Quote": {"TotalAmountExclVAT": {"Amount": "120.50", "Currency": "EUR"}}
        });
        let request = Spec::ecologic()
            .request(Operation::CreateSupportRequest, input)
            .expect("an operation of the spec");
        assert_eq!(request.method, "POST");
        assert_eq!(
            request.target,
            "/createsupportrequest?CallDate=2026-01-15T11%3A00%3A00&RepairSiteId=s+1%2F%C3%A9&QuoteNumber=DEV-1"
        );
        assert_eq!(
            request.body,
            Body::Json(json!({
                "Consumer": {"LastName": "Nom"},
                "Quote": {"TotalAmountExclVAT": {"Amount": 120.5, "Currency": "EUR"}}
            })),
            "amounts as numbers, nulls left out, parameters out of the body"
        );
    }

    #[test]
    fn amounts_in_a_query_are_decimal_numbers() {
        let input = json!({"TotalAmountExclVAT": "120.50", "TotalAmountInclVAT": 144.6, "BrandId": "1689", "ProductId": "P"});
        let request = Spec::ecologic()
            .request(Operation::CalculateEcoSupport, input)
            .expect("an operation of the spec");
        assert_eq!(
            request.target,
            "/calculateecosupport?TotalAmountExclVAT=120.5&TotalAmountInclVAT=144.6&BrandId=1689&ProductId=P"
        );
        assert_eq!(request.body, Body::None);
    }

    #[test]
    fn a_form_field_that_is_a_parameter_goes_in_both() {
        let input = json!({"grant_type": "client_credentials", "scope": "/reparateur"});
        let request = Spec::lalux_token()
            .request(Operation::RequestToken, input)
            .expect("an operation of the spec");
        assert_eq!(
            request.target,
            "/token?grant_type=client_credentials&scope=%2Freparateur"
        );
        assert_eq!(
            request.body,
            Body::Form("grant_type=client_credentials&scope=%2Freparateur".into())
        );
        assert_eq!(
            Spec::lalux_token().request(Operation::CreateClaim, json!({})),
            None,
            "another spec's operation"
        );
    }
}
