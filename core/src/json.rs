//! The JSON façade: any operation by its id, JSON in and JSON out. Every binding calls this.

use crate::call::Reply;
use crate::client::{AsyncClient, Calls, Client};
use crate::error::{Result, catch_panics};
use crate::models::{Installation, Introspection};
use crate::operation::Operation;
use crate::request::Request;

impl Client {
    /// Calls an operation by its OpenAPI `operationId` with a JSON request (the query
    /// parameters and body fields, with the API's own names; `{}`, `null` or `""` when it
    /// takes nothing) and returns the server's JSON untouched once it has been checked to
    /// decode (`null` for 204).
    ///
    /// Besides the seven API operations, [`WAIT_FOR_STATUS`](crate::WAIT_FOR_STATUS) takes
    /// `{"statuses": [...], "timeout_ms": n}` and returns the installation, and
    /// [`REFRESH_TOKENS`](crate::REFRESH_TOKENS) refreshes the OAuth tokens now.
    ///
    /// A request refused (`invalid_argument`) is refused before anything starts. A panic
    /// inside the SDK is caught and returned as kind `internal`, so that no binding's host
    /// process goes down with it.
    pub fn call_json(&self, operation_id: &str, request_json: &str) -> Result<String> {
        catch_panics(operation_id, || {
            let request = Request::parse(operation_id, request_json)?;
            self.block(|calls| calls.run(request))
        })
    }
}

impl AsyncClient {
    /// As [`Client::call_json`].
    pub async fn call_json(&self, operation_id: &str, request_json: &str) -> Result<String> {
        let request = Request::parse(operation_id, request_json)?;
        self.spawn(|calls| async move { calls.run(request).await })
            .await
    }
}

impl Calls {
    /// Runs a parsed `call_json` request, on whichever client; the result's JSON.
    pub(crate) async fn run(&self, request: Request) -> Result<String> {
        let call = match request {
            Request::Refresh => {
                self.transport.refresh_tokens().await?;
                return Ok("null".to_owned());
            }
            Request::Wait(statuses, timeout) => {
                let (_, reply) = self.wait(&statuses, timeout).await?;
                return Ok(text(reply));
            }
            Request::Send(call) => call,
        };
        let reply = match call.operation {
            Operation::DeleteInstallation => {
                self.send(&call, None).await?;
                return Ok("null".to_owned());
            }
            Operation::Introspect => self.fetch::<Introspection>(&call, None).await?.1,
            _ => self.fetch::<Installation>(&call, None).await?.1,
        };
        Ok(text(reply))
    }
}

fn text(reply: Reply) -> String {
    if reply.body.is_empty() {
        return "null".to_owned();
    }
    // A body that decoded as JSON is valid UTF-8.
    String::from_utf8_lossy(&reply.body).into_owned()
}
