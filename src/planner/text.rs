//! The text layer of the offline planner: turns a prompt into tokens — words (original case
//! and lower case), numbers (digits and number words, `70%`, ranges such as `2-10` or
//! "between 2 and 10"), command-line flags (`--replicas=3`, `-n todo`) and clause
//! separators ("and", "then", `,`, `;`) — plus the edit distance used for typo tolerance.

/// One token of a prompt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Token {
    /// As typed, with surrounding punctuation removed.
    pub raw: String,
    /// Lower case of `raw`.
    pub lower: String,
    /// What it is.
    pub kind: Kind,
    /// Whether it was written inside quotes.
    pub quote: Quote,
}

/// How a token was quoted.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Quote {
    /// Not quoted.
    #[default]
    None,
    /// One word in quotes or backticks (`'api'`, `` `shop` ``): a name or value as typed.
    Word,
    /// Part of a quotation of several words (an error message, a log line): text someone
    /// saw, not part of the request.
    Text,
}

/// The kinds of token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Kind {
    /// A word or word-like value (`todo-backend:1.2`, `./web`, `a.b=c`).
    Word,
    /// An integer, from digits or words.
    Number(i64),
    /// A percentage (`70%`, "70 percent").
    Percent(i64),
    /// A range (`2-10`, "between 2 and 10", "from 2 to 10").
    Range(i64, i64),
    /// A command-line flag with its value, if it takes one.
    Flag {
        /// The name without dashes (`replicas`, `n`).
        name: String,
        /// Its value.
        value: Option<String>,
    },
    /// A clause separator.
    Separator,
}

impl Token {
    fn new(raw: &str, kind: Kind) -> Token {
        Token { raw: raw.to_string(), lower: raw.to_lowercase(), kind, quote: Quote::None }
    }

    /// Whether this is the plain word `word` (lower case).
    pub fn is(&self, word: &str) -> bool {
        self.kind == Kind::Word && self.lower == word
    }

    /// Whether this is a plain word.
    pub fn is_word(&self) -> bool {
        self.kind == Kind::Word
    }
}

/// Flags that take a value (the next token when not written `--flag=value`).
const VALUE_FLAGS: [&str; 33] = [
    "replicas", "namespace", "n", "tail", "to-revision", "revision", "min", "max", "cpu-percent", "cpu", "values",
    "set", "set-string", "t", "tag", "l", "selector", "c", "container", "field-selector", "image", "since", "o",
    "output", "context", "kubeconfig", "timeout", "cpu-request", "memory-request", "cpu-limit", "memory-limit",
    "limits", "requests",
];

/// Quote marks that open or close a quotation.
fn is_quote_mark(c: char) -> bool {
    matches!(c, '"' | '\'' | '`' | '“' | '”' | '‘' | '’')
}

/// Splits a prompt into tokens.
pub fn tokenize(prompt: &str) -> Vec<Token> {
    let mut tokens: Vec<Token> = Vec::new();
    let lines: Vec<&str> = prompt.lines().collect();
    for (number, line) in lines.iter().enumerate() {
        // A line break ends a clause: a pasted log or stack trace is one clause per line.
        if number > 0 && tokens.last().is_some_and(|t: &Token| t.kind != Kind::Separator) {
            tokens.push(Token::new(".", Kind::Separator));
        }
        tokenize_line(&split_joined_verbs(line), &mut tokens);
    }
    combine(tokens)
}

/// "diagnose+fix", "build+deploy": words of letters joined by `+` are words joined by "and"
/// (a `+2`, `c++` or `a=b+c` is left alone).
fn split_joined_verbs(line: &str) -> std::borrow::Cow<'_, str> {
    let joined = |word: &str| {
        let body = word.trim_end_matches(['?', '!', '.', ',', ';', ':']);
        body.contains('+') && body.split('+').all(|part| !part.is_empty() && part.chars().all(char::is_alphabetic))
    };
    if !line.split_whitespace().any(joined) {
        return std::borrow::Cow::Borrowed(line);
    }
    let words: Vec<String> = line
        .split_whitespace()
        .map(|word| if joined(word) { word.replace('+', " and ") } else { word.to_string() })
        .collect();
    std::borrow::Cow::Owned(words.join(" "))
}

/// Tokenizes one line of a prompt onto `tokens`.
fn tokenize_line(line: &str, tokens: &mut Vec<Token>) {
    let mut words = line.split_whitespace().peekable();
    // Inside a quotation of several words.
    let mut in_quotation = false;
    while let Some(word) = words.next() {
        let first = tokens.len();
        if !in_quotation && opens_sentence_with_marker(tokens, word, words.peek().is_some()) {
            continue;
        }
        let stripped = word.trim_end_matches(['?', '!', '.', ',', ';', ':', ')', '…']);
        let stripped = stripped.trim_start_matches('(');
        let opens = stripped.starts_with(is_quote_mark);
        let closes = stripped.chars().count() > 1 && stripped.ends_with(is_quote_mark)
            || stripped.len() == 1 && in_quotation && stripped.starts_with(is_quote_mark);
        let quote = if in_quotation {
            in_quotation = !closes;
            Quote::Text
        } else if opens && closes {
            Quote::Word
        } else if opens && (!stripped.starts_with(['\'', '‘', '’']) || quotation_closes(words.clone())) {
            // `'` is also an apostrophe: only a closing quote later makes it a quotation.
            in_quotation = true;
            Quote::Text
        } else {
            Quote::None
        };
        // Trailing clause punctuation ends a clause; sentence punctuation is dropped.
        let (body, separator_after) = split_trailing_punctuation(word);
        let body = trim_wrapping(body);
        if body.is_empty() {
            if let Some(separator) = separator_after {
                tokens.push(Token::new(separator, Kind::Separator));
            }
            continue;
        }
        if let Some(flag) = body.strip_prefix('-').filter(|rest| is_flag_body(rest)) {
            let name_part = flag.trim_start_matches('-');
            let (name, inline_value) = match name_part.split_once('=') {
                Some((name, value)) => (name, Some(value.to_string())),
                None => (name_part, None),
            };
            let name = name.to_ascii_lowercase();
            let value = inline_value.or_else(|| {
                if separator_after.is_some() || !takes_value(&name, words.peek().copied()) {
                    return None;
                }
                words.next().map(|next| trim_wrapping(split_trailing_punctuation(next).0).to_string())
            });
            tokens.push(Token {
                raw: body.to_string(),
                lower: body.to_lowercase(),
                kind: Kind::Flag { name, value },
                quote: Quote::None,
            });
        } else {
            tokens.push(classify(body));
        }
        if let Some(separator) = separator_after {
            tokens.push(Token::new(separator, Kind::Separator));
        }
        for token in &mut tokens[first..] {
            // A sentence's end right after a closing quote is not part of the quotation.
            if token.kind != Kind::Separator || quote == Quote::Text && in_quotation {
                token.quote = quote;
            }
        }
    }
}

/// Reads a list marker (`1)`, `2.`, `(a)`, `-`, `•`) or a ticket label (`Task:`, `Action
/// requested:`, `Step 2:`) at the start of a sentence as the sentence's start: the marker is
/// dropped, a label's words are taken back, and a separator stands in their place, so what
/// follows is a sentence of its own that opens with its verb. Whether it did.
fn opens_sentence_with_marker(tokens: &mut Vec<Token>, word: &str, more: bool) -> bool {
    let sentence = tokens.iter().rev().take_while(|t| t.kind != Kind::Separator).count();
    let separate = |tokens: &mut Vec<Token>| {
        if tokens.last().is_some_and(|t| t.kind != Kind::Separator) {
            tokens.push(Token::new(",", Kind::Separator));
        }
    };
    // "1) … 2) …" on one line: a later number and a closing parenthesis start an item too.
    let next_item = word.strip_suffix(')').is_some_and(|n| n.len() <= 2 && n.parse::<u8>().is_ok_and(|n| n >= 2));
    if more && (sentence == 0 && is_list_marker(word) || next_item) {
        separate(tokens);
        return true;
    }
    let Some(label) = word.strip_suffix(':').filter(|label| !label.ends_with(':')) else { return false };
    let label = label.to_lowercase();
    let label_word = |word: &str| super::lexicon::LABEL_WORDS.contains(&word);
    let start = tokens.len() - sentence;
    let earlier_are_label =
        tokens[start..].iter().all(|t| matches!(t.kind, Kind::Number(_)) || t.is_word() && label_word(&t.lower));
    let is_label = (label_word(&label) || parse_int(&label).is_some() && sentence > 0)
        && sentence <= 2
        && earlier_are_label
        && more;
    if is_label {
        tokens.truncate(start);
        separate(tokens);
    }
    is_label
}

/// `1)`, `(2)`, `3.`, `a)`, and bullets: `-`, `*`, `•`, `–`, `—`.
fn is_list_marker(word: &str) -> bool {
    if matches!(word, "-" | "*" | "•" | "–" | "—" | "·") {
        return true;
    }
    let inner = word.trim_start_matches('(');
    let Some(body) = inner.strip_suffix(')').or_else(|| inner.strip_suffix('.').filter(|_| !word.starts_with('(')))
    else {
        return false;
    };
    let numbered = !body.is_empty() && body.len() <= 2 && body.chars().all(|c| c.is_ascii_digit());
    let lettered = body.len() == 1 && body.chars().all(|c| c.is_ascii_lowercase()) && word.ends_with(')');
    numbered || lettered
}

/// Whether a word ahead ends a quotation opened with `'`.
fn quotation_closes(mut words: std::iter::Peekable<std::str::SplitWhitespace<'_>>) -> bool {
    words.any(|word| word.trim_end_matches(['?', '!', '.', ',', ';', ':', ')']).ends_with(['\'', '’']))
}

fn takes_value(name: &str, next: Option<&str>) -> bool {
    match name {
        // `-f` is a values file for helm but "follow" for kubectl logs.
        "f" => next.is_some_and(|next| {
            let next = next.to_ascii_lowercase();
            next.ends_with(".yaml") || next.ends_with(".yml") || next.ends_with(".json")
        }),
        // `-p` is "previous" for kubectl logs.
        _ => VALUE_FLAGS.contains(&name),
    }
}

fn is_flag_body(rest: &str) -> bool {
    // `-2` is a number, `-` alone is punctuation.
    let name = rest.trim_start_matches('-');
    name.chars().next().is_some_and(|c| c.is_ascii_alphabetic())
}

/// Removes trailing `?!.,;:` and reports the clause separator among them, if any: `?` when
/// the clause was a question, `.` when it ended a sentence, else `,`.
fn split_trailing_punctuation(word: &str) -> (&str, Option<&'static str>) {
    let mut body = word;
    let mut separator = None;
    while let Some(last) = body.chars().last() {
        match last {
            '?' => separator = Some("?"),
            // Keep `.` and `..` as paths, and dots inside tokens; a sentence's full stop ends a clause.
            ',' | ';' => separator = separator.or(Some(",")),
            // A sentence's end is `.`: a prompt of several sentences may be a ticket.
            '!' => separator = separator.or(Some(".")),
            '.' if body != "." && body != ".." && !body.ends_with("/.") => separator = separator.or(Some(".")),
            ':' | '…' => {}
            _ => break,
        }
        body = &body[..body.len() - last.len_utf8()];
    }
    (body, separator)
}

fn trim_wrapping(word: &str) -> &str {
    word.trim_matches(|c: char| {
        matches!(c, '"' | '\'' | '`' | '(' | ')' | '[' | ']' | '{' | '}' | '“' | '”' | '‘' | '’' | '<' | '>')
    })
}

fn classify(body: &str) -> Token {
    let lower = body.to_lowercase();
    let kind =
        if matches!(lower.as_str(), "and" | "then" | "&" | "&&" | "also" | "afterwards" | "finally" | "+" | "plus") {
            Kind::Separator
        } else if let Some(number) = parse_int(&lower) {
            Kind::Number(number)
        } else if let Some(percent) = lower.strip_suffix('%').and_then(parse_int) {
            Kind::Percent(percent)
        } else if let Some(range) = parse_range(&lower) {
            range
        } else if let Some(number) = number_word(&lower) {
            Kind::Number(number)
        } else {
            Kind::Word
        };
    Token { raw: body.to_string(), lower, kind, quote: Quote::None }
}

fn parse_int(text: &str) -> Option<i64> {
    let digits = text.strip_prefix('-').unwrap_or(text);
    if digits.is_empty() || digits.len() > 12 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    text.parse().ok()
}

fn parse_range(text: &str) -> Option<Kind> {
    let (low, high) = text.split_once('-').or_else(|| text.split_once(".."))?;
    let low = parse_int(low).filter(|n| *n >= 0)?;
    let high = parse_int(high).filter(|n| *n >= 0)?;
    Some(Kind::Range(low, high))
}

/// Number words from zero to ninety-nine plus "hundred" and "dozen".
pub fn number_word(word: &str) -> Option<i64> {
    if let Some((tens, ones)) = word.split_once('-') {
        let tens = tens_word(tens)?;
        let ones = unit_word(ones).filter(|n| (1..=9).contains(n))?;
        return Some(tens + ones);
    }
    unit_word(word).or_else(|| tens_word(word)).or(match word {
        "hundred" => Some(100),
        "dozen" => Some(12),
        _ => None,
    })
}

fn unit_word(word: &str) -> Option<i64> {
    Some(match word {
        "zero" | "none" => 0,
        "one" | "single" => 1,
        "two" => 2,
        "three" => 3,
        "four" => 4,
        "five" => 5,
        "six" => 6,
        "seven" => 7,
        "eight" => 8,
        "nine" => 9,
        "ten" => 10,
        "eleven" => 11,
        "twelve" => 12,
        "thirteen" => 13,
        "fourteen" => 14,
        "fifteen" => 15,
        "sixteen" => 16,
        "seventeen" => 17,
        "eighteen" => 18,
        "nineteen" => 19,
        _ => return None,
    })
}

fn tens_word(word: &str) -> Option<i64> {
    Some(match word {
        "twenty" => 20,
        "thirty" => 30,
        "forty" => 40,
        "fifty" => 50,
        "sixty" => 60,
        "seventy" => 70,
        "eighty" => 80,
        "ninety" => 90,
        _ => return None,
    })
}

/// Joins multi-token numbers and ranges: "twenty five", "a hundred", "minus 3", "70 percent",
/// "between 2 and 10", "from 2 to 10", "2 to 10".
fn combine(tokens: Vec<Token>) -> Vec<Token> {
    let mut out: Vec<Token> = Vec::with_capacity(tokens.len());
    let mut iter = tokens.into_iter().peekable();
    while let Some(token) = iter.next() {
        match token.kind {
            Kind::Number(value) => {
                let mut value = value;
                let mut raw = token.raw.clone();
                // "twenty five"
                if (20..=90).contains(&value)
                    && value % 10 == 0
                    && token.lower.chars().all(char::is_alphabetic)
                    && let Some(Kind::Number(ones)) = iter.peek().map(|next| next.kind.clone())
                    && (1..=9).contains(&ones)
                    && iter.peek().is_some_and(|n| n.lower.chars().all(char::is_alphabetic))
                {
                    value += ones;
                    if let Some(next) = iter.next() {
                        raw = format!("{raw} {}", next.raw);
                    }
                }
                // "one hundred"
                if iter.peek().is_some_and(|next| next.lower == "hundred") && (1..=9).contains(&value) {
                    value *= 100;
                    iter.next();
                }
                // "a hundred" / "a dozen"
                if let Some(previous) = out.last()
                    && previous.is("a")
                    && matches!(token.lower.as_str(), "hundred" | "dozen")
                {
                    out.pop();
                }
                // "minus 3" / "negative three"
                if let Some(previous) = out.last()
                    && (previous.is("minus") || previous.is("negative"))
                {
                    out.pop();
                    value = -value;
                    raw = format!("-{raw}");
                }
                // "70 percent"
                if iter.peek().is_some_and(|next| next.is("percent") || next.is("pct") || next.is("%")) {
                    iter.next();
                    out.push(Token { raw, lower: token.lower, kind: Kind::Percent(value), quote: token.quote });
                    continue;
                }
                // "between 2 and 10", "from 2 to 10", "2 to 10 replicas" (only number-to-number).
                let opener = out.last().is_some_and(|previous| previous.is("between") || previous.is("from"));
                if let Some(next_lower) = iter.peek().map(|next| next.lower.clone()) {
                    let joiner = next_lower == "and" || next_lower == "to" || next_lower == "-";
                    if joiner && (opener || next_lower != "and") {
                        let mut lookahead = iter.clone();
                        lookahead.next();
                        if let Some(Token { kind: Kind::Number(high), .. }) = lookahead.peek() {
                            let high = *high;
                            if opener || next_lower == "to" && value <= high {
                                iter.next();
                                iter.next();
                                if opener {
                                    out.pop();
                                }
                                out.push(Token {
                                    raw,
                                    lower: token.lower,
                                    kind: Kind::Range(value, high),
                                    quote: token.quote,
                                });
                                continue;
                            }
                        }
                    }
                }
                out.push(Token { raw, lower: token.lower, kind: Kind::Number(value), quote: token.quote });
            }
            Kind::Separator if token.lower == "and" || token.lower == "&" => {
                // "and then" is one separator.
                if iter.peek().is_some_and(|next| next.kind == Kind::Separator) {
                    continue;
                }
                push_separator(&mut out, token);
            }
            Kind::Separator => push_separator(&mut out, token),
            Kind::Word | Kind::Percent(_) | Kind::Range(..) | Kind::Flag { .. } => out.push(token),
        }
    }
    out
}

fn push_separator(out: &mut Vec<Token>, token: Token) {
    // Collapse runs (", and then") into one separator; a `?` in the run is kept.
    match out.last_mut() {
        Some(previous) if previous.kind == Kind::Separator => {
            if token.raw == "?" {
                *previous = token;
            }
        }
        _ => out.push(token),
    }
}

/// Damerau–Levenshtein distance (optimal string alignment), bounded: returns `limit + 1`
/// as soon as the distance must exceed `limit`.
pub fn edit_distance(a: &str, b: &str, limit: usize) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    if a.len().abs_diff(b.len()) > limit {
        return limit + 1;
    }
    let width = b.len() + 1;
    let mut previous_previous = vec![0usize; width];
    let mut previous: Vec<usize> = (0..width).collect();
    let mut current = vec![0usize; width];
    for i in 1..=a.len() {
        current[0] = i;
        let mut row_min = current[0];
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut value = (previous[j] + 1).min(current[j - 1] + 1).min(previous[j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                value = value.min(previous_previous[j - 2] + 1);
            }
            current[j] = value;
            row_min = row_min.min(value);
        }
        if row_min > limit {
            return limit + 1;
        }
        std::mem::swap(&mut previous_previous, &mut previous);
        std::mem::swap(&mut previous, &mut current);
    }
    previous[b.len()].min(limit + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(prompt: &str) -> Vec<Kind> {
        tokenize(prompt).into_iter().map(|token| token.kind).collect()
    }

    #[test]
    fn numbers_in_words_and_digits() {
        assert_eq!(kinds("ten")[0], Kind::Number(10));
        assert_eq!(kinds("twenty five")[0], Kind::Number(25));
        assert_eq!(kinds("twenty-five")[0], Kind::Number(25));
        assert_eq!(kinds("a hundred"), vec![Kind::Number(100)]);
        assert_eq!(kinds("minus three"), vec![Kind::Number(-3)]);
        assert_eq!(kinds("-2"), vec![Kind::Number(-2)]);
        assert_eq!(kinds("70%"), vec![Kind::Percent(70)]);
        assert_eq!(kinds("70 percent"), vec![Kind::Percent(70)]);
    }

    #[test]
    fn words_joined_by_plus_are_two_words() {
        let words = |prompt: &str| tokenize(prompt).into_iter().map(|token| token.lower).collect::<Vec<_>>();
        assert_eq!(words("diagnose+fix web"), ["diagnose", "and", "fix", "web"]);
        assert_eq!(words("build+push+deploy."), ["build", "and", "push", "and", "deploy", "."]);
        assert_eq!(words("scale web +2"), ["scale", "web", "+2"]);
        for left_alone in ["--set a=b+c", "learn c++ now", "image web:1+build"] {
            assert!(!words(left_alone).contains(&"and".to_string()), "{left_alone}");
        }
    }

    #[test]
    fn ranges() {
        assert_eq!(kinds("between 2 and 10"), vec![Kind::Range(2, 10)]);
        assert_eq!(kinds("from two to five"), vec![Kind::Range(2, 5)]);
        assert_eq!(kinds("2-10"), vec![Kind::Range(2, 10)]);
        // "scale to 3 and 4" is not a range.
        assert_eq!(kinds("3 and 4"), vec![Kind::Number(3), Kind::Separator, Kind::Number(4)]);
    }

    #[test]
    fn flags_and_separators() {
        let tokens = tokenize("kubectl scale deployment/x --replicas=3 -n ns, then logs -p");
        let flags: Vec<_> = tokens
            .iter()
            .filter_map(|t| match &t.kind {
                Kind::Flag { name, value } => Some((name.as_str(), value.as_deref())),
                _ => None,
            })
            .collect();
        assert_eq!(flags, vec![("replicas", Some("3")), ("n", Some("ns")), ("p", None)]);
        assert_eq!(tokens.iter().filter(|t| t.kind == Kind::Separator).count(), 1);
        let helm = tokenize("helm upgrade x -f values-prod.yaml");
        assert!(helm.iter().any(|t| t.kind == Kind::Flag { name: "f".into(), value: Some("values-prod.yaml".into()) }));
        let follow = tokenize("kubectl logs -f deploy/x");
        assert!(follow.iter().any(|t| t.kind == Kind::Flag { name: "f".into(), value: None }));
    }

    #[test]
    fn punctuation() {
        let tokens = tokenize("what's wrong with ./web/? (the backend).");
        let raws: Vec<_> = tokens.iter().map(|t| t.raw.as_str()).collect();
        // `?` ends a question clause; a full stop ends a sentence (a trailing one is harmless).
        assert_eq!(raws, vec!["what's", "wrong", "with", "./web/", "?", "the", "backend", "."]);
        assert_eq!(tokenize(".")[0].raw, ".");
        // A comma ends a clause, not a sentence.
        assert_eq!(tokenize("web, api")[1].raw, ",");
    }

    #[test]
    fn list_markers_and_ticket_labels_start_sentences() {
        let words = |prompt: &str| tokenize(prompt).into_iter().map(|token| token.lower).collect::<Vec<_>>();
        assert_eq!(words("1) restart web 2) scale api to 3"), ["restart", "web", ",", "scale", "api", "to", "3"]);
        assert_eq!(words("- restart web\n- show api"), ["restart", "web", ".", "show", "api"]);
        assert_eq!(words("Action requested: restart web"), ["restart", "web"]);
        assert_eq!(words("Step 2: restart web"), ["restart", "web"]);
        // Not a label: a name with a colon, or words that are not labels.
        assert_eq!(words("web: restart it")[0], "web");
        assert_eq!(words("the api is down: restart it")[0], "the");
        // A count at the end of a sentence is not a list marker.
        assert!(tokenize("scale web to 3.").iter().any(|t| t.kind == Kind::Number(3)));
    }

    #[test]
    fn quoted_words_and_quotations() {
        let quotes = |prompt: &str| -> Vec<(String, Quote)> {
            tokenize(prompt).into_iter().filter(|t| t.is_word()).map(|t| (t.lower, t.quote)).collect()
        };
        let tokens = quotes("restart `web` after it said \"could not bind port\" twice");
        assert!(tokens.contains(&("web".into(), Quote::Word)));
        assert!(tokens.contains(&("bind".into(), Quote::Text)));
        assert!(tokens.contains(&("twice".into(), Quote::None)));
        // An apostrophe opens no quotation.
        assert!(quotes("it's the api's fault").iter().all(|(_, quote)| *quote == Quote::None));
        // A line break ends a clause.
        assert!(tokenize("first line\nsecond").iter().any(|t| t.kind == Kind::Separator));
    }

    #[test]
    fn distance() {
        assert_eq!(edit_distance("sacle", "scale", 2), 1);
        assert_eq!(edit_distance("restrat", "restart", 2), 1);
        assert_eq!(edit_distance("deplpy", "deploy", 2), 1);
        assert_eq!(edit_distance("backend", "rollback", 2), 3);
        assert_eq!(edit_distance("", "abc", 5), 3);
    }
}
