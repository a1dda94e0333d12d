//! Errors of the domain's rules. Each says why it happened and what to do; the protocol adapters translate
//! the kind into a status and the code into their wire format (ARM, Graph, Entra, portal).

use serde::Serialize;
use std::fmt;

/// What sort of refusal this is. Adapters map it to an HTTP status.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum ErrorKind {
    /// The request is malformed or names something invalid (400).
    Invalid,
    /// The caller may not do this (403).
    Forbidden,
    /// Something named does not exist (404).
    NotFound,
    /// The request conflicts with the current state (409).
    Conflict,
}

/// The name of the [`DomainError::args`] entry that holds the variant.
const VARIANT: &str = "variant";

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DomainError {
    pub kind: ErrorKind,
    /// A stable code, Azure's where Azure has one (`RoleAssignmentExists`, `AuthorizationFailed`, …).
    pub code: String,
    /// What happened, in words a user understands.
    pub message: String,
    /// What to do about it, when something can be done.
    pub remedy: Option<String>,
    /// Further problems found with the same request (e.g. every blocker of a directory change).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub details: Vec<DomainError>,
    /// The named values the message and remedy are built from (`principal`, `subscription`, …), so that
    /// a face speaking another language can word the refusal again from its code. Not on any wire: ARM,
    /// Graph and the token endpoint answer with the English message. One named `variant` says which of its
    /// code's wordings this is, where one code is refused for different reasons with different words
    /// (`AccountNotFound` of an email, or of the account administrator): a catalogue keys the wording by
    /// code and variant ([`DomainError::key`]). (One boxed list: a refusal stays small enough to travel
    /// in a `Result` by value.)
    #[serde(skip)]
    pub args: Box<[(&'static str, String)]>,
}

impl DomainError {
    pub fn new(kind: ErrorKind, code: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            kind,
            code: code.into(),
            message: message.into(),
            remedy: None,
            details: Vec::new(),
            args: Box::default(),
        }
    }
    pub fn invalid(code: impl Into<String>, message: impl Into<String>) -> Self {
        Self::new(ErrorKind::Invalid, code, message)
    }
    pub fn forbidden(code: impl Into<String>, message: impl Into<String>) -> Self {
        Self::new(ErrorKind::Forbidden, code, message)
    }
    pub fn not_found(code: impl Into<String>, message: impl Into<String>) -> Self {
        Self::new(ErrorKind::NotFound, code, message)
    }
    pub fn conflict(code: impl Into<String>, message: impl Into<String>) -> Self {
        Self::new(ErrorKind::Conflict, code, message)
    }
    /// A write that a change made at the same time got ahead of: the rules were checked against the world
    /// as it was, and the database's unique key found the name, email or key taken since.
    pub fn concurrent_write() -> Self {
        Self::conflict(
            "Conflict",
            "Another change made at the same time took this name, email or key first.",
        )
        .with_remedy("Reload, check what is there now, and try again if it is still needed.")
    }
    pub fn with_remedy(mut self, remedy: impl Into<String>) -> Self {
        self.remedy = Some(remedy.into());
        self
    }
    pub fn with_details(mut self, details: Vec<DomainError>) -> Self {
        self.details = details;
        self
    }
    /// Names a value the message or remedy interpolates (the same value, as the English shows it).
    pub fn with_arg(mut self, name: &'static str, value: impl Into<String>) -> Self {
        let mut args = std::mem::take(&mut self.args).into_vec();
        args.push((name, value.into()));
        self.args = args.into_boxed_slice();
        self
    }
    /// Says which of its code's wordings this refusal is (see [`DomainError::args`]).
    pub fn with_variant(self, variant: &'static str) -> Self {
        self.with_arg(VARIANT, variant)
    }
    /// Which of its code's wordings this refusal is, if its code has several.
    pub fn variant(&self) -> Option<&str> {
        self.arg(VARIANT)
    }
    /// The value named `name`, if the refusal has one.
    pub fn arg(&self, name: &str) -> Option<&str> {
        self.args
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, v)| v.as_str())
    }
    /// The message's key in a catalogue of refusals: `refusal-<code>`, or `refusal-<code>-<variant>`; the
    /// remedy's is the same followed by `-remedy`.
    pub fn key(&self) -> String {
        match self.variant() {
            Some(v) => format!("refusal-{}-{v}", self.code),
            None => format!("refusal-{}", self.code),
        }
    }
    /// The message followed by the remedy, for interfaces that have one text field.
    pub fn full_message(&self) -> String {
        match &self.remedy {
            Some(r) => format!("{} {}", self.message, r),
            None => self.message.clone(),
        }
    }
}

impl fmt::Display for DomainError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.code, self.full_message())
    }
}

impl std::error::Error for DomainError {}

pub type DomainResult<T> = Result<T, DomainError>;
