//! The numbers of a clause, each handed out once: a slot takes the number after its marker
//! ("max 10", "up to 20", "revision 3"), before it ("50 lines", "70 cpu"), a percentage, a
//! range or simply the first one left, so no number fills two slots.

use crate::planner::text::{Kind, Token};

/// The numbers of a clause, each handed out once.
pub(super) struct Numbers<'a> {
    tokens: &'a [Token],
    taken: Vec<bool>,
}

impl<'a> Numbers<'a> {
    /// The numbers of `tokens`, none taken yet.
    pub(super) fn new(tokens: &'a [Token]) -> Numbers<'a> {
        Numbers { tokens, taken: vec![false; tokens.len()] }
    }

    /// The number at `index`, unless it is not one or already taken.
    fn take(&mut self, index: usize) -> Option<i64> {
        if self.taken[index] {
            return None;
        }
        match self.tokens[index].kind {
            Kind::Number(value) | Kind::Percent(value) => {
                self.taken[index] = true;
                Some(value)
            }
            _ => None,
        }
    }

    /// The number right after one of `markers` (skipping "of", "to", "at", "=").
    pub(super) fn after(&mut self, markers: &[&str]) -> Option<i64> {
        for index in 0..self.tokens.len() {
            if !self.tokens[index].is_word() || !markers.contains(&self.tokens[index].lower.as_str()) {
                continue;
            }
            let mut next = index + 1;
            while self
                .tokens
                .get(next)
                .is_some_and(|t| matches!(t.lower.as_str(), "of" | "to" | "at" | "=" | "is" | "the"))
            {
                next += 1;
            }
            if next < self.tokens.len()
                && let Some(value) = self.take(next)
            {
                return Some(value);
            }
        }
        None
    }

    /// The number right after the two-word marker `first second` ("up to 20").
    pub(super) fn after_pair(&mut self, first: &str, second: &str) -> Option<i64> {
        for index in 0..self.tokens.len().saturating_sub(2) {
            if self.tokens[index].is(first)
                && self.tokens[index + 1].is(second)
                && let Some(value) = self.take(index + 2)
            {
                return Some(value);
            }
        }
        None
    }

    /// The number right before one of `markers` ("50 lines", "70 cpu").
    pub(super) fn before(&mut self, markers: &[&str]) -> Option<i64> {
        for index in 1..self.tokens.len() {
            if self.tokens[index].is_word()
                && markers.contains(&self.tokens[index].lower.as_str())
                && let Some(value) = self.take(index - 1)
            {
                return Some(value);
            }
        }
        None
    }

    /// The first percentage left ("70%").
    pub(super) fn percent(&mut self) -> Option<i64> {
        let index =
            self.tokens.iter().enumerate().position(|(i, t)| !self.taken[i] && matches!(t.kind, Kind::Percent(_)))?;
        self.take(index)
    }

    /// The first range left ("2-10", "between 2 and 10").
    pub(super) fn range(&mut self) -> Option<(i64, i64)> {
        let index =
            self.tokens.iter().enumerate().position(|(i, t)| !self.taken[i] && matches!(t.kind, Kind::Range(..)))?;
        self.taken[index] = true;
        match self.tokens[index].kind {
            Kind::Range(low, high) => Some((low, high)),
            _ => None,
        }
    }

    /// The first plain number left.
    pub(super) fn first(&mut self) -> Option<i64> {
        let index =
            self.tokens.iter().enumerate().position(|(i, t)| !self.taken[i] && matches!(t.kind, Kind::Number(_)))?;
        self.take(index)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::planner::text::tokenize;

    #[test]
    fn each_number_is_handed_out_once() {
        let tokens = tokenize("autoscale web max 10 min 2 at 70%");
        let mut numbers = Numbers::new(&tokens);
        assert_eq!(numbers.after(&["max"]), Some(10));
        assert_eq!(numbers.after(&["max"]), None);
        assert_eq!(numbers.percent(), Some(70));
        assert_eq!(numbers.first(), Some(2));
        assert_eq!(numbers.first(), None);
    }

    #[test]
    fn markers_before_after_and_in_pairs() {
        let tokens = tokenize("logs web last 50 lines up to 20 between 2 and 4");
        let mut numbers = Numbers::new(&tokens);
        assert_eq!(numbers.before(&["lines"]), Some(50));
        assert_eq!(numbers.after_pair("up", "to"), Some(20));
        assert_eq!(numbers.range(), Some((2, 4)));
        assert_eq!(numbers.range(), None);
    }
}
