//! A client's events (its attempt, retry, give-up and refresh lines) handed to JavaScript:
//! the core's log sink queues each line, with its level, for `deliver(level, line)` on the
//! JS thread. The thread that emits an event never waits for JavaScript.

use napi::Status;
use napi::bindgen_prelude::{FnArgs, Function};
use napi::threadsafe_function::{
    ThreadsafeFunction, ThreadsafeFunctionCallMode, UnknownReturnValue,
};
use pleo_installations::ClientBuilder;

/// How many lines may wait for a busy JS thread; one more is dropped rather than wait.
const QUEUED_LINES: usize = 1000;

/// `deliver(level, line)` for any thread: it never throws (the JS layer catches what the
/// logger throws), and it is weak, so that a client's logs never keep the process alive.
type Deliver = ThreadsafeFunction<
    FnArgs<(String, String)>,
    UnknownReturnValue,
    FnArgs<(String, String)>,
    Status,
    false,
    true,
    QUEUED_LINES,
>;

/// The JavaScript function as the constructor receives it.
pub(crate) type DeliverArgument<'a> = Function<'a, FnArgs<(String, String)>, UnknownReturnValue>;

/// `builder` with its events up to `level` (`debug`, `info`, `warn` or `error`) sent to
/// `deliver`, their level as one of those words.
pub(crate) fn deliver_events(
    builder: ClientBuilder,
    level: &str,
    deliver: &DeliverArgument<'_>,
) -> napi::Result<ClientBuilder> {
    // The level's type is the `log` crate's, named by the core's signature.
    let max_level = level.parse().map_err(|_| {
        napi::Error::new(Status::InvalidArg, format!("{level:?} is not a log level"))
    })?;
    let deliver: Deliver = deliver
        .build_threadsafe_function()
        .callee_handled::<false>()
        .weak::<true>()
        .max_queue_size::<QUEUED_LINES>()
        .build()?;
    Ok(builder.log_sink(max_level, move |level, line| {
        let level = level.as_str().to_ascii_lowercase();
        // A full queue, or a closing one, drops the line.
        let _ = deliver.call(
            (level, line.to_owned()).into(),
            ThreadsafeFunctionCallMode::NonBlocking,
        );
    }))
}
