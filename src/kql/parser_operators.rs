//! The parts of the parser that read one tabular operator's clauses: `summarize` and its
//! hints, `join` and its keys, `mv-expand`, sort keys, assignments and column-name patterns.

use super::Fault;
use super::ast::*;
use super::keywords;
use super::lexer::TokenKind;
use super::parser::Parser;

impl Parser {
    pub(super) fn summarize(&mut self) -> Result<OperatorKind, Fault> {
        self.skip_hints()?;
        let aggregates = if self.is_word("by") { vec![] } else { self.assignments()? };
        let by = if self.eat_word("by") { self.assignments()? } else { vec![] };
        Ok(OperatorKind::Summarize { aggregates, by })
    }

    /// `hint.strategy=shuffle` and its kin change how Kusto runs a step, not its answer.
    pub(super) fn skip_hints(&mut self) -> Result<(), Fault> {
        while self.is_word("hint") && matches!(self.peek_at(1), TokenKind::Symbol(".")) {
            self.advance();
            self.advance();
            self.name("a hint name")?;
            self.expect_symbol("=")?;
            self.advance();
        }
        Ok(())
    }

    pub(super) fn join(&mut self) -> Result<OperatorKind, Fault> {
        let mut kind = JoinKind::InnerUnique;
        loop {
            if self.is_word("kind") {
                self.advance();
                self.expect_symbol("=")?;
                let (word, word_offset) = self.name("a join kind")?;
                kind = match word.as_str() {
                    "innerunique" => JoinKind::InnerUnique,
                    "inner" => JoinKind::Inner,
                    "leftouter" => JoinKind::LeftOuter,
                    "rightouter" => JoinKind::RightOuter,
                    // Kusto's twelve kinds: no `outer`, no `semi`.
                    "fullouter" => JoinKind::FullOuter,
                    "leftanti" | "anti" | "leftantisemi" => JoinKind::LeftAnti,
                    "rightanti" | "rightantisemi" => JoinKind::RightAnti,
                    "leftsemi" => JoinKind::LeftSemi,
                    "rightsemi" => JoinKind::RightSemi,
                    _ => {
                        return Err(Fault::new(
                            word_offset,
                            "a join kind (inner, leftouter, leftanti, ...)",
                        ));
                    }
                };
            } else if self.is_word("hint") {
                self.skip_hints()?;
            } else {
                break;
            }
        }
        let (right, on) = self.join_right_and_keys()?;
        Ok(OperatorKind::Join { kind, right, on })
    }

    /// `lookup [kind=leftouter|inner] (right) on keys`.
    pub(super) fn lookup(&mut self) -> Result<OperatorKind, Fault> {
        let mut outer = true;
        if self.eat_word("kind") {
            self.expect_symbol("=")?;
            let (word, word_offset) = self.name("a lookup kind")?;
            outer = match word.as_str() {
                "leftouter" => true,
                "inner" => false,
                _ => return Err(Fault::new(word_offset, "`leftouter` or `inner`")),
            };
        }
        let (right, on) = self.join_right_and_keys()?;
        Ok(OperatorKind::Lookup { outer, right, on })
    }

    /// The right side of a `join` or `lookup` and its `on` keys.
    fn join_right_and_keys(&mut self) -> Result<(Pipeline, Vec<JoinKey>), Fault> {
        let right = if self.eat_symbol("(") {
            let right = self.pipeline()?;
            self.expect_symbol(")")?;
            right
        } else {
            let (name, offset) = self.name("the right side")?;
            // A tabular `let` function called in place: `join kind=leftanti f(ago(7d)) on x`.
            let source = if self.eat_symbol("(") {
                Source::Call { name, args: self.arguments()?, offset }
            } else {
                Source::Table { name, offset }
            };
            Pipeline { source, operators: vec![] }
        };
        self.expect_word("on")?;
        let mut on = Vec::new();
        loop {
            on.push(self.join_key()?);
            if !(self.eat_symbol(",") || self.eat_word("and")) {
                break;
            }
        }
        Ok((right, on))
    }

    pub(super) fn join_key(&mut self) -> Result<JoinKey, Fault> {
        let offset = self.offset();
        if self.is_word("$left") || self.is_word("$right") {
            let (first_side, first) = self.side_column()?;
            self.expect_symbol("==")?;
            let (second_side, second) = self.side_column()?;
            return match (first_side.as_str(), second_side.as_str()) {
                ("$left", "$right") => Ok(JoinKey { left: first, right: second, offset }),
                // Kusto's own analyser wants `$left` first; the other way round is refused.
                _ => Err(Fault::new(offset, "`$left.<column> == $right.<column>`")),
            };
        }
        let (name, _) = self.column_name("a join key column")?;
        Ok(JoinKey { left: name.clone(), right: name, offset })
    }

    pub(super) fn side_column(&mut self) -> Result<(String, String), Fault> {
        let (side, _) = self.name("`$left` or `$right`")?;
        self.expect_symbol(".")?;
        let (column, _) = self.column_name("a column name")?;
        Ok((side, column))
    }

    pub(super) fn mv_expand(&mut self, legacy: bool) -> Result<OperatorKind, Fault> {
        let mut item_index = None;
        loop {
            if matches!(self.peek(), TokenKind::Name(n) if n == "bagexpansion" || n == "kind") {
                return Err(Fault::refuse(
                    self.offset(),
                    "mv-expand's bagexpansion and kind options are not supported",
                ));
            }
            if !self.eat_word("with_itemindex") {
                break;
            }
            self.expect_symbol("=")?;
            let offset = self.offset();
            item_index = Some((self.column_name("a column name for the item index")?.0, offset));
        }
        let mut columns = Vec::new();
        let mut types = Vec::new();
        loop {
            columns.extend(self.assignment_list(false)?);
            types.push(if self.eat_word("to") {
                self.expect_word("typeof")?;
                self.expect_symbol("(")?;
                let kind = self.name("a type")?;
                self.expect_symbol(")")?;
                Some(kind)
            } else {
                None
            });
            if !self.eat_symbol(",") {
                break;
            }
        }
        let offset = self.offset();
        let limit = if self.eat_word("limit") {
            match self.advance().kind {
                TokenKind::Long(n) => Some(n),
                _ => return Err(Fault::new(offset, "an integer after `limit`")),
            }
        } else if legacy {
            Some(128)
        } else {
            None
        };
        Ok(OperatorKind::MvExpand { columns, types, limit, item_index })
    }

    /// `parse [kind=simple|regex] expr with [*] "text" column[:type] ...`.
    /// `parse-kv text as (key[:type], ...) with (name = 'value', ...)`, in the form with both
    /// delimiters given.
    pub(super) fn parse_kv(&mut self) -> Result<OperatorKind, Fault> {
        let start = self.offset();
        let source = self.expr()?;
        self.expect_word("as")?;
        self.expect_symbol("(")?;
        let mut keys = Vec::new();
        loop {
            let (name, offset) = self.column_name("a key")?;
            let kind =
                if self.eat_symbol(":") { Some(self.name("a column type")?.0) } else { None };
            keys.push(KvKey { name, kind, offset });
            if !self.eat_symbol(",") {
                break;
            }
        }
        self.expect_symbol(")")?;
        let (mut pair_delimiter, mut kv_delimiter, mut quote) = (None, None, String::new());
        if self.eat_word("with") {
            self.expect_symbol("(")?;
            loop {
                let (option, option_offset) = self.name("a parse-kv option")?;
                self.expect_symbol("=")?;
                let value_offset = self.offset();
                let TokenKind::Str(value) = self.peek().clone() else {
                    return Err(Fault::refuse(
                        value_offset,
                        &format!("parse-kv {option}= needs a string"),
                    ));
                };
                self.advance();
                match option.as_str() {
                    "pair_delimiter" => pair_delimiter = Some(value),
                    "kv_delimiter" => kv_delimiter = Some(value),
                    // Each `quote=` adds a pair of open and close characters: one character
                    // opens and closes, two are an opening and a closing one (`'()'`).
                    "quote" => {
                        let chars: Vec<char> = value.chars().collect();
                        match chars.as_slice() {
                            [both] => quote.extend([*both, *both]),
                            [open, close] => quote.extend([*open, *close]),
                            _ => {
                                return Err(Fault::refuse(
                                    value_offset,
                                    "parse-kv quote= takes one character or an opening and a \
                                     closing one",
                                ));
                            }
                        }
                    }
                    _ => {
                        return Err(Fault::refuse(
                            option_offset,
                            &format!("parse-kv {option}= is not supported"),
                        ));
                    }
                }
                if !self.eat_symbol(",") {
                    break;
                }
            }
            self.expect_symbol(")")?;
        }
        let (Some(pair_delimiter), Some(kv_delimiter)) = (pair_delimiter, kv_delimiter) else {
            return Err(Fault::refuse(
                start,
                "parse-kv is supported with both pair_delimiter= and kv_delimiter= given",
            ));
        };
        if pair_delimiter.is_empty() || kv_delimiter.is_empty() {
            return Err(Fault::new(start, "non-empty delimiters"));
        }
        Ok(OperatorKind::ParseKv { source, keys, pair_delimiter, kv_delimiter, quote })
    }

    pub(super) fn parse_operator(&mut self, filter: bool) -> Result<OperatorKind, Fault> {
        let mut regex = false;
        while self.is_word("kind") || self.is_word("flags") {
            let (option, option_offset) = self.name("a parse option")?;
            self.expect_symbol("=")?;
            if option == "flags" {
                return Err(Fault::refuse(option_offset, "parse flags= is not supported"));
            }
            let (kind, kind_offset) = self.name("a parse kind")?;
            regex = match kind.as_str() {
                "simple" => false,
                "regex" => true,
                "relaxed" => {
                    return Err(Fault::refuse(kind_offset, "parse kind=relaxed is not supported"));
                }
                _ => return Err(Fault::new(kind_offset, "`simple`, `regex` or `relaxed`")),
            };
        }
        let source = self.expr()?;
        self.expect_word("with")?;
        let mut pattern = Vec::new();
        loop {
            match self.peek().clone() {
                TokenKind::Symbol("*") => {
                    self.advance();
                    pattern.push(ParsePart::Skip);
                }
                TokenKind::Str(text) => {
                    self.advance();
                    pattern.push(ParsePart::Text(text));
                }
                TokenKind::Name(_) | TokenKind::QuotedName(_) => {
                    let (name, offset) = self.column_name("a column name")?;
                    let kind = if self.eat_symbol(":") {
                        Some(self.name("a column type")?.0)
                    } else {
                        None
                    };
                    pattern.push(ParsePart::Column { name, kind, offset });
                }
                TokenKind::End | TokenKind::Symbol("|" | ")" | ";") if !pattern.is_empty() => {
                    return Ok(OperatorKind::Parse { regex, filter, source, pattern });
                }
                _ => return Err(self.expected("`*`, a string or a column in the parse pattern")),
            }
        }
    }

    /// `search [kind=case_sensitive] predicate`, where `Column:"term"` is the term matched in
    /// that column (rewritten here to the string predicate it stands for).
    pub(super) fn search(&mut self) -> Result<OperatorKind, Fault> {
        let mut case_sensitive = false;
        if self.eat_word("kind") {
            self.expect_symbol("=")?;
            let (kind, kind_offset) = self.name("`case_sensitive` or `case_insensitive`")?;
            case_sensitive = match kind.as_str() {
                "case_sensitive" => true,
                "case_insensitive" => false,
                _ => {
                    return Err(Fault::new(kind_offset, "`case_sensitive` or `case_insensitive`"));
                }
            };
        }
        if self.is_word("in") && matches!(self.peek_at(1), TokenKind::Symbol("(")) {
            return Err(Fault::refuse(self.offset(), "search in (tables) is not supported"));
        }
        let mut level = 0usize;
        let mut i = self.pos;
        while i < self.tokens.len() {
            match &self.tokens[i].kind {
                TokenKind::Symbol("(" | "[") => level += 1,
                TokenKind::Symbol(")" | "]") if level == 0 => break,
                TokenKind::Symbol(")" | "]") => level -= 1,
                TokenKind::Symbol("|") if level == 0 => break,
                TokenKind::End => break,
                TokenKind::Symbol(":")
                    if i > self.pos
                        && matches!(
                            self.tokens[i - 1].kind,
                            TokenKind::Name(_) | TokenKind::QuotedName(_)
                        ) =>
                {
                    if let Some(TokenKind::Str(term)) =
                        self.tokens.get(i + 1).map(|t| t.kind.clone())
                    {
                        let (op, core) = search_term(&term, case_sensitive).ok_or_else(|| {
                            Fault::refuse(
                                self.tokens[i + 1].offset,
                                &format!("the search term `{term}` is not supported"),
                            )
                        })?;
                        let word = match op {
                            TextOp::Has => "has",
                            TextOp::HasCs => "has_cs",
                            TextOp::HasPrefix => "hasprefix",
                            TextOp::HasSuffix => "hassuffix",
                            TextOp::ContainsCs => "contains_cs",
                            _ => "contains",
                        };
                        self.tokens[i].kind = TokenKind::Name(word.to_string());
                        self.tokens[i + 1].kind = TokenKind::Str(core);
                    }
                }
                _ => {}
            }
            i += 1;
        }
        let predicate = self.expr()?;
        Ok(OperatorKind::Search { case_sensitive, predicate })
    }

    /// `make-series [Name =] Aggregate [default = Value], ... on Axis from A to B step S
    /// [by Groups]` (or `in range(A, B, S)`).
    pub(super) fn make_series(&mut self) -> Result<OperatorKind, Fault> {
        if self.is_word("kind") || self.is_word("hint") {
            return Err(Fault::refuse(self.offset(), "make-series options are not supported"));
        }
        let mut aggregates = Vec::new();
        loop {
            let assignment = self.assignment_list(false)?.remove(0);
            let default = if self.eat_word("default") {
                self.expect_symbol("=")?;
                Some(self.expr()?)
            } else {
                None
            };
            aggregates.push((assignment, default));
            if !self.eat_symbol(",") {
                break;
            }
        }
        self.expect_word("on")?;
        let axis = self.expr()?;
        let (mut from, mut to) = (None, None);
        let step;
        if self.eat_word("in") {
            self.expect_word("range")?;
            self.expect_symbol("(")?;
            from = Some(self.expr()?);
            self.expect_symbol(",")?;
            to = Some(self.expr()?);
            self.expect_symbol(",")?;
            step = self.expr()?;
            self.expect_symbol(")")?;
        } else {
            if self.eat_word("from") {
                from = Some(self.expr()?);
            }
            if self.eat_word("to") {
                to = Some(self.expr()?);
            }
            self.expect_word("step")?;
            step = self.expr()?;
        }
        let by = if self.eat_word("by") { self.assignments()? } else { vec![] };
        Ok(OperatorKind::MakeSeries(Box::new(MakeSeries { aggregates, axis, from, to, step, by })))
    }

    pub(super) fn sort_keys(&mut self) -> Result<Vec<SortKey>, Fault> {
        let mut keys = Vec::new();
        loop {
            let expr = self.expr()?;
            let descending = if self.eat_word("asc") {
                false
            } else {
                self.eat_word("desc");
                true
            };
            let nulls_first = if self.eat_word("nulls") {
                if self.eat_word("first") {
                    Some(true)
                } else {
                    self.expect_word("last")?;
                    Some(false)
                }
            } else {
                None
            };
            keys.push(SortKey { expr, descending, nulls_first });
            if !self.eat_symbol(",") {
                return Ok(keys);
            }
        }
    }

    /// The levels of `top-nested`, each `[N] of [Name =] key by [Name =] aggregate [asc|desc]`,
    /// joined by `, top-nested`.
    pub(super) fn top_nested(&mut self) -> Result<OperatorKind, Fault> {
        let mut levels = Vec::new();
        loop {
            let count = if self.is_word("of") { None } else { Some(self.expr()?) };
            self.expect_word("of")?;
            let key = self.assignment_list(false)?.remove(0);
            if self.is_word("with") {
                return Err(Fault::refuse(
                    self.offset(),
                    "top-nested with others= is not supported",
                ));
            }
            self.expect_word("by")?;
            let aggregate = self.assignment_list(false)?.remove(0);
            let ascending = if self.eat_word("asc") {
                true
            } else {
                self.eat_word("desc");
                false
            };
            levels.push(TopNestedLevel { count, key, aggregate, ascending });
            if !self.is_symbol(",") {
                return Ok(OperatorKind::TopNested(levels));
            }
            self.advance();
            self.expect_word("top-nested")?;
        }
    }

    pub(super) fn assignments(&mut self) -> Result<Vec<Assignment>, Fault> {
        self.assignment_list(true)
    }

    /// Assignments separated by commas, or (`several` false) just one.
    fn assignment_list(&mut self, several: bool) -> Result<Vec<Assignment>, Fault> {
        let mut list = Vec::new();
        loop {
            let named = matches!(self.peek(), TokenKind::Name(_) | TokenKind::QuotedName(_))
                && matches!(self.peek_at(1), TokenKind::Symbol("="));
            if self.is_symbol("(") && matches!(self.peek_at(1), TokenKind::Name(_)) {
                let save = self.pos;
                self.advance();
                self.advance();
                let is_tuple = self.is_symbol(",");
                self.pos = save;
                if is_tuple {
                    return Err(Fault::refuse(
                        self.offset(),
                        "assigning to several names at once is not supported",
                    ));
                }
            }
            let name = if named {
                let bare = matches!(self.peek(), TokenKind::Name(_));
                let (n, at) = self.column_name("a column name")?;
                if bare && matches!(n.as_str(), "null" | "not") {
                    // Kusto lets these stand as names; lakehunt reads them as the null literal
                    // and the negation, so a column of that name must be bracketed.
                    return Err(keywords::reserved_name(&n, at));
                }
                self.advance();
                Some(n)
            } else {
                None
            };
            list.push(Assignment { name, expr: self.expr()? });
            if !several || !self.eat_symbol(",") {
                return Ok(list);
            }
        }
    }

    pub(super) fn name_patterns(&mut self) -> Result<Vec<NamePattern>, Fault> {
        let mut list = Vec::new();
        loop {
            let offset = self.offset();
            let mut pattern = String::new();
            if self.eat_symbol("*") {
                pattern.push('*');
            }
            if matches!(self.peek(), TokenKind::Name(_) | TokenKind::QuotedName(_)) {
                pattern.push_str(&self.column_name("a column name")?.0);
            }
            if self.offset() == self.previous_end() && self.eat_symbol("*") {
                pattern.push('*');
            }
            if pattern.is_empty() {
                return Err(self.expected("a column name"));
            }
            list.push(NamePattern { pattern, offset });
            if !self.eat_symbol(",") {
                return Ok(list);
            }
        }
    }

    pub(super) fn renames(&mut self) -> Result<Vec<(String, String, usize)>, Fault> {
        let mut list = Vec::new();
        loop {
            let (new, _) = self.column_name("the new column name")?;
            self.expect_symbol("=")?;
            let (old, offset) = self.column_name("the column to rename")?;
            list.push((new, old, offset));
            if !self.eat_symbol(",") {
                return Ok(list);
            }
        }
    }
}
