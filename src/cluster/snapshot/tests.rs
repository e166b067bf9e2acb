//! The loader against the shapes snapshots come in, broken text, and hostile input.

use super::*;

const LIST: &str = r#"
apiVersion: v1
kind: List
items:
- apiVersion: v1
  kind: Pod
  metadata: {name: web-1, namespace: todo}
  spec: {containers: [{name: app, image: x}]}
- apiVersion: apps/v1
  kind: Deployment
  metadata: {name: web, namespace: todo}
  spec: {selector: {matchLabels: {app: web}}, template: {spec: {containers: [{name: app}]}}}
- apiVersion: v1
  kind: Service
  metadata: {name: web, namespace: todo}
---
apiVersion: events.k8s.io/v1
kind: Event
metadata: {name: e1, namespace: todo}
regarding: {kind: Pod, name: web-1}
reason: BackOff
note: Back-off restarting failed container
type: Warning
eventTime: "2026-01-01T00:00:00.000000Z"
"#;

#[test]
fn lists_multi_documents_and_event_kinds() {
    let mut objects = Objects::default();
    parse(LIST, &mut objects).unwrap();
    assert_eq!(objects.pods.len(), 1);
    assert_eq!(objects.deployments.len(), 1);
    assert_eq!(objects.services.len(), 1);
    assert_eq!(objects.events.len(), 1);
    assert_eq!(objects.events[0].message.as_deref(), Some("Back-off restarting failed container"));
    assert_eq!(objects.events[0].involved_object.name.as_deref(), Some("web-1"));
}

#[test]
fn json_and_errors_with_location() {
    let mut objects = Objects::default();
    parse(r#"{"apiVersion":"v1","kind":"Pod","metadata":{"name":"p"},"spec":{"containers":[]}}"#, &mut objects)
        .unwrap();
    assert_eq!(objects.pods.len(), 1);
    let error = parse("apiVersion: v1\nkind: Pod\nmetadata: [\n", &mut objects).unwrap_err();
    assert!(error.starts_with("line "), "{error}");
    let error =
        parse("apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec: {containers: 3}\n", &mut objects).unwrap_err();
    assert!(error.starts_with("Pod `p`:"), "{error}");
    assert!(parse("just a string", &mut objects).unwrap_err().contains("a string"));
    assert!(parse("metadata: {name: x}", &mut objects).unwrap_err().contains("without `kind`"));
}

#[test]
fn arbitrary_text_never_panics() {
    let samples = ["", "---", "- 1\n- 2", "{", "kind: List\nitems: 5", "kind: List", "\u{0}\u{1}", "a: b: c", "[[[]]]"];
    for sample in samples {
        let _ = parse(sample, &mut Objects::default());
    }
}

/// A snapshot whose YAML aliases repeat a 10 KB string through thousands of pods: a few
/// hundred KB of text that expands to gigabytes when every alias is materialised.
fn alias_bomb() -> String {
    let long = "x".repeat(10_000);
    let mut text = format!(
        "apiVersion: v1\nkind: List\nitems:\n- &p {{apiVersion: v1, kind: Pod, metadata: {{name: p, labels: {{a: &s \"{long}\", b: *s, c: *s}}}}, spec: {{containers: [{{name: *s, image: *s}}, {{name: *s, image: *s}}]}}}}\n"
    );
    for _ in 0..8_000 {
        text.push_str("- *p\n");
    }
    text
}

#[test]
fn an_alias_bomb_is_stopped_by_the_memory_budget() {
    let text = alias_bomb();
    assert!(text.len() < 100_000, "{}", text.len());
    let error = parse(&text, &mut Objects::default()).unwrap_err();
    assert!(error.contains(crate::cluster::model::budget::EXHAUSTED) || error.contains(OVER_LIMIT), "{error}");
    // Bounded by the memory the text may take, however it is stopped.
    let limits = Limits { max_memory: Some(8 << 20), ..Limits::default() };
    assert!(parse_into(&text, &mut Objects::default(), &limits).is_err());
}

#[test]
fn a_wide_list_of_empty_objects_is_charged_as_it_is_read() {
    // Three bytes of YAML per element, hundreds of bytes per container.
    let text = format!(
        "apiVersion: v1\nkind: Pod\nmetadata: {{name: p}}\nspec: {{containers: [{}]}}\n",
        vec!["{}"; 20_000].join(",")
    );
    let limits = Limits { max_memory: Some(1 << 20), ..Limits::default() };
    let error = parse_into(&text, &mut Objects::default(), &limits).unwrap_err();
    assert!(error.contains(crate::cluster::model::budget::EXHAUSTED), "{error}");
    // With the default budget (twice the text plus 32 MiB) it loads.
    let stats = parse_into(&text, &mut Objects::default(), &Limits::default()).unwrap();
    assert_eq!(stats.objects, 1);
    assert!(stats.charged > 20_000 * std::mem::size_of::<crate::cluster::model::Container>(), "{stats:?}");
}

#[test]
fn objects_and_documents_are_counted() {
    let limits = Limits { max_objects: 3, ..Limits::default() };
    let many = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n---\n".repeat(5);
    let error = parse_into(&many, &mut Objects::default(), &limits).unwrap_err();
    assert!(error.contains("too many objects"), "{error}");
    let limits = Limits { max_documents: 10, ..Limits::default() };
    let error = parse_into(&"---\n".repeat(50), &mut Objects::default(), &limits).unwrap_err();
    assert!(error.to_lowercase().contains("document"), "{error}");
}

#[test]
fn views_keep_key_names_never_secret_values() {
    let text = "apiVersion: v1\nkind: Secret\nmetadata: {name: s, namespace: todo}\ndata: {password: aHVudGVyMg==}\n";
    let mut objects = Objects::default();
    parse(text, &mut objects).unwrap();
    assert!(!format!("{objects:?}").contains("aHVudGVyMg=="));
    assert!(!objects.secrets[0].lacks_key("password"));
}

#[test]
fn kubectl_order_json_and_hand_written_order_read_alike() {
    let kubectl = r#"{"apiVersion": "v1", "items": [{"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p", "namespace": "n"},
        "spec": {"containers": [{"name": "app", "image": "x"}]}}], "kind": "List", "metadata": {"resourceVersion": ""}}"#;
    let hand =
        "metadata: {name: p, namespace: n}\nspec: {containers: [{name: app, image: x}]}\nkind: Pod\napiVersion: v1\n";
    let (mut first, mut second) = (Objects::default(), Objects::default());
    parse(kubectl, &mut first).unwrap();
    parse(hand, &mut second).unwrap();
    assert_eq!(first.pods, second.pods);
    assert_eq!(first.pods[0].spec.containers[0].image, "x");
}

mod hostile {
    //! Generated and hostile snapshots: loading never panics, and what it keeps stays within
    //! the limits it was given (objects counted, memory charged as it is read).

    use proptest::prelude::*;

    use super::*;

    /// YAML text from a small grammar of the shapes that hurt parsers and loaders: wide
    /// lists of empty objects, long and repeated strings, anchors and aliases, deep nesting,
    /// wrong types where views expect others, and known and unknown kinds.
    fn node(depth: u32) -> BoxedStrategy<String> {
        let leaf = prop_oneof![
            Just("{}".to_string()),
            Just("[]".to_string()),
            Just("null".to_string()),
            Just("3".to_string()),
            Just("*a".to_string()),
            "[a-z]{0,12}".prop_map(|s| format!("\"{s}\"")),
            (1usize..3000).prop_map(|n| format!("\"{}\"", "y".repeat(n))),
            (1usize..3000).prop_map(|n| format!("[{}]", vec!["{}"; n].join(","))),
        ];
        if depth == 0 {
            return leaf.boxed();
        }
        prop_oneof![
            leaf,
            prop::collection::vec(node(depth - 1), 0..6).prop_map(|items| format!("[{}]", items.join(", "))),
            prop::collection::vec(
                (
                    prop_oneof![
                        Just("name"),
                        Just("labels"),
                        Just("containers"),
                        Just("spec"),
                        Just("status"),
                        Just("metadata"),
                        Just("items"),
                        Just("kind"),
                        Just("data"),
                        Just("selector"),
                        Just("ports"),
                        Just("env"),
                        Just("conditions")
                    ],
                    node(depth - 1)
                ),
                0..6
            )
            .prop_map(|entries| {
                let mut seen = std::collections::HashSet::new();
                let body: Vec<String> = entries
                    .into_iter()
                    .filter(|(key, _)| seen.insert(*key))
                    .map(|(key, value)| format!("{key}: {value}"))
                    .collect();
                format!("{{{}}}", body.join(", "))
            }),
        ]
        .boxed()
    }

    fn document() -> impl Strategy<Value = String> {
        (
            prop_oneof![Just("Pod"), Just("Service"), Just("Deployment"), Just("Secret"), Just("List"), Just("Widget")],
            node(4),
            node(3),
            0usize..200,
        )
            .prop_map(|(kind, spec, metadata, repeats)| {
                let mut text = format!(
                    "apiVersion: v1\nkind: {kind}\nmetadata: &a {metadata}\nspec: {spec}\nitems:\n- &o {{kind: Pod, metadata: {{name: p, labels: {{x: *a}}}}, spec: {spec}}}\n"
                );
                for _ in 0..repeats {
                    text.push_str("- *o\n");
                }
                text
            })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]

        #[test]
        fn loading_stays_within_its_limits(text in document(), memory in 4_096usize..262_144, objects in 1usize..64) {
            let limits = Limits { max_memory: Some(memory), max_objects: objects, ..Limits::default() };
            let mut loaded = Objects::default();
            match parse_into(&text, &mut loaded, &limits) {
                Ok(stats) => {
                    prop_assert!(stats.objects <= objects);
                    prop_assert_eq!(stats.objects, loaded.len());
                    prop_assert!(stats.charged <= memory, "{} > {}", stats.charged, memory);
                }
                Err(error) => prop_assert!(!error.is_empty()),
            }
        }

        #[test]
        fn arbitrary_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..2_000)) {
            let text = String::from_utf8_lossy(&bytes);
            let limits = Limits { max_memory: Some(65_536), max_objects: 16, ..Limits::default() };
            let _ = parse_into(&text, &mut Objects::default(), &limits);
        }
    }
}
