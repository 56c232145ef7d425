use uuid::Uuid;

use crate::api::Api;
use crate::client::Client;
use crate::error::Result;
use crate::generated::types::{MasstackCredential, MasstackCredentialCreated, MasstackCredentials};
use crate::response::finish;

const API: Api = Api::Masstack;

/// MasStack Customers calls (bearer JWT plus `x-auth-roles: API_KEY`). Get it with [`Client::masstack`].
#[derive(Clone, Copy, Debug)]
pub struct Masstack<'a> {
    client: &'a Client,
}

impl<'a> Masstack<'a> {
    pub(crate) fn new(client: &'a Client) -> Self {
        Masstack { client }
    }

    /// Adds a login credential to a customer of the organization `org_id`. Usernames are unique in the
    /// organization (409 otherwise) and at most 82 characters long.
    ///
    /// ```no_run
    /// # async fn run(client: concord_sdk::Client) -> concord_sdk::Result<()> {
    /// use concord_sdk::types::MasstackCredential;
    /// let customer = "123e4567-e89b-12d3-a456-556642440000".parse().unwrap();
    /// let created = client
    ///     .masstack()
    ///     .create_credential("telco", customer, MasstackCredential { username: "ana@example.com".try_into().unwrap() })
    ///     .await?;
    /// println!("credential {}", created.id);
    /// # Ok(()) }
    /// ```
    pub async fn create_credential(
        &self,
        org_id: &str,
        customer_id: Uuid,
        credential: MasstackCredential,
    ) -> Result<MasstackCredentialCreated> {
        const OP: &str = "masstack_create_credential";
        let call = self.client.generated(API, OP)?.masstack_create_credential();
        finish(
            API,
            OP,
            call.org_id(org_id)
                .customer_id(customer_id)
                .body(credential)
                .send()
                .await,
        )
        .await
    }

    /// Lists the credentials of a customer.
    ///
    /// ```no_run
    /// # async fn run(client: concord_sdk::Client) -> concord_sdk::Result<()> {
    /// let customer = "123e4567-e89b-12d3-a456-556642440000".parse().unwrap();
    /// for credential in client.masstack().list_credentials("telco", customer).await?.iter() {
    ///     println!("{} {}", credential.id, credential.username.as_str());
    /// }
    /// # Ok(()) }
    /// ```
    pub async fn list_credentials(
        &self,
        org_id: &str,
        customer_id: Uuid,
    ) -> Result<MasstackCredentials> {
        const OP: &str = "masstack_list_credentials";
        let call = self.client.generated(API, OP)?.masstack_list_credentials();
        finish(
            API,
            OP,
            call.org_id(org_id).customer_id(customer_id).send().await,
        )
        .await
    }

    /// Deletes a credential of a customer; a credential that does not exist answers 404.
    ///
    /// ```no_run
    /// # async fn run(client: concord_sdk::Client) -> concord_sdk::Result<()> {
    /// let customer = "123e4567-e89b-12d3-a456-556642440000".parse().unwrap();
    /// let credential = "028076fa-c264-42bb-9983-8872a576be28".parse().unwrap();
    /// client.masstack().delete_credential("telco", customer, credential).await?;
    /// # Ok(()) }
    /// ```
    pub async fn delete_credential(
        &self,
        org_id: &str,
        customer_id: Uuid,
        credential_id: Uuid,
    ) -> Result<()> {
        const OP: &str = "masstack_delete_credential";
        let call = self.client.generated(API, OP)?.masstack_delete_credential();
        finish(
            API,
            OP,
            call.org_id(org_id)
                .customer_id(customer_id)
                .credential_id(credential_id)
                .send()
                .await,
        )
        .await
    }
}
