//! One call of an operation, as the clients make it (what to send), and its successful reply.

use uuid::Uuid;

use crate::error::{Error, Result};
use crate::models::{CreateInstallation, UpdateInstallation};
use crate::operation::Operation;

/// The largest response body the client reads; a larger one is a `decode` error.
pub const MAX_RESPONSE_BYTES: usize = 1024 * 1024;

/// The largest request body the client sends; a larger one is `invalid_argument`, sent
/// never. As large as the largest response read: the installation it makes comes back.
pub const MAX_REQUEST_BYTES: usize = MAX_RESPONSE_BYTES;

/// One call of an operation: what to send.
#[derive(Debug, Clone)]
pub(crate) struct Call {
    pub(crate) operation: Operation,
    pub(crate) company_id: Option<Uuid>,
    pub(crate) body: Option<Vec<u8>>,
}

/// A successful response.
#[derive(Debug)]
pub(crate) struct Reply {
    pub(crate) status: u16,
    pub(crate) body: Vec<u8>,
    pub(crate) request_id: Option<String>,
    pub(crate) attempts: u32,
}

impl Call {
    pub(crate) fn bare(operation: Operation) -> Call {
        Call {
            operation,
            company_id: None,
            body: None,
        }
    }

    pub(crate) fn get(company_id: Option<Uuid>) -> Call {
        Call {
            company_id,
            ..Call::bare(Operation::GetInstallation)
        }
    }

    pub(crate) fn create(request: &CreateInstallation) -> Result<Call> {
        request.validate()?;
        Call::with_body(Operation::CreateInstallation, request)
    }

    pub(crate) fn update(request: &UpdateInstallation) -> Result<Call> {
        request.validate()?;
        Call::with_body(Operation::UpdateInstallation, request)
    }

    /// A call with a JSON body of at most [`MAX_REQUEST_BYTES`].
    fn with_body(operation: Operation, body: &impl serde::Serialize) -> Result<Call> {
        let body = serde_json::to_vec(body).expect("request models serialize to JSON");
        if body.len() > MAX_REQUEST_BYTES {
            return Err(Error::invalid_argument(format!(
                "{}: the request body is {} bytes, more than the {MAX_REQUEST_BYTES} the SDK sends (an installation that large could not be read back)",
                operation.id(),
                body.len()
            )));
        }
        Ok(Call {
            body: Some(body),
            ..Call::bare(operation)
        })
    }
}
