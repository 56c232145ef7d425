//! Manage a customer's login credentials (MasStack).

use concord_sdk::types::MasstackCredential;
use concord_sdk::{Client, ErrorKind};

use crate::Report;

/// The organization of the documented examples.
pub const ORG: &str = "telco";
/// The customer of the documented examples.
pub const CUSTOMER: &str = "123e4567-e89b-12d3-a456-556642440000";

/// Lists the customer's logins, adds one, shows a duplicate is refused, and removes it again.
pub async fn run(client: &Client) -> Report {
    let masstack = client.masstack();
    let customer: uuid::Uuid = CUSTOMER.parse().expect("a UUID");
    let mut lines = Vec::new();
    let before = masstack.list_credentials(ORG, customer).await?;
    lines.push(format!("{} login(s) before", before.len()));
    let username = format!("{}@example.com", uuid::Uuid::new_v4().simple());
    let credential = || MasstackCredential {
        username: username.as_str().try_into().expect("short enough"),
    };
    let created = masstack
        .create_credential(ORG, customer, credential())
        .await?;
    lines.push(format!("login {username} created as {}", created.id));
    match masstack
        .create_credential(ORG, customer, credential())
        .await
    {
        Err(e) if e.kind() == ErrorKind::Api => {
            lines.push(format!(
                "duplicate refused: {}",
                e.status().map_or(0, |s| s.as_u16())
            ));
        }
        Err(e) => return Err(e),
        Ok(_) => lines.push("duplicate accepted (unexpected)".into()),
    }
    masstack
        .delete_credential(ORG, customer, created.id)
        .await?;
    let after = masstack.list_credentials(ORG, customer).await?;
    lines.push(format!("login deleted; {} login(s) after", after.len()));
    Ok(lines)
}
