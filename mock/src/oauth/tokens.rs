//! Issued tokens: families, rotation, reuse detection and revocation.
//!
//! A family starts with a code exchange (or `issue_tokens`) and gets a new generation on
//! every refresh. Only the tokens of the family's current generation are valid, so a
//! refresh invalidates every earlier token at once; presenting an earlier refresh token
//! again revokes the whole family. Old tokens are remembered so that they can be told
//! apart (revoked) from tokens that were never issued (unknown).

use std::collections::HashMap;
use std::time::{Duration, Instant};

use uuid::Uuid;

/// Tokens just issued.
#[derive(Clone, Debug)]
pub(crate) struct Issued {
    pub(crate) access_token: String,
    pub(crate) refresh_token: String,
    pub(crate) expires_in: u64,
    pub(crate) scope: String,
    pub(crate) family: u64,
}

/// What an access token is worth now.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum AccessCheck<'a> {
    /// Valid: the client id and granted scope.
    Valid {
        client_id: &'a str,
        scope: &'a str,
    },
    Expired,
    Revoked,
    Unknown,
}

/// Why a refresh was refused (every case is an `invalid_grant`).
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum RefreshRefused {
    Unknown,
    OtherClient,
    /// Its family had been revoked already.
    Revoked,
    /// It had been rotated already; the family is now revoked.
    Reused,
}

#[derive(Debug)]
struct Family {
    client_id: String,
    scope: String,
    generation: u64,
    revoked: bool,
}

#[derive(Debug)]
struct Access {
    family: u64,
    generation: u64,
    expires_at: Instant,
}

#[derive(Debug)]
struct Refresh {
    family: u64,
    generation: u64,
}

/// Every token one emulator has issued.
#[derive(Debug, Default)]
pub(crate) struct Tokens {
    families: HashMap<u64, Family>,
    access: HashMap<String, Access>,
    refresh: HashMap<String, Refresh>,
    next_family: u64,
}

fn new_token(prefix: &str) -> String {
    format!("{prefix}{}", Uuid::new_v4().simple())
}

impl Tokens {
    /// Starts a new family for `client_id` and issues its first tokens.
    pub(crate) fn issue(
        &mut self,
        client_id: &str,
        scope: &str,
        now: Instant,
        lifetime: Duration,
    ) -> Issued {
        self.next_family += 1;
        let family = self.next_family;
        self.families.insert(
            family,
            Family {
                client_id: client_id.to_owned(),
                scope: scope.to_owned(),
                generation: 0,
                revoked: false,
            },
        );
        self.mint(family, now, lifetime)
    }

    /// Issues tokens of the family's current generation.
    fn mint(&mut self, family: u64, now: Instant, lifetime: Duration) -> Issued {
        let (generation, scope) = self
            .families
            .get(&family)
            .map(|f| (f.generation, f.scope.clone()))
            .unwrap_or_default();
        let access_token = new_token("at_");
        let refresh_token = new_token("rt_");
        self.access.insert(
            access_token.clone(),
            Access {
                family,
                generation,
                expires_at: now + lifetime,
            },
        );
        self.refresh
            .insert(refresh_token.clone(), Refresh { family, generation });
        Issued {
            access_token,
            refresh_token,
            expires_in: lifetime.as_secs(),
            scope,
            family,
        }
    }

    /// Checks an access token at `now`.
    pub(crate) fn check_access(&self, token: &str, now: Instant) -> AccessCheck<'_> {
        let Some(access) = self.access.get(token) else {
            return AccessCheck::Unknown;
        };
        let Some(family) = self.families.get(&access.family) else {
            return AccessCheck::Unknown;
        };
        if family.revoked || family.generation != access.generation {
            AccessCheck::Revoked
        } else if now >= access.expires_at {
            AccessCheck::Expired
        } else {
            AccessCheck::Valid {
                client_id: &family.client_id,
                scope: &family.scope,
            }
        }
    }

    /// The `refresh_token` grant for `client_id`: rotates the family, or refuses (and
    /// revokes the family when an already rotated token is presented again).
    pub(crate) fn refresh(
        &mut self,
        token: &str,
        client_id: &str,
        now: Instant,
        lifetime: Duration,
    ) -> Result<Issued, RefreshRefused> {
        let refresh = self.refresh.get(token).ok_or(RefreshRefused::Unknown)?;
        let (id, generation) = (refresh.family, refresh.generation);
        let family = self.families.get_mut(&id).ok_or(RefreshRefused::Unknown)?;
        if family.client_id != client_id {
            return Err(RefreshRefused::OtherClient);
        }
        if family.revoked {
            return Err(RefreshRefused::Revoked);
        }
        if family.generation != generation {
            family.revoked = true;
            return Err(RefreshRefused::Reused);
        }
        family.generation += 1;
        Ok(self.mint(id, now, lifetime))
    }

    /// Revokes one family (a reused authorization code).
    pub(crate) fn revoke_family(&mut self, family: u64) {
        if let Some(family) = self.families.get_mut(&family) {
            family.revoked = true;
        }
    }

    /// Revokes every family of `client_id`; returns how many were live.
    pub(crate) fn revoke_client(&mut self, client_id: &str) -> usize {
        let mut revoked = 0;
        for family in self.families.values_mut() {
            if family.client_id == client_id && !family.revoked {
                family.revoked = true;
                revoked += 1;
            }
        }
        revoked
    }

    /// Makes every unexpired access token expire at `now`; returns how many.
    pub(crate) fn expire_access(&mut self, now: Instant) -> usize {
        let mut expired = 0;
        for access in self.access.values_mut() {
            if access.expires_at > now {
                access.expires_at = now;
                expired += 1;
            }
        }
        expired
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const HOUR: Duration = Duration::from_secs(3600);

    #[test]
    fn rotation_invalidates_earlier_tokens_and_reuse_revokes_the_family() {
        let mut tokens = Tokens::default();
        let now = Instant::now();
        let first = tokens.issue("c", "s", now, HOUR);
        assert!(matches!(
            tokens.check_access(&first.access_token, now),
            AccessCheck::Valid {
                client_id: "c",
                scope: "s"
            }
        ));
        assert_eq!(
            tokens
                .refresh(&first.refresh_token, "other", now, HOUR)
                .unwrap_err(),
            RefreshRefused::OtherClient
        );
        let second = tokens
            .refresh(&first.refresh_token, "c", now, HOUR)
            .unwrap();
        assert_eq!(
            tokens.check_access(&first.access_token, now),
            AccessCheck::Revoked
        );
        assert!(matches!(
            tokens.check_access(&second.access_token, now),
            AccessCheck::Valid { .. }
        ));
        assert_eq!(
            tokens
                .refresh(&first.refresh_token, "c", now, HOUR)
                .unwrap_err(),
            RefreshRefused::Reused
        );
        assert_eq!(
            tokens.check_access(&second.access_token, now),
            AccessCheck::Revoked
        );
        assert_eq!(
            tokens
                .refresh(&second.refresh_token, "c", now, HOUR)
                .unwrap_err(),
            RefreshRefused::Revoked
        );
        assert_eq!(tokens.check_access("nope", now), AccessCheck::Unknown);
    }

    #[test]
    fn expiry_and_client_revocation() {
        let mut tokens = Tokens::default();
        let now = Instant::now();
        let issued = tokens.issue("c", "s", now, HOUR);
        assert_eq!(
            tokens.check_access(&issued.access_token, now + HOUR),
            AccessCheck::Expired
        );
        assert_eq!(tokens.expire_access(now), 1);
        assert_eq!(
            tokens.check_access(&issued.access_token, now),
            AccessCheck::Expired
        );
        let fresh = tokens
            .refresh(&issued.refresh_token, "c", now, HOUR)
            .unwrap();
        assert_eq!(tokens.revoke_client("c"), 1);
        assert_eq!(
            tokens.check_access(&fresh.access_token, now),
            AccessCheck::Revoked
        );
    }
}
