//! The specs as Rust data: what `build.rs` writes each spec as (`$OUT_DIR/model.rs`), one
//! `static` per component schema and per spec, which the checks and the request writer walk.
//! Nothing is parsed at load; a keyword the build does not model fails the build.

use super::Operation;
use serde_json::Value;

/// A schema of a spec, with the keywords the client reads.
pub struct Schema {
    /// `$ref`: its text and the schema it points at (the other keywords are then unset).
    pub reference: Option<(&'static str, &'static Schema)>,
    pub ty: Option<&'static str>,
    pub format: Option<&'static str>,
    /// `enum`.
    pub options: Option<&'static [Constant]>,
    pub nullable: bool,
    pub one_of: Option<&'static [Schema]>,
    pub all_of: Option<&'static [Schema]>,
    /// By name, sorted.
    pub properties: Option<&'static [(&'static str, Schema)]>,
    pub required: &'static [&'static str],
    pub items: Option<&'static Schema>,
    pub min_length: Option<u64>,
    pub max_length: Option<u64>,
    /// As the spec writes the number (an amount's bound is read exactly from its text).
    pub minimum: Option<&'static str>,
    pub maximum: Option<&'static str>,
    pub pattern: Option<&'static str>,
    /// `x-hint`: which advice a pattern's fault gives.
    pub hint: Option<&'static str>,
    /// `x-max-bytes`: a file's limit in bytes.
    pub max_bytes: Option<u64>,
}

impl Schema {
    /// A schema without any keyword.
    pub const EMPTY: Schema = Schema {
        reference: None,
        ty: None,
        format: None,
        options: None,
        nullable: false,
        one_of: None,
        all_of: None,
        properties: None,
        required: &[],
        items: None,
        min_length: None,
        max_length: None,
        minimum: None,
        maximum: None,
        pattern: None,
        hint: None,
        max_bytes: None,
    };

    /// The schema itself, or what its `$ref` (and theirs) point at.
    pub fn resolved(&self) -> &Schema {
        let mut schema = self;
        // Specs are trees of finite depth; a few hops resolve any chain of `$ref`.
        for _ in 0..8 {
            match schema.reference {
                Some((_, target)) => schema = target,
                None => break,
            }
        }
        schema
    }

    /// Its `$ref`, if it is one.
    pub fn reference(&self) -> Option<&'static str> {
        self.reference.map(|(text, _)| text)
    }

    /// Its property `name` (not those of its `allOf` parts).
    pub fn property(&self, name: &str) -> Option<&Schema> {
        let properties = self.properties?;
        let at = properties.binary_search_by(|(key, _)| (*key).cmp(name)).ok()?;
        properties.get(at).map(|(_, schema)| schema)
    }
}

/// A value of an `enum`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Constant {
    Null,
    Integer(i64),
    Text(&'static str),
}

impl Constant {
    /// Whether `value` is this one.
    pub fn is(self, value: &Value) -> bool {
        match self {
            Constant::Null => value.is_null(),
            Constant::Integer(n) => value.as_i64() == Some(n),
            Constant::Text(text) => value.as_str() == Some(text),
        }
    }

    /// As a message lists it: `EUR`, `44`, `null`.
    pub fn text(self) -> String {
        match self {
            Constant::Null => "null".to_owned(),
            Constant::Integer(n) => n.to_string(),
            Constant::Text(text) => text.to_owned(),
        }
    }
}

/// One API's spec.
pub struct Spec {
    pub operations: &'static [Described],
}

/// An operation of a spec, as its calls read it.
pub struct Described {
    pub operation: Operation,
    pub params: &'static [Param],
    /// Its request body's schema, and whether it is a form (else JSON).
    pub body: Option<(&'static Schema, bool)>,
    /// Its replies by status (`None`: `default`), each with the schema of its JSON body if it
    /// documents one.
    pub responses: &'static [(Option<u16>, Option<&'static Schema>)],
    /// `x-secret-replies`: its replies hold a secret (a token), so no error ever carries one.
    pub secret_replies: bool,
    /// `x-one-of-required`: parameters of which the input must give one.
    pub one_of_required: &'static [&'static str],
}

/// A parameter of an operation.
pub struct Param {
    pub name: &'static str,
    pub schema: &'static Schema,
    pub required: bool,
    /// In the path (else in the query).
    pub in_path: bool,
    /// `x-not-sent`: an input the client checks but never sends (its wire name is unknown).
    pub sent: bool,
    /// `x-client-default`: what the client fills it with when the input leaves it out.
    pub fill: Option<Fill>,
}

/// What a parameter left out is filled with (`x-client-default`).
pub enum Fill {
    /// A value.
    Constant(Constant),
    /// `$now`: the Paris wall clock of the check.
    Now,
    /// `$Name`: parameter `Name`'s value.
    Copy(&'static str),
}

include!(concat!(env!("OUT_DIR"), "/model.rs"));
