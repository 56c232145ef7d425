use crate::api::Api;
use crate::client::Client;
use crate::error::Result;
use crate::generated::types::{
    MagiclineCustomerAccessCode, MagiclineCustomerAccessMedium, MagiclineCustomerAccessMediumUpdate,
};
use crate::response::finish;

const API: Api = Api::Magicline;

/// Magicline Open API calls (`X-API-KEY` auth). Get it with [`Client::magicline`].
#[derive(Clone, Copy, Debug)]
pub struct Magicline<'a> {
    client: &'a Client,
}

impl<'a> Magicline<'a> {
    pub(crate) fn new(client: &'a Client) -> Self {
        Magicline { client }
    }

    /// Adds an access medium (card number, PIN, barcode or wallet pass) to a customer and returns it with
    /// the id the server assigned. Needs the `CUSTOMER_ACCESS_MEDIUM_WRITE` scope. A (`type`, `value`) pair
    /// that already exists answers 409.
    ///
    /// ```no_run
    /// # async fn run(client: concord_sdk::Client) -> concord_sdk::Result<()> {
    /// use concord_sdk::types::{MagiclineAccessMediumType, MagiclineCustomerAccessMedium};
    /// # #[allow(deprecated)]
    /// let medium = client
    ///     .magicline()
    ///     .add_access_medium(1001, MagiclineCustomerAccessMedium {
    ///         id: None,
    ///         type_: MagiclineAccessMediumType::CardNumber,
    ///         value: "04A1B2C3D4".try_into().unwrap(),
    ///     })
    ///     .await?;
    /// println!("medium {:?} added", medium.id);
    /// # Ok(()) }
    /// ```
    #[deprecated(
        note = "Magicline marks `POST /v1/customers/{customerId}/access-mediums` as deprecated"
    )]
    pub async fn add_access_medium(
        &self,
        customer_id: i64,
        medium: MagiclineCustomerAccessMedium,
    ) -> Result<MagiclineCustomerAccessMedium> {
        const OP: &str = "magicline_add_access_medium";
        let call = self
            .client
            .generated(API, OP)?
            .magicline_add_access_medium();
        finish(
            API,
            OP,
            call.customer_id(customer_id).body(medium).send().await,
        )
        .await
    }

    /// Replaces the value of an access medium added earlier. Needs `CUSTOMER_ACCESS_MEDIUM_WRITE`.
    ///
    /// ```no_run
    /// # async fn run(client: concord_sdk::Client) -> concord_sdk::Result<()> {
    /// use concord_sdk::types::MagiclineCustomerAccessMediumUpdate;
    /// let medium = client
    ///     .magicline()
    ///     .update_access_medium(1001, 1234567890, MagiclineCustomerAccessMediumUpdate { value: "04A1B2C3D5".try_into().unwrap() })
    ///     .await?;
    /// # Ok(()) }
    /// ```
    pub async fn update_access_medium(
        &self,
        customer_id: i64,
        access_medium_id: i64,
        update: MagiclineCustomerAccessMediumUpdate,
    ) -> Result<MagiclineCustomerAccessMedium> {
        const OP: &str = "magicline_update_access_medium";
        let call = self
            .client
            .generated(API, OP)?
            .magicline_update_access_medium();
        let call = call
            .customer_id(customer_id)
            .access_medium_id(access_medium_id)
            .body(update);
        finish(API, OP, call.send().await).await
    }

    /// Deletes an access medium added earlier. Needs `CUSTOMER_ACCESS_MEDIUM_WRITE`.
    ///
    /// ```no_run
    /// # async fn run(client: concord_sdk::Client) -> concord_sdk::Result<()> {
    /// client.magicline().delete_access_medium(1001, 1234567890).await?;
    /// # Ok(()) }
    /// ```
    pub async fn delete_access_medium(
        &self,
        customer_id: i64,
        access_medium_id: i64,
    ) -> Result<()> {
        const OP: &str = "magicline_delete_access_medium";
        let call = self
            .client
            .generated(API, OP)?
            .magicline_delete_access_medium();
        finish(
            API,
            OP,
            call.customer_id(customer_id)
                .access_medium_id(access_medium_id)
                .send()
                .await,
        )
        .await
    }

    /// Returns a fresh QR access code for the customer; the previous one stays valid until its
    /// `expires_at`. Needs `CUSTOMER_READ`.
    ///
    /// ```no_run
    /// # async fn run(client: concord_sdk::Client) -> concord_sdk::Result<()> {
    /// # #[allow(deprecated)]
    /// let code = client.magicline().get_access_code(1001).await?;
    /// println!("render {} as a QR code until {:?}", code.content, code.expires_at);
    /// # Ok(()) }
    /// ```
    #[deprecated(
        note = "Magicline marks `GET /v1/customers/{customerId}/access-code` as deprecated"
    )]
    pub async fn get_access_code(&self, customer_id: i64) -> Result<MagiclineCustomerAccessCode> {
        const OP: &str = "magicline_get_access_code";
        let call = self.client.generated(API, OP)?.magicline_get_access_code();
        finish(API, OP, call.customer_id(customer_id).send().await).await
    }
}
