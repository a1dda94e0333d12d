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
}

impl DomainError {
    pub fn new(kind: ErrorKind, code: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            kind,
            code: code.into(),
            message: message.into(),
            remedy: None,
            details: Vec::new(),
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
