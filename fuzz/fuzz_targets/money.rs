//! Money: parsing and formatting round-trip, numbers as a caller's JSON gives them, the sum rule
//! and the VAT, each against a decimal oracle in i128 written here.
#![no_main]

use libfuzzer_sys::fuzz_target;
use repair_money::Amount;

/// `-?digits(.d{1,2})?` as cents, in i128, or None.
fn oracle(text: &str) -> Option<i128> {
    let (negative, unsigned) = text
        .strip_prefix('-')
        .map_or((false, text), |rest| (true, rest));
    let (units, fraction) = unsigned.split_once('.').unwrap_or((unsigned, ""));
    let digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    if units.is_empty()
        || !digits(units)
        || !digits(fraction)
        || fraction.len() > 2
        || unsigned.ends_with('.')
    {
        return None;
    }
    let mut cents: i128 = 0;
    for b in units.bytes() {
        cents = cents.checked_mul(10)?.checked_add(i128::from(b - b'0'))?;
    }
    let mut fraction_cents: i128 = 0;
    for (i, b) in fraction.bytes().enumerate() {
        fraction_cents += i128::from(b - b'0') * if i == 0 { 10 } else { 1 };
    }
    let cents = cents.checked_mul(100)?.checked_add(fraction_cents)?;
    Some(if negative { -cents } else { cents })
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    // Parsing: exactly what the oracle accepts (within i64 cents), the same value, and back.
    let parsed = text.parse::<Amount>();
    match (oracle(text).filter(|c| i64::try_from(*c).is_ok()), &parsed) {
        (Some(cents), Ok(amount)) => {
            assert_eq!(i128::from(amount.cents()), cents, "{text}");
            assert_eq!(
                amount.to_string().parse::<Amount>().as_ref(),
                Ok(amount),
                "{text}"
            );
        }
        (None, Err(_)) => {}
        (expected, got) => panic!("{text:?}: oracle {expected:?}, parsed {got:?}"),
    }
    // Numbers as JSON gives them (a caller's `170.5`, `0.57 * 100`): never rounded; accepted
    // only when their shortest decimal text has at most 2 decimals. That text reads back as the
    // number; where two texts are as short, it is the one JavaScript prints (the even last digit:
    // 922337368547758.25 is `…758.2`, where `core` prints `…758.3`).
    if let Ok(number) = text.parse::<f64>() {
        if number.is_finite() && number.abs() < 1e15 {
            let shortest = repair_money::shortest(number);
            assert_eq!(shortest.parse::<f64>().ok(), Some(number), "{number}");
            let json = serde_json::Value::from(number);
            let from_json = serde_json::from_value::<Amount>(json);
            match oracle(&shortest) {
                Some(cents) => assert_eq!(
                    from_json.map(|a| i128::from(a.cents())).ok(),
                    Some(cents),
                    "{number}"
                ),
                None => assert!(from_json.is_err(), "{number} has more than 2 decimals"),
            }
        }
    }
    // The sum rule and the VAT: two amounts, `a,b`.
    let Some((Ok(a), Ok(b))) = text
        .split_once(',')
        .map(|(l, r)| (l.parse::<Amount>(), r.parse::<Amount>()))
    else {
        return;
    };
    let sum = i128::from(a.cents()) + i128::from(b.cents());
    match a.checked_add(b) {
        Some(total) => assert_eq!(i128::from(total.cents()), sum),
        None => assert!(i64::try_from(sum).is_err()),
    }
    // VAT at rate b percent, rounded half away from zero, against an oracle that rounds by
    // comparing the remainder with a half.
    let product = i128::from(a.cents()) * i128::from(b.cents());
    let (quotient, remainder) = (product / 10_000, product % 10_000);
    let rounded = if remainder.abs() * 2 >= 10_000 {
        quotient + product.signum()
    } else {
        quotient
    };
    match a.vat(b) {
        Some(vat) => assert_eq!(i128::from(vat.cents()), rounded),
        None => assert!(i64::try_from(rounded).is_err()),
    }
});
