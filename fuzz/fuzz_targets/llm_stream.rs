//! The LLM stream reader on arbitrary bytes: the server-sent-event parser fed in pieces (cut
//! where the first bytes say), every event merged into the reply. Never a panic, and the
//! reply always within the caps, whatever a model server sends.
#![no_main]

use libfuzzer_sys::fuzz_target;
use todo_ai::llm::stream::{MAX_ARGUMENT_BYTES, MAX_REPLY_BYTES, MAX_TOOL_CALLS, Reply, SseParser, merge_event};

fuzz_target!(|data: &[u8]| {
    // The first byte picks the piece size, so splits inside lines and CRLFs are explored.
    let Some((&size, body)) = data.split_first() else { return };
    let size = usize::from(size).max(1);
    let mut parser = SseParser::default();
    let mut reply = Reply::default();
    let mut payloads = Vec::new();
    for piece in body.chunks(size) {
        match parser.push(piece) {
            Ok(more) => payloads.extend(more),
            Err(_) => return,
        }
        assert!(parser.buffered() <= MAX_REPLY_BYTES);
    }
    if let Ok(rest) = parser.finish() {
        payloads.extend(rest);
    }
    for payload in payloads {
        let result = merge_event(&mut reply, &payload, &mut |_| {});
        assert!(reply.tool_calls.len() <= MAX_TOOL_CALLS);
        assert!(reply.tool_calls.iter().all(|call| call.arguments.len() <= MAX_ARGUMENT_BYTES));
        if result.is_err() {
            break;
        }
    }
});
