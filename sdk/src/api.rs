//! Which vendor API a call goes to.

use std::fmt;

/// One of the four vendor APIs the SDK calls.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum Api {
    /// Magicline Open API (Sport Alliance): access mediums and QR access codes.
    Magicline,
    /// Paysafe Embedded Wallets Business API 2.0: prepaid bulk cards.
    Paysafe,
    /// Exchange Solutions ES Loyalty 3.0, Customer Experience API: sessions and loyalty cards.
    EsLoyalty,
    /// MasMovil MasStack Customers API v4: customer credentials.
    Masstack,
}

impl Api {
    /// Every API, in a fixed order.
    pub const ALL: [Api; 4] = [Api::Magicline, Api::Paysafe, Api::EsLoyalty, Api::Masstack];

    /// The API's name as the spec's tag spells it.
    pub fn name(self) -> &'static str {
        match self {
            Api::Magicline => "Magicline",
            Api::Paysafe => "Paysafe",
            Api::EsLoyalty => "ES Loyalty",
            Api::Masstack => "MasStack",
        }
    }

    /// The vendor's real base URL, from the spec's `servers`; `None` where the vendor publishes none
    /// (ES Loyalty issues one per environment).
    pub fn default_base_url(self) -> Option<&'static str> {
        match self {
            Api::Magicline => Some("https://open-api-demo.open-api.magicline.com"),
            Api::Paysafe => Some("https://api.paysafe.com/digitalwallets/v2"),
            Api::EsLoyalty => None,
            Api::Masstack => Some("https://customers.sta.masstack.com"),
        }
    }

    /// Prefix of the environment variables configuring this API (`CONCORD_MAGICLINE_BASE_URL`, …).
    pub(crate) fn env_prefix(self) -> &'static str {
        match self {
            Api::Magicline => "CONCORD_MAGICLINE",
            Api::Paysafe => "CONCORD_PAYSAFE",
            Api::EsLoyalty => "CONCORD_ES_LOYALTY",
            Api::Masstack => "CONCORD_MASSTACK",
        }
    }
}

impl fmt::Display for Api {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}
