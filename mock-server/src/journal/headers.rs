//! Headers as the journal holds them: every name and value in one text, secrets redacted and long values
//! cut, so an entry's headers cost one allocation rather than two per header. Listed (and serialised) as
//! `[name, value]` pairs, in the order they were sent.

use axum::http::HeaderMap;
use serde::Serialize;
use serde::ser::SerializeSeq;

use super::{HEADER_LIMIT, Secrets, cut_bytes};

/// Between a name and its value, and after a value: a byte no header name or value holds (`http` refuses
/// control characters in both).
const END: char = '\0';

/// A request's or an answer's headers, as stored.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct Headers {
    /// `name END value END`, for each header.
    text: String,
    /// How many headers.
    count: usize,
}

impl Headers {
    /// `headers` as stored: the value of a secret header is `***`; a value past 1 KiB is cut with a marker.
    pub fn of(headers: &HeaderMap, secrets: &Secrets) -> Headers {
        let size = headers
            .iter()
            .map(|(name, value)| name.as_str().len() + value.len().min(HEADER_LIMIT + 64) + 2)
            .sum();
        let mut text = String::with_capacity(size);
        for (name, value) in headers {
            text.push_str(name.as_str());
            text.push(END);
            let bytes = value.as_bytes();
            match std::str::from_utf8(bytes) {
                _ if secrets.header(name.as_str()) => text.push_str("***"),
                Ok(value) if value.len() <= HEADER_LIMIT => text.push_str(value),
                _ => text.push_str(&cut_bytes(bytes, HEADER_LIMIT)),
            }
            text.push(END);
        }
        Headers {
            text,
            count: headers.len(),
        }
    }

    /// `(name, value)` pairs, in order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        let mut parts = self.text.split_terminator(END);
        std::iter::from_fn(move || Some((parts.next()?, parts.next()?)))
    }

    /// The first value of a header (`name` in lower case).
    pub fn get(&self, name: &str) -> Option<&str> {
        self.iter().find(|(n, _)| *n == name).map(|(_, v)| v)
    }

    /// About how many bytes they hold.
    pub(super) fn weight(&self) -> usize {
        self.text.len() + 48 * self.count
    }
}

impl std::fmt::Debug for Headers {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list().entries(self.iter()).finish()
    }
}

impl Serialize for Headers {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut seq = serializer.serialize_seq(None)?;
        for pair in self.iter() {
            seq.serialize_element(&pair)?;
        }
        seq.end()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pairs_in_order_secrets_redacted_long_values_cut() {
        let mut sent = HeaderMap::new();
        sent.insert("authorization", "Bearer secret-token".parse().unwrap());
        sent.append("accept", "application/json".parse().unwrap());
        sent.append("accept", "text/plain".parse().unwrap());
        sent.insert("x-empty", "".parse().unwrap());
        sent.insert("x-long", "y".repeat(5000).parse().unwrap());
        sent.insert(
            "x-bytes",
            axum::http::HeaderValue::from_bytes(b"caf\xe9").unwrap(),
        );
        let stored = Headers::of(&sent, &Secrets::default());
        let pairs: Vec<(&str, &str)> = stored.iter().collect();
        assert_eq!(pairs[0], ("authorization", "***"));
        assert_eq!(pairs[1], ("accept", "application/json"));
        assert_eq!(pairs[2], ("accept", "text/plain"));
        assert_eq!(pairs[3], ("x-empty", ""));
        assert!(
            pairs[4].1.starts_with("yyy")
                && pairs[4].1.ends_with("[cut by the mock: 5000 bytes in all]"),
            "{}",
            pairs[4].1
        );
        assert_eq!(pairs[5], ("x-bytes", "caf\u{fffd}"));
        assert_eq!(pairs.len(), 6);
        assert_eq!(stored.get("accept"), Some("application/json"));
        assert_eq!(stored.get("x-none"), None);
        let json = serde_json::to_value(&stored).unwrap();
        assert_eq!(json[1], serde_json::json!(["accept", "application/json"]));
        assert_eq!(json[3], serde_json::json!(["x-empty", ""]));
        assert_eq!(json.as_array().unwrap().len(), 6);
        assert_eq!(Headers::default().iter().count(), 0);
    }
}
