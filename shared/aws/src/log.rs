//! Log values that cannot forge log lines.
//!
//! Strings that come from AWS or from events (service messages, resource ids, principals,
//! CloudTrail fields) are logged by the Lambda functions. The runtime's JSON formatter escapes
//! them; its text format (when `AWS_LAMBDA_LOG_FORMAT` is not `JSON`) writes them as they are,
//! so a line break in a value could start a line that looks like another event. [`OneLine`]
//! escapes control characters (and the Unicode line and paragraph separators) in both formats.

use std::fmt::{self, Write as _};

/// Displays its value with control characters escaped (`\n`, `\u{1b}`, ...): always one line.
///
/// ```
/// use vpce_reach_aws::OneLine;
/// assert_eq!(OneLine("a\nb\u{1b}[31m").to_string(), r"a\nb\u{1b}[31m");
/// ```
#[derive(Debug, Clone, Copy)]
pub struct OneLine<T>(pub T);

impl<T: fmt::Display> fmt::Display for OneLine<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let text = self.0.to_string();
        for c in text.chars() {
            if c.is_control() || matches!(c, '\u{2028}' | '\u{2029}') {
                write!(f, "{}", c.escape_debug())?;
            } else {
                f.write_char(c)?;
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_breaks_and_escapes_are_escaped() {
        let forged = "denied\nERROR forged event\r\u{85}\u{2028}\t\u{1b}[2J";
        let text = OneLine(forged).to_string();
        assert!(!text.chars().any(|c| c.is_control()), "{text}");
        assert_eq!(
            text,
            r"denied\nERROR forged event\r\u{85}\u{2028}\t\u{1b}[2J"
        );
    }

    #[test]
    fn ordinary_text_is_unchanged() {
        let text = "EC2 DescribeVpcs failed (vpc-0abc, été): not authorized";
        assert_eq!(OneLine(text).to_string(), text);
    }
}
