//! Calendar days and wall-clock times as the two APIs mean them: French (Europe/Paris; Luxembourg
//! keeps the same clock) whatever the time zone of the machine, without a calendar crate.
//!
//! Both documents date things in local time: Ecologic's date-times carry no UTC offset and the
//! public integrations send Paris wall-clock time (`2024-05-02T00:30:00`) or a day alone
//! (`2024-05-02`); LALUX sends days (`YYYY-MM-DD`). [`When`] reads every form a caller or a
//! client may send and gives the French calendar day or wall-clock time it stands for: a day and
//! a wall-clock time are taken as they are written, an instant (with `Z` or an offset) is
//! converted to Paris time, so a repair that ended at 00:30 on 2 May in Paris is on 2 May
//! whatever the offset it was written with.
//!
//! Paris time is CET (UTC+1), and CEST (UTC+2) from the last Sunday of March to the last Sunday of
//! October, changing at 01:00 UTC: the EU rule in force since 1996, older than every date these
//! APIs accept.

use std::fmt;

/// A calendar day.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Day {
    pub year: i32,
    pub month: u8,
    pub day: u8,
}

/// A wall-clock time in Paris, to the second.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct WallClock {
    pub day: Day,
    /// Seconds since midnight.
    pub seconds: u32,
}

/// What a date or date-time text stands for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum When {
    /// `YYYY-MM-DD`: a calendar day.
    Day(Day),
    /// `YYYY-MM-DDTHH:MM[:SS[.fff]]` without offset: a wall-clock time, taken as Paris time.
    Local(WallClock),
    /// With `Z` or `±HH:MM`: an instant, in Unix epoch milliseconds.
    Instant(i64),
}

const DAY_MS: i64 = 86_400_000;

impl Day {
    /// A valid day, or `None` (month 13, 30 February…).
    pub fn new(year: i32, month: u8, day: u8) -> Option<Self> {
        let valid = (1..=12).contains(&month) && day >= 1 && day <= days_in_month(year, month);
        valid.then_some(Self { year, month, day })
    }

    /// Parses exactly `YYYY-MM-DD`.
    pub fn parse(text: &str) -> Option<Self> {
        let b = text.as_bytes();
        if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
            return None;
        }
        Self::new(
            digits(&b[..4])? as i32,
            digits(&b[5..7])? as u8,
            digits(&b[8..10])? as u8,
        )
    }

    /// Days since 1970-01-01 (negative before).
    pub fn days_since_epoch(self) -> i64 {
        days_from_civil(self.year.into(), self.month.into(), self.day.into())
    }

    /// The day `days` after 1970-01-01.
    pub fn from_days_since_epoch(days: i64) -> Self {
        let (year, month, day) = civil_from_days(days);
        Self {
            year: year as i32,
            month: month as u8,
            day: day as u8,
        }
    }
}

impl WallClock {
    /// Midnight of `day`.
    pub fn midnight(day: Day) -> Self {
        Self { day, seconds: 0 }
    }

    /// The Paris wall-clock time at instant `epoch_ms`.
    pub fn paris(epoch_ms: i64) -> Self {
        let local_ms = epoch_ms + i64::from(paris_offset_minutes(epoch_ms)) * 60_000;
        let days = local_ms.div_euclid(DAY_MS);
        Self {
            day: Day::from_days_since_epoch(days),
            seconds: (local_ms.rem_euclid(DAY_MS) / 1000) as u32,
        }
    }

    /// The instant this Paris wall-clock time stands for (at a change of clock, the earlier one).
    pub fn epoch_ms(self) -> i64 {
        let as_utc = self.day.days_since_epoch() * DAY_MS + i64::from(self.seconds) * 1000;
        let offset = paris_offset_minutes(as_utc - 2 * 3_600_000);
        as_utc - i64::from(offset) * 60_000
    }
}

impl When {
    /// Reads `YYYY-MM-DD`, a date-time without offset, or a date-time with `Z` or `±HH:MM`
    /// (RFC 3339 and what ASP.NET binds: `T` or a space between date and time, seconds and a
    /// fraction optional).
    pub fn parse(text: &str) -> Option<Self> {
        let text = text.trim();
        let day = Day::parse(text.get(..10)?)?;
        let rest = &text[10..];
        if rest.is_empty() {
            return Some(Self::Day(day));
        }
        let rest = rest.strip_prefix(['T', 't', ' '])?;
        let b = rest.as_bytes();
        if b.len() < 5 || b[2] != b':' {
            return None;
        }
        let (hours, minutes) = (digits(&b[..2])?, digits(&b[3..5])?);
        let mut at = 5;
        let mut seconds = 0;
        let mut millis = 0;
        if b.get(at) == Some(&b':') {
            seconds = digits(b.get(at + 1..at + 3)?)?;
            at += 3;
            if b.get(at) == Some(&b'.') {
                let fraction: &[u8] = &b[at + 1..];
                let len = fraction.iter().take_while(|c| c.is_ascii_digit()).count();
                if !(1..=9).contains(&len) {
                    return None;
                }
                let first3 = &fraction[..len.min(3)];
                millis = digits(first3)? * 10u32.pow(3 - first3.len() as u32);
                at += 1 + len;
            }
        }
        if hours > 23 || minutes > 59 || seconds > 59 {
            return None;
        }
        let wall = WallClock {
            day,
            seconds: hours * 3600 + minutes * 60 + seconds,
        };
        let zone = &rest[at..];
        let offset_minutes: i64 = match zone.as_bytes() {
            [] => return Some(Self::Local(wall)),
            [b'Z' | b'z'] => 0,
            [sign @ (b'+' | b'-'), h1, h2, b':', m1, m2]
            | [sign @ (b'+' | b'-'), h1, h2, m1, m2] => {
                let (h, m) = (digits(&[*h1, *h2])?, digits(&[*m1, *m2])?);
                if h > 23 || m > 59 {
                    return None;
                }
                let minutes = i64::from(h * 60 + m);
                if *sign == b'-' { -minutes } else { minutes }
            }
            _ => return None,
        };
        let as_utc =
            day.days_since_epoch() * DAY_MS + i64::from(wall.seconds) * 1000 + i64::from(millis);
        Some(Self::Instant(as_utc - offset_minutes * 60_000))
    }

    /// The French calendar day it stands for.
    pub fn day(self) -> Day {
        self.wall_clock().day
    }

    /// The Paris wall-clock time it stands for (midnight for a day).
    pub fn wall_clock(self) -> WallClock {
        match self {
            Self::Day(day) => WallClock::midnight(day),
            Self::Local(wall) => wall,
            Self::Instant(ms) => WallClock::paris(ms),
        }
    }

    /// The instant it stands for (a day or a wall-clock time read as Paris time).
    pub fn epoch_ms(self) -> i64 {
        match self {
            Self::Instant(ms) => ms,
            other => other.wall_clock().epoch_ms(),
        }
    }
}

/// Minutes Paris is ahead of UTC at instant `epoch_ms`: 60, or 120 in summer time.
pub fn paris_offset_minutes(epoch_ms: i64) -> i32 {
    let year = Day::from_days_since_epoch(epoch_ms.div_euclid(DAY_MS)).year;
    let change = |month| (last_sunday(year, month) * DAY_MS) + 3_600_000;
    if epoch_ms >= change(3) && epoch_ms < change(10) {
        120
    } else {
        60
    }
}

/// Days since the epoch of the last Sunday of `month` in `year`.
fn last_sunday(year: i32, month: u8) -> i64 {
    let last = days_from_civil(year.into(), month.into(), days_in_month(year, month).into());
    // 1970-01-01 was a Thursday: weekday 0 = Sunday is (days + 4) mod 7.
    last - (last + 4).rem_euclid(7)
}

/// An HTTP date (`Sun, 06 Nov 1994 08:49:37 GMT`, RFC 9110's IMF-fixdate; `+0000` or `UTC` also
/// read) as epoch milliseconds: what a `Retry-After` header may hold.
pub fn parse_http_date(text: &str) -> Option<i64> {
    let text = text.trim();
    let text = text.split_once(", ").map_or(text, |(_, rest)| rest);
    let mut parts = text.split_ascii_whitespace();
    let day: u8 = parts.next()?.parse().ok()?;
    let month = parts.next()?;
    const MONTHS: [&str; 12] = [
        "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
    ];
    let month = MONTHS.iter().position(|m| m.eq_ignore_ascii_case(month))? as u8 + 1;
    let year: i32 = parts.next()?.parse().ok()?;
    let time = parts.next()?.as_bytes();
    if !matches!(parts.next(), Some("GMT" | "UTC" | "+0000" | "Z")) || parts.next().is_some() {
        return None;
    }
    if time.len() != 8 || time[2] != b':' || time[5] != b':' {
        return None;
    }
    let (h, m, s) = (
        digits(&time[..2])?,
        digits(&time[3..5])?,
        digits(&time[6..])?,
    );
    if h > 23 || m > 59 || s > 60 {
        return None;
    }
    let day = Day::new(year, month, day)?;
    Some(day.days_since_epoch() * DAY_MS + i64::from(h * 3600 + m * 60 + s) * 1000)
}

impl fmt::Display for Day {
    /// `YYYY-MM-DD`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

impl fmt::Display for WallClock {
    /// `YYYY-MM-DDTHH:MM:SS`, without offset: what the real integrations send.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let s = self.seconds;
        write!(
            f,
            "{}T{:02}:{:02}:{:02}",
            self.day,
            s / 3600,
            s / 60 % 60,
            s % 60
        )
    }
}

fn is_leap(year: i32) -> bool {
    (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
}

fn days_in_month(year: i32, month: u8) -> u8 {
    match month {
        2 if is_leap(year) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// ASCII digits as a number; `None` for anything else.
fn digits(bytes: &[u8]) -> Option<u32> {
    if bytes.is_empty() || bytes.len() > 9 {
        return None;
    }
    bytes.iter().try_fold(0u32, |n, b| {
        b.is_ascii_digit().then(|| n * 10 + u32::from(b - b'0'))
    })
}

/// Howard Hinnant's `days_from_civil`: days since 1970-01-01 of a proleptic Gregorian date.
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The inverse of [`days_from_civil`].
fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (yoe + era * 400 + i64::from(m <= 2), m, d)
}

#[cfg(test)]
mod tests;
