//! Text from the snapshot made safe in HTML. Ids, tags, descriptions and file names are chosen
//! by whoever may call `ec2:CreateTags` or write a snapshot file: in a page, a `<script>` in a
//! tag must stay text, and a `"` must not end an attribute. Every such text goes through
//! [`Esc`]: first [`inert`] (control and bidirectional characters shown as escapes, as on a
//! terminal; C0 controls are not even allowed in HTML text), then the five characters HTML
//! gives a meaning to replaced by references. The result is safe both in element content and
//! in a double- or single-quoted attribute value, and it is well-formed XML too (the tests parse
//! the page as XML).

use std::fmt;

use vpce_reach_model::inert;

/// `text`, escaped when formatted (`{}`).
pub struct Esc<'a>(pub &'a str);

impl fmt::Display for Esc<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let text = inert(self.0);
        let mut rest = &*text;
        while let Some(at) = rest.find(['&', '<', '>', '"', '\'']) {
            f.write_str(&rest[..at])?;
            f.write_str(match rest.as_bytes()[at] {
                b'&' => "&amp;",
                b'<' => "&lt;",
                b'>' => "&gt;",
                b'"' => "&quot;",
                _ => "&#39;",
            })?;
            rest = &rest[at + 1..];
        }
        f.write_str(rest)
    }
}

#[cfg(test)]
mod tests {
    use super::Esc;

    #[test]
    fn markup_and_quotes_become_references() {
        assert_eq!(
            Esc(r#"<script>alert("x" & 'y')</script>"#).to_string(),
            "&lt;script&gt;alert(&quot;x&quot; &amp; &#39;y&#39;)&lt;/script&gt;"
        );
    }

    #[test]
    fn plain_text_is_unchanged_and_controls_are_inert() {
        assert_eq!(
            Esc("sg-0b3a8e6d2f5c94a17").to_string(),
            "sg-0b3a8e6d2f5c94a17"
        );
        assert_eq!(
            Esc("a\u{1b}[31m\u{202e}b").to_string(),
            "a\\u{1b}[31m\\u{202e}b"
        );
    }
}
