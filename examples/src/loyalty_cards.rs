//! Start a member session and add loyalty cards (ES Loyalty).

use concord_sdk::types::{
    EsLoyaltyAddCardsRequest, EsLoyaltyChannel, EsLoyaltyPhysicalCard, EsLoyaltyStartSessionRequest,
};
use concord_sdk::{Client, ErrorKind};

use crate::Report;

/// The demo member's account id.
pub const ACCOUNT: &str = "100200300";

/// Starts a session, adds a digital card, adds two physical cards (one outside the pool), and shows the
/// documented refusal for a closed account.
pub async fn run(client: &Client) -> Report {
    let loyalty = client.es_loyalty();
    let mut lines = Vec::new();
    let correlation = uuid::Uuid::new_v4().to_string();
    let session = loyalty
        .start_session(
            ACCOUNT,
            EsLoyaltyStartSessionRequest {
                correlation_id: correlation.as_str().try_into().expect("not empty"),
                channel: EsLoyaltyChannel::App,
                external_agent_session_id: None,
            },
        )
        .await?;
    lines.push(format!(
        "session {correlation} for account {}",
        session.account_id
    ));
    let digital = EsLoyaltyAddCardsRequest {
        quantity: Some(1.try_into().expect("1 is not zero")),
        ..Default::default()
    };
    let added = loyalty.add_cards(&correlation, digital).await?;
    lines.push(format!("digital card(s) {:?}", added.success_list));
    let physical = |loyalty_id| EsLoyaltyPhysicalCard {
        loyalty_id,
        card_label: None,
        is_default: None,
        extended_data: Default::default(),
    };
    let cards = EsLoyaltyAddCardsRequest {
        physical_cards: vec![physical(6001000000000002), physical(6009999999999999)],
        ..Default::default()
    };
    let added = loyalty.add_cards(&correlation, cards).await?;
    lines.push(format!(
        "physical: added {:?}, refused {:?}",
        added.success_list, added.error_list
    ));
    let closed = EsLoyaltyAddCardsRequest {
        quantity: Some(1.try_into().expect("1 is not zero")),
        ..Default::default()
    };
    match loyalty.add_cards("demo-closed", closed).await {
        Err(e) if e.kind() == ErrorKind::Api => {
            let message = e.vendor_error().and_then(|v| v.message()).unwrap_or("?");
            lines.push(format!(
                "closed account: {} {message}",
                e.status().map_or(0, |s| s.as_u16())
            ));
        }
        Err(e) => return Err(e),
        Ok(_) => lines.push("closed account accepted a card (unexpected)".into()),
    }
    Ok(lines)
}
