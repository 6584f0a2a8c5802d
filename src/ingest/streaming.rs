//! Defender's Streaming API as JSON lines: blobs of Azure Storage (`PT1H.json`, one envelope
//! per line, CRLF) and Event Hub captures (one message per line, `{"records": [...]}` with
//! an envelope per record). An envelope is
//! `{"time", "tenantId", "operationName", "category": "AdvancedHunting-<Table>",
//! "properties": {<the row>}}`; the table comes from its category and the row from its
//! properties. This module splits a blob's bytes into complete lines and a line into
//! envelopes; typing the rows is [`super::row`]'s.

use serde_json::{Map, Value};

/// The prefix of an envelope's category before the table's name.
const CATEGORY_PREFIX: &str = "AdvancedHunting-";

/// One complete line of a blob: its text without the line ending, and where it starts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Line<'a> {
    pub text: &'a [u8],
    /// Offset of the line's first byte in the blob.
    pub offset: u64,
}

/// The complete lines of `bytes`, which start at `offset` in their blob, and the length of
/// the prefix they cover. A last line without its line feed is not complete: Defender is
/// still appending it, and it waits for a later run.
pub fn complete_lines(bytes: &[u8], offset: u64) -> (Vec<Line<'_>>, usize) {
    let mut lines = Vec::new();
    let mut start = 0;
    while let Some(end) = memchr::memchr(b'\n', &bytes[start..]) {
        let line_end = start + end;
        let text = &bytes[start..line_end];
        let text = text.strip_suffix(b"\r").unwrap_or(text);
        lines.push(Line { text, offset: offset + start as u64 });
        start = line_end + 1;
    }
    (lines, start)
}

/// One envelope of a line: the table its category names and the row.
#[derive(Debug)]
pub struct Envelope<'a> {
    /// The table named by the category, without the `AdvancedHunting-` prefix.
    pub table: &'a str,
    /// The row's columns.
    pub properties: &'a Map<String, Value>,
}

/// One envelope of a line as found: its position in an Event Hub message's `records` (none
/// for a Storage line), its JSON, and the envelope or why it cannot be read.
pub struct Found<'a> {
    pub record: Option<usize>,
    pub value: &'a Value,
    pub envelope: Result<Envelope<'a>, String>,
}

/// The envelopes of one parsed line: the line itself, or each of an Event Hub message's
/// records.
pub fn envelopes(line: &Value) -> Vec<Found<'_>> {
    match line.get("records") {
        Some(Value::Array(records)) => records
            .iter()
            .enumerate()
            .map(|(i, value)| Found { record: Some(i), value, envelope: envelope(value) })
            .collect(),
        Some(_) => vec![Found {
            record: None,
            value: line,
            envelope: Err("an Event Hub message whose records are not a JSON array".into()),
        }],
        None => vec![Found { record: None, value: line, envelope: envelope(line) }],
    }
}

fn envelope(value: &Value) -> Result<Envelope<'_>, String> {
    let category = value
        .get("category")
        .and_then(Value::as_str)
        .ok_or("not a Defender envelope: no text category")?;
    let table = category.strip_prefix(CATEGORY_PREFIX).ok_or_else(|| {
        format!("category {category:?} is not an advanced-hunting table ({CATEGORY_PREFIX}<Table>)")
    })?;
    let properties = value
        .get("properties")
        .and_then(Value::as_object)
        .ok_or("not a Defender envelope: properties is not a JSON object")?;
    Ok(Envelope { table, properties })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_trailing_line_without_its_line_feed_waits() {
        let bytes = b"{\"a\":1}\r\n{\"b\":2}\r\n{\"c\":";
        let (lines, covered) = complete_lines(bytes, 100);
        assert_eq!(lines.len(), 2);
        assert_eq!(lines[0], Line { text: b"{\"a\":1}", offset: 100 });
        assert_eq!(lines[1].offset, 109);
        assert_eq!(covered, 18);
    }

    #[test]
    fn event_hub_records_are_envelopes_each() {
        let message = json!({"records": [
            {"category": "AdvancedHunting-DeviceLogonEvents", "properties": {"DeviceId": "d"}},
            {"category": "Audit", "properties": {}},
        ]});
        let found = envelopes(&message);
        assert_eq!(found[0].envelope.as_ref().unwrap().table, "DeviceLogonEvents");
        assert_eq!(found[1].record, Some(1));
        let reason = found[1].envelope.as_ref().unwrap_err();
        assert!(reason.contains("Audit"), "{reason}");
    }
}
