//! Live collection from EC2 (`snapshot --out`, `check --live`), behind the cargo feature
//! `live` so that the offline CLI builds without the AWS SDK.
//!
//! Region, credentials and profile come from the standard AWS environment (`AWS_REGION`,
//! `AWS_PROFILE`, `~/.aws/config`, SSO, instance roles...), as for the AWS CLI. Progress goes
//! to stderr, one line per finished describe call.

#[cfg(feature = "live")]
mod enabled {
    use std::path::Path;

    use vpce_reach_aws::Scope;
    use vpce_reach_model::snapshot::{load, Snapshot};

    /// Collects `vpcs` (the whole region when empty) from EC2.
    fn collect(vpcs: &[String]) -> Result<vpce_reach_aws::Snapshot, String> {
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
            let progress = |line: &str| eprintln!("  {line}");
            let snapshot = vpce_reach_aws::collect(&client, &scope, &progress)
                .await
                .map_err(|e| e.to_string())?;
            eprintln!("collected {} documents", snapshot.documents.len());
            Ok(snapshot)
        })
    }

    /// `check --live`: the collected documents as a model snapshot.
    pub fn load(vpcs: &[String]) -> Result<Snapshot, String> {
        let collected = collect(vpcs)?;
        load::from_documents(collected.documents)
            .map_err(|e| format!("collected snapshot unreadable: {e}"))
    }

    /// `snapshot --out DIR`: writes the documents in the format `check <DIR>` reads.
    pub fn write(out: &Path, vpcs: &[String]) -> Result<(), String> {
        let collected = collect(vpcs)?;
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
