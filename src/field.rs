//! One field at fault: its wire name, a stable machine `code` with its parameters, and an English
//! message; `formatFieldError` words it in French from the code, so a French portal never mixes
//! languages (Ecologic's own messages are French already).

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use tsify::Tsify;
use wasm_bindgen::prelude::*;

#[wasm_bindgen(typescript_custom_section)]
const TS_FIELD: &str = r#"
/** The parameters of a code, by name; each code sets the ones it needs. */
export interface FieldErrorParams {
  /** `enum`, `irisSymptom`, `repairCode`, `unknownOption`: the values allowed. */
  allowed?: string[];
  /** `type`: `string`, `number`, `integer`, `boolean`, `object`, `array`; `format`: `date`, `dateTime`, `bytes`. */
  expected?: string;
  /** `tooShort`, `tooSmall`: the least allowed; `tooLong`, `tooBig`: the most. */
  min?: number | string;
  max?: number | string;
  /** `fileTooBig`: the file's size and the limit, in bytes. */
  size?: number;
  limit?: number;
  /** What was given, where it helps (`decimals`: `"170,50"`; `unknownBrand`: the id). */
  given?: string;
  /** `decimals`: the amount rounded to the cent. */
  rounded?: string;
  /** `unknownField`: the field probably meant. */
  suggestion?: string;
  /** `pattern`: what the shape is (`countryCode`, `zipFrance`, `fileNameWithoutExtension`, `fileNameWithExtension`, `email`, `phone`, `noControlCharacters`). */
  hint?: string;
  /** `sum`: the three fields and the sum; `inclBelowExcl`: `ht` and `ttc`. */
  ht?: string;
  tva?: string;
  ttc?: string;
  sum?: string;
  /** `eligibility`, `irisSymptom`, `repairCode`: the product; `eligibility`: its window and the day. */
  product?: string;
  start?: string;
  end?: string;
  day?: string;
  /** `futureDate`: the `day` given and the last allowed (`max`, today in France). */
  /** `required`: `unless: 'headers'` when a headers callback may stand in for it. */
  unless?: string;
  /** `setByWorkflow`: the file whose upload sets it; `together`, `exclusive`: the other field; `invoiceUsed`: the claim holding the invoice. */
  file?: string;
  other?: string;
}
/** One field at fault, named as on the wire (`Consumer.Zip`, `files[1].FileExtension`). */
export interface InvalidField {
  field: string;
  code: FieldErrorCode;
  /** In English; `formatFieldError(error, 'fr')` gives it in French. */
  message: string;
  params?: FieldErrorParams;
}
/** The message of a field error in `locale` (`'fr'` or `'en'`), built from its code and parameters. */
export function formatFieldError(error: InvalidField, locale: 'fr' | 'en'): string;
"#;

/// What is wrong with a field, stable across versions: a portal shows its own words for it, or
/// `formatFieldError`'s.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, Tsify)]
#[serde(rename_all = "camelCase")]
pub enum FieldErrorCode {
    Required,
    NotNull,
    Type,
    Enum,
    Format,
    Pattern,
    TooShort,
    TooLong,
    TooSmall,
    TooBig,
    Empty,
    FileTooBig,
    Decimals,
    Sum,
    InclBelowExcl,
    FutureDate,
    InvoiceUsed,
    UnknownField,
    Unreadable,
    Id,
    DaysRequired,
    DaysNotAllowed,
    BrandName,
    UnknownBrand,
    UnknownProduct,
    Eligibility,
    IrisSymptom,
    RepairCode,
    AutoValidation,
    SetByWorkflow,
    Together,
    Exclusive,
    /// A secret given to a client running in a browser.
    SecretInBrowser,
    Url,
    HeaderValue,
    UnknownOption,
    Option,
    Refused,
    Invalid,
}

/// The short name the rules use.
pub type Code = FieldErrorCode;

/// One field at fault, by wire name.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FieldError {
    pub field: String,
    pub code: Code,
    pub message: String,
    #[serde(default, skip_serializing_if = "Map::is_empty")]
    pub params: Map<String, Value>,
}

impl FieldError {
    /// `field` breaks `code`; `message` says it in English.
    pub fn new(field: impl Into<String>, code: Code, message: impl Into<String>) -> Self {
        Self {
            field: field.into(),
            code,
            message: message.into(),
            params: Map::new(),
        }
    }

    /// `field` is required.
    pub fn required(field: impl Into<String>) -> Self {
        Self::new(field, Code::Required, "is required")
    }

    /// Adds parameter `name` (see `FieldErrorParams`).
    pub fn with(mut self, name: &str, value: impl Into<Value>) -> Self {
        self.params.insert(name.to_owned(), value.into());
        self
    }

    fn param(&self, name: &str) -> String {
        match self.params.get(name) {
            Some(Value::String(text)) => text.clone(),
            Some(Value::Array(items)) => items
                .iter()
                .map(|i| i.as_str().map_or_else(|| i.to_string(), str::to_owned))
                .collect::<Vec<_>>()
                .join(", "),
            Some(other) => other.to_string(),
            None => String::new(),
        }
    }

    /// The message in French, from the code and its parameters.
    pub fn french(&self) -> String {
        let p = |name: &str| self.param(name);
        match self.code {
            Code::Required => match (p("unless").as_str(), p("other").as_str(), p("hint").as_str()) {
                ("headers", "", _) => "est obligatoire, sauf si un callback headers est donné".to_owned(),
                ("headers", other, _) => format!("est obligatoire (avec {other}), sauf si un callback headers est donné"),
                ("", other, _) if !other.is_empty() => format!("est obligatoire (ou {other})"),
                (_, _, "expertLogin") => "est obligatoire pour les appels expert (avec password) : les experts se connectent à /authen (L4)".to_owned(),
                _ => "est obligatoire".to_owned(),
            },
            Code::NotNull => "ne peut pas être null".to_owned(),
            Code::Type => format!("doit être {}", french_kind(&p("expected"))),
            Code::Enum => format!("doit être l'une des valeurs : {}", p("allowed")),
            Code::Format => match p("expected").as_str() {
                "date" => "doit être une date AAAA-MM-JJ (ou un Date)".to_owned(),
                "dateTime" => "doit être une date AAAA-MM-JJ, une date et heure AAAA-MM-JJTHH:MM:SS (heure de Paris) ou avec un décalage, ou un Date".to_owned(),
                _ => "doit être un fichier (Uint8Array, ArrayBuffer, Blob ou File)".to_owned(),
            },
            Code::Pattern => match p("hint").as_str() {
                "countryCode" => format!(
                    "doit être le code pays ISO 3166 à 3 chiffres : 250 pour la France{}",
                    if p("given").eq_ignore_ascii_case("fr") { " (et non FR)" } else { "" }
                ),
                "zipFrance" => "doit être un code postal français à 5 chiffres".to_owned(),
                "fileNameWithoutExtension" => "doit être le nom du fichier sans son extension (l'extension va dans FileExtension)".to_owned(),
                "email" => "doit être une adresse e-mail (ou rester vide)".to_owned(),
                "fileNameWithExtension" => "doit être un nom de fichier avec son extension (facture.pdf), sans dossier".to_owned(),
                "phone" => "doit être un numéro de téléphone : des chiffres, espaces, points, tirets, barres obliques, parenthèses et un + au début".to_owned(),
                "noControlCharacters" => "ne doit pas contenir de caractères de contrôle (retours à la ligne, tabulations…)".to_owned(),
                _ => "n'a pas la forme attendue".to_owned(),
            },
            Code::TooShort if p("min") == "1" => "ne doit pas être vide".to_owned(),
            Code::TooShort => format!("doit avoir au moins {} caractères", p("min")),
            Code::TooLong => format!("doit avoir au plus {} caractères", p("max")),
            Code::TooSmall => format!("doit valoir au moins {}", p("min")),
            Code::TooBig => format!("doit valoir au plus {}", p("max")),
            Code::Empty => "est vide".to_owned(),
            Code::FileTooBig => format!(
                "fait {} octets ; la limite est de {} octets",
                group(&p("size")),
                group(&p("limit"))
            ),
            Code::Decimals => {
                let given = p("given");
                let advice = if given.contains(',') {
                    format!(" : « {given} » s'écrit avec un point décimal, {}", given.replace(',', "."))
                } else if self.params.contains_key("rounded") {
                    format!(" : {given} a plus de 2 décimales, arrondi au centime {}", p("rounded"))
                } else {
                    String::new()
                };
                format!("doit être un montant avec au plus 2 décimales{advice}")
            }
            Code::Sum => format!(
                "doit valoir {} + {} = {} au centime près (reçu {})",
                p("ht"),
                p("tva"),
                p("sum"),
                p("given")
            ),
            Code::InclBelowExcl => format!(
                "ne peut être inférieur au montant HT ({} TTC pour {} HT)",
                p("ttc"),
                p("ht")
            ),
            Code::FutureDate => format!(
                "ne peut pas être postérieure à aujourd'hui en France ({} après le {})",
                p("day"),
                p("max")
            ),
            Code::InvoiceUsed => format!(
                "« {} » est déjà le numéro de facture de la demande de remboursement {} : Ecologic refuse un numéro de facture utilisé deux fois",
                p("given"),
                p("other")
            ),
            Code::UnknownField if self.params.contains_key("suggestion") => {
                format!("n'est pas un champ ici ; vouliez-vous dire `{}` ?", p("suggestion"))
            }
            Code::UnknownField => "n'est pas un champ ici".to_owned(),
            Code::Unreadable => "n'a pas pu être lu".to_owned(),
            Code::Id => "doit être un entier positif (un id renvoyé par Ecologic)".to_owned(),
            Code::DaysRequired => "est obligatoire quand typeFacture vaut VHR (jours de véhicule de remplacement facturés, au moins 1)".to_owned(),
            Code::DaysNotAllowed => "est réservé à typeFacture VHR ; à omettre pour REP".to_owned(),
            Code::BrandName => "est obligatoire quand BrandId vaut \"0\" (marque absente du référentiel)".to_owned(),
            Code::UnknownBrand => format!(
                "`{}` n'est pas une marque du référentiel (brands()) ; utilisez \"0\" avec BrandName pour une marque absente",
                p("given")
            ),
            Code::UnknownProduct => format!(
                "`{}` n'est pas un type de produit du référentiel (productTypes())",
                p("given")
            ),
            Code::Eligibility => format!(
                "{} est éligible au soutien du {} au {}, pas le {}",
                p("product"),
                p("start"),
                p("end"),
                p("day")
            ),
            Code::IrisSymptom => format!(
                "`{}` n'est pas un code symptôme IRIS de {} (codes : {})",
                p("given"),
                p("product"),
                p("allowed")
            ),
            Code::RepairCode => format!(
                "`{}` n'est pas un code panne IRIS de {} (codes : {})",
                p("given"),
                p("product"),
                p("allowed")
            ),
            Code::AutoValidation => "doit valoir true ou être omis : depuis la version 1.3 seul le mode hors ligne (attestation) existe ; joignez la preuve du consommateur (CONSUMERVALIDATION) à la demande de remboursement".to_owned(),
            Code::SetByWorkflow => format!("est rempli par settle à partir du téléversement de {}", p("file")),
            Code::Together => format!("va avec {}", p("other")),
            Code::Exclusive if self.field == "headers" => format!(
                "donnez {} ou un callback headers, pas les deux",
                if p("other") == "apiKey" { "apiKey" } else { "des identifiants" }
            ),
            Code::Exclusive => format!("ne peut pas être donné avec {}", p("other")),
            Code::SecretInBrowser => "est un secret : un navigateur ne doit jamais le recevoir ; passez par la passerelle (option gateway, repair-claims/server), ou donnez dangerouslyAllowBrowser: true en connaissance de cause".to_owned(),
            Code::Url => "doit être une URL http(s)".to_owned(),
            Code::HeaderValue => "contient des caractères qu'un en-tête HTTP ne peut pas porter".to_owned(),
            Code::UnknownOption => format!("n'est pas une option (options : {})", p("allowed")),
            Code::Option => {
                let got = match p("given") {
                    given if given.is_empty() => String::new(),
                    given => format!(" (reçu {given})"),
                };
                let has = |name: &str| self.params.contains_key(name);
                let what = match p("expected").as_str() {
                    _ if has("min") && has("max") => format!("doit être un nombre entier de {} à {}", p("min"), p("max")),
                    _ if has("max") => format!("doit valoir au plus {}", p("max")),
                    _ if has("allowed") => format!("doit être l'une des valeurs : {}", p("allowed")),
                    "AbortSignal" => "doit être un AbortSignal".to_owned(),
                    "function" => "doit être une fonction".to_owned(),
                    "milliseconds" => "doit être un nombre entier de millisecondes".to_owned(),
                    "wholeNumber" => "doit être un nombre entier, 0 ou plus".to_owned(),
                    _ => "n'est pas une valeur permise".to_owned(),
                };
                format!("{what}{got}")
            }
            Code::Refused | Code::Invalid => self.message.clone(),
        }
    }
}

/// A JSON type, in French.
fn french_kind(kind: &str) -> &'static str {
    match kind {
        "string" => "un texte",
        "number" => "un nombre fini",
        "integer" => "un nombre entier",
        "boolean" => "true ou false",
        "object" => "un objet",
        "array" => "un tableau",
        _ => "un texte, un nombre, un booléen, une date, des octets, un tableau ou un objet",
    }
}

/// `5242880` → `5 242 880`, as the documents write sizes.
pub fn group(digits: &str) -> String {
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(' ');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::{Code, FieldError};

    #[test]
    fn every_code_has_french_words() {
        use super::FieldErrorCode::*;
        let codes = [
            Required,
            NotNull,
            Type,
            Enum,
            Format,
            Pattern,
            TooShort,
            TooLong,
            TooSmall,
            TooBig,
            Empty,
            FileTooBig,
            Decimals,
            Sum,
            InclBelowExcl,
            FutureDate,
            InvoiceUsed,
            UnknownField,
            Unreadable,
            Id,
            DaysRequired,
            DaysNotAllowed,
            BrandName,
            UnknownBrand,
            UnknownProduct,
            Eligibility,
            IrisSymptom,
            RepairCode,
            AutoValidation,
            SetByWorkflow,
            Together,
            Exclusive,
            SecretInBrowser,
            Url,
            HeaderValue,
            UnknownOption,
            Option,
        ];
        for code in codes {
            let error = FieldError::new("field", code, "must be English")
                .with("expected", "string")
                .with("min", 2)
                .with("given", "x");
            let french = error.french();
            assert!(
                !french.is_empty() && !french.contains("must"),
                "{code:?}: {french}"
            );
        }
        let refused = FieldError::new("f", Code::Refused, "LALUX's own words");
        assert_eq!(
            refused.french(),
            "LALUX's own words",
            "the server's message as it came"
        );
    }
}
