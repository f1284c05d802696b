//! Untrusted text made inert before it reaches a terminal, a log line or an e-mail.
//!
//! Ids, tags, descriptions and file names come from the snapshot, and anyone allowed to call
//! `ec2:CreateTags` (or to write a file in a snapshot directory) chooses them. Printed raw, an
//! ANSI escape sequence can recolour or rewrite a terminal, a carriage return or line feed can
//! forge a line of a report or an e-mail, and a bidirectional override can make `sg-1` read as
//! something else. [`inert`] replaces each such character by a visible escape, so the text
//! shows exactly what it holds and nothing more.
//!
//! JSON output needs none of this: serde escapes control characters itself.

use std::borrow::Cow;
use std::fmt::Write;

/// True for a character that must not reach a terminal raw: every Unicode control character
/// (C0, DEL, C1: `char::is_control`), the line and paragraph separators, and the invisible
/// bidirectional formatting characters (embeddings, overrides, isolates and marks).
pub fn is_unsafe(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{061C}'              // Arabic letter mark
            | '\u{200E}'..='\u{200F}' // left-to-right and right-to-left marks
            | '\u{2028}'..='\u{2029}' // line and paragraph separators
            | '\u{202A}'..='\u{202E}' // embeddings and overrides
            | '\u{2066}'..='\u{2069}' // isolates
        )
}

/// `text` with every [`is_unsafe`] character replaced by a visible escape: `\n`, `\r` and `\t`
/// for the usual three, `\u{1b}` (Rust's own notation) for the others. Everything else,
/// backslashes included, is unchanged, so text without such characters comes back as it is,
/// borrowed.
///
/// ```
/// use vpce_reach_model::inert;
/// assert_eq!(inert("web-1"), "web-1");
/// assert_eq!(inert("a\u{1b}[31mred\nb"), "a\\u{1b}[31mred\\nb");
/// ```
pub fn inert(text: &str) -> Cow<'_, str> {
    let Some(first) = text.find(is_unsafe) else {
        return Cow::Borrowed(text);
    };
    let mut out = String::with_capacity(text.len() + 8);
    out.push_str(&text[..first]);
    for c in text[first..].chars() {
        match c {
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if is_unsafe(c) => {
                let _ = write!(out, "\\u{{{:x}}}", u32::from(c));
            }
            c => out.push(c),
        }
    }
    Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn escapes_what_a_terminal_would_obey() {
        assert_eq!(inert("a\u{1b}[2Jb"), "a\\u{1b}[2Jb");
        assert_eq!(inert("x\r\ny\tz"), "x\\r\\ny\\tz");
        assert_eq!(inert("\u{9b}31m"), "\\u{9b}31m");
        assert_eq!(inert("sg-\u{202E}1gs"), "sg-\\u{202e}1gs");
        assert_eq!(inert("\u{7f}"), "\\u{7f}");
        assert_eq!(inert("é ü 日本 \\n"), "é ü 日本 \\n");
    }

    proptest! {
        #[test]
        fn output_holds_no_unsafe_character(text in any::<String>()) {
            let out = inert(&text);
            prop_assert!(!out.chars().any(is_unsafe), "{out:?}");
        }

        #[test]
        fn safe_text_is_unchanged_and_borrowed(text in "[^\\p{Cc}\u{061C}\u{200E}\u{200F}\u{2028}\u{2029}\u{202A}-\u{202E}\u{2066}-\u{2069}]*") {
            let out = inert(&text);
            prop_assert!(matches!(out, Cow::Borrowed(_)));
            prop_assert_eq!(out, text.as_str());
        }

        #[test]
        fn safe_characters_survive_in_order(text in any::<String>()) {
            let kept: String = text.chars().filter(|c| !is_unsafe(*c)).collect();
            let out = inert(&text);
            let mut rest = out.as_ref();
            for c in kept.chars() {
                let at = rest.find(c);
                prop_assert!(at.is_some(), "{c:?} lost in {out:?}");
                rest = &rest[at.unwrap() + c.len_utf8()..];
            }
        }
    }
}
