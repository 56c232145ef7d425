use crate::api::Api;
use crate::client::Client;
use crate::error::Result;
use crate::generated::types::{
    EsLoyaltyAddCardsRequest, EsLoyaltyAddCardsResponse, EsLoyaltyIdentifierType,
    EsLoyaltyStartSessionRequest, EsLoyaltyStartSessionResponse,
};
use crate::response::finish;

const API: Api = Api::EsLoyalty;

/// ES Loyalty Customer Experience calls (OAuth bearer token). Get it with [`Client::es_loyalty`].
#[derive(Clone, Copy, Debug)]
pub struct EsLoyalty<'a> {
    client: &'a Client,
}

impl<'a> EsLoyalty<'a> {
    pub(crate) fn new(client: &'a Client) -> Self {
        EsLoyalty { client }
    }

    /// Starts a session for a member; the request's `correlation_id` then names the session in card calls.
    /// `identifier_type` says what `identifier` is (`ACCOUNT_ID` when `None`).
    ///
    /// ```no_run
    /// # async fn run(client: concord_sdk::Client) -> concord_sdk::Result<()> {
    /// use concord_sdk::types::{EsLoyaltyChannel, EsLoyaltyStartSessionRequest};
    /// let session = client
    ///     .es_loyalty()
    ///     .start_session("100200300", None, EsLoyaltyStartSessionRequest {
    ///         correlation_id: "3f2b1c9e-8d7a-4e6f-9b0c-1a2b3c4d5e6f".try_into().unwrap(),
    ///         channel: EsLoyaltyChannel::App,
    ///         external_agent_session_id: None,
    ///     })
    ///     .await?;
    /// println!("account {}", session.account_id);
    /// # Ok(()) }
    /// ```
    pub async fn start_session(
        &self,
        identifier: &str,
        identifier_type: Option<EsLoyaltyIdentifierType>,
        session: EsLoyaltyStartSessionRequest,
    ) -> Result<EsLoyaltyStartSessionResponse> {
        const OP: &str = "es_loyalty_start_session";
        let mut call = self.client.generated(API, OP)?.es_loyalty_start_session();
        call = call.identifier(identifier).body(session);
        if let Some(kind) = identifier_type {
            call = call.x_identifier_type(kind);
        }
        finish(API, OP, call.send().await).await
    }

    /// Adds physical cards (`physical_cards`) or a number of digital cards (`quantity`) — not both — to the
    /// account of the session `correlation_id`. Physical cards that cannot be added come back in
    /// `error_list` while the others are added.
    ///
    /// ```no_run
    /// # async fn run(client: concord_sdk::Client) -> concord_sdk::Result<()> {
    /// use concord_sdk::types::{EsLoyaltyAddCardsRequest, EsLoyaltyPhysicalCard};
    /// let added = client
    ///     .es_loyalty()
    ///     .add_cards("demo-active", EsLoyaltyAddCardsRequest {
    ///         physical_cards: vec![EsLoyaltyPhysicalCard {
    ///             loyalty_id: 6001000000000001,
    ///             card_label: None,
    ///             is_default: None,
    ///             extended_data: Default::default(),
    ///         }],
    ///         ..Default::default()
    ///     })
    ///     .await?;
    /// println!("added {:?}, refused {:?}", added.success_list, added.error_list);
    /// # Ok(()) }
    /// ```
    pub async fn add_cards(
        &self,
        correlation_id: &str,
        cards: EsLoyaltyAddCardsRequest,
    ) -> Result<EsLoyaltyAddCardsResponse> {
        const OP: &str = "es_loyalty_add_cards";
        let call = self.client.generated(API, OP)?.es_loyalty_add_cards();
        finish(
            API,
            OP,
            call.correlation_id(correlation_id).body(cards).send().await,
        )
        .await
    }
}
