//! Which names (environment variables, Helm value paths, JSON fields, flags) say that their
//! value is a secret. Names are split into words (`_`, `-`, `.`, camelCase), so `DB_PASS`,
//! `SESSION_KEY` and `backend.env.apiKey` are secrets while `author`, `topologyKey` and
//! `secretName` (a name, not the secret) are not.

/// Names longer than this are not taken for keys (a hostile run is not worth splitting).
const MAX_KEY_LEN: usize = 128;

/// Words that make a name secret wherever they appear in it.
const SECRET_WORDS: &[&str] = &[
    "password", "passwd", "passphrase", "pass", "pwd", "secret", "secrets", "token", "apikey", "credential",
    "credentials", "creds", "privatekey", "dsn", "sig", "signature", "cookie", "jwt",
];

/// Spellings without word breaks (`DBPASSWORD`, `ACCOUNTKEY`, `databaseurl`) found inside a
/// single word.
const SECRET_FRAGMENTS: &[&str] = &[
    "password", "passwd", "secret", "token", "apikey", "accesskey", "privatekey", "accountkey", "sessionkey",
    "signingkey", "masterkey", "encryptionkey", "credential", "databaseurl", "connectionstring",
];

/// Secret names made of several words (`DATABASE_URL`, `ConnectionString`), matched on the
/// name with its word breaks removed.
const SECRET_COMPOUNDS: &[&str] = &["databaseurl", "databaseuri", "dburl", "connectionstring", "connstring"];

/// Words a fragment may sit in without meaning a secret (`max_tokens` counts tokens).
const FRAGMENT_EXCEPTIONS: &[&str] = &["tokens", "tokenizer", "tokenize", "tokenized"];

/// Words that are secret only as the last word (`BASIC_AUTH`, `Authorization`, `x-auth`);
/// `BETTER_AUTH_URL` is an address, not a credential.
const LAST_WORD_SECRETS: &[&str] = &["auth", "authorization"];

/// A last word that says the value is about a secret, not the secret itself.
const NOT_SECRET_LAST: &[&str] = &[
    "name", "names", "ref", "file", "path", "dir", "type", "kind", "length", "count", "ttl", "expiry", "expires",
    "expiration", "enabled", "required", "version", "policy", "mode", "format", "algorithm", "prefix",
];

/// Words before `key` that make it an index or a public key rather than a credential.
const PUBLIC_KEY_QUALIFIERS: &[&str] = &[
    "public", "topology", "primary", "foreign", "sort", "partition", "routing", "cache", "idempotency", "label",
    "labels", "node", "config", "map", "object", "host", "match", "lookup", "index", "row", "group", "field", "unique",
    "dedup", "hash", "shard",
];

/// Whether a key (env var, Helm value path, JSON field, flag without its dashes) names a
/// secret.
pub fn is_secret_key(key: &str) -> bool {
    let key = key.trim_start_matches('-');
    // The shortest secret names (`pwd`, `sig`, `dsn`, `jwt`) have three letters.
    if key.len() < 3 || key.len() > MAX_KEY_LEN {
        return false;
    }
    let is = |word: &str, set: &[&str]| set.iter().any(|candidate| word.eq_ignore_ascii_case(candidate));
    // One pass over the words, without allocating: this runs for every word of every log line.
    let mut count = 0;
    let mut last: Option<&str> = None;
    let mut secret_word = false;
    let mut qualified_key = false;
    let mut fragment = false;
    for word in Words::new(key) {
        count += 1;
        secret_word |= is(word, SECRET_WORDS);
        // `SESSION_KEY`, `api-key`, `AccountKey`, `tls.key`: a key with a qualifier that is
        // not an index or a public key.
        qualified_key |= (word.eq_ignore_ascii_case("key") || word.eq_ignore_ascii_case("keys"))
            && last.is_some_and(|qualifier| !is(qualifier, PUBLIC_KEY_QUALIFIERS));
        fragment |= !is(word, FRAGMENT_EXCEPTIONS)
            && SECRET_FRAGMENTS.iter().any(|candidate| contains_folded(word.as_bytes(), candidate));
        last = Some(word);
    }
    let Some(last) = last else { return false };
    if is(last, NOT_SECRET_LAST) {
        return false;
    }
    // The shell's working directory, not a password.
    if count == 1 && (last.eq_ignore_ascii_case("pwd") || last.eq_ignore_ascii_case("oldpwd")) {
        return false;
    }
    if secret_word || qualified_key || fragment || is(last, LAST_WORD_SECRETS) {
        return true;
    }
    // The name without its word breaks, on the stack (it is at most MAX_KEY_LEN bytes).
    let mut joined = [0u8; MAX_KEY_LEN];
    let mut length = 0;
    for byte in key.bytes().filter(u8::is_ascii_alphanumeric) {
        joined[length] = byte;
        length += 1;
    }
    SECRET_COMPOUNDS.iter().any(|compound| contains_folded(&joined[..length], compound))
}

/// The words of a name: split on anything not alphanumeric and on camelCase humps
/// (`openaiApiKey` → openai, Api, Key; `APIKey` → API, Key). Digits stay with their word.
struct Words<'a> {
    name: &'a str,
    index: usize,
}

impl<'a> Words<'a> {
    fn new(name: &'a str) -> Self {
        Words { name, index: 0 }
    }
}

impl<'a> Iterator for Words<'a> {
    type Item = &'a str;

    fn next(&mut self) -> Option<&'a str> {
        let bytes = self.name.as_bytes();
        while self.index < bytes.len() && !bytes[self.index].is_ascii_alphanumeric() {
            self.index += 1;
        }
        let start = self.index;
        if start >= bytes.len() {
            return None;
        }
        let mut index = start + 1;
        while index < bytes.len() {
            let byte = bytes[index];
            if !byte.is_ascii_alphanumeric() {
                break;
            }
            let previous = bytes[index - 1];
            let next_lower = bytes.get(index + 1).is_some_and(u8::is_ascii_lowercase);
            // `apiKey` → api|Key; `APIKey` → API|Key; `API` stays one word.
            if byte.is_ascii_uppercase()
                && (previous.is_ascii_lowercase()
                    || previous.is_ascii_digit()
                    || previous.is_ascii_uppercase() && next_lower)
            {
                break;
            }
            index += 1;
        }
        self.index = index;
        Some(&self.name[start..index])
    }
}

/// Whether a key only describes or points at a secret (`secretName`, `password_file`,
/// `token_type`), so its value is not one.
pub(super) fn describes_secret(key: &str) -> bool {
    Words::new(key).last().is_some_and(|last| NOT_SECRET_LAST.iter().any(|word| last.eq_ignore_ascii_case(word)))
}

/// `haystack` contains `needle` (lower-case ASCII), ignoring ASCII case.
fn contains_folded(haystack: &[u8], needle: &str) -> bool {
    haystack.len() >= needle.len()
        && haystack.windows(needle.len()).any(|window| window.eq_ignore_ascii_case(needle.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_names_into_words() {
        let words = |name| Words::new(name).collect::<Vec<_>>();
        assert_eq!(words("openaiApiKey"), ["openai", "Api", "Key"]);
        assert_eq!(words("APIKey"), ["API", "Key"]);
        assert_eq!(words("backend.env.DB_PASS"), ["backend", "env", "DB", "PASS"]);
        assert_eq!(words("--db-password"), ["db", "password"]);
        assert_eq!(words("sha256"), ["sha256"]);
        assert_eq!(words("X-Api-Key"), ["X", "Api", "Key"]);
        assert!(words("._-").is_empty());
    }

    #[test]
    fn secret_names() {
        for key in [
            "password", "DB_PASS", "db_pwd", "SESSION_KEY", "secrets.databaseUrl", "secrets.openaiApiKey",
            "secrets.betterAuthSecret", "backend.env.DB_PASS", "BETTER_AUTH_SECRET", "OPENAI_API_KEY", "api-key",
            "X-Api-Key", "Ocp-Apim-Subscription-Key", "AccountKey", "ACCOUNTKEY", "SharedAccessSignature", "sig",
            "aws_secret_access_key", "aws_session_token", "Authorization", "Proxy-Authorization", "BASIC_AUTH", "auth",
            "Cookie", "client_secret", "DBPASSWORD", "tls.key", "SECRET_KEY_BASE", "private_key", "privateKey", "jwt",
            "SENTRY_DSN", "ConnectionString", "--password", "GITHUB_TOKEN", "credentials",
        ] {
            assert!(is_secret_key(key), "{key} should be secret");
        }
    }

    #[test]
    fn ordinary_names() {
        for key in [
            "author", "user", "key", "topologyKey", "publicKey", "secretName", "secretKeyRef", "configMapKeyRef",
            "password_file", "PASSWORD_FILE", "token_type", "max_tokens", "completion_tokens", "PWD", "OLDPWD",
            "BETTER_AUTH_URL", "authType", "replicaCount", "image.tag", "sessionAffinity",
            "PIP_DISABLE_PIP_VERSION_CHECK", "passed", "bypass", "", "---",
        ] {
            assert!(!is_secret_key(key), "{key} should not be secret");
        }
        assert!(!is_secret_key(&"password".repeat(100)), "too long to be a key");
    }
}
