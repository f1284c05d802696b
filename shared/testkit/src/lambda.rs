//! Runs a function binary as Lambda runs it: an emulator of the
//! [Lambda Runtime API](https://docs.aws.amazon.com/lambda/latest/dg/runtimes-api.html)
//! (`/runtime/invocation/next`, `.../response`, `.../error`, `/runtime/init/error`) and the
//! binary started with the environment Lambda gives a function.
//!
//! The test queues events with [`RuntimeApi::invoke`], then reads what the function posted
//! back with [`RuntimeApi::outcome`] (which waits for it). `/next` blocks while no event is
//! queued, as Lambda's does between invocations.

use std::collections::VecDeque;
use std::ffi::OsStr;
use std::path::Path;
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::{Arc, Condvar, Mutex};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use crate::http::{HttpServer, Request, Response};

/// The Runtime API's version prefix.
const PREFIX: &str = "/2018-06-01/runtime";
/// The longest a test waits for a function's post or exit: a safety net against a hung
/// binary, never a measured time. `TESTKIT_SAFETY_TIMEOUT_S` raises it for a function run
/// under a profiler (callgrind runs the large account's collection 50-100x slower).
fn safety_timeout() -> Duration {
    let seconds = std::env::var("TESTKIT_SAFETY_TIMEOUT_S")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(180);
    Duration::from_secs(seconds)
}
/// The invoked function's ARN, as in the `Lambda-Runtime-Invoked-Function-Arn` header.
pub const FUNCTION_ARN: &str = "arn:aws:lambda:us-east-1:123456789012:function:vpce-reach-test";

/// One invocation to hand the function.
#[derive(Debug, Clone)]
pub struct Invocation {
    /// `Lambda-Runtime-Aws-Request-Id`.
    pub request_id: String,
    /// The event, as JSON text.
    pub payload: String,
    /// `Lambda-Runtime-Deadline-Ms` (sent as milliseconds since the epoch).
    pub deadline: SystemTime,
    /// `Lambda-Runtime-Trace-Id`.
    pub trace_id: String,
}

impl Invocation {
    /// An invocation of `payload` with id `request_id` and five minutes to run (see
    /// [`Invocation::deadline_in`] and [`TemplateFunction::timeout`]).
    pub fn new(request_id: &str, payload: impl Into<String>) -> Invocation {
        Invocation {
            request_id: request_id.to_owned(),
            payload: payload.into(),
            deadline: SystemTime::now() + Duration::from_secs(300),
            trace_id: "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=0"
                .to_owned(),
        }
    }

    /// The same invocation with its deadline `left` from now.
    pub fn deadline_in(mut self, left: Duration) -> Invocation {
        self.deadline = SystemTime::now() + left;
        self
    }
}

/// Which Runtime API call a post was.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PostKind {
    /// `POST /runtime/invocation/{id}/response`.
    Response,
    /// `POST /runtime/invocation/{id}/error`.
    Error,
    /// `POST /runtime/init/error`.
    InitError,
}

/// What the function posted.
#[derive(Debug, Clone)]
pub struct Posted {
    /// Which call.
    pub kind: PostKind,
    /// The invocation's id (`None` for an init error).
    pub request_id: Option<String>,
    /// The request as sent (headers, body).
    pub request: Request,
}

impl Posted {
    /// The body as JSON (the response document, or the error's `errorType`/`errorMessage`).
    pub fn json(&self) -> serde_json::Value {
        self.request.json()
    }

    /// The `Lambda-Runtime-Function-Error-Type` header, if sent.
    pub fn error_type_header(&self) -> Option<&str> {
        self.request.header("lambda-runtime-function-error-type")
    }

    /// The body's `errorType` (errors only).
    pub fn error_type(&self) -> String {
        self.json()["errorType"]
            .as_str()
            .unwrap_or_default()
            .to_owned()
    }

    /// The body's `errorMessage` (errors only).
    pub fn error_message(&self) -> String {
        self.json()["errorMessage"]
            .as_str()
            .unwrap_or_default()
            .to_owned()
    }
}

#[derive(Debug, Default)]
struct State {
    queue: VecDeque<Invocation>,
    posts: Vec<Posted>,
    next_calls: usize,
    stopping: bool,
}

#[derive(Debug, Default)]
struct Shared {
    state: Mutex<State>,
    changed: Condvar,
}

impl Shared {
    /// Waits (at most [`safety_timeout`]) until `ready` holds, and returns what it gives.
    fn wait_until<T>(&self, what: &str, mut ready: impl FnMut(&State) -> Option<T>) -> T {
        let give_up = Instant::now() + safety_timeout();
        let mut state = self.state.lock().unwrap();
        loop {
            if let Some(found) = ready(&state) {
                return found;
            }
            let left = give_up.saturating_duration_since(Instant::now());
            if left.is_zero() {
                panic!(
                    "Runtime API emulator: {what} did not happen; posts: {:?}",
                    state.posts
                );
            }
            state = self.changed.wait_timeout(state, left).unwrap().0;
        }
    }
}

/// The emulator: a Runtime API on 127.0.0.1 and a free port. Stops when dropped.
#[derive(Debug)]
pub struct RuntimeApi {
    server: HttpServer,
    shared: Arc<Shared>,
}

impl RuntimeApi {
    /// Starts the emulator with no event queued.
    pub fn start() -> RuntimeApi {
        let shared = Arc::new(Shared::default());
        let state = Arc::clone(&shared);
        let server = HttpServer::start(Arc::new(move |request: &Request| answer(&state, request)));
        RuntimeApi { server, shared }
    }

    /// `127.0.0.1:<port>`: the value of `AWS_LAMBDA_RUNTIME_API`.
    pub fn address(&self) -> String {
        format!("127.0.0.1:{}", self.server.port())
    }

    /// Queues an invocation; the function gets it from its next `/next`.
    pub fn invoke(&self, invocation: Invocation) {
        self.shared
            .state
            .lock()
            .unwrap()
            .queue
            .push_back(invocation);
        self.shared.changed.notify_all();
    }

    /// What the function posted for invocation `request_id` (its response or error), waiting
    /// for it.
    ///
    /// # Panics
    /// When nothing is posted within a generous safety timeout.
    pub fn outcome(&self, request_id: &str) -> Posted {
        self.shared
            .wait_until(&format!("a post for {request_id}"), |state| {
                state
                    .posts
                    .iter()
                    .find(|p| p.request_id.as_deref() == Some(request_id))
                    .cloned()
            })
    }

    /// Waits until the function has called `/next` `count` times in all: it started (1), or
    /// is ready for another event after `count - 1` invocations.
    pub fn wait_for_next_calls(&self, count: usize) {
        self.shared
            .wait_until(&format!("{count} call(s) of /next"), |state| {
                (state.next_calls >= count).then_some(())
            });
    }

    /// Every post so far, in arrival order.
    pub fn posts(&self) -> Vec<Posted> {
        self.shared.state.lock().unwrap().posts.clone()
    }
}

impl Drop for RuntimeApi {
    fn drop(&mut self) {
        // Releases a `/next` still waiting for an event.
        self.shared.state.lock().unwrap().stopping = true;
        self.shared.changed.notify_all();
    }
}

/// Answers one Runtime API request.
fn answer(shared: &Shared, request: &Request) -> Response {
    let Some(route) = request.path.strip_prefix(PREFIX) else {
        return Response::json(404, &serde_json::json!({ "errorMessage": "unknown path" }));
    };
    match (request.method.as_str(), route) {
        ("GET", "/invocation/next") => next(shared),
        ("POST", "/init/error") => record(shared, PostKind::InitError, None, request),
        ("POST", route) => match route
            .strip_prefix("/invocation/")
            .and_then(|rest| rest.split_once('/'))
        {
            Some((id, "response")) => record(shared, PostKind::Response, Some(id), request),
            Some((id, "error")) => record(shared, PostKind::Error, Some(id), request),
            _ => Response::json(404, &serde_json::json!({ "errorMessage": "unknown path" })),
        },
        _ => Response::json(404, &serde_json::json!({ "errorMessage": "unknown path" })),
    }
}

/// `GET /next`: the next queued event with Lambda's headers, once there is one.
fn next(shared: &Shared) -> Response {
    let mut state = shared.state.lock().unwrap();
    state.next_calls += 1;
    shared.changed.notify_all();
    loop {
        if let Some(invocation) = state.queue.pop_front() {
            return event_response(&invocation);
        }
        if state.stopping {
            return Response::json(500, &serde_json::json!({ "errorMessage": "stopping" }));
        }
        state = shared.changed.wait(state).unwrap();
    }
}

fn event_response(invocation: &Invocation) -> Response {
    let deadline_ms = invocation
        .deadline
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default()
        .as_millis();
    Response {
        status: 200,
        headers: vec![
            ("Content-Type".into(), "application/json".into()),
            (
                "Lambda-Runtime-Aws-Request-Id".into(),
                invocation.request_id.clone(),
            ),
            ("Lambda-Runtime-Deadline-Ms".into(), deadline_ms.to_string()),
            (
                "Lambda-Runtime-Invoked-Function-Arn".into(),
                FUNCTION_ARN.into(),
            ),
            (
                "Lambda-Runtime-Trace-Id".into(),
                invocation.trace_id.clone(),
            ),
        ],
        body: invocation.payload.clone().into_bytes(),
    }
}

fn record(shared: &Shared, kind: PostKind, id: Option<&str>, request: &Request) -> Response {
    shared.state.lock().unwrap().posts.push(Posted {
        kind,
        request_id: id.map(str::to_owned),
        request: request.clone(),
    });
    shared.changed.notify_all();
    Response::json(202, &serde_json::json!({ "status": "OK" }))
}

/// A function binary running against a [`RuntimeApi`]; killed when dropped.
#[derive(Debug)]
pub struct FunctionProcess {
    child: Child,
    log: std::path::PathBuf,
}

impl FunctionProcess {
    /// Starts `binary` with a clean environment: what Lambda sets for a `provided.al2023`
    /// function (the Runtime API address, function name, memory, version, region, credentials,
    /// `AWS_LAMBDA_LOG_FORMAT=JSON` as the template's `LoggingConfig` asks), then `env` (the
    /// template's variables and endpoint overrides). Its stdout and stderr go to a file,
    /// read with [`FunctionProcess::log`].
    ///
    /// # Panics
    /// When the binary cannot be started.
    pub fn start<K, V>(
        binary: &Path,
        api: &RuntimeApi,
        env: impl IntoIterator<Item = (K, V)>,
    ) -> FunctionProcess
    where
        K: AsRef<OsStr>,
        V: AsRef<OsStr>,
    {
        let name = binary
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let log = std::env::temp_dir().join(format!(
            "vpce-reach-{name}-{}-{}.log",
            std::process::id(),
            api.server.port()
        ));
        let file = std::fs::File::create(&log).expect("create the function's log file");
        let mut command = Command::new(binary);
        command
            .env_clear()
            .env("AWS_LAMBDA_RUNTIME_API", api.address())
            .env("AWS_LAMBDA_FUNCTION_NAME", &name)
            .env("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "512")
            .env("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST")
            .env("AWS_LAMBDA_LOG_GROUP_NAME", format!("/aws/lambda/{name}"))
            .env("AWS_LAMBDA_LOG_STREAM_NAME", "2026/03/14/[$LATEST]test")
            .env("AWS_LAMBDA_LOG_FORMAT", "JSON")
            .env("AWS_REGION", "us-east-1")
            .env("AWS_DEFAULT_REGION", "us-east-1")
            .env("AWS_ACCESS_KEY_ID", "testing")
            .env("AWS_SECRET_ACCESS_KEY", "testing")
            .env("AWS_SESSION_TOKEN", "testing")
            .env("AWS_EC2_METADATA_DISABLED", "true")
            .env("_HANDLER", "bootstrap")
            .envs(env)
            .stdin(Stdio::null())
            .stdout(file.try_clone().expect("log file handle"))
            .stderr(file);
        let child = command
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {}: {e}", binary.display()));
        FunctionProcess { child, log }
    }

    /// Waits for the process to exit (it should, after an init error).
    ///
    /// # Panics
    /// When it is still running after a generous safety timeout.
    pub fn wait_exit(&mut self) -> ExitStatus {
        let give_up = Instant::now() + safety_timeout();
        loop {
            if let Some(status) = self.child.try_wait().expect("wait for the function") {
                return status;
            }
            assert!(
                Instant::now() < give_up,
                "the function did not exit; its log:\n{}",
                self.log()
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// The process id (for its CPU time and peak RSS in `/proc`: the Lambda bench).
    pub fn id(&self) -> u32 {
        self.child.id()
    }

    /// Everything the function wrote to stdout and stderr so far.
    pub fn log(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }
}

impl Drop for FunctionProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_file(&self.log);
    }
}

/// What template.yaml gives one function: its `Timeout` and its environment variables.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TemplateFunction {
    /// `Timeout`: an invocation's deadline is this far from its start.
    pub timeout: Duration,
    /// `Environment.Variables`, in template order: literal values unquoted, intrinsic
    /// functions (`!Ref AlertTopic`) as written.
    pub variables: Vec<(String, String)>,
}

impl TemplateFunction {
    /// The variables with the values a test gives: every intrinsic-valued variable must be in
    /// `values`, which may also add variables the template does not set (an empty value is
    /// what CloudFormation passes for an unset optional parameter).
    ///
    /// # Panics
    /// When the template computes a variable `values` does not give, naming it.
    pub fn env(&self, values: &[(&str, &str)]) -> Vec<(String, String)> {
        let given = |name: &str| values.iter().find(|(k, _)| *k == name).map(|(_, v)| *v);
        let mut env: Vec<(String, String)> = self
            .variables
            .iter()
            .map(|(name, value)| match given(name) {
                Some(v) => (name.clone(), v.to_owned()),
                None if value.starts_with('!') => {
                    panic!("template.yaml sets {name} to `{value}`: give the test a value for it")
                }
                None => (name.clone(), value.clone()),
            })
            .collect();
        for (name, value) in values {
            if !env.iter().any(|(k, _)| k == name) {
                env.push(((*name).to_owned(), (*value).to_owned()));
            }
        }
        env
    }
}

/// Reads function `logical_id` (e.g. `ConfigRuleFunction`) of the workspace's template.yaml,
/// line by line: the template's CloudFormation tags (`!Ref`) are no YAML a plain parser takes.
///
/// # Panics
/// When the template or the function's `Timeout` is missing.
pub fn template_function(logical_id: &str) -> TemplateFunction {
    let path = crate::workspace_root().join("template.yaml");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let header = format!("  {logical_id}:");
    let body: Vec<&str> = text
        .lines()
        .skip_while(|l| *l != header)
        .skip(1)
        .take_while(|l| l.is_empty() || l.starts_with("   "))
        .collect();
    let setting = |line: &str| -> Option<(String, String)> {
        let (key, value) = line.trim().split_once(':')?;
        let value = value.trim().trim_matches('"');
        Some((key.to_owned(), value.to_owned()))
    };
    let timeout = body
        .iter()
        .filter_map(|l| setting(l))
        .find(|(k, _)| k == "Timeout")
        .and_then(|(_, v)| v.parse().ok())
        .map(Duration::from_secs)
        .unwrap_or_else(|| panic!("{logical_id} has no Timeout in {}", path.display()));
    let mut variables = Vec::new();
    if let Some(at) = body.iter().position(|l| l.trim() == "Variables:") {
        let indent = |l: &str| l.len() - l.trim_start().len();
        let own = indent(body[at]);
        let lines = body[at + 1..]
            .iter()
            .filter(|l| !l.trim().is_empty() && !l.trim_start().starts_with('#'));
        let mut names_at = None;
        for line in lines {
            if indent(line) <= own {
                break;
            }
            // Deeper lines continue a multi-line value (`!Sub |`, a list): not variables.
            if *names_at.get_or_insert(indent(line)) == indent(line) {
                variables.extend(setting(line));
            }
        }
    }
    TemplateFunction { timeout, variables }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_template_functions_are_read() {
        let rule = template_function("ConfigRuleFunction");
        assert!(rule.timeout > Duration::ZERO);
        assert!(rule
            .variables
            .contains(&("RUST_BACKTRACE".into(), "1".into())));
        let watch = template_function("ChangeWatchFunction");
        assert!(watch
            .variables
            .contains(&("TOPIC_ARN".into(), "!Ref AlertTopic".into())));
        assert!(watch
            .variables
            .iter()
            .all(|(k, _)| k.chars().all(|c| c.is_ascii_uppercase() || c == '_')));
        let env = watch.env(&[
            ("TOPIC_ARN", "t"),
            ("CONFIG_RULE_NAME", "r"),
            ("RULE_PARAMETERS", ""),
            ("ASSUME_ROLE_ARNS", ""),
            ("CHECK_DNS", "true"),
            ("X", "1"),
        ]);
        assert!(env.contains(&("TOPIC_ARN".into(), "t".into())));
        assert!(env.contains(&("X".into(), "1".into())));
    }
}
