//! One module per vendor API: its business rules and its error body. The framework (routing, validation,
//! auth, overrides) calls into these through [`Vendor`].

mod es_loyalty;
mod magicline;
mod masstack;
mod paysafe;

use serde_json::Value;

use crate::call::Call;
use crate::reply::Reply;
use crate::spec_index::{Operation, Violation};

/// The vendor API an operation belongs to (from its tag in the contract).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Vendor {
    /// Magicline Open API.
    Magicline,
    /// Paysafe Embedded Wallets.
    Paysafe,
    /// ES Loyalty.
    EsLoyalty,
    /// MasStack Customers.
    Masstack,
}

/// What went wrong, in terms every vendor's error body can express.
#[derive(Debug, Clone, Default)]
pub struct Problem {
    /// The vendor's error code (`DW-NO-SUCH-CUSTOMER`, `INVALID_REQUEST`, `MCUS.999.998`, …).
    pub code: Option<String>,
    /// The message.
    pub message: String,
    /// Longer explanations (Paysafe `details`).
    pub details: Vec<String>,
    /// The offending fields with what is wrong with each.
    pub fields: Vec<(String, String)>,
}

impl Problem {
    /// A problem with a message only.
    pub fn new(message: impl Into<String>) -> Problem {
        Problem {
            message: message.into(),
            ..Problem::default()
        }
    }

    /// Sets the code.
    pub fn code(mut self, code: impl Into<String>) -> Problem {
        self.code = Some(code.into());
        self
    }

    /// Adds a detail line.
    pub fn detail(mut self, detail: impl Into<String>) -> Problem {
        self.details.push(detail.into());
        self
    }

    /// Adds an offending field.
    pub fn field(mut self, field: impl Into<String>, error: impl Into<String>) -> Problem {
        self.fields.push((field.into(), error.into()));
        self
    }
}

impl Vendor {
    /// The vendor of a contract tag.
    pub fn from_tag(tag: &str) -> Option<Vendor> {
        match tag {
            "Magicline" => Some(Vendor::Magicline),
            "Paysafe" => Some(Vendor::Paysafe),
            "ES Loyalty" => Some(Vendor::EsLoyalty),
            "MasStack" => Some(Vendor::Masstack),
            _ => None,
        }
    }

    /// The vendor's error body for `status`.
    pub fn error_body(self, status: u16, problem: &Problem) -> Value {
        match self {
            Vendor::Magicline => magicline::error_body(problem),
            Vendor::Paysafe => paysafe::error_body(problem),
            Vendor::EsLoyalty => es_loyalty::error_body(status, problem),
            Vendor::Masstack => masstack::error_body(status, problem),
        }
    }

    /// The vendor's answer to a request that breaks the contract's schemas.
    pub fn invalid_request(self, op: &Operation, violations: &[Violation]) -> Reply {
        let problem = match self {
            Vendor::Magicline => magicline::invalid(violations),
            Vendor::Paysafe => paysafe::invalid(violations),
            Vendor::EsLoyalty => es_loyalty::invalid(op, violations),
            Vendor::Masstack => masstack::invalid(violations),
        };
        Reply::json(400, self.error_body(400, &problem))
    }

    /// The documented example whose name the vendor uses for a failed authentication (401).
    pub fn unauthenticated_example(self) -> &'static str {
        match self {
            Vendor::Magicline => "AUTHENTICATION_FAILED",
            Vendor::Paysafe => "INVALID_CREDENTIALS",
            Vendor::EsLoyalty => "INVALID_TOKEN",
            Vendor::Masstack => "UNAUTHORIZED",
        }
    }

    /// Fills in what a documented example cannot know (Magicline's fresh `traceId`).
    pub fn refresh(self, body: &mut Value) {
        if self == Vendor::Magicline
            && let Some(map) = body.as_object_mut()
            && map.contains_key("errorMessage")
        {
            map.insert("traceId".into(), Value::String(magicline::trace_id()));
        }
    }

    /// Headers the vendor puts on every answer (ES Loyalty's `MCK-*`, `x-amzn-RequestId`).
    pub fn decorate(self, call_correlation: Option<&str>, reply: Reply) -> Reply {
        match self {
            Vendor::EsLoyalty => es_loyalty::trace_headers(call_correlation, reply),
            _ => reply,
        }
    }

    /// Runs the operation's business rules.
    pub async fn handle(self, call: &Call<'_>) -> Reply {
        let result = match self {
            Vendor::Magicline => magicline::handle(call).await,
            Vendor::Paysafe => paysafe::handle(call).await,
            Vendor::EsLoyalty => es_loyalty::handle(call).await,
            Vendor::Masstack => masstack::handle(call).await,
        };
        result.unwrap_or_else(|e| crate::call::store_unavailable(call.op, &e))
    }
}
