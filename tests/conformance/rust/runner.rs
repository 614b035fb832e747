//! The Rust runner of the conformance suite (`tests/conformance/README.md`): every scenario
//! through the typed `Client` API against an in-process emulator, each step checked, the
//! outcomes written to `rust.json` for `compare.py`; then all of them again through the
//! `AsyncClient`, into `rust-async.json`.

mod pattern;

use std::fs;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime};

use log::{Level, LevelFilter};
use pleo_installations::{
    Client, Environment, Error, Installation, InstallationStatus, Introspection, Secret, Uuid,
    oauth::{OAuthCredentials, OAuthTokens},
};
use pleo_installations_mock::MockServer;
use serde_json::{Map, Value, json};

use pattern::{matches, normalise_result, substitute};

/// The repository root, where `tests/conformance/` and `target/` are.
fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// Which of the SDK's APIs the calls go through.
#[derive(Debug, Clone, Copy)]
enum Api {
    /// `Client`, whose calls block.
    Blocking,
    /// `AsyncClient`, whose calls are futures.
    Async,
}

#[test]
fn every_scenario_behaves_as_stated() {
    // The admin client's reqwest needs a crypto provider.
    let _ = rustls::crypto::ring::default_provider().install_default();
    let server = MockServer::start().expect("emulator");
    let filter = std::env::var("CONFORMANCE_FILTER").unwrap_or_default();
    let mut failures = Vec::new();
    for (api, file) in [
        (Api::Blocking, "rust.json"),
        (Api::Async, "rust-async.json"),
    ] {
        let mut outcomes = Map::new();
        for (key, scenario) in scenarios() {
            if !key.contains(&filter) {
                continue;
            }
            let mut run = Run::new(&server, api);
            let steps = run.scenario(&scenario);
            match steps.last().and_then(|step| step.get("failed")) {
                Some(reason) => {
                    println!("FAILED {api:?} {key}: {reason}");
                    failures.push(format!("{api:?} {key}"));
                }
                None => println!("ok     {api:?} {key}"),
            }
            outcomes.insert(key, Value::Array(steps));
        }
        write_outcomes(file, &Value::Object(outcomes));
    }
    assert!(failures.is_empty(), "failed scenarios: {failures:#?}");
}

/// Every scenario of every file, keyed `<file stem>/<name>`, files in name order.
fn scenarios() -> Vec<(String, Value)> {
    let dir = repo_root().join("tests/conformance/scenarios");
    let mut files: Vec<PathBuf> = fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|entry| entry.expect("directory entry").path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "json"))
        .collect();
    files.sort();
    let mut all = Vec::new();
    for file in files {
        let stem = file.file_stem().expect("file name").to_string_lossy();
        let text = fs::read_to_string(&file).expect("scenario file");
        let doc: Value = serde_json::from_str(&text)
            .unwrap_or_else(|e| panic!("{}: not JSON: {e}", file.display()));
        let list = doc["scenarios"]
            .as_array()
            .unwrap_or_else(|| panic!("{}: no \"scenarios\" array", file.display()));
        for scenario in list {
            let name = scenario["name"]
                .as_str()
                .unwrap_or_else(|| panic!("{}: a scenario has no name", file.display()));
            all.push((format!("{stem}/{name}"), scenario.clone()));
        }
    }
    all
}

fn write_outcomes(file: &str, outcomes: &Value) {
    let dir = std::env::var_os("CONFORMANCE_OUT")
        .map_or_else(|| repo_root().join("target/conformance"), PathBuf::from);
    fs::create_dir_all(&dir).expect("outcome directory");
    let text = serde_json::to_string_pretty(outcomes).expect("outcomes as JSON");
    fs::write(dir.join(file), text).expect(file);
}

/// One scenario's state: the emulator, the client of the last `client` step, saved answers.
struct Run<'a> {
    server: &'a MockServer,
    admin: reqwest::blocking::Client,
    api: Api,
    client: Option<Client>,
    saved: Map<String, Value>,
    /// The events of the client's log sink not yet taken by a `logs` step.
    logs: Arc<Mutex<Vec<(Level, String)>>>,
}

impl<'a> Run<'a> {
    fn new(server: &'a MockServer, api: Api) -> Run<'a> {
        Run {
            server,
            admin: reqwest::blocking::Client::new(),
            api,
            client: None,
            saved: Map::new(),
            logs: Arc::default(),
        }
    }

    /// Runs the steps in order, up to and including the first that fails.
    fn scenario(&mut self, scenario: &Value) -> Vec<Value> {
        let mut outcomes = Vec::new();
        if let Err(reason) = self.admin_request("POST /__mock/reset", None) {
            return vec![json!({ "failed": format!("reset: {reason}") })];
        }
        let steps = scenario["steps"].as_array().cloned().unwrap_or_default();
        for (index, step) in steps.iter().enumerate() {
            let mut vars = self.saved.clone();
            vars.insert("base_url".into(), json!(self.server.url()));
            match substitute(step, &vars).and_then(|step| self.step(&step)) {
                Ok(outcome) => outcomes.push(outcome),
                Err(reason) => {
                    outcomes.push(json!({ "failed": format!("step {index}: {reason}") }));
                    break;
                }
            }
        }
        outcomes
    }

    fn step(&mut self, step: &Value) -> Result<Value, String> {
        if let Some(request) = step.get("admin") {
            self.admin_step(request.as_str().ok_or("admin: not a string")?, step)
        } else if let Some(config) = step.get("client") {
            self.client_step(config, step)
        } else if let Some(operation) = step.get("call") {
            self.call_step(operation.as_str().ok_or("call: not a string")?, step)
        } else if let Some(pattern) = step.get("logs") {
            self.logs_step(pattern)
        } else {
            Err(format!("no admin, client, call or logs in {step}"))
        }
    }

    fn admin_step(&mut self, request: &str, step: &Value) -> Result<Value, String> {
        let answer = self.admin_request(request, step.get("body"))?;
        if let Some(pattern) = step.get("expect") {
            matches(pattern, &answer).map_err(|e| format!("{request}: {e}"))?;
        }
        if let Some(name) = step.get("save").and_then(Value::as_str) {
            self.saved.insert(name.to_owned(), answer);
        }
        Ok(json!("admin"))
    }

    /// Sends `METHOD /path` to the emulator's admin API; the answer's JSON (null if empty).
    fn admin_request(&self, request: &str, body: Option<&Value>) -> Result<Value, String> {
        let (method, path) = request
            .split_once(' ')
            .ok_or_else(|| format!("{request:?} is not \"METHOD /path\""))?;
        let method = reqwest::Method::from_bytes(method.as_bytes()).map_err(|e| e.to_string())?;
        let mut builder = self
            .admin
            .request(method, format!("{}{path}", self.server.url()));
        if let Some(body) = body {
            builder = builder
                .header(reqwest::header::CONTENT_TYPE, "application/json")
                .body(body.to_string());
        }
        let response = builder.send().map_err(|e| format!("{request}: {e}"))?;
        let status = response.status();
        let text = response.text().map_err(|e| e.to_string())?;
        if !status.is_success() {
            return Err(format!("{request}: {status}: {text}"));
        }
        if text.is_empty() {
            return Ok(Value::Null);
        }
        serde_json::from_str(&text).map_err(|e| format!("{request}: {e}"))
    }

    fn client_step(&mut self, config: &Value, step: &Value) -> Result<Value, String> {
        self.client = None;
        let mut builder = builder(config, &self.server.url())?;
        if let Some(level) = step.get("log_level") {
            let level = level
                .as_str()
                .and_then(|name| name.parse::<LevelFilter>().ok())
                .ok_or(format!("log_level: {level} is not a level"))?;
            let logs = Arc::clone(&self.logs);
            builder = builder.log_sink(level, move |level, line| {
                logs.lock().unwrap().push((level, line.to_owned()));
            });
        }
        match (builder.build(), step.get("error")) {
            (Ok(client), None) => {
                self.client = Some(client);
                Ok(json!("client"))
            }
            (Ok(_), Some(_)) => Err("the client was built, an error was expected".into()),
            (Err(error), None) => Err(format!("building the client: {error}")),
            (Err(error), Some(pattern)) => {
                matches(pattern, &error.to_json()).map_err(|e| format!("error: {e} ({error})"))?;
                Ok(json!({ "error": error_outcome(&error) }))
            }
        }
    }

    fn call_step(&mut self, operation: &str, step: &Value) -> Result<Value, String> {
        let client = self
            .client
            .as_ref()
            .ok_or("a call before any client step")?;
        let request = step.get("request").cloned().unwrap_or(json!({}));
        let started = Instant::now();
        let outcome = call(client, self.api, operation, &request)?;
        let elapsed = started.elapsed();
        check_time(step, elapsed)?;
        match (outcome, step.get("result"), step.get("error")) {
            (Ok(result), Some(pattern), None) => {
                matches(pattern, &result).map_err(|e| format!("result: {e}"))?;
                Ok(json!({ "result": normalise_result(&result) }))
            }
            (Err(error), None, Some(pattern)) => {
                matches(pattern, &error.to_json()).map_err(|e| format!("error: {e} ({error})"))?;
                Ok(json!({ "error": error_outcome(&error) }))
            }
            (Ok(result), None, Some(_)) => Err(format!("expected an error, got {result}")),
            (Err(error), Some(_), None) => Err(format!("expected a result, got {error}")),
            _ => Err("a call step needs exactly one of result and error".into()),
        }
    }
}

impl Run<'_> {
    /// Matches the events told since the client step or the last `logs` step.
    fn logs_step(&mut self, pattern: &Value) -> Result<Value, String> {
        let lines = std::mem::take(&mut *self.logs.lock().unwrap());
        let events: Vec<Value> = lines
            .iter()
            .map(|(level, line)| log_event(*level, line))
            .collect();
        let events = Value::Array(events);
        matches(pattern, &events).map_err(|e| format!("logs: {e} in {events}"))?;
        Ok(json!({ "logs": events }))
    }
}

/// An event line as the README's object: `event`, `level` and its fields, as strings.
fn log_event(level: Level, line: &str) -> Value {
    let mut words = line.split(' ');
    let mut event = Map::new();
    event.insert("event".into(), json!(words.next().unwrap_or_default()));
    event.insert("level".into(), json!(level.as_str().to_lowercase()));
    for word in words {
        let (key, value) = word.split_once('=').unwrap_or((word, ""));
        let volatile = matches!(key, "elapsed_ms" | "request_id");
        event.insert(
            key.into(),
            json!(if volatile { "<volatile>" } else { value }),
        );
    }
    Value::Object(event)
}

/// Checks `max_ms` and `min_ms` against the call's wall time.
fn check_time(step: &Value, elapsed: Duration) -> Result<(), String> {
    let millis = elapsed.as_millis();
    if let Some(max) = step.get("max_ms").and_then(Value::as_u64)
        && millis > u128::from(max)
    {
        return Err(format!("took {millis} ms, more than max_ms {max}"));
    }
    if let Some(min) = step.get("min_ms").and_then(Value::as_u64)
        && millis < u128::from(min)
    {
        return Err(format!("took {millis} ms, less than min_ms {min}"));
    }
    Ok(())
}

/// The error outcome of the README: the fields every language exposes.
fn error_outcome(error: &Error) -> Value {
    let json = error.to_json();
    json!({
        "kind": json["kind"],
        "status": json["status"],
        "attempts": json["attempts"],
        "retryable": json["retryable"],
        "retry_after": json["retry_after"],
    })
}

/// The configuration JSON mapped onto the builder, key by key.
fn builder(config: &Value, base_url: &str) -> Result<pleo_installations::ClientBuilder, String> {
    let config = config.as_object().ok_or("client: not an object")?;
    let mut builder = Client::builder();
    if !config.contains_key("base_url") && !config.contains_key("environment") {
        builder = builder.base_url(base_url);
    }
    for (key, value) in config {
        let text = || value.as_str().ok_or(format!("{key}: not a string"));
        let millis = || {
            value
                .as_u64()
                .map(Duration::from_millis)
                .ok_or(format!("{key}: not a number"))
        };
        builder = match key.as_str() {
            "base_url" => builder.base_url(text()?),
            "environment" => builder.environment(
                serde_json::from_value::<Environment>(value.clone()).map_err(|e| e.to_string())?,
            ),
            "api_key" => builder.api_key(text()?),
            "access_token" => builder.access_token(text()?),
            "oauth" => builder.oauth(oauth_credentials(value)?),
            "timeout_ms" => builder.timeout(millis()?),
            "connect_timeout_ms" => builder.connect_timeout(millis()?),
            "total_timeout_ms" => builder.total_timeout(millis()?),
            "max_retries" => builder.max_retries(
                value
                    .as_u64()
                    .and_then(|n| u32::try_from(n).ok())
                    .ok_or("max_retries: not a number")?,
            ),
            "user_agent" => builder.user_agent(text()?),
            other => return Err(format!("the Rust builder has no setting {other:?}")),
        };
    }
    Ok(builder)
}

fn oauth_credentials(value: &Value) -> Result<OAuthCredentials, String> {
    let field = |name: &str| value[name].as_str().map(str::to_owned);
    let required = |name: &str| field(name).ok_or(format!("oauth.{name}: missing"));
    let expires_at = match (field("expires_at"), value["expires_in"].as_u64()) {
        (Some(text), None) => Some(
            time::OffsetDateTime::parse(&text, &time::format_description::well_known::Rfc3339)
                .map_err(|e| format!("oauth.expires_at: {e}"))?
                .into(),
        ),
        (None, Some(seconds)) => Some(SystemTime::now() + Duration::from_secs(seconds)),
        (None, None) => None,
        (Some(_), Some(_)) => return Err("oauth: both expires_at and expires_in".into()),
    };
    Ok(OAuthCredentials {
        client_id: required("client_id")?,
        client_secret: Secret::new(required("client_secret")?),
        tokens: OAuthTokens {
            access_token: Secret::new(required("access_token")?),
            refresh_token: Secret::new(required("refresh_token")?),
            expires_at,
        },
        token_url: field("token_url"),
    })
}

/// Calls `operation` through its typed method of `$client` (a `Client`, or an `AsyncClient`
/// with `await` given); the result as the API's JSON. `Err` when the request does not fit
/// the typed API (a scenario bug).
macro_rules! typed_call {
    ($client:expr, $operation:expr, $request:expr $(, $aw:tt)?) => {{
        let (client, request) = ($client, $request);
        Ok(match $operation {
            "getClientInstallation" => match request.get("company_id").and_then(Value::as_str) {
                None => to_json(client.get_installation(None)$(.$aw)?),
                Some(text) => match Uuid::parse_str(text) {
                    Ok(id) => to_json(client.get_installation(Some(id))$(.$aw)?),
                    // `Option<Uuid>` cannot hold it: the JSON door takes it as every language does.
                    Err(_) => client
                        .call_json($operation, &request.to_string())$(.$aw)?
                        .map(|text| serde_json::from_str(&text).expect("call_json answers JSON")),
                },
            },
            "createClientInstallation" => {
                to_json(client.create_installation(&typed(request)?)$(.$aw)?)
            }
            "updateClientInstallation" => {
                to_json(client.update_installation(&typed(request)?)$(.$aw)?)
            }
            "deleteClientInstallation" => client.delete_installation()$(.$aw)?.map(|()| Value::Null),
            "activateMyInstallation" => to_json(client.activate_installation()$(.$aw)?),
            #[allow(deprecated)]
            "completeInstallationExternalClientOnlyIdempotently" => {
                to_json(client.complete_installation()$(.$aw)?)
            }
            "introspect" => to_json(client.introspect()$(.$aw)?),
            "waitForStatus" => {
                let statuses: Vec<InstallationStatus> = typed(&request["statuses"])?;
                let timeout =
                    Duration::from_millis(request["timeout_ms"].as_u64().unwrap_or(60_000));
                to_json(client.wait_for_status(&statuses, timeout)$(.$aw)?)
            }
            "refreshTokens" => client.refresh_tokens()$(.$aw)?.map(|()| Value::Null),
            other => return Err(format!("unknown operation {other:?}")),
        })
    }};
}

/// Calls `operation` through the API under test: the blocking client's typed method, or the
/// async client's, awaited on an executor of the runner's own (not the SDK's runtime).
fn call(
    client: &Client,
    api: Api,
    operation: &str,
    request: &Value,
) -> Result<Result<Value, Error>, String> {
    match api {
        Api::Blocking => typed_call!(client, operation, request),
        Api::Async => {
            let executor = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("the runner's executor");
            executor.block_on(async { typed_call!(client.as_async(), operation, request, await) })
        }
    }
}

/// The request JSON as one of the SDK's request types.
fn typed<T: serde::de::DeserializeOwned>(request: &Value) -> Result<T, String> {
    serde_json::from_value(request.clone())
        .map_err(|e| format!("request {request} does not fit the typed API: {e}"))
}

/// A typed result's exact JSON: what its `raw_json` accessor holds.
trait Exact {
    fn exact(&self) -> Option<&str>;
}

impl Exact for Installation {
    fn exact(&self) -> Option<&str> {
        self.raw_json()
    }
}

impl Exact for Introspection {
    fn exact(&self) -> Option<&str> {
        self.raw_json()
    }
}

fn to_json<T: Exact>(result: Result<T, Error>) -> Result<Value, Error> {
    result.map(|value| {
        let text = value
            .exact()
            .expect("a result from a response keeps its JSON");
        serde_json::from_str(text).expect("a result's JSON parses")
    })
}
