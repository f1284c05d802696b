//! One invocation: decode the event, decide the scope, evaluate it, put the evaluations.
//!
//! Everything that can fail before `PutEvaluations` (the event, the parameters, the EC2
//! lookups and collection) is done first, so a failure puts nothing. A scheduled run then
//! reads Config's earlier verdicts: stale ones are withdrawn, evaluations Config holds
//! unchanged are not put again, and when they cannot be read everything is put. The Lambda deadline is then checked: without
//! time to put every batch, nothing is put.

use std::collections::BTreeSet;
use std::time::SystemTime;

use aws_config::SdkConfig;
use aws_lambda_events::event::config::ConfigEvent;
use aws_sdk_config::primitives::DateTime;
use serde::Serialize;
use vpce_reach_aws::{AssumedRole, CallLimits, Dns, OneLine, Scope};
use vpce_reach_model::{AccountId, RuleParameters};
use vpce_reach_model::{ComplianceType, Evaluation, RESOURCE_TYPES};

use crate::earlier::{self, Earlier};
use crate::error::RuleError;
use crate::event::{ConfigurationItem, InvokingEvent, Trigger};
use crate::scope::Target;
use crate::workload_change::{self, Decision};
use crate::{evaluate, put, scope, stale};

/// The AWS clients the rule uses.
#[derive(Debug, Clone)]
pub struct Clients {
    /// The caller's account: EC2 (the snapshot, the lookup of an oversized item's VPC) and,
    /// when `dns` is on, Route 53, Resolver and Profiles.
    pub aws: vpce_reach_aws::Clients,
    /// `PutEvaluations` and `GetComplianceDetailsByConfigRule`.
    pub config: aws_sdk_config::Client,
    /// The other accounts of `ASSUME_ROLE_ARNS` (read whole with every evaluation, as the
    /// CLI's `--assume-role`), through their roles.
    pub others: Vec<(AssumedRole, vpce_reach_aws::Clients)>,
    /// Whether the DNS documents are collected (`CHECK_DNS`, template parameter `CheckDns`).
    pub dns: Dns,
    /// Put every evaluation, also those Config already holds unchanged (`PUT_UNCHANGED`).
    pub put_unchanged: bool,
}

impl Clients {
    /// Every client from one SDK configuration, with the shipped timeouts and retries
    /// ([`CallLimits::SHIPPED`]) and the endpoints aws-config resolved for each service; DNS on.
    pub async fn from_sdk_config(sdk: &SdkConfig) -> Clients {
        Clients::with_limits(sdk, &CallLimits::SHIPPED)
    }

    /// Every client from `sdk` with `limits` (the path of [`Clients::from_sdk_config`]).
    pub fn with_limits(sdk: &SdkConfig, limits: &CallLimits) -> Clients {
        Clients {
            aws: vpce_reach_aws::Clients::with(sdk, limits),
            config: aws_sdk_config::Client::new(&limits.apply(sdk)),
            others: Vec::new(),
            dns: Dns::On,
            put_unchanged: false,
        }
    }

    /// These clients putting every evaluation (`yes`), or only those whose verdict or
    /// annotation differ from what Config holds (the default).
    pub fn putting_unchanged(mut self, yes: bool) -> Clients {
        self.put_unchanged = yes;
        self
    }

    /// These clients reading the accounts of `roles` too, through role clients built from
    /// `sdk` with the shipped limits.
    pub async fn with_roles(mut self, sdk: &SdkConfig, roles: &[AssumedRole]) -> Clients {
        for role in roles {
            self.others.push((role.clone(), role.clients(sdk).await));
        }
        self
    }

    /// These clients collecting DNS or not.
    pub fn with_dns(mut self, dns: Dns) -> Clients {
        self.dns = dns;
        self
    }

    /// These clients with every call (its retries included) bounded by the time left before
    /// `deadline`, the Lambda's ([`vpce_reach_aws::until`]).
    pub fn until(&self, deadline: SystemTime) -> Clients {
        let config = self.config.config();
        let bound = vpce_reach_aws::until(deadline).measured_by(config.time_source());
        let config = config.to_builder().interceptor(bound).build();
        Clients {
            aws: self.aws.until(deadline),
            config: aws_sdk_config::Client::from_conf(config),
            others: self
                .others
                .iter()
                .map(|(role, clients)| (role.clone(), clients.until(deadline)))
                .collect(),
            dns: self.dns,
            put_unchanged: self.put_unchanged,
        }
    }
}

/// The environment variable that makes every run put every evaluation (template parameter
/// `PutUnchangedEvaluations`): `true`, or `false`/empty/absent for the default (only what
/// changed is put).
pub const PUT_UNCHANGED: &str = "PUT_UNCHANGED";

/// The value of [`PUT_UNCHANGED`] (`None`: unset), or the value it does not take.
pub fn put_unchanged(value: Option<&str>) -> Result<bool, String> {
    match value.map(str::trim) {
        None | Some("") | Some("false") => Ok(false),
        Some("true") => Ok(true),
        Some(other) => Err(other.to_owned()),
    }
}

/// What an invocation did: the Lambda's result, also logged.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Summary {
    /// `ConfigurationItemChangeNotification`, `ScheduledNotification`, ...
    pub trigger: String,
    /// What was evaluated: a VPC id, `whole region`, or the one resource.
    pub scope: String,
    /// Evaluations put, by compliance type.
    pub compliant: usize,
    /// See `compliant`.
    pub non_compliant: usize,
    /// See `compliant`; stale and deleted resources included.
    pub not_applicable: usize,
    /// Evaluations not put because Config already holds them unchanged.
    pub unchanged: usize,
    /// `PutEvaluations` calls made.
    pub put_calls: usize,
    /// True for a `TESTMODE` invocation: nothing was recorded.
    pub test_mode: bool,
    /// Why a change was not evaluated (an ENI that is no workload, say); absent otherwise.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub skipped: Option<String>,
}

/// Logs an invocation's outcome as one event: `invocation summary` (INFO) with the summary's
/// fields, or `invocation failed` (ERROR) with the error and its `error_type`. Strings from the event or AWS are
/// logged through [`OneLine`], so they cannot start a forged line in the text format.
pub fn log_outcome(result: &Result<Summary, RuleError>) {
    match result {
        Ok(s) => tracing::info!(
            trigger = %OneLine(&s.trigger),
            scope = %OneLine(&s.scope),
            compliant = s.compliant,
            non_compliant = s.non_compliant,
            not_applicable = s.not_applicable,
            unchanged = s.unchanged,
            put_calls = s.put_calls,
            test_mode = s.test_mode,
            skipped = %OneLine(s.skipped.as_deref().unwrap_or("")),
            "invocation summary"
        ),
        Err(e) => tracing::error!(
            error_type = e.error_type(),
            error = %OneLine(e),
            "invocation failed"
        ),
    }
}

/// What to put, and when it happened.
struct Plan {
    scope: String,
    ordering: DateTime,
    evaluations: Vec<Evaluation>,
    skipped: Option<String>,
    /// What Config held before this run, when the plan already read it.
    earlier: Option<Earlier>,
}

/// Handles one Config custom-rule event; `deadline` is the Lambda's (`Context::deadline`).
pub async fn handle(
    clients: &Clients,
    event: ConfigEvent,
    deadline: SystemTime,
) -> Result<Summary, RuleError> {
    // Every AWS call of the invocation ends before the deadline, retries included.
    let clients = &clients.until(deadline);
    let params = parameters(&event)?;
    let token = event
        .result_token
        .clone()
        .filter(|t| !t.is_empty())
        .ok_or_else(|| bad("no resultToken"))?;
    let invoking = InvokingEvent::parse(
        event
            .invoking_event
            .as_deref()
            .ok_or_else(|| bad("no invokingEvent"))?,
    )?;
    let trigger_name = format!("{:?}", invoking.message_type);
    let diff = invoking.configuration_item_diff.clone();
    let plan = match invoking.trigger()? {
        Trigger::Scheduled { notification_time } => {
            scheduled(clients, &event, &notification_time, &params).await?
        }
        Trigger::Change {
            item,
            oversized,
            capture_time,
        } => {
            let decision = workload_change::decide(&item, diff.as_ref(), oversized, &params);
            let changed = Changed {
                item: &item,
                oversized,
                capture_time: &capture_time,
                diff: diff.as_ref(),
            };
            change(clients, &event, changed, &params, decision).await?
        }
    };
    let mut plan = plan;
    // A test invocation records nothing: it validates every evaluation.
    let unchanged = if clients.put_unchanged || token == put::TEST_TOKEN {
        0
    } else {
        skip_unchanged(&mut plan)
    };
    let put = put::put_all(
        &clients.config,
        &token,
        plan.ordering,
        &plan.evaluations,
        deadline,
    )
    .await?;
    let count = |t: ComplianceType| {
        plan.evaluations
            .iter()
            .filter(|e| e.compliance_type == t)
            .count()
    };
    Ok(Summary {
        trigger: trigger_name,
        scope: plan.scope,
        compliant: count(ComplianceType::Compliant),
        non_compliant: count(ComplianceType::NonCompliant),
        not_applicable: count(ComplianceType::NotApplicable),
        unchanged,
        put_calls: put.calls,
        test_mode: token == put::TEST_TOKEN,
        skipped: plan.skipped,
    })
}

fn bad(what: &str) -> RuleError {
    RuleError::BadEvent(what.to_owned())
}

/// Leaves out of a scheduled run's plan the evaluations Config already holds with the same
/// verdict and annotation (docs/config-rule.md, "Only what changed is put"). Change-triggered
/// runs put their whole scope: they answer a change, and Config's answer to the read may not
/// yet show a verdict put moments before (a change reverted within seconds would then keep
/// the wrong one); the next scheduled run compares with what Config then holds.
fn skip_unchanged(plan: &mut Plan) -> usize {
    match &plan.earlier {
        Some(earlier) => earlier.skip_unchanged(&mut plan.evaluations),
        None => 0,
    }
}

/// Logs why the earlier verdicts are not used: nothing is withdrawn or skipped then.
fn unreadable(e: &RuleError) {
    tracing::warn!(
        error_type = e.error_type(),
        error = %OneLine(e),
        "earlier verdicts unreadable: every evaluation is put, none withdrawn"
    );
}

/// The account the rule runs in (`accountId` of the event): Config takes evaluations of its
/// resources only (docs/spec.md section 5). Absent: every account read is evaluated.
fn caller(event: &ConfigEvent) -> Result<Option<AccountId>, RuleError> {
    match event.account_id.as_deref().map(str::trim) {
        None | Some("") => Ok(None),
        Some(id) => id
            .parse()
            .map(Some)
            .map_err(|e| bad(&format!("accountId: {e}"))),
    }
}

/// `ruleParameters` (a JSON object in a string; absent or empty means defaults).
fn parameters(event: &ConfigEvent) -> Result<RuleParameters, RuleError> {
    match event.rule_parameters.as_deref().map(str::trim) {
        None | Some("") => Ok(RuleParameters::default()),
        Some(text) => RuleParameters::from_json(text).map_err(RuleError::BadParameter),
    }
}

/// The whole region, plus `NOT_APPLICABLE` for resources gone since their last verdict.
async fn scheduled(
    clients: &Clients,
    event: &ConfigEvent,
    time: &str,
    params: &RuleParameters,
) -> Result<Plan, RuleError> {
    let ordering = put::parse_timestamp(time)?;
    let rule_name = event
        .config_rule_name
        .as_deref()
        .ok_or_else(|| bad("no configRuleName"))?;
    let region = Scope::region();
    let mut evaluations =
        evaluate::evaluate(clients, caller(event)?.as_ref(), &region, params).await?;
    // Without Config's earlier verdicts nothing can be withdrawn, but the run still puts
    // every evaluation (all of them: none can be known unchanged).
    let earlier = match earlier::read(&clients.config, rule_name).await {
        Ok(earlier) => {
            let withdrawn = stale::withdrawals(&earlier, &evaluations);
            evaluations.extend(withdrawn);
            Some(earlier)
        }
        Err(e) => {
            unreadable(&e);
            None
        }
    };
    Ok(Plan {
        scope: region.label(),
        ordering,
        evaluations,
        skipped: None,
        earlier,
    })
}

/// The change notification's item and what comes with it.
struct Changed<'a> {
    item: &'a ConfigurationItem,
    /// Only the item's summary was sent.
    oversized: bool,
    capture_time: &'a str,
    /// `configurationItemDiff`.
    diff: Option<&'a serde_json::Value>,
}

/// One changed resource: its VPCs re-evaluated (unless `decision` skips it), the resource
/// itself `NOT_APPLICABLE` when it was deleted or left the rule's scope.
async fn change(
    clients: &Clients,
    event: &ConfigEvent,
    changed: Changed<'_>,
    params: &RuleParameters,
    decision: Decision,
) -> Result<Plan, RuleError> {
    let Changed {
        item,
        oversized,
        capture_time,
        diff,
    } = changed;
    let ordering = put::parse_timestamp(capture_time)?;
    let caller = caller(event)?;
    let mut evaluations = Vec::new();
    let evaluated_type = RESOURCE_TYPES.contains(&item.resource_type.as_str());
    if event.event_left_scope {
        // Only this resource's verdict is withdrawn: the rest of its VPC did not change.
        if evaluated_type {
            evaluations.push(stale::not_applicable(
                &item.resource_type,
                &item.resource_id,
                "left the rule's scope",
            ));
        }
        return Ok(Plan {
            scope: item.resource_id.clone(),
            ordering,
            evaluations,
            skipped: None,
            earlier: None,
        });
    }
    if item.is_deleted() && evaluated_type {
        evaluations.push(stale::not_applicable(
            &item.resource_type,
            &item.resource_id,
            "deleted",
        ));
    }
    let target = match decision {
        Decision::AsUsual => scope::target_of(&clients.aws.ec2, item, diff, oversized).await?,
        Decision::Vpc(vpc) => Target::Vpcs(BTreeSet::from([vpc])),
        Decision::Skip(why) => {
            return Ok(Plan {
                scope: item.resource_id.clone(),
                ordering,
                evaluations,
                skipped: Some(why),
                earlier: None,
            })
        }
    };
    let evaluated = match target {
        Target::Nothing => {
            return Ok(Plan {
                scope: item.resource_id.clone(),
                ordering,
                evaluations,
                skipped: None,
                earlier: None,
            })
        }
        Target::Vpcs(vpcs) => Scope::vpcs(vpcs),
        Target::Region(why) => {
            tracing::info!(resource = %OneLine(&item.resource_id), why = %OneLine(&why), "whole region");
            Scope::region()
        }
    };
    let label = evaluated.label();
    let scoped = evaluate::evaluate(clients, caller.as_ref(), &evaluated, params).await?;
    // The item's verdict wins: describe calls may still list a resource just deleted.
    let deleted = item.is_deleted().then_some(item.resource_id.as_str());
    evaluations.extend(
        scoped
            .into_iter()
            .filter(|e| Some(e.compliance_resource_id.as_str()) != deleted),
    );
    Ok(Plan {
        scope: label,
        ordering,
        evaluations,
        skipped: None,
        earlier: None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;
    use std::sync::{Arc, Mutex};

    use lambda_runtime::tracing::subscriber;

    /// Everything a subscriber wrote, shared with the test.
    #[derive(Clone, Default)]
    struct Buffer(Arc<Mutex<Vec<u8>>>);

    impl Write for Buffer {
        fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(bytes);
            Ok(bytes.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    impl Buffer {
        fn text(&self) -> String {
            String::from_utf8(self.0.lock().unwrap().clone()).unwrap()
        }
    }

    fn summary(scope: &str) -> Summary {
        Summary {
            trigger: "ScheduledNotification".into(),
            scope: scope.into(),
            compliant: 3,
            non_compliant: 1,
            not_applicable: 0,
            unchanged: 0,
            put_calls: 1,
            test_mode: false,
            skipped: None,
        }
    }

    /// Logs `result` as the runtime's subscriber formats it (JSON or text) into a buffer.
    fn logged(result: &Result<Summary, RuleError>, json: bool) -> String {
        let buffer = Buffer::default();
        let writer = buffer.clone();
        let make = move || writer.clone();
        let builder = subscriber::fmt().with_target(false).without_time();
        if json {
            let s = builder.json().with_writer(make).finish();
            tracing::subscriber::with_default(s, || log_outcome(result));
        } else {
            let s = builder.with_writer(make).finish();
            tracing::subscriber::with_default(s, || log_outcome(result));
        }
        buffer.text()
    }

    #[test]
    fn put_unchanged_takes_true_false_or_nothing() {
        assert_eq!(put_unchanged(None), Ok(false));
        assert_eq!(put_unchanged(Some("")), Ok(false));
        assert_eq!(put_unchanged(Some("false")), Ok(false));
        assert_eq!(put_unchanged(Some(" true ")), Ok(true));
        assert_eq!(put_unchanged(Some("yes")), Err("yes".to_owned()));
    }

    #[test]
    fn the_summary_is_one_structured_json_event() {
        let text = logged(&Ok(summary("vpc-0abc")), true);
        assert_eq!(text.lines().count(), 1, "{text}");
        let event: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert_eq!(event["level"], "INFO");
        let fields = &event["fields"];
        assert_eq!(fields["message"], "invocation summary");
        assert_eq!(fields["scope"], "vpc-0abc");
        assert_eq!(fields["compliant"], 3);
        assert_eq!(fields["non_compliant"], 1);
        assert_eq!(fields["test_mode"], false);
    }

    #[test]
    fn errors_are_one_line_even_when_aws_text_has_line_breaks() {
        let forged = Err(RuleError::BadEvent(
            "x\nINFO invocation summary compliant=0".into(),
        ));
        for json in [true, false] {
            let text = logged(&forged, json);
            assert_eq!(text.trim_end().lines().count(), 1, "{text}");
            assert!(text.contains("invocation failed"), "{text}");
            assert!(text.contains("InvalidEvent"), "{text}");
        }
        let text = logged(&Ok(summary("vpc-1\r\nERROR forged")), false);
        assert_eq!(text.trim_end().lines().count(), 1, "{text}");
        assert!(text.contains(r"vpc-1\r\nERROR forged"), "{text}");
    }
}
