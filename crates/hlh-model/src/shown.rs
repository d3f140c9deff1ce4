//! How a value written by a user is quoted back in a message.

/// How many characters of a cell a message shows; longer cells are cut with an ellipsis so that a
/// megabyte-long cell cannot flood the terminal.
const MAX_SHOWN_VALUE_CHARS: usize = 80;

/// Cuts a cell for display.
pub fn shown_value(value: &str) -> String {
    if value.chars().count() <= MAX_SHOWN_VALUE_CHARS {
        value.to_string()
    } else {
        let cut: String = value.chars().take(MAX_SHOWN_VALUE_CHARS).collect();
        format!("{cut}…")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_values_are_cut_for_display() {
        let long = "x".repeat(10_000);
        let shown = shown_value(&long);
        assert_eq!(shown.chars().count(), MAX_SHOWN_VALUE_CHARS + 1);
        assert!(shown.ends_with('…'));
        assert_eq!(shown_value("3,5"), "3,5");
    }
}
