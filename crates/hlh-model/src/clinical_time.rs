//! Clinical time stamps (a date, or a date and a local clock time) and study days.

use std::cmp::Ordering;
use std::fmt;

use jiff::civil::{Date, DateTime};

/// When something happened, as the chart records it: a calendar date, or a local date and time with no
/// time zone (clinical time).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ClinicalTime {
    Date(Date),
    DateTime(DateTime),
}

impl ClinicalTime {
    /// The calendar date. Every day comparison of the analysis uses dates only (docs/analysis-schema.md, "Derivations").
    pub fn date(self) -> Date {
        match self {
            ClinicalTime::Date(date) => date,
            ClinicalTime::DateTime(date_time) => date_time.date(),
        }
    }

    /// A key that orders a bare date before any time stamp of the same day.
    fn sort_key(self) -> (Date, Option<jiff::civil::Time>) {
        match self {
            ClinicalTime::Date(date) => (date, None),
            ClinicalTime::DateTime(date_time) => (date_time.date(), Some(date_time.time())),
        }
    }
}

impl Ord for ClinicalTime {
    fn cmp(&self, other: &Self) -> Ordering {
        self.sort_key().cmp(&other.sort_key())
    }
}

impl PartialOrd for ClinicalTime {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl fmt::Display for ClinicalTime {
    /// `YYYY-MM-DD` or `YYYY-MM-DDTHH:MM` (with `:SS` only when the seconds are not zero).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ClinicalTime::Date(date) => write!(f, "{}", date.strftime("%Y-%m-%d")),
            ClinicalTime::DateTime(date_time) if date_time.second() == 0 => {
                write!(f, "{}", date_time.strftime("%Y-%m-%dT%H:%M"))
            }
            ClinicalTime::DateTime(date_time) => {
                write!(f, "{}", date_time.strftime("%Y-%m-%dT%H:%M:%S"))
            }
        }
    }
}

/// A day of the study relative to Day 0 (the first administration of the index drug): Day n is Day 0 + n
/// calendar days, so the day before the first dose is −1.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct StudyDay(pub i32);

impl StudyDay {
    /// The study day of `date` when Day 0 is `day0`.
    pub fn of(date: Date, day0: Date) -> StudyDay {
        // Civil dates have no time zone, so every day is exactly 24 hours long here.
        let days = date.duration_since(day0).as_hours() / 24;
        StudyDay(days as i32)
    }
}

impl fmt::Display for StudyDay {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Day {}", self.0)
    }
}

#[cfg(test)]
mod tests {
    use jiff::civil::date;

    use super::*;

    #[test]
    fn study_days_count_calendar_days_across_months_and_leap_years() {
        let day0 = date(2024, 2, 27);
        assert_eq!(StudyDay::of(date(2024, 2, 27), day0), StudyDay(0));
        assert_eq!(StudyDay::of(date(2024, 3, 1), day0), StudyDay(3)); // 2024 is a leap year
        assert_eq!(StudyDay::of(date(2024, 2, 26), day0), StudyDay(-1));
        assert_eq!(
            StudyDay::of(date(2023, 2, 27), date(2023, 3, 1)),
            StudyDay(-2)
        );
        assert_eq!(StudyDay::of(date(2025, 2, 27), day0), StudyDay(366));
    }

    #[test]
    fn a_bare_date_sorts_before_the_times_of_its_day() {
        let day = ClinicalTime::Date(date(2024, 5, 1));
        let morning = ClinicalTime::DateTime(date(2024, 5, 1).at(8, 0, 0, 0));
        let evening = ClinicalTime::DateTime(date(2024, 5, 1).at(20, 30, 0, 0));
        assert!(day < morning && morning < evening);
        assert_eq!(morning.date(), date(2024, 5, 1));
    }

    #[test]
    fn displays_in_the_study_format() {
        assert_eq!(
            ClinicalTime::Date(date(2024, 5, 1)).to_string(),
            "2024-05-01"
        );
        assert_eq!(
            ClinicalTime::DateTime(date(2024, 5, 1).at(8, 5, 0, 0)).to_string(),
            "2024-05-01T08:05"
        );
        assert_eq!(
            ClinicalTime::DateTime(date(2024, 5, 1).at(8, 5, 9, 0)).to_string(),
            "2024-05-01T08:05:09"
        );
    }
}
