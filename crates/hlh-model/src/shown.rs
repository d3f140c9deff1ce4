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
