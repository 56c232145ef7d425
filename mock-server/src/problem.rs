//! What went wrong, in terms every vendor's error body can express; a vendor's declared error style
//! (`x-concord-mock.error`) turns it into that vendor's body. A [`Violation`] is what schema validation
//! finds; the vendor's `invalid` style words it as a problem.

/// A problem: a message, and optionally a code, details and the offending fields.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Problem {
    /// The vendor's error code, when the rule names one (else the vendor's default applies).
    pub code: Option<String>,
    /// The message.
    pub message: String,
    /// Longer explanations.
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

/// One schema violation, with where it is in the instance.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Violation {
    /// Dotted path of the offending field (`physicalCards[0].loyaltyId`); empty for the whole value.
    pub field: String,
    /// The JSON Schema keyword that failed (`required`, `maximum`, `enum`, `type`, …).
    pub keyword: String,
    /// A readable message.
    pub message: String,
}

/// One way an exchange differs from the contract.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
pub struct Drift {
    /// `request.parameter`, `request.body`, `request.security`, `response.status`, `response.header` or
    /// `response.body`.
    #[serde(rename = "where")]
    pub place: String,
    /// Where in that part (`/credentials/0/username`; `/x-rate-limit` for a header; empty for the whole).
    pub pointer: String,
    /// The JSON Schema keyword, or `status`, `contentType`, `undocumented`, `credential`.
    pub keyword: String,
    /// What is wrong.
    pub message: String,
}
