//! Live collection from EC2 (`snapshot --out`, `check --live`), behind the cargo feature
//! `live` so that the offline CLI builds without the AWS SDK.
//!
//! Region, credentials and profile come from the standard AWS environment (`AWS_REGION`,
//! `AWS_PROFILE`, `~/.aws/config`, SSO, instance roles...), as for the AWS CLI. Each
//! `--assume-role` adds another account, read through that role with those credentials as the
//! base (docs/snapshot-format.md, "Several accounts"). DNS data (Route 53, Resolver, Profiles,
//! DHCP option sets, endpoint services) is collected from every account unless `--no-dns`.
//! Progress goes to stderr, one line per finished describe call.

#[cfg(feature = "live")]
mod enabled {
    use std::path::Path;

    use crate::args::Live;
    use vpce_reach_aws::{AssumedRole, Dns, Scope};
    use vpce_reach_model::snapshot::Snapshot;

    /// The clients of one collection: the caller's, and one per role of another account
    /// (EC2, Route 53, Resolver and Profiles each), and whether DNS is read.
    struct Clients {
        own: vpce_reach_aws::Clients,
        others: Vec<(AssumedRole, vpce_reach_aws::Clients)>,
        dns: Dns,
    }

    /// Runs `work` with the clients and the scope of `what` (the whole region when no
    /// `--vpc`), after saying on stderr what is collected from where. A role that is not an IAM
    /// role ARN is refused before any call.
    fn with_clients<T, F, Fut>(what: &Live, work: F) -> Result<T, String>
    where
        F: FnOnce(Clients, Scope) -> Fut,
        Fut: std::future::Future<Output = Result<T, String>>,
    {
        let roles = what
            .roles
            .iter()
            .map(|arn| {
                arn.parse::<AssumedRole>()
                    .map_err(|e| format!("--assume-role: {e}"))
            })
            .collect::<Result<Vec<_>, _>>()?;
        let runtime = tokio::runtime::Runtime::new()
            .map_err(|e| format!("cannot start the async runtime: {e}"))?;
        runtime.block_on(async {
            let config = aws_config::load_from_env().await;
            let own = vpce_reach_aws::Clients::new(&config);
            let mut others = Vec::new();
            for role in roles {
                let clients = role.clients(&config).await;
                others.push((role, clients));
            }
            let dns = if what.no_dns { Dns::Off } else { Dns::On };
            let scope = if what.vpcs.is_empty() {
                Scope::region()
            } else {
                Scope::vpcs(&what.vpcs)
            };
            let region = config
                .region()
                .map_or("(no region set)".to_owned(), ToString::to_string);
            let with = match dns {
                Dns::On => "EC2 and Route 53 (DNS)",
                Dns::Off => "EC2 (no DNS: --no-dns)",
            };
            eprintln!("collecting {} of {region} from {with}...", scope.label());
            for (role, _) in &others {
                eprintln!(
                    "  and every VPC of account {} through {role}",
                    role.account()
                );
            }
            work(Clients { own, others, dns }, scope).await
        })
    }

    /// Every account's documents (the caller's in scope, each role's account whole).
    async fn collect(c: &Clients, scope: &Scope) -> Result<vpce_reach_aws::Snapshot, String> {
        vpce_reach_aws::collect_accounts_with(&c.own, &c.others, scope, c.dns, &progress)
            .await
            .map_err(|e| e.to_string())
    }

    /// One progress line per finished describe call, on stderr.
    fn progress(line: &str) {
        eprintln!("  {line}");
    }

    /// `check --live`: collects and loads the documents `snapshot` would write; `main` checks
    /// them as it checks a snapshot directory.
    pub fn load(what: &Live) -> Result<Snapshot, String> {
        with_clients(what, |clients, scope| async move {
            let collected = collect(&clients, &scope).await?;
            vpce_reach_model::from_documents(collected.documents)
                .map_err(|e| format!("collected snapshot unreadable: {e}"))
        })
    }

    /// `snapshot --out DIR`: writes the documents in the format `check <DIR>` reads.
    pub fn write(out: &Path, what: &Live) -> Result<(), String> {
        let collected = with_clients(what, |clients, scope| async move {
            let snapshot = collect(&clients, &scope).await?;
            eprintln!("collected {} documents", snapshot.documents.len());
            Ok(snapshot)
        })?;
        collected
            .write_to(out)
            .map_err(|e| format!("{}: {e}", out.display()))?;
        eprintln!(
            "wrote {} files under {}",
            collected.documents.len(),
            out.display()
        );
        Ok(())
    }
}

#[cfg(not(feature = "live"))]
mod enabled {
    use std::path::Path;

    use crate::args::Live;
    use vpce_reach_model::snapshot::Snapshot;

    /// Why a build without the `live` feature refuses live commands.
    const NOT_BUILT: &str = "this vpce-reach was built without live collection: \
        rebuild with `cargo build --features live` (or `cargo run --features live -- ...`)";

    /// Refuses: the SDK is not built in.
    pub fn load(_what: &Live) -> Result<Snapshot, String> {
        Err(NOT_BUILT.to_owned())
    }

    /// Refuses: the SDK is not built in.
    pub fn write(_out: &Path, _what: &Live) -> Result<(), String> {
        Err(NOT_BUILT.to_owned())
    }
}

pub use enabled::{load, write};
