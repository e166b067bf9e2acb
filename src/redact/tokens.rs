//! Secrets recognisable on their own, without a key naming them: vendor token formats
//! (OpenAI, GitHub, Slack, Stripe, AWS, Google, Azure, JWTs …), HTTP Basic credentials, and
//! a high-entropy test for long tokens that stand next to a secret-like word. Every check
//! reads a bounded prefix or one run of bytes, so scanning stays linear.

/// Which bytes may follow a prefix.
#[derive(Clone, Copy)]
enum Alphabet {
    /// `[A-Za-z0-9]`.
    Alphanumeric,
    /// `[A-Za-z0-9_-]` (base64url without padding).
    Url,
    /// `[A-Za-z0-9_]`.
    Word,
    /// `[A-Za-z0-9-]`.
    Dashed,
    /// `[A-Z0-9]`.
    Upper,
    /// `[0-9a-f]`.
    Hex,
}

impl Alphabet {
    fn contains(self, byte: u8) -> bool {
        match self {
            Alphabet::Alphanumeric => byte.is_ascii_alphanumeric(),
            Alphabet::Url => byte.is_ascii_alphanumeric() || byte == b'_' || byte == b'-',
            Alphabet::Word => byte.is_ascii_alphanumeric() || byte == b'_',
            Alphabet::Dashed => byte.is_ascii_alphanumeric() || byte == b'-',
            Alphabet::Upper => byte.is_ascii_uppercase() || byte.is_ascii_digit(),
            Alphabet::Hex => byte.is_ascii_digit() || (b'a'..=b'f').contains(&byte),
        }
    }
}

/// A token format: a fixed prefix, then at least `min` bytes of `alphabet` (exactly `min`
/// when `exact`, as for AWS key ids, which are followed by a non-alphanumeric byte).
struct Format {
    prefix: &'static str,
    alphabet: Alphabet,
    min: usize,
    exact: bool,
}

const fn format(prefix: &'static str, alphabet: Alphabet, min: usize) -> Format {
    Format { prefix, alphabet, min, exact: false }
}

/// Known formats, by prefix. (`sk-`, JWTs and the Azure formats are checked separately; the
/// scanner looks for storage keys itself, since one can only end where a word does.)
const FORMATS: &[Format] = &[
    // Stripe secret and restricted keys, webhook secrets.
    format("sk_live_", Alphabet::Alphanumeric, 16),
    format("sk_test_", Alphabet::Alphanumeric, 16),
    format("rk_live_", Alphabet::Alphanumeric, 16),
    format("rk_test_", Alphabet::Alphanumeric, 16),
    format("whsec_", Alphabet::Alphanumeric, 16),
    // GitHub.
    format("ghp_", Alphabet::Alphanumeric, 30),
    format("gho_", Alphabet::Alphanumeric, 30),
    format("ghu_", Alphabet::Alphanumeric, 30),
    format("ghs_", Alphabet::Alphanumeric, 30),
    format("ghr_", Alphabet::Alphanumeric, 30),
    format("github_pat_", Alphabet::Word, 40),
    // GitLab.
    format("glpat-", Alphabet::Url, 20),
    // Slack.
    format("xoxb-", Alphabet::Dashed, 10),
    format("xoxp-", Alphabet::Dashed, 10),
    format("xoxa-", Alphabet::Dashed, 10),
    format("xoxr-", Alphabet::Dashed, 10),
    format("xoxs-", Alphabet::Dashed, 10),
    format("xoxe-", Alphabet::Dashed, 10),
    format("xoxe.xoxp-", Alphabet::Dashed, 10),
    // AWS access key ids (long-lived and temporary).
    Format { prefix: "AKIA", alphabet: Alphabet::Upper, min: 16, exact: true },
    Format { prefix: "ASIA", alphabet: Alphabet::Upper, min: 16, exact: true },
    // Google API keys, OAuth access tokens and client secrets.
    format("AIza", Alphabet::Url, 35),
    format("ya29.", Alphabet::Url, 20),
    format("GOCSPX-", Alphabet::Url, 20),
    // npm, Hugging Face, PyPI, DigitalOcean.
    format("npm_", Alphabet::Alphanumeric, 36),
    format("hf_", Alphabet::Alphanumeric, 30),
    format("pypi-", Alphabet::Url, 50),
    format("dop_v1_", Alphabet::Hex, 64),
];

/// What kind of token was found (the scanner treats an AWS key id as a hint that its secret
/// key is near).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Found {
    /// An AWS access key id.
    AwsKeyId,
    /// Anything else.
    Other,
}

/// A known secret token starting at `start`: where it ends, and what it is. The caller
/// guarantees `start` is not preceded by an alphanumeric byte; `previous` is the byte
/// before it (`None` at the start of a word or right after a masked token).
///
/// A format is only tried where the previous byte is not in its alphabet: a token is never
/// the tail of a longer run of its own characters, and so a failed look-ahead over a long
/// run (`sk-sk-sk-…`) is never repeated from inside it, which keeps scanning linear.
pub(super) fn known_token(bytes: &[u8], start: usize, previous: Option<u8>) -> Option<(usize, Found)> {
    let rest = &bytes[start..];
    let first = *rest.first()?;
    if !first.is_ascii_alphanumeric() {
        return None;
    }
    let fresh = |alphabet: Alphabet| previous.is_none_or(|byte| !alphabet.contains(byte));
    if fresh(Alphabet::Url) {
        if let Some(end) = openai_key(rest) {
            return Some((start + end, Found::Other));
        }
        if let Some(end) = jwt(rest) {
            return Some((start + end, Found::Other));
        }
    }
    for format in FORMATS {
        if format.prefix.as_bytes()[0] != first
            || !rest.starts_with(format.prefix.as_bytes())
            || !fresh(format.alphabet)
        {
            continue;
        }
        let body = span(rest, format.prefix.len(), |byte| format.alphabet.contains(byte));
        let length = body - format.prefix.len();
        let fits = if format.exact {
            length == format.min && !rest.get(body).is_some_and(u8::is_ascii_alphanumeric)
        } else {
            length >= format.min
        };
        if fits {
            let kind = if format.exact { Found::AwsKeyId } else { Found::Other };
            return Some((start + body, kind));
        }
    }
    azure_client_secret(rest).map(|end| (start + end, Found::Other))
}

/// The end of the run of bytes from `from` that satisfy `accept`.
fn span(bytes: &[u8], from: usize, accept: impl Fn(u8) -> bool) -> usize {
    from + bytes[from..].iter().take_while(|byte| accept(**byte)).count()
}

/// OpenAI (`sk-…`, `sk-proj-…`, `sk-svcacct-…`) and Anthropic (`sk-ant-…`) keys: at least 20
/// bytes of base64url with a digit or a capital, so `sk-worker-name` stays.
fn openai_key(rest: &[u8]) -> Option<usize> {
    if !rest.starts_with(b"sk-") {
        return None;
    }
    let end = span(rest, 3, |byte| Alphabet::Url.contains(byte));
    let body = &rest[3..end];
    let mixed = body.iter().any(|byte| byte.is_ascii_digit() || byte.is_ascii_uppercase());
    (body.len() >= 20 && mixed).then_some(end)
}

/// A JWT (or JWE): base64url segments joined by dots, the first one a JSON object (`eyJ`),
/// at least three segments.
fn jwt(rest: &[u8]) -> Option<usize> {
    if !rest.starts_with(b"eyJ") {
        return None;
    }
    let mut end = span(rest, 0, |byte| Alphabet::Url.contains(byte));
    if end < 10 {
        return None;
    }
    let mut segments = 1;
    while rest.get(end) == Some(&b'.') {
        end = span(rest, end + 1, |byte| Alphabet::Url.contains(byte));
        segments += 1;
    }
    (segments >= 3).then_some(end)
}

/// An Entra ID (Azure AD) client secret: three characters, a digit, `Q~`, then 31 or more.
fn azure_client_secret(rest: &[u8]) -> Option<usize> {
    let allowed = |byte: u8| byte.is_ascii_alphanumeric() || matches!(byte, b'_' | b'~' | b'.' | b'-');
    if rest.len() < 37 || !rest[..3].iter().all(|byte| allowed(*byte)) {
        return None;
    }
    if !rest[3].is_ascii_digit() || rest[4] != b'Q' || rest[5] != b'~' {
        return None;
    }
    let end = span(rest, 6, allowed);
    (end - 6 >= 31).then_some(end)
}

/// An Azure storage account key at the start of `rest`: 86 base64 bytes and `==` (88 in all).
pub(super) fn azure_storage_key(rest: &[u8]) -> Option<usize> {
    let base64 = |byte: u8| byte.is_ascii_alphanumeric() || byte == b'+' || byte == b'/';
    // Bounded: never more than 87 bytes are read.
    let length = rest.iter().take(87).take_while(|byte| base64(**byte)).count();
    (length == 86 && rest[86..].starts_with(b"==") && rest.get(88) != Some(&b'=')).then_some(88)
}

/// Whether a token next to a secret-like word looks random enough to be the secret: at least
/// 16 bytes and high Shannon entropy, and either letters and digits mixed (two of each,
/// switching at least twice: random base62 or hex nearly always is, an identifier like
/// `backend.replicaCount` or `sha256` is not) or, from 20 bytes, base64 with both cases and
/// digits or `+`/`/` (`wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY`). Lower-case names with
/// dashes (`todo-backend-5f6d8c9b7-x2k4p`) stay; a UUID does not.
pub(super) fn high_entropy(token: &[u8]) -> bool {
    if token.len() < 16 {
        return false;
    }
    let count = |accept: fn(&u8) -> bool| token.iter().filter(|byte| accept(byte)).count();
    let digits = count(u8::is_ascii_digit);
    let upper = count(u8::is_ascii_uppercase);
    let lower = count(u8::is_ascii_lowercase);
    let symbols = count(|byte| matches!(byte, b'+' | b'/'));
    let switches = token
        .windows(2)
        .filter(|pair| {
            pair[0].is_ascii_digit() && pair[1].is_ascii_alphabetic()
                || pair[0].is_ascii_alphabetic() && pair[1].is_ascii_digit()
        })
        .count();
    let mixed_digits = digits >= 2 && upper + lower >= 2 && switches >= 2;
    let base64 = token.len() >= 20 && upper >= 2 && lower >= 2 && digits + symbols >= 2;
    if !mixed_digits && !base64 {
        return false;
    }
    let dns_like =
        token.iter().all(|byte| byte.is_ascii_lowercase() || byte.is_ascii_digit() || matches!(byte, b'-' | b'.'));
    if dns_like && token.iter().any(|byte| matches!(byte, b'-' | b'.')) && !is_uuid(token) {
        return false;
    }
    entropy_bits_per_byte(token) >= 3.0
}

fn is_uuid(token: &[u8]) -> bool {
    token.len() == 36
        && token.iter().enumerate().all(|(index, byte)| {
            if matches!(index, 8 | 13 | 18 | 23) { *byte == b'-' } else { byte.is_ascii_hexdigit() }
        })
}

fn entropy_bits_per_byte(token: &[u8]) -> f64 {
    let mut counts = [0usize; 256];
    for byte in token {
        counts[usize::from(*byte)] += 1;
    }
    #[allow(clippy::cast_precision_loss)] // Lengths far below 2^52.
    let total = token.len() as f64;
    counts
        .iter()
        .filter(|count| **count > 0)
        .map(|count| {
            #[allow(clippy::cast_precision_loss)]
            let share = *count as f64 / total;
            -share * share.log2()
        })
        .sum()
}

/// Whether `token` is HTTP Basic credentials: base64 of printable `user:password`.
pub(super) fn basic_credentials(token: &[u8]) -> bool {
    let token = token.strip_suffix(b"==").or_else(|| token.strip_suffix(b"=")).unwrap_or(token);
    if token.len() < 8 || token.len() > 4096 {
        return false;
    }
    let mut decoded = Vec::with_capacity(token.len() * 3 / 4);
    let mut buffer = 0u32;
    let mut bits = 0;
    for byte in token {
        let value = match byte {
            b'A'..=b'Z' => byte - b'A',
            b'a'..=b'z' => byte - b'a' + 26,
            b'0'..=b'9' => byte - b'0' + 52,
            b'+' => 62,
            b'/' => 63,
            _ => return false,
        };
        buffer = (buffer << 6) | u32::from(value);
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            decoded.push(((buffer >> bits) & 0xff) as u8);
        }
    }
    decoded.contains(&b':') && decoded.iter().all(|byte| (0x20..0x7f).contains(byte))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn token(text: &str) -> Option<&str> {
        known_token(text.as_bytes(), 0, None).map(|(end, _)| &text[..end])
    }

    #[test]
    fn recognises_vendor_formats() {
        for secret in [
            "sk-proj-4fQ2mZ8tLr7vN1cWb6Yh3Jk9",
            "sk-ant-api03-Ab1Cd2Ef3Gh4Ij5Kl6Mn7Op8",
            "sk_live_51H7Qx9Lm2Wv8Rt6Yv1Bn3",
            "ghp_R4nd0mT0k3nV4lu3Xy9Lq2Wv7Bn4Rt8Yz1K",
            "github_pat_11ABCDEFG0123456789_abcdefghijklmnopqrstuv",
            "glpat-Ab1Cd2Ef3Gh4Ij5Kl6Mn",
            "xoxb-123456789012-Ab1Cd2Ef3G",
            "AKIAIOSFODNN7EXAMPLE",
            "ASIAY34FZKBOKMUTVV7A",
            "AIzaSyD4kq9Lm2Xw8Rt6Yv1Bn3Hj5Pz7Qc0Ws-E",
            "ya29.a0AfH6SMBx1y2z3A4b5C6d7E8f",
            "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJl",
            "eyJhbGciOiJub25lIn0.eyJzdWIiOiIxIn0.",
            "Xy98Q~Abc.Def_GhiJklMnoPqrStuVwxYz0123456789",
        ] {
            assert_eq!(token(secret), Some(secret), "{secret}");
        }
        let storage = "BwgJCgsMDQ4PEBESExQVFhcYGRobHB0eHyAhIiMkJSYnKCkqKywtLi8wMTIzNDU2Nzg5Ojs8PT4/QEFCQ0RFRg==";
        assert_eq!(azure_storage_key(storage.as_bytes()), Some(88));
        assert_eq!(azure_storage_key(&storage.as_bytes()[1..]), None);
        assert_eq!(token("AKIAIOSFODNN7EXAMPLE/x"), Some("AKIAIOSFODNN7EXAMPLE"));
        assert_eq!(known_token(b"AKIAIOSFODNN7EXAMPLE", 0, None).map(|found| found.1), Some(Found::AwsKeyId));
        // Not the tail of a longer run of the same alphabet.
        assert_eq!(known_token(b"x_sk-proj-4fQ2mZ8tLr7vN1cWb6Yh3Jk9", 2, Some(b'_')), None);
        assert!(known_token(b"x/sk-proj-4fQ2mZ8tLr7vN1cWb6Yh3Jk9", 2, Some(b'/')).is_some());
    }

    #[test]
    fn leaves_lookalikes() {
        for text in [
            "sk-worker-name-for-the-queue", "sk-short1", "AKIAIOSFODNN7EXAMPLEX", "AKIA123", "ghp_short",
            "eyJhbGciOiJIUzI1NiJ9", "eyJ.eyJ.x", "AIzaShort", "todo-backend-5f6d8c9b7-x2k4p", "sha256",
        ] {
            assert_eq!(token(text), None, "{text}");
        }
    }

    #[test]
    fn entropy_separates_keys_from_names() {
        for secret in [
            "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
            "4f1c9a7e2b6d8035c1e9f7a2d4b6c8e0",
            "3f2b9c1e-8d4a-4b6f-9e2a-1c3d5e7f9a0b",
        ] {
            assert!(high_entropy(secret.as_bytes()), "{secret}");
        }
        for ordinary in [
            "todo-backend-5f6d8c9b7-x2k4p", "configuration", "kubernetes.io/hostname", "aaaaaaaaaaaaaaaa1", "short1A",
            "backend.replicaCount", "AuthenticationFailed", "sha256sum-checker-v2", "a1a1a1a1a1a1a1a1a1",
        ] {
            assert!(!high_entropy(ordinary.as_bytes()), "{ordinary}");
        }
    }

    #[test]
    fn basic_credentials_decode_to_user_and_password() {
        assert!(basic_credentials(b"Ym9iOkJhc2ljLVB3MHJkLXg5"));
        assert!(basic_credentials(b"dXNlcjpwYXNzd29yZA=="));
        assert!(!basic_credentials(b"Authentication"));
        assert!(!basic_credentials(b"setup"));
    }
}
