//! The journal: every API request received, in order (admin requests are not recorded).

use std::collections::VecDeque;

use serde::Serialize;

/// One API request as the emulator received it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct RecordedRequest {
    /// The HTTP method, e.g. `"GET"`.
    pub method: String,
    /// The path as sent, with its query string, e.g. `/v1/installations/me?company_id=…`.
    pub path: String,
    /// The `operationId` the request matched, or `None` (404 or 405).
    pub operation: Option<String>,
    /// The headers in the order received; names are lower case.
    pub headers: Vec<(String, String)>,
    /// The body (lossily decoded as UTF-8; empty when it exceeded the size limit).
    pub body: String,
    /// The `x-request-id` of the response to this request.
    pub request_id: String,
    /// The client's address; requests that came over one keep-alive connection share it.
    pub peer: std::net::SocketAddr,
}

impl RecordedRequest {
    /// The value of the first header called `name` (case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// The recorded requests, capped at `limit` entries.
#[derive(Debug)]
pub(crate) struct Journal {
    entries: VecDeque<RecordedRequest>,
    limit: usize,
}

impl Journal {
    pub(crate) fn new(limit: usize) -> Journal {
        Journal {
            entries: VecDeque::new(),
            limit,
        }
    }

    pub(crate) fn record(&mut self, request: RecordedRequest) {
        if self.limit == 0 {
            return;
        }
        while self.entries.len() >= self.limit {
            self.entries.pop_front();
        }
        self.entries.push_back(request);
    }

    pub(crate) fn entries(&self) -> Vec<RecordedRequest> {
        self.entries.iter().cloned().collect()
    }

    pub(crate) fn clear(&mut self) {
        self.entries.clear();
    }
}
