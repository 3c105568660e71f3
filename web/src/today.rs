//! Dates: today in the browser's time zone (core takes "today" as an argument), and times
//! written for people without chrono's general formatter (which would add to the download).

use chrono::{DateTime, NaiveDate, Timelike, Utc};

/// The local calendar date, as the person at the keyboard sees it.
pub fn today() -> NaiveDate {
    let now = js_sys::Date::new_0();
    NaiveDate::from_ymd_opt(i32::try_from(now.get_full_year()).unwrap_or(1970), now.get_month() + 1, now.get_date())
        .unwrap_or_default()
}

/// `2026-11-25` (UTC).
pub fn day(at: &DateTime<Utc>) -> String {
    at.date_naive().to_string()
}

/// `2026-11-25 14:03 UTC`.
pub fn minute(at: &DateTime<Utc>) -> String {
    format!("{} {:02}:{:02} UTC", at.date_naive(), at.hour(), at.minute())
}

/// `2026-11-25 14:03:09 UTC`.
pub fn second(at: &DateTime<Utc>) -> String {
    format!("{} {:02}:{:02}:{:02} UTC", at.date_naive(), at.hour(), at.minute(), at.second())
}
