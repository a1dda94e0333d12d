//! Who is signing in where: the rules behind the token endpoint, the authorize pages and the device
//! flow. A username names a personal account, an organizational account, or both (the article's
//! dual-identity problem); an authority (`{tenant}`, `organizations`, `consumers`, `common`) says which
//! realm the token is for. The outcome is the subject of the token: the identity, the token's tenant and
//! the object id there.
//!
//! - [`authority`]: the `{tenant}` segment, which accounts a username names there, the token's subject;
//! - [`scopes`]: what a `scope` (or v1 `resource`) asks for;
//! - [`clients`]: Microsoft's first-party clients and loopback redirect URIs;
//! - [`assertions`]: client assertions (certificate credentials): what their header and claims must say;
//! - [`device`]: the device authorization grant's codes;
//! - [`realm`]: what user-realm discovery says of a sign-in name (its domain, never its account);
//! - [`tokens`]: token lifetimes, and who a verified token speaks for now;
//! - [`groups`]: the `groups` claim an application asks for, and its overage;
//! - [`lockout`]: smart lockout's schedule;
//! - [`managed_identity`]: the managed-identity token endpoints' secrets, identities and refusals;
//! - [`userinfo`]: what OpenID Connect's userinfo endpoint says of a person;
//! - [`refusals`]: every refusal, in Entra's codes and words.
//!
//! Everything is re-exported here: callers name `signin::subject`, `signin::missing_parameter`….

pub mod assertions;
pub mod authority;
pub mod clients;
pub mod device;
pub mod groups;
pub mod lockout;
pub mod managed_identity;
pub mod realm;
pub mod refusals;
pub mod scopes;
pub mod tokens;
pub mod userinfo;

pub use assertions::*;
pub use authority::*;
pub use clients::*;
pub use device::*;
pub use groups::*;
pub use lockout::*;
pub use realm::*;
pub use refusals::*;
pub use scopes::*;
pub use tokens::*;
pub use userinfo::*;
