//! A small HTTP/1.1 server on 127.0.0.1 for tests, std only: the base of the Lambda Runtime
//! API emulator ([`crate::lambda`]) and of [`HttpCapture`], which records the requests a
//! binary under test sends to an AWS service moto does not serve (Config's evaluations).
//!
//! Each connection gets its own thread and may carry many requests (keep-alive, as the
//! Lambda runtime's and the SDK's HTTP clients use it), so a handler may block (the Runtime
//! API's `/next` waits for an event) without holding up other connections.

use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

/// One request as the server read it (the body already de-chunked).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Request {
    /// `GET`, `POST`, ...
    pub method: String,
    /// The request target, e.g. `/2018-06-01/runtime/invocation/next`.
    pub path: String,
    /// Header names (lower-cased) and values, in the order sent.
    pub headers: Vec<(String, String)>,
    /// The body bytes.
    pub body: Vec<u8>,
}

impl Request {
    /// The value of header `name` (any case), if sent.
    pub fn header(&self, name: &str) -> Option<&str> {
        let name = name.to_ascii_lowercase();
        self.headers
            .iter()
            .find(|(k, _)| *k == name)
            .map(|(_, v)| v.as_str())
    }

    /// The body as text (invalid UTF-8 replaced).
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    /// The body as JSON.
    ///
    /// # Panics
    /// When the body is not JSON, naming the request and showing the body.
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body).unwrap_or_else(|e| {
            panic!(
                "{} {}: body is not JSON ({e}): {}",
                self.method,
                self.path,
                self.text()
            )
        })
    }
}

/// What a handler answers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Response {
    /// The HTTP status code.
    pub status: u16,
    /// Extra headers (`Content-Length` is always added).
    pub headers: Vec<(String, String)>,
    /// The body bytes.
    pub body: Vec<u8>,
}

impl Response {
    /// A response with `status` and a JSON `body` (`Content-Type: application/json`).
    pub fn json(status: u16, body: &serde_json::Value) -> Response {
        Response {
            status,
            headers: vec![("Content-Type".into(), "application/json".into())],
            body: body.to_string().into_bytes(),
        }
    }

    /// The same response with header `name: value` added.
    pub fn with_header(mut self, name: &str, value: &str) -> Response {
        self.headers.push((name.to_owned(), value.to_owned()));
        self
    }
}

/// Answers one request; called on the connection's thread.
pub type Handler = Arc<dyn Fn(&Request) -> Response + Send + Sync>;

/// A running server; stops accepting when dropped.
pub struct HttpServer {
    port: u16,
    stopping: Arc<AtomicBool>,
}

impl std::fmt::Debug for HttpServer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HttpServer")
            .field("port", &self.port)
            .finish()
    }
}

impl HttpServer {
    /// Listens on 127.0.0.1 and a free port (bound at once, so no race with other tests) and
    /// answers every request with `handler`.
    ///
    /// # Panics
    /// When no local port can be bound.
    pub fn start(handler: Handler) -> HttpServer {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind a free local port");
        let port = listener.local_addr().expect("local address").port();
        let stopping = Arc::new(AtomicBool::new(false));
        let stop = Arc::clone(&stopping);
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                if stop.load(Ordering::SeqCst) {
                    break;
                }
                let Ok(stream) = stream else { continue };
                let handler = Arc::clone(&handler);
                std::thread::spawn(move || serve_connection(stream, &handler));
            }
        });
        HttpServer { port, stopping }
    }

    /// The TCP port.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// `http://127.0.0.1:<port>`.
    pub fn endpoint_url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }
}

impl Drop for HttpServer {
    fn drop(&mut self) {
        self.stopping.store(true, Ordering::SeqCst);
        // Wakes the accept loop so that it sees the flag and ends.
        let _ = TcpStream::connect(("127.0.0.1", self.port));
    }
}

/// Serves requests on one connection until the client closes it or asks to.
fn serve_connection(stream: TcpStream, handler: &Handler) {
    let Ok(mut writer) = stream.try_clone() else {
        return;
    };
    let mut reader = BufReader::new(stream);
    while let Some(request) = read_request(&mut reader) {
        let close = request
            .header("connection")
            .is_some_and(|v| v.eq_ignore_ascii_case("close"));
        let response = handler(&request);
        if write_response(&mut writer, &response).is_err() || close {
            return;
        }
    }
}

/// The next request, or `None` at the end of the connection or on a malformed request.
fn read_request(reader: &mut impl BufRead) -> Option<Request> {
    let mut line = String::new();
    if reader.read_line(&mut line).ok()? == 0 {
        return None;
    }
    let mut parts = line.split_whitespace();
    let method = parts.next()?.to_owned();
    let path = parts.next()?.to_owned();
    let mut headers = Vec::new();
    loop {
        let mut line = String::new();
        reader.read_line(&mut line).ok()?;
        let line = line.trim_end();
        if line.is_empty() {
            break;
        }
        let (name, value) = line.split_once(':')?;
        headers.push((name.trim().to_ascii_lowercase(), value.trim().to_owned()));
    }
    let mut request = Request {
        method,
        path,
        headers,
        body: Vec::new(),
    };
    let chunked = request
        .header("transfer-encoding")
        .is_some_and(|v| v.eq_ignore_ascii_case("chunked"));
    request.body = if chunked {
        read_chunked(reader)?
    } else {
        let len: usize = request
            .header("content-length")
            .unwrap_or("0")
            .parse()
            .ok()?;
        let mut body = vec![0; len];
        reader.read_exact(&mut body).ok()?;
        body
    };
    Some(request)
}

/// A `Transfer-Encoding: chunked` body.
fn read_chunked(reader: &mut impl BufRead) -> Option<Vec<u8>> {
    let mut body = Vec::new();
    loop {
        let mut size = String::new();
        reader.read_line(&mut size).ok()?;
        let size = size.trim().split(';').next()?;
        let size = usize::from_str_radix(size, 16).ok()?;
        let mut chunk = vec![0; size + 2]; // the chunk and its CRLF
        reader.read_exact(&mut chunk).ok()?;
        if size == 0 {
            // The last chunk; no trailers are expected from the clients under test.
            return Some(body);
        }
        body.extend_from_slice(&chunk[..size]);
    }
}

fn write_response(writer: &mut impl Write, response: &Response) -> std::io::Result<()> {
    let mut head = format!(
        "HTTP/1.1 {} {}\r\n",
        response.status,
        reason(response.status)
    );
    for (name, value) in &response.headers {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    head.push_str(&format!("Content-Length: {}\r\n\r\n", response.body.len()));
    writer.write_all(head.as_bytes())?;
    writer.write_all(&response.body)?;
    writer.flush()
}

fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        202 => "Accepted",
        400 => "Bad Request",
        404 => "Not Found",
        _ => "Status",
    }
}

/// A server that records every request and answers it with a function of the request: stands
/// in for an AWS service the tests need to observe.
pub struct HttpCapture {
    server: HttpServer,
    requests: Arc<Mutex<Vec<Request>>>,
}

impl std::fmt::Debug for HttpCapture {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HttpCapture")
            .field("server", &self.server)
            .finish()
    }
}

impl HttpCapture {
    /// Starts a capture answering with `answer`.
    pub fn start(answer: impl Fn(&Request) -> Response + Send + Sync + 'static) -> HttpCapture {
        let requests = Arc::new(Mutex::new(Vec::new()));
        let log = Arc::clone(&requests);
        let server = HttpServer::start(Arc::new(move |request: &Request| {
            log.lock().unwrap().push(request.clone());
            answer(request)
        }));
        HttpCapture { server, requests }
    }

    /// A stand-in for AWS Config that accepts every call: see [`config_answer`].
    pub fn config() -> HttpCapture {
        HttpCapture::start(config_answer)
    }

    /// `http://127.0.0.1:<port>`: the endpoint URL to give the SDK.
    pub fn endpoint_url(&self) -> String {
        self.server.endpoint_url()
    }

    /// Every request so far, in arrival order.
    pub fn requests(&self) -> Vec<Request> {
        self.requests.lock().unwrap().clone()
    }

    /// The JSON bodies of the AWS JSON-protocol calls to `operation` (the end of the
    /// `X-Amz-Target` header, e.g. `PutEvaluations`), in arrival order.
    pub fn bodies_of(&self, operation: &str) -> Vec<serde_json::Value> {
        self.requests()
            .iter()
            .filter(|r| target_operation(r) == Some(operation))
            .map(Request::json)
            .collect()
    }
}

/// The operation of an AWS JSON-protocol request: `PutEvaluations` for
/// `X-Amz-Target: StarlingDoveService.PutEvaluations`.
pub fn target_operation(request: &Request) -> Option<&str> {
    request
        .header("x-amz-target")
        .and_then(|t| t.rsplit('.').next())
}

/// AWS Config's answers when everything succeeds: `PutEvaluations` rejects nothing,
/// `StartConfigRulesEvaluation` returns `{}`, `GetComplianceDetailsByConfigRule` knows no
/// earlier verdicts; any other operation is `UnknownOperationException` (HTTP 400).
pub fn config_answer(request: &Request) -> Response {
    let body = match target_operation(request) {
        Some("PutEvaluations") => serde_json::json!({ "FailedEvaluations": [] }),
        Some("StartConfigRulesEvaluation") => serde_json::json!({}),
        Some("GetComplianceDetailsByConfigRule") => serde_json::json!({ "EvaluationResults": [] }),
        other => {
            return aws_json_error(
                "UnknownOperationException",
                &format!("operation {other:?} is not emulated"),
            )
        }
    };
    aws_json(200, &body)
}

/// The content type of AWS JSON 1.1 answers.
const AWS_JSON: &str = "application/x-amz-json-1.1";

/// An AWS JSON-protocol error answer (HTTP 400) with error code `code`.
pub fn aws_json_error(code: &str, message: &str) -> Response {
    aws_json(
        400,
        &serde_json::json!({ "__type": code, "message": message }),
    )
}

/// An AWS JSON 1.1 answer.
fn aws_json(status: u16, body: &serde_json::Value) -> Response {
    Response {
        status,
        headers: vec![("Content-Type".into(), AWS_JSON.into())],
        body: body.to_string().into_bytes(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Read;

    /// Sends `raw` on one connection and reads until `answers` responses have arrived.
    fn exchange(port: u16, raw: &str, answers: usize) -> String {
        let mut stream = TcpStream::connect(("127.0.0.1", port)).unwrap();
        stream.write_all(raw.as_bytes()).unwrap();
        let mut reader = BufReader::new(stream);
        let mut text = String::new();
        for _ in 0..answers {
            let mut length = 0;
            loop {
                let mut line = String::new();
                let read = reader.read_line(&mut line).unwrap();
                assert!(read > 0, "the server closed the connection: {text}");
                text.push_str(&line);
                if let Some(v) = line.strip_prefix("Content-Length: ") {
                    length = v.trim().parse().unwrap();
                }
                if line == "\r\n" {
                    break;
                }
            }
            let mut body = vec![0; length];
            reader.read_exact(&mut body).unwrap();
            text.push_str(&String::from_utf8(body).unwrap());
        }
        text
    }

    #[test]
    fn requests_on_one_connection_are_recorded_chunked_or_not() {
        let capture = HttpCapture::config();
        let port = capture.server.port();
        let raw = "POST / HTTP/1.1\r\nX-Amz-Target: StarlingDoveService.PutEvaluations\r\n\
                   Transfer-Encoding: chunked\r\n\r\n4\r\n{\"Ev\r\n9\r\naluations\r\n6\r\n\": []}\r\n0\r\n\r\n\
                   POST / HTTP/1.1\r\nX-Amz-Target: StarlingDoveService.Nope\r\n\
                   Content-Length: 2\r\n\r\n{}";
        let answers = exchange(port, raw, 2);
        assert!(answers.starts_with("HTTP/1.1 200 OK\r\n"), "{answers}");
        assert!(answers.contains(r#"{"FailedEvaluations":[]}"#), "{answers}");
        assert!(answers.contains("HTTP/1.1 400 Bad Request"), "{answers}");
        assert!(answers.contains("UnknownOperationException"), "{answers}");
        assert_eq!(
            capture.bodies_of("PutEvaluations"),
            [serde_json::json!({ "Evaluations": [] })]
        );
        assert_eq!(capture.requests().len(), 2);
    }
}
