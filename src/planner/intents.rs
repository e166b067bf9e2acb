//! Intent detection: what a clause asks for. Ordered keyword rules map a clause's words
//! (and kubectl/helm/docker syntax) to one [`Intent`] per tool; the first rule that matches
//! wins, so the order below is the policy ("why" beats "restart", logs beat diagnose).
//! When no rule matches, [`correct_typos`] moves misspelt words to the nearest intent word
//! and the rules run once more. The words themselves live in [`super::lexicon`].

use super::lexicon::{
    AMOUNT_CHANGE_WORDS, AUTOSCALE_WORDS, BUILD_WORDS, COMPONENT_WORDS, CPU_WORDS, DEPLOY_WORDS, DOCKERFILE_WORDS,
    DOWN_WORDS, EVENT_WORDS, FIX_WORDS, HELM_WORDS, IMAGE_CHANGE_WORDS, IMAGE_QUESTION_WORDS, INTENT_VOCABULARY,
    LIMIT_WORDS, LOG_WORDS, MEMORY_WORDS, MULTIPLIER_WORDS, NEGATABLE_WORDS, NEGATIONS, NOISE, NOUN_AFTER, NOUN_BEFORE,
    QUESTION_OPENERS, REPLICA_WORDS, REQUEST_WORDS, RESOURCE_NOUNS, RESTART_WORDS, ROLLBACK_WORDS,
    ROLLOUT_STATUS_WORDS, ROLLOUT_WORDS, SCALE_WORDS, STATUS_WORDS, STRONG_COUNT_WORDS, STRONG_DIAGNOSE_WORDS,
    WARNING_WORDS, WEAK_DIAGNOSE_WORDS, WEAK_LOG_WORDS, WORKING_WORDS,
};
use super::shapes::{is_name_like, looks_like_image, quantity, tag_value};
use super::text::{self, Kind, Token};

/// What a clause asks for; one per tool.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Intent {
    GenerateDockerfile,
    BuildImage,
    HelmInstall,
    HelmRollback,
    Diagnose,
    Scale,
    Status,
    Logs,
    Events,
    RolloutRestart,
    RolloutUndo,
    RolloutStatus,
    SetImage,
    SetResources,
    Autoscale,
    Fix,
}

impl Intent {
    /// The registry name of the tool this intent calls.
    pub(super) fn tool(self) -> &'static str {
        match self {
            Intent::GenerateDockerfile => "generate_dockerfile",
            Intent::BuildImage => "build_image",
            Intent::HelmInstall => "helm_install",
            Intent::HelmRollback => "helm_rollback",
            Intent::Diagnose => "diagnose",
            Intent::Scale => "scale",
            Intent::Status => "status",
            Intent::Logs => "logs",
            Intent::Events => "events",
            Intent::RolloutRestart => "rollout_restart",
            Intent::RolloutUndo => "rollout_undo",
            Intent::RolloutStatus => "rollout_status",
            Intent::SetImage => "set_image",
            Intent::SetResources => "set_resources",
            Intent::Autoscale => "autoscale",
            Intent::Fix => crate::engine::plan::FIX_STEP,
        }
    }

    /// Whether the tool has a `namespace` argument to fill.
    pub(super) fn takes_namespace(self) -> bool {
        !matches!(self, Intent::GenerateDockerfile | Intent::BuildImage)
    }
}

/// Whether a group of words names something: a word that is not vocabulary and looks like
/// a name.
pub(super) fn has_name(group: &[Token]) -> bool {
    group.iter().any(|t| t.is_word() && !NOISE.contains(t.lower.as_str()) && is_name_like(&t.lower))
}

/// Corrects misspelt words towards the [`INTENT_VOCABULARY`] ("sacle" → "scale"); whether
/// any word changed. Known words and short words are left alone.
pub(super) fn correct_typos(group: &mut [Token]) -> bool {
    let mut changed = false;
    let mut after_namespace = false;
    for token in group.iter_mut() {
        // A namespace's name is a name, not a misspelt verb ("ns analytics").
        let skip = std::mem::replace(&mut after_namespace, token.is("ns") || token.is("namespace"));
        if skip || !token.is_word() {
            continue;
        }
        let word = token.lower.as_str();
        if word.len() < 4 || NOISE.contains(word) || !word.chars().all(|c| c.is_ascii_alphabetic() || c == '-') {
            continue;
        }
        let limit = if word.len() >= 9 { 2 } else { 1 };
        let best = INTENT_VOCABULARY
            .iter()
            .map(|candidate| (text::edit_distance(word, candidate, limit), *candidate))
            .filter(|(distance, _)| *distance <= limit)
            .min();
        if let Some((_, candidate)) = best {
            token.lower = candidate.to_string();
            changed = true;
        }
    }
    changed
}

/// Whether a group asks to change a container's requests or limits: resource flags, or a
/// resource word (memory, cpu), an amount (`2Gi`, `250m`, "2 cores") and a word that makes it
/// a change ("limit", "request", "raise", "set" …). Not an autoscaler's CPU target, and not a
/// question about the current amounts.
fn asks_for_resources(group: &[Token], words: &[&str]) -> bool {
    let flags = group.iter().any(|t| {
        matches!(&t.kind, Kind::Flag { name, .. } if matches!(name.as_str(),
            "cpu-request" | "memory-request" | "mem-request" | "cpu-limit" | "memory-limit" | "mem-limit" | "limits" | "requests"))
    });
    if flags {
        return true;
    }
    let has = |list: &[&str]| words.iter().any(|word| list.contains(word));
    let resource = has(MEMORY_WORDS) || has(CPU_WORDS) || has(RESOURCE_NOUNS);
    let amount = group.iter().enumerate().any(|(index, t)| {
        let next = group.get(index + 1).map(|n| n.lower.as_str()).unwrap_or_default();
        t.is_word() && quantity(&t.raw).is_some() || matches!(t.kind, Kind::Number(_)) && CPU_WORDS.contains(&next)
    });
    let named = has(LIMIT_WORDS) || has(REQUEST_WORDS);
    let verb = has(AMOUNT_CHANGE_WORDS);
    let autoscaler = has(AUTOSCALE_WORDS) || words.contains(&"hpa");
    let question = words.first().is_some_and(|first| {
        matches!(*first, "what" | "what's" | "how" | "which" | "show" | "is" | "are" | "why" | "list" | "get")
    });
    // Without an amount, "raise the memory limit of web" still asks for a change (of how much
    // is then asked).
    resource && (amount && (named || verb) || named && verb) && !autoscaler && !question
}

/// The intent of a group of words: ordered rules, first match wins.
pub(super) fn detect(group: &[Token]) -> Option<Intent> {
    let all_words: Vec<&str> = group.iter().filter(|t| t.is_word()).map(|t| t.lower.as_str()).collect();
    // "build", "deploy", "upgrade" … used as nouns do not ask for anything.
    let words: Vec<&str> = all_words
        .iter()
        .enumerate()
        .filter(|(index, word)| {
            let verb_like = BUILD_WORDS.contains(word) || DEPLOY_WORDS.contains(word);
            let before = index.checked_sub(1).and_then(|i| all_words.get(i)).copied();
            let after = all_words.get(index + 1).copied();
            let noun = verb_like
                && (before.is_some_and(|b| NOUN_BEFORE.contains(&b) || COMPONENT_WORDS.contains(&b))
                    || after.is_some_and(|a| NOUN_AFTER.contains(&a)));
            !noun
        })
        .map(|(_, word)| *word)
        .collect();
    let has = |list: &[&str]| words.iter().any(|word| list.contains(word));
    let has_word = |word: &str| words.contains(&word);
    let followed_by =
        |first: &str, second: &[&str]| words.windows(2).any(|pair| pair[0] == first && second.contains(&pair[1]));
    let has_number = group.iter().any(|t| matches!(t.kind, Kind::Number(_) | Kind::Range(..)))
        || group.iter().any(|t| matches!(&t.kind, Kind::Flag { name, .. } if name == "replicas"));
    let has_image = group.iter().any(|t| t.is_word() && looks_like_image(&t.raw));

    // Command syntax first: the subcommand says exactly what is meant.
    if let Some(first) = all_words.first() {
        let second = all_words.get(1).copied().unwrap_or_default();
        let third = all_words.get(2).copied().unwrap_or_default();
        match *first {
            "kubectl" | "oc" | "k" => {
                return match second {
                    "get" | "describe" if words.iter().any(|w| EVENT_WORDS.contains(w)) => Some(Intent::Events),
                    "get" | "describe" => Some(Intent::Status),
                    "events" => Some(Intent::Events),
                    "logs" | "log" => Some(Intent::Logs),
                    "scale" => Some(Intent::Scale),
                    "autoscale" => Some(Intent::Autoscale),
                    "set" if third == "resources" => Some(Intent::SetResources),
                    "set" => Some(Intent::SetImage),
                    "rollout" => match third {
                        "restart" => Some(Intent::RolloutRestart),
                        "undo" => Some(Intent::RolloutUndo),
                        _ => Some(Intent::RolloutStatus),
                    },
                    _ => None,
                };
            }
            "helm" => match second {
                "install" | "upgrade" => return Some(Intent::HelmInstall),
                "rollback" => return Some(Intent::HelmRollback),
                _ => {}
            },
            "docker" | "podman" if BUILD_WORDS.contains(&second) => return Some(Intent::BuildImage),
            // todo-ai's own subcommands.
            "set-image" => return Some(Intent::SetImage),
            "set-resources" => return Some(Intent::SetResources),
            _ => {}
        }
    }
    if asks_for_resources(group, &words) {
        return Some(Intent::SetResources);
    }

    // "fix it", "repair the web", "make the frontend work again", "sort it out".
    // "make|get <it> working/healthy": the state within a few words of the verb (more with
    // "again", which a name and its namespace may stand between: "make X in Y work again").
    let reach = if has_word("again") { 9 } else { 4 };
    let make = words.iter().enumerate().any(|(index, word)| {
        matches!(*word, "make" | "get")
            && words.iter().skip(index + 1).take(reach).any(|w| WORKING_WORDS.contains(w) && *w != "up")
            && (has_word("again") || words.iter().skip(index + 1).take(4).any(|w| *w == "healthy"))
    });
    if has(FIX_WORDS)
        || make
        || followed_by("sort", &["out", "it", "this", "that"])
        || followed_by("sorting", &["out", "it", "this", "that"])
    {
        return Some(Intent::Fix);
    }
    if has(LOG_WORDS) {
        return Some(Intent::Logs);
    }
    if has(EVENT_WORDS) {
        return Some(Intent::Events);
    }
    if has(STRONG_DIAGNOSE_WORDS)
        || has(NEGATIONS) && has(NEGATABLE_WORDS)
        || followed_by("something", &["off", "wrong", "weird", "odd", "up", "broken"])
        || has_word("something's")
        || has_word("look") && (has_word("take") || followed_by("look", &["into"]))
        || followed_by("going", &["on"])
        || has_word("cause") && !has_word("because")
    {
        return Some(Intent::Diagnose);
    }
    if has(DOCKERFILE_WORDS) || followed_by("docker", &["file", "files"]) {
        return Some(Intent::GenerateDockerfile);
    }
    if has(BUILD_WORDS) {
        return Some(Intent::BuildImage);
    }
    if has(AUTOSCALE_WORDS)
        || followed_by("auto", &["scale", "scaling", "scaler"])
        || has_word("horizontal") && has_word("autoscaler")
    {
        return Some(Intent::Autoscale);
    }
    let rollout = has(ROLLOUT_WORDS) || followed_by("roll", &["out"]) || followed_by("rolling", &["out"]);
    let question = words.first().is_some_and(|first| QUESTION_OPENERS.contains(first));
    if rollout && (has(ROLLOUT_STATUS_WORDS) || question) {
        return Some(Intent::RolloutStatus);
    }
    // "roll back", "roll the backend back", "go back".
    let roll_back = (has_word("roll") || has_word("rolled") || has_word("go") || has_word("take")) && has_word("back");
    if has(ROLLBACK_WORDS) || roll_back {
        return Some(if has(HELM_WORDS) { Intent::HelmRollback } else { Intent::RolloutUndo });
    }
    if has(RESTART_WORDS) {
        // "redeploy the app" is a deploy; "redeploy the backend" restarts it.
        if has_word("redeploy") && !has_name(group) {
            return Some(Intent::HelmInstall);
        }
        return Some(Intent::RolloutRestart);
    }
    let sets_tag = tag_value(group).is_some()
        && (has(IMAGE_CHANGE_WORDS) || has_word("version") || has_word("tag") || has_word("to"));
    if !has_image && !sets_tag && has(IMAGE_QUESTION_WORDS) && asks_to_see(&words) {
        // "which image is the api running", "what version of checkout is deployed".
        return Some(Intent::Status);
    }
    if (has_image || sets_tag) && has(IMAGE_CHANGE_WORDS) || sets_tag && has_word("tag") {
        return Some(Intent::SetImage);
    }
    // Relative changes: "double the api", "cart down by one", "reduce web by 25%".
    let multiplier = words.iter().any(|w| MULTIPLIER_WORDS.iter().any(|(word, _)| word == w))
        || has_word("half") && (has_word("cut") || has(REPLICA_WORDS));
    let has_amount = has_number || group.iter().any(|t| matches!(t.kind, Kind::Percent(_)));
    let by_amount = has_word("by") && has_amount;
    let takes_away = (0..group.len()).any(|index| super::scope::takes_replicas_away(group, index));
    if multiplier
        || takes_away
        || by_amount && (has(STRONG_COUNT_WORDS) || has(DOWN_WORDS) || has_word("up"))
        || has_word("more") && has(REPLICA_WORDS) && has_amount
    {
        return Some(Intent::Scale);
    }
    if has(SCALE_WORDS) {
        return Some(Intent::Scale);
    }
    // "the last 50 lines": a number of lines is about logs.
    if has_number && (has_word("lines") || has_word("line")) {
        return Some(Intent::Logs);
    }
    let counting_question = has_word("how") && has_word("many");
    let listing = words.iter().any(|w| matches!(*w, "show" | "list" | "get" | "display" | "describe"));
    if has(REPLICA_WORDS) && !counting_question && (has_number && !listing || has(STRONG_COUNT_WORDS)) {
        return Some(Intent::Scale);
    }
    let rolls_out = words.first().is_some_and(|first| matches!(*first, "roll" | "rollout"));
    if has(DEPLOY_WORDS) || rolls_out || words.first().is_some_and(|first| *first == "release") {
        return Some(Intent::HelmInstall);
    }
    if rollout {
        // "the backend rollout": asking about it.
        return Some(Intent::RolloutStatus);
    }
    if has(WARNING_WORDS) {
        return Some(Intent::Events);
    }
    if has(WEAK_LOG_WORDS) {
        return Some(Intent::Logs);
    }
    if has(WEAK_DIAGNOSE_WORDS) {
        return Some(Intent::Diagnose);
    }
    // "images in all namespaces", "versions across the cluster".
    let where_images = (has_word("images") || has_word("versions"))
        && words.iter().any(|w| matches!(*w, "in" | "across" | "everywhere" | "on"));
    if has(STATUS_WORDS) || has(REPLICA_WORDS) || where_images {
        return Some(Intent::Status);
    }
    None
}

/// Whether a clause asks to see something ("which …", "what …", "show …", "confirm …").
fn asks_to_see(words: &[&str]) -> bool {
    words.iter().any(|w| {
        matches!(
            *w,
            "which"
                | "what"
                | "what's"
                | "whats"
                | "show"
                | "list"
                | "report"
                | "confirm"
                | "tell"
                | "check"
                | "display"
                | "get"
                | "see"
                | "view"
                | "running"
                | "deployed"
        )
    })
}

#[cfg(test)]
mod tests {
    use super::super::offline::steps;
    use super::*;

    fn intent(group: &str) -> Option<Intent> {
        detect(&text::tokenize(group))
    }

    #[test]
    fn command_syntax_says_exactly_what_is_meant() {
        assert_eq!(intent("kubectl rollout undo deploy/web"), Some(Intent::RolloutUndo));
        assert_eq!(intent("kubectl get events"), Some(Intent::Events));
        assert_eq!(intent("helm upgrade todo ./chart"), Some(Intent::HelmInstall));
        assert_eq!(intent("docker build -t api:1 ."), Some(Intent::BuildImage));
    }

    #[test]
    fn earlier_rules_win() {
        // Diagnose is asked before restart, logs before diagnose.
        assert_eq!(intent("why does the backend keep restarting"), Some(Intent::Diagnose));
        assert_eq!(intent("show the logs of the crashing pod"), Some(Intent::Logs));
        // "build" used as a noun asks for nothing on its own.
        assert_eq!(intent("the new api build is slow"), Some(Intent::Diagnose));
        assert_eq!(intent("build the api"), Some(Intent::BuildImage));
        assert_eq!(intent("thanks"), None);
    }

    #[test]
    fn typos_in_verbs() {
        assert_eq!(steps("sacle backend to 2")[0].0, "scale");
        assert_eq!(steps("restrat the api")[0].0, "rollout_restart");
        assert_eq!(steps("diagnoze")[0].0, "diagnose");
    }
}
