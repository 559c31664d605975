//! The lexer: a cursor over one line of source. The language is line-oriented and some
//! tokens (addresses with colons, sizes with units) depend on what is expected, so the
//! parser pulls tokens on demand instead of receiving a token list.

use crate::error::ParseError;

/// Characters that end a word: separators of the language.
const PUNCT: &[char] = &[',', ';', '(', ')', '&', '#', '='];

pub(crate) struct Cursor {
    chars: Vec<char>,
    pos: usize,
    line: u32,
}

impl Cursor {
    pub fn new(text: &str, line: u32) -> Self {
        Cursor {
            chars: text.chars().collect(),
            pos: 0,
            line,
        }
    }

    /// 1-based column of the next character.
    pub fn col(&self) -> u32 {
        self.pos as u32 + 1
    }

    pub fn line(&self) -> u32 {
        self.line
    }

    pub fn skip_ws(&mut self) {
        while self.chars.get(self.pos).is_some_and(|c| c.is_whitespace()) {
            self.pos += 1;
        }
    }

    /// Nothing left but blanks and a comment.
    pub fn at_end(&mut self) -> bool {
        self.skip_ws();
        matches!(self.chars.get(self.pos), None | Some('#'))
    }

    /// The next non-blank character, not consumed.
    pub fn peek(&mut self) -> Option<char> {
        self.skip_ws();
        self.chars.get(self.pos).copied()
    }

    /// The character after the next non-blank one.
    pub fn peek_second(&mut self) -> Option<char> {
        self.skip_ws();
        self.chars.get(self.pos + 1).copied()
    }

    /// Consumes `c` if it comes next.
    pub fn eat(&mut self, c: char) -> bool {
        if self.peek() == Some(c) {
            self.pos += 1;
            true
        } else {
            false
        }
    }

    /// Consumes `s` if it comes next.
    pub fn eat_str(&mut self, s: &str) -> bool {
        self.skip_ws();
        let n = s.chars().count();
        let ahead: String = self.chars.iter().skip(self.pos).take(n).collect();
        if ahead == s {
            self.pos += n;
            true
        } else {
            false
        }
    }

    /// Consumes `c` or fails with "expected {what}".
    pub fn expect(&mut self, c: char, what: &str) -> Result<(), ParseError> {
        if self.eat(c) {
            Ok(())
        } else {
            Err(self.expected(what))
        }
    }

    /// A name: a letter or `_`, then letters, digits and `_`.
    pub fn ident(&mut self) -> Option<String> {
        self.skip_ws();
        let start = self.pos;
        if !self
            .chars
            .get(self.pos)
            .is_some_and(|c| c.is_ascii_alphabetic() || *c == '_')
        {
            return None;
        }
        while self
            .chars
            .get(self.pos)
            .is_some_and(|c| c.is_ascii_alphanumeric() || *c == '_')
        {
            self.pos += 1;
        }
        Some(self.chars[start..self.pos].iter().collect())
    }

    /// Consumes the keyword `kw` if it comes next as a whole name.
    pub fn eat_keyword(&mut self, kw: &str) -> bool {
        let save = self.pos;
        match self.ident() {
            Some(w) if w == kw => true,
            _ => {
                self.pos = save;
                false
            }
        }
    }

    /// A run of characters up to a blank or a separator, e.g. `10.0.0.1:80`, `64K`,
    /// `[::1]:22`, `-1`. Empty if a separator or the end comes next.
    pub fn word(&mut self) -> String {
        self.skip_ws();
        let start = self.pos;
        while self
            .chars
            .get(self.pos)
            .is_some_and(|c| !c.is_whitespace() && !PUNCT.contains(c))
        {
            self.pos += 1;
        }
        self.chars[start..self.pos].iter().collect()
    }

    /// Everything left on the line, blanks trimmed (narration keeps `#` and `;`).
    pub fn rest(&mut self) -> String {
        self.skip_ws();
        let s: String = self.chars[self.pos..].iter().collect();
        self.pos = self.chars.len();
        s.trim_end().to_string()
    }

    /// How the next token looks, for "found ..." in messages.
    pub fn found(&mut self) -> String {
        if self.at_end() {
            return "the end of the line".to_string();
        }
        let save = self.pos;
        let w = self.word();
        self.pos = save;
        if w.is_empty() {
            format!("\"{}\"", self.chars[self.pos])
        } else {
            format!("\"{w}\"")
        }
    }

    /// "expected {what}, found {next token}" at the next token.
    pub fn expected(&mut self, what: &str) -> ParseError {
        let found = self.found();
        self.error_at(self.col(), format!("expected {what}, found {found}"))
    }

    pub fn error_at(&self, col: u32, message: String) -> ParseError {
        ParseError {
            line: self.line,
            col,
            message,
        }
    }

    /// Where the cursor is, to come back to after a look-ahead.
    pub fn mark(&self) -> usize {
        self.pos
    }

    pub fn reset(&mut self, mark: usize) {
        self.pos = mark;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_stop_at_separators_and_blanks() {
        let mut c = Cursor::new("  bind(l, [::1]:22) # hi", 1);
        assert_eq!(c.ident().as_deref(), Some("bind"));
        assert!(c.eat('('));
        assert_eq!(c.word(), "l");
        assert!(c.eat(','));
        assert_eq!(c.col(), 10);
        assert_eq!(c.word(), "[::1]:22");
        assert!(c.eat(')'));
        assert!(c.at_end());
    }

    #[test]
    fn found_describes_the_next_token_or_the_end() {
        let mut c = Cursor::new("x ;", 3);
        assert_eq!(c.found(), "\"x\"");
        c.word();
        assert_eq!(c.found(), "\";\"");
        c.eat(';');
        assert_eq!(c.found(), "the end of the line");
        assert_eq!(
            c.expected("a port").to_string(),
            "3:4: expected a port, found the end of the line"
        );
    }
}
