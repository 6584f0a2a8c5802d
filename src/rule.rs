//! Where a rule comes from and what it says about itself. Built-in rules are the SQL files
//! under `sql/`, compiled into the binary; a user's rule is a `.sql` file. Either may open
//! with a header of `-- key: value` lines (id, name, description, source, tables).

use std::path::{Path, PathBuf};

use crate::error::{Error, Result};

/// The rule a bare `lakehunt run` hunts with.
pub const DEFAULT_RULE: &str = "device-logons-from-unknown-ips";

/// Built-in rules: (file stem, SQL text).
const BUILT_IN: &[(&str, &str)] = &[
    ("device_logons_from_unknown_ips", include_str!("../sql/device_logons_from_unknown_ips.sql")),
    (
        "device_logons_from_unknown_ips_as_commented",
        include_str!("../sql/device_logons_from_unknown_ips_as_commented.sql"),
    ),
];

/// A hunting rule as SQL, with what its header says about it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rule {
    /// The short name users type: `device-logons-from-unknown-ips`, or the file's path.
    pub slug: String,
    /// The rule's id (Sentinel's GUID for Sentinel rules), if the header gives one.
    pub id: Option<String>,
    /// The rule's display name.
    pub name: String,
    /// What the rule finds.
    pub description: String,
    /// The tables the header says the rule reads; the engine finds the real list in the SQL.
    pub tables: Vec<String>,
    /// The SQL the rule runs.
    pub sql: String,
    /// The file the rule came from, for rules that are not built in.
    pub path: Option<PathBuf>,
}

impl Rule {
    /// Reads a rule from SQL text and its header.
    pub fn from_sql(slug: &str, sql: &str, path: Option<PathBuf>) -> Rule {
        let header = Header::parse(sql);
        Rule {
            slug: slug.to_string(),
            id: header.get("id"),
            name: header.get("name").unwrap_or_else(|| slug.to_string()),
            description: header.get("description").unwrap_or_default(),
            tables: header
                .get("tables")
                .map(|t| {
                    t.split(',').map(|s| s.trim().to_string()).filter(|s| !s.is_empty()).collect()
                })
                .unwrap_or_default(),
            sql: sql.to_string(),
            path,
        }
    }

    /// Finds a rule by built-in name or by the path of a `.sql` file.
    pub fn resolve(name_or_path: &str) -> Result<Rule> {
        if let Some(rule) = built_in().into_iter().find(|r| r.slug == name_or_path) {
            return Ok(rule);
        }
        let path = Path::new(name_or_path);
        let is_sql = path.extension().is_some_and(|e| e.eq_ignore_ascii_case("sql"));
        if !is_sql {
            let known: Vec<String> = built_in().into_iter().map(|r| r.slug).collect();
            return Err(Error::UnknownRule { name: name_or_path.into(), known: known.join(", ") });
        }
        let sql = std::fs::read_to_string(path)
            .map_err(|error| Error::RuleFile { path: path.to_path_buf(), error })?;
        Ok(Rule::from_sql(name_or_path, &sql, Some(path.to_path_buf())))
    }
}

/// The built-in rules, in a stable order.
pub fn built_in() -> Vec<Rule> {
    BUILT_IN.iter().map(|(stem, sql)| Rule::from_sql(&stem.replace('_', "-"), sql, None)).collect()
}

/// The `-- key: value` lines at the top of a SQL file; an indented `--` line continues the
/// value above it.
struct Header {
    entries: Vec<(String, String)>,
}

impl Header {
    fn parse(sql: &str) -> Header {
        let mut entries: Vec<(String, String)> = Vec::new();
        for line in sql.lines() {
            let Some(comment) = line.trim_start().strip_prefix("--") else {
                break;
            };
            let continues = comment.starts_with("   ") && !comment.trim().is_empty();
            match (continues, entries.last_mut()) {
                (true, Some((_, value))) => {
                    value.push(' ');
                    value.push_str(comment.trim());
                }
                _ => {
                    let Some((key, value)) = comment.trim().split_once(':') else {
                        continue;
                    };
                    if key.contains(' ') {
                        continue;
                    }
                    entries.push((key.trim().to_ascii_lowercase(), value.trim().to_string()));
                }
            }
        }
        Header { entries }
    }

    fn get(&self, key: &str) -> Option<String> {
        self.entries.iter().find(|(k, _)| k == key).map(|(_, v)| v.clone())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_seed_rule_is_built_in_with_its_sentinel_id_and_tables() {
        let rule = Rule::resolve(DEFAULT_RULE).unwrap();
        assert_eq!(rule.id.as_deref(), Some("a6d76204-efb2-4ccd-a068-d5a9e6876236"));
        assert_eq!(rule.name, "Device Logons from Unknown IPs");
        assert_eq!(rule.tables, ["DeviceLogonEvents", "DeviceNetworkInfo", "IdentityLogonEvents"]);
        assert!(rule.description.contains("summarised per account and IP"));
    }

    #[test]
    fn an_unknown_name_lists_the_built_in_rules() {
        let err = Rule::resolve("no-such-rule").unwrap_err().to_string();
        assert!(err.contains("no-such-rule") && err.contains(DEFAULT_RULE), "{err}");
    }

    #[test]
    fn a_missing_sql_file_names_the_path() {
        let err = Rule::resolve("/nonexistent/hunt.sql").unwrap_err().to_string();
        assert!(err.contains("/nonexistent/hunt.sql"), "{err}");
    }

    #[test]
    fn a_file_without_a_header_is_named_after_itself() {
        let rule = Rule::from_sql("mine.sql", "SELECT 1", None);
        assert_eq!(rule.name, "mine.sql");
        assert!(rule.tables.is_empty());
    }
}
