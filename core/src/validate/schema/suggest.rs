//! "Did you mean": the closest known name to a misspelt one.

use crate::scalers::names::levenshtein as distance;

/// The candidate nearest to `word`, if it is near enough to be a plausible typo:
/// the same name in another case, one name a prefix of the other (`minReplicas` for
/// `minReplicaCount`), or an edit distance of at most a third of the longer name.
pub fn closest<'a>(word: &str, candidates: impl Iterator<Item = &'a str>) -> Option<&'a str> {
    let mut best: Option<(usize, &'a str)> = None;
    for (score, c) in scored(word, candidates) {
        if best.is_none_or(|(s, _)| score < s) {
            best = Some((score, c));
        }
    }
    best.map(|(_, c)| c)
}

/// How many candidates are near enough to `word` to be what it was meant to be: a fix
/// may rename a key without asking only when there is exactly one.
pub fn near_count<'a>(word: &str, candidates: impl Iterator<Item = &'a str>) -> usize {
    scored(word, candidates).count()
}

/// The plausible candidates with their distance to `word` (0 for a difference of case).
fn scored<'a, 'w>(
    word: &'w str,
    candidates: impl Iterator<Item = &'a str> + 'w,
) -> impl Iterator<Item = (usize, &'a str)> + 'w
where
    'a: 'w,
{
    // Not a typo: a list of alternatives, or a sentence.
    let typo = !word.contains(|c: char| c.is_whitespace() || c == '|');
    // ASCII case folding: the candidates are KEDA's (ASCII) field names, and full Unicode
    // lowercasing would link its case tables into the Wasm module for no better answer.
    let lower = word.to_ascii_lowercase();
    candidates.filter(move |_| typo).filter_map(move |c| {
        let cl = c.to_ascii_lowercase();
        if cl == lower {
            return Some((0, c));
        }
        let d = distance(&lower, &cl);
        let longest = lower.chars().count().max(cl.chars().count());
        let shortest = lower.chars().count().min(cl.chars().count());
        let prefix = shortest >= 3 && (cl.starts_with(&lower) || lower.starts_with(&cl));
        (prefix || d * 3 <= longest).then_some((d, c))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggests_plausible_names_only() {
        let names = [
            "minReplicaCount",
            "maxReplicaCount",
            "idleReplicaCount",
            "triggers",
        ];
        assert_eq!(
            closest("minReplicas", names.into_iter()),
            Some("minReplicaCount")
        );
        assert_eq!(
            closest("maxReplicas", names.into_iter()),
            Some("maxReplicaCount")
        );
        assert_eq!(closest("trigers", names.into_iter()), Some("triggers"));
        assert_eq!(closest("Triggers", names.into_iter()), Some("triggers"));
        assert_eq!(closest("pollingInterval", names.into_iter()), None);
        assert_eq!(distance("kitten", "sitting"), 3);
        assert_eq!(distance("", "abc"), 3);
    }
}
