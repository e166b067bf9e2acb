//! Property tests for the redactor: generated secrets of every known format, embedded in
//! generated text, JSON, `k=v` lists, URLs, flags and headers, never survive [`text`] or
//! [`json`]; both are idempotent; neither panics on arbitrary input.

use proptest::prelude::*;
use serde_json::json as json_value;

use super::*;

/// Tokens that are secrets by their format alone.
fn format_token() -> impl Strategy<Value = String> {
    prop_oneof![
        ("(proj-|svcacct-|ant-api03-)?", "[A-Za-z0-9_-]{18,40}").prop_map(|(kind, body)| format!("sk-{kind}{body}7Q")),
        ("(sk|rk)_(live|test)_", "[A-Za-z0-9]{16,30}").prop_map(|(prefix, body)| format!("{prefix}{body}")),
        "gh[pousr]_[A-Za-z0-9]{36}",
        "github_pat_[A-Za-z0-9_]{60,82}",
        "glpat-[A-Za-z0-9_-]{20}",
        "xox[bpars]-[0-9]{10,13}-[0-9]{10,13}-[A-Za-z0-9]{10,24}",
        "(AKIA|ASIA)[A-Z0-9]{16}",
        "AIza[A-Za-z0-9_-]{35}",
        "ya29\\.[A-Za-z0-9_-]{20,60}",
        "[A-Za-z0-9+/]{86}==",
        "[A-Za-z0-9]{3}[0-9]Q~[A-Za-z0-9_.-]{34}",
        "eyJ[A-Za-z0-9_-]{10,40}\\.eyJ[A-Za-z0-9_-]{10,80}\\.[A-Za-z0-9_-]{0,60}",
        "npm_[A-Za-z0-9]{36}",
    ]
}

/// A password: no blanks, quotes, backslashes or `,;&)}<>` (which end an unquoted value),
/// not starting with `--` (that is the next flag), sometimes not ASCII.
fn password() -> impl Strategy<Value = String> {
    "-?[A-Za-z0-9!#%*+./@^~_=:?$][A-Za-z0-9!#%*+./@^~_=:?$-]{5,19}[é€😀]?[A-Za-z0-9]{2}"
}

/// A password as a URL's userinfo may carry it.
fn url_password() -> impl Strategy<Value = String> {
    "[A-Za-z0-9._~!$*+=-]{8,24}"
}

fn secret_key() -> impl Strategy<Value = &'static str> {
    prop::sample::select(vec![
        "password", "PASSWORD", "DB_PASS", "db_password", "SESSION_KEY", "api_key", "apiKey", "X-Api-Key",
        "secrets.databaseUrl", "backend.env.DB_PASS", "client_secret", "AccountKey", "aws_secret_access_key", "token",
        "GITHUB_TOKEN", "passwd", "sig", "credentials", "privateKey",
    ])
}

fn flag_key() -> impl Strategy<Value = &'static str> {
    prop::sample::select(vec!["password", "db-password", "token", "api-key", "client-secret", "passphrase"])
}

/// Ordinary operations text around the secret.
fn filler() -> impl Strategy<Value = String> {
    let words = prop::sample::select(vec![
        "error",
        "connect failed",
        "pod todo-backend-5f6d8c9b7-x2k4p",
        "GET /api/todos 200",
        "user=bob",
        "namespace: todo",
        r#"{"level":"info","msg":"ok"}"#,
        "image ghcr.io/acme/todo:v3",
        "sha256:9fceb02d0ae598e95dc970b74767f19372d61af8",
        "ключ значение",
        "—",
        "replicas=3",
        "x",
        "",
    ]);
    (prop::collection::vec(words, 0..4), prop::sample::select(vec![" ", "\n", "\t", " | "]))
        .prop_map(|(words, separator)| words.join(separator))
}

fn around(prefix: &str, middle: &str, suffix: &str, separator: &str) -> String {
    format!("{prefix}{separator}{middle}{separator}{suffix}")
}

/// A token placed where it needs no key to be found.
fn token_document() -> impl Strategy<Value = (String, Vec<String>)> {
    let places = prop::sample::select(vec![
        "{}",
        r#"{"note":"{}","n":1}"#,
        r#"{"log":"{\"k\":\"{}\"}"}"#,
        "https://api.example.com/v1/{}/x",
        "note={}",
        "'{}'",
        "({})",
        "Bearer {}",
        "value: {}",
        "<v>{}</v>",
        "[{}]",
    ]);
    (format_token(), places, filler(), filler(), prop::sample::select(vec![" ", "\n"])).prop_map(
        |(token, place, prefix, suffix, separator)| {
            (around(&prefix, &place.replace("{}", &token), &suffix, separator), vec![token])
        },
    )
}

/// A password placed as the value of a secret-named key, in one of the shapes logs use.
fn keyed_document() -> impl Strategy<Value = (String, Vec<String>)> {
    let shapes = prop::sample::select(vec![
        "{k}={v}",
        "{k}: {v}",
        "{k} = {v}",
        r#"{"{k}":"{v}"}"#,
        r#"{"{k}": "{v}", "user": "bob"}"#,
        "{'{k}': '{v}'}",
        r#"{"log":"{\"{k}\":\"{v}\"}"}"#,
        "{k}=\"{v} and more\"",
        "user=bob,{k}={v},host=db",
        "/login?user=bob&{k}={v}&next=/home",
        "Server=db;User ID=sa;{k}={v};Encrypt=True",
        "<{k}>{v}</{k}>",
        "{k} => '{v}'",
        "name: {k}\n  value: {v}",
        r#"[{"name":"{k}","value":"{v}"}]"#,
    ]);
    (password(), secret_key(), shapes, filler(), filler(), prop::sample::select(vec![" ", "\n"])).prop_map(
        |(secret, key, shape, prefix, suffix, separator)| {
            let middle = shape.replace("{k}", key).replace("{v}", &secret);
            (around(&prefix, &middle, &suffix, separator), vec![secret])
        },
    )
}

/// A password after a command-line flag.
fn flag_document() -> impl Strategy<Value = (String, Vec<String>)> {
    let shapes = prop::sample::select(vec!["--{k} {v}", "--{k}={v}", "--{k} '{v}'", "-{k} \"{v}\" --port 80"]);
    (password(), flag_key(), shapes, filler(), filler()).prop_map(|(secret, key, shape, prefix, suffix)| {
        let middle = shape.replace("{k}", key).replace("{v}", &secret);
        (around(&prefix, &middle, &suffix, " "), vec![secret])
    })
}

/// Credentials in a URL, an `Authorization` header, an AWS pair, a PEM block.
fn credential_document() -> impl Strategy<Value = (String, Vec<String>)> {
    let url = (
        prop::sample::select(vec!["postgresql", "mysql", "redis", "amqp", "https", "mongodb+srv"]),
        "[a-z]{0,8}",
        url_password(),
    )
        .prop_map(|(scheme, user, secret)| {
            (format!("{scheme}://{user}:{secret}@db.example.com:5432/todo?sslmode=require"), vec![secret])
        });
    let bearer = (
        "[A-Za-z0-9._~+/-]{20,40}",
        prop::sample::select(vec![
            "Authorization: Bearer {}",
            r#"{"Authorization":"Bearer {}"}"#,
            "-H 'Authorization: Bearer {}'",
            "Bearer {}",
        ]),
    )
        .prop_map(|(secret, shape)| (shape.replace("{}", &secret), vec![secret]));
    let basic = (
        "[a-z]{3,8}",
        url_password(),
        prop::sample::select(vec!["Authorization: Basic {}", "Basic {}", r#"{"authorization":"Basic {}"}"#]),
    )
        .prop_map(|(user, password, shape)| {
            let encoded = base64(format!("{user}:{password}").as_bytes());
            (shape.replace("{}", &encoded), vec![encoded])
        });
    // The high-entropy test wants both cases and digits or `+`/`/`, as nearly every real key has.
    let aws = (
        "(AKIA|ASIA)[A-Z0-9]{16}",
        "[A-Za-z0-9/+]{17}[0-9][a-z][A-Z][0-9][A-Za-z0-9/+]{19}",
        prop::sample::select(vec![
            "{id} {secret}",
            "{id}:{secret}",
            "aws_access_key_id={id} aws_secret_access_key={secret}",
            "key {id} secret {secret}",
        ]),
    )
        .prop_map(|(id, secret, shape)| (shape.replace("{id}", &id).replace("{secret}", &secret), vec![id, secret]));
    let pem = (
        prop::sample::select(vec!["", "RSA ", "EC ", "OPENSSH ", "ENCRYPTED "]),
        prop::collection::vec("[A-Za-z0-9+/]{64}", 1..5),
        prop::sample::select(vec!["\n", "\\n", " "]),
        any::<bool>(),
    )
        .prop_map(|(label, lines, newline, footer)| {
            let mut block = format!("-----BEGIN {label}PRIVATE KEY-----{newline}{}", lines.join(newline));
            if footer {
                block.push_str(&format!("{newline}-----END {label}PRIVATE KEY-----"));
            }
            (block, lines)
        });
    (prop_oneof![url, bearer, basic, aws, pem], filler(), filler(), prop::sample::select(vec![" ", "\n"])).prop_map(
        |((middle, secrets), prefix, suffix, separator)| (around(&prefix, &middle, &suffix, separator), secrets),
    )
}

fn base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let value =
            chunk.iter().enumerate().fold(0u32, |value, (index, byte)| value | u32::from(*byte) << (16 - 8 * index));
        for index in 0..4 {
            if index <= chunk.len() {
                out.push(char::from(ALPHABET[(value >> (18 - 6 * index) & 63) as usize]));
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// Fragments that stress the scanner's edges, to be glued together at random.
fn tricky() -> impl Strategy<Value = String> {
    let pieces = prop::sample::select(vec![
        "password",
        "DB_PASS",
        "name",
        "value",
        "key",
        "token",
        "=",
        ":",
        "=>",
        "\"",
        "'",
        "\\",
        "\\\"",
        "\\n",
        "\n",
        " ",
        "\t",
        ",",
        ";",
        "&",
        ")",
        "}",
        "{",
        "[",
        "]",
        "<",
        ">",
        "/",
        ".",
        "_",
        "-",
        "--",
        "~",
        "%",
        "@",
        "://",
        "[REDACTED]",
        "REDACTED",
        "-----BEGIN PRIVATE KEY-----",
        "-----END PRIVATE KEY-----",
        "-----BEGIN ",
        "MIIEv",
        "sk-proj-4fQ2mZ8tLr7vN1cWb6Yh3Jk9",
        "AKIAIOSFODNN7EXAMPLE",
        "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2ln",
        "Bearer",
        "Basic",
        "Ym9iOnB3",
        "Authorization",
        "https",
        "user",
        "Xy7Kp2Qz9Lm4Nb8VwR3t",
        "null",
        "é",
        "😀",
        "Q~",
        "1",
        "==",
        "ghp_",
        "a",
        "sig",
        "AccountKey",
        "::",
        ":=",
        "?",
        "#",
        "+",
        "//",
        "\r",
        "-----END ",
        "Proc-Type:",
        "4,ENCRYPTED",
        "Xy98Q~Abc.Def_GhiJklMnoPqrStuVwxYz0123456789",
        "AIzaSyD4kq9Lm2Xw8Rt6Yv1Bn3Hj5Pz7Qc0Ws-E",
        "BwgJCgsMDQ4PEBESExQVFhcYGRobHB0eHyAhIiMkJSYnKCkqKywtLi8wMTIzNDU2Nzg5Ojs8PT4/QEFCQ0RFRg==",
        "xoxb-123456789012-Ab1Cd2Ef3G",
        "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
        "3f2b9c1e-8d4a-4b6f-9e2a-1c3d5e7f9a0b",
        "Digest",
        "9",
        "X",
    ]);
    prop::collection::vec(pieces, 0..48).prop_map(|pieces| pieces.concat())
}

/// Arbitrary JSON whose strings come from `strings`.
fn json_tree(strings: BoxedStrategy<String>) -> impl Strategy<Value = Value> {
    let keys = prop_oneof![secret_key().prop_map(str::to_string), "[a-z]{1,8}", strings.clone()];
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        strings.prop_map(Value::String),
    ];
    leaf.prop_recursive(4, 48, 6, move |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::vec((keys.clone(), inner), 0..6)
                .prop_map(|pairs| Value::Object(pairs.into_iter().collect())),
        ]
    })
}

fn assert_hidden(document: &str, secrets: &[String]) -> Result<(), TestCaseError> {
    let redacted = text(document);
    for secret in secrets {
        prop_assert!(!redacted.contains(secret.as_str()), "{secret:?} survived in {redacted:?} (from {document:?})");
    }
    // The same text as JSON: a log field, a list item, and a map key.
    let mut value = json_value!({"message": document, "lines": [document], document: 1});
    json(&mut value);
    let rendered = value.to_string();
    let parsed: Value = serde_json::from_str(&rendered).map_err(|error| TestCaseError::fail(error.to_string()))?;
    for secret in secrets {
        let inside = parsed["message"].as_str().unwrap_or_default().contains(secret.as_str())
            || parsed["lines"][0].as_str().unwrap_or_default().contains(secret.as_str())
            || parsed.as_object().is_some_and(|map| map.keys().any(|key| key.contains(secret.as_str())));
        prop_assert!(!inside, "{secret:?} survived in JSON {rendered}");
    }
    prop_assert_eq!(text(&redacted), redacted.clone(), "not idempotent on {:?}", document);
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn format_tokens_never_survive((document, secrets) in token_document()) {
        assert_hidden(&document, &secrets)?;
    }

    #[test]
    fn keyed_secrets_never_survive((document, secrets) in keyed_document()) {
        assert_hidden(&document, &secrets)?;
    }

    #[test]
    fn flag_values_never_survive((document, secrets) in flag_document()) {
        assert_hidden(&document, &secrets)?;
    }

    #[test]
    fn credentials_never_survive((document, secrets) in credential_document()) {
        assert_hidden(&document, &secrets)?;
    }

    #[test]
    fn text_is_idempotent_on_arbitrary_strings(input in any::<String>()) {
        let once = text(&input);
        prop_assert_eq!(text(&once), once);
    }

    #[test]
    fn text_is_idempotent_on_tricky_strings(input in tricky()) {
        let once = text(&input);
        prop_assert_eq!(text(&once), once.clone(), "input {:?}", input);
    }

    #[test]
    fn json_is_idempotent_and_total(value in json_tree(prop_oneof![any::<String>(), tricky()].boxed())) {
        let mut once = value;
        json(&mut once);
        let mut twice = once.clone();
        json(&mut twice);
        prop_assert_eq!(twice, once);
    }
}
