//! `calculate`: exact decimal arithmetic, so totals, percentages and margins
//! in answers are computed rather than guessed by the model.
//!
//! Grammar (usual precedence, left-associative):
//! `expr := term (("+"|"-") term)*`, `term := unary (("*"|"/"|"%") unary)*`,
//! `unary := "-" unary | atom`, `atom := number | "(" expr ")"`.

use rust_decimal::{Decimal, RoundingStrategy};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::{OdooAccess, Summarize, Tool, ToolCtx, ToolError, ToolKind};

/// Longest expression accepted; keeps parsing cheap and recursion shallow.
const MAX_EXPRESSION_LEN: usize = 500;
const MAX_NESTING: usize = 32;

/// Arguments of `calculate`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CalculateArgs {
    /// Arithmetic on decimal numbers with + - * / % and parentheses; `%` is the
    /// remainder. No thousands separators. Example: "(1250.40 - 120) * 0.21"
    #[schemars(length(min = 1, max = 500))]
    pub expression: String,
    /// Round the result to this many decimal places (half away from zero).
    /// Example: 2. Omit for the exact result.
    #[serde(default)]
    #[schemars(range(min = 0, max = 12))]
    pub decimal_places: Option<u32>,
}

/// The exact result of the expression.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CalculateOutput {
    pub expression: String,
    /// Decimal text, exact (or rounded as asked).
    pub result: String,
}

impl Summarize for CalculateOutput {
    fn summary(&self) -> String {
        format!("{} = {}", self.expression, self.result)
    }
}

/// Evaluates arithmetic expressions on exact decimals.
#[derive(Debug, Default)]
pub struct Calculate;

impl Tool for Calculate {
    const NAME: &'static str = "calculate";
    const KIND: ToolKind = ToolKind::Read;
    type Args = CalculateArgs;
    type Output = CalculateOutput;

    fn description(&self) -> &'static str {
        "Evaluates an arithmetic expression exactly on decimal numbers (+ - * / % and \
         parentheses). Use it for every sum, difference, percentage or ratio you state."
    }

    fn access(&self) -> &'static [OdooAccess] {
        &[]
    }

    async fn call(&self, _ctx: &ToolCtx, args: Self::Args) -> Result<Self::Output, ToolError> {
        let invalid = |message: String| ToolError::InvalidArgs {
            tool: Self::NAME.to_owned(),
            message: format!("field `expression`: {message}"),
        };
        let mut value = evaluate(&args.expression).map_err(invalid)?;
        if let Some(places) = args.decimal_places {
            value = value.round_dp_with_strategy(places, RoundingStrategy::MidpointAwayFromZero);
        }
        Ok(CalculateOutput {
            expression: args.expression,
            result: value.normalize().to_string(),
        })
    }
}

/// Evaluates `text`; the error says what is wrong and where.
pub(crate) fn evaluate(text: &str) -> Result<Decimal, String> {
    if text.len() > MAX_EXPRESSION_LEN {
        return Err(format!("longer than {MAX_EXPRESSION_LEN} characters"));
    }
    let mut parser = Parser {
        chars: text.char_indices().peekable(),
        text,
        depth: 0,
    };
    let value = parser.expr()?;
    parser.skip_spaces();
    match parser.chars.peek() {
        None => Ok(value),
        Some(&(at, c)) => Err(format!("unexpected {c:?} at position {}", at + 1)),
    }
}

struct Parser<'a> {
    chars: std::iter::Peekable<std::str::CharIndices<'a>>,
    text: &'a str,
    depth: usize,
}

impl Parser<'_> {
    fn expr(&mut self) -> Result<Decimal, String> {
        let mut acc = self.term()?;
        while let Some(op) = self.next_op(&['+', '-']) {
            let rhs = self.term()?;
            acc = match op {
                '+' => acc.checked_add(rhs),
                _ => acc.checked_sub(rhs),
            }
            .ok_or("result out of range")?;
        }
        Ok(acc)
    }

    fn term(&mut self) -> Result<Decimal, String> {
        let mut acc = self.unary()?;
        while let Some(op) = self.next_op(&['*', '/', '%']) {
            let rhs = self.unary()?;
            if op != '*' && rhs.is_zero() {
                return Err("division by zero".to_owned());
            }
            acc = match op {
                '*' => acc.checked_mul(rhs),
                '/' => acc.checked_div(rhs),
                _ => acc.checked_rem(rhs),
            }
            .ok_or("result out of range")?;
        }
        Ok(acc)
    }

    fn unary(&mut self) -> Result<Decimal, String> {
        if self.next_op(&['-']).is_some() {
            self.nested(|p| p.unary().map(|v| -v))
        } else if self.next_op(&['+']).is_some() {
            self.nested(Self::unary)
        } else {
            self.atom()
        }
    }

    fn atom(&mut self) -> Result<Decimal, String> {
        self.skip_spaces();
        match self.chars.peek().copied() {
            Some((_, '(')) => {
                self.chars.next();
                let value = self.nested(Self::expr)?;
                self.skip_spaces();
                match self.chars.next() {
                    Some((_, ')')) => Ok(value),
                    Some((at, c)) => Err(format!(
                        "expected ')' but found {c:?} at position {}",
                        at + 1
                    )),
                    None => Err("missing ')' at the end".to_owned()),
                }
            }
            Some((start, c)) if c.is_ascii_digit() || c == '.' => {
                let mut end = start;
                while let Some(&(at, c)) = self.chars.peek() {
                    if !(c.is_ascii_digit() || c == '.') {
                        break;
                    }
                    end = at + c.len_utf8();
                    self.chars.next();
                }
                let literal = &self.text[start..end];
                literal
                    .parse::<Decimal>()
                    .map_err(|_| format!("{literal:?} at position {} is not a number", start + 1))
            }
            Some((at, c)) => Err(format!("unexpected {c:?} at position {}", at + 1)),
            None => Err("expression ends where a number was expected".to_owned()),
        }
    }

    fn nested(
        &mut self,
        f: impl FnOnce(&mut Self) -> Result<Decimal, String>,
    ) -> Result<Decimal, String> {
        self.depth += 1;
        if self.depth > MAX_NESTING {
            return Err(format!("nested deeper than {MAX_NESTING} levels"));
        }
        let value = f(self);
        self.depth -= 1;
        value
    }

    fn next_op(&mut self, ops: &[char]) -> Option<char> {
        self.skip_spaces();
        let &(_, c) = self.chars.peek()?;
        ops.contains(&c).then(|| {
            self.chars.next();
            c
        })
    }

    fn skip_spaces(&mut self) {
        while self.chars.next_if(|(_, c)| c.is_whitespace()).is_some() {}
    }
}

#[cfg(test)]
mod tests {
    use pretty_assertions::assert_eq;

    use super::*;
    use crate::testing_ctx;

    fn eval(text: &str) -> Result<String, String> {
        evaluate(text).map(|d| d.normalize().to_string())
    }

    #[test]
    fn arithmetic_is_exact_and_follows_precedence() {
        assert_eq!(eval("0.1 + 0.2").unwrap(), "0.3");
        assert_eq!(eval("2 + 3 * 4").unwrap(), "14");
        assert_eq!(eval("(2 + 3) * 4").unwrap(), "20");
        assert_eq!(eval("10 - 4 - 3").unwrap(), "3");
        assert_eq!(eval("-(1.5 * 2) + 10 % 4").unwrap(), "-1");
        assert_eq!(eval("1 / 4").unwrap(), "0.25");
        assert_eq!(eval(" --2 ").unwrap(), "2");
    }

    #[test]
    fn bad_expressions_say_what_and_where() {
        assert_eq!(eval("1 / 0").unwrap_err(), "division by zero");
        assert_eq!(
            eval("2 +").unwrap_err(),
            "expression ends where a number was expected"
        );
        assert_eq!(eval("(1 + 2").unwrap_err(), "missing ')' at the end");
        assert_eq!(
            eval("1,000 + 2").unwrap_err(),
            "unexpected ',' at position 2"
        );
        assert_eq!(
            eval("1.2.3").unwrap_err(),
            "\"1.2.3\" at position 1 is not a number"
        );
        assert_eq!(eval("x").unwrap_err(), "unexpected 'x' at position 1");
        assert!(eval(&"(".repeat(40)).unwrap_err().contains("nested deeper"));
        assert_eq!(
            eval("79228162514264337593543950335 * 10").unwrap_err(),
            "result out of range"
        );
    }

    #[tokio::test]
    async fn rounding_is_half_away_from_zero() {
        let args = CalculateArgs {
            expression: "10 / 4 * -1".into(),
            decimal_places: Some(0),
        };
        let out = Calculate.call(&testing_ctx(), args).await.unwrap();
        assert_eq!(out.result, "-3");
        let args = CalculateArgs {
            expression: "2 / 3".into(),
            decimal_places: Some(2),
        };
        assert_eq!(
            Calculate.call(&testing_ctx(), args).await.unwrap().result,
            "0.67"
        );
    }
}
