use uuid::Uuid;

use crate::api::Api;
use crate::client::Client;
use crate::error::Result;
use crate::generated::types::{
    PaysafeAssignCardRequest, PaysafeAssignCardResponse, PaysafeBulkCardsDetails,
    PaysafeBulkCardsRequest, PaysafeBulkCardsResponse,
};
use crate::response::finish;

const API: Api = Api::Paysafe;

/// Paysafe Embedded Wallets calls (bearer token). Get it with [`Client::paysafe`].
#[derive(Clone, Copy, Debug)]
pub struct Paysafe<'a> {
    client: &'a Client,
}

impl<'a> Paysafe<'a> {
    pub(crate) fn new(client: &'a Client) -> Self {
        Paysafe { client }
    }

    /// Orders 1 to 50 prepaid cards for `customer_id` (Bulk Card Ordering). Only cards created this way can
    /// later be assigned with [`assign_bulk_card`](Self::assign_bulk_card).
    ///
    /// ```no_run
    /// # async fn run(client: concord_sdk::Client) -> concord_sdk::Result<()> {
    /// use concord_sdk::types::PaysafeBulkCardsRequest;
    /// let order = client
    ///     .paysafe()
    ///     .order_bulk_cards("1231122232", PaysafeBulkCardsRequest {
    ///         quantity: 2.try_into().unwrap(),
    ///         program_name: "PHYSICAL-MC-EEA".into(),
    ///         currency: "EUR".try_into().unwrap(),
    ///         user_agent: "my-app/1.0".try_into().unwrap(),
    ///         mobile: None,
    ///         delivery_address: None,
    ///         cards: vec![],
    ///     })
    ///     .await?;
    /// println!("bulk order {}", order.id);
    /// # Ok(()) }
    /// ```
    pub async fn order_bulk_cards(
        &self,
        customer_id: &str,
        order: PaysafeBulkCardsRequest,
    ) -> Result<PaysafeBulkCardsResponse> {
        const OP: &str = "paysafe_order_bulk_cards";
        let call = self.client.generated(API, OP)?.paysafe_order_bulk_cards();
        finish(
            API,
            OP,
            call.customer_id(customer_id).body(order).send().await,
        )
        .await
    }

    /// Reads a bulk order: its status and a page of its cards (`limit` 1..=50, default 10; `offset` from 0).
    ///
    /// ```no_run
    /// # async fn run(client: concord_sdk::Client, bulk_id: uuid::Uuid) -> concord_sdk::Result<()> {
    /// let order = client.paysafe().get_bulk_order("1231122232", bulk_id, Some(50), None).await?;
    /// for card in &order.cards {
    ///     println!("{} {:?}", card.card_id, card.status);
    /// }
    /// # Ok(()) }
    /// ```
    pub async fn get_bulk_order(
        &self,
        customer_id: &str,
        bulk_id: Uuid,
        limit: Option<u32>,
        offset: Option<i32>,
    ) -> Result<PaysafeBulkCardsDetails> {
        const OP: &str = "paysafe_get_bulk_order";
        let mut call = self.client.generated(API, OP)?.paysafe_get_bulk_order();
        call = call.customer_id(customer_id).bulk_id(bulk_id);
        if let Some(limit) = limit {
            call = call.limit(limit);
        }
        if let Some(offset) = offset {
            call = call.offset(offset);
        }
        finish(API, OP, call.send().await).await
    }

    /// Assigns a bulk card owned by `customer_id` to the request's `target_customer_id`. A card is assigned
    /// once: a second assignment answers 400 `DW-PREPAID-CARDS-ALREADY-ASSIGNED-CARD`.
    ///
    /// ```no_run
    /// # async fn run(client: concord_sdk::Client) -> concord_sdk::Result<()> {
    /// use concord_sdk::types::PaysafeAssignCardRequest;
    /// let card_id = "f16ba382-eb42-481a-b08f-c57bdc9aae24".parse().unwrap();
    /// let assignment = client
    ///     .paysafe()
    ///     .assign_bulk_card("1231122232", card_id, PaysafeAssignCardRequest { target_customer_id: "1233333323".into() })
    ///     .await?;
    /// assert_eq!(assignment.target_customer_id, "1233333323");
    /// # Ok(()) }
    /// ```
    pub async fn assign_bulk_card(
        &self,
        customer_id: &str,
        card_id: Uuid,
        assignment: PaysafeAssignCardRequest,
    ) -> Result<PaysafeAssignCardResponse> {
        const OP: &str = "paysafe_assign_bulk_card";
        let call = self.client.generated(API, OP)?.paysafe_assign_bulk_card();
        finish(
            API,
            OP,
            call.customer_id(customer_id)
                .card_id(card_id)
                .body(assignment)
                .send()
                .await,
        )
        .await
    }
}
