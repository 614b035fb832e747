//! PKCE (RFC 7636) with the S256 method, the only one Pleo accepts.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use sha2::{Digest, Sha256};

use crate::error::{Error, ErrorKind, Result};
use crate::secret::Secret;

/// The S256 challenge of a verifier: base64url(sha256(verifier)) without padding.
pub fn code_challenge(code_verifier: &str) -> String {
    URL_SAFE_NO_PAD.encode(Sha256::digest(code_verifier.as_bytes()))
}

/// A fresh verifier: 32 bytes from the system's secure randomness, base64url (43 characters).
pub fn new_code_verifier() -> Result<Secret> {
    random_token(32).map(Secret::new)
}

/// Checks a verifier: 43 to 128 characters of `A-Z a-z 0-9 - . _ ~`.
pub fn validate_code_verifier(code_verifier: &str) -> Result<()> {
    let allowed = |b: u8| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~');
    let length = code_verifier.len();
    if !(43..=128).contains(&length) || !code_verifier.bytes().all(allowed) {
        return Err(Error::invalid_argument(format!(
            "code_verifier must be 43 to 128 characters of A-Z a-z 0-9 - . _ ~ (got {length} characters)"
        )));
    }
    Ok(())
}

/// `bytes` of secure randomness, base64url without padding.
pub(crate) fn random_token(bytes: usize) -> Result<String> {
    let mut buffer = vec![0u8; bytes];
    getrandom::fill(&mut buffer).map_err(|e| {
        Error::new(
            ErrorKind::Internal,
            format!("the system's secure randomness failed: {e}"),
        )
    })?;
    Ok(URL_SAFE_NO_PAD.encode(buffer))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc_7636_appendix_b_vector() {
        let octets = [
            116, 24, 223, 180, 151, 153, 224, 37, 79, 250, 96, 125, 216, 173, 187, 186, 22, 212,
            37, 77, 105, 214, 191, 240, 91, 88, 5, 88, 83, 132, 141, 121,
        ];
        let verifier = URL_SAFE_NO_PAD.encode(octets);
        assert_eq!(verifier, "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk");
        assert_eq!(
            code_challenge(&verifier),
            "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
        );
    }

    #[test]
    fn verifiers_are_valid_and_checked() {
        let verifier = new_code_verifier().unwrap();
        assert_eq!(verifier.expose().len(), 43);
        validate_code_verifier(verifier.expose()).unwrap();
        validate_code_verifier(&"a~._-".repeat(25)).unwrap();
        for bad in ["short", &"a".repeat(129), &format!("{}!", "a".repeat(43))] {
            let err = validate_code_verifier(bad).unwrap_err();
            assert!(err.message().contains("code_verifier"));
        }
    }
}
