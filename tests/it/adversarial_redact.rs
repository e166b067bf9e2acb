//! Adversarial redaction (issue 12, item 5): one test per leak class a reviewer reproduced.
//! Cluster text goes through the real binary (a snapshot whose Warning event carries the
//! hostile line, shown as a table and as `-o json`) and through the `logs` tool against the
//! fake API server; plans and Helm values go through the binary with a fake `helm` that
//! records its argv. Each test asserts the secret is in no output, and that the ordinary
//! text around it still is (so a test cannot pass by showing nothing).

use std::path::Path;
use std::sync::{Arc, Mutex};

use serde_json::json;

use crate::fake_api::{self, State, example_objects};
use crate::support::{audit_lines, chart_dir, fake_helm, path_with, todo_ai};

/// A snapshot with one Warning event about the backend whose message is `message`.
fn snapshot_with_event(dir: &Path, message: &str) -> std::path::PathBuf {
    let list = json!({"apiVersion": "v1", "kind": "List", "items": [{
        "apiVersion": "v1", "kind": "Event", "type": "Warning", "reason": "Failed",
        "metadata": {"name": "todo-backend-x.1", "namespace": "todo", "creationTimestamp": "2026-11-20T10:00:00Z"},
        "involvedObject": {"kind": "Pod", "name": "todo-backend-x", "namespace": "todo"},
        "lastTimestamp": "2026-11-20T10:00:00Z",
        "message": message,
    }]});
    let path = dir.join("snapshot.json");
    std::fs::write(&path, serde_json::to_string_pretty(&list).unwrap()).unwrap();
    path
}

/// The event through `todo-ai events` (text and `-o json`): no secret, `keep` still there.
fn assert_hidden_in_events(message: &str, secrets: &[&str], keep: &str) {
    let home = tempfile::tempdir().unwrap();
    let snapshot = snapshot_with_event(home.path(), message);
    for format in ["text", "json"] {
        let output = todo_ai(&home)
            .args(["--snapshot", snapshot.to_str().unwrap(), "-n", "todo", "-o", format, "events"])
            .output()
            .unwrap();
        let stdout = String::from_utf8_lossy(&output.stdout);
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(0), "{stderr}");
        assert!(stdout.contains(keep), "`{keep}` is not shown ({format}): {stdout}");
        for secret in secrets {
            assert!(!stdout.contains(secret), "{secret} leaked on stdout ({format}): {stdout}");
            assert!(!stderr.contains(secret), "{secret} leaked on stderr ({format}): {stderr}");
        }
    }
}

/// The same text as a container log, through the `logs` tool and a real kube client.
fn assert_hidden_in_logs(log: &str, secrets: &[&str], keep: &str) {
    let mut state = State::default();
    state.add(example_objects());
    state.log = Some(log.to_string());
    let state = Arc::new(Mutex::new(state));
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    let output = runtime.block_on(async {
        let ctx = fake_api::start(state.clone());
        let call = todo_ai::tools::check("logs", json!({"target": "todo-backend-0427955b73-fx329"}), &ctx).unwrap();
        call.run(&ctx).await.unwrap()
    });
    let data = output.data.to_string();
    assert!(output.text.contains(keep), "`{keep}` is not shown: {}", output.text);
    for secret in secrets {
        assert!(!output.text.contains(secret), "{secret} leaked: {}", output.text);
        assert!(!data.contains(secret), "{secret} leaked in data: {data}");
    }
}

/// Both paths.
fn assert_hidden(line: &str, secrets: &[&str], keep: &str) {
    assert_hidden_in_events(line, secrets, keep);
    assert_hidden_in_logs(line, secrets, keep);
}

#[test]
fn password_in_a_json_log_line() {
    assert_hidden(
        r#"{"ts":"2026-12-01T10:00:00Z","level":"error","msg":"login failed","user":"bob","password":"Hunter2-json-S3cret"}"#,
        &["Hunter2-json-S3cret"],
        "login failed",
    );
    // JSON inside a JSON string (a log shipper's envelope).
    assert_hidden(
        r#"{"log":"{\"msg\":\"login failed\",\"password\":\"Hunter2-nested-S3cret\"}"}"#,
        &["Hunter2-nested-S3cret"],
        "login failed",
    );
}

#[test]
fn db_pass_environment_variable() {
    assert_hidden("startup env: HOME=/app DB_PASS=Zq8wdbPassX1 PORT=8000", &["Zq8wdbPassX1"], "PORT=8000");
}

#[test]
fn session_key_environment_variable() {
    assert_hidden("loaded SESSION_KEY=Sk3y-session-77aa from .env", &["Sk3y-session-77aa"], "from .env");
}

#[test]
fn comma_separated_pairs() {
    assert_hidden("connect user=bob,password=CommaPw0rd-x1,host=db failed", &["CommaPw0rd-x1"], "host=db failed");
}

#[test]
fn query_string_password() {
    assert_hidden(
        "GET /login?user=bob&password=QueryPw0rd-x2&next=/home HTTP/1.1 401",
        &["QueryPw0rd-x2"],
        "next=/home HTTP/1.1 401",
    );
}

#[test]
fn password_flag_with_a_separate_value() {
    assert_hidden("exec: /app/server --password FlagPw0rd-x3 --port 80", &["FlagPw0rd-x3"], "--port 80");
    assert_hidden("exec: psql --db-password 'Flag Pw0rd x4' -h db", &["Flag Pw0rd x4", "Pw0rd x4"], "-h db");
}

#[test]
fn openai_key_inside_json() {
    assert_hidden(
        r#"{"provider":"openai","key":"sk-proj-Xa9Lq2Wv7Bn4Rt8Yz1Kc6Hm3Jd5Pf0Gs","status":401}"#,
        &["sk-proj-Xa9Lq2Wv7Bn4Rt8Yz1Kc6Hm3Jd5Pf0Gs", "Xa9Lq2Wv7Bn4Rt8Yz1Kc6Hm3Jd5Pf0Gs"],
        "openai",
    );
}

#[test]
fn jwt_inside_json() {
    let jwt = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJib2IiLCJleHAiOjE5MDAwMDAwMDB9.dBjftJeZ4CVPmB92K27uhbUJU1p1r_wW1gFWFOEjXk";
    assert_hidden(
        &format!(r#"{{"msg":"session refresh","session":"{jwt}"}}"#),
        &[jwt, "dBjftJeZ4CVPmB92K27u"],
        "session refresh",
    );
}

#[test]
fn aws_access_key_and_secret_key() {
    assert_hidden(
        "aws: using AKIAIOSFODNN7EXAMPLE wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY for s3",
        &["AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"],
        "for s3",
    );
    assert_hidden(
        "config: aws_access_key_id = ASIAY34FZKBOKMUTVV7A aws_secret_access_key = Xj9+kLm2/Qw8Rt6Yv1Bn3Hj5Pz7Qc0Ws4Ea8Df2G region=eu-west-1",
        &["ASIAY34FZKBOKMUTVV7A", "Xj9+kLm2/Qw8Rt6Yv1Bn3Hj5Pz7Qc0Ws4Ea8Df2G"],
        "region=eu-west-1",
    );
}

#[test]
fn azure_storage_connection_string() {
    let key = "BwgJCgsMDQ4PEBESExQVFhcYGRobHB0eHyAhIiMkJSYnKCkqKywtLi8wMTIzNDU2Nzg5Ojs8PT4/QEFCQ0RFRg==";
    assert_hidden(
        &format!(
            "blob: DefaultEndpointsProtocol=https;AccountName=todoacct;AccountKey={key};EndpointSuffix=core.windows.net"
        ),
        &[key, "BwgJCgsMDQ4PEBESExQVFhcY"],
        "AccountName=todoacct",
    );
    // The key alone, as it is copied around.
    assert_hidden(&format!("storage key {key} rotated"), &["BwgJCgsMDQ4PEBESExQVFhcY"], "rotated");
}

#[test]
fn azure_sas_signature_and_api_key() {
    assert_hidden(
        "GET https://todoacct.blob.core.windows.net/c/b.txt?sv=2022-11-02&sr=b&sp=r&sig=Q3tXk9%2Bm2Lw8Rt6Yv1Bn3Hj5Pz7Qc0Ws%3D 403",
        &["Q3tXk9%2Bm2Lw8Rt6Yv1Bn3Hj5Pz7Qc0Ws"],
        "sp=r",
    );
    assert_hidden(
        "POST https://todo.openai.azure.com/openai/deployments/gpt/chat api-key: 4f1c9a7e2b6d8035c1e9f7a2d4b6c8e0 -> 401",
        &["4f1c9a7e2b6d8035c1e9f7a2d4b6c8e0"],
        "-> 401",
    );
    assert_hidden(
        "msal: client secret Xy98Q~Abc.Def_GhiJklMnoPqrStuVwxYz0123456789 rejected",
        &["Q~Abc.Def_GhiJklMnoPqrStuVwxYz0123456789"],
        "rejected",
    );
}

#[test]
fn google_api_key() {
    assert_hidden(
        "maps: request denied for key=AIzaSyD4kq9Lm2Xw8Rt6Yv1Bn3Hj5Pz7Qc0Ws-E (quota)",
        &["AIzaSyD4kq9Lm2Xw8Rt6Yv1Bn3Hj5Pz7Qc0Ws-E", "SyD4kq9Lm2Xw8Rt6Yv1Bn3Hj5Pz7Qc0Ws"],
        "(quota)",
    );
}

const PEM_BODY: [&str; 3] = [
    "MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7VJTUt9Us8cKj",
    "MzEfYyjiWA4R4/M2bS1GB4t7NXp98C3SC6dVMvDuictGeurT8jNbvJZHtCSuYEvu",
    "NMoSfm76oqFvAp8Gy0iz5sxjZmSnXyCdPEovGhLa0VzMaQ8s+CLOyS56YyCFGeJZ",
];

#[test]
fn pem_private_key_block() {
    let pem = format!("-----BEGIN PRIVATE KEY-----\n{}\n-----END PRIVATE KEY-----", PEM_BODY.join("\n"));
    // Multi-line, as a mounted key file printed by a crashing app.
    assert_hidden(&format!("loading key:\n{pem}\nkey rejected"), &PEM_BODY, "key rejected");
    // One line with `\n` escapes, as a JSON log carries it.
    assert_hidden(&format!(r#"{{"msg":"bad key","pem":"{}"}}"#, pem.replace('\n', "\\n")), &PEM_BODY, "bad key");
    // An RSA key without its END line (cut by a log tail).
    assert_hidden_in_events(
        &format!("-----BEGIN RSA PRIVATE KEY-----\n{}\n{}", PEM_BODY[0], PEM_BODY[1]),
        &PEM_BODY[..2],
        "BEGIN RSA PRIVATE KEY",
    );
}

#[test]
fn bearer_and_basic_authorization_headers() {
    assert_hidden(
        "upstream: Authorization: Bearer Tk9-bearer-Qx7Lm2Wv8 rejected",
        &["Tk9-bearer-Qx7Lm2Wv8"],
        "rejected",
    );
    assert_hidden(
        r#"{"headers":{"Authorization":"Basic Ym9iOkJhc2ljLVB3MHJkLXg5"},"status":401}"#,
        &["Ym9iOkJhc2ljLVB3MHJkLXg5"],
        "401",
    );
    assert_hidden("proxy sent Basic Ym9iOkJhc2ljLVB3MHJkLXg5 upstream", &["Ym9iOkJhc2ljLVB3MHJkLXg5"], "upstream");
}

#[test]
fn github_slack_and_stripe_tokens_in_json() {
    for token in [
        "ghp_R4nd0mT0k3nV4lu3Xy9Lq2Wv7Bn4Rt8Yz1K",
        "github_pat_11ABCDEFG0123456789_abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWX",
        "xoxb-123456789012-1234567890123-Ab1Cd2Ef3Gh4Ij5Kl6Mn7Op8",
        "sk_live_51H7Qx9Lm2Wv8Rt6Yv1Bn3Hj5Pz",
    ] {
        assert_hidden(&format!(r#"{{"event":"webhook call","value":"{token}"}}"#), &[token], "webhook call");
    }
}

#[test]
fn connection_strings_with_passwords() {
    assert_hidden(
        "sql: Server=tcp:db.example.com,1433;User ID=sa;Password=ConnPw0rd-x5;Encrypt=True failed",
        &["ConnPw0rd-x5"],
        "Encrypt=True failed",
    );
    assert_hidden(
        "jdbc:postgresql://db:5432/todo?user=app&password=JdbcPw0rd-x6&ssl=true refused",
        &["JdbcPw0rd-x6"],
        "ssl=true refused",
    );
    assert_hidden("redis: dial redis://:RedisPw0rd-x7@cache:6379/0 failed", &["RedisPw0rd-x7"], "cache:6379");
    assert_hidden("libpq: host=db user=app password=LibpqPw0rd-x8 dbname=todo", &["LibpqPw0rd-x8"], "dbname=todo");
}

#[test]
fn environment_lists_with_secret_names() {
    // A Deployment's `env` as JSON: the name says the value is a secret.
    assert_hidden(
        r#"env: [{"name":"DB_PASS","value":"EnvListPw0rd-x9"},{"name":"PORT","value":"8000"}]"#,
        &["EnvListPw0rd-x9"],
        "PORT",
    );
}

// --- Plans and Helm values: through the binary with a fake `helm` ---

const DB_PASSWORD: &str = "PlanPw0rd-database-Q1";
const SET_SECRET: &str = "SetPw0rd-db-pass-Q2";

#[test]
fn plan_output_does_not_echo_set_secrets() {
    let home = tempfile::tempdir().unwrap();
    let prompt = format!("deploy with --set secrets.databaseUrl=postgresql://u:{DB_PASSWORD}@db/x");
    for format in ["json", "yaml", "text"] {
        let output = todo_ai(&home).args(["plan", "-o", format, &prompt]).output().unwrap();
        let stdout = String::from_utf8_lossy(&output.stdout);
        assert_eq!(output.status.code(), Some(0), "{}", String::from_utf8_lossy(&output.stderr));
        assert!(stdout.contains("secrets.databaseUrl"), "{stdout}");
        assert!(!stdout.contains(DB_PASSWORD), "leaked in `plan -o {format}`: {stdout}");
    }
    let prompt = format!("deploy with --set backend.env.DB_PASS={SET_SECRET} --set backend.replicaCount=2");
    for format in ["json", "yaml", "text"] {
        let output = todo_ai(&home).args(["plan", "-o", format, &prompt]).output().unwrap();
        let stdout = String::from_utf8_lossy(&output.stdout);
        assert!(stdout.contains("backend.env.DB_PASS") && stdout.contains("backend.replicaCount"), "{stdout}");
        assert!(!stdout.contains(SET_SECRET), "leaked in `plan -o {format}`: {stdout}");
    }
}

fn helm_logs(home: &Path) -> String {
    ["helm.argv", "helm.argv.env"]
        .iter()
        .map(|log| std::fs::read_to_string(home.join(log)).unwrap_or_default())
        .collect()
}

/// Every values input the fake helm was given (the secret ones on its stdin), joined.
fn values_files(home: &Path) -> String {
    let mut text = String::new();
    for entry in std::fs::read_dir(home.join("helm-state")).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().to_string();
        if name.starts_with("f-") && name.ends_with(".yaml") {
            let mode = std::fs::read_to_string(path.with_extension("mode")).unwrap();
            // Secret values reach helm on its stdin, never as a file.
            assert!(mode.trim() == "stdin" || mode.trim() == "600", "{name}: {mode}");
            text.push_str(&std::fs::read_to_string(&path).unwrap());
        }
    }
    text
}

#[test]
fn secret_looking_set_keys_never_reach_argv_output_or_audit() {
    let home = tempfile::tempdir().unwrap();
    let bin = fake_helm(home.path());
    let token = "sk-proj-Note9Lq2Wv7Bn4Rt8Yz1Kc6Hm3Jd5Pf";
    for format in ["text", "json"] {
        let output = todo_ai(&home)
            .env("PATH", path_with(&bin))
            .env("TODO_AI_CHART", chart_dir())
            .args(["--yes", "-n", "todo", "-o", format, "deploy"])
            .args(["--set", &format!("backend.env.DB_PASS={SET_SECRET}")])
            .args(["--set", &format!("backend.env.NOTE={token}")])
            .args(["--set", "backend.replicaCount=2"])
            .output()
            .unwrap();
        let stdout = String::from_utf8_lossy(&output.stdout);
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(0), "{stderr}");
        for secret in [SET_SECRET, token] {
            assert!(
                !stdout.contains(secret) && !stderr.contains(secret),
                "{secret} shown ({format}): {stdout}{stderr}"
            );
        }
        if format == "json" {
            let result: serde_json::Value = serde_json::from_str(&stdout).unwrap();
            assert_eq!(result["args"]["set"]["backend.env.DB_PASS"], "[REDACTED]", "{stdout}");
            assert_eq!(result["args"]["set"]["backend.replicaCount"], "2", "{stdout}");
        }
    }
    let argv = helm_logs(home.path());
    assert!(argv.contains("--set backend.replicaCount=2"), "{argv}");
    for secret in [SET_SECRET, token, "DB_PASS"] {
        assert!(!argv.contains(secret), "{secret} on helm's argv: {argv}");
    }
    // It reached helm, through the 0600 values file.
    let files = values_files(home.path());
    assert!(files.contains(&format!("DB_PASS: {SET_SECRET}")) && files.contains(token), "{files}");
    let audit = std::fs::read_to_string(home.path().join("state/todo-ai/audit.jsonl")).unwrap();
    assert!(!audit.contains(SET_SECRET) && !audit.contains(token), "{audit}");
    assert_eq!(audit_lines(home.path())[0]["args"]["set"]["backend.env.DB_PASS"], "[REDACTED]");
}

#[test]
fn secret_looking_set_keys_are_hidden_in_the_refusal_and_the_approval_question() {
    let home = tempfile::tempdir().unwrap();
    let bin = fake_helm(home.path());
    // No terminal: refused, with the preview of what it would have done.
    let output = todo_ai(&home)
        .env("PATH", path_with(&bin))
        .env("TODO_AI_CHART", chart_dir())
        .args(["-n", "todo", "deploy", "--set", &format!("backend.env.DB_PASS={SET_SECRET}")])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("backend.env.DB_PASS="), "{stderr}");
    assert!(!stderr.contains(SET_SECRET), "{stderr}");
    assert!(!audit_lines(home.path()).is_empty());
    let audit = std::fs::read_to_string(home.path().join("state/todo-ai/audit.jsonl")).unwrap();
    assert!(!audit.contains(SET_SECRET), "{audit}");

    // On a terminal (a pseudo-terminal from `script`): the question, answered no.
    let binary = assert_cmd::cargo::cargo_bin("todo-ai");
    let command = format!(
        "'{}' -n todo deploy --set backend.env.DB_PASS={SET_SECRET} --set backend.replicaCount=2",
        binary.display()
    );
    let mut script = std::process::Command::new("script");
    script
        .args(["-q", "-e", "-c", &command, "/dev/null"])
        .current_dir(home.path())
        .env("HOME", home.path())
        .env("XDG_STATE_HOME", home.path().join("state"))
        .env("XDG_CONFIG_HOME", home.path().join("config"))
        .env("NO_COLOR", "1")
        .env("PATH", path_with(&bin))
        .env("TODO_AI_CHART", chart_dir())
        .env_remove("KUBECONFIG")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped());
    let mut child = script.spawn().expect("`script` (util-linux) runs the binary on a pseudo-terminal");
    use std::io::Write as _;
    child.stdin.take().unwrap().write_all(b"n\n").unwrap();
    let output = child.wait_with_output().unwrap();
    let screen = String::from_utf8_lossy(&output.stdout);
    assert!(screen.contains("approve?"), "no question was asked: {screen}");
    assert!(screen.contains("backend.env.DB_PASS=") && screen.contains("backend.replicaCount=2"), "{screen}");
    assert!(!screen.contains(SET_SECRET), "the question shows the secret: {screen}");
}
