//! Give a gym member a card and show their QR access code (Magicline).

use concord_sdk::Client;
use concord_sdk::types::{
    MagiclineAccessMediumType, MagiclineCustomerAccessMedium, MagiclineCustomerAccessMediumUpdate,
};

use crate::Report;

/// The demo member.
pub const MEMBER: i64 = 1001;

/// Adds a card number to the member, fetches a fresh QR code, replaces the card number, then removes it.
#[allow(deprecated)] // Magicline marks add-medium and access-code deprecated; they are what the pages document.
pub async fn run(client: &Client) -> Report {
    let magicline = client.magicline();
    let mut lines = Vec::new();
    let card = format!("CARD-{}", uuid::Uuid::new_v4().simple());
    let medium = magicline
        .add_access_medium(
            MEMBER,
            MagiclineCustomerAccessMedium {
                id: None,
                type_: MagiclineAccessMediumType::CardNumber,
                value: card.as_str().try_into().expect("not empty"),
            },
        )
        .await?;
    let id = medium.id.expect("the server assigns ids");
    lines.push(format!(
        "card {} added as medium {id}",
        medium.value.as_str()
    ));
    let code = magicline.get_access_code(MEMBER).await?;
    lines.push(format!(
        "QR code {} valid until {:?}",
        code.content, code.expires_at
    ));
    let replacement = format!("{card}-2");
    let updated = magicline
        .update_access_medium(
            MEMBER,
            id,
            MagiclineCustomerAccessMediumUpdate {
                value: replacement.as_str().try_into().expect("not empty"),
            },
        )
        .await?;
    lines.push(format!("medium {id} now {}", updated.value.as_str()));
    magicline.delete_access_medium(MEMBER, id).await?;
    lines.push(format!("medium {id} deleted"));
    Ok(lines)
}
