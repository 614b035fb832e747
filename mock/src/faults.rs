//! Injected faults: errors, delays, dropped connections and broken bodies, served in
//! FIFO order before a request is handled.

use std::collections::VecDeque;
use std::time::Duration;

use hyper::StatusCode;
use hyper::header::{HeaderValue, RETRY_AFTER};
use serde::Deserialize;
use serde_json::{Value, json};

use crate::error::MockError;
use crate::models::ErrorBody;
use crate::operation;
use crate::response::{self, HttpResponse, JSON};

/// The body of [`Fault::malformed_body`] unless [`Fault::with_body`] gives another.
pub const MALFORMED_BODY: &str = "{\"id\": \"this body is not valid JSON";

/// What a fault does once its delay is over.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Action {
    /// Nothing: the request is answered normally.
    Proceed,
    /// Answer with this status instead.
    Status(u16),
    /// Close the connection without answering.
    Drop,
    /// Answer 200 with a JSON content type and a body that is not JSON.
    Malformed,
}

/// A fault to inject into the next matching API request(s).
///
/// Faults wait in a FIFO queue. Each API request (never an admin request, nor one that
/// matches no operation) takes the first queued fault whose operation filter matches it,
/// waits for the fault's delay without blocking other requests, then acts. Faults are
/// applied before authentication, like a proxy's errors would be.
///
/// ```
/// use std::time::Duration;
/// use pleo_installations_mock::Fault;
/// let throttled = Fault::status(429).with_retry_after("2").times(2);
/// let slow = Fault::delay(Duration::from_millis(50)).for_operation("getClientInstallation");
/// let cut = Fault::drop_connection().with_delay(Duration::from_millis(10));
/// # drop((throttled, slow, cut));
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Fault {
    action: Action,
    delay: Duration,
    retry_after: Option<String>,
    body: Option<String>,
    operation: Option<String>,
    times: u32,
}

impl Fault {
    fn new(action: Action) -> Fault {
        Fault {
            action,
            delay: Duration::ZERO,
            retry_after: None,
            body: None,
            operation: None,
            times: 1,
        }
    }

    /// Answers with `status` (200–599) and the error body
    /// `{"error": "<reason>", "message": "injected fault …", "status": <status>}`
    /// unless [`with_body`](Fault::with_body) gives another. A status outside 200–599
    /// is answered as 500.
    pub fn status(status: u16) -> Fault {
        Fault::new(Action::Status(status))
    }

    /// Waits `delay`, then answers normally.
    pub fn delay(delay: Duration) -> Fault {
        Fault::new(Action::Proceed).with_delay(delay)
    }

    /// Closes the TCP connection without sending any response.
    pub fn drop_connection() -> Fault {
        Fault::new(Action::Drop)
    }

    /// Answers 200 with `Content-Type: application/json;charset=UTF-8` and a body that is
    /// not JSON ([`MALFORMED_BODY`] unless [`with_body`](Fault::with_body) gives another).
    pub fn malformed_body() -> Fault {
        Fault::new(Action::Malformed)
    }

    /// Adds a `Retry-After` header with this raw value (seconds or an HTTP date) to a
    /// [`status`](Fault::status) fault. A value that is not a valid header value is left out.
    pub fn with_retry_after(mut self, value: impl Into<String>) -> Fault {
        self.retry_after = Some(value.into());
        self
    }

    /// The body (sent as is, with the JSON content type) of a [`status`](Fault::status) or
    /// [`malformed_body`](Fault::malformed_body) fault.
    pub fn with_body(mut self, body: impl Into<String>) -> Fault {
        self.body = Some(body.into());
        self
    }

    /// Waits `delay` before acting; combinable with every kind of fault.
    pub fn with_delay(mut self, delay: Duration) -> Fault {
        self.delay = delay;
        self
    }

    /// Applies only to requests of this `operationId`, e.g. `"getClientInstallation"`.
    /// An id the spec does not have never matches (the admin API rejects it instead).
    pub fn for_operation(mut self, operation_id: impl Into<String>) -> Fault {
        self.operation = Some(operation_id.into());
        self
    }

    /// Applies to the next `n` matching requests instead of one (`0` counts as 1).
    pub fn times(mut self, n: u32) -> Fault {
        self.times = n.max(1);
        self
    }

    /// Reads the admin API's description of a fault:
    /// `{"operation"?, "status"?, "retry_after"?, "body"?, "delay_ms"?, "drop"?,
    /// "malformed"?, "times"?}`, with at most one of `status`, `drop`, `malformed`, and at
    /// least one of them or `delay_ms`.
    pub fn from_json(value: &Value) -> Result<Fault, MockError> {
        let spec = FaultSpec::deserialize(value)
            .map_err(|e| MockError::new(format!("bad fault description: {e}")))?;
        spec.into_fault()
    }

    /// Reads one fault description, or an array of them (all valid, or an error).
    pub fn list_from_json(value: &Value) -> Result<Vec<Fault>, MockError> {
        match value {
            Value::Array(items) => items.iter().map(Fault::from_json).collect(),
            single => Ok(vec![Fault::from_json(single)?]),
        }
    }

    /// This fault in the admin API's JSON form (`times` is what is left of it).
    pub fn to_json(&self) -> Value {
        let mut out = json!({ "times": self.times });
        let set = |out: &mut Value, key: &str, value: Value| {
            if let Value::Object(map) = out {
                map.insert(key.to_owned(), value);
            }
        };
        match self.action {
            Action::Proceed => {}
            Action::Status(status) => set(&mut out, "status", json!(status)),
            Action::Drop => set(&mut out, "drop", json!(true)),
            Action::Malformed => set(&mut out, "malformed", json!(true)),
        }
        if !self.delay.is_zero() {
            let millis = u64::try_from(self.delay.as_millis()).unwrap_or(u64::MAX);
            set(&mut out, "delay_ms", json!(millis));
        }
        if let Some(op) = &self.operation {
            set(&mut out, "operation", json!(op));
        }
        if let Some(value) = &self.retry_after {
            set(&mut out, "retry_after", json!(value));
        }
        if let Some(body) = &self.body {
            set(&mut out, "body", json!(body));
        }
        out
    }

    fn matches(&self, operation_id: &str) -> bool {
        self.operation
            .as_deref()
            .is_none_or(|op| op == operation_id)
    }

    /// How long to wait before acting.
    pub(crate) fn wait(&self) -> Duration {
        self.delay
    }

    /// What to do once the wait is over.
    pub(crate) fn effect(&self) -> Effect {
        match self.action {
            Action::Proceed => Effect::Proceed,
            Action::Drop => Effect::DropConnection,
            Action::Malformed => {
                let body = self
                    .body
                    .clone()
                    .unwrap_or_else(|| MALFORMED_BODY.to_owned());
                Effect::Respond(response::raw(StatusCode::OK, JSON, body))
            }
            Action::Status(code) => Effect::Respond(self.status_response(code)),
        }
    }

    fn status_response(&self, code: u16) -> HttpResponse {
        let valid = StatusCode::from_u16(code)
            .ok()
            .filter(|s| (200..=599).contains(&s.as_u16()));
        let status = valid.unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let body = match (&self.body, valid) {
            (Some(body), _) => body.clone(),
            (None, Some(_)) => error_json(status, format!("injected fault: {status}")),
            (None, None) => error_json(
                status,
                format!("injected fault with invalid status {code}, answered as 500"),
            ),
        };
        let mut response = response::raw(status, JSON, body);
        if let Some(value) = self
            .retry_after
            .as_deref()
            .and_then(|v| HeaderValue::from_str(v).ok())
        {
            response.headers_mut().insert(RETRY_AFTER, value);
        }
        response
    }
}

fn error_json(status: StatusCode, message: String) -> String {
    let body = ErrorBody {
        error: response::reason_of(status),
        message,
        status: status.as_u16(),
    };
    serde_json::to_string(&body).unwrap_or_default()
}

/// What an applied fault does to its request.
pub(crate) enum Effect {
    /// Handle the request normally.
    Proceed,
    /// Close the connection without a response.
    DropConnection,
    /// Send this response instead.
    Respond(HttpResponse),
}

/// The queue of pending faults.
#[derive(Debug, Default)]
pub(crate) struct FaultQueue {
    queue: VecDeque<Fault>,
}

impl FaultQueue {
    pub(crate) fn push(&mut self, fault: Fault) {
        self.queue.push_back(fault);
    }

    pub(crate) fn clear(&mut self) {
        self.queue.clear();
    }

    pub(crate) fn len(&self) -> usize {
        self.queue.len()
    }

    /// Copies of the queued faults, in order (take it under the lock, describe them with
    /// [`Fault::to_json`] after releasing it).
    pub(crate) fn snapshot(&self) -> Vec<Fault> {
        self.queue.iter().cloned().collect()
    }

    /// Takes one use of the first fault that applies to `operation_id`.
    pub(crate) fn take(&mut self, operation_id: &str) -> Option<Fault> {
        let index = self.queue.iter().position(|f| f.matches(operation_id))?;
        let fault = self.queue.get_mut(index)?;
        if fault.times > 1 {
            fault.times -= 1;
            Some(fault.clone())
        } else {
            self.queue.remove(index)
        }
    }
}

/// The admin API's JSON description of a fault.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct FaultSpec {
    operation: Option<String>,
    status: Option<u16>,
    retry_after: Option<String>,
    body: Option<String>,
    delay_ms: Option<u64>,
    drop: Option<bool>,
    malformed: Option<bool>,
    times: Option<u32>,
}

impl FaultSpec {
    fn into_fault(self) -> Result<Fault, MockError> {
        let drop = self.drop.unwrap_or(false);
        let malformed = self.malformed.unwrap_or(false);
        let actions =
            usize::from(self.status.is_some()) + usize::from(drop) + usize::from(malformed);
        if actions > 1 {
            return Err(MockError::new(
                "a fault takes at most one of \"status\", \"drop\" and \"malformed\"",
            ));
        }
        let action = match (self.status, drop, malformed) {
            (Some(status), _, _) if !(200..=599).contains(&status) => {
                return Err(MockError::new(format!(
                    "\"status\" must be between 200 and 599, not {status}"
                )));
            }
            (Some(status), _, _) => Action::Status(status),
            (None, true, _) => Action::Drop,
            (None, _, true) => Action::Malformed,
            (None, false, false) if self.delay_ms.is_some() => Action::Proceed,
            (None, false, false) => {
                return Err(MockError::new(
                    "a fault needs \"status\", \"drop\": true, \"malformed\": true or \"delay_ms\"",
                ));
            }
        };
        if self.retry_after.is_some() && !matches!(action, Action::Status(_)) {
            return Err(MockError::new("\"retry_after\" needs \"status\""));
        }
        if self.body.is_some() && !matches!(action, Action::Status(_) | Action::Malformed) {
            return Err(MockError::new("\"body\" needs \"status\" or \"malformed\""));
        }
        if let Some(value) = &self.retry_after
            && HeaderValue::from_str(value).is_err()
        {
            return Err(MockError::new(
                "\"retry_after\" is not a valid header value",
            ));
        }
        if let Some(op) = &self.operation
            && !operation::is_known(op)
        {
            return Err(MockError::new(format!(
                "\"operation\" {op:?} is not an operationId of the API (one of {}, {})",
                operation::OPERATION_IDS.join(", "),
                operation::OAUTH_OPERATION_IDS.join(", ")
            )));
        }
        if self.times == Some(0) {
            return Err(MockError::new("\"times\" must be at least 1"));
        }
        Ok(Fault {
            action,
            delay: Duration::from_millis(self.delay_ms.unwrap_or(0)),
            retry_after: self.retry_after,
            body: self.body,
            operation: self.operation,
            times: self.times.unwrap_or(1),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn takes_the_first_matching_fault_and_counts_uses() {
        let mut queue = FaultQueue::default();
        queue.push(Fault::status(500).for_operation("introspect").times(2));
        queue.push(Fault::drop_connection());
        assert_eq!(
            queue.take("getClientInstallation"),
            Some(Fault::drop_connection())
        );
        assert!(queue.take("getClientInstallation").is_none());
        assert!(queue.take("introspect").is_some());
        assert!(queue.take("introspect").is_some());
        assert!(queue.take("introspect").is_none());
        assert_eq!(queue.len(), 0);
    }

    #[test]
    fn json_round_trip() {
        let fault = Fault::status(429)
            .with_retry_after("3")
            .with_body("{}")
            .with_delay(Duration::from_millis(20))
            .for_operation("introspect")
            .times(4);
        assert_eq!(Fault::from_json(&fault.to_json()), Ok(fault));
        for bad in [
            json!({}),
            json!({"status": 503, "drop": true}),
            json!({"status": 99}),
            json!({"drop": true, "retry_after": "1"}),
            json!({"status": 500, "operation": "nope"}),
            json!({"status": 500, "times": 0}),
            json!({"status": 500, "colour": "red"}),
            json!({"status": "500"}),
        ] {
            assert!(Fault::from_json(&bad).is_err(), "{bad}");
        }
    }
}
