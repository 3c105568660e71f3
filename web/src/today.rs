//! Today's date in the browser's time zone: core takes "today" as an argument.

use chrono::NaiveDate;

/// The local calendar date, as the person at the keyboard sees it.
pub fn today() -> NaiveDate {
    let now = js_sys::Date::new_0();
    NaiveDate::from_ymd_opt(i32::try_from(now.get_full_year()).unwrap_or(1970), now.get_month() + 1, now.get_date())
        .unwrap_or_default()
}
