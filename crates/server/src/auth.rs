//! Who is calling ARM or Graph: a verified bearer token turned into the domain's `Actor`.
//! (Filled in by the sign-in work: token verification against tenantry's signing keys.)
