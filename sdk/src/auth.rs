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

/// How calls carry credentials, from the contract's security schemes (generated per API: `Api::auth`, and
/// per operation where it documents other requirements: `OPERATION_AUTH`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
// Each variant is built by the generated code of a contract whose APIs use it (not all do).
#[allow(dead_code)]
pub(crate) enum Auth {
    /// An API key in this header.
    HeaderKey(&'static str),
    /// An API key in this query parameter.
    QueryKey(&'static str),
    /// `Authorization: Bearer <token>`.
    Bearer,
    /// A bearer token plus this header, sent with this value unless the caller gives another.
    BearerAndHeader(&'static str, &'static str),
    /// `Authorization: Basic` of `user:password`.
    Basic,
    /// No credentials (an operation whose security lists an empty requirement).
    None,
    /// Schemes the SDK cannot send (cookies, three schemes together, …).
    Unsupported,
}

/// Why a call to `api` without credentials is not sent, naming where to set them; `None` when the API
/// takes none.
pub(crate) fn missing_credentials(api: Api) -> Option<String> {
    let (setter, variable) = match api.auth() {
        Auth::HeaderKey(_) | Auth::QueryKey(_) => ("api_key(…)", "API_KEY"),
        Auth::Bearer | Auth::BearerAndHeader(..) => ("token(…)", "TOKEN"),
        Auth::Basic => ("basic(user, password)", "BASIC"),
        Auth::None | Auth::Unsupported => return None,
    };
    let prefix = api.env_prefix();
    let id = prefix.trim_start_matches("CONCORD_").to_ascii_lowercase();
    Some(format!(
        "no credentials for {api}: set them with ClientBuilder::{id}_{setter} or {prefix}_{variable}; \
         the request was not sent"
    ))
}

/// How an operation's calls may carry credentials, where it documents requirements other than its API's.
pub(crate) fn operation_auth(api: Api, operation: &str) -> Option<&'static [Auth]> {
    crate::facade::OPERATION_AUTH
        .iter()
        .find(|(a, id, _)| *a == api && *id == operation)
        .map(|(_, _, ways)| *ways)
}

/// How a call to one API authenticates.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Credentials {
    /// An API key, sent where each operation's contract says: a header or a query parameter.
    ApiKey(Secret),
    /// `Authorization: Bearer <token>`.
    Bearer(Secret),
    /// A bearer token plus the second header the API's contract names with it (both schemes of one
    /// security requirement), with this value.
    BearerAndHeader {
        /// The token.
        token: Secret,
        /// The value of the second header (the contract's `x-concord-sdk-value` unless set otherwise).
        value: String,
    },
    /// HTTP Basic.
    Basic {
        /// The user name.
        user: String,
        /// The password.
        password: Secret,
    },
}

impl Credentials {
    /// The credentials an API uses, built from one secret as its contract says (a second header gets its
    /// documented value; HTTP Basic takes `user:password`).
    pub fn for_api(api: Api, secret: impl Into<Secret>) -> Credentials {
        let secret = secret.into();
        match api.auth() {
            Auth::HeaderKey(_) | Auth::QueryKey(_) => Credentials::ApiKey(secret),
            Auth::BearerAndHeader(_, value) => Credentials::BearerAndHeader {
                token: secret,
                value: value.to_owned(),
            },
            Auth::Basic => {
                let (user, password) = secret
                    .expose()
                    .split_once(':')
                    .unwrap_or((secret.expose(), ""));
                Credentials::Basic {
                    user: user.to_owned(),
                    password: Secret::new(password),
                }
            }
            Auth::Bearer | Auth::None | Auth::Unsupported => Credentials::Bearer(secret),
        }
    }

    /// Whether these credentials can be sent the way `auth` says.
    pub(crate) fn fits(&self, auth: Auth) -> bool {
        matches!(
            (self, auth),
            (
                Credentials::ApiKey(_),
                Auth::HeaderKey(_) | Auth::QueryKey(_)
            ) | (
                Credentials::Bearer(_),
                Auth::Bearer | Auth::BearerAndHeader(..)
            ) | (
                Credentials::BearerAndHeader { .. },
                Auth::BearerAndHeader(..)
            ) | (Credentials::Basic { .. }, Auth::Basic)
        )
    }

    /// The headers to send to `api` as its contract's first requirement says; a value that is not a valid
    /// header is reported, not sent.
    pub(crate) fn headers(&self, api: Api) -> Result<HeaderMap, String> {
        self.headers_for(api, api.auth())
    }

    /// The headers to send to `api` the way `auth` says.
    pub(crate) fn headers_for(&self, api: Api, auth: Auth) -> Result<HeaderMap, String> {
        let mut headers = HeaderMap::new();
        let sensitive = |value: String| {
            let mut value = HeaderValue::try_from(value)
                .map_err(|_| "credential contains characters not allowed in a header")?;
            value.set_sensitive(true);
            Ok::<_, String>(value)
        };
        let named = |name: &str| {
            HeaderName::from_bytes(name.to_ascii_lowercase().as_bytes())
                .map_err(|_| format!("{name} is not a header name"))
        };
        match (self, auth) {
            (Credentials::ApiKey(key), Auth::HeaderKey(name)) => {
                headers.insert(named(name)?, sensitive(key.expose().to_owned())?);
            }
            // Sent in the query (`Credentials::query_for`).
            (Credentials::ApiKey(_), Auth::QueryKey(_)) => {}
            (Credentials::ApiKey(_), _) => {
                return Err(format!("{api} takes no API key; see Credentials::for_api"));
            }
            (Credentials::Bearer(token), _) => {
                headers.insert(
                    AUTHORIZATION,
                    sensitive(format!("Bearer {}", token.expose()))?,
                );
            }
            (Credentials::BearerAndHeader { token, value }, auth) => {
                headers.insert(
                    AUTHORIZATION,
                    sensitive(format!("Bearer {}", token.expose()))?,
                );
                let name = match auth {
                    Auth::BearerAndHeader(name, _) => name,
                    _ => return Err(format!("{api} takes a bearer token only")),
                };
                let value = HeaderValue::try_from(value.as_str())
                    .map_err(|_| format!("{name} is not a valid header"))?;
                headers.insert(named(name)?, value);
            }
            (Credentials::Basic { user, password }, _) => {
                use base64::Engine as _;
                let encoded = base64::engine::general_purpose::STANDARD
                    .encode(format!("{user}:{}", password.expose()));
                headers.insert(AUTHORIZATION, sensitive(format!("Basic {encoded}"))?);
            }
        }
        Ok(headers)
    }

    /// The query parameter to add to every call to `api`, for an API key the contract sends there.
    pub(crate) fn query(&self, api: Api) -> Option<(&'static str, Secret)> {
        self.query_for(api.auth())
    }

    /// The query parameter to add when `auth` sends an API key there.
    pub(crate) fn query_for(&self, auth: Auth) -> Option<(&'static str, Secret)> {
        match (self, auth) {
            (Credentials::ApiKey(key), Auth::QueryKey(name)) => Some((name, key.clone())),
            _ => None,
        }
    }
}

/// An API key for the query: (parameter, key).
pub(crate) type QueryKey = (&'static str, Secret);

/// A way of sending credentials, in words.
fn described(auth: Auth) -> String {
    match auth {
        Auth::HeaderKey(name) => format!("an API key in the header {name}"),
        Auth::QueryKey(name) => format!("an API key in the query parameter {name}"),
        Auth::Bearer => "a bearer token".into(),
        Auth::BearerAndHeader(name, _) => format!("a bearer token with the header {name}"),
        Auth::Basic => "HTTP Basic".into(),
        Auth::None => "none".into(),
        Auth::Unsupported => "a scheme the SDK cannot send".into(),
    }
}

/// How a call to an operation that documents its own requirements (`ways`, in the contract's order) sends
/// `credentials`: headers and a query parameter for the first way they fit; nothing for an operation that
/// may be called without; an error naming the ways when none fits.
pub(crate) fn placed(
    api: Api,
    operation: &str,
    credentials: Option<&Credentials>,
    ways: &[Auth],
) -> Result<(HeaderMap, Option<QueryKey>), String> {
    if let Some(credentials) = credentials
        && let Some(way) = ways.iter().copied().find(|w| credentials.fits(*w))
    {
        return Ok((
            credentials.headers_for(api, way)?,
            credentials.query_for(way),
        ));
    }
    if ways.contains(&Auth::None) {
        return Ok((HeaderMap::new(), None));
    }
    let documented: Vec<String> = ways.iter().map(|w| described(*w)).collect();
    Err(format!(
        "{api} {operation} takes credentials as {}, and none set for {api} fits; the request was not sent",
        documented.join(" or ")
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_api_gets_the_credentials_its_contract_names() {
        assert_eq!(
            Credentials::for_api(Api::Magicline, "k"),
            Credentials::ApiKey(Secret::new("k"))
        );
        let masstack = Credentials::for_api(Api::Masstack, "t");
        assert_eq!(
            masstack,
            Credentials::BearerAndHeader {
                token: Secret::new("t"),
                value: "API_KEY".into()
            }
        );
        let headers = masstack.headers(Api::Masstack).unwrap();
        assert_eq!(headers["authorization"], "Bearer t");
        assert_eq!(headers["x-auth-roles"], "API_KEY");
        let key = Credentials::ApiKey(Secret::new("k"))
            .headers(Api::Magicline)
            .unwrap();
        assert_eq!(key["x-api-key"], "k");
        // An API key for an API that takes a bearer token is a configuration error, not a silent header.
        assert!(
            Credentials::ApiKey(Secret::new("k"))
                .headers(Api::Paysafe)
                .is_err()
        );
    }

    #[test]
    fn an_api_key_goes_to_the_query_parameter_the_contract_names_and_nothing_else_does() {
        let key = Credentials::ApiKey(Secret::new("k"));
        assert_eq!(
            key.query_for(Auth::QueryKey("api_key")),
            Some(("api_key", Secret::new("k")))
        );
        assert_eq!(key.query_for(Auth::HeaderKey("X-API-KEY")), None);
        assert_eq!(
            Credentials::Bearer(Secret::new("t")).query_for(Auth::QueryKey("api_key")),
            None
        );
    }

    #[test]
    fn basic_credentials_are_sent_as_a_sensitive_basic_header() {
        let basic = Credentials::Basic {
            user: "acme".into(),
            password: Secret::new("secret"),
        };
        let headers = basic.headers(Api::Paysafe).unwrap();
        assert_eq!(headers["authorization"], "Basic YWNtZTpzZWNyZXQ=");
        assert!(headers["authorization"].is_sensitive());
        assert!(!format!("{basic:?}").contains("secret"));
    }

    #[test]
    fn an_operation_that_documents_its_own_security_gets_the_first_way_the_credentials_fit() {
        let key = Credentials::ApiKey(Secret::new("k"));
        // A header for one operation, the query for another: one key, placed as each documents.
        let (headers, query) = placed(
            Api::Paysafe,
            "op",
            Some(&key),
            &[
                Auth::Basic,
                Auth::HeaderKey("X-Store-Key"),
                Auth::QueryKey("api_key"),
            ],
        )
        .unwrap();
        assert_eq!(headers["x-store-key"], "k");
        assert_eq!(query, None);
        let (headers, query) = placed(
            Api::Paysafe,
            "op",
            Some(&key),
            &[Auth::Bearer, Auth::QueryKey("api_key")],
        )
        .unwrap();
        assert!(headers.is_empty());
        assert_eq!(query, Some(("api_key", Secret::new("k"))));
        // An operation that may be called without credentials sends none that do not fit.
        let basic = Credentials::Basic {
            user: "u".into(),
            password: Secret::new("p"),
        };
        let (headers, query) = placed(
            Api::Paysafe,
            "op",
            Some(&basic),
            &[Auth::Bearer, Auth::None],
        )
        .unwrap();
        assert!(headers.is_empty() && query.is_none());
        assert!(placed(Api::Paysafe, "op", None, &[Auth::None]).is_ok());
        // None fits: the error names the ways the operation documents.
        let err = placed(
            Api::Paysafe,
            "paysafe_op",
            Some(&key),
            &[Auth::Basic, Auth::Bearer],
        )
        .unwrap_err();
        assert!(
            err.contains("paysafe_op takes credentials as HTTP Basic or a bearer token"),
            "{err}"
        );
    }
}
