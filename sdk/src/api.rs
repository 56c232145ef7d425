//! Which vendor API a call goes to: [`Api`] is generated from the contract's tags
//! (`sdk/src/generated_facade.rs`); a new vendor folder adds a variant with `cargo regen`.

use std::fmt;

pub use crate::facade::Api;

impl fmt::Display for Api {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A server the contract lists for an API: one of the vendor's environments (see [`Api::servers`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Server {
    pub(crate) name: &'static str,
    pub(crate) url: &'static str,
    pub(crate) variables: &'static [&'static str],
}

impl Server {
    /// Its name: `production`, `sandbox`, `staging`, … (the first word of its description), or `server`.
    pub fn name(&self) -> &'static str {
        self.name
    }

    /// Its URL template, e.g. `https://{tenant}.open-api.magicline.com`.
    pub fn url(&self) -> &'static str {
        self.url
    }

    /// The variables of the template, each a required input (`tenant`).
    pub fn variables(&self) -> &'static [&'static str] {
        self.variables
    }

    /// The URL with `values` for its variables, or the names of those missing.
    pub(crate) fn resolve(&self, values: &[(&str, &str)]) -> Result<String, Vec<&'static str>> {
        let mut url = self.url.to_owned();
        let mut missing = Vec::new();
        for variable in self.variables {
            match values.iter().find(|(name, _)| name == variable) {
                Some((_, value)) if !value.trim().is_empty() => {
                    url = url.replace(&format!("{{{variable}}}"), value.trim());
                }
                _ => missing.push(*variable),
            }
        }
        if missing.is_empty() {
            Ok(url)
        } else {
            Err(missing)
        }
    }
}
