//! Asking the person behind an MCP client to approve a change, through elicitation. The
//! executor decides *whether* to ask ([`crate::approval::requirement`]); these approvers only
//! carry its question to the client and the answer back.
//!
//! Two protocol generations, one question:
//! - sessions negotiated before 2026-07-28: the server sends `elicitation/create` while the
//!   tool call waits ([`SessionApprover`]);
//! - 2026-07-28 and later, where a server may not send requests of its own: the call ends
//!   with an `input_required` result carrying the question, and the client calls again with
//!   the answer and the request state ([`RetryApprover`], [`Pending`]).
//!
//! The answer counts only for the exact question it answered: the request state names a
//! one-time record of the question (tool, prepared preview, target and arguments), so if the
//! cluster changed in between ("from 2" is now "from 4") the person is asked again. This is
//! not a defence against a dishonest client — whoever relays the answer could forge it in
//! either generation — but it keeps an answer from being replayed onto a different change.

use std::collections::{BTreeMap, HashMap};
use std::hash::{BuildHasher, DefaultHasher, Hash, Hasher};
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use rmcp::model::{ElicitRequest, ElicitRequestParams, ElicitResult, ElicitationAction, ElicitationSchema};
use rmcp::service::{Peer, RoleServer};

use crate::approval::Decision;
use crate::executor::{AnswerFuture, AsyncApprover, Question};
use crate::redact;

/// How long a person has to answer an approval question.
pub const ANSWER_TIMEOUT: Duration = Duration::from_secs(600);

/// The key of the approval question in an `input_required` result.
pub const INPUT_KEY: &str = "approve";

/// The question as the client shows it: what will change, where, and that accepting runs it.
pub fn message(question: &Question) -> String {
    redact::text(&format!(
        "todo-ai: `{tool}` {reason} ({target}).\nIt will {preview}.\nAccept to run it now; decline to leave everything as it is.",
        tool = question.tool,
        reason = question.reason,
        target = question.target,
        preview = question.preview,
    ))
}

/// The elicitation request for a question: a form with no fields, so the answer is the
/// action alone (accept, decline or cancel).
pub fn elicitation(question: &Question) -> ElicitRequestParams {
    ElicitRequestParams::FormElicitationParams {
        meta: None,
        message: message(question),
        requested_schema: ElicitationSchema::new(BTreeMap::new()),
    }
}

/// [`elicitation`] wrapped as the request an `input_required` result carries.
pub fn elicitation_request(question: &Question) -> ElicitRequest {
    ElicitRequest::new(elicitation(question))
}

/// Only an explicit accept approves; decline, cancel and anything newer deny.
pub fn decision(action: &ElicitationAction) -> Decision {
    match action {
        ElicitationAction::Accept => Decision::Approved,
        ElicitationAction::Decline | ElicitationAction::Cancel => Decision::Denied,
        _ => Decision::Denied,
    }
}

/// Asks over a session that allows server-to-client requests, while the call waits.
pub struct SessionApprover {
    peer: Peer<RoleServer>,
    /// Why the person could not be asked, when they could not.
    pub failure: Option<String>,
}

impl SessionApprover {
    /// An approver asking through `peer`.
    pub fn new(peer: Peer<RoleServer>) -> SessionApprover {
        SessionApprover { peer, failure: None }
    }
}

impl AsyncApprover for SessionApprover {
    fn ask<'a>(&'a mut self, question: &'a Question) -> AnswerFuture<'a> {
        Box::pin(async move {
            match self.peer.create_elicitation_with_timeout(elicitation(question), Some(ANSWER_TIMEOUT)).await {
                Ok(ElicitResult { action, .. }) => Some(decision(&action)),
                Err(error) => {
                    // No answer is a no.
                    self.failure = Some(format!("the approval question got no answer: {error}"));
                    Some(Decision::Denied)
                }
            }
        })
    }
}

/// Answers from a retried call (2026-07-28): the answer counts only when it answered this
/// very question; otherwise there is no answer yet and the question goes out (again).
pub struct RetryApprover {
    answer: Option<(u64, Decision)>,
}

impl RetryApprover {
    /// An approver holding the answer a retry brought, for the question it answered.
    pub fn new(answer: Option<(u64, Decision)>) -> RetryApprover {
        RetryApprover { answer }
    }
}

impl AsyncApprover for RetryApprover {
    fn ask<'a>(&'a mut self, question: &'a Question) -> AnswerFuture<'a> {
        let answer = match self.answer {
            Some((asked, decision)) if asked == fingerprint(question) => Some(decision),
            Some(_) | None => None,
        };
        Box::pin(async move { answer })
    }
}

/// Never asked (the policy refuses changes when nobody can be asked); denies if it were.
pub struct NobodyToAsk;

impl AsyncApprover for NobodyToAsk {
    fn ask<'a>(&'a mut self, _question: &'a Question) -> AnswerFuture<'a> {
        Box::pin(async { Some(Decision::Denied) })
    }
}

/// A stable digest of everything an answer approves.
pub fn fingerprint(question: &Question) -> u64 {
    // Fixed keys: stable within this process, which is as long as a record lives.
    let mut hasher = DefaultHasher::new();
    (&question.tool, &question.preview, &question.reason, &question.target, question.args.to_string())
        .hash(&mut hasher);
    hasher.finish()
}

/// Questions sent out in `input_required` results and not answered yet, by request state.
#[derive(Debug, Default)]
pub struct Pending {
    asked: Mutex<HashMap<String, (u64, Instant)>>,
    counter: AtomicU64,
}

/// How many unanswered questions are remembered; the oldest go first.
const MAX_PENDING: usize = 256;

/// How long an unanswered question is remembered.
const PENDING_FOR: Duration = Duration::from_secs(900);

impl Pending {
    /// Records a question and returns the request state that names it.
    pub fn record(&self, question: &Question) -> String {
        let random = std::collections::hash_map::RandomState::new().build_hasher().finish();
        let state = format!("todo-ai-approval-{}-{random:016x}", self.counter.fetch_add(1, Ordering::Relaxed));
        let now = Instant::now();
        let mut asked = self.asked.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        asked.retain(|_, (_, at)| now.duration_since(*at) < PENDING_FOR);
        while asked.len() >= MAX_PENDING {
            let Some(oldest) = asked.iter().min_by_key(|(_, (_, at))| *at).map(|(state, _)| state.clone()) else {
                break;
            };
            asked.remove(&oldest);
        }
        asked.insert(state.clone(), (fingerprint(question), now));
        state
    }

    /// The question a request state names, once: answering uses the record up.
    pub fn take(&self, state: &str) -> Option<u64> {
        let mut asked = self.asked.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        let (fingerprint, at) = asked.remove(state)?;
        (at.elapsed() < PENDING_FOR).then_some(fingerprint)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn question(preview: &str) -> Question {
        Question {
            tool: "scale".into(),
            preview: preview.into(),
            reason: "changes the cluster".into(),
            target: "context minikube, namespace todo".into(),
            args: serde_json::json!({"deployment": "todo-backend", "replicas": 3}),
        }
    }

    #[test]
    fn the_message_names_the_change() {
        let text = message(&question("scale deployment todo/todo-backend from 2 to 3 replicas"));
        assert_eq!(
            text,
            "todo-ai: `scale` changes the cluster (context minikube, namespace todo).\nIt will scale deployment todo/todo-backend from 2 to 3 replicas.\nAccept to run it now; decline to leave everything as it is."
        );
    }

    #[test]
    fn only_accept_approves() {
        assert_eq!(decision(&ElicitationAction::Accept), Decision::Approved);
        assert_eq!(decision(&ElicitationAction::Decline), Decision::Denied);
        assert_eq!(decision(&ElicitationAction::Cancel), Decision::Denied);
    }

    #[test]
    fn an_answer_counts_for_its_own_question_once() {
        let pending = Pending::default();
        let asked = question("scale deployment todo/todo-backend from 2 to 3 replicas");
        let state = pending.record(&asked);
        assert_ne!(pending.record(&asked), state, "request states are unique");
        let fingerprint = pending.take(&state).unwrap();
        assert_eq!(pending.take(&state), None, "used up");
        let runtime = tokio::runtime::Builder::new_current_thread().build().unwrap();
        let mut approver = RetryApprover::new(Some((fingerprint, Decision::Approved)));
        assert_eq!(runtime.block_on(approver.ask(&asked)), Some(Decision::Approved));
        let changed = question("scale deployment todo/todo-backend from 4 to 3 replicas");
        assert_eq!(runtime.block_on(approver.ask(&changed)), None, "the state changed: ask again");
        assert_eq!(runtime.block_on(RetryApprover::new(None).ask(&asked)), None);
    }

    #[test]
    fn pending_questions_are_bounded() {
        let pending = Pending::default();
        let first = pending.record(&question("a"));
        for _ in 0..MAX_PENDING {
            pending.record(&question("b"));
        }
        assert_eq!(pending.take(&first), None);
        assert_eq!(pending.asked.lock().unwrap().len(), MAX_PENDING);
    }
}
