//! Issue prepaid cards in bulk and hand one to another customer (Paysafe Embedded Wallets).

use concord_sdk::types::{PaysafeAssignCardRequest, PaysafeBulkCardItem, PaysafeBulkCardsRequest};
use concord_sdk::{Client, ErrorKind};

use crate::Report;

/// The business customer that orders the cards, and the customer that receives one (demo data).
pub const ORDERING_CUSTOMER: &str = "1231122232";
/// The customer a card is assigned to.
pub const TARGET_CUSTOMER: &str = "1233333323";

/// Orders two cards, reads the order, assigns its first card, and shows that a second assignment is refused.
pub async fn run(client: &Client) -> Report {
    let paysafe = client.paysafe();
    let mut lines = Vec::new();
    let order = paysafe
        .order_bulk_cards(
            ORDERING_CUSTOMER,
            PaysafeBulkCardsRequest {
                quantity: 2.try_into().expect("2 is not zero"),
                program_name: "PHYSICAL-MC-EEA".into(),
                currency: "EUR".try_into().expect("three letters"),
                user_agent: "concord-examples".try_into().expect("short"),
                mobile: None,
                delivery_address: None,
                cards: vec![PaysafeBulkCardItem::default()],
            },
        )
        .await?;
    lines.push(format!(
        "ordered bulk {} ({} cards)",
        order.id, order.quantity
    ));
    let details = paysafe.get_bulk_order(ORDERING_CUSTOMER, order.id).await?;
    lines.push(format!(
        "order status {:?}, {} cards",
        details.status,
        details.cards.len()
    ));
    let card = details
        .cards
        .first()
        .expect("a completed order has cards")
        .card_id;
    let assign = || PaysafeAssignCardRequest {
        target_customer_id: TARGET_CUSTOMER.into(),
    };
    let assigned = paysafe
        .assign_bulk_card(ORDERING_CUSTOMER, card, assign())
        .await?;
    lines.push(format!(
        "card {} assigned to {}",
        assigned.card_id, assigned.target_customer_id
    ));
    match paysafe
        .assign_bulk_card(ORDERING_CUSTOMER, card, assign())
        .await
    {
        Err(e) if e.kind() == ErrorKind::Api => {
            let code = e.vendor_error().and_then(|v| v.code()).unwrap_or("?");
            lines.push(format!(
                "second assignment refused: {} {code}",
                e.status().map_or(0, |s| s.as_u16())
            ));
        }
        Err(e) => return Err(e),
        Ok(_) => lines.push("second assignment accepted (unexpected)".into()),
    }
    Ok(lines)
}
