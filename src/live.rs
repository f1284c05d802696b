//! Live collection from EC2 (`snapshot --out`, `check --live`), behind the cargo feature
//! `live` so that the offline CLI builds without the AWS SDK.
//!
//! Region, credentials and profile come from the standard AWS environment (`AWS_REGION`,
//! `AWS_PROFILE`, `~/.aws/config`, SSO, instance roles...), as for the AWS CLI. Progress goes
//! to stderr, one line per finished describe call.

#[cfg(feature = "live")]
mod enabled {
    use std::path::Path;

    use vpce_reach_aws::{Ec2Client, Scope};
    use vpce_reach_model::snapshot::Snapshot;

    /// Runs `work` with the EC2 client and the scope of `vpcs` (the whole region when empty),
    /// after saying on stderr what is collected from where.
    fn with_client<T, F, Fut>(vpcs: &[String], work: F) -> Result<T, String>
    where
        F: FnOnce(Ec2Client, Scope) -> Fut,
        Fut: std::future::Future<Output = Result<T, String>>,
    {
        let runtime = tokio::runtime::Runtime::new()
            .map_err(|e| format!("cannot start the async runtime: {e}"))?;
        runtime.block_on(async {
            let config = aws_config::load_from_env().await;
            let client = vpce_reach_aws::ec2_client(&config).await;
            let scope = if vpcs.is_empty() {
                Scope::region()
            } else {
                Scope::vpcs(vpcs)
            };
            let region = config
                .region()
                .map_or("(no region set)".to_owned(), ToString::to_string);
            eprintln!("collecting {} of {region} from EC2...", scope.label());
            work(client, scope).await
        })
    }

    /// One progress line per finished describe call, on stderr.
    fn progress(line: &str) {
        eprintln!("  {line}");
    }

    /// `check --live`: collects and loads through the same path as the Lambda functions
    /// ([`vpce_reach_aws::collect_snapshot`], the first half of `collect_and_check`); `main`
    /// checks it as it checks a snapshot directory.
    pub fn load(vpcs: &[String]) -> Result<Snapshot, String> {
        with_client(vpcs, |client, scope| async move {
            vpce_reach_aws::collect_snapshot(&client, &scope, &progress)
                .await
                .map_err(|e| e.to_string())
        })
    }

    /// `snapshot --out DIR`: writes the documents in the format `check <DIR>` reads.
    pub fn write(out: &Path, vpcs: &[String]) -> Result<(), String> {
        let collected = with_client(vpcs, |client, scope| async move {
            let snapshot = vpce_reach_aws::collect(&client, &scope, &progress)
                .await
                .map_err(|e| e.to_string())?;
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

    use vpce_reach_model::snapshot::Snapshot;

    /// Why a build without the `live` feature refuses live commands.
    const NOT_BUILT: &str = "this vpce-reach was built without live collection: \
        rebuild with `cargo build --features live` (or `cargo run --features live -- ...`)";

    /// Refuses: the SDK is not built in.
    pub fn load(_vpcs: &[String]) -> Result<Snapshot, String> {
        Err(NOT_BUILT.to_owned())
    }

    /// Refuses: the SDK is not built in.
    pub fn write(_out: &Path, _vpcs: &[String]) -> Result<(), String> {
        Err(NOT_BUILT.to_owned())
    }
}

pub use enabled::{load, write};
