//! `sleep` and `date` on the virtual clock: a four-hour release rehearses in seconds.

use super::surface::Parsed;
use super::{Call, Context, Reply};

/// The virtual clock's start: 2026-01-01T00:00:00Z.
pub const EPOCH: u64 = 1_767_225_600;

/// Runs `sleep` or `date`.
pub fn handle(call: &Call, parsed: &Parsed, ctx: &mut Context) -> Reply {
    if call.tool == "sleep" {
        return match parsed.positionals.first().and_then(|d| seconds(d)) {
            Some(seconds) => Reply {
                sleep: true,
                seconds,
                ..Reply::default()
            },
            None => Reply::fail(
                1,
                format!(
                    "sleep: invalid time interval '{}'",
                    parsed.positionals.join(" ")
                ),
            ),
        };
    }
    let now = EPOCH + ctx.now;
    match parsed.positionals.first() {
        None => Reply::ok(format!("{}\n", format(now, "%a %b %e %H:%M:%S UTC %Y"))),
        Some(spec) => match spec.strip_prefix('+') {
            Some(fmt) => Reply::ok(format!("{}\n", format(now, fmt))),
            None => Reply::fail(1, format!("date: invalid date '{spec}'")),
        },
    }
}

/// The virtual time `now` (seconds since [`EPOCH`]) as an ISO 8601 UTC time, as Azure APIs write it.
pub fn iso_time(now: u64) -> String {
    format(EPOCH + now, "%Y-%m-%dT%H:%M:%SZ")
}

/// Seconds of a `sleep` argument (`30`, `0.5`, `2m`, `1h`, `1d`), rounded up.
pub fn seconds(text: &str) -> Option<u64> {
    let (number, unit) = match text.char_indices().last()? {
        (i, 's') => (&text[..i], 1.0),
        (i, 'm') => (&text[..i], 60.0),
        (i, 'h') => (&text[..i], 3600.0),
        (i, 'd') => (&text[..i], 86_400.0),
        _ => (text, 1.0),
    };
    let value: f64 = number.parse().ok()?;
    (value >= 0.0).then(|| (value * unit).ceil() as u64)
}

/// Formats a Unix time (UTC) with the `date` conversions scripts use.
fn format(unix: u64, fmt: &str) -> String {
    let days = unix / 86_400;
    let secs = unix % 86_400;
    let (year, month, day) = civil(days);
    let weekday = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"][(days % 7) as usize];
    let month_name = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ][(month - 1) as usize];
    let mut out = String::new();
    let mut chars = fmt.chars();
    while let Some(c) = chars.next() {
        if c != '%' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('s') => out.push_str(&unix.to_string()),
            Some('Y') => out.push_str(&year.to_string()),
            Some('m') => out.push_str(&format!("{month:02}")),
            Some('d') => out.push_str(&format!("{day:02}")),
            Some('e') => out.push_str(&format!("{day:>2}")),
            Some('H') => out.push_str(&format!("{:02}", secs / 3600)),
            Some('M') => out.push_str(&format!("{:02}", secs / 60 % 60)),
            Some('S') => out.push_str(&format!("{:02}", secs % 60)),
            Some('F') => out.push_str(&format!("{year}-{month:02}-{day:02}")),
            Some('T') => out.push_str(&format!(
                "{:02}:{:02}:{:02}",
                secs / 3600,
                secs / 60 % 60,
                secs % 60
            )),
            Some('a') => out.push_str(weekday),
            Some('b') => out.push_str(month_name),
            Some('Z') => out.push_str("UTC"),
            Some('%') => out.push('%'),
            Some(other) => {
                out.push('%');
                out.push(other);
            }
            None => out.push('%'),
        }
    }
    out
}

/// Year, month, day of a count of days since 1970-01-01 (Howard Hinnant's algorithm).
fn civil(days: u64) -> (i64, u32, u32) {
    let z = days as i64 + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sleep_arguments() {
        assert_eq!(seconds("30"), Some(30));
        assert_eq!(seconds("0.5"), Some(1));
        assert_eq!(seconds("2m"), Some(120));
        assert_eq!(seconds("x"), None);
    }

    #[test]
    fn dates_on_the_virtual_clock() {
        assert_eq!(format(EPOCH, "%F %T %s"), "2026-01-01 00:00:00 1767225600");
        assert_eq!(
            format(EPOCH + 86_400 * 59 + 3_661, "%Y-%m-%dT%H:%M:%SZ"),
            "2026-03-01T01:01:01Z"
        );
    }
}
