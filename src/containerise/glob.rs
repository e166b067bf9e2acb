//! One `.dockerignore` pattern, compiled the way Docker compiles it and matched in linear
//! time. Docker (moby/patternmatcher) turns a pattern into a Go regular expression: `*` is
//! `[^/]*`, `?` is `[^/]`, `**` at the end is `.*`, `**` elsewhere (with a following `/`
//! eaten) is `(.*/)?`, `[…]` classes pass through, `\` escapes the next character, other
//! characters are literal, and the whole is anchored. Go's engine is an automaton, so Docker
//! never backtracks; a recursive glob matcher does, and `*a*a*a*a*a*a*a*a*b` against a long
//! name then takes minutes. This module builds the same language as a small program of
//! instructions and runs it as a Thompson automaton: every state advances at most once per
//! character, so a match costs at most (path length + 1) × (program length) steps, whatever
//! the pattern. The steps are counted so callers can bound the total work of a listing.
//!
//! One pass over a path also answers Docker's "parent matches" question: the pattern matches
//! a parent directory exactly when the automaton accepts just before one of the path's `/`.

/// A character class: `[a-z]`, `[^._]`, with escapes resolved.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Class {
    negated: bool,
    ranges: Vec<(char, char)>,
}

impl Class {
    fn matches(&self, c: char) -> bool {
        self.ranges.iter().any(|(low, high)| (*low..=*high).contains(&c)) != self.negated
    }
}

/// One instruction of a compiled pattern.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Instruction {
    /// This character.
    Char(char),
    /// Any character but `/` (`?`, and the body of `*`).
    NotSlash,
    /// Any character but a newline (the `.` of Docker's `.*`).
    Any,
    /// A bracket class (which, as in Docker, may match `/`).
    Class(Class),
    /// Only at the start of the path (a `^` outside a class is an anchor in Docker's regex).
    Start,
    /// Continue at both targets.
    Split(usize, usize),
    /// Continue at the target.
    Jump(usize),
    /// The pattern matched.
    Match,
}

/// A compiled pattern.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pattern {
    program: Vec<Instruction>,
}

/// Why a pattern does not compile; Docker refuses the same patterns (`filepath.Match` reports
/// `syntax error in pattern`).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct PatternError(pub &'static str);

/// Whether the pattern matched the path itself and whether it matched a parent directory.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Outcome {
    /// The whole path matched.
    pub itself: bool,
    /// Some parent directory (`a`, `a/b` of `a/b/c`) matched.
    pub parent: bool,
}

impl Pattern {
    /// Compiles a cleaned pattern (no leading `!`, `/`-separated).
    pub fn compile(pattern: &str) -> Result<Pattern, PatternError> {
        let chars: Vec<char> = pattern.chars().collect();
        let mut program = Vec::with_capacity(chars.len() * 2 + 1);
        let mut index = 0;
        while index < chars.len() {
            let c = chars[index];
            index += 1;
            match c {
                '*' if chars.get(index) == Some(&'*') => {
                    index += 1;
                    // `**/` is `**`: the slash is eaten.
                    if chars.get(index) == Some(&'/') {
                        index += 1;
                    }
                    if index == chars.len() {
                        // `**` at the end: `.*`.
                        star(&mut program, Instruction::Any);
                    } else {
                        // `(.*/)?`: nothing, or anything up to and including a `/`.
                        let split = program.len();
                        program.push(Instruction::Split(split + 1, 0));
                        let loop_start = program.len();
                        program.push(Instruction::Split(loop_start + 1, loop_start + 3));
                        program.push(Instruction::Any);
                        program.push(Instruction::Jump(loop_start));
                        program.push(Instruction::Char('/'));
                        let after = program.len();
                        program[split] = Instruction::Split(split + 1, after);
                    }
                }
                '*' => star(&mut program, Instruction::NotSlash),
                '?' => program.push(Instruction::NotSlash),
                '\\' => match chars.get(index) {
                    Some(&next) => {
                        program.push(Instruction::Char(next));
                        index += 1;
                    }
                    None => return Err(PatternError("a trailing `\\` escapes nothing")),
                },
                '[' => {
                    let (class, next) = class(&chars, index)?;
                    program.push(Instruction::Class(class));
                    index = next;
                }
                '^' => program.push(Instruction::Start),
                other => program.push(Instruction::Char(other)),
            }
        }
        program.push(Instruction::Match);
        Ok(Pattern { program })
    }

    /// Matches `path` (relative, `/`-separated, cleaned), adding the work done to `steps`.
    pub fn run(&self, path: &str, steps: &mut u64) -> Outcome {
        let size = self.program.len();
        let mut current = StateSet::new(size);
        let mut next = StateSet::new(size);
        let mut outcome = Outcome::default();
        self.add(&mut current, 0, true, steps);
        let mut at_start = true;
        for c in path.chars() {
            if current.states.is_empty() {
                return outcome;
            }
            if c == '/' && !at_start && current.contains(size - 1) {
                outcome.parent = true;
            }
            next.clear();
            for position in 0..current.states.len() {
                let state = current.states[position];
                *steps += 1;
                let advances = match &self.program[state] {
                    Instruction::Char(expected) => *expected == c,
                    Instruction::NotSlash => c != '/',
                    Instruction::Any => c != '\n',
                    Instruction::Class(class) => class.matches(c),
                    Instruction::Start | Instruction::Split(..) | Instruction::Jump(_) | Instruction::Match => false,
                };
                if advances {
                    self.add(&mut next, state + 1, false, steps);
                }
            }
            std::mem::swap(&mut current, &mut next);
            at_start = false;
        }
        outcome.itself = current.contains(size - 1);
        outcome
    }

    /// Adds `state` and every state reachable from it without reading a character.
    fn add(&self, set: &mut StateSet, state: usize, at_start: bool, steps: &mut u64) {
        let mut pending = vec![state];
        while let Some(state) = pending.pop() {
            if !set.insert(state) {
                continue;
            }
            *steps += 1;
            match &self.program[state] {
                Instruction::Split(first, second) => {
                    pending.push(*second);
                    pending.push(*first);
                }
                Instruction::Jump(target) => pending.push(*target),
                Instruction::Start if at_start => pending.push(state + 1),
                Instruction::Start
                | Instruction::Char(_)
                | Instruction::NotSlash
                | Instruction::Any
                | Instruction::Class(_)
                | Instruction::Match => {}
            }
        }
    }

    /// How many instructions the pattern compiled to (the per-character cost bound).
    pub fn len(&self) -> usize {
        self.program.len()
    }

    /// Never true: even an empty pattern has its `Match`.
    pub fn is_empty(&self) -> bool {
        self.program.is_empty()
    }
}

/// `x*` for a one-character instruction `x`.
fn star(program: &mut Vec<Instruction>, body: Instruction) {
    let start = program.len();
    program.push(Instruction::Split(start + 1, start + 3));
    program.push(body);
    program.push(Instruction::Jump(start));
}

/// Parses a class starting after its `[`; returns it and the index after its `]`. The rules
/// are Go `filepath.Match`'s, which Docker checks every pattern against: `^` negates, a range
/// end may be escaped, and `-` or `]` cannot start a range.
fn class(chars: &[char], mut index: usize) -> Result<(Class, usize), PatternError> {
    let unclosed = PatternError("a `[` class is not closed");
    let mut negated = false;
    if chars.get(index) == Some(&'^') {
        negated = true;
        index += 1;
    }
    let mut ranges = Vec::new();
    loop {
        match chars.get(index) {
            None => return Err(unclosed),
            Some(']') if !ranges.is_empty() => return Ok((Class { negated, ranges }, index + 1)),
            Some(_) => {}
        }
        let (low, next) = class_char(chars, index)?;
        index = next;
        let mut high = low;
        if chars.get(index) == Some(&'-') {
            let (end, next) = class_char(chars, index + 1)?;
            high = end;
            index = next;
        }
        if high < low {
            return Err(PatternError("a class range runs backwards"));
        }
        ranges.push((low, high));
    }
}

/// One character of a class, with `\` escapes.
fn class_char(chars: &[char], index: usize) -> Result<(char, usize), PatternError> {
    match chars.get(index) {
        None => Err(PatternError("a `[` class is not closed")),
        Some('-' | ']') => Err(PatternError("a class range cannot start with `-` or `]`")),
        Some('\\') => chars.get(index + 1).map(|c| (*c, index + 2)).ok_or(PatternError("a `[` class is not closed")),
        Some(c) => Ok((*c, index + 1)),
    }
}

/// A set of program states with insertion order (a sparse set: O(1) insert, test and clear).
struct StateSet {
    states: Vec<usize>,
    member: Vec<bool>,
}

impl StateSet {
    fn new(size: usize) -> StateSet {
        StateSet { states: Vec::with_capacity(size), member: vec![false; size] }
    }

    fn insert(&mut self, state: usize) -> bool {
        if self.member[state] {
            return false;
        }
        self.member[state] = true;
        self.states.push(state);
        true
    }

    fn contains(&self, state: usize) -> bool {
        self.member[state]
    }

    fn clear(&mut self) {
        for state in self.states.drain(..) {
            self.member[state] = false;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn matches(pattern: &str, path: &str) -> bool {
        Pattern::compile(pattern).unwrap().run(path, &mut 0).itself
    }

    #[test]
    fn docker_glob_language() {
        let cases = [
            ("*.md", "README.md", true),
            ("*.md", "docs/README.md", false),
            ("**/*.md", "docs/a/README.md", true),
            ("**/*.md", "README.md", true),
            ("docs/**", "docs/a/b", true),
            ("docs/**", "docs", false),
            ("a**b", "ab", true),
            ("a**b", "ax/b", true),
            ("a**b", "axb", false),
            ("temp?", "temp1", true),
            ("temp?", "temp/", false),
            ("[a-c]x", "bx", true),
            ("[^a-c]x", "dx", true),
            ("[^a-c]x", "ax", false),
            ("[!a]x", "!x", true),
            ("a[^x]b", "a/b", true),
            ("\\*x", "*x", true),
            ("\\*x", "ax", false),
            ("a^b", "a^b", false),
            ("^ab", "ab", true),
            ("x.y", "xzy", false),
            ("日?", "日本", true),
        ];
        for (pattern, path, want) in cases {
            assert_eq!(matches(pattern, path), want, "{pattern} {path}");
        }
        for bad in ["[", "[a", "[]", "[-a]", "a\\", "[z-a]", "[a-]"] {
            assert!(Pattern::compile(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn parents_are_answered_in_the_same_pass() {
        let pattern = Pattern::compile("build").unwrap();
        assert_eq!(pattern.run("build/out/x.js", &mut 0), Outcome { itself: false, parent: true });
        assert_eq!(pattern.run("src/build", &mut 0), Outcome { itself: false, parent: false });
        let pattern = Pattern::compile("a/*").unwrap();
        assert_eq!(pattern.run("a/b/c", &mut 0), Outcome { itself: false, parent: true });
    }

    #[test]
    fn a_hostile_pattern_costs_linear_steps() {
        let pattern = Pattern::compile("*a*a*a*a*a*a*a*a*b").unwrap();
        let name = "a".repeat(100_000);
        let mut steps = 0;
        assert_eq!(pattern.run(&name, &mut steps), Outcome::default());
        let bound = (name.len() as u64 + 1) * pattern.len() as u64 * 2;
        assert!(steps <= bound, "{steps} steps > {bound}");
    }
}
