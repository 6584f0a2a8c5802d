//! A recursive-descent parser from tokens to the [`ast`](super::ast). Nesting is counted, and a
//! query nested deeper than [`MAX_DEPTH`] is an error rather than a stack overflow. Operators
//! and constructs lakehunt does not translate are refused here, by name and position.

use super::Fault;
use super::ast::*;
use super::keywords;
use super::lexer::{Token, TokenKind, tokenize};

/// How deeply expressions and pipelines may nest.
pub const MAX_DEPTH: usize = 64;

/// Parses a whole query.
pub fn parse(text: &str) -> Result<Query, Fault> {
    let tokens = tokenize(text)?;
    let mut parser = Parser { tokens, pos: 0, depth: 0 };
    parser.query()
}

/// Parses one scalar expression, for the tests of what is derived from expressions.
#[cfg(test)]
pub(crate) fn parse_expression(text: &str) -> Result<Expr, Fault> {
    let tokens = tokenize(text)?;
    let mut parser = Parser { tokens, pos: 0, depth: 0 };
    parser.expr()
}

/// Tabular operators Kusto has that lakehunt refuses, so their message can say so.
const KNOWN_UNSUPPORTED: &[&str] = &[
    "evaluate",
    "render",
    "find",
    "invoke",
    "scan",
    "partition",
    "fork",
    "facet",
    "sample",
    "sample-distinct",
    "top-hitters",
    "getschema",
    "externaldata",
    "project-keep",
    "reduce",
    "consume",
];

pub(super) struct Parser {
    pub(super) tokens: Vec<Token>,
    pub(super) pos: usize,
    depth: usize,
}

impl Parser {
    pub(super) fn peek(&self) -> &TokenKind {
        &self.tokens[self.pos.min(self.tokens.len() - 1)].kind
    }

    pub(super) fn peek_at(&self, ahead: usize) -> &TokenKind {
        &self.tokens[(self.pos + ahead).min(self.tokens.len() - 1)].kind
    }

    pub(super) fn offset(&self) -> usize {
        self.tokens[self.pos.min(self.tokens.len() - 1)].offset
    }

    pub(super) fn previous_end(&self) -> usize {
        self.pos.checked_sub(1).map_or(0, |p| self.tokens[p].end)
    }

    pub(super) fn advance(&mut self) -> Token {
        let token = self.tokens[self.pos.min(self.tokens.len() - 1)].clone();
        if self.pos < self.tokens.len() - 1 {
            self.pos += 1;
        }
        token
    }

    pub(super) fn is_symbol(&self, symbol: &str) -> bool {
        matches!(self.peek(), TokenKind::Symbol(s) if *s == symbol)
    }

    pub(super) fn is_word(&self, word: &str) -> bool {
        matches!(self.peek(), TokenKind::Name(n) if n == word)
    }

    pub(super) fn eat_symbol(&mut self, symbol: &str) -> bool {
        let found = self.is_symbol(symbol);
        if found {
            self.advance();
        }
        found
    }

    pub(super) fn eat_word(&mut self, word: &str) -> bool {
        let found = self.is_word(word);
        if found {
            self.advance();
        }
        found
    }

    pub(super) fn expect_symbol(&mut self, symbol: &str) -> Result<(), Fault> {
        if self.eat_symbol(symbol) { Ok(()) } else { Err(self.expected(&format!("`{symbol}`"))) }
    }

    pub(super) fn expect_word(&mut self, word: &str) -> Result<(), Fault> {
        if self.eat_word(word) { Ok(()) } else { Err(self.expected(&format!("`{word}`"))) }
    }

    pub(super) fn expected(&self, what: &str) -> Fault {
        let found = match self.peek() {
            TokenKind::End => "the end of the query".to_string(),
            TokenKind::Name(n) => format!("`{n}`"),
            TokenKind::Symbol(s) => format!("`{s}`"),
            TokenKind::Str(_) => "a string".to_string(),
            _ => "a literal".to_string(),
        };
        Fault::new(self.offset(), &format!("{what}, found {found}"))
    }

    /// A name, or a bracketed `['name']`.
    pub(super) fn name(&mut self, what: &str) -> Result<(String, usize), Fault> {
        let offset = self.offset();
        match self.peek().clone() {
            TokenKind::Name(n) | TokenKind::QuotedName(n) => {
                self.advance();
                Ok((n, offset))
            }
            _ => Err(self.expected(what)),
        }
    }

    /// A name a query declares or refers to (a column, table, `let` or parameter): as
    /// [`Self::name`], refusing a bare word that Kusto reserves.
    pub(super) fn column_name(&mut self, what: &str) -> Result<(String, usize), Fault> {
        let bare = matches!(self.peek(), TokenKind::Name(_));
        let (name, offset) = self.name(what)?;
        if bare && keywords::is_reserved(&name) {
            return Err(keywords::reserved_name(&name, offset));
        }
        Ok((name, offset))
    }

    pub(super) fn enter(&mut self) -> Result<(), Fault> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(Fault::refuse(
                self.offset(),
                &format!("the query nests deeper than {MAX_DEPTH} levels"),
            ));
        }
        Ok(())
    }

    pub(super) fn leave(&mut self) {
        self.depth -= 1;
    }

    fn query(&mut self) -> Result<Query, Fault> {
        let mut lets = Vec::new();
        loop {
            while self.eat_symbol(";") {}
            if !self.is_word("let") {
                break;
            }
            self.advance();
            lets.push(self.let_statement()?);
            if !self.eat_symbol(";") {
                return Err(self.expected("`;` after the let statement"));
            }
        }
        let body = self.pipeline()?;
        while self.eat_symbol(";") {}
        if !matches!(self.peek(), TokenKind::End) {
            return Err(self.expected("`|` or the end of the query"));
        }
        Ok(Query { lets, body })
    }

    fn let_statement(&mut self) -> Result<Let, Fault> {
        let (name, offset) = self.column_name("a name after `let`")?;
        self.expect_symbol("=")?;
        if self.is_function_definition() {
            return self.function_definition(name, offset);
        }
        let value = self.pipeline_or_scalar()?;
        Ok(Let { name, offset, value })
    }

    /// `(` followed by `)` `{` or by `name :`: a function's parameter list.
    fn is_function_definition(&self) -> bool {
        self.is_symbol("(")
            && (matches!(self.peek_at(1), TokenKind::Symbol(")"))
                && matches!(self.peek_at(2), TokenKind::Symbol("{"))
                || matches!(self.peek_at(1), TokenKind::Name(_))
                    && matches!(self.peek_at(2), TokenKind::Symbol(":")))
    }

    fn function_definition(&mut self, name: String, offset: usize) -> Result<Let, Fault> {
        self.expect_symbol("(")?;
        let mut params = Vec::new();
        while !self.is_symbol(")") {
            let (param, param_offset) = self.column_name("a parameter name")?;
            self.expect_symbol(":")?;
            if self.is_symbol("(") {
                return Err(Fault::refuse(
                    param_offset,
                    "tabular function parameters are not supported",
                ));
            }
            let (kind, _) = self.name("a parameter type")?;
            if self.is_symbol("=") {
                return Err(Fault::refuse(
                    self.offset(),
                    "default parameter values are not supported",
                ));
            }
            params.push((param, kind));
            if !self.eat_symbol(",") {
                break;
            }
        }
        self.expect_symbol(")")?;
        self.expect_symbol("{")?;
        let mut inner_lets = Vec::new();
        while self.eat_word("let") {
            inner_lets.push(self.let_statement()?);
            self.expect_symbol(";")?;
        }
        if !inner_lets.is_empty() {
            return Err(Fault::refuse(
                offset,
                "let statements inside a function body are not supported",
            ));
        }
        let body = match self.pipeline_or_scalar()? {
            LetValue::Tabular(p) => FunctionBody::Tabular(p),
            LetValue::Scalar(e) => FunctionBody::Scalar(e),
            LetValue::Function { .. } => return Err(self.expected("a function body")),
        };
        while self.eat_symbol(";") {}
        self.expect_symbol("}")?;
        Ok(Let { name, offset, value: LetValue::Function { params, body } })
    }

    /// The value of a `let` or a function body: tabular if it starts like a pipeline source
    /// or is followed by `|`, scalar otherwise.
    fn pipeline_or_scalar(&mut self) -> Result<LetValue, Fault> {
        let tabular_start = matches!(self.peek(), TokenKind::Name(n)
            if matches!(n.as_str(), "datatable" | "union" | "print" | "materialize" | "range" | "view"));
        if tabular_start || self.is_symbol("(") && self.parenthesised_pipeline_ahead() {
            return Ok(LetValue::Tabular(self.pipeline()?));
        }
        let start = self.pos;
        let expr = self.expr()?;
        if !self.is_symbol("|") {
            return Ok(LetValue::Scalar(expr));
        }
        self.pos = start;
        Ok(LetValue::Tabular(self.pipeline()?))
    }

    /// True when a `(` opens a pipeline: a `|` appears inside it at its own level.
    fn parenthesised_pipeline_ahead(&self) -> bool {
        let mut level = 0usize;
        for token in &self.tokens[self.pos..] {
            match token.kind {
                TokenKind::Symbol("(" | "[" | "{") => level += 1,
                TokenKind::Symbol(")" | "]" | "}") => {
                    level = level.saturating_sub(1);
                    if level == 0 {
                        return false;
                    }
                }
                TokenKind::Symbol("|") if level == 1 => return true,
                TokenKind::End => return false,
                _ => {}
            }
        }
        false
    }

    pub(super) fn pipeline(&mut self) -> Result<Pipeline, Fault> {
        self.enter()?;
        let source = self.source()?;
        let mut operators = Vec::new();
        while self.eat_symbol("|") {
            operators.push(self.operator()?);
        }
        self.leave();
        Ok(Pipeline { source, operators })
    }

    fn source(&mut self) -> Result<Source, Fault> {
        let offset = self.offset();
        if self.eat_symbol("(") {
            let inner = self.pipeline()?;
            self.expect_symbol(")")?;
            return Ok(Source::Nested(Box::new(inner)));
        }
        let (name, _) = self.name("a table name")?;
        match name.as_str() {
            "datatable" => self.datatable(offset),
            "union" => {
                let (kind_outer, source_column, inputs) = self.union_inputs()?;
                Ok(Source::Union { kind_outer, inputs, source_column, offset })
            }
            "print" => Ok(Source::Print { columns: self.assignments()?, offset }),
            "materialize" => {
                self.expect_symbol("(")?;
                let inner = self.pipeline()?;
                self.expect_symbol(")")?;
                Ok(Source::Nested(Box::new(inner)))
            }
            "range" => self.range(offset),
            "externaldata" | "find" | "search" | "evaluate" | "view" => {
                Err(Fault::refuse(offset, &format!("the `{name}` source is not supported")))
            }
            _ if self.is_symbol("(") => {
                self.advance();
                let args = self.arguments()?;
                Ok(Source::Call { name, args, offset })
            }
            _ => Ok(Source::Table { name, offset }),
        }
    }

    /// `range x from 1 to 10 step 1`.
    fn range(&mut self, offset: usize) -> Result<Source, Fault> {
        let (column, _) = self.column_name("the column `range` makes")?;
        self.expect_word("from")?;
        let from = self.expr()?;
        self.expect_word("to")?;
        let to = self.expr()?;
        self.expect_word("step")?;
        let step = self.expr()?;
        Ok(Source::Range { column, from, to, step, offset })
    }

    fn datatable(&mut self, offset: usize) -> Result<Source, Fault> {
        self.expect_symbol("(")?;
        let mut columns = Vec::new();
        while !self.is_symbol(")") {
            let (column, _) = self.column_name("a column name")?;
            self.expect_symbol(":")?;
            let (kind, _) = self.name("a column type")?;
            columns.push((column, kind));
            if !self.eat_symbol(",") {
                break;
            }
        }
        self.expect_symbol(")")?;
        // `["x"]` lexes as a quoted name: a single string value.
        if let TokenKind::QuotedName(value) = self.peek().clone() {
            let value_offset = self.offset();
            self.advance();
            let values =
                vec![Expr { kind: ExprKind::Literal(Literal::Str(value)), offset: value_offset }];
            return Ok(Source::Datatable { columns, values, offset });
        }
        self.expect_symbol("[")?;
        let mut values = Vec::new();
        while !self.is_symbol("]") {
            values.push(self.expr()?);
            if !self.eat_symbol(",") {
                break;
            }
        }
        self.expect_symbol("]")?;
        Ok(Source::Datatable { columns, values, offset })
    }

    /// A union's options and inputs: whether it is `kind=outer`, the `withsource=` column,
    /// and the inputs.
    #[allow(clippy::type_complexity)]
    fn union_inputs(&mut self) -> Result<(bool, Option<String>, Vec<Pipeline>), Fault> {
        let mut kind_outer = true;
        let mut source_column = None;
        loop {
            if self.is_word("kind") {
                self.advance();
                self.expect_symbol("=")?;
                let (kind, kind_offset) = self.name("`inner` or `outer`")?;
                kind_outer = match kind.as_str() {
                    "outer" => true,
                    "inner" => false,
                    _ => return Err(Fault::new(kind_offset, "`inner` or `outer`")),
                };
            } else if self.is_word("withsource") {
                self.advance();
                self.expect_symbol("=")?;
                let (column, _) = self.column_name("the name of the source column")?;
                source_column = Some(column);
            } else if self.is_word("isfuzzy") {
                // Fuzzy or not, every input must exist: lakehunt's catalogue names each table,
                // and a lake that lacks one is an error that names it, never rows left out.
                self.advance();
                self.expect_symbol("=")?;
                let (value, value_offset) = self.name("`true` or `false`")?;
                if value != "true" && value != "false" {
                    return Err(Fault::new(value_offset, "`true` or `false`"));
                }
            } else {
                break;
            }
        }
        let mut inputs = Vec::new();
        loop {
            if self.eat_symbol("(") {
                inputs.push(self.pipeline()?);
                self.expect_symbol(")")?;
            } else {
                let (name, offset) = self.column_name("a table to union")?;
                if self.is_symbol("*") || name.contains('*') {
                    return Err(Fault::refuse(offset, "wildcard table names are not supported"));
                }
                inputs.push(Pipeline { source: Source::Table { name, offset }, operators: vec![] });
            }
            if !self.eat_symbol(",") {
                break;
            }
        }
        Ok((kind_outer, source_column, inputs))
    }

    fn operator(&mut self) -> Result<Operator, Fault> {
        let offset = self.offset();
        let (name, _) = self.name("an operator after `|`")?;
        let kind = match name.as_str() {
            "where" | "filter" => OperatorKind::Where(self.expr()?),
            "project" => OperatorKind::Project(self.assignments()?),
            "project-away" => OperatorKind::ProjectAway(self.name_patterns()?),
            "project-reorder" => OperatorKind::ProjectReorder(self.name_patterns()?),
            "project-rename" => OperatorKind::ProjectRename(self.renames()?),
            "extend" => OperatorKind::Extend(self.assignments()?),
            "summarize" => self.summarize()?,
            "distinct" => {
                if self.eat_symbol("*") {
                    OperatorKind::Distinct(vec![])
                } else {
                    OperatorKind::Distinct(self.expr_list()?)
                }
            }
            "join" => self.join()?,
            "lookup" => self.lookup()?,
            "union" => {
                let (kind_outer, source_column, inputs) = self.union_inputs()?;
                if source_column.is_some() {
                    return Err(Fault::refuse(
                        offset,
                        "union withsource= after a pipe is not supported: its input has no name",
                    ));
                }
                OperatorKind::Union { inputs, kind_outer }
            }
            "mv-expand" | "mvexpand" => self.mv_expand(name == "mvexpand")?,
            "sort" | "order" => {
                self.expect_word("by")?;
                OperatorKind::Sort(self.sort_keys()?)
            }
            "top" => {
                let count = self.expr()?;
                self.expect_word("by")?;
                let mut keys = self.sort_keys()?;
                if keys.len() != 1 {
                    return Err(Fault::refuse(
                        offset,
                        "top by more than one expression is not supported",
                    ));
                }
                OperatorKind::Top { count, by: keys.remove(0) }
            }
            "take" | "limit" => OperatorKind::Take(self.expr()?),
            "top-nested" => self.top_nested()?,
            "parse" | "parse-where" => self.parse_operator(name == "parse-where")?,
            "parse-kv" => self.parse_kv()?,
            "search" => self.search()?,
            "make-series" => self.make_series()?,
            "mv-apply" => {
                let OperatorKind::MvExpand { columns, types, limit, item_index } =
                    self.mv_expand(false)?
                else {
                    return Err(Fault::new(offset, "the values to apply to"));
                };
                if let Some((_, at)) = item_index {
                    return Err(Fault::refuse(at, "mv-apply with_itemindex is not supported"));
                }
                self.expect_word("on")?;
                self.expect_symbol("(")?;
                let mut operators = vec![self.operator()?];
                while self.eat_symbol("|") {
                    operators.push(self.operator()?);
                }
                self.expect_symbol(")")?;
                OperatorKind::MvApply { columns, types, limit, operators }
            }
            "serialize" => {
                if matches!(self.peek(), TokenKind::End | TokenKind::Symbol("|" | ")" | ";")) {
                    OperatorKind::Serialize(vec![])
                } else {
                    OperatorKind::Serialize(self.assignments()?)
                }
            }
            "count" => OperatorKind::Count,
            "as" => {
                if matches!(self.peek_at(1), TokenKind::Symbol("=")) {
                    return Err(Fault::refuse(self.offset(), "`as` options are not supported"));
                }
                OperatorKind::As(self.name("a name after `as`")?.0)
            }
            _ if KNOWN_UNSUPPORTED.contains(&name.as_str()) => {
                return Err(Fault::refuse(
                    offset,
                    &format!("the `{name}` operator is not supported"),
                ));
            }
            _ => return Err(Fault::new(offset, &format!("a tabular operator, found `{name}`"))),
        };
        Ok(Operator { kind, offset, end: self.previous_end() })
    }

    pub(super) fn expr_list(&mut self) -> Result<Vec<Expr>, Fault> {
        let mut list = vec![self.expr()?];
        while self.eat_symbol(",") {
            list.push(self.expr()?);
        }
        Ok(list)
    }

    /// Arguments after an opening `(`, through the closing `)`.
    pub(super) fn arguments(&mut self) -> Result<Vec<Expr>, Fault> {
        let mut args = Vec::new();
        while !self.is_symbol(")") {
            if self.is_symbol("*") && matches!(self.peek_at(1), TokenKind::Symbol(")" | ",")) {
                let offset = self.offset();
                self.advance();
                args.push(Expr { kind: ExprKind::Star, offset });
            } else {
                args.push(self.expr()?);
            }
            if !self.eat_symbol(",") {
                break;
            }
        }
        self.expect_symbol(")")?;
        Ok(args)
    }

    /// A scalar expression.
    pub(crate) fn expr(&mut self) -> Result<Expr, Fault> {
        self.enter()?;
        let expr = super::parser_expr::or(self);
        self.leave();
        expr
    }
}

/// The parts of [`Parser`] that [`super::parser_expr`] uses.
pub(crate) trait Cursor {
    fn peek(&self) -> &TokenKind;
    fn peek_at(&self, ahead: usize) -> &TokenKind;
    fn offset(&self) -> usize;
    fn previous_end(&self) -> usize;
    fn next_offset(&self) -> usize;
    fn advance(&mut self) -> Token;
    fn is_symbol(&self, symbol: &str) -> bool;
    fn is_word(&self, word: &str) -> bool;
    fn eat_symbol(&mut self, symbol: &str) -> bool;
    fn eat_word(&mut self, word: &str) -> bool;
    fn expect_symbol(&mut self, symbol: &str) -> Result<(), Fault>;
    fn expected(&self, what: &str) -> Fault;
    fn expr(&mut self) -> Result<Expr, Fault>;
    fn arguments(&mut self) -> Result<Vec<Expr>, Fault>;
    fn enter(&mut self) -> Result<(), Fault>;
    fn leave(&mut self);
    fn save(&self) -> usize;
    fn restore(&mut self, pos: usize);
    fn pipeline(&mut self) -> Result<Pipeline, Fault>;
}

impl Cursor for Parser {
    fn peek(&self) -> &TokenKind {
        Parser::peek(self)
    }
    fn peek_at(&self, ahead: usize) -> &TokenKind {
        Parser::peek_at(self, ahead)
    }
    fn offset(&self) -> usize {
        Parser::offset(self)
    }
    fn previous_end(&self) -> usize {
        Parser::previous_end(self)
    }
    fn next_offset(&self) -> usize {
        self.tokens[(self.pos + 1).min(self.tokens.len() - 1)].offset
    }
    fn advance(&mut self) -> Token {
        Parser::advance(self)
    }
    fn is_symbol(&self, symbol: &str) -> bool {
        Parser::is_symbol(self, symbol)
    }
    fn is_word(&self, word: &str) -> bool {
        Parser::is_word(self, word)
    }
    fn eat_symbol(&mut self, symbol: &str) -> bool {
        Parser::eat_symbol(self, symbol)
    }
    fn eat_word(&mut self, word: &str) -> bool {
        Parser::eat_word(self, word)
    }
    fn expect_symbol(&mut self, symbol: &str) -> Result<(), Fault> {
        Parser::expect_symbol(self, symbol)
    }
    fn expected(&self, what: &str) -> Fault {
        Parser::expected(self, what)
    }
    fn expr(&mut self) -> Result<Expr, Fault> {
        Parser::expr(self)
    }
    fn arguments(&mut self) -> Result<Vec<Expr>, Fault> {
        Parser::arguments(self)
    }
    fn enter(&mut self) -> Result<(), Fault> {
        Parser::enter(self)
    }
    fn leave(&mut self) {
        Parser::leave(self)
    }
    fn save(&self) -> usize {
        self.pos
    }
    fn restore(&mut self, pos: usize) {
        self.pos = pos;
    }
    fn pipeline(&mut self) -> Result<Pipeline, Fault> {
        Parser::pipeline(self)
    }
}
