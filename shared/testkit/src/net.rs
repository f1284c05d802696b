//! Network stand-ins for the AWS clients' failure modes: an endpoint nobody listens on, a
//! server that accepts connections and never answers, an HTTP client that never answers (in
//! process, for virtual time), and a server that answers every request with one JSON body and
//! records what it received.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, Mutex};
use std::thread;

use aws_sdk_ec2::config::SharedHttpClient;
use aws_smithy_runtime_api::client::http::{
    http_client_fn, HttpConnector, HttpConnectorFuture, SharedHttpConnector,
};
use aws_smithy_runtime_api::client::orchestrator::HttpRequest;

/// `http://127.0.0.1:<port>` of a port nobody listens on (bound, then released): a connection
/// there is refused.
pub fn dead_endpoint() -> String {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind a local port");
    let port = listener.local_addr().expect("local address").port();
    drop(listener);
    format!("http://127.0.0.1:{port}")
}

/// A server that accepts every connection and never sends a byte: a stalled service. The
/// connections are kept open until the server is dropped.
#[derive(Debug)]
pub struct StalledServer {
    url: String,
    _listener: Arc<TcpListener>,
}

impl StalledServer {
    /// Listens on a free local port.
    pub fn start() -> StalledServer {
        let listener = Arc::new(TcpListener::bind("127.0.0.1:0").expect("bind a local port"));
        let port = listener.local_addr().expect("local address").port();
        let accepting = Arc::clone(&listener);
        thread::spawn(move || {
            let mut open: Vec<TcpStream> = Vec::new();
            for stream in accepting.incoming().map_while(Result::ok) {
                open.push(stream);
            }
        });
        StalledServer {
            url: format!("http://127.0.0.1:{port}"),
            _listener: listener,
        }
    }

    /// Its endpoint URL.
    pub fn url(&self) -> &str {
        &self.url
    }
}

/// An HTTP client whose requests never get an answer, without any network: for tests on
/// virtual time ([`crate::clock::VirtualClock`]), where only the SDK's timeouts can end a call.
pub fn stalled_http_client() -> SharedHttpClient {
    http_client_fn(|_settings, _components| SharedHttpConnector::new(NeverAnswers))
}

#[derive(Debug)]
struct NeverAnswers;

impl HttpConnector for NeverAnswers {
    fn call(&self, _request: HttpRequest) -> HttpConnectorFuture {
        HttpConnectorFuture::new(std::future::pending())
    }
}

/// A server answering every request `200 OK` with one JSON body, recording each request's
/// first line and `x-amz-target` header (the operation of a JSON protocol call).
#[derive(Debug)]
pub struct CaptureServer {
    url: String,
    requests: Arc<Mutex<Vec<String>>>,
}

impl CaptureServer {
    /// Listens on a free local port and answers `body` (content type
    /// `application/x-amz-json-1.1`) to every request.
    pub fn start(body: &'static str) -> CaptureServer {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind a local port");
        let port = listener.local_addr().expect("local address").port();
        let requests = Arc::new(Mutex::new(Vec::new()));
        let seen = Arc::clone(&requests);
        thread::spawn(move || {
            for stream in listener.incoming().map_while(Result::ok) {
                let seen = Arc::clone(&seen);
                thread::spawn(move || serve(stream, body, &seen));
            }
        });
        CaptureServer {
            url: format!("http://127.0.0.1:{port}"),
            requests,
        }
    }

    /// Its endpoint URL.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// Each request received: `POST / HTTP/1.1 StarlingDoveService.StartConfigRulesEvaluation`.
    pub fn requests(&self) -> Vec<String> {
        self.requests
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }
}

/// Answers the requests of one connection until it closes.
fn serve(stream: TcpStream, body: &str, seen: &Mutex<Vec<String>>) {
    let Ok(mut writer) = stream.try_clone() else {
        return;
    };
    let mut reader = BufReader::new(stream);
    loop {
        let mut first = String::new();
        if reader.read_line(&mut first).unwrap_or(0) == 0 {
            return;
        }
        let (mut target, mut length) = (String::new(), 0usize);
        loop {
            let mut line = String::new();
            if reader.read_line(&mut line).unwrap_or(0) == 0 {
                return;
            }
            let line = line.trim_end();
            if line.is_empty() {
                break;
            }
            if let Some((name, value)) = line.split_once(':') {
                match name.trim().to_ascii_lowercase().as_str() {
                    "x-amz-target" => target = value.trim().to_owned(),
                    "content-length" => length = value.trim().parse().unwrap_or(0),
                    _ => {}
                }
            }
        }
        let mut content = vec![0; length];
        if reader.read_exact(&mut content).is_err() {
            return;
        }
        seen.lock()
            .unwrap_or_else(|e| e.into_inner())
            .push(format!("{} {target}", first.trim_end()));
        let answer = format!(
            "HTTP/1.1 200 OK\r\nContent-Type: application/x-amz-json-1.1\r\nContent-Length: {}\r\n\r\n{body}",
            body.len()
        );
        if writer.write_all(answer.as_bytes()).is_err() {
            return;
        }
    }
}
