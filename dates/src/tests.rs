use super::*;

fn utc(text: &str) -> i64 {
    match When::parse(text) {
        Some(When::Instant(ms)) => ms,
        other => panic!("{text}: {other:?}"),
    }
}

#[test]
fn days_round_trip_against_counting() {
    // An oracle that walks the calendar one day at a time from 1900-01-01.
    let (mut y, mut m, mut d) = (1900, 1u8, 1u8);
    let start = Day::new(1900, 1, 1).unwrap().days_since_epoch();
    for n in 0..(300 * 366) {
        let day = Day::new(y, m, d).unwrap();
        assert_eq!(day.days_since_epoch(), start + n);
        assert_eq!(Day::from_days_since_epoch(start + n), day);
        d += 1;
        if d > days_in_month(y, m) {
            d = 1;
            m += 1;
            if m > 12 {
                m = 1;
                y += 1;
            }
        }
    }
    assert_eq!(Day::new(1970, 1, 1).unwrap().days_since_epoch(), 0);
}

#[test]
fn invalid_days_are_refused() {
    for text in [
        "2023-02-29",
        "2024-13-01",
        "2024-00-10",
        "2024-04-31",
        "24-05-02",
        "2024/05/02",
        "２０２４-05-02",
    ] {
        assert_eq!(Day::parse(text), None, "{text}");
        assert_eq!(When::parse(text), None, "{text}");
    }
    assert!(Day::parse("2024-02-29").is_some());
}

#[test]
fn summer_time_changes_on_the_last_sundays_at_one_utc() {
    // 2024: 31 March and 27 October.
    assert_eq!(paris_offset_minutes(utc("2024-03-31T00:59:59Z")), 60);
    assert_eq!(paris_offset_minutes(utc("2024-03-31T01:00:00Z")), 120);
    assert_eq!(paris_offset_minutes(utc("2024-10-27T00:59:59Z")), 120);
    assert_eq!(paris_offset_minutes(utc("2024-10-27T01:00:00Z")), 60);
    // 2022: 27 March and 30 October.
    assert_eq!(paris_offset_minutes(utc("2022-03-27T01:00:00Z")), 120);
    assert_eq!(paris_offset_minutes(utc("2022-10-30T00:30:00Z")), 120);
    assert_eq!(paris_offset_minutes(utc("2022-12-15T12:00:00Z")), 60);
}

#[test]
fn an_instant_is_its_paris_day_and_time() {
    // The case: 00:30 on 2 May 2024 in Paris, written in UTC.
    let when = When::parse("2024-05-01T22:30:00Z").unwrap();
    assert_eq!(when.day().to_string(), "2024-05-02");
    assert_eq!(when.wall_clock().to_string(), "2024-05-02T00:30:00");
    let when = When::parse("2022-12-15T00:30:00+01:00").unwrap();
    assert_eq!(when.wall_clock().to_string(), "2022-12-15T00:30:00");
    // Los Angeles' afternoon of 1 May is already 2 May in Paris.
    assert_eq!(
        When::parse("2024-05-01T15:30:00-07:00")
            .unwrap()
            .day()
            .to_string(),
        "2024-05-02"
    );
    assert_eq!(
        When::parse("2024-05-01T15:30:00.123-0700")
            .unwrap()
            .wall_clock()
            .to_string(),
        "2024-05-02T00:30:00"
    );
}

#[test]
fn days_and_local_times_are_taken_as_written() {
    assert_eq!(
        When::parse("2024-05-02").unwrap().wall_clock().to_string(),
        "2024-05-02T00:00:00"
    );
    assert_eq!(
        When::parse("2024-05-02T00:30")
            .unwrap()
            .wall_clock()
            .to_string(),
        "2024-05-02T00:30:00"
    );
    assert_eq!(
        When::parse("2023-05-05T15:15:50.953")
            .unwrap()
            .wall_clock()
            .to_string(),
        "2023-05-05T15:15:50"
    );
    assert_eq!(
        When::parse("2023-05-05 15:15:50")
            .unwrap()
            .day()
            .to_string(),
        "2023-05-05"
    );
    for text in [
        "2024-05-02T",
        "2024-05-02T24:00:00",
        "2024-05-02T10:60",
        "2024-05-02T10:00:00.",
        "2024-05-02T10:00:00+1",
        "2024-05-02T10:00:00 Z",
        "2024-05-02x",
    ] {
        assert_eq!(When::parse(text), None, "{text}");
    }
}

#[test]
fn paris_wall_clock_round_trips_through_instants() {
    let mut ms = utc("2021-01-01T00:00:00Z");
    let end = utc("2027-01-01T00:00:00Z");
    while ms < end {
        let wall = WallClock::paris(ms);
        // Every wall-clock time but the repeated hour of October maps back to its instant.
        let back = wall.epoch_ms();
        assert!(back == ms || back == ms - 3_600_000, "{wall} {ms} {back}");
        ms += 3_600_000 * 7 + 61_000;
    }
}

#[test]
fn http_dates() {
    assert_eq!(
        parse_http_date("Sun, 06 Nov 1994 08:49:37 GMT"),
        Some(utc("1994-11-06T08:49:37Z"))
    );
    assert_eq!(
        parse_http_date("Wed, 21 Oct 2026 07:28:00 +0000"),
        Some(utc("2026-10-21T07:28:00Z"))
    );
    for text in [
        "",
        "soon",
        "Sun, 06 Nov 1994 08:49:37",
        "Sun, 31 Feb 1994 08:49:37 GMT",
        "Sun, 06 Nov 1994 8:49:37 GMT",
    ] {
        assert_eq!(parse_http_date(text), None, "{text}");
    }
}
