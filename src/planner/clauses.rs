//! Clause splitting: a prompt becomes a list of [`Clause`]s, one per request. Separators
//! ("and", "then", `,`, `;`, `?`) cut it into groups; each group gets an intent
//! ([`super::intents`]). A group without one either adds targets to the previous clause
//! ("frontend and backend", marked [`Role::Follower`]) or, if it carries its own values,
//! repeats the previous intent ("frontend to 2 and backend to 4"). Groups before the first
//! request become the clause's context ("we merged migrations this morning, …"). A group
//! that opens with another action ("… and create a configmap") refuses the whole prompt.

use super::Plan;
use super::intents::{Intent, correct_typos, detect, has_name};
use super::lexicon::{
    EXPLICIT_DIAGNOSE_WORDS, IMPERATIVE_VERBS, OTHER_ACTION_WORDS, POLITE_OPENERS, SCALE_WORDS, STRONG_COUNT_WORDS,
    TAKE_AWAY_WORDS,
};
use super::scope::unsupported;
use super::shapes::looks_like_image;
use super::text::{Kind, Token};

/// One request in a prompt: its intent and the words that say what it applies to.
pub(super) struct Clause {
    /// What it asks for.
    pub(super) intent: Intent,
    /// The clause's words: its first part, then the parts merged into it, with separators.
    pub(super) tokens: Vec<Token>,
    /// The role of each separator-delimited part of `tokens`.
    pub(super) roles: Vec<Role>,
    /// Sentences before the request ("we merged migrations this morning, …"): read for the
    /// namespace and for what "it" means, never for targets or numbers.
    pub(super) context: Vec<Token>,
    /// Whether it was asked as a question (ended with `?`).
    question: bool,
}

/// The role of one part of a clause, which decides how readily it supplies a target.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Role {
    /// The part that carries the intent: its best candidate is the target.
    Primary,
    /// A later part: a target only if clearly a name ("and the backend", `todo-web`).
    Follower,
}

impl Clause {
    fn new(intent: Intent, tokens: Vec<Token>, context: Vec<Token>, question: bool) -> Clause {
        Clause { intent, tokens, roles: vec![Role::Primary], context, question }
    }

    fn append(&mut self, group: Vec<Token>, question: bool) {
        self.tokens.push(separator());
        self.tokens.extend(group);
        self.roles.push(Role::Follower);
        self.question |= question;
    }

    /// A diagnose clause that only states a symptom ("the backend is broken, roll it back"):
    /// context for the action next to it, not a request of its own.
    pub(super) fn is_stated_symptom(&self) -> bool {
        self.intent == Intent::Diagnose
            && !self.question
            && !self.tokens.iter().any(|t| t.is_word() && EXPLICIT_DIAGNOSE_WORDS.contains(&t.lower.as_str()))
    }
}

/// Splits a prompt's tokens into clauses, or refuses the prompt when a part of it asks for
/// another action.
pub(super) fn clauses(tokens: Vec<Token>) -> Result<Vec<Clause>, Plan> {
    let mut groups: Vec<(Vec<Token>, bool)> = vec![(Vec::new(), false)];
    // Sentences, not clauses: a sentence ends at `.`, `?`, `!` or a line break, and another
    // one follows.
    let mut sentences = 1;
    let mut ended = false;
    for token in tokens {
        if token.kind == Kind::Separator {
            ended |= matches!(token.raw.as_str(), "." | "?");
        } else if std::mem::take(&mut ended) {
            sentences += 1;
        }
        if token.kind == Kind::Separator {
            if let Some(last) = groups.last_mut() {
                last.1 = token.raw == "?";
            }
            groups.push((Vec::new(), false));
        } else if let Some((group, _)) = groups.last_mut() {
            group.push(token);
        }
    }
    groups.retain(|(group, _)| !group.is_empty());
    // In a long, ticket-like prompt, the sentences that ask for something are the requests;
    // the others (what happened, what a log said, what was tried) are context.
    let words = groups.iter().flat_map(|(group, _)| group.iter()).filter(|t| t.is_word()).count();
    let requested: Vec<bool> = groups.iter().map(|(group, question)| *question || is_request(group)).collect();
    // Only when a sentence asks for something itself ("please restart it"), not when it only
    // agrees to what another says ("X needs a restart, could you do that?").
    let asks_itself =
        groups.iter().zip(&requested).any(|((group, _), requested)| *requested && detect(group).is_some());
    let ticket = (words >= TICKET_WORDS || sentences > 1) && groups.len() > 1 && asks_itself;
    let mut clauses: Vec<Clause> = Vec::new();
    let mut pending: Vec<Token> = Vec::new();
    for ((mut group, question), requested) in groups.into_iter().zip(requested) {
        // "… why" after a description asks why it is so.
        if let Some(last) = clauses.last_mut()
            && group.iter().all(|t| t.is("why"))
        {
            last.intent = Intent::Diagnose;
            last.question = true;
            continue;
        }
        let adds_values = carries_values(&group) && clauses.last().is_some();
        // "…, of the container before it crashed": a part that opens with a preposition
        // continues the clause before it.
        if let Some(last) = clauses.last_mut()
            && group.first().is_some_and(|t| {
                t.is_word() && matches!(t.lower.as_str(), "of" | "from" | "for" | "with" | "before" | "including")
            })
        {
            last.append(group, question);
            continue;
        }
        if ticket && !requested && !is_list_part(&group) && !adds_values {
            match clauses.last_mut() {
                Some(last) => {
                    last.context.push(separator());
                    last.context.extend(group);
                }
                None => {
                    if !pending.is_empty() {
                        pending.push(separator());
                    }
                    pending.extend(group);
                }
            }
            continue;
        }
        let intent = detect(&group)
            .or_else(|| {
                // Second try: correct typos in words that are not already known.
                let corrected = correct_typos(&mut group);
                if corrected { detect(&group) } else { None }
            })
            // "…, max eight pods" after a clause: a value for it, not a new request.
            .filter(|intent| clauses.is_empty() || !is_verbless_count(*intent, &group));
        // "copy /etc/passwd out of the backend pod": another action about a pod is not a
        // request to see its status.
        let opener = group.iter().find(|t| t.is_word() && !POLITE_OPENERS.contains(&t.lower.as_str()));
        if intent == Some(Intent::Status)
            && let Some(word) = opener.filter(|t| OTHER_ACTION_WORDS.contains(&t.lower.as_str()))
        {
            return Err(Plan::refuse(unsupported(&word.lower)));
        }
        match intent {
            // "scale frontend and backend to 4": the values of the second part complete the first.
            Some(intent)
                if clauses.last().is_some_and(|last| last.intent == intent && !carries_values(&last.tokens)) =>
            {
                if let Some(last) = clauses.last_mut() {
                    last.append(group, question);
                }
            }
            Some(intent) => {
                clauses.push(Clause::new(intent, group, std::mem::take(&mut pending), question));
            }
            None => {
                // A group that opens with another action ("create a configmap") is a request
                // we do not serve: refuse the prompt rather than drop half of it.
                let opener = group.iter().find(|t| t.is_word() && !POLITE_OPENERS.contains(&t.lower.as_str()));
                if let Some(word) = opener.filter(|t| OTHER_ACTION_WORDS.contains(&t.lower.as_str())) {
                    return Err(Plan::refuse(unsupported(&word.lower)));
                }
                match clauses.last_mut() {
                    // "frontend to 2 and backend to 4": same intent, new values.
                    Some(last)
                        if carries_values(&group)
                            && (has_name(&group) || group.len() == 1)
                            && carries_values(&last.tokens) =>
                    {
                        let intent = last.intent;
                        clauses.push(Clause::new(intent, group, Vec::new(), question));
                    }
                    // "frontend and backend", "and load it into minikube": more of the same clause.
                    Some(last) => last.append(group, question),
                    None => {
                        if !pending.is_empty() {
                            pending.push(separator());
                        }
                        pending.extend(group);
                    }
                }
            }
        }
    }
    Ok(clauses)
}

/// Prompts with at least this many words are read as tickets: only the sentences that ask for
/// something are requests.
const TICKET_WORDS: usize = 16;

/// Whether a group asks for something: a polite request ("please", "could you"), or an
/// imperative verb first ("restart …", "Task: show …").
fn is_request(group: &[Token]) -> bool {
    let words: Vec<&str> = group.iter().filter(|t| t.is_word()).map(|t| t.lower.as_str()).collect();
    let polite = words.iter().any(|w| matches!(*w, "please" | "pls" | "plz" | "kindly"))
        || words.windows(2).any(|pair| {
            matches!(pair[0], "could" | "can" | "would" | "will" | "i'd" | "we'd" | "need" | "want")
                && matches!(pair[1], "you" | "u" | "someone" | "somebody" | "like" | "to")
        });
    let first = group.iter().filter(|t| t.is_word()).find(|t| {
        !POLITE_OPENERS.contains(&t.lower.as_str())
            && !matches!(t.lower.as_str(), "task" | "first" | "after" | "next" | "finally")
    });
    // `GET https://…` is an HTTP request someone saw, not an imperative.
    let imperative =
        first.is_some_and(|t| IMPERATIVE_VERBS.contains(&t.lower.as_str()) && t.raw.chars().any(|c| c.is_lowercase()));
    polite || imperative
}

/// Whether a group only lists more names ("the backend", "payments too").
fn is_list_part(group: &[Token]) -> bool {
    group.iter().filter(|t| t.is_word()).count() <= 3
}

/// A count of replicas with no verb ("5 replicas", "max eight pods").
fn is_verbless_count(intent: Intent, group: &[Token]) -> bool {
    intent == Intent::Scale
        && !group.iter().any(|t| {
            t.is_word()
                && (SCALE_WORDS.contains(&t.lower.as_str())
                    || STRONG_COUNT_WORDS.contains(&t.lower.as_str())
                    || TAKE_AWAY_WORDS.contains(&t.lower.as_str())
                    || matches!(
                        t.lower.as_str(),
                        "set" | "run" | "make" | "give" | "want" | "need" | "keep" | "have" | "add" | "put"
                    ))
        })
}

/// The separator put between the parts merged into one clause.
fn separator() -> Token {
    Token { raw: ",".into(), lower: ",".into(), kind: Kind::Separator, quote: Default::default() }
}

/// Whether a group carries values of its own: a number, range, percentage or image.
fn carries_values(group: &[Token]) -> bool {
    group.iter().any(|t| {
        matches!(t.kind, Kind::Number(_) | Kind::Range(..) | Kind::Percent(_))
            || looks_like_image(&t.raw) && t.is_word()
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::planner::text;

    fn split(prompt: &str) -> Vec<Clause> {
        clauses(text::tokenize(prompt)).unwrap()
    }

    #[test]
    fn a_group_without_an_intent_joins_the_previous_clause() {
        let split = split("restart frontend and the backend");
        assert_eq!(split.len(), 1);
        assert_eq!(split[0].intent, Intent::RolloutRestart);
        assert_eq!(split[0].roles, vec![Role::Primary, Role::Follower]);
    }

    #[test]
    fn a_group_with_its_own_values_repeats_the_intent() {
        let split = split("scale frontend to 2 and backend to 4");
        assert_eq!(split.iter().map(|clause| clause.intent).collect::<Vec<_>>(), vec![Intent::Scale; 2]);
        assert_eq!(split[1].roles, vec![Role::Primary]);
    }

    #[test]
    fn sentences_before_the_request_are_context() {
        let split = split("we merged migrations this morning, restart the backend");
        assert_eq!(split.len(), 1);
        assert_eq!(split[0].intent, Intent::RolloutRestart);
        assert!(split[0].context.iter().any(|token| token.is("migrations")));
        assert!(!split[0].tokens.iter().any(|token| token.is("migrations")));
    }

    #[test]
    fn stated_symptoms_are_told_from_requests() {
        assert!(split("the backend is broken")[0].is_stated_symptom());
        assert!(!split("why is the backend broken?")[0].is_stated_symptom());
        assert!(!split("is the backend broken?")[0].is_stated_symptom());
    }

    #[test]
    fn a_part_that_asks_for_another_action_refuses_the_prompt() {
        let Err(plan) = clauses(text::tokenize("scale backend to 3 and create a configmap")) else {
            panic!("not refused");
        };
        assert!(plan.refused && plan.steps.is_empty());
    }
}
