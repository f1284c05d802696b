//! Texts of findings and hops, built in one allocation.
//!
//! `format!` sizes its buffer from the literal pieces of the format string only, so a finding
//! detail of a few hundred bytes grows through several reallocations; a large check writes
//! tens of thousands of them. [`sized!`] takes the expected length up front.

/// `format!` with the buffer sized to `$capacity` bytes first.
macro_rules! sized {
    ($capacity:expr, $($arg:tt)*) => {{
        use std::fmt::Write as _;
        let mut text = String::with_capacity($capacity);
        // Writing to a String cannot fail.
        let _ = text.write_fmt(format_args!($($arg)*));
        text
    }};
}

pub(crate) use sized;

/// Room for the dynamic parts: the lengths of the strings interpolated, plus `extra` for
/// literal text, numbers and addresses.
pub(crate) fn room(parts: &[&str], extra: usize) -> usize {
    parts.iter().map(|p| p.len()).sum::<usize>() + extra
}

#[cfg(test)]
mod tests {
    #[test]
    fn sized_formats_like_format() {
        let text = sized!(4, "{} and {:>4}", "words", 7);
        assert_eq!(text, format!("{} and {:>4}", "words", 7));
        assert_eq!(super::room(&["ab", "cde"], 10), 15);
    }
}
