//! Enumerations whose values are written as fixed words in study files.

/// Declares an enum of values spelled as words in CSV files and JSON, with `ALL`, `name()` (the canonical
/// spelling), `from_name()` (case-insensitive, blanks trimmed, canonical spelling or a listed alias) and
/// `Display`. The declaration order is the order of `ALL`.
macro_rules! spelled_enum {
    (
        $(#[$meta:meta])*
        pub enum $name:ident {
            $( $(#[$variant_meta:meta])* $variant:ident => $spelling:literal $(| $alias:literal)* , )+
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum $name {
            $( $(#[$variant_meta])* $variant, )+
        }

        impl $name {
            /// Every value, in declaration order.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The canonical spelling, as written in study files and JSON output.
            pub fn name(self) -> &'static str {
                match self {
                    $( $name::$variant => $spelling, )+
                }
            }

            /// Reads a spelling: case-insensitive, surrounding blanks ignored, aliases accepted.
            pub fn from_name(text: &str) -> Option<$name> {
                let text = text.trim();
                $(
                    if text.eq_ignore_ascii_case($spelling) $(|| text.eq_ignore_ascii_case($alias))* {
                        return Some($name::$variant);
                    }
                )+
                None
            }

            /// The canonical spellings joined for a message ("a, b or c").
            pub fn expected_list() -> String {
                $crate::spelled_enum::join_alternatives(Self::ALL.iter().map(|value| value.name()))
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.name())
            }
        }
    };
}

pub(crate) use spelled_enum;

/// Joins words as "a, b or c" for the "expected …" part of a diagnostic.
pub fn join_alternatives<'a>(words: impl IntoIterator<Item = &'a str>) -> String {
    let words: Vec<&str> = words.into_iter().collect();
    match words.split_last() {
        None => String::new(),
        Some((last, [])) => (*last).to_string(),
        Some((last, rest)) => format!("{} or {last}", rest.join(", ")),
    }
}

#[cfg(test)]
mod tests {
    use super::join_alternatives;

    #[test]
    fn joins_alternatives_in_prose() {
        assert_eq!(join_alternatives([]), "");
        assert_eq!(join_alternatives(["M"]), "M");
        assert_eq!(join_alternatives(["M", "F"]), "M or F");
        assert_eq!(join_alternatives(["M", "F", "U"]), "M, F or U");
    }
}
