//! Reading one cell: numbers, dates, booleans, enumerated words. Each reader returns what it read or a
//! [`CellProblem`] saying what was expected, never a guess.

use hlh_model::{ClinicalTime, Comparator};
use jiff::civil::{Date, DateTime, Time};

/// Why a cell could not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CellProblem {
    pub message: String,
    pub expected: String,
    pub hint: Option<String>,
}

impl CellProblem {
    pub fn new(message: impl Into<String>, expected: impl Into<String>) -> CellProblem {
        CellProblem {
            message: message.into(),
            expected: expected.into(),
            hint: None,
        }
    }

    pub fn with_hint(mut self, hint: impl Into<String>) -> CellProblem {
        self.hint = Some(hint.into());
        self
    }
}

pub const NUMBER_EXPECTED: &str = "a number with a decimal point, such as 3.5";

/// Reads a finite decimal number: digits, an optional sign, `.` as the decimal point and an optional
/// exponent. `NaN`, `inf`, thousands separators and decimal commas are refused.
///
/// # Errors
///
/// A [`CellProblem`] saying what is wrong with the text, what was expected and, where one can be
/// guessed, the fix (`3,5` → "write 3.5").
pub fn number(text: &str) -> Result<f64, CellProblem> {
    let is_numeric_char = |c: char| c.is_ascii_digit() || matches!(c, '.' | '-' | '+' | 'e' | 'E');
    if looks_like_decimal_comma(text) {
        return Err(CellProblem::new("decimal comma", NUMBER_EXPECTED)
            .with_hint(format!("write {}", text.replace(',', "."))));
    }
    if !text.chars().all(is_numeric_char) || !text.chars().any(|c| c.is_ascii_digit()) {
        return Err(CellProblem::new("not a number", NUMBER_EXPECTED));
    }
    match text.parse::<f64>() {
        Ok(value) if value.is_finite() => Ok(value),
        Ok(_) => Err(CellProblem::new("number too large", "a finite number")),
        Err(_) => Err(CellProblem::new("not a number", NUMBER_EXPECTED)),
    }
}

/// `3,5` or `-0,25`: digits, one comma, digits.
fn looks_like_decimal_comma(text: &str) -> bool {
    let unsigned = text.strip_prefix(['-', '+']).unwrap_or(text);
    match unsigned.split_once(',') {
        Some((whole, fraction)) => {
            !whole.is_empty()
                && !fraction.is_empty()
                && whole.chars().all(|c| c.is_ascii_digit())
                && fraction.chars().all(|c| c.is_ascii_digit())
        }
        None => false,
    }
}

/// Reads a laboratory value with an optional leading comparator (`<5`, `<=0.5`, `>100000`, `≤ 2`).
pub fn censored_number(text: &str) -> Result<(Comparator, f64), CellProblem> {
    const COMPARATORS: [(&str, Comparator); 6] = [
        ("<=", Comparator::LessOrEqual),
        (">=", Comparator::GreaterOrEqual),
        ("≤", Comparator::LessOrEqual),
        ("≥", Comparator::GreaterOrEqual),
        ("<", Comparator::Less),
        (">", Comparator::Greater),
    ];
    let (comparator, rest) = COMPARATORS
        .iter()
        .find_map(|(symbol, comparator)| {
            text.strip_prefix(symbol)
                .map(|rest| (*comparator, rest.trim_start()))
        })
        .unwrap_or((Comparator::Equal, text));
    let value = number(rest).map_err(|problem| CellProblem {
        expected: format!("{NUMBER_EXPECTED}, optionally after a comparator (<5, <=0.5, >100000)"),
        ..problem
    })?;
    Ok((comparator, value))
}

/// Reads a whole number in `[min, max]`.
pub fn integer_in(text: &str, min: i64, max: i64) -> Result<i64, CellProblem> {
    let expected = format!("a whole number from {min} to {max}");
    let value: i64 = text
        .parse()
        .map_err(|_| CellProblem::new("not a whole number", expected.clone()))?;
    if value < min || value > max {
        return Err(CellProblem::new("out of range", expected));
    }
    Ok(value)
}

pub const DATE_EXPECTED: &str = "a date YYYY-MM-DD";
pub const TIME_EXPECTED: &str =
    "a date YYYY-MM-DD or a date-time YYYY-MM-DDTHH:MM or YYYY-MM-DD HH:MM[:SS]";

/// The years a clinical date may fall in; anything else is a typing error (a two-digit year, 0202 for 2020).
const PLAUSIBLE_YEARS: std::ops::RangeInclusive<i16> = 1900..=2100;

/// Reads a calendar date `YYYY-MM-DD`.
pub fn date(text: &str) -> Result<Date, CellProblem> {
    parse_date(text, DATE_EXPECTED)
}

fn parse_date(text: &str, expected: &str) -> Result<Date, CellProblem> {
    let bytes = text.as_bytes();
    let shape_ok = bytes.len() == 10
        && bytes[4] == b'-'
        && bytes[7] == b'-'
        && bytes
            .iter()
            .enumerate()
            .all(|(i, b)| i == 4 || i == 7 || b.is_ascii_digit());
    if !shape_ok {
        return Err(foreign_date_problem(text, expected));
    }
    let field = |range: std::ops::Range<usize>| -> i16 {
        text[range]
            .bytes()
            .fold(0i16, |acc, digit| acc * 10 + i16::from(digit - b'0'))
    };
    let (year, month, day) = (field(0..4), field(5..7), field(8..10));
    if !PLAUSIBLE_YEARS.contains(&year) {
        return Err(CellProblem::new(
            format!(
                "year {year} is outside {}–{}",
                PLAUSIBLE_YEARS.start(),
                PLAUSIBLE_YEARS.end()
            ),
            expected,
        ));
    }
    // Month and day are at most two digits, so they fit in i8.
    Date::new(year, month as i8, day as i8)
        .map_err(|_| CellProblem::new("no such calendar date", expected))
}

/// A date in another order (`25/11/2024`, `11-25-2024`): say so, and spell the ISO form when the
/// day-first reading is unambiguous.
fn foreign_date_problem(text: &str, expected: &str) -> CellProblem {
    let problem = CellProblem::new("not a date in the study format", expected);
    let parts: Vec<&str> = text.split(['/', '.', '-']).collect();
    if let [first, second, year] = parts.as_slice() {
        let all_digits = |s: &str| !s.is_empty() && s.chars().all(|c| c.is_ascii_digit());
        if all_digits(first) && all_digits(second) && year.len() == 4 && all_digits(year) {
            let (a, b): (u32, u32) = (first.parse().unwrap_or(0), second.parse().unwrap_or(0));
            let hint = if a > 12 && b <= 12 {
                format!("day-first date? write {year}-{b:02}-{a:02}")
            } else if b > 12 && a <= 12 {
                format!("month-first date? write {year}-{a:02}-{b:02}")
            } else {
                "day and month order is ambiguous; write the date as YYYY-MM-DD".to_string()
            };
            return problem.with_hint(hint);
        }
    }
    problem
}

/// Reads a date or a date-time: `YYYY-MM-DD`, `YYYY-MM-DDTHH:MM[:SS]` or `YYYY-MM-DD HH:MM[:SS]`.
pub fn clinical_time(text: &str) -> Result<ClinicalTime, CellProblem> {
    if text.len() <= 10 {
        return parse_date(text, TIME_EXPECTED).map(ClinicalTime::Date);
    }
    let (date_part, clock_part) = match (text.get(..10), text.get(10..11), text.get(11..)) {
        (Some(date_part), Some("T" | " "), Some(clock_part)) => (date_part, clock_part),
        _ => return Err(foreign_date_problem(text, TIME_EXPECTED)),
    };
    let date = parse_date(date_part, TIME_EXPECTED)?;
    let time = clock(clock_part)
        .ok_or_else(|| CellProblem::new("not a clock time HH:MM[:SS]", TIME_EXPECTED))?;
    Ok(ClinicalTime::DateTime(DateTime::from_parts(date, time)))
}

/// `HH:MM` or `HH:MM:SS`, 24-hour clock.
fn clock(text: &str) -> Option<Time> {
    let bytes = text.as_bytes();
    let two_digits = |at: usize| -> Option<i8> {
        let (tens, units) = (*bytes.get(at)?, *bytes.get(at + 1)?);
        (tens.is_ascii_digit() && units.is_ascii_digit())
            .then(|| ((tens - b'0') * 10 + (units - b'0')) as i8)
    };
    let (hour, minute, second) = match bytes.len() {
        5 if bytes[2] == b':' => (two_digits(0)?, two_digits(3)?, 0),
        8 if bytes[2] == b':' && bytes[5] == b':' => {
            (two_digits(0)?, two_digits(3)?, two_digits(6)?)
        }
        _ => return None,
    };
    Time::new(hour, minute, second, 0).ok()
}

pub const BOOLEAN_EXPECTED: &str = "yes, no or unknown (also y/n, true/false, 1/0)";

/// Reads a boolean; `Ok(None)` is unknown, which is never read as "no".
pub fn boolean(text: &str) -> Result<Option<bool>, CellProblem> {
    const YES: [&str; 4] = ["yes", "y", "true", "1"];
    const NO: [&str; 4] = ["no", "n", "false", "0"];
    const UNKNOWN: [&str; 4] = ["unknown", "not done", "not_done", "nd"];
    let is_one_of = |words: &[&str]| words.iter().any(|word| text.eq_ignore_ascii_case(word));
    if is_one_of(&YES) {
        Ok(Some(true))
    } else if is_one_of(&NO) {
        Ok(Some(false))
    } else if is_one_of(&UNKNOWN) {
        Ok(None)
    } else {
        Err(CellProblem::new("not a yes/no value", BOOLEAN_EXPECTED))
    }
}

/// Reads a word of an enumeration with its `from_name`, or says which words are accepted.
pub fn word<T>(
    text: &str,
    from_name: impl Fn(&str) -> Option<T>,
    expected: impl FnOnce() -> String,
) -> Result<T, CellProblem> {
    from_name(text).ok_or_else(|| CellProblem::new("not an accepted value", expected()))
}

#[cfg(test)]
mod tests {
    use jiff::civil::date as d;

    use super::*;

    #[test]
    fn numbers_are_strict_decimal() {
        assert_eq!(number("3.5"), Ok(3.5));
        assert_eq!(number("-0.25"), Ok(-0.25));
        assert_eq!(number("1e3"), Ok(1000.0));
        assert_eq!(number(".5"), Ok(0.5));
        for bad in [
            "NaN", "nan", "inf", "-inf", "Infinity", "1 000", "abc", "", ".", "-", "1.2.3", "0x10",
        ] {
            assert!(number(bad).is_err(), "{bad:?} must be refused");
        }
        assert_eq!(number("1e999").unwrap_err().message, "number too large");
    }

    #[test]
    fn a_decimal_comma_is_refused_with_a_hint() {
        let problem = number("3,5").unwrap_err();
        assert_eq!(problem.message, "decimal comma");
        assert_eq!(problem.hint.as_deref(), Some("write 3.5"));
        assert!(number("1,000,000").unwrap_err().hint.is_none());
    }

    #[test]
    fn comparators_mark_censored_results() {
        assert_eq!(censored_number("<5"), Ok((Comparator::Less, 5.0)));
        assert_eq!(censored_number("<=0.5"), Ok((Comparator::LessOrEqual, 0.5)));
        assert_eq!(
            censored_number(">100000"),
            Ok((Comparator::Greater, 100_000.0))
        );
        assert_eq!(
            censored_number("≥ 2"),
            Ok((Comparator::GreaterOrEqual, 2.0))
        );
        assert_eq!(censored_number("42"), Ok((Comparator::Equal, 42.0)));
        assert!(censored_number("<").is_err());
        assert!(censored_number("<<5").is_err());
        assert!(censored_number("=5").is_err());
    }

    #[test]
    fn dates_are_iso_and_real() {
        assert_eq!(date("2024-02-29"), Ok(d(2024, 2, 29)));
        assert_eq!(
            date("2023-02-29").unwrap_err().message,
            "no such calendar date"
        );
        assert!(date("2024-13-01").is_err());
        assert!(date("0202-01-01").is_err());
        assert!(date("2024-1-5").is_err());
        let problem = date("25/11/2024").unwrap_err();
        assert_eq!(
            problem.hint.as_deref(),
            Some("day-first date? write 2024-11-25")
        );
        let problem = date("11/25/2024").unwrap_err();
        assert_eq!(
            problem.hint.as_deref(),
            Some("month-first date? write 2024-11-25")
        );
        assert!(date("05/06/2024")
            .unwrap_err()
            .hint
            .unwrap()
            .contains("ambiguous"));
    }

    #[test]
    fn clinical_times_accept_the_three_forms() {
        assert_eq!(
            clinical_time("2024-05-01"),
            Ok(ClinicalTime::Date(d(2024, 5, 1)))
        );
        let eight = ClinicalTime::DateTime(d(2024, 5, 1).at(8, 0, 0, 0));
        assert_eq!(clinical_time("2024-05-01T08:00"), Ok(eight));
        assert_eq!(clinical_time("2024-05-01 08:00"), Ok(eight));
        assert_eq!(clinical_time("2024-05-01 08:00:00"), Ok(eight));
        for bad in [
            "2024-05-01T25:00",
            "2024-05-01T08",
            "2024-05-01X08:00",
            "2024-05-01T08:00Z",
            "2024-05-01T8:00",
        ] {
            assert!(clinical_time(bad).is_err(), "{bad:?} must be refused");
        }
    }

    #[test]
    fn booleans_keep_unknown_apart_from_no() {
        for yes in ["yes", "Y", "true", "1"] {
            assert_eq!(boolean(yes), Ok(Some(true)));
        }
        for no in ["no", "N", "FALSE", "0"] {
            assert_eq!(boolean(no), Ok(Some(false)));
        }
        assert_eq!(boolean("unknown"), Ok(None));
        assert!(boolean("maybe").is_err());
        assert!(boolean("2").is_err());
    }

    #[test]
    fn integers_are_bounded() {
        assert_eq!(integer_in("3", 1, 5), Ok(3));
        assert!(integer_in("6", 1, 5).is_err());
        assert!(integer_in("2.5", 1, 5).is_err());
    }
}
