//! A workbook cell as the text a CSV file would hold, so that the study format's rules read it.

use calamine::{Data, ExcelDateTime};
use jiff::civil::DateTime;
use jiff::ToSpan;

/// The cell as text: a number in its shortest decimal form (a whole number without `.0`), an Excel date
/// as an ISO date (with the time of day when it has one, to the nearest second), a boolean as
/// `true`/`false`, text as typed. An error cell is the caller's to report; here it is its code.
pub fn text(cell: &Data) -> String {
    match cell {
        Data::Empty => String::new(),
        Data::String(text) => text.clone(),
        Data::Int(number) => number.to_string(),
        Data::Float(number) => decimal(*number),
        Data::Bool(flag) => flag.to_string(),
        Data::DateTime(date_time) if date_time.is_datetime() => iso_date(date_time),
        // A duration (a time of day without a date, [h]:mm) is a number of days.
        Data::DateTime(date_time) => decimal(date_time.as_f64()),
        Data::DateTimeIso(text) | Data::DurationIso(text) => text.clone(),
        Data::Error(error) => error.to_string(),
    }
}

/// The shortest decimal that reads back as the same number; whole numbers have no fraction.
pub fn decimal(number: f64) -> String {
    if number.fract() == 0.0 && number.abs() < 1e15 {
        format!("{}", number as i64)
    } else {
        format!("{number}")
    }
}

/// `YYYY-MM-DD`, or `YYYY-MM-DDTHH:MM` (`:SS` when the seconds are not zero) for a date with a time of
/// day. The 1900 and 1904 date systems are calamine's to tell apart; the milliseconds of a stored time
/// (07:59:59.999 for 08:00) round to the second.
fn iso_date(date_time: &ExcelDateTime) -> String {
    let (year, month, day, hour, minute, second, milli) = date_time.to_ymd_hms_milli();
    let Ok(mut moment) = DateTime::new(
        year as i16,
        month as i8,
        day as i8,
        hour as i8,
        minute as i8,
        second as i8,
        0,
    ) else {
        return decimal(date_time.as_f64());
    };
    if milli >= 500 {
        moment = moment.checked_add(1_i64.second()).unwrap_or(moment);
    }
    let (h, m, s) = (moment.hour(), moment.minute(), moment.second());
    match (h, m, s) {
        (0, 0, 0) => moment.date().strftime("%Y-%m-%d").to_string(),
        (_, _, 0) => moment.strftime("%Y-%m-%dT%H:%M").to_string(),
        _ => moment.strftime("%Y-%m-%dT%H:%M:%S").to_string(),
    }
}

#[cfg(test)]
mod tests {
    use calamine::ExcelDateTimeType;

    use super::*;

    fn excel_date(serial: f64, is_1904: bool) -> Data {
        Data::DateTime(ExcelDateTime::new(
            serial,
            ExcelDateTimeType::DateTime,
            is_1904,
        ))
    }

    #[test]
    fn excel_dates_in_both_systems_become_iso_dates() {
        // 43845 is 2020-01-15 in the 1900 system; the same day is 42383 in the 1904 system (1462 less).
        assert_eq!(text(&excel_date(43845.0, false)), "2020-01-15");
        assert_eq!(text(&excel_date(42383.0, true)), "2020-01-15");
        // 08:30 is 0.354166… of a day; a time stored a hair early rounds to the minute it shows.
        assert_eq!(
            text(&excel_date(43845.0 + 8.5 / 24.0, false)),
            "2020-01-15T08:30"
        );
        assert_eq!(
            text(&excel_date(43845.0 + 8.0 / 24.0 - 0.4 / 86400.0, false)),
            "2020-01-15T08:00"
        );
        assert_eq!(
            text(&excel_date(43845.0 + (8.0 * 3600.0 + 5.0) / 86400.0, false)),
            "2020-01-15T08:00:05"
        );
    }

    #[test]
    fn numbers_are_written_as_they_read_back() {
        assert_eq!(text(&Data::Float(45.0)), "45");
        assert_eq!(text(&Data::Float(37.3)), "37.3");
        assert_eq!(text(&Data::Float(0.1 + 0.2)), "0.30000000000000004");
        assert_eq!(text(&Data::Int(-3)), "-3");
        assert_eq!(text(&Data::String("<5".into())), "<5");
        assert_eq!(text(&Data::Bool(true)), "true");
        assert_eq!(text(&Data::Empty), "");
    }
}
