//! The state of one criterion.

/// Whether a criterion holds: known to hold, known not to, or not known.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Status {
    Met,
    NotMet,
    Unknown,
}

impl Status {
    /// A finding that is present, absent or unknown.
    pub fn from_finding(finding: Option<bool>) -> Status {
        match finding {
            Some(true) => Status::Met,
            Some(false) => Status::NotMet,
            None => Status::Unknown,
        }
    }

    /// A threshold test on a value that may be missing.
    pub fn test(value: Option<f64>, meets: impl Fn(f64) -> bool) -> Status {
        Status::from_finding(value.map(meets))
    }

    pub fn name(self) -> &'static str {
        match self {
            Status::Met => "met",
            Status::NotMet => "not_met",
            Status::Unknown => "unknown",
        }
    }

    /// Both hold: NotMet as soon as one is known not to hold.
    pub fn and(self, other: Status) -> Status {
        match (self, other) {
            (Status::NotMet, _) | (_, Status::NotMet) => Status::NotMet,
            (Status::Met, Status::Met) => Status::Met,
            _ => Status::Unknown,
        }
    }

    /// Either holds: Met as soon as one is known to hold.
    pub fn or(self, other: Status) -> Status {
        match (self, other) {
            (Status::Met, _) | (_, Status::Met) => Status::Met,
            (Status::NotMet, Status::NotMet) => Status::NotMet,
            _ => Status::Unknown,
        }
    }
}

/// At least `k` of `statuses` hold: Met when enough are known to, NotMet when too few can, else Unknown.
pub fn at_least(k: usize, statuses: &[Status]) -> Status {
    let met = statuses.iter().filter(|&&s| s == Status::Met).count();
    let possible = statuses.iter().filter(|&&s| s != Status::NotMet).count();
    if met >= k {
        Status::Met
    } else if possible < k {
        Status::NotMet
    } else {
        Status::Unknown
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_never_decides_alone() {
        assert_eq!(Status::Unknown.and(Status::Met), Status::Unknown);
        assert_eq!(Status::Unknown.and(Status::NotMet), Status::NotMet);
        assert_eq!(Status::Unknown.or(Status::Met), Status::Met);
        assert_eq!(Status::Unknown.or(Status::NotMet), Status::Unknown);
        assert_eq!(
            at_least(2, &[Status::Met, Status::Unknown, Status::NotMet]),
            Status::Unknown
        );
        assert_eq!(
            at_least(2, &[Status::Met, Status::NotMet, Status::NotMet]),
            Status::NotMet
        );
        assert_eq!(
            at_least(2, &[Status::Met, Status::Met, Status::Unknown]),
            Status::Met
        );
    }
}
