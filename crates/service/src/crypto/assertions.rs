//! The signature of a client assertion (certificate credential), verified with the RSA public key of
//! the application's certificate: RS256 (PKCS#1 v1.5) or PS256 (PSS), SHA-256, 2048 bits or more.

use aws_lc_rs::signature::{
    RSA_PKCS1_2048_8192_SHA256, RSA_PSS_2048_8192_SHA256, UnparsedPublicKey,
};
use tenantry_domain::signin::{AssertionAlgorithm, ClientAssertion};

/// Whether the assertion's signature verifies with `public_key` (PKCS#1 `RSAPublicKey` DER).
pub fn verify_assertion_signature(assertion: &ClientAssertion<'_>, public_key: &[u8]) -> bool {
    let algorithm = match assertion.algorithm {
        AssertionAlgorithm::Rs256 => &RSA_PKCS1_2048_8192_SHA256,
        AssertionAlgorithm::Ps256 => &RSA_PSS_2048_8192_SHA256,
    };
    UnparsedPublicKey::new(algorithm, public_key)
        .verify(assertion.signed.as_bytes(), &assertion.signature)
        .is_ok()
}
