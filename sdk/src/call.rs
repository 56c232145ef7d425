//! What every generated request builder (`sdk/src/generated_calls.rs`) carries and does: which client, API
//! and operation it is for, arguments that failed to convert (reported with the argument's name when the
//! request is sent), and the generated call's result turned into the SDK's.

use std::fmt::Display;
use std::sync::{Arc, Mutex};

use progenitor_client::{ClientInfo, Error as CallError, ResponseValue};

use crate::api::Api;
use crate::client::Client;
use crate::error::{Error, ErrorKind, Result, VendorError};
use crate::generated;
use crate::hooks::Answer;
use crate::response::Response;

/// One call in the making.
#[derive(Clone, Debug)]
pub(crate) struct Call<'a> {
    client: &'a Client,
    api: Api,
    operation: &'static str,
    /// The status and headers of the answer, noted by the hooks: kept when the body does not decode, and
    /// returned with a successful body.
    answer: Arc<Mutex<Option<Answer>>>,
}

impl<'a> Call<'a> {
    pub(crate) fn new(client: &'a Client, api: Api, operation: &'static str) -> Self {
        Call {
            client,
            api,
            operation,
            answer: Arc::default(),
        }
    }

    /// The generated client this call goes through (the API's, noting its answer here), or a configuration
    /// error naming the operation.
    pub(crate) fn generated(&self) -> Result<generated::Client> {
        let shared = self.client.generated(self.api, self.operation)?;
        let mut context = shared.inner().clone();
        context.answer = Some(self.answer.clone());
        Ok(generated::Client::new_with_client(
            shared.baseurl(),
            shared.client().clone(),
            context,
        ))
    }

    /// An argument's converted value, or the request error that names it.
    pub(crate) fn value<T>(&self, value: std::result::Result<T, String>) -> Result<T> {
        value.map_err(|message| {
            Error::new(ErrorKind::InvalidRequest, self.api, self.operation, message)
        })
    }

    /// The body of a successful call with its status and headers, or the SDK's error for the failed one
    /// (with the status and headers of the answer whenever one arrived).
    pub(crate) async fn finish<T, E: Into<VendorError>>(
        &self,
        result: std::result::Result<ResponseValue<T>, CallError<E>>,
    ) -> Result<Response<T>> {
        let answer = self.answer.lock().ok().and_then(|mut a| a.take());
        crate::response::finish(self.api, self.operation, result, answer).await
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
