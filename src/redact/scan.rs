//! The scanner behind [`super::text`]: one left-to-right pass that reads the key/value
//! structure of log lines and commands — `KEY=value`, `key: value`, JSON (`"key":"value"`,
//! also escaped inside another JSON string), `k=v` lists joined by `,` `&` `;`, `--flag
//! value`, `<key>value</key>`, `Authorization: Bearer …`, `scheme://user:password@host`,
//! `{"name":"DB_PASS","value":"…"}` — plus vendor tokens anywhere and high-entropy tokens
//! near a secret-like word.
//!
//! Every byte is looked at a bounded number of times (a failed look-ahead is never longer
//! than what the main loop then reads anyway), so hostile input costs linear time. A mask
//! is inert on a second pass, which makes redaction idempotent.

use super::MASK;
use super::keys::is_secret_key;
use super::tokens::{self, Found};

/// How many words after a secret-like word (`token`, `key`, an AWS key id) are checked for a
/// high-entropy token.
const WINDOW: u8 = 3;

/// `Authorization` schemes whose next word is the credential.
const AUTH_SCHEMES: &[&str] = &["bearer", "basic", "token", "digest", "negotiate", "ntlm", "apikey", "sharedkey"];

/// Masks secrets in `input` (after PEM blocks were masked); `None` when there were none.
pub(super) fn redact(input: &str) -> Option<String> {
    let mut scanner = Scanner {
        text: input,
        bytes: input.as_bytes(),
        pos: 0,
        out: String::new(),
        copied: 0,
        window: 0,
        pending: false,
    };
    scanner.run();
    scanner.finish()
}

/// Bytes of a word: keys, values, tokens, paths.
fn is_word_byte(byte: u8) -> bool {
    byte.is_ascii_alphanumeric() || matches!(byte, b'_' | b'-' | b'.' | b'/' | b'+' | b'~' | b'%')
}

fn is_blank(byte: u8) -> bool {
    byte == b' ' || byte == b'\t'
}

/// A name that can be a key: a letter or `_`, then letters, digits, `_`, `.` and `-`.
fn is_key(key: &str) -> bool {
    let bytes = key.as_bytes();
    bytes.first().is_some_and(|byte| byte.is_ascii_alphabetic() || *byte == b'_')
        && bytes.iter().all(|byte| byte.is_ascii_alphanumeric() || matches!(byte, b'_' | b'.' | b'-'))
}

struct Scanner<'a> {
    text: &'a str,
    bytes: &'a [u8],
    pos: usize,
    /// The output so far; `text[copied..]` is still to be copied.
    out: String,
    copied: usize,
    /// Words left in which a high-entropy token counts as a secret.
    window: u8,
    /// `name: DB_PASS` was just read: if the next key is `value`, its value is the secret.
    pending: bool,
}

impl Scanner<'_> {
    fn run(&mut self) {
        while let Some(&byte) = self.bytes.get(self.pos) {
            if is_word_byte(byte) {
                self.word();
                continue;
            }
            match byte {
                b'\n' => {
                    self.window = 0;
                    self.pos += 1;
                }
                // `\n` inside a JSON string ends a line too; `\"` is an escaped quote.
                b'\\' => match self.bytes.get(self.pos + 1) {
                    Some(b'n' | b'r') => {
                        self.window = 0;
                        self.pos += 2;
                    }
                    Some(b't') => self.pos += 2,
                    _ => self.pos += 1,
                },
                // An earlier mask: inert.
                b'[' if self.at_mask(self.pos) => self.pos += MASK.len(),
                _ => self.pos += 1,
            }
        }
    }

    fn finish(mut self) -> Option<String> {
        if self.copied == 0 {
            return None;
        }
        self.out.push_str(&self.text[self.copied..]);
        Some(self.out)
    }

    fn at_mask(&self, index: usize) -> bool {
        self.bytes.get(index..).is_some_and(|rest| rest.starts_with(MASK.as_bytes()))
    }

    /// Replaces `start..end` with the mask (nothing when it already is the mask). Spans
    /// start and end on ASCII bytes or at the end; they are widened to character boundaries
    /// anyway, so a mistake masks a little more rather than panicking.
    fn mask(&mut self, start: usize, end: usize) {
        let mut start = start.max(self.copied);
        let mut end = end.min(self.text.len());
        while !self.text.is_char_boundary(start) {
            start -= 1;
        }
        while !self.text.is_char_boundary(end) {
            end += 1;
        }
        if end <= start || &self.bytes[start..end] == MASK.as_bytes() {
            return;
        }
        if self.out.capacity() == 0 {
            self.out.reserve(self.text.len());
        }
        self.out.push_str(&self.text[self.copied..start]);
        self.out.push_str(MASK);
        self.copied = end;
    }

    fn skip_blanks(&self, mut index: usize) -> usize {
        while self.bytes.get(index).is_some_and(|byte| is_blank(*byte)) {
            index += 1;
        }
        index
    }

    /// One word: vendor tokens inside it are masked; what follows the last token is then
    /// read as a URL scheme, a key, an auth scheme or a plain word.
    fn word(&mut self) {
        let start = self.pos;
        let end = start + self.bytes[start..].iter().take_while(|byte| is_word_byte(**byte)).count();
        // An Azure storage key (86 base64 bytes and `==`) can only end where the word does.
        let storage_key = (self.bytes[end..].starts_with(b"==") && end - start >= 86).then(|| end - 86);
        let mut tail = start;
        let mut index = start;
        while index < end {
            if Some(index) == storage_key
                && (index == tail
                    || !matches!(self.bytes[index - 1], b'+') && !self.bytes[index - 1].is_ascii_alphanumeric())
                && let Some(token_end) = tokens::azure_storage_key(&self.bytes[index..]).map(|length| index + length)
            {
                self.segment(tail, index);
                self.mask(index, token_end);
                tail = token_end;
                index = token_end;
                continue;
            }
            // Tokens start where a word does: not inside one (`desk-…` is no `sk-` key).
            let previous = if index == tail { None } else { Some(self.bytes[index - 1]) };
            let boundary = previous.is_none_or(|byte| !byte.is_ascii_alphanumeric());
            if boundary && let Some((token_end, found)) = tokens::known_token(self.bytes, index, previous) {
                self.segment(tail, index);
                self.mask(index, token_end);
                if found == Found::AwsKeyId {
                    self.window = WINDOW;
                }
                tail = token_end;
                index = token_end;
            } else {
                index += 1;
            }
        }
        self.pos = end.max(tail);
        if tail >= end {
            return;
        }
        // What a second pass sees as a word of its own after the mask: read it the same way.
        if self.bytes[end..].starts_with(b"://") && self.url(end) {
            return;
        }
        if self.key_value(tail, end) || self.auth_scheme(tail, end) {
            return;
        }
        self.segment(tail, end);
    }

    /// A plain part of a word: masked when a secret-like word came just before and it looks
    /// random; a secret-like word opens the window for the next ones.
    fn segment(&mut self, start: usize, end: usize) {
        if start >= end {
            return;
        }
        let word = &self.bytes[start..end];
        if self.window > 0 {
            if tokens::high_entropy(word) {
                self.mask(start, end);
                return;
            }
            self.window -= 1;
        }
        let name = self.text.get(start..end).unwrap_or_default();
        if is_secret_key(name) || name.eq_ignore_ascii_case("key") || name.eq_ignore_ascii_case("keys") {
            self.window = WINDOW;
        }
    }

    /// `scheme://user:password@host`: masks the password (and a user that is a token).
    fn url(&mut self, end: usize) -> bool {
        let authority = end + 3;
        let mut at = None;
        let mut index = authority;
        while let Some(&byte) = self.bytes.get(index) {
            // A mask this scanner left (`user:[REDACTED]@host`) is part of the userinfo; any
            // other `[` ends it, so a second pass reads the same authority as the first.
            if byte == b'[' && self.at_mask(index) && matches!(self.bytes.get(index + MASK.len()), Some(b'@' | b':')) {
                index += MASK.len();
                continue;
            }
            if matches!(byte, b'/' | b'?' | b'#' | b'"' | b'\'' | b'`' | b'<' | b'>' | b'\\' | b'[')
                || byte.is_ascii_whitespace()
            {
                break;
            }
            if byte == b'@' {
                at = Some(index);
            }
            index += 1;
        }
        let Some(at) = at else { return false };
        let userinfo = &self.bytes[authority..at];
        let user_end = userinfo.iter().position(|byte| *byte == b':').map_or(at, |colon| authority + colon);
        if self.credential_like(authority, user_end) {
            self.mask(authority, user_end);
        }
        if user_end < at {
            self.mask(user_end + 1, at);
        }
        self.pos = at + 1;
        true
    }

    /// A URL's user part that is itself a credential (`https://ghp_…@github.com`).
    fn credential_like(&self, start: usize, end: usize) -> bool {
        let part = &self.bytes[start..end];
        tokens::known_token(self.bytes, start, None).is_some_and(|(token_end, _)| token_end >= end)
            || tokens::high_entropy(part)
    }

    /// `key=value`, `key: value`, `"key": "value"`, `--key value`, `<key>value</key>` with a
    /// secret key: masks the value. Returns whether it consumed anything.
    fn key_value(&mut self, start: usize, end: usize) -> bool {
        let bytes = self.bytes;
        let Some(word) = self.text.get(start..end) else { return false };
        let key = word.trim_start_matches('-');
        if !is_key(key) {
            return false;
        }
        let flag = key.len() < word.len();
        if start > 0 && bytes[start - 1] == b'<' && bytes.get(end) == Some(&b'>') {
            if !is_secret_key(key) {
                return false;
            }
            self.segment(start, end);
            let value_end = end + 1 + bytes[end + 1..].iter().take_while(|byte| !matches!(byte, b'<' | b'\n')).count();
            self.mask(end + 1, value_end);
            self.pos = value_end;
            self.window = WINDOW;
            return true;
        }
        // The key's closing quote (`"key"`, `'key'`, `\"key\"`), blanks, a separator.
        let mut after_key = end;
        if bytes[end..].starts_with(b"\\\"") || bytes[end..].starts_with(b"\\'") {
            after_key += 2;
        } else if matches!(bytes.get(end), Some(b'"' | b'\'')) {
            after_key += 1;
        }
        // Blanks before `=` (`password = x`), never before `:`: `volume "secret-vol" : secret
        // "x" not found` is an event message, not a key.
        let separator_at = self.skip_blanks(after_key);
        let mut separator = separator_length(&bytes[separator_at..]);
        if separator_at > after_key && bytes.get(separator_at) == Some(&b':') {
            separator = 0;
        }
        if separator == 0 {
            // `--password value`.
            let value = separator_at;
            let blanks = value > after_key;
            // Not the next flag (`--port`, `-p 80`): a value may start with one `-`.
            let next_flag = bytes[value..].starts_with(b"--")
                || bytes.get(value) == Some(&b'-')
                    && bytes.get(value + 1).is_some_and(u8::is_ascii_alphabetic)
                    && bytes.get(value + 2).is_none_or(|byte| byte.is_ascii_whitespace());
            let starts_value = !next_flag && bytes.get(value).is_some_and(|byte| !matches!(byte, b'\n' | b'\r'));
            if !(flag && blanks && after_key == end && starts_value && is_secret_key(key)) {
                return false;
            }
            self.segment(start, end);
            let (content_start, content_end, next) = self.value_span(value);
            self.mask(content_start, content_end);
            self.pos = next;
            self.window = WINDOW;
            return true;
        }
        let value = self.skip_blanks(separator_at + separator);
        let pending = std::mem::take(&mut self.pending);
        if key.eq_ignore_ascii_case("name") {
            let (content_start, content_end, _) = self.value_span(value);
            self.pending = self.text.get(content_start..content_end).is_some_and(is_secret_key);
        }
        let secret = is_secret_key(key) || (pending && key.eq_ignore_ascii_case("value"));
        if !secret {
            return false;
        }
        self.segment(start, end);
        self.window = WINDOW;
        self.pos = value;
        match bytes.get(value) {
            // Nothing there, or structure whose own keys decide.
            None | Some(b'\n' | b'\r' | b'{') => return true,
            Some(b'[') if !self.at_mask(value) => return true,
            Some(b'\\') if matches!(bytes.get(value + 1), Some(b'n' | b'r')) => return true,
            _ => {}
        }
        // `Authorization: Bearer <credential>`: the scheme stays readable.
        let value = self.after_auth_scheme(value).unwrap_or(value);
        let (content_start, content_end, next) = self.value_span(value);
        if &bytes[content_start..content_end] != b"null" {
            self.mask(content_start, content_end);
        }
        self.pos = next;
        true
    }

    /// After an auth scheme word and its blanks, when `index` starts with one.
    fn after_auth_scheme(&self, index: usize) -> Option<usize> {
        let length =
            self.bytes[index..].iter().take_while(|byte| byte.is_ascii_alphanumeric() || **byte == b'-').count();
        let scheme = &self.bytes[index..index + length];
        if !AUTH_SCHEMES.iter().any(|candidate| scheme.eq_ignore_ascii_case(candidate.as_bytes())) {
            return None;
        }
        let credential = self.skip_blanks(index + length);
        let follows = self.bytes.get(credential).is_some_and(|byte| !matches!(byte, b'\n' | b'\r' | b'"' | b'\''));
        (credential > index + length && follows).then_some(credential)
    }

    /// A bare `Bearer <token>` or `Basic <base64 of user:password>` outside any key.
    fn auth_scheme(&mut self, start: usize, end: usize) -> bool {
        let word = &self.bytes[start..end];
        let bearer = word.eq_ignore_ascii_case(b"bearer");
        if !bearer && !word.eq_ignore_ascii_case(b"basic") {
            return false;
        }
        let credential = self.skip_blanks(end);
        if credential == end {
            return false;
        }
        let credential_end = self.unquoted_end(credential);
        let token = &self.bytes[credential..credential_end];
        let secret = if bearer {
            // Not the English "bearer token": a credential has capitals, digits or symbols.
            token.len() >= 20 || token.len() >= 8 && token.iter().any(|byte| !byte.is_ascii_lowercase())
        } else {
            tokens::basic_credentials(token)
        };
        if !secret {
            return false;
        }
        self.segment(start, end);
        self.mask(credential, credential_end);
        self.pos = credential_end;
        true
    }

    /// A value at `index`: (content start, content end, where scanning resumes). Quoted
    /// values end at their closing quote (or the line's end when it is missing), others at
    /// a blank, a quote, or a `,` `;` `&` `)` `}` that ends it.
    fn value_span(&self, index: usize) -> (usize, usize, usize) {
        let bytes = self.bytes;
        match bytes.get(index) {
            Some(b'"') => self.quoted(index + 1, b'"', true),
            Some(b'\'') => self.quoted(index + 1, b'\'', false),
            Some(b'\\') if matches!(bytes.get(index + 1), Some(b'"' | b'\'')) => self.escaped_quoted(index + 2),
            _ => {
                let end = self.unquoted_end(index);
                (index, end, end)
            }
        }
    }

    fn quoted(&self, start: usize, quote: u8, escapes: bool) -> (usize, usize, usize) {
        let mut index = start;
        while let Some(&byte) = self.bytes.get(index) {
            match byte {
                b'\n' => return (start, index, index),
                b'\\' if escapes => index += if self.bytes.get(index + 1) == Some(&b'\n') { 1 } else { 2 },
                _ if byte == quote => return (start, index, index + 1),
                _ => index += 1,
            }
        }
        let end = self.bytes.len();
        (start, end, end)
    }

    /// `\"value\"` inside a JSON string: ends at the next `\"` (or a bare `"`).
    fn escaped_quoted(&self, start: usize) -> (usize, usize, usize) {
        let mut index = start;
        while let Some(&byte) = self.bytes.get(index) {
            match byte {
                b'\n' | b'"' => return (start, index, index),
                b'\\' if matches!(self.bytes.get(index + 1), Some(b'"' | b'\'')) => return (start, index, index + 2),
                b'\\' if matches!(self.bytes.get(index + 1), Some(b'n' | b'r')) => return (start, index, index),
                _ => index += 1,
            }
        }
        let end = self.bytes.len();
        (start, end, end)
    }

    fn unquoted_end(&self, start: usize) -> usize {
        let bytes = self.bytes;
        let mut index = start;
        while let Some(&byte) = bytes.get(index) {
            match byte {
                b' ' | b'\t' | b'\n' | b'\r' | b'"' | b'\'' | b'`' | b'<' | b'>' => break,
                b'\\' if matches!(bytes.get(index + 1), Some(b'n' | b'r' | b't' | b'"' | b'\'')) => break,
                b',' | b';' | b'&' | b')' | b'}' if self.ends_value(index + 1) => break,
                _ => index += 1,
            }
        }
        index
    }

    /// Whether a `,` `;` `&` `)` `}` before `index` ends a value: at the end, before a blank,
    /// a quote or another closer, or before the next `key=`. (So `a,b` in a password stays
    /// whole and `password=x,user=bob` is two pairs.)
    ///
    /// A mask counts as part of the next key and `[` ends the value: on a second pass the
    /// next key may have been masked, and the answer must not change.
    fn ends_value(&self, index: usize) -> bool {
        let bytes = self.bytes;
        let Some(&byte) = bytes.get(index) else { return true };
        if byte.is_ascii_whitespace()
            || matches!(byte, b'"' | b'\'' | b',' | b';' | b'&' | b')' | b'}' | b'\\' | b'<' | b'>' | b'[')
        {
            return true;
        }
        if !(byte.is_ascii_alphabetic() || byte == b'_') {
            return false;
        }
        let mut key_end = index;
        loop {
            if self.at_mask(key_end) {
                key_end += MASK.len();
            } else if bytes
                .get(key_end)
                .is_some_and(|byte| byte.is_ascii_alphanumeric() || matches!(byte, b'_' | b'.' | b'-'))
            {
                key_end += 1;
            } else {
                return bytes.get(key_end) == Some(&b'=');
            }
        }
    }
}

/// `=`, `:`, `=>` or `:=` (not `::`, a path). `password==x` is a password starting with `=`,
/// not a comparison; `token://…` without credentials is a value like any other (a URL with
/// credentials was read as one before keys are looked at).
fn separator_length(rest: &[u8]) -> usize {
    if rest.starts_with(b"=>") || rest.starts_with(b":=") {
        return 2;
    }
    match rest {
        [b':', b':', ..] => 0,
        [b'=' | b':', ..] => 1,
        _ => 0,
    }
}
