//! Property tests of what reads model output: the server-sent-event parser and chunk merger
//! (arbitrary bytes split anywhere, arbitrary chunk sequences with hostile indexes and
//! sizes), the whole-reply parser, and JSON mode's strict `parse_json_reply`. None panics;
//! every reply stays within the caps (tool calls, argument bytes, text bytes) or is a
//! `Malformed` error; and well-formed replies — streamed as a server would, cut at any byte —
//! come back as exactly the tool calls and text that went in. Bounded case counts.

use proptest::prelude::*;
use proptest::sample::Index;
use serde_json::{Map, Value, json};
use todo_ai::llm::LlmError;
use todo_ai::llm::agent::parse_json_reply;
use todo_ai::llm::stream::{
    MAX_ARGUMENT_BYTES, MAX_NAME_BYTES, MAX_REPLY_BYTES, MAX_TOOL_CALLS, Reply, SseParser, ToolCall, merge_chunk,
    parse_reply, reply_from_sse,
};

/// The caps every reply the client hands on respects.
fn assert_within_caps(reply: &Reply) {
    assert!(reply.tool_calls.len() <= MAX_TOOL_CALLS, "{} calls", reply.tool_calls.len());
    assert!(reply.content.len() <= MAX_REPLY_BYTES);
    for call in &reply.tool_calls {
        assert!(call.arguments.len() <= MAX_ARGUMENT_BYTES, "{} argument bytes", call.arguments.len());
        assert!(call.name.len() <= MAX_NAME_BYTES && call.id.len() <= MAX_NAME_BYTES);
    }
}

fn is_malformed(error: &LlmError) -> bool {
    matches!(error, LlmError::Malformed(_))
}

/// Byte positions (sorted, deduplicated) to cut `length` bytes at.
fn cuts(length: usize, picks: &[Index]) -> Vec<usize> {
    let mut cuts: Vec<usize> = picks.iter().map(|pick| pick.index(length + 1)).collect();
    cuts.sort_unstable();
    cuts.dedup();
    cuts
}

/// Feeds `bytes` cut at `picks` to a parser and merges every event; checks the bounds after
/// each step.
fn stream_in_pieces(bytes: &[u8], picks: &[Index]) -> Result<(Reply, String), LlmError> {
    let mut parser = SseParser::default();
    let mut reply = Reply::default();
    let mut shown = String::new();
    let mut start = 0;
    let mut pieces: Vec<&[u8]> = Vec::new();
    for cut in cuts(bytes.len(), picks) {
        pieces.push(&bytes[start..cut]);
        start = cut;
    }
    pieces.push(&bytes[start..]);
    let mut payloads = Vec::new();
    for piece in pieces {
        payloads.extend(parser.push(piece)?);
        assert!(parser.buffered() <= MAX_REPLY_BYTES);
        if parser.is_done() {
            break;
        }
    }
    payloads.extend(parser.finish()?);
    for payload in payloads {
        let chunk: Value =
            serde_json::from_str(&payload).map_err(|error| LlmError::Malformed(format!("not JSON: {error}")))?;
        let result = merge_chunk(&mut reply, &chunk, &mut |text| shown.push_str(text));
        assert_within_caps(&reply);
        result?;
    }
    Ok((reply, shown))
}

/// Pieces that SSE streams from OpenAI-compatible servers are made of, plus noise.
fn sse_fragment() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        Just(b"data: ".to_vec()),
        Just(b"data:".to_vec()),
        Just(b"\n".to_vec()),
        Just(b"\n\n".to_vec()),
        Just(b"\r\n".to_vec()),
        Just(b"\r".to_vec()),
        Just(b": keep-alive".to_vec()),
        Just(b"event: keepalive".to_vec()),
        Just(b"[DONE]".to_vec()),
        Just(br#"{"choices":[{"delta":{"content":"#.to_vec()),
        Just(br#"{"choices":[{"delta":{"tool_calls":[{"index":"#.to_vec()),
        Just(br#","id":"c","function":{"name":"status","arguments":"{\"a\":"#.to_vec()),
        Just(br#""x"}}]}}]}"#.to_vec()),
        Just(br#"{"error":{"message":"boom"}}"#.to_vec()),
        any::<u64>().prop_map(|number| number.to_string().into_bytes()),
        (0u64..20).prop_map(|number| number.to_string().into_bytes()),
        proptest::collection::vec(any::<u8>(), 0..16),
    ]
}

/// A tool-call `index`: small ones, huge ones, negative, fractional, strings, null.
fn hostile_index() -> impl Strategy<Value = Value> {
    prop_oneof![
        4 => (0u64..20).prop_map(Value::from),
        1 => any::<u64>().prop_map(Value::from),
        1 => any::<i64>().prop_map(Value::from),
        1 => Just(Value::Null),
        1 => Just(json!("1")),
        1 => Just(json!(1.5)),
    ]
}

/// A string of `count` copies of one character (up to tens of KiB).
fn long_text(most: usize) -> impl Strategy<Value = String> {
    (any::<char>(), 0..most).prop_map(|(character, count)| character.to_string().repeat(count))
}

fn call_delta() -> impl Strategy<Value = Value> {
    (
        proptest::option::of(hostile_index()),
        proptest::option::of(prop_oneof![".{0,12}".boxed(), long_text(400).boxed()]),
        proptest::option::of(prop_oneof![".{0,12}".boxed(), long_text(300).boxed()]),
        proptest::option::of(prop_oneof![".{0,40}".boxed(), long_text(24 * 1024).boxed()]),
    )
        .prop_map(|(index, id, name, arguments)| {
            let mut call = Map::new();
            if let Some(index) = index {
                call.insert("index".into(), index);
            }
            if let Some(id) = id {
                call.insert("id".into(), id.into());
            }
            let mut function = Map::new();
            if let Some(name) = name {
                function.insert("name".into(), name.into());
            }
            if let Some(arguments) = arguments {
                function.insert("arguments".into(), arguments.into());
            }
            call.insert("function".into(), Value::Object(function));
            Value::Object(call)
        })
}

/// Arbitrary JSON, a few levels deep.
fn any_json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        any::<f64>().prop_filter("finite", |number| number.is_finite()).prop_map(Value::from),
        ".{0,16}".prop_map(Value::from),
    ];
    leaf.prop_recursive(4, 48, 6, |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            proptest::collection::btree_map("[a-z_]{1,12}", inner, 0..6)
                .prop_map(|map| Value::Object(map.into_iter().collect())),
        ]
    })
}

fn chunk() -> impl Strategy<Value = Value> {
    prop_oneof![
        3 => prop_oneof![".{0,20}".boxed(), long_text(64 * 1024).boxed()]
            .prop_map(|text| json!({"choices": [{"delta": {"content": text}}]})),
        4 => proptest::collection::vec(call_delta(), 0..4)
            .prop_map(|calls| json!({"choices": [{"delta": {"tool_calls": calls}}]})),
        1 => (any::<u64>(), any::<u64>())
            .prop_map(|(prompt, completion)| json!({"choices": [], "usage": {"prompt_tokens": prompt, "completion_tokens": completion}})),
        1 => any_json(),
        1 => any_json().prop_map(|delta| json!({"choices": [{"delta": delta}]})),
    ]
}

/// A well-formed reply: text pieces and tool calls with JSON-object arguments.
#[derive(Debug, Clone)]
struct Planned {
    text: Vec<String>,
    calls: Vec<(String, Value)>,
}

fn arguments() -> impl Strategy<Value = Value> {
    proptest::collection::btree_map(
        "[a-z_]{1,10}",
        prop_oneof![
            any::<i64>().prop_map(Value::from),
            any::<bool>().prop_map(Value::from),
            ".{0,24}".prop_map(Value::from),
            proptest::collection::vec("[a-z-]{0,10}".prop_map(Value::from), 0..3).prop_map(Value::Array),
        ],
        0..5,
    )
    .prop_map(|map| Value::Object(map.into_iter().collect()))
}

fn planned() -> impl Strategy<Value = Planned> {
    (
        proptest::collection::vec(".{0,30}", 0..5),
        proptest::collection::vec(("[a-z_]{1,24}", arguments()), 0..=MAX_TOOL_CALLS),
    )
        .prop_map(|(text, calls)| Planned { text, calls })
}

/// How a server would stream `planned`: one event per text piece, each call's arguments cut
/// at `cuts` (character boundaries) over several deltas, the id and name on the first; LF or
/// CRLF line ends; keep-alive comments; `[DONE]` at the end.
fn render_sse(planned: &Planned, picks: &[Index], crlf: bool, keepalive: bool) -> Vec<u8> {
    let end = if crlf { "\r\n" } else { "\n" };
    let mut body = String::new();
    let mut event = |delta: Value| {
        if keepalive {
            body.push_str(&format!(": keep-alive{end}{end}"));
        }
        let chunk = json!({"id": "s", "object": "chat.completion.chunk", "choices": [{"index": 0, "delta": delta}]});
        body.push_str(&format!("data: {chunk}{end}{end}"));
    };
    for piece in &planned.text {
        event(json!({"content": piece}));
    }
    for (index, (name, args)) in planned.calls.iter().enumerate() {
        let arguments = args.to_string();
        let boundaries: Vec<usize> = arguments.char_indices().map(|(at, _)| at).chain([arguments.len()]).collect();
        let mut at: Vec<usize> = picks.iter().map(|pick| boundaries[pick.index(boundaries.len())]).collect();
        at.sort_unstable();
        at.dedup();
        let mut start = 0;
        let mut parts = Vec::new();
        for cut in at {
            parts.push(&arguments[start..cut]);
            start = cut;
        }
        parts.push(&arguments[start..]);
        for (number, part) in parts.iter().enumerate() {
            if number == 0 {
                event(
                    json!({"tool_calls": [{"index": index, "id": format!("call_x{index}"), "type": "function", "function": {"name": name, "arguments": part}}]}),
                );
            } else {
                event(json!({"tool_calls": [{"index": index, "function": {"arguments": part}}]}));
            }
        }
    }
    body.push_str(&format!("data: [DONE]{end}{end}"));
    body.into_bytes()
}

fn expected_calls(planned: &Planned) -> Vec<ToolCall> {
    planned
        .calls
        .iter()
        .enumerate()
        .map(|(index, (name, args))| ToolCall {
            id: format!("call_x{index}"),
            name: name.clone(),
            arguments: args.to_string(),
        })
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn sse_bytes_never_panic_and_stay_within_the_caps(
        fragments in proptest::collection::vec(sse_fragment(), 0..80),
        picks in proptest::collection::vec(any::<Index>(), 0..8),
    ) {
        let bytes = fragments.concat();
        match stream_in_pieces(&bytes, &picks) {
            Ok((reply, shown)) => {
                assert_within_caps(&reply);
                prop_assert_eq!(shown, reply.content);
            }
            Err(error) => prop_assert!(is_malformed(&error), "{error:?}"),
        }
        // The all-at-once helper agrees on success or failure.
        prop_assert_eq!(reply_from_sse(&bytes, &mut |_| {}).is_ok(), stream_in_pieces(&bytes, &[]).is_ok());
    }

    #[test]
    fn chunk_sequences_never_panic_and_stay_within_the_caps(chunks in proptest::collection::vec(chunk(), 0..40)) {
        let mut reply = Reply::default();
        for chunk in &chunks {
            let before = reply.tool_calls.len();
            let result = merge_chunk(&mut reply, chunk, &mut |_| {});
            assert_within_caps(&reply);
            // However large an index, the calls grow by at most one per delta.
            let deltas = chunk.pointer("/choices/0/delta/tool_calls").and_then(Value::as_array).map_or(0, Vec::len);
            prop_assert!(reply.tool_calls.len() <= before + deltas);
            if let Err(error) = result {
                prop_assert!(is_malformed(&error), "{error:?}");
                break;
            }
        }
    }

    #[test]
    fn valid_streams_round_trip_cut_anywhere(
        planned in planned(),
        argument_cuts in proptest::collection::vec(any::<Index>(), 0..4),
        byte_cuts in proptest::collection::vec(any::<Index>(), 0..12),
        crlf in any::<bool>(),
        keepalive in any::<bool>(),
    ) {
        let bytes = render_sse(&planned, &argument_cuts, crlf, keepalive);
        let (reply, shown) = stream_in_pieces(&bytes, &byte_cuts).unwrap();
        prop_assert_eq!(&reply.content, &planned.text.concat());
        prop_assert_eq!(shown, planned.text.concat());
        prop_assert_eq!(&reply.tool_calls, &expected_calls(&planned));
        for (call, (_, args)) in reply.tool_calls.iter().zip(&planned.calls) {
            prop_assert_eq!(&serde_json::from_str::<Value>(&call.arguments).unwrap(), args);
        }
    }

    #[test]
    fn whole_replies_never_panic_and_valid_ones_round_trip(noise in any_json(), planned in planned()) {
        match parse_reply(&noise) {
            Ok(reply) => assert_within_caps(&reply),
            Err(error) => prop_assert!(is_malformed(&error)),
        }
        let calls: Vec<Value> = planned
            .calls
            .iter()
            .enumerate()
            .map(|(index, (name, args))| json!({"id": format!("call_x{index}"), "type": "function", "function": {"name": name, "arguments": args.to_string()}}))
            .collect();
        let whole = json!({"choices": [{"index": 0, "message": {"role": "assistant", "content": planned.text.concat(), "tool_calls": calls}}]});
        let reply = parse_reply(&whole).unwrap();
        prop_assert_eq!(reply.content, planned.text.concat());
        prop_assert_eq!(reply.tool_calls, expected_calls(&planned));
    }

    #[test]
    fn json_mode_never_panics_on_any_text(text in ".{0,200}", noise in any_json()) {
        let _ = parse_json_reply(&text);
        if let Ok(reply) = parse_json_reply(&noise.to_string()) {
            // Whatever it accepts is an answer or named calls with object-or-JSON arguments.
            for call in &reply.tool_calls {
                prop_assert!(serde_json::from_str::<Value>(&call.arguments).is_ok());
            }
        }
    }

    #[test]
    fn json_mode_round_trips_what_it_documents(
        planned in planned(),
        answer in ".{0,80}",
        fenced in any::<bool>(),
        extra in "[a-z]{1,8}",
    ) {
        let fence = |text: String| if fenced { format!("```json\n{text}\n```") } else { text };
        let answered = parse_json_reply(&fence(json!({"answer": answer}).to_string())).unwrap();
        prop_assert_eq!(&answered.content, &answer);
        prop_assert!(answered.tool_calls.is_empty());

        let items: Vec<Value> = planned.calls.iter().map(|(name, args)| json!({"tool": name, "args": args})).collect();
        let reply = parse_json_reply(&fence(json!({"tools": items}).to_string())).unwrap();
        prop_assert_eq!(reply.tool_calls.len(), planned.calls.len());
        for (call, (name, args)) in reply.tool_calls.iter().zip(&planned.calls) {
            prop_assert_eq!(&call.name, name);
            prop_assert_eq!(&serde_json::from_str::<Value>(&call.arguments).unwrap(), args);
        }
        if let Some((name, args)) = planned.calls.first() {
            let one = parse_json_reply(&fence(json!({"tool": name, "args": args}).to_string())).unwrap();
            prop_assert_eq!(one.tool_calls.len(), 1);
            prop_assert_eq!(&one.tool_calls[0].name, name);
            // Strict: a key beside `tool` and `args` is an error, not ignored.
            if extra != "tool" && extra != "args" {
                let loose = json!({"tool": name, "args": args, extra.clone(): 1});
                prop_assert!(parse_json_reply(&loose.to_string()).is_err());
            }
        }
    }
}
