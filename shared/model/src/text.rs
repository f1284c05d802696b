//! Texts of findings and hops, built in one allocation.
//!
//! A large check writes tens of thousands of findings, each a few hundred bytes of
//! interpolated ids, addresses and rule texts. `format!` sizes its buffer from the literal
//! pieces only (so long texts grow through several reallocations) and formats each argument
//! through padding checks; these texts need neither, so they are concatenated into a buffer
//! of the exact size.

use std::net::Ipv4Addr;
use std::sync::Arc;

/// The pieces, concatenated into a string of exactly their length.
pub(crate) fn concat(pieces: &[&str]) -> String {
    let mut text = String::with_capacity(pieces.iter().map(|p| p.len()).sum());
    for piece in pieces {
        text.push_str(piece);
    }
    text
}

/// A part of a text: a string, or a list joined with a separator.
#[derive(Clone, Copy)]
pub(crate) enum Piece<'a> {
    Str(&'a str),
    Joined(&'a [String], &'a str),
    /// As `Joined`, for shared texts.
    JoinedShared(&'a [Arc<str>], &'a str),
    /// As `Joined`, for borrowed texts.
    JoinedStrs(&'a [&'a str], &'a str),
}

/// The pieces, joined lists expanded, in a string of exactly their length.
pub(crate) fn build(pieces: &[Piece]) -> String {
    let len = |p: &Piece| match p {
        Piece::Str(s) => s.len(),
        Piece::Joined(items, sep) => joined_len(items, sep),
        Piece::JoinedShared(items, sep) => joined_len(items, sep),
        Piece::JoinedStrs(items, sep) => joined_len(items, sep),
    };
    let mut text = String::with_capacity(pieces.iter().map(len).sum());
    for piece in pieces {
        match piece {
            Piece::Str(s) => text.push_str(s),
            Piece::Joined(items, sep) => push_joined(&mut text, items, sep),
            Piece::JoinedShared(items, sep) => push_joined(&mut text, items, sep),
            Piece::JoinedStrs(items, sep) => push_joined(&mut text, items, sep),
        }
    }
    text
}

fn joined_len(items: &[impl AsRef<str>], sep: &str) -> usize {
    items.iter().map(|i| i.as_ref().len()).sum::<usize>()
        + sep.len() * items.len().saturating_sub(1)
}

fn push_joined(text: &mut String, items: &[impl AsRef<str>], sep: &str) {
    for (i, item) in items.iter().enumerate() {
        if i > 0 {
            text.push_str(sep);
        }
        text.push_str(item.as_ref());
    }
}

/// A CIDR block as `a.b.c.d/len` (the network address, host bits cleared).
pub(crate) fn cidr(net: ipnet::Ipv4Net) -> String {
    let len = net.prefix_len();
    let digits = [b'0' + len / 10, b'0' + len % 10];
    let digits =
        std::str::from_utf8(if len >= 10 { &digits } else { &digits[1..] }).expect("ASCII digits");
    concat(&[IpText::new(net.network()).as_str(), "/", digits])
}

/// An IPv4 address in dotted decimal, on the stack.
#[derive(Clone, Copy)]
pub(crate) struct IpText {
    buf: [u8; 15],
    len: u8,
}

impl IpText {
    pub(crate) fn new(ip: Ipv4Addr) -> Self {
        let mut text = IpText {
            buf: [0; 15],
            len: 0,
        };
        for (i, octet) in ip.octets().into_iter().enumerate() {
            if i > 0 {
                text.push(b'.');
            }
            if octet >= 100 {
                text.push(b'0' + octet / 100);
            }
            if octet >= 10 {
                text.push(b'0' + octet / 10 % 10);
            }
            text.push(b'0' + octet % 10);
        }
        text
    }

    fn push(&mut self, byte: u8) {
        self.buf[self.len as usize] = byte;
        self.len += 1;
    }

    pub(crate) fn as_str(&self) -> &str {
        std::str::from_utf8(&self.buf[..self.len as usize]).expect("digits and dots are ASCII")
    }
}

/// `tcp/443` or `tcp/443,80`: how findings word an endpoint's service ports.
pub(crate) fn traffic_label(ports: &[u16]) -> String {
    let ports: Vec<String> = ports.iter().map(u16::to_string).collect();
    format!("tcp/{}", ports.join(","))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn build_expands_lists() {
        let items = ["a".to_string(), "b".to_string()];
        let text = build(&[
            Piece::Str("x "),
            Piece::Joined(&items, ", "),
            Piece::Joined(&[], "-"),
            Piece::Str("!"),
        ]);
        assert_eq!(text, "x a, b!");
        assert_eq!(text.capacity(), text.len());
    }

    #[test]
    fn concat_joins_exactly() {
        let text = concat(&["a", "", "bc", " d"]);
        assert_eq!(text, "abc d");
        assert_eq!(text.capacity(), 5);
    }

    proptest! {
        #[test]
        fn ip_text_matches_std(ip in any::<u32>(), len in 0u8..=32) {
            let ip = Ipv4Addr::from(ip);
            let text = IpText::new(ip);
            prop_assert_eq!(text.as_str(), ip.to_string());
            let net = ipnet::Ipv4Net::new(ip, len).unwrap();
            prop_assert_eq!(cidr(net), net.trunc().to_string());
        }
    }
}
