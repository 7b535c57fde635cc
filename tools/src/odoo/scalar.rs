//! Stored and given values reduced to what Odoo's SQL compares, and SQL
//! `LIKE` matching, for the evaluator.

use std::borrow::Cow;
use std::cmp::Ordering;

use serde_json::Value;

/// One value as the database sees it.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Scalar<'a> {
    /// NULL: `false`, `null`, a missing field, or anything not modelled
    /// (x2many lists, objects).
    Unset,
    /// Boolean `true` (`false` is [`Scalar::Unset`], as in Odoo's SQL).
    True,
    /// Integers and floats alike, as PostgreSQL compares numeric columns.
    Num(f64),
    Str(&'a str),
    /// A string built for the comparison (a date widened to a datetime).
    Owned(String),
    /// A many2one `[id, "display name"]`.
    Link(i64, &'a str),
}

impl<'a> Scalar<'a> {
    pub(crate) fn of(value: Option<&'a Value>) -> Scalar<'a> {
        match value {
            None | Some(Value::Null | Value::Bool(false) | Value::Object(_)) => Scalar::Unset,
            Some(Value::Bool(true)) => Scalar::True,
            Some(Value::Number(n)) => n.as_f64().map_or(Scalar::Unset, Scalar::Num),
            Some(Value::String(s)) => Scalar::Str(s),
            Some(Value::Array(items)) => match items.as_slice() {
                [Value::Number(id), Value::String(name)] => id
                    .as_i64()
                    .map_or(Scalar::Unset, |id| Scalar::Link(id, name)),
                _ => Scalar::Unset,
            },
        }
    }

    pub(crate) fn is_unset(&self) -> bool {
        matches!(self, Scalar::Unset)
    }

    /// Python truthiness, which decides whether Odoo adds `OR x IS NULL` to
    /// a negative term.
    pub(crate) fn is_truthy(&self) -> bool {
        match self {
            Scalar::Unset => false,
            Scalar::True | Scalar::Link(..) => true,
            Scalar::Num(n) => *n != 0.0,
            Scalar::Str(s) => !s.is_empty(),
            Scalar::Owned(s) => !s.is_empty(),
        }
    }

    /// The value cast to text, as `column::text` does for `LIKE`; a many2one
    /// gives its display name.
    pub(crate) fn text(&self) -> Option<Cow<'a, str>> {
        match self {
            Scalar::Unset => None,
            Scalar::True => Some(Cow::Borrowed("true")),
            Scalar::Num(n) if n.fract() == 0.0 && n.abs() < 1e15 => {
                Some(Cow::Owned(format!("{}", *n as i64)))
            }
            Scalar::Num(n) => Some(Cow::Owned(n.to_string())),
            Scalar::Str(s) | Scalar::Link(_, s) => Some(Cow::Borrowed(s)),
            Scalar::Owned(s) => Some(Cow::Owned(s.clone())),
        }
    }

    /// Ordering between two set values; `None` when they cannot be compared.
    pub(crate) fn cmp_with(&self, other: &Scalar<'_>) -> Option<Ordering> {
        // A many2one against a string compares its display name (Odoo name-
        // searches the comodel); against a number, its id.
        match (self, other) {
            (Scalar::Link(_, name), _) if other.as_str().is_some() => {
                return other.as_str().map(|text| (*name).cmp(text));
            }
            (_, Scalar::Link(_, name)) if self.as_str().is_some() => {
                return self.as_str().map(|text| text.cmp(name));
            }
            _ => {}
        }
        match (self.key()?, other.key()?) {
            (Key::Num(a), Key::Num(b)) => a.partial_cmp(&b),
            (Key::Str(a), Key::Str(b)) => Some(a.cmp(b)),
            (Key::True, Key::True) => Some(Ordering::Equal),
            _ => None,
        }
    }

    fn as_str(&self) -> Option<&str> {
        match self {
            Scalar::Str(s) => Some(s),
            Scalar::Owned(s) => Some(s),
            Scalar::Unset | Scalar::True | Scalar::Num(_) | Scalar::Link(..) => None,
        }
    }

    fn key(&self) -> Option<Key<'_>> {
        match self {
            Scalar::Unset => None,
            Scalar::True => Some(Key::True),
            Scalar::Num(n) => Some(Key::Num(*n)),
            Scalar::Str(s) => Some(Key::Str(s)),
            Scalar::Owned(s) => Some(Key::Str(s)),
            Scalar::Link(id, _) => Some(Key::Num(*id as f64)),
        }
    }
}

enum Key<'a> {
    True,
    Num(f64),
    Str(&'a str),
}

/// SQL `LIKE`: `%` matches any run, `_` one character, `\` escapes the next
/// character (PostgreSQL's default escape).
pub(crate) fn like_match(text: &str, pattern: &str, case_insensitive: bool) -> bool {
    let fold = |s: &str| {
        if case_insensitive {
            s.to_lowercase()
        } else {
            s.to_owned()
        }
    };
    let text: Vec<char> = fold(text).chars().collect();
    let pattern = tokens(&fold(pattern));
    // Greedy match with backtracking to the last `%`: linear in practice.
    let (mut t, mut p) = (0, 0);
    let mut last_any: Option<(usize, usize)> = None;
    while t < text.len() {
        match pattern.get(p) {
            Some(Token::One) => (t, p) = (t + 1, p + 1),
            Some(Token::Lit(c)) if text.get(t) == Some(c) => (t, p) = (t + 1, p + 1),
            Some(Token::Any) => {
                last_any = Some((p, t));
                p += 1;
            }
            _ => match last_any {
                Some((any_p, any_t)) => {
                    last_any = Some((any_p, any_t + 1));
                    (t, p) = (any_t + 1, any_p + 1);
                }
                None => return false,
            },
        }
    }
    pattern[p.min(pattern.len())..]
        .iter()
        .all(|tok| matches!(tok, Token::Any))
}

#[derive(Debug, PartialEq)]
enum Token {
    Any,
    One,
    Lit(char),
}

fn tokens(pattern: &str) -> Vec<Token> {
    let mut out = Vec::new();
    let mut chars = pattern.chars();
    while let Some(c) = chars.next() {
        out.push(match c {
            '%' => Token::Any,
            '_' => Token::One,
            // A trailing lone backslash is taken literally.
            '\\' => Token::Lit(chars.next().unwrap_or('\\')),
            other => Token::Lit(other),
        });
    }
    out
}
