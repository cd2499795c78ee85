//! Money as integer cents: amounts are never binary floating point inside Rust.

use serde::{Deserialize, Deserializer, Serialize, Serializer, de};
use std::{fmt, str::FromStr};

/// An amount with at most two decimals, held as integer cents.
///
/// On the wire it is a JSON number (`170.5`); it reads numbers, integers and decimal strings
/// (`"170.50"`), and refuses more than two decimals instead of rounding.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Amount {
    cents: i64,
}

/// Why a value is not an amount with at most two decimals.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AmountError(String);

impl fmt::Display for AmountError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "`{}` is not an amount with at most 2 decimals", self.0)
    }
}

impl std::error::Error for AmountError {}

impl Amount {
    /// The amount of `cents` hundredths.
    pub const fn from_cents(cents: i64) -> Self {
        Self { cents }
    }

    /// `units` whole units (a JSON integer), or `None` on overflow.
    pub fn from_units(units: i64) -> Option<Self> {
        units.checked_mul(100).map(Self::from_cents)
    }

    /// The amount a JSON number stands for: its shortest decimal text ([`shortest`]), read
    /// exactly, so a value with more than two decimals is refused rather than rounded.
    pub fn from_number(number: f64) -> Result<Self, AmountError> {
        shortest(number).parse()
    }

    /// The amount in hundredths.
    pub const fn cents(self) -> i64 {
        self.cents
    }

    /// `self + other`, or `None` on overflow.
    pub fn checked_add(self, other: Self) -> Option<Self> {
        self.cents.checked_add(other.cents).map(Self::from_cents)
    }

    /// The VAT on this amount at `rate` percent (`20`, `5.5`, `17`: at most 2 decimals, so an
    /// `Amount` too), rounded to the nearest cent, halves away from zero; `None` on overflow.
    pub fn vat(self, rate: Amount) -> Option<Self> {
        // cents × (rate in hundredths of a percent) / 10 000, in integers.
        let product = i128::from(self.cents) * i128::from(rate.cents);
        let half = if product < 0 { -5_000 } else { 5_000 };
        let cents = (product + half) / 10_000;
        i64::try_from(cents).ok().map(Self::from_cents)
    }
}

impl FromStr for Amount {
    type Err = AmountError;

    /// Parses `-?digits(.d{1,2})?` exactly, without going through floating point.
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let error = || AmountError(text.to_owned());
        let (negative, unsigned) = match text.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, text),
        };
        let (units, fraction) = unsigned.split_once('.').unwrap_or((unsigned, ""));
        let all_digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
        if units.is_empty() || !all_digits(units) || !all_digits(fraction) || fraction.len() > 2 {
            return Err(error());
        }
        if unsigned.ends_with('.') {
            return Err(error());
        }
        let units: i64 = units.parse().map_err(|_| error())?;
        let fraction: i64 = match fraction.len() {
            0 => 0,
            1 => fraction.parse::<i64>().map_err(|_| error())? * 10,
            _ => fraction.parse().map_err(|_| error())?,
        };
        let cents = units
            .checked_mul(100)
            .and_then(|c| c.checked_add(fraction))
            .ok_or_else(error)?;
        Ok(Self::from_cents(if negative { -cents } else { cents }))
    }
}

/// The shortest decimal text that reads back as `number` (`170.5`, `0.30000000000000004`),
/// integers without a fraction (`12`), the rest as `zmij` (serde_json's printer) writes it (`1e-7`, `NaN`). Not `core`'s
/// float formatting, which would double the client's formatting code in wasm.
pub fn shortest(number: f64) -> String {
    // Integers below 2^63 print as such; `as` is exact for them.
    if number.fract() == 0.0 && number.abs() < 9.2e18 {
        return (number as i64).to_string();
    }
    zmij::Buffer::new().format(number).to_owned()
}

/// `text`, a decimal number (`12.345`, `-0.005`, `7`), rounded to the cent, halves away from
/// zero (`12.35`, `-0.01`, `7.00`), exactly; `None` for anything else or above 10^15.
pub fn to_the_cent(text: &str) -> Option<String> {
    let (negative, unsigned) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text.strip_prefix('+').unwrap_or(text)),
    };
    let (units, fraction) = unsigned.split_once('.').unwrap_or((unsigned, ""));
    let digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    if units.is_empty() || units.len() > 15 || !digits(units) || !digits(fraction) {
        return None;
    }
    let mut cents: i64 = units.parse().ok()?;
    let mut decimals = fraction.bytes().map(|b| i64::from(b - b'0'));
    for _ in 0..2 {
        cents = cents * 10 + decimals.next().unwrap_or(0);
    }
    if decimals.next().is_some_and(|d| d >= 5) {
        cents += 1;
    }
    let rounded = Amount::from_cents(if negative { -cents } else { cents });
    Some(rounded.to_string())
}

impl fmt::Display for Amount {
    /// `1170.50`, `-0.05`: always two decimals.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sign = if self.cents < 0 { "-" } else { "" };
        let abs = self.cents.unsigned_abs();
        write!(f, "{sign}{}.{:02}", abs / 100, abs % 100)
    }
}

impl Serialize for Amount {
    /// A JSON number. The decimal text is handed to the serializer as the `f64` nearest to it,
    /// which JSON encoders print back as the same shortest decimal (`1170.5`).
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        // Both are exact in an f64 (below 2^53 cents), and a division is correctly rounded.
        serializer.serialize_f64(self.cents as f64 / 100.0)
    }
}

impl<'de> Deserialize<'de> for Amount {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(AmountVisitor)
    }
}

struct AmountVisitor;

impl de::Visitor<'_> for AmountVisitor {
    type Value = Amount;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an amount with at most 2 decimals, as a number or a decimal string")
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Amount, E> {
        Amount::from_units(v).ok_or_else(|| E::custom(AmountError(v.to_string())))
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Amount, E> {
        i64::try_from(v)
            .map_err(|_| E::custom(AmountError(v.to_string())))
            .and_then(|v| self.visit_i64(v))
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Amount, E> {
        Amount::from_number(v).map_err(E::custom)
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Amount, E> {
        v.trim().parse().map_err(E::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::Amount;

    #[test]
    fn parses_exact_decimals() {
        assert_eq!("1170.50".parse(), Ok(Amount::from_cents(117_050)));
        assert_eq!("170.5".parse(), Ok(Amount::from_cents(17_050)));
        assert_eq!("-0.05".parse(), Ok(Amount::from_cents(-5)));
        assert_eq!("1000".parse(), Ok(Amount::from_cents(100_000)));
        for bad in [
            "",
            "-",
            "1.",
            ".5",
            "1.234",
            "1,5",
            "1e3",
            "abc",
            "99999999999999999999",
        ] {
            assert!(bad.parse::<Amount>().is_err(), "{bad} should be refused");
        }
    }

    #[test]
    fn vat_is_rounded_to_the_cent_against_a_decimal_oracle() {
        let amount = |t: &str| t.parse::<Amount>().unwrap();
        assert_eq!(amount("1000").vat(amount("17")), Some(amount("170.00")));
        assert_eq!(amount("99.99").vat(amount("20")), Some(amount("20.00")));
        assert_eq!(
            amount("0.05").vat(amount("10")),
            Some(amount("0.01")),
            "0.005 rounds up"
        );
        assert_eq!(amount("0.04").vat(amount("10")), Some(amount("0.00")));
        assert_eq!(
            amount("123.45").vat(amount("5.5")),
            Some(amount("6.79")),
            "6.78975"
        );
        assert_eq!(amount("-10.05").vat(amount("10")), Some(amount("-1.01")));
        // Every amount up to 100 € at the French and Luxembourg rates, against integer arithmetic
        // done the long way (thousandths of a cent).
        for cents in 0..10_000i64 {
            for rate in [550i64, 1000, 1700, 2000] {
                let exact_thousandths = cents * rate / 10; // × rate / 10 000 × 1 000
                let rounded = (exact_thousandths + 500) / 1000;
                assert_eq!(
                    Amount::from_cents(cents).vat(Amount::from_cents(rate)),
                    Some(Amount::from_cents(rounded))
                );
            }
        }
    }

    #[test]
    fn json_round_trip_keeps_cents() {
        let amount: Amount = serde_json::from_str("1170.5").unwrap();
        assert_eq!(amount.cents(), 117_050);
        assert_eq!(serde_json::to_string(&amount).unwrap(), "1170.5");
        assert_eq!(amount.to_string(), "1170.50");
        assert!(serde_json::from_str::<Amount>("0.30000000000000004").is_err());
        assert_eq!(
            serde_json::from_str::<Amount>("\"170.50\"")
                .unwrap()
                .cents(),
            17_050
        );
        assert_eq!(serde_json::from_str::<Amount>("12").unwrap().cents(), 1_200);
        assert!(serde_json::from_str::<Amount>("1e-7").is_err());
        // Every cent up to 1 000 €: printed back as the same shortest decimal.
        for cents in -100_000..100_000 {
            let text = serde_json::to_string(&Amount::from_cents(cents)).unwrap();
            assert_eq!(
                serde_json::from_str::<Amount>(&text).unwrap().cents(),
                cents,
                "{text}"
            );
        }
    }

    #[test]
    fn shortest_text_reads_back_as_the_number() {
        use super::shortest;
        assert_eq!(shortest(12.0), "12");
        assert_eq!(shortest(-0.0), "0");
        assert_eq!(shortest(170.5), "170.5");
        assert_eq!(shortest(0.1 + 0.2), "0.30000000000000004");
        assert_eq!(shortest(1e16), "10000000000000000");
        assert_eq!(shortest(f64::NAN), "NaN");
        for n in [1e-7, 123456.789, -98.765, 1e300, 5e-324] {
            assert_eq!(shortest(n).parse::<f64>().unwrap(), n, "{n}");
        }
    }

    #[test]
    fn to_the_cent_rounds_the_decimal_text_halves_away_from_zero() {
        use super::to_the_cent;
        let cases = [
            ("12.345", "12.35"),
            ("12.344999", "12.34"),
            ("-0.005", "-0.01"),
            ("1000.001", "1000.00"),
            ("56.999", "57.00"),
            ("7", "7.00"),
            ("+3.1", "3.10"),
        ];
        for (given, rounded) in cases {
            assert_eq!(to_the_cent(given).as_deref(), Some(rounded), "{given}");
        }
        for bad in ["", "1e-7", "abc", "1.2.3", "1000000000000000.5", ".5"] {
            assert_eq!(to_the_cent(bad), None, "{bad}");
        }
    }
}
