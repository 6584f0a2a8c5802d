//! Any text given to the KQL front end is parsed and translated, or refused with a message:
//! no input may panic, hang or exhaust the stack. Run with `fuzz/run.sh [SECONDS] [SEED_DIR]`;
//! a crash found becomes a test in `tests/it/kql_translate.rs`.

#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        // Both the catalogue's tables and a lake's own columns go through the translator.
        let _ = lakehunt::kql::translate(text);
        let _ = lakehunt::kql::to_sql(text, "fuzz");
    }
});
