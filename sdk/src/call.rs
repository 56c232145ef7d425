//! What every generated request builder (`sdk/src/generated_calls.rs`) carries and does: which client, API
//! and operation it is for, arguments that failed to convert (reported with the argument's name when the
//! request is sent), and the generated call's result turned into the SDK's.

use std::fmt::Display;

use progenitor_client::{Error as CallError, ResponseValue};

use crate::api::Api;
use crate::client::Client;
use crate::error::{Error, ErrorKind, Result, VendorError};
use crate::generated;

/// One call in the making.
#[derive(Clone, Debug)]
pub(crate) struct Call<'a> {
    client: &'a Client,
    api: Api,
    operation: &'static str,
}

impl<'a> Call<'a> {
    pub(crate) fn new(client: &'a Client, api: Api, operation: &'static str) -> Self {
        Call {
            client,
            api,
            operation,
        }
    }

    /// The generated client the call goes through, or a configuration error naming the operation.
    pub(crate) fn generated(&self) -> Result<&'a generated::Client> {
        self.client.generated(self.api, self.operation)
    }

    /// An argument's converted value, or the request error that names it.
    pub(crate) fn value<T>(&self, value: std::result::Result<T, String>) -> Result<T> {
        value.map_err(|message| {
            Error::new(ErrorKind::InvalidRequest, self.api, self.operation, message)
        })
    }

    /// The body of a successful call, or the SDK's error for the failed one.
    pub(crate) async fn finish<T, E: Into<VendorError>>(
        &self,
        result: std::result::Result<ResponseValue<T>, CallError<E>>,
    ) -> Result<T> {
        crate::response::finish(self.api, self.operation, result).await
    }
}

/// `value` converted to an argument's type; the error names the argument (`limit: …`).
pub(crate) fn convert<T, V>(name: &str, value: V) -> std::result::Result<T, String>
where
    V: TryInto<T>,
    V::Error: Display,
{
    value
        .try_into()
        .map_err(|e| format!("invalid `{name}`: {e}"))
}

/// `value` converted to a `NonZero*` argument through its primitive `P`, so that callers pass plain
/// integers; zero (or a value out of range) is reported with the argument's name.
pub(crate) fn convert_nonzero<P, T, V>(name: &str, value: V) -> std::result::Result<T, String>
where
    V: TryInto<P>,
    V::Error: Display,
    T: TryFrom<P>,
{
    let primitive = convert::<P, V>(name, value)?;
    T::try_from(primitive).map_err(|_| format!("invalid `{name}`: must not be 0"))
}
