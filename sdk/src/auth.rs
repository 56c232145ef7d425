//! Credentials per vendor API, turned into the headers each vendor expects. Secrets are marked sensitive
//! (reqwest and the SDK's tracing never print them) and redacted in `Debug`.

use std::fmt;

use reqwest::header::{AUTHORIZATION, HeaderMap, HeaderName, HeaderValue};

use crate::api::Api;

/// A secret string: redacted in `Debug`, sent as a sensitive header.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    /// Wraps a secret value.
    pub fn new(value: impl Into<String>) -> Secret {
        Secret(value.into())
    }

    /// The secret itself; mind where it goes.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(***)")
    }
}

impl<S: Into<String>> From<S> for Secret {
    fn from(value: S) -> Secret {
        Secret::new(value)
    }
}

/// How a call to one API authenticates.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Credentials {
    /// Magicline: the studio's key in `X-API-KEY`.
    ApiKey(Secret),
    /// Paysafe and ES Loyalty: `Authorization: Bearer <token>`.
    Bearer(Secret),
    /// MasStack: `Authorization: Bearer <JWT>` plus `x-auth-roles` (normally `API_KEY`).
    BearerWithRoles {
        /// The JWT.
        token: Secret,
        /// The value of `x-auth-roles`.
        roles: String,
    },
}

impl Credentials {
    /// The credentials each API uses, built from one secret (MasStack gets the `API_KEY` role).
    pub fn for_api(api: Api, secret: impl Into<Secret>) -> Credentials {
        let secret = secret.into();
        match api {
            Api::Magicline => Credentials::ApiKey(secret),
            Api::Paysafe | Api::EsLoyalty => Credentials::Bearer(secret),
            Api::Masstack => Credentials::BearerWithRoles {
                token: secret,
                roles: "API_KEY".to_owned(),
            },
        }
    }

    /// The headers to send; a value that is not a valid header is reported, not sent.
    pub(crate) fn headers(&self) -> Result<HeaderMap, String> {
        let mut headers = HeaderMap::new();
        let sensitive = |value: String| {
            let mut value = HeaderValue::try_from(value)
                .map_err(|_| "credential contains characters not allowed in a header")?;
            value.set_sensitive(true);
            Ok::<_, String>(value)
        };
        match self {
            Credentials::ApiKey(key) => {
                headers.insert(
                    HeaderName::from_static("x-api-key"),
                    sensitive(key.expose().to_owned())?,
                );
            }
            Credentials::Bearer(token) => {
                headers.insert(
                    AUTHORIZATION,
                    sensitive(format!("Bearer {}", token.expose()))?,
                );
            }
            Credentials::BearerWithRoles { token, roles } => {
                headers.insert(
                    AUTHORIZATION,
                    sensitive(format!("Bearer {}", token.expose()))?,
                );
                let roles = HeaderValue::try_from(roles.as_str())
                    .map_err(|_| "x-auth-roles is not a valid header")?;
                headers.insert(HeaderName::from_static("x-auth-roles"), roles);
            }
        }
        Ok(headers)
    }
}
