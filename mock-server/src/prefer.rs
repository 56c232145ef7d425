//! Per-request overrides in Prism's convention: `Prefer: code=429`, `Prefer: example=NAME`,
//! `Prefer: delay=250` (milliseconds), combinable (`Prefer: code=404, delay=100`).

use std::time::Duration;

/// The longest delay a request may ask for.
pub(crate) const MAX_DELAY: Duration = Duration::from_secs(30);

/// What a `Prefer` header asks for.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Prefer {
    /// A documented status to answer with.
    pub code: Option<u16>,
    /// A documented example (by name) to answer with.
    pub example: Option<String>,
    /// Latency to add before answering.
    pub delay: Option<Duration>,
}

impl Prefer {
    /// Parses the header; unknown preferences are ignored (RFC 7240).
    pub(crate) fn parse(header: Option<&str>) -> Result<Prefer, String> {
        let mut prefer = Prefer::default();
        for part in header.unwrap_or_default().split([',', ';']) {
            let Some((key, value)) = part.split_once('=') else {
                continue;
            };
            let value = value.trim().trim_matches('"');
            match key.trim().to_ascii_lowercase().as_str() {
                "code" => {
                    prefer.code = Some(
                        value
                            .parse()
                            .map_err(|_| format!("Prefer: code={value} is not a status code"))?,
                    )
                }
                "example" => prefer.example = Some(value.to_owned()),
                "delay" => {
                    let ms: u64 = value
                        .parse()
                        .map_err(|_| format!("Prefer: delay={value} is not milliseconds"))?;
                    prefer.delay = Some(Duration::from_millis(ms).min(MAX_DELAY));
                }
                _ => {}
            }
        }
        Ok(prefer)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_prisms_preferences() {
        let p = Prefer::parse(Some("code=429, example=SLOW_DOWN; delay=250")).unwrap();
        assert_eq!(p.code, Some(429));
        assert_eq!(p.example.as_deref(), Some("SLOW_DOWN"));
        assert_eq!(p.delay, Some(Duration::from_millis(250)));
        assert_eq!(
            Prefer::parse(Some("respond-async")).unwrap(),
            Prefer::default()
        );
        assert!(Prefer::parse(Some("code=abc")).is_err());
        assert_eq!(
            Prefer::parse(Some("delay=99999999")).unwrap().delay,
            Some(MAX_DELAY)
        );
    }
}
