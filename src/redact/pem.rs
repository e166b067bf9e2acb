//! PEM private key blocks (`-----BEGIN … PRIVATE KEY-----`), masked before the line scanner
//! runs because their bodies span lines and come with `\n` escapes inside JSON strings. The
//! header and footer stay, so a reader knows what was there:
//! `-----BEGIN PRIVATE KEY-----[REDACTED]-----END PRIVATE KEY-----`.

use std::borrow::Cow;

use super::MASK;

const BEGIN: &str = "-----BEGIN ";
const END: &[u8] = b"-----END ";
const DASHES: &[u8] = b"-----";
/// The longest label read (`ENCRYPTED PRIVATE KEY`, `OPENSSH PRIVATE KEY`, `PGP PRIVATE KEY BLOCK` …).
const MAX_LABEL: usize = 64;

/// `input` with the body of every private key block replaced by [`MASK`]. Without an END
/// line (a cut log) the body is whatever base64 follows.
pub(super) fn mask_private_keys(input: &str) -> Cow<'_, str> {
    if !input.contains(BEGIN) {
        return Cow::Borrowed(input);
    }
    let bytes = input.as_bytes();
    let mut out = String::with_capacity(input.len());
    let mut copied = 0;
    let mut search = 0;
    while let Some(found) = input.get(search..).and_then(|rest| rest.find(BEGIN)) {
        let begin = search + found;
        let Some(header_end) = private_key_header(bytes, begin) else {
            search = begin + BEGIN.len();
            continue;
        };
        let (body_end, resume) = body(bytes, header_end);
        let body = &bytes[header_end..body_end];
        if !body.is_empty() && body != MASK.as_bytes() {
            out.push_str(&input[copied..header_end]);
            out.push_str(MASK);
            copied = body_end;
        }
        search = resume;
    }
    out.push_str(&input[copied..]);
    Cow::Owned(out)
}

/// The end of a `-----BEGIN <label>-----` header at `begin` whose label names a private key.
fn private_key_header(bytes: &[u8], begin: usize) -> Option<usize> {
    let label_start = begin + BEGIN.len();
    let label_end = label_end(bytes, label_start)?;
    let label = &bytes[label_start..label_end];
    (label.ends_with(b"PRIVATE KEY") || label.ends_with(b"PRIVATE KEY BLOCK")).then_some(label_end + DASHES.len())
}

/// Where a label of capitals, digits and spaces ends, if `-----` closes it soon enough.
fn label_end(bytes: &[u8], start: usize) -> Option<usize> {
    let length = bytes[start..]
        .iter()
        .take(MAX_LABEL)
        .take_while(|byte| byte.is_ascii_uppercase() || byte.is_ascii_digit() || **byte == b' ')
        .count();
    let end = start + length;
    (length > 0 && bytes[end..].starts_with(DASHES)).then_some(end)
}

/// The body after a header: where the masked part ends, and where scanning resumes (after
/// the footer when there is one).
fn body(bytes: &[u8], header_end: usize) -> (usize, usize) {
    let mut body_end = header_end;
    let mut index = header_end;
    // A body masked earlier is the mask right after the header (and never anything else:
    // a mask further on belongs to whatever follows the block).
    if bytes[index..].starts_with(MASK.as_bytes()) {
        index += MASK.len();
        body_end = index;
    }
    loop {
        let next = skip_separators(bytes, index);
        if bytes[next..].starts_with(END)
            && let Some(footer_label_end) = label_end(bytes, next + END.len())
        {
            return (next, footer_label_end + DASHES.len());
        }
        let segment_end = segment(bytes, next);
        if segment_end == next {
            return (body_end, body_end);
        }
        body_end = segment_end;
        index = segment_end;
    }
}

/// Line breaks and blanks, real or escaped (`\n` inside a JSON string).
fn skip_separators(bytes: &[u8], mut index: usize) -> usize {
    loop {
        match bytes.get(index) {
            Some(b' ' | b'\t' | b'\r' | b'\n') => index += 1,
            Some(b'\\') if matches!(bytes.get(index + 1), Some(b'n' | b'r' | b't')) => index += 2,
            _ => return index,
        }
    }
}

/// One run of base64 (and the `Proc-Type: 4,ENCRYPTED` / `DEK-Info: AES-128-CBC,…` headers
/// of legacy encrypted keys), stopping before a `-----` line.
fn segment(bytes: &[u8], start: usize) -> usize {
    let mut index = start;
    while let Some(byte) = bytes.get(index) {
        let body = byte.is_ascii_alphanumeric() || matches!(byte, b'+' | b'/' | b'=' | b':' | b',');
        let dash = *byte == b'-' && !bytes[index..].starts_with(DASHES);
        if !body && !dash {
            break;
        }
        index += 1;
    }
    index
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masks_bodies_and_keeps_headers() {
        let key = "-----BEGIN RSA PRIVATE KEY-----\nMIIEow\nAbC+/=\n-----END RSA PRIVATE KEY-----\nnext line";
        assert_eq!(
            mask_private_keys(key),
            "-----BEGIN RSA PRIVATE KEY-----[REDACTED]-----END RSA PRIVATE KEY-----\nnext line"
        );
        let escaped = r#"{"pem":"-----BEGIN PRIVATE KEY-----\nMIIEv\nQIB\n-----END PRIVATE KEY-----\n"}"#;
        assert_eq!(
            mask_private_keys(escaped),
            r#"{"pem":"-----BEGIN PRIVATE KEY-----[REDACTED]-----END PRIVATE KEY-----\n"}"#
        );
        let encrypted = "-----BEGIN RSA PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\nDEK-Info: AES-128-CBC,0A1B\n\nMIIE\n-----END RSA PRIVATE KEY-----";
        assert_eq!(
            mask_private_keys(encrypted),
            "-----BEGIN RSA PRIVATE KEY-----[REDACTED]-----END RSA PRIVATE KEY-----"
        );
    }

    #[test]
    fn cut_blocks_mask_what_follows() {
        assert_eq!(
            mask_private_keys("-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNz\naC1rZXk (cut)"),
            "-----BEGIN OPENSSH PRIVATE KEY-----[REDACTED] (cut)"
        );
    }

    #[test]
    fn leaves_certificates_and_masked_blocks() {
        for text in [
            "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----",
            "-----BEGIN PRIVATE KEY-----[REDACTED]-----END PRIVATE KEY-----",
            "-----BEGIN PRIVATE KEY-----",
            "-----BEGIN ",
            "-----BEGIN PRIVATE KEY",
        ] {
            assert_eq!(mask_private_keys(text), text);
        }
    }
}
