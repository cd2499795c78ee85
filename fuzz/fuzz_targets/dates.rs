//! Dates: every text `When` reads gives a valid day that prints and reads back; and the Paris
//! wall-clock time of an instant from 1900 to 2200, against an oracle written here
//! (days counted year by year, the EU summer-time rule from its definition).
#![no_main]

use libfuzzer_sys::fuzz_target;
use repair_dates::{Day, WallClock, When};

/// Days in `month` of `year`, Gregorian.
fn month_length(year: i64, month: u32) -> i64 {
    let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    [
        31,
        if leap { 29 } else { 28 },
        31,
        30,
        31,
        30,
        31,
        31,
        30,
        31,
        30,
        31,
    ][month as usize - 1]
}

/// The civil day `days` after 1970-01-01, counted month by month.
fn civil(mut days: i64) -> (i64, u32, i64) {
    let mut year = 1970;
    let year_length = |y: i64| (1..=12).map(|m| month_length(y, m)).sum::<i64>();
    while days < 0 {
        year -= 1;
        days += year_length(year);
    }
    while days >= year_length(year) {
        days -= year_length(year);
        year += 1;
    }
    let mut month = 1;
    while days >= month_length(year, month) {
        days -= month_length(year, month);
        month += 1;
    }
    (year, month, days + 1)
}

/// Days since the epoch of `year-month-day`, counted the same way.
fn days_of(year: i64, month: u32, day: i64) -> i64 {
    let mut days = 0;
    let year_length = |y: i64| (1..=12).map(|m| month_length(y, m)).sum::<i64>();
    if year >= 1970 {
        days += (1970..year).map(year_length).sum::<i64>();
    } else {
        days -= (year..1970).map(year_length).sum::<i64>();
    }
    days + (1..month).map(|m| month_length(year, m)).sum::<i64>() + day - 1
}

/// Paris offset in minutes at `ms`: summer time from the last Sunday of March 01:00 UTC to the
/// last Sunday of October 01:00 UTC.
fn offset(ms: i64) -> i64 {
    let (year, _, _) = civil(ms.div_euclid(86_400_000));
    let last_sunday = |month: u32| {
        let last = days_of(year, month, month_length(year, month));
        (last - (last + 4).rem_euclid(7)) * 86_400_000 + 3_600_000
    };
    if ms >= last_sunday(3) && ms < last_sunday(10) {
        120
    } else {
        60
    }
}

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        if let Some(when) = When::parse(text) {
            let day = when.day();
            assert_eq!(Day::new(day.year, day.month, day.day), Some(day), "{text}");
            assert_eq!(Day::parse(&day.to_string()), Some(day));
            let wall = when.wall_clock();
            assert!(wall.seconds < 86_400);
            assert_eq!(
                When::parse(&wall.to_string()).map(When::wall_clock),
                Some(wall),
                "{text}"
            );
        }
        if let Some(day) = Day::parse(text) {
            assert_eq!(Day::from_days_since_epoch(day.days_since_epoch()), day);
        }
    }
    // An instant from 1900 to 2200 (the oracle counts year by year), from the first 8 bytes.
    let Some(bytes) = data.get(..8) else { return };
    let raw = i64::from_le_bytes(bytes.try_into().unwrap_or_default());
    let ms = raw.rem_euclid(300 * 31_556_952_000) - 2_208_988_800_000;
    let wall = WallClock::paris(ms);
    let local = ms + offset(ms) * 60_000;
    let (year, month, day) = civil(local.div_euclid(86_400_000));
    assert_eq!(
        (
            i64::from(wall.day.year),
            u32::from(wall.day.month),
            i64::from(wall.day.day),
            i64::from(wall.seconds)
        ),
        (year, month, day, local.rem_euclid(86_400_000) / 1000),
        "{ms}"
    );
});
