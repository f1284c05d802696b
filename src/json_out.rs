//! `check --format json`, written as it is serialised: no document-sized string is built (the
//! large synthetic account's report is 6 MB), and every character a terminal must not get raw
//! is escaped on the way out.

use std::io::{self, Write};

use serde::Serialize;
use serde_json::ser::{Formatter, PrettyFormatter};
use vpce_reach_model::is_unsafe;

/// Writes `value` as pretty JSON followed by a newline into `out`, with every
/// [`is_unsafe`] character inside strings written `\uXXXX`.
pub fn write_pretty<T: Serialize, W: Write>(out: W, value: &T) -> io::Result<()> {
    let mut ser = serde_json::Serializer::with_formatter(out, Inert(PrettyFormatter::new()));
    // serde_json wraps the writer's errors: give back the io error itself (its kind says
    // whether the reader closed the pipe).
    value
        .serialize(&mut ser)
        .map_err(|e| match e.io_error_kind() {
            Some(kind) => io::Error::new(kind, e),
            None => io::Error::other(e),
        })?;
    let mut out = ser.into_inner();
    out.write_all(b"\n")?;
    out.flush()
}

/// serde's pretty formatter, except for string contents: serde escapes only the C0 controls;
/// DEL, the C1 controls and the bidirectional formatting characters it writes raw. All of them
/// are in the BMP, so `\uXXXX` is the same JSON value, inert on a terminal.
struct Inert<'a>(PrettyFormatter<'a>);

impl Formatter for Inert<'_> {
    fn write_string_fragment<W: ?Sized + Write>(
        &mut self,
        writer: &mut W,
        fragment: &str,
    ) -> io::Result<()> {
        let mut rest = fragment;
        while let Some((at, c)) = first_unsafe(rest) {
            writer.write_all(&rest.as_bytes()[..at])?;
            write!(writer, "\\u{:04x}", u32::from(c))?;
            rest = &rest[at + c.len_utf8()..];
        }
        writer.write_all(rest.as_bytes())
    }

    // The pretty layout: delegated.
    fn begin_array<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.0.begin_array(w)
    }
    fn end_array<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.0.end_array(w)
    }
    fn begin_array_value<W: ?Sized + Write>(&mut self, w: &mut W, first: bool) -> io::Result<()> {
        self.0.begin_array_value(w, first)
    }
    fn end_array_value<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.0.end_array_value(w)
    }
    fn begin_object<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.0.begin_object(w)
    }
    fn end_object<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.0.end_object(w)
    }
    fn begin_object_key<W: ?Sized + Write>(&mut self, w: &mut W, first: bool) -> io::Result<()> {
        self.0.begin_object_key(w, first)
    }
    fn begin_object_value<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.0.begin_object_value(w)
    }
    fn end_object_value<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.0.end_object_value(w)
    }
}

/// The first [`is_unsafe`] character of `text` and its byte offset. Printable ASCII, nearly
/// all of a report, is skipped byte by byte without decoding a character: every unsafe
/// character is an ASCII control or DEL, or outside ASCII.
fn first_unsafe(text: &str) -> Option<(usize, char)> {
    let bytes = text.as_bytes();
    let mut from = 0;
    while let Some(skip) = bytes[from..]
        .iter()
        .position(|&b| !(0x20..0x7f).contains(&b))
    {
        let at = from + skip;
        let c = text[at..].chars().next()?;
        if is_unsafe(c) {
            return Some((at, c));
        }
        from = at + c.len_utf8();
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn written<T: Serialize>(value: &T) -> String {
        let mut out = Vec::new();
        write_pretty(&mut out, value).unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn the_layout_is_serde_json_pretty_plus_a_newline() {
        let value = serde_json::json!({"a": [1, {"b": "c"}], "d": []});
        let expected = serde_json::to_string_pretty(&value).unwrap() + "\n";
        assert_eq!(written(&value), expected);
    }

    #[test]
    fn unsafe_characters_are_escaped_and_the_value_is_unchanged() {
        let text = "a\u{1b}[31m\u{7f}\u{85}\u{202e}b\nc\u{e9}";
        let out = written(&serde_json::json!({ "k": text }));
        assert!(out.contains(r"a\u001b[31m\u007f\u0085\u202eb\nc"), "{out}");
        assert!(out.contains('\u{e9}'), "other characters stay raw: {out}");
        assert!(!out.chars().any(|c| is_unsafe(c) && c != '\n'), "{out}");
        let back: serde_json::Value = serde_json::from_str(&out).unwrap();
        assert_eq!(back["k"], text);
    }
}
