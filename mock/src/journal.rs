//! The journal: the API requests received, in order (admin requests are not recorded),
//! bounded in entries and in bytes.
//!
//! Entries are built outside the lock ([`JournalLimits::entry`]) and stored behind an
//! [`Arc`], so that a reader takes a snapshot (a vector of `Arc`s) under the lock and
//! copies or serialises it after releasing it: a large journal never stalls the requests
//! that are recording into it.

use std::collections::VecDeque;
use std::net::SocketAddr;
use std::sync::Arc;

use serde::{Serialize, Serializer};

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
    /// The body, lossily decoded as UTF-8: whole, or its first
    /// [`journal_body_bytes`](crate::MockConfig::journal_body_bytes) bytes (64 KiB by
    /// default; then `body_truncated` is `true`), or empty when the request was refused
    /// with 413.
    pub body: String,
    /// Whether `body` is less than the body received: cut at the journal's per-entry cap,
    /// or not kept at all because it was over the size limit (413).
    pub body_truncated: bool,
    /// The size in bytes of the body received, or `None` when it was over the size limit
    /// (413) and therefore not read whole.
    pub body_size: Option<usize>,
    /// The `x-request-id` of the response to this request.
    pub request_id: String,
    /// The client's address; requests that came over one keep-alive connection share it.
    pub peer: SocketAddr,
}

impl RecordedRequest {
    /// The value of the first header called `name` (case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// The bytes this entry is accounted for: the lengths of its texts (method, path,
    /// operation, header names and values, body, request id) plus a fixed allowance for
    /// its bookkeeping ([`ENTRY_OVERHEAD`] per entry, [`HEADER_OVERHEAD`] per header).
    fn accounted_bytes(&self) -> usize {
        ENTRY_OVERHEAD
            + self.method.len()
            + self.path.len()
            + self.operation.as_ref().map_or(0, String::len)
            + self
                .headers
                .iter()
                .map(|(name, value)| HEADER_OVERHEAD + name.len() + value.len())
                .sum::<usize>()
            + self.body.len()
            + self.request_id.len()
    }
}

/// The fixed bytes each entry is accounted for beyond its texts (the entry itself, its
/// reference count and the allocations of its strings).
const ENTRY_OVERHEAD: usize = 256;

/// The fixed bytes each header is accounted for beyond its name and value.
const HEADER_OVERHEAD: usize = 48;

/// How much the journal keeps (from [`MockConfig`](crate::MockConfig)).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct JournalLimits {
    /// Entries kept at most; `0` keeps none.
    pub(crate) max_entries: usize,
    /// Accounted bytes kept at most; `0` keeps none.
    pub(crate) max_bytes: usize,
    /// Bytes of each body kept at most.
    pub(crate) max_body_bytes: usize,
}

/// A request as the server saw it, before it becomes an entry.
pub(crate) struct Received<'a> {
    pub(crate) method: &'a str,
    pub(crate) path: String,
    pub(crate) operation: Option<&'a str>,
    pub(crate) headers: &'a hyper::HeaderMap,
    /// The body, or `None` when it was over the size limit.
    pub(crate) body: Option<&'a [u8]>,
    pub(crate) request_id: &'a str,
    pub(crate) peer: SocketAddr,
}

/// An entry ready to be recorded, with its accounted size.
#[derive(Debug)]
pub(crate) struct Entry {
    request: Arc<RecordedRequest>,
    bytes: usize,
}

impl JournalLimits {
    /// Whether the journal keeps anything at all.
    pub(crate) fn enabled(&self) -> bool {
        self.max_entries > 0 && self.max_bytes > 0
    }

    /// Builds the entry of a request (call it without holding the journal's lock): the
    /// body is cut to `max_body_bytes`, and further when the rest of the entry leaves less
    /// than that of the whole budget.
    pub(crate) fn entry(&self, received: Received<'_>) -> Entry {
        let mut request = RecordedRequest {
            method: received.method.to_owned(),
            path: received.path,
            operation: received.operation.map(str::to_owned),
            headers: received
                .headers
                .iter()
                .map(|(name, value)| {
                    let value = String::from_utf8_lossy(value.as_bytes()).into_owned();
                    (name.as_str().to_owned(), value)
                })
                .collect(),
            body: String::new(),
            body_truncated: received.body.is_none(),
            body_size: received.body.map(<[u8]>::len),
            request_id: received.request_id.to_owned(),
            peer: received.peer,
        };
        if let Some(body) = received.body {
            let room = self
                .max_bytes
                .saturating_sub(request.accounted_bytes())
                .min(self.max_body_bytes);
            let (text, cut) = lossy_prefix(body, room);
            request.body = text;
            request.body_truncated = cut;
        }
        let bytes = request.accounted_bytes();
        Entry {
            request: Arc::new(request),
            bytes,
        }
    }
}

/// The longest prefix of `String::from_utf8_lossy(bytes)` that is at most `limit` bytes
/// and ends on a character boundary, and whether anything was cut.
///
/// Only the first `limit + 4` bytes are decoded: a UTF-8 sequence (or an invalid one that
/// becomes U+FFFD) is at most 4 bytes, and decoding never makes text shorter, so the
/// characters within the first `limit` bytes of the output all come from there.
fn lossy_prefix(bytes: &[u8], limit: usize) -> (String, bool) {
    let read = bytes.len().min(limit.saturating_add(4));
    let mut text = String::from_utf8_lossy(&bytes[..read]).into_owned();
    if text.len() <= limit && read == bytes.len() {
        return (text, false);
    }
    let mut end = limit.min(text.len());
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    text.truncate(end);
    text.shrink_to_fit();
    (text, true)
}

/// The journal's counters, from [`MockServer::journal_stats`](crate::MockServer::journal_stats)
/// or `GET /__mock/journal/stats`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct JournalStats {
    /// Entries held now.
    pub entries: usize,
    /// Bytes the entries held now are accounted for (texts plus a fixed allowance per
    /// entry and per header). At most `max_bytes`, unless one entry alone is larger (its
    /// path and headers, which hyper bounds to about 400 KiB; the body is cut to fit).
    pub bytes: usize,
    /// The cap on entries ([`MockConfig::journal_limit`](crate::MockConfig::journal_limit)).
    pub max_entries: usize,
    /// The cap on accounted bytes
    /// ([`MockConfig::journal_max_bytes`](crate::MockConfig::journal_max_bytes)).
    pub max_bytes: usize,
    /// The cap on each entry's body
    /// ([`MockConfig::journal_body_bytes`](crate::MockConfig::journal_body_bytes)).
    pub max_body_bytes: usize,
    /// Entries dropped (oldest first) to stay within the caps since the start, the last
    /// clear or the last reset.
    pub dropped: u64,
    /// Entries recorded with a truncated body since the start, the last clear or the last
    /// reset (413 refusals included).
    pub truncated: u64,
}

/// The recorded requests, bounded by [`JournalLimits`]; the oldest go first.
#[derive(Debug)]
pub(crate) struct Journal {
    entries: VecDeque<Entry>,
    bytes: usize,
    limits: JournalLimits,
    dropped: u64,
    truncated: u64,
}

impl Journal {
    pub(crate) fn new(limits: JournalLimits) -> Journal {
        Journal {
            entries: VecDeque::new(),
            bytes: 0,
            limits,
            dropped: 0,
            truncated: 0,
        }
    }

    /// Appends `entry`, first dropping the oldest entries until it fits both caps. The
    /// newest entry is always kept (unless the journal is disabled).
    pub(crate) fn record(&mut self, entry: Entry) {
        if !self.limits.enabled() {
            return;
        }
        while let Some(oldest) = self.entries.front() {
            let full = self.entries.len() >= self.limits.max_entries;
            let over = self.bytes + entry.bytes > self.limits.max_bytes;
            if !full && !over {
                break;
            }
            self.bytes -= oldest.bytes;
            self.entries.pop_front();
            self.dropped += 1;
        }
        if entry.request.body_truncated {
            self.truncated += 1;
        }
        self.bytes += entry.bytes;
        self.entries.push_back(entry);
    }

    /// The entries, oldest first, shared: cheap to take under the lock (one reference
    /// count each); copy or serialise them after releasing it.
    pub(crate) fn snapshot(&self) -> Snapshot {
        Snapshot {
            entries: self.entries.iter().map(|e| e.request.clone()).collect(),
        }
    }

    pub(crate) fn stats(&self) -> JournalStats {
        JournalStats {
            entries: self.entries.len(),
            bytes: self.bytes,
            max_entries: self.limits.max_entries,
            max_bytes: self.limits.max_bytes,
            max_body_bytes: self.limits.max_body_bytes,
            dropped: self.dropped,
            truncated: self.truncated,
        }
    }

    pub(crate) fn clear(&mut self) {
        self.entries.clear();
        self.bytes = 0;
        self.dropped = 0;
        self.truncated = 0;
    }
}

/// The journal's entries at one moment, sharing their contents with the journal.
#[derive(Debug, Default)]
pub(crate) struct Snapshot {
    entries: Vec<Arc<RecordedRequest>>,
}

impl Snapshot {
    /// Copies of the entries, oldest first.
    pub(crate) fn to_vec(&self) -> Vec<RecordedRequest> {
        self.entries
            .iter()
            .map(|e| RecordedRequest::clone(e))
            .collect()
    }
}

impl Serialize for Snapshot {
    /// A JSON array of the entries, as `Vec<RecordedRequest>` would be.
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(self.entries.iter().map(|e| &**e))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn limits(max_entries: usize, max_bytes: usize, max_body_bytes: usize) -> JournalLimits {
        JournalLimits {
            max_entries,
            max_bytes,
            max_body_bytes,
        }
    }

    fn entry(limits: &JournalLimits, body: Option<&[u8]>) -> Entry {
        let headers = hyper::HeaderMap::new();
        limits.entry(Received {
            method: "PUT",
            path: "/v1/installations/me".to_owned(),
            operation: Some("updateClientInstallation"),
            headers: &headers,
            body,
            request_id: "mock-1",
            peer: SocketAddr::from(([127, 0, 0, 1], 1)),
        })
    }

    #[test]
    fn lossy_prefix_cuts_on_a_character_boundary() {
        assert_eq!(lossy_prefix(b"hello", 10), ("hello".to_owned(), false));
        assert_eq!(lossy_prefix(b"hello", 5), ("hello".to_owned(), false));
        assert_eq!(lossy_prefix(b"hello", 3), ("hel".to_owned(), true));
        // "é" is two bytes: a cut in its middle drops it.
        assert_eq!(lossy_prefix("aé".as_bytes(), 2), ("a".to_owned(), true));
        assert_eq!(lossy_prefix("aé".as_bytes(), 3), ("aé".to_owned(), false));
        // An invalid byte becomes U+FFFD (3 bytes), which must fit whole.
        assert_eq!(lossy_prefix(b"a\xffb", 3), ("a".to_owned(), true));
        assert_eq!(lossy_prefix(b"a\xffb", 4), ("a\u{fffd}".to_owned(), true));
        assert_eq!(lossy_prefix(b"a\xffb", 5), ("a\u{fffd}b".to_owned(), false));
        assert_eq!(lossy_prefix(b"abc", 0), (String::new(), true));
        assert_eq!(lossy_prefix(b"", 0), (String::new(), false));
    }

    #[test]
    fn lossy_prefix_matches_decoding_everything() {
        let samples: [&[u8]; 4] = [
            "añb€c😀d".as_bytes(),
            b"\xf0\x9f\x98",
            b"x\xe2\x82y\xc3",
            b"\xff\xfe\xfd\xfc\xfb",
        ];
        for bytes in samples {
            let whole = String::from_utf8_lossy(bytes);
            for limit in 0..=whole.len() + 2 {
                let (text, cut) = lossy_prefix(bytes, limit);
                let mut end = limit.min(whole.len());
                while !whole.is_char_boundary(end) {
                    end -= 1;
                }
                assert_eq!(text, whole[..end], "{bytes:?} at {limit}");
                assert_eq!(cut, end < whole.len(), "{bytes:?} at {limit}");
            }
        }
    }

    #[test]
    fn bodies_over_the_cap_are_cut_and_marked() {
        let limits = limits(100, 1 << 20, 10);
        let whole = entry(&limits, Some(b"0123456789"));
        assert_eq!(whole.request.body, "0123456789");
        assert!(!whole.request.body_truncated);
        assert_eq!(whole.request.body_size, Some(10));
        let cut = entry(&limits, Some(b"0123456789abc"));
        assert_eq!(cut.request.body, "0123456789");
        assert!(cut.request.body_truncated);
        assert_eq!(cut.request.body_size, Some(13));
        let refused = entry(&limits, None);
        assert_eq!(refused.request.body, "");
        assert!(refused.request.body_truncated);
        assert_eq!(refused.request.body_size, None);
        assert_eq!(cut.bytes, cut.request.accounted_bytes());
    }

    #[test]
    fn stays_within_the_byte_budget_dropping_the_oldest() {
        let small = entry(&limits(1, 1 << 20, 0), Some(b"")).bytes;
        let budget = small * 3 + 100;
        let limits = limits(1000, budget, 1 << 20);
        let mut journal = Journal::new(limits);
        for _ in 0..10 {
            journal.record(entry(&limits, Some(b"{}")));
            assert!(journal.stats().bytes <= budget);
        }
        assert_eq!(journal.stats().entries, 3);
        assert_eq!(journal.stats().dropped, 7);
        // A body larger than the whole budget is cut to fit it, and is kept.
        journal.record(entry(&limits, Some(&[b'x'; 10_000])));
        let stats = journal.stats();
        assert!(stats.bytes <= budget, "{stats:?}");
        assert_eq!(stats.entries, 1);
        assert_eq!(stats.truncated, 1);
        let entries = journal.snapshot().to_vec();
        assert!(entries[0].body_truncated);
        assert_eq!(entries[0].body_size, Some(10_000));
        journal.clear();
        assert_eq!(journal.stats().entries, 0);
        assert_eq!(journal.stats().bytes, 0);
        assert_eq!(journal.stats().dropped, 0);
    }

    #[test]
    fn an_entry_larger_than_the_budget_is_kept_alone_without_its_body() {
        let limits = limits(100, 1000, 1 << 20);
        let mut journal = Journal::new(limits);
        journal.record(entry(&limits, Some(b"{}")));
        let mut headers = hyper::HeaderMap::new();
        headers.insert("x-large", "v".repeat(2000).parse().unwrap());
        let large = limits.entry(Received {
            method: "PUT",
            path: "/v1/installations/me".to_owned(),
            operation: None,
            headers: &headers,
            body: Some(b"{\"status\": \"X\"}"),
            request_id: "mock-2",
            peer: SocketAddr::from(([127, 0, 0, 1], 1)),
        });
        assert!(large.bytes > 1000);
        assert_eq!(large.request.body, "");
        assert!(large.request.body_truncated);
        journal.record(large);
        let stats = journal.stats();
        assert_eq!(stats.entries, 1, "{stats:?}");
        assert_eq!(stats.dropped, 1, "{stats:?}");
        assert_eq!(journal.snapshot().to_vec()[0].request_id, "mock-2");
    }

    #[test]
    fn stays_within_the_entry_cap() {
        let limits = limits(2, 1 << 20, 1024);
        let mut journal = Journal::new(limits);
        for _ in 0..5 {
            journal.record(entry(&limits, Some(b"{}")));
        }
        assert_eq!(journal.stats().entries, 2);
        assert_eq!(journal.stats().dropped, 3);
    }

    #[test]
    fn a_zero_cap_keeps_nothing() {
        for limits in [limits(0, 1 << 20, 1024), limits(10, 0, 1024)] {
            let mut journal = Journal::new(limits);
            journal.record(entry(&limits, Some(b"{}")));
            assert_eq!(journal.stats().entries, 0);
            assert_eq!(journal.stats().bytes, 0);
        }
    }

    #[test]
    fn a_snapshot_serialises_as_the_entries_do() {
        let limits = limits(10, 1 << 20, 1024);
        let mut journal = Journal::new(limits);
        journal.record(entry(&limits, Some(b"{\"a\": 1}")));
        let snapshot = journal.snapshot();
        assert_eq!(
            serde_json::to_value(&snapshot).unwrap(),
            serde_json::to_value(snapshot.to_vec()).unwrap()
        );
    }
}
