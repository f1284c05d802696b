//! Test support for vpce-reach: runs [moto](https://github.com/getmoto/moto)'s mock AWS server
//! on a free local port and builds SDK configurations that talk to it; runs the function
//! binaries as Lambda runs them ([`lambda`]: a Runtime API emulator) with AWS Config's calls
//! captured over HTTP ([`http::HttpCapture`]); serves a snapshot's documents as EC2 does
//! ([`fake_ec2::FakeEc2`]: the Query protocol's XML, paged).
//!
//! The `moto_server` binary is looked up at `$MOTO_SERVER`, else at
//! `<workspace root>/.venv/bin/moto_server` (the README's test command installs it there).
//! [`MotoServer::start_patched`] runs `moto/moto_patched.py` instead (with the `python` beside
//! that binary): moto with patches that make its answers look like AWS's where moto 5.2.5
//! drops data (a TGW static route's target, propagated TGW routes, ...; `moto/README.md`).

#![warn(missing_docs)]

pub mod clock;
pub mod fake_ec2;
pub mod fuzz;
pub mod http;
pub mod lambda;
pub mod net;

pub use fake_ec2::FakeEc2;
pub use http::{HttpCapture, Request, Response};
pub use lambda::{
    template_function, FunctionProcess, Invocation, PostKind, Posted, RuntimeApi, TemplateFunction,
};

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use aws_config::{BehaviorVersion, Region, SdkConfig};
use aws_sdk_ec2::config::{Credentials, SharedCredentialsProvider};

/// How long [`MotoServer::start`] waits for the server to answer HTTP.
const STARTUP_TIMEOUT: Duration = Duration::from_secs(20);
/// How many ports [`MotoServer::start`] tries when the server exits at once.
const START_ATTEMPTS: usize = 3;

/// The directory of the package whose tests are running (cargo sets `CARGO_MANIFEST_DIR` when
/// it runs tests, not only when it compiles them), else the current directory.
///
/// Read at run time, never with `env!`: CI reuses one target directory between clones, and a
/// crate that did not change is not rebuilt in another clone, so a path baked in at compile
/// time would point into whichever clone built it last.
pub fn package_dir() -> PathBuf {
    std::env::var_os("CARGO_MANIFEST_DIR")
        .map(PathBuf::from)
        .or_else(|| std::env::current_dir().ok())
        .unwrap_or_default()
}

/// The root of the checkout under test: the nearest ancestor of [`package_dir`] holding the
/// workspace's `Cargo.lock`.
pub fn workspace_root() -> PathBuf {
    let start = package_dir();
    start
        .ancestors()
        .find(|dir| dir.join("Cargo.lock").is_file())
        .map(Path::to_path_buf)
        .unwrap_or(start)
}

/// A running `moto_server` child process, killed and reaped when dropped.
#[derive(Debug)]
pub struct MotoServer {
    child: Child,
    port: u16,
}

impl MotoServer {
    /// Starts `moto_server` on 127.0.0.1 and a free port, and waits until it answers HTTP.
    ///
    /// Tries again on another port when the server exits at once (the port was taken between
    /// choosing it and binding it).
    ///
    /// # Panics
    /// When the binary is missing, cannot be started, or does not answer within ~20 s.
    pub fn start() -> MotoServer {
        Self::start_with(|port| {
            let mut command = Command::new(moto_binary());
            command.args(["-H", "127.0.0.1", "-p", &port.to_string()]);
            command
        })
    }

    /// Like [`MotoServer::start`], with the patches of `moto/moto_patched.py`: use it where a
    /// test needs what AWS returns and moto 5.2.5 drops (transit gateway routes above all).
    pub fn start_patched() -> MotoServer {
        let python = moto_binary().with_file_name("python");
        let script = workspace_root().join("shared/testkit/moto/moto_patched.py");
        Self::start_with(|port| {
            let mut command = Command::new(&python);
            command.arg(&script);
            command.args(["-H", "127.0.0.1", "-p", &port.to_string()]);
            command
        })
    }

    fn start_with(command: impl Fn(u16) -> Command) -> MotoServer {
        let mut last_error = String::new();
        for _ in 0..START_ATTEMPTS {
            let port = free_port();
            let mut server = MotoServer {
                child: spawn(command(port)),
                port,
            };
            match server.wait_until_ready() {
                Ok(()) => return server,
                Err(e) => last_error = e,
            }
        }
        panic!("{last_error}");
    }

    /// The HTTP endpoint URL of the server, e.g. `http://127.0.0.1:40123`.
    pub fn endpoint_url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// The TCP port the server listens on.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// Waits until the server answers HTTP; an error when it exits or the time runs out.
    fn wait_until_ready(&mut self) -> Result<(), String> {
        let deadline = Instant::now() + STARTUP_TIMEOUT;
        while Instant::now() < deadline {
            if let Ok(Some(status)) = self.child.try_wait() {
                return Err(format!(
                    "moto_server on port {} exited early with {status}",
                    self.port
                ));
            }
            if answers_http(self.port) {
                return Ok(());
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        panic!(
            "moto_server did not answer on port {} within {STARTUP_TIMEOUT:?}",
            self.port
        );
    }
}

impl Drop for MotoServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The `moto_server` binary: `$MOTO_SERVER`, else `<workspace root>/.venv/bin/moto_server`.
///
/// # Panics
/// When the file does not exist, with a message telling how to install it.
pub fn moto_binary() -> PathBuf {
    let path = std::env::var_os("MOTO_SERVER")
        .map(PathBuf::from)
        .unwrap_or_else(|| workspace_root().join(".venv/bin/moto_server"));
    if !path.is_file() {
        panic!(
            "moto_server not found at {}: run the test command from the README (it installs \
             moto[server] into .venv), or set MOTO_SERVER to the moto_server binary",
            path.display()
        );
    }
    path
}

/// An SDK configuration for tests: static credentials, region us-east-1, the given endpoint.
pub fn sdk_config(endpoint_url: &str) -> SdkConfig {
    let credentials = Credentials::new("testing", "testing", None, None, "vpce-reach-testkit");
    SdkConfig::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new("us-east-1"))
        .credentials_provider(SharedCredentialsProvider::new(credentials))
        .endpoint_url(endpoint_url)
        .build()
}

/// A port that was free a moment ago (bound to port 0, then released).
fn free_port() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind a free local port");
    listener.local_addr().expect("local address").port()
}

fn spawn(mut command: Command) -> Child {
    command
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start {:?}: {e}", command.get_program()))
}

/// True when `GET /moto-api/` on the port gets an HTTP response.
fn answers_http(port: u16) -> bool {
    let addr = SocketAddr::from(([127, 0, 0, 1], port));
    let Ok(mut stream) = TcpStream::connect_timeout(&addr, Duration::from_millis(500)) else {
        return false;
    };
    let _ = stream.set_read_timeout(Some(Duration::from_secs(2)));
    let request = "GET /moto-api/ HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n";
    if stream.write_all(request.as_bytes()).is_err() {
        return false;
    }
    let mut head = [0u8; 12];
    matches!(stream.read(&mut head), Ok(n) if n >= 5 && head.starts_with(b"HTTP/"))
}

/// One TCP entry of a test network ACL: rule number, egress, CIDR, first and last port, action.
pub type TcpAclEntry<'a> = (i32, bool, &'a str, i32, i32, aws_sdk_ec2::types::RuleAction);

/// A new network ACL in `vpc` with `entries` (TCP), associated with `subnet`; its id. Panics on
/// any error: this is test setup.
pub async fn network_acl(
    client: &aws_sdk_ec2::Client,
    vpc: &str,
    subnet: &str,
    entries: &[TcpAclEntry<'_>],
) -> String {
    let out = client
        .create_network_acl()
        .vpc_id(vpc)
        .send()
        .await
        .expect("CreateNetworkAcl");
    let acl = out
        .network_acl()
        .and_then(|a| a.network_acl_id())
        .expect("a network ACL id")
        .to_owned();
    for &(rule, egress, cidr, from, to, ref action) in entries {
        client
            .create_network_acl_entry()
            .network_acl_id(&acl)
            .rule_number(rule)
            .protocol("6")
            .rule_action(action.clone())
            .egress(egress)
            .cidr_block(cidr)
            .port_range(
                aws_sdk_ec2::types::PortRange::builder()
                    .from(from)
                    .to(to)
                    .build(),
            )
            .send()
            .await
            .expect("CreateNetworkAclEntry");
    }
    associate_network_acl(client, &acl, subnet).await;
    acl
}

/// Moves `subnet` from the network ACL it uses now (the VPC's default, in a new VPC) to `acl`,
/// as `ReplaceNetworkAclAssociation` requires: through the subnet's current association id.
/// Panics on any error: this is test setup.
pub async fn associate_network_acl(client: &aws_sdk_ec2::Client, acl: &str, subnet: &str) {
    let filter = aws_sdk_ec2::types::Filter::builder()
        .name("association.subnet-id")
        .values(subnet)
        .build();
    let out = client
        .describe_network_acls()
        .filters(filter)
        .send()
        .await
        .expect("DescribeNetworkAcls");
    let association = out
        .network_acls()
        .iter()
        .flat_map(|a| a.associations())
        .find(|a| a.subnet_id() == Some(subnet))
        .and_then(|a| a.network_acl_association_id())
        .unwrap_or_else(|| panic!("{subnet} has no network ACL association"))
        .to_owned();
    client
        .replace_network_acl_association()
        .association_id(association)
        .network_acl_id(acl)
        .send()
        .await
        .expect("ReplaceNetworkAclAssociation");
}

/// For fuzz tests: `text` with up to `len` bytes cut out at byte `at` (both clamped to the text
/// and moved down to char boundaries) and `junk` put in their place.
pub fn damage(text: &str, at: usize, len: usize, junk: &str) -> String {
    let floor = |mut i: usize| {
        while !text.is_char_boundary(i) {
            i -= 1;
        }
        i
    };
    let start = floor(at.min(text.len()));
    let end = floor(start.saturating_add(len).min(text.len()));
    format!("{}{}{}", &text[..start], junk, &text[end..])
}
