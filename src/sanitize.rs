//! Text from outside the user's keyboard — logs, events, annotations, build output, model
//! replies, error messages from servers — made safe to print on a terminal: C0 and C1 control
//! characters (escape sequences that could move the cursor, retitle the window or rewrite an
//! approval question) are replaced, newlines and tabs kept.

/// The replacement for a control character: visible, and never part of a sequence.
const REPLACEMENT: char = '\u{FFFD}';

/// `text` with every control character except `\n` and `\t` replaced by U+FFFD. A lone `\r`
/// is replaced too (it would let a line overwrite itself); `\r\n` becomes `\n`.
pub fn terminal(text: &str) -> String {
    if !text.chars().any(needs_replacing) {
        return text.to_string();
    }
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\r' if chars.peek() == Some(&'\n') => {}
            c if needs_replacing(c) => out.push(REPLACEMENT),
            c => out.push(c),
        }
    }
    out
}

/// `text` on one line: [`terminal`], with newlines and tabs as spaces (for values shown inside
/// a sentence, such as a name in an error).
pub fn one_line(text: &str) -> String {
    terminal(text).replace(['\n', '\t'], " ")
}

fn needs_replacing(c: char) -> bool {
    // C0 (except tab and newline), DEL, C1; plus the Unicode bidi overrides and isolates,
    // which can make text read in a different order than it is.
    (c.is_control() && c != '\n' && c != '\t')
        || matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{200E}' | '\u{200F}')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_and_controls_are_replaced() {
        assert_eq!(terminal("ok\n\tindented"), "ok\n\tindented");
        assert_eq!(terminal("a\u{1b}]0;owned\u{7}b"), "a\u{FFFD}]0;owned\u{FFFD}b");
        assert_eq!(terminal("line\r\nnext"), "line\nnext");
        assert_eq!(terminal("over\rwrite"), "over\u{FFFD}write");
        assert_eq!(terminal("\u{9b}31m"), "\u{FFFD}31m");
        assert_eq!(terminal("\u{202E}txt"), "\u{FFFD}txt");
        assert_eq!(terminal("plain"), "plain");
        assert_eq!(one_line("a\nb\tc"), "a b c");
    }
}
