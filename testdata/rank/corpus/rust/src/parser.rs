//! Parsing of alert rules such as `p99(latency_ms) > 250 for 5m`.

use std::fmt;
use std::time::Duration;

/// A comparison in an alert rule.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Op {
    Gt,
    Ge,
    Lt,
    Le,
}

/// A parsed alert rule: fire when `aggregate(metric) op threshold` holds
/// for `window`.
#[derive(Debug, Clone, PartialEq)]
pub struct Rule {
    pub aggregate: String,
    pub metric: String,
    pub op: Op,
    pub threshold: f64,
    pub window: Duration,
}

/// Why a rule did not parse, with the byte offset of the problem.
#[derive(Debug, PartialEq)]
pub struct ParseError {
    pub offset: usize,
    pub message: String,
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "at byte {}: {}", self.offset, self.message)
    }
}

/// A hand-written cursor over the rule text.
struct Cursor<'a> {
    src: &'a str,
    pos: usize,
}

impl<'a> Cursor<'a> {
    fn skip_whitespace(&mut self) {
        while self.src[self.pos..].starts_with(' ') {
            self.pos += 1;
        }
    }

    /// Consumes a run of identifier characters (letters, digits, '_').
    fn ident(&mut self) -> Result<&'a str, ParseError> {
        self.skip_whitespace();
        let start = self.pos;
        while let Some(c) = self.src[self.pos..].chars().next() {
            if c.is_ascii_alphanumeric() || c == '_' {
                self.pos += c.len_utf8();
            } else {
                break;
            }
        }
        if start == self.pos {
            return Err(self.error("expected a name"));
        }
        Ok(&self.src[start..self.pos])
    }

    /// Consumes `s` or fails.
    fn expect(&mut self, s: &str) -> Result<(), ParseError> {
        self.skip_whitespace();
        if self.src[self.pos..].starts_with(s) {
            self.pos += s.len();
            Ok(())
        } else {
            Err(self.error(&format!("expected '{}'", s)))
        }
    }

    fn error(&self, message: &str) -> ParseError {
        ParseError { offset: self.pos, message: message.to_string() }
    }
}

/// Parses a comparison operator; two-character operators are tried first
/// so that `>=` is not read as `>`.
fn parse_op(c: &mut Cursor) -> Result<Op, ParseError> {
    c.skip_whitespace();
    for (text, op) in [(">=", Op::Ge), ("<=", Op::Le), (">", Op::Gt), ("<", Op::Lt)] {
        if c.src[c.pos..].starts_with(text) {
            c.pos += text.len();
            return Ok(op);
        }
    }
    Err(c.error("expected a comparison operator"))
}

/// Parses a duration with a unit suffix: `30s`, `5m`, `2h`.
pub fn parse_duration(s: &str) -> Option<Duration> {
    let s = s.trim();
    let (num, unit) = s.split_at(s.find(|c: char| !c.is_ascii_digit())?);
    let n: u64 = num.parse().ok()?;
    match unit {
        "s" => Some(Duration::from_secs(n)),
        "m" => Some(Duration::from_secs(n * 60)),
        "h" => Some(Duration::from_secs(n * 3600)),
        _ => None,
    }
}

/// Parses one alert rule: `aggregate(metric) op number for duration`.
pub fn parse_rule(src: &str) -> Result<Rule, ParseError> {
    let mut c = Cursor { src, pos: 0 };
    let aggregate = c.ident()?.to_string();
    c.expect("(")?;
    let metric = c.ident()?.to_string();
    c.expect(")")?;
    let op = parse_op(&mut c)?;
    c.skip_whitespace();
    let rest = &src[c.pos..];
    let (num, tail) = rest.split_once(' ').ok_or_else(|| c.error("expected a threshold"))?;
    let threshold: f64 = num.parse().map_err(|_| c.error("threshold is not a number"))?;
    let window = tail
        .trim()
        .strip_prefix("for ")
        .and_then(parse_duration)
        .ok_or_else(|| c.error("expected 'for' and a duration"))?;
    Ok(Rule { aggregate, metric, op, threshold, window })
}
