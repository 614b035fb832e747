//! The JSON door to the OAuth helpers, for the bindings: the code flow's two steps and PKCE.

use serde::Deserialize;
use serde_json::{Value, json};

use crate::credential_url::credential_url;
use crate::environment::Environment;
use crate::error::catch_panics;
use crate::error::{Error, Result};
use crate::oauth::{
    OAuthEndpoints, authorization_url, code_challenge, exchange_code, new_code_verifier,
    validate_code_verifier,
};
use crate::request::parse;
use crate::secret::Secret;

/// The OAuth helper functions [`call_json`] knows.
pub const FUNCTIONS: [&str; 4] = [
    "authorizationUrl",
    "exchangeCode",
    "codeChallenge",
    "newCodeVerifier",
];

/// Where the endpoints are: at most one of these; production's when none is set.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Endpoints {
    environment: Option<Environment>,
    base_url: Option<String>,
    authorize_url: Option<String>,
    token_url: Option<String>,
}

impl Endpoints {
    fn resolve(&self) -> Result<OAuthEndpoints> {
        let set = [
            self.environment.is_some(),
            self.base_url.is_some(),
            self.authorize_url.is_some() || self.token_url.is_some(),
        ];
        if set.iter().filter(|s| **s).count() > 1 {
            return Err(Error::invalid_argument(
                "set at most one of environment, base_url, or the endpoint URL",
            ));
        }
        let mut endpoints = match &self.base_url {
            Some(base_url) => {
                credential_url("base_url", base_url)?;
                OAuthEndpoints::for_api_url(base_url)
            }
            None => OAuthEndpoints::for_environment(self.environment.unwrap_or_default()),
        };
        if let Some(url) = &self.authorize_url {
            endpoints.authorize_url = url.clone();
        }
        if let Some(url) = &self.token_url {
            endpoints.token_url = url.clone();
        }
        Ok(endpoints)
    }
}

/// The request of `authorizationUrl`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct AuthorizeRequest {
    client_id: String,
    redirect_uri: String,
    #[serde(default)]
    scopes: Vec<String>,
    state: Option<String>,
    #[serde(flatten)]
    endpoints: Endpoints,
}

/// The request of `exchangeCode`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ExchangeRequest {
    client_id: String,
    client_secret: String,
    code: String,
    code_verifier: String,
    redirect_uri: String,
    #[serde(flatten)]
    endpoints: Endpoints,
}

/// The request of `codeChallenge`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ChallengeRequest {
    code_verifier: String,
}

/// The request of `newCodeVerifier`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct EmptyRequest {}

/// Calls an OAuth helper by name with a JSON request, JSON out; errors as
/// [`Error::to_json`]. The functions:
///
/// - `authorizationUrl`: `{client_id, redirect_uri, scopes?, state?}` → `{url, code_verifier,
///   state}` (see [`authorization_url`]);
/// - `exchangeCode`: `{client_id, client_secret, code, code_verifier, redirect_uri}` → the
///   tokens as [`OAuthTokens::to_json`](crate::oauth::OAuthTokens::to_json) (see
///   [`exchange_code`]; blocking);
/// - `codeChallenge`: `{code_verifier}` → `{code_challenge}`;
/// - `newCodeVerifier`: `{}` → `{code_verifier}`.
///
/// The first two also take where the endpoints are: `environment` (`"production"`, the
/// default, or `"staging"`), or `base_url` (an API URL, such as the emulator's), or the
/// endpoint URLs themselves (`authorize_url`, `token_url`).
pub fn call_json(function: &str, request_json: &str) -> Result<String> {
    catch_panics(function, || {
        dispatch(function, request_json).map(|v| v.to_string())
    })
}

fn dispatch(function: &str, request_json: &str) -> Result<Value> {
    match function {
        "authorizationUrl" => {
            let request: AuthorizeRequest = parse(function, request_json)?;
            let scopes: Vec<&str> = request.scopes.iter().map(String::as_str).collect();
            let auth = authorization_url(
                &request.endpoints.resolve()?,
                &request.client_id,
                &request.redirect_uri,
                &scopes,
                request.state.as_deref(),
            )?;
            Ok(json!({
                "url": auth.url,
                "code_verifier": auth.code_verifier.expose(),
                "state": auth.state,
            }))
        }
        "exchangeCode" => {
            let request: ExchangeRequest = parse(function, request_json)?;
            let tokens = exchange_code(
                &request.endpoints.resolve()?,
                &request.client_id,
                &Secret::new(request.client_secret),
                &request.code,
                &Secret::new(request.code_verifier),
                &request.redirect_uri,
            )?;
            Ok(tokens.to_json())
        }
        "codeChallenge" => {
            let request: ChallengeRequest = parse(function, request_json)?;
            validate_code_verifier(&request.code_verifier)?;
            Ok(json!({ "code_challenge": code_challenge(&request.code_verifier) }))
        }
        "newCodeVerifier" => {
            parse::<EmptyRequest>(function, request_json)?;
            Ok(json!({ "code_verifier": new_code_verifier()?.expose() }))
        }
        other => Err(Error::invalid_argument(format!(
            "unknown OAuth function {other:?}; expected one of {}",
            FUNCTIONS.join(", ")
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn call(function: &str, request: Value) -> Value {
        serde_json::from_str(&call_json(function, &request.to_string()).unwrap()).unwrap()
    }

    fn error(function: &str, request: &str) -> Error {
        call_json(function, request).unwrap_err()
    }

    #[test]
    fn the_challenge_is_the_rfc_7636_one() {
        let out = call(
            "codeChallenge",
            json!({"code_verifier": "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"}),
        );
        assert_eq!(
            out,
            json!({"code_challenge": "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"})
        );
    }

    #[test]
    fn a_new_verifier_is_valid_and_fresh() {
        let a = call("newCodeVerifier", json!({}));
        let b = call("newCodeVerifier", Value::Null);
        let a = a["code_verifier"].as_str().unwrap();
        validate_code_verifier(a).unwrap();
        assert_ne!(a, b["code_verifier"].as_str().unwrap());
    }

    #[test]
    fn the_authorization_url_goes_to_the_chosen_endpoints() {
        let out = call(
            "authorizationUrl",
            json!({"client_id": "c", "redirect_uri": "http://localhost/cb",
                   "scopes": ["export:read"], "state": "s1", "base_url": "http://127.0.0.1:9"}),
        );
        let url = out["url"].as_str().unwrap();
        assert!(
            url.starts_with("http://127.0.0.1:9/oauth/authorize?"),
            "{url}"
        );
        assert!(url.contains("scope=export%3Aread"), "{url}");
        assert_eq!(out["state"], "s1");
        let verifier = out["code_verifier"].as_str().unwrap();
        assert!(url.contains(&code_challenge(verifier)), "{url}");

        let staging = call(
            "authorizationUrl",
            json!({"client_id": "c", "redirect_uri": "http://localhost/cb", "environment": "staging"}),
        );
        assert!(
            staging["url"]
                .as_str()
                .unwrap()
                .starts_with("https://auth.staging.pleo.io/oauth/authorize?")
        );
    }

    #[test]
    fn bad_requests_name_what_is_wrong() {
        let unknown = error("refresh", "{}");
        assert!(
            unknown.message().contains("unknown OAuth function"),
            "{unknown}"
        );
        let field = error("codeChallenge", r#"{"verifier": "x"}"#);
        assert!(field.message().contains("verifier"), "{field}");
        let short = error("codeChallenge", r#"{"code_verifier": "short"}"#);
        assert_eq!(short.kind(), crate::ErrorKind::InvalidArgument);
        let both = error(
            "authorizationUrl",
            r#"{"client_id": "c", "redirect_uri": "http://l/cb", "environment": "staging", "base_url": "http://127.0.0.1:9"}"#,
        );
        assert!(both.message().contains("at most one"), "{both}");
        let not_object = error("newCodeVerifier", "[1]");
        assert!(
            not_object.message().contains("must be an object"),
            "{not_object}"
        );
    }
}
