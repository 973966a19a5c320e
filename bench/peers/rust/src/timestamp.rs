//! Timestamps to Unix ns UTC. Only regex and serde_json are dependencies, so the shapes Airflow
//! prints are read by hand (Vector would use chrono's `parse_timestamp`): the whole text must be
//! one timestamp, and a zone-less one is UTC.

fn digits(s: &[u8], at: usize, n: usize) -> Option<i64> {
    let part = s.get(at..at + n)?;
    part.iter()
        .try_fold(0i64, |v, &c| c.is_ascii_digit().then(|| v * 10 + i64::from(c - b'0')))
}

/// Days since 1970-01-01 of a proleptic Gregorian date.
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

fn days_in_month(y: i64, m: i64) -> i64 {
    match m {
        2 if (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

fn civil_ns(y: i64, mo: i64, d: i64, h: i64, mi: i64, s: i64) -> Option<i64> {
    if !(1..=12).contains(&mo) || d < 1 || d > days_in_month(y, mo) || h > 23 || mi > 59 || s > 60 {
        return None;
    }
    let secs = days_from_civil(y, mo, d) * 86_400 + h * 3600 + mi * 60 + s.min(59);
    secs.checked_mul(1_000_000_000)
}

/// A date-time whose four-digit year and two-digit month, day, hour, minute, second start at `at`.
fn civil_at(s: &[u8], at: [usize; 6]) -> Option<i64> {
    let two = |i: usize| digits(s, at[i], 2);
    civil_ns(digits(s, at[0], 4)?, two(1)?, two(2)?, two(3)?, two(4)?, two(5)?)
}

/// An offset `Z`, `±HH:MM`, `±HHMM` or `±HH` that is the whole of `s`, in seconds east of UTC.
fn offset(s: &[u8]) -> Option<i64> {
    if s == b"Z" {
        return Some(0);
    }
    let sign = match s.first()? {
        b'+' => 1,
        b'-' => -1,
        _ => return None,
    };
    let hours = digits(s, 1, 2)?;
    let minutes = match s.len() {
        3 => 0,
        5 => digits(s, 3, 2)?,
        6 if s[3] == b':' => digits(s, 4, 2)?,
        _ => return None,
    };
    (hours <= 23 && minutes <= 59).then_some(sign * (hours * 3600 + minutes * 60))
}

/// `YYYY-MM-DD[T ]HH:MM:SS[(.|,)f{1,9}][ ][Z|±HH:MM|±HHMM|±HH]` (after a space only ±HH[:]MM).
pub fn parse_iso(text: &str) -> Option<i64> {
    let s = text.as_bytes();
    if s.len() < 19
        || s[4] != b'-'
        || s[7] != b'-'
        || (s[10] != b'T' && s[10] != b' ')
        || s[13] != b':'
        || s[16] != b':'
    {
        return None;
    }
    let mut ns = civil_at(s, [0, 5, 8, 11, 14, 17])?;
    let mut at = 19;
    if at < s.len() && (s[at] == b'.' || s[at] == b',') {
        let start = at + 1;
        at = start;
        while at < s.len() && s[at].is_ascii_digit() {
            at += 1;
        }
        let n = at - start;
        if n == 0 || n > 9 {
            return None;
        }
        ns += digits(s, start, n)? * 10i64.pow((9 - n) as u32);
    }
    let rest = &s[at..];
    let off = match rest {
        [] => 0,
        [b' ', zone @ ..] if zone.len() >= 5 => offset(zone)?,
        _ => offset(rest)?,
    };
    ns.checked_sub(off * 1_000_000_000)
}

/// The compact `20240101T000000` (Marking task as … execution_date=), UTC.
pub fn parse_compact(text: &str) -> Option<i64> {
    let s = text.as_bytes();
    if s.len() != 15 || s[8] != b'T' {
        return None;
    }
    civil_at(s, [0, 4, 6, 9, 11, 13])
}

/// Common log format `10/Oct/2024:13:55:36 +0000`.
pub fn parse_clf(text: &str) -> Option<i64> {
    const MONTHS: [&[u8]; 12] = [
        b"Jan", b"Feb", b"Mar", b"Apr", b"May", b"Jun", b"Jul", b"Aug", b"Sep", b"Oct", b"Nov", b"Dec",
    ];
    let s = text.as_bytes();
    if s.len() != 26 || s[2] != b'/' || s[6] != b'/' || s[11] != b':' || s[20] != b' ' {
        return None;
    }
    let month = MONTHS.iter().position(|m| *m == &s[3..6])? as i64 + 1;
    let ns = civil_ns(
        digits(s, 7, 4)?,
        month,
        digits(s, 0, 2)?,
        digits(s, 12, 2)?,
        digits(s, 15, 2)?,
        digits(s, 18, 2)?,
    )?;
    ns.checked_sub(offset(&s[21..])? * 1_000_000_000)
}

/// `2024-01-01T00:00:00Z`, the fraction written only when non-zero, trailing zeros removed: the
/// way airlog writes a logical date.
pub fn rfc3339(ns: i64) -> String {
    let (secs, frac) = (ns.div_euclid(1_000_000_000), ns.rem_euclid(1_000_000_000));
    let (days, sod) = (secs.div_euclid(86_400), secs.rem_euclid(86_400));
    // civil_from_days (the inverse of days_from_civil)
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    let mut out = format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}",
        sod / 3600,
        sod / 60 % 60,
        sod % 60
    );
    if frac != 0 {
        let f = format!(".{frac:09}");
        out.push_str(f.trim_end_matches('0'));
    }
    out.push('Z');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shapes_airflow_prints() {
        assert_eq!(parse_iso("2021-06-01 12:00:01,234"), Some(1_622_548_801_234_000_000));
        assert_eq!(
            parse_iso("2024-01-02T00:00:01.234+0000"),
            Some(1_704_153_601_234_000_000)
        );
        assert_eq!(parse_iso("2024-01-02T00:00:01.234+05"), Some(1_704_135_601_234_000_000));
        assert_eq!(parse_iso("2022-11-29 10:37:09 +0530"), Some(1_669_698_429_000_000_000));
        assert_eq!(
            parse_iso("2025-04-22T09:00:01.123456Z"),
            Some(1_745_312_401_123_456_000)
        );
        assert_eq!(parse_iso("2025-04-22T09:00:01.1234567891Z"), None);
        assert_eq!(parse_iso("2025-13-22T09:00:01"), None);
        assert_eq!(parse_compact("20240101T000000"), Some(1_704_067_200_000_000_000));
        assert_eq!(parse_clf("29/Nov/2022:10:37:09 +0530"), Some(1_669_698_429_000_000_000));
        assert_eq!(rfc3339(1_704_067_200_000_000_000), "2024-01-01T00:00:00Z");
        assert_eq!(rfc3339(1_745_312_401_123_456_000), "2025-04-22T09:00:01.123456Z");
    }
}
