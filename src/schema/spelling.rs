//! Which known name a misspelt one most likely meant, for "did you mean" hints. Kusto names are
//! case-sensitive, so the commonest slip is the case (`devicelogonevents`); after that come
//! typos of a letter or two (`DeviceLogonEvent`).

/// The most typos a suggestion may be away from the name the user wrote.
const MAX_TYPOS: usize = 2;

/// The candidate `name` most likely meant: one equal to it ignoring case, or else the single
/// nearest one at most [`MAX_TYPOS`] edits away (ignoring case). `None` when `name` is itself a
/// candidate, when nothing is that close, or when two candidates are equally close.
pub fn closest<'a>(name: &str, candidates: impl Iterator<Item = &'a str>) -> Option<&'a str> {
    let wanted = name.to_lowercase();
    let mut best: Option<(usize, &'a str)> = None;
    let mut tied = false;
    for candidate in candidates {
        if candidate == name {
            return None;
        }
        let distance = edit_distance(&wanted, &candidate.to_lowercase());
        match best {
            Some((nearest, _)) if distance > nearest => {}
            Some((nearest, _)) if distance == nearest => tied = true,
            _ => {
                best = Some((distance, candidate));
                tied = false;
            }
        }
    }
    match best {
        Some((distance, candidate)) if distance <= MAX_TYPOS && !tied => Some(candidate),
        _ => None,
    }
}

/// Levenshtein distance in characters: insertions, deletions and substitutions.
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut previous: Vec<usize> = (0..=b.len()).collect();
    let mut current = vec![0; b.len() + 1];
    for (i, ca) in a.chars().enumerate() {
        current[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let substitution = previous[j] + usize::from(ca != *cb);
            current[j + 1] = substitution.min(previous[j + 1] + 1).min(current[j] + 1);
        }
        std::mem::swap(&mut previous, &mut current);
    }
    previous[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    const TABLES: [&str; 4] =
        ["DeviceLogonEvents", "DeviceNetworkInfo", "DeviceNetworkEvents", "IdentityLogonEvents"];

    #[test]
    fn another_case_is_the_commonest_slip() {
        assert_eq!(closest("devicelogonevents", TABLES.into_iter()), Some("DeviceLogonEvents"));
        assert_eq!(closest("DEVICENETWORKINFO", TABLES.into_iter()), Some("DeviceNetworkInfo"));
    }

    #[test]
    fn a_typo_or_two_is_forgiven() {
        assert_eq!(closest("DeviceLogonEvent", TABLES.into_iter()), Some("DeviceLogonEvents"));
        assert_eq!(closest("IdentityLogonEvnts", TABLES.into_iter()), Some("IdentityLogonEvents"));
    }

    #[test]
    fn a_right_name_a_far_name_and_a_tie_get_no_suggestion() {
        assert_eq!(closest("DeviceLogonEvents", TABLES.into_iter()), None);
        assert_eq!(closest("SecurityEvent", TABLES.into_iter()), None);
        assert_eq!(closest("ab", ["aa", "bb"].into_iter()), None);
    }

    #[test]
    fn edit_distance_counts_insertions_deletions_and_substitutions() {
        assert_eq!(edit_distance("kitten", "sitting"), 3);
        assert_eq!(edit_distance("", "abc"), 3);
        assert_eq!(edit_distance("same", "same"), 0);
    }
}
