//! Examples for the redactor: each leak class masked, ordinary operations text left alone,
//! JSON by key, Helm values, and hostile inputs of a megabyte that must simply finish.

use super::*;

fn assert_text(input: &str, want: &str) {
    assert_eq!(text(input), want, "{input}");
    assert_eq!(text(want), want, "idempotent: {want}");
}

#[test]
fn masks_credentials_in_text() {
    let cases = [
        ("DATABASE_URL=postgresql://todo:Xk9-pl7q@ep.neon.tech/todo", "DATABASE_URL=[REDACTED]"),
        (
            "connect postgresql://todo:Xk9-pl7q@db:5432/todo failed",
            "connect postgresql://todo:[REDACTED]@db:5432/todo failed",
        ),
        ("key sk-proj-4fQ2mZ8tLr7vN1cWb6Yh3Jk9 used", "key [REDACTED] used"),
        ("Authorization: Bearer abc.def.ghi", "Authorization: Bearer [REDACTED]"),
        ("password=hunter2 user=bob", "password=[REDACTED] user=bob"),
        ("jwt eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJlX2hlcmU", "jwt [REDACTED]"),
        ("BETTER_AUTH_SECRET: b3tt3r", "BETTER_AUTH_SECRET: [REDACTED]"),
    ];
    for (input, want) in cases {
        assert_text(input, want);
    }
}

#[test]
fn masks_values_by_structure() {
    let cases = [
        (
            r#"{"level":"error","password":"hunter2","user":"bob"}"#,
            r#"{"level":"error","password":"[REDACTED]","user":"bob"}"#,
        ),
        (r#"{"password": "a \"quoted\" one", "n": 1}"#, r#"{"password": "[REDACTED]", "n": 1}"#),
        (r#"{"log":"{\"password\":\"hunter2\"}"}"#, r#"{"log":"{\"password\":\"[REDACTED]\"}"}"#),
        ("{'password': 'hunter2'}", "{'password': '[REDACTED]'}"),
        ("DB_PASS=hunter2 PORT=80", "DB_PASS=[REDACTED] PORT=80"),
        ("SESSION_KEY=abc123", "SESSION_KEY=[REDACTED]"),
        ("export DB_PASSWORD=\"two words\"", "export DB_PASSWORD=\"[REDACTED]\""),
        ("user=bob,password=x1,role=admin", "user=bob,password=[REDACTED],role=admin"),
        ("password=a,b;c&d next", "password=[REDACTED] next"),
        ("/login?user=bob&password=x2&next=/", "/login?user=bob&password=[REDACTED]&next=/"),
        ("--password x3 --port 80", "--password [REDACTED] --port 80"),
        ("--db-password='x 4' -h db", "--db-password='[REDACTED]' -h db"),
        ("--token=x5", "--token=[REDACTED]"),
        ("Server=db;User ID=sa;Password=x6;Encrypt=True", "Server=db;User ID=sa;Password=[REDACTED];Encrypt=True"),
        ("host=db password=x7 dbname=todo", "host=db password=[REDACTED] dbname=todo"),
        ("<password>x8</password>", "<password>[REDACTED]</password>"),
        ("api_key => 'x9'", "api_key => '[REDACTED]'"),
        ("redis://:x10@cache:6379", "redis://:[REDACTED]@cache:6379"),
        ("https://user:p@ss@host/x", "https://user:[REDACTED]@host/x"),
        ("X-Api-Key: 4f1c9a7e2b6d8035c1e9f7a2d4b6c8e0", "X-Api-Key: [REDACTED]"),
        ("Cookie: sid=abc; theme=dark", "Cookie: [REDACTED]; theme=dark"),
        ("sig=abc%2Bdef%3D&sv=1", "sig=[REDACTED]&sv=1"),
        (
            r#"[{"name":"DB_PASS","value":"x11"},{"name":"PORT","value":"80"}]"#,
            r#"[{"name":"DB_PASS","value":"[REDACTED]"},{"name":"PORT","value":"80"}]"#,
        ),
        (
            "- name: API_TOKEN\n  value: x12\n- name: PORT\n  value: 80",
            "- name: API_TOKEN\n  value: [REDACTED]\n- name: PORT\n  value: 80",
        ),
        ("password: null", "password: null"),
        ("password:\n  next", "password:\n  next"),
    ];
    for (input, want) in cases {
        assert_text(input, want);
    }
}

#[test]
fn masks_tokens_anywhere() {
    let cases = [
        (r#"{"key":"sk-proj-4fQ2mZ8tLr7vN1cWb6Yh3Jk9"}"#, r#"{"key":"[REDACTED]"}"#),
        (r#"{"s":"eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2ln"}"#, r#"{"s":"[REDACTED]"}"#),
        ("https://ghp_R4nd0mT0k3nV4lu3Xy9Lq2Wv7Bn4Rt8Yz1K@github.com/x", "https://[REDACTED]@github.com/x"),
        ("/hooks/xoxb-123456789012-Ab1Cd2Ef3G/x", "/hooks/[REDACTED]/x"),
        ("AKIAIOSFODNN7EXAMPLE wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", "[REDACTED] [REDACTED]"),
        ("token 4f1c9a7e2b6d8035c1e9f7a2d4b6c8e0 expired", "token [REDACTED] expired"),
        ("proxy: Basic Ym9iOkJhc2ljLVB3MHJkLXg5", "proxy: Basic [REDACTED]"),
        ("got Bearer Tk9-Qx7Lm2Wv8", "got Bearer [REDACTED]"),
        (
            "-----BEGIN EC PRIVATE KEY-----\nMHcCAQEE\n-----END EC PRIVATE KEY-----",
            "-----BEGIN EC PRIVATE KEY-----[REDACTED]-----END EC PRIVATE KEY-----",
        ),
    ];
    for (input, want) in cases {
        assert_text(input, want);
    }
}

#[test]
fn leaves_ordinary_text_alone() {
    for input in [
        "Back-off restarting failed container backend in pod todo-backend-5f",
        "image ghcr.io/acme/todo:v3 pulled",
        "http://todo.local/api/health returned 503",
        "replicas=3 namespace: todo",
        "Pulling image \"ghcr.io/acme/todo-backend@sha256:4f1c9a7e2b6d8035c1e9f7a2d4b6c8e04f1c9a7e2b6d8035c1e9f7a2d4b6c8e0\"",
        "Created pod: todo-backend-5f6d8c9b7-x2k4p",
        "commit 9fceb02d0ae598e95dc970b74767f19372d61af8 deployed",
        "configmap todo-config-3f2b9c1e-8d4a-4b6f-9e2a-1c3d5e7f9a0b created",
        "secret \"todo-secrets\" not found",
        "MountVolume.SetUp failed for volume \"secret-vol\" : secret \"todo-secrets\" not found",
        "FATAL: password authentication failed for user \"todo\"",
        "missing bearer token",
        "basic setup complete",
        "author=alice max_tokens=512 topologyKey=kubernetes.io/hostname",
        "valueFrom.secretKeyRef.name=todo-secrets",
        "-----BEGIN CERTIFICATE-----\nMIIBszCCAVmgAwIBAgIU\n-----END CERTIFICATE-----",
        "2026-12-01T10:00:00Z INFO GET /api/todos 200 12ms",
        "scale deployment todo/todo-backend from 2 to 3 replicas",
        "desk-lamp-0123456789abcdefghij",
        "ssh://git@github.com:22/acme/todo.git",
        "BETTER_AUTH_URL=http://todo.local",
        "ключ: значение, пароль без ключа",
        "",
    ] {
        assert_eq!(text(input), input);
    }
}

#[test]
fn masks_json_by_key_and_content() {
    let mut value = serde_json::json!({
        "tool": "helm_install",
        "args": {
            "set": {"secrets.databaseUrl": "postgres://a:b@c/d", "backend.replicaCount": "3", "backend.env.DB_PASS": "x"},
            "values": ["values-dev.yaml"],
            "openai_api_key": "sk-abcdefghijklmnopqrstu",
            "note": "token: abc",
            "credentials": {"user": "bob", "secretName": "todo-secrets", "list": ["a", 1]},
            "env": [{"name": "SESSION_KEY", "value": "y"}, {"name": "PORT", "value": "80"}],
            "sk-proj-4fQ2mZ8tLr7vN1cWb6Yh3Jk9": "as a key",
        }
    });
    json(&mut value);
    let args = &value["args"];
    assert_eq!(args["set"]["secrets.databaseUrl"], MASK);
    assert_eq!(args["set"]["backend.env.DB_PASS"], MASK);
    assert_eq!(args["set"]["backend.replicaCount"], "3");
    assert_eq!(args["openai_api_key"], MASK);
    assert_eq!(args["note"], "token: [REDACTED]");
    assert_eq!(args["values"][0], "values-dev.yaml");
    assert_eq!(
        args["credentials"],
        serde_json::json!({"user": MASK, "secretName": "todo-secrets", "list": [MASK, MASK]})
    );
    assert_eq!(
        args["env"],
        serde_json::json!([{"name": "SESSION_KEY", "value": MASK}, {"name": "PORT", "value": "80"}])
    );
    assert_eq!(args[MASK], "as a key");
    let once = value.clone();
    json(&mut value);
    assert_eq!(value, once, "idempotent");
}

#[test]
fn masks_kubernetes_secret_data() {
    let mut value = serde_json::json!({"kind": "Secret", "metadata": {"name": "todo"}, "data": {"DATABASE_URL": "cG9zdGdyZXM=", "x": "eQ=="}});
    json(&mut value);
    assert_eq!(value["data"], serde_json::json!({"DATABASE_URL": MASK, "x": MASK}));
    assert_eq!(value["metadata"]["name"], "todo");
}

#[test]
fn helm_values_masked_by_key_or_content() {
    assert_eq!(helm_value("secrets.openaiApiKey", "x"), MASK);
    assert_eq!(helm_value("backend.env.DB_PASS", "x"), MASK);
    assert_eq!(helm_value("backend.image.tag", "1.2"), "1.2");
    assert_eq!(helm_value("config.note", "sk-abcdefghijklmnop1234"), MASK);
    assert_eq!(helm_value("config.url", "https://u:pw@host"), "https://u:[REDACTED]@host");
    assert!(has_secret("ghp_R4nd0mT0k3nV4lu3Xy9Lq2Wv7Bn4Rt8Yz1K"));
    assert!(!has_secret("3"));
}

/// A megabyte of each shape that could make a scanner backtrack: each finishes (they are
/// all linear; a quadratic scanner would not finish a megabyte in any reasonable time).
#[test]
fn hostile_megabytes_finish() {
    const SIZE: usize = 1 << 20;
    for unit in [
        "a", "password=", "password=a,", ",a", "a://", "a://b:", "a://@", "-----BEGIN PRIVATE KEY-----", "-----BEGIN ",
        "\"", "\\\"", "{\"password\":\"", "eyJ", "eyJhbGciOiJIUzI1NiJ9.", "sk-", "AKIA", "a/", "Q~", "Bearer ",
        "[REDACTED]", "name: DB_PASS\n", "--password ", "key ", "\u{e9}",
    ] {
        let input = unit.repeat(SIZE / unit.len() + 1);
        let once = text(&input);
        assert!(once.len() <= input.len() + MASK.len() * (input.len() / 2 + 1), "{unit}");
    }
}

#[test]
fn caps_output_with_a_note() {
    let big = "line of text\n".repeat(100);
    let capped = cap(&big, 100);
    assert!(capped.starts_with("line of text\n"));
    assert!(capped.contains("[truncated: showing 91 of 1300 bytes"), "{capped}");
    assert_eq!(cap("short", 100), "short");
}
