//! The words Kusto reserves. A column, table or `let` name spelled as one of them must be
//! bracketed (`['where']`); written bare, Kusto rejects the query, so lakehunt does too rather
//! than answer a query Kusto would not run. Kusto also has keywords that may stand as names
//! (`count`, `range`, `kind`, `from`, `bin`, `typeof`, `bool`, `guid`...); they are not here.
//! The list follows the keyword table of Kusto's own parser, case-sensitively as Kusto reads
//! it (`Where` is a name), less `order`, which Kusto's engine answered a query naming a column.

use super::Fault;

/// Kusto's keywords that cannot be names, in alphabetical order.
const RESERVED: &[&str] = &[
    "accumulate",
    "alias",
    "and",
    "as",
    "asc",
    "bagexpansion",
    "between",
    "bin_legacy",
    "boolean",
    "by",
    "byte",
    "cachingpolicy",
    "callout",
    "cancel",
    "char",
    "characters",
    "consume",
    "contains",
    "contains_cs",
    "containscs",
    "datascope",
    "datatable",
    "date",
    "datetime",
    "decimal",
    "declare",
    "desc",
    "distinct",
    "double",
    "dynamic",
    "earliest",
    "endswith",
    "endswith_cs",
    "expandoutput",
    "extend",
    "external",
    "external_data",
    "externaldata",
    "false",
    "filter",
    "find",
    "first",
    "flags",
    "float",
    "getschema",
    "has",
    "has_all",
    "has_any",
    "has_cs",
    "hasprefix",
    "hasprefix_cs",
    "hassuffix",
    "hassuffix_cs",
    "in",
    "int",
    "int16",
    "int32",
    "int64",
    "int8",
    "invoke",
    "join",
    "journal",
    "last",
    "latest",
    "let",
    "like",
    "likecs",
    "limit",
    "long",
    "materialize",
    "mdm",
    "missing",
    "mvapply",
    "mvexpand",
    "notcontains",
    "notcontainscs",
    "notlike",
    "notlikecs",
    "of",
    "on",
    "or",
    "parse",
    "partitioning",
    "print",
    "project",
    "real",
    "rebalance",
    "regex",
    "relaxed",
    "reset",
    "restrict",
    "rowstore",
    "rowstorepolicy",
    "rowstores",
    "run",
    "sample",
    "sandbox",
    "sandboxes",
    "seal",
    "search",
    "serialize",
    "servicepoints",
    "set",
    "sharding",
    "simple",
    "single",
    "softdelete",
    "sort",
    "sql",
    "startswith",
    "startswith_cs",
    "string",
    "summarize",
    "tablepurge",
    "take",
    "threadpools",
    "throw",
    "time",
    "timespan",
    "to",
    "top",
    "toscalar",
    "totable",
    "true",
    "uint",
    "uint16",
    "uint32",
    "uint64",
    "uint8",
    "ulong",
    "union",
    "uniqueid",
    "verbose",
    "viewers",
    "where",
    "with",
];

/// Reserved words that open a parenthesis in Kusto: typed literals (`int(5)`, `datetime(...)`)
/// and the calls that take a query (`toscalar`, `materialize`).
const CALLED: &[&str] = &[
    "boolean",
    "date",
    "datetime",
    "decimal",
    "double",
    "dynamic",
    "float",
    "int",
    "int16",
    "int32",
    "int64",
    "int8",
    "long",
    "materialize",
    "real",
    "string",
    "time",
    "timespan",
    "toscalar",
    "uint",
    "uint16",
    "uint32",
    "uint64",
    "uint8",
    "ulong",
];

/// Whether `word(...)` may be written although `word` is reserved.
pub(crate) fn can_be_called(word: &str) -> bool {
    CALLED.binary_search(&word).is_ok()
}

/// Whether Kusto reserves `word`, so that it cannot stand bare as a name.
pub(crate) fn is_reserved(word: &str) -> bool {
    RESERVED.binary_search(&word).is_ok()
}

/// The fault for a reserved word written bare where a name belongs, at `offset`.
pub(crate) fn reserved_name(word: &str, offset: usize) -> Fault {
    Fault::refuse(
        offset,
        &format!(
            "`{word}` is a Kusto keyword, not a name or a function (Kusto rejects it too); \
             a column of that name is written ['{word}']"
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_list_is_sorted_so_lookups_find_every_word() {
        assert!(RESERVED.windows(2).all(|pair| pair[0] < pair[1]));
        assert!(RESERVED.iter().all(|word| is_reserved(word)));
    }

    #[test]
    fn the_called_words_are_sorted_and_reserved() {
        assert!(CALLED.windows(2).all(|pair| pair[0] < pair[1]));
        assert!(CALLED.iter().all(|word| is_reserved(word) && can_be_called(word)));
    }

    #[test]
    fn keywords_that_kusto_lets_stand_as_names_are_not_reserved() {
        for word in ["count", "range", "kind", "from", "bin", "typeof", "bool", "guid", "Where"] {
            assert!(!is_reserved(word), "{word}");
        }
    }
}
