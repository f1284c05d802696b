//! An alert's message cut to fit SNS. The counts of listed findings, changes and principals
//! are capped by the renderer, but not their sizes: a long finding text, a change naming
//! thousands of resources or long principal ARNs could exceed SNS's limit, the `Publish` would
//! fail, the records would be retried into the dead-letter queue and the alert lost. So every
//! line is capped, then the message, at a line boundary, each cut saying what it left out.
//! Cuts never split a UTF-8 character.

/// SNS's limit for one message, in bytes (256 KiB); message attributes count towards it.
pub const SNS_MAX_MESSAGE_BYTES: usize = 262_144;

/// Left for what else counts towards the limit: the `vpc_id` message attribute (its name,
/// type and value: tens of bytes) with a wide margin.
const RESERVED_BYTES: usize = 1_024;

/// The most bytes of an alert's message.
pub const MAX_MESSAGE_BYTES: usize = SNS_MAX_MESSAGE_BYTES - RESERVED_BYTES;

/// The most bytes of one line (its line break excluded): a single long text cannot crowd the
/// rest of the alert out. A principal ARN is at most ~2 KB, a finding's line far less.
pub const MAX_LINE_BYTES: usize = 4_096;

/// `message` with every line at most [`MAX_LINE_BYTES`] and the whole at most
/// [`MAX_MESSAGE_BYTES`] bytes.
pub fn fit_message(message: &str) -> String {
    fit(message, MAX_MESSAGE_BYTES, MAX_LINE_BYTES)
}

/// `message` cut to `max_bytes`, each line first cut to `max_line` bytes. Lines that do not
/// fit are replaced by one last line, `... N more lines not shown (...)`.
pub fn fit(message: &str, max_bytes: usize, max_line: usize) -> String {
    let lines: Vec<String> = message
        .lines()
        .map(|line| cut_line(line, max_line))
        .collect();
    let total: usize = lines.iter().map(|l| l.len() + 1).sum();
    if total <= max_bytes {
        return join(&lines);
    }
    // Room for the last line, however many lines it counts.
    let reserve = more_lines(lines.len()).len() + 1;
    let room = max_bytes.saturating_sub(reserve);
    let mut out = String::new();
    let mut kept = 0;
    for line in &lines {
        if out.len() + line.len() + 1 > room {
            break;
        }
        out.push_str(line);
        out.push('\n');
        kept += 1;
    }
    out.push_str(&more_lines(lines.len() - kept));
    out.push('\n');
    if out.len() > max_bytes {
        // Only for a cap smaller than the last line itself; all of it is ASCII.
        out.truncate(floor_char_boundary(&out, max_bytes));
    }
    out
}

/// The line that replaces `n` cut lines.
fn more_lines(n: usize) -> String {
    format!(
        "... {n} more lines not shown: the alert was cut to fit SNS's 256 KB message limit. \
         The AWS Config rule of vpce-reach reports the whole VPC."
    )
}

/// `line` if it has at most `max` bytes, else its start (at a character boundary) and
/// ` ... N more bytes`, at most `max` bytes in all.
fn cut_line(line: &str, max: usize) -> String {
    if line.len() <= max {
        return line.to_owned();
    }
    let marker = |n: usize| format!(" ... {n} more bytes");
    // The marker's length with the largest count it can show.
    let keep = floor_char_boundary(line, max.saturating_sub(marker(line.len()).len()));
    format!("{}{}", &line[..keep], marker(line.len() - keep))
}

/// The largest index `<= at` that is a character boundary of `text`.
fn floor_char_boundary(text: &str, at: usize) -> usize {
    let mut at = at.min(text.len());
    while !text.is_char_boundary(at) {
        at -= 1;
    }
    at
}

fn join(lines: &[String]) -> String {
    let mut out = String::with_capacity(lines.iter().map(|l| l.len() + 1).sum());
    for line in lines {
        out.push_str(line);
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_message_that_fits_is_unchanged() {
        let message = "A change broke paths.\n\nWho:\n  alice\n";
        assert_eq!(fit_message(message), message);
    }

    #[test]
    fn a_long_line_is_cut_at_a_character_boundary() {
        // "é" is 2 bytes: a cut at an odd byte count would split one.
        let line = format!("  x{}", "é".repeat(100));
        let cut = cut_line(&line, 51);
        assert!(cut.len() <= 51, "{cut}");
        let (kept, marker) = cut.split_once(" ... ").unwrap();
        assert!(line.starts_with(kept), "{cut}");
        let left = line.len() - kept.len();
        assert_eq!(marker, format!("{left} more bytes"));
        assert_eq!(cut_line("short", 51), "short");
    }

    #[test]
    fn too_many_lines_are_cut_at_a_line_boundary_and_counted() {
        let lines: Vec<String> = (0..1000).map(|i| format!("  line {i} ü")).collect();
        let message = join(&lines);
        let out = fit(&message, 2_000, 100);
        assert!(out.len() <= 2_000, "{}", out.len());
        let kept: Vec<&str> = out.lines().collect();
        let (last, kept) = kept.split_last().unwrap();
        assert_eq!(kept, &lines[..kept.len()], "whole lines, in order");
        assert_eq!(
            *last,
            more_lines(1000 - kept.len()),
            "the last line counts the cut ones"
        );
        assert!(kept.len() > 100, "the room is used: {}", kept.len());
    }

    #[test]
    fn the_cap_holds_for_any_size() {
        let message = "ab\u{1F600}c\n".repeat(50);
        for max in 0..400 {
            let out = fit(&message, max, 30);
            assert!(out.len() <= max, "{max}: {}", out.len());
        }
    }
}
