//! Entities parsed from Redis, kept by the exact text they were stored as (`<version>:<json>`).
//!
//! Most of what a request reads from Redis is what the last request read: the auth schemes and
//! credentials, the response switches, the demo data. The same text always parses to the same entity, so
//! a read that finds its text here shares the entity parsed before (the body is an `Arc`) instead of
//! parsing the JSON and allocating every string and map again. Text that changed is new text: nothing
//! stale is ever served, and nothing needs invalidating across replicas.

use std::collections::HashMap;
use std::sync::Mutex;

use super::tenant::Entity;

/// At most this many entities are kept; the next one empties the cache first.
const MAX_ENTRIES: usize = 10_000;
/// At most this many bytes of stored text are kept; the next one empties the cache first. Parsed, JSON
/// takes a few times its text's size: this keeps the cache to tens of MiB at worst.
const MAX_BYTES: usize = 4 << 20;

/// Parsed entities by their stored text.
#[derive(Default)]
pub(super) struct Parsed {
    kept: Mutex<Kept>,
}

#[derive(Default)]
struct Kept {
    by_text: HashMap<Box<[u8]>, Entity>,
    bytes: usize,
}

impl Parsed {
    /// The entity `stored` holds: the one parsed before from the same text, or `parse(stored)`, kept.
    pub(super) fn get_or_parse<E>(
        &self,
        stored: &[u8],
        parse: impl FnOnce(&[u8]) -> Result<Entity, E>,
    ) -> Result<Entity, E> {
        if let Some(entity) = self.lock().by_text.get(stored) {
            return Ok(entity.clone());
        }
        // Parsed outside the lock: another request may parse the same text meanwhile; both are equal.
        let entity = parse(stored)?;
        if stored.len() > MAX_BYTES {
            return Ok(entity);
        }
        let mut kept = self.lock();
        if kept.by_text.contains_key(stored) {
            return Ok(entity);
        }
        if kept.by_text.len() >= MAX_ENTRIES || kept.bytes + stored.len() > MAX_BYTES {
            *kept = Kept::default();
        }
        kept.bytes += stored.len();
        kept.by_text.insert(stored.into(), entity.clone());
        Ok(entity)
    }

    /// How many entities are kept, and their text's bytes.
    #[cfg(test)]
    fn size(&self) -> (usize, usize) {
        let kept = self.lock();
        (kept.by_text.len(), kept.bytes)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Kept> {
        // A panic while the lock was held leaves a map that is still whole: keep using it.
        self.kept
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use serde_json::json;

    use super::*;

    fn parse(text: &[u8]) -> Result<Entity, String> {
        let text = std::str::from_utf8(text).map_err(|e| e.to_string())?;
        let (version, body) = text.split_once(':').ok_or("no colon")?;
        Ok(Entity {
            version: version.parse().map_err(|_| "version")?,
            body: Arc::new(serde_json::from_str(body).map_err(|e| e.to_string())?),
        })
    }

    #[test]
    fn the_same_text_shares_one_parsed_entity_and_new_text_is_parsed() {
        let parsed = Parsed::default();
        let first = parsed.get_or_parse(br#"1:{"a":1}"#, parse).unwrap();
        let again = parsed
            .get_or_parse(br#"1:{"a":1}"#, |_| Err("parsed again".to_owned()))
            .unwrap();
        assert!(Arc::ptr_eq(&first.body, &again.body));
        // A new version of the same entity is new text: parsed, never the old body.
        let changed = parsed.get_or_parse(br#"2:{"a":2}"#, parse).unwrap();
        assert_eq!((changed.version, &*changed.body), (2, &json!({"a": 2})));
        assert_eq!(parsed.size(), (2, 18));
    }

    #[test]
    fn text_that_does_not_parse_is_an_error_and_not_kept() {
        let parsed = Parsed::default();
        assert!(parsed.get_or_parse(b"1:{not json", parse).is_err());
        assert_eq!(parsed.size(), (0, 0));
    }

    #[test]
    fn the_cache_is_bounded_in_entries() {
        let parsed = Parsed::default();
        for n in 0..MAX_ENTRIES + 5 {
            parsed
                .get_or_parse(format!("1:{n}").as_bytes(), parse)
                .unwrap();
        }
        // Emptied when full, then refilled: never above the bound.
        assert_eq!(parsed.size().0, 5);
    }

    #[test]
    fn the_cache_is_bounded_in_bytes() {
        let parsed = Parsed::default();
        let big = |n: usize| format!("1:\"{n}{}\"", "x".repeat(MAX_BYTES / 4));
        for n in 0..4 {
            parsed.get_or_parse(big(n).as_bytes(), parse).unwrap();
            assert!(parsed.size().1 <= MAX_BYTES);
        }
        // Three fit; the fourth emptied the cache first.
        assert_eq!(parsed.size().0, 1);
        // Text larger than the bound is parsed, not kept, and leaves what is kept alone.
        let huge = format!("1:\"{}\"", "x".repeat(MAX_BYTES));
        assert!(parsed.get_or_parse(huge.as_bytes(), parse).is_ok());
        assert_eq!(parsed.size().0, 1);
    }
}
