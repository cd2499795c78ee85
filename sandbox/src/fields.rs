//! Field checks shared by the LALUX and Ecologic behaviours: each check records what is wrong
//! and goes on, so one reply lists every field at fault.

use repair_money::Amount;
use serde_json::Value;

/// Collects `(field, message)` pairs: faults, and, when `lenient`, what a .NET model binder takes
/// though the spec does not (T9: text for a number or a boolean), as deviations.
#[derive(Debug, Default)]
pub struct Checks<'a> {
    body: Option<&'a serde_json::Map<String, Value>>,
    pub errors: Vec<(String, String)>,
    lenient: bool,
    pub deviations: Vec<(String, String)>,
}

impl<'a> Checks<'a> {
    /// Checks of `body`; `lenient`: bind as a .NET server would, reporting it.
    pub fn new(body: &'a Value, lenient: bool) -> Self {
        Self {
            body: body.as_object(),
            errors: Vec::new(),
            lenient,
            deviations: Vec::new(),
        }
    }

    fn deviate(&mut self, field: &str, message: impl Into<String>) {
        self.deviations.push((field.to_owned(), message.into()));
    }

    /// A value given as text where the spec has a number or a boolean: what a .NET binder reads
    /// in it (`"170.50"`, `"false"`, the document's own examples), when lenient.
    fn bound_from_text<T: serde::de::DeserializeOwned>(
        &mut self,
        field: &str,
        what: &str,
    ) -> Option<T> {
        let text = self.get(field)?.as_str()?.trim();
        let json = match text.to_ascii_lowercase().as_str() {
            bool @ ("true" | "false") => Value::Bool(bool == "true"),
            _ => serde_json::from_str::<serde_json::Number>(text)
                .ok()
                .map(Value::Number)?,
        };
        let value = serde_json::from_value(json).ok()?;
        self.deviate(
            field,
            format!(
                "is text (\"{text}\") where the spec has a JSON {what}; a .NET server binds it"
            ),
        );
        Some(value)
    }

    pub fn fail(&mut self, field: &str, message: impl Into<String>) {
        self.errors.push((field.to_owned(), message.into()));
    }

    pub fn get(&self, field: &str) -> Option<&'a Value> {
        self.body
            .and_then(|b| b.get(field))
            .filter(|v| !v.is_null())
    }

    /// A required non-empty string.
    pub fn string(&mut self, field: &str) -> Option<&'a str> {
        match self.get(field) {
            None => self.fail(field, "is required"),
            Some(Value::String(s)) if s.trim().is_empty() => self.fail(field, "must not be empty"),
            Some(Value::String(s)) => return Some(s),
            Some(_) => self.fail(field, "must be a string"),
        }
        None
    }

    /// A required string among `allowed`.
    pub fn one_of(&mut self, field: &str, allowed: &[&str]) -> Option<&'a str> {
        let value = self.string(field)?;
        if allowed.contains(&value) {
            Some(value)
        } else {
            self.fail(field, format!("must be one of {}", allowed.join(", ")));
            None
        }
    }

    /// A required `YYYY-MM-DD` date.
    pub fn date(&mut self, field: &str) -> Option<repair_dates::Day> {
        let value = self.string(field)?;
        let parsed = repair_dates::Day::parse(value);
        if parsed.is_none() {
            self.fail(field, "must be a date YYYY-MM-DD");
        }
        parsed
    }

    /// A required JSON number with at most two decimals (its bounds are the contract's).
    pub fn amount(&mut self, field: &str) -> Option<Amount> {
        match self.get(field) {
            None => self.fail(field, "is required"),
            Some(Value::String(_)) if self.lenient => {
                match self.bound_from_text::<Amount>(field, "number") {
                    Some(amount) => return Some(amount),
                    None => self.fail(field, "must be a JSON number with at most 2 decimals"),
                }
            }
            Some(value @ Value::Number(_)) => match serde_json::from_value::<Amount>(value.clone())
            {
                Ok(amount) => return Some(amount),
                Err(_) => self.fail(field, "must have at most 2 decimals"),
            },
            Some(_) => self.fail(field, "must be a JSON number"),
        }
        None
    }

    /// A required JSON boolean (`"false"` too, when lenient).
    pub fn boolean(&mut self, field: &str) -> Option<bool> {
        match self.get(field) {
            None => self.fail(field, "is required"),
            Some(Value::Bool(b)) => return Some(*b),
            Some(Value::String(_)) if self.lenient => {
                if let Some(b) = self.bound_from_text::<bool>(field, "boolean") {
                    return Some(b);
                }
                self.fail(field, "must be a JSON boolean")
            }
            Some(_) => self.fail(field, "must be a JSON boolean"),
        }
        None
    }

    /// An optional whole number (`"2"` too, when lenient); `Err` when given but not one.
    pub fn whole(&mut self, field: &str) -> Result<Option<u64>, ()> {
        match self.get(field) {
            None => Ok(None),
            Some(Value::String(_)) if self.lenient => self
                .bound_from_text::<u64>(field, "integer")
                .map(Some)
                .ok_or(()),
            Some(value) => value.as_u64().map(Some).ok_or(()),
        }
    }

    /// `ht + tva = ttc` to the cent, for three amount fields.
    pub fn amounts_add_up(&mut self, ht: &str, tva: &str, ttc: &str) {
        let (h, v, t) = (self.amount(ht), self.amount(tva), self.amount(ttc));
        if let (Some(h), Some(v), Some(t)) = (h, v, t)
            && h.checked_add(v) != Some(t)
        {
            self.fail(
                ttc,
                format!(
                    "{ht} + {tva} = {} must equal {ttc} = {t}",
                    h.checked_add(v).unwrap_or_default()
                ),
            );
        }
    }
}
