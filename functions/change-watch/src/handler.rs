//! One SQS batch: parse the records, locate the VPCs they touched, evaluate each VPC once,
//! publish one alert per VPC with findings on the changed resources, optionally ask Config to
//! re-run the rule, and report the records that must be retried. Each publish waits for the
//! Lambda deadline's say-so ([`crate::deadline`]), so a batch is never killed halfway through
//! its alerts.

use std::collections::{BTreeMap, BTreeSet};
use std::time::SystemTime;

use aws_config::retry::RetryConfig;
use aws_config::SdkConfig;
use aws_lambda_events::event::sqs::{BatchItemFailure, SqsBatchResponse, SqsEvent, SqsMessage};
use aws_sdk_sns::types::MessageAttributeValue;
use serde::Serialize;

use vpce_reach_aws::{
    AssumedRole, CallError, CallLimits, Checked, Located, OneLine, Scope, Service,
};

use crate::alert::{self, Alert};
use crate::changes::{self, Change, Classified};
use crate::cloudtrail::EventBridgeEvent;
use crate::deadline;
use crate::settings::Settings;

/// The Config error code of StartConfigRulesEvaluation's once-a-minute limit.
const CONFIG_LIMIT_EXCEEDED: &str = "LimitExceededException";

/// What one invocation did, logged as one event by [`log_summary`] (and read by tests).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Summary {
    /// SQS records received.
    pub records: usize,
    /// Successful calls that may have changed reachability.
    pub changes: usize,
    /// Failed API calls (`errorCode` present): nothing changed.
    pub failed_calls_ignored: usize,
    /// Events of other kinds, or API calls that cannot affect reachability.
    pub irrelevant_ignored: usize,
    /// Snapshot collections made (one per batch with changes to evaluate).
    pub collections: usize,
    /// The VPCs evaluated, each exactly once.
    pub vpcs_evaluated: Vec<String>,
    /// The VPCs an alert was published for.
    pub alerts: Vec<String>,
    /// Changes whose VPC could not be found (e.g. a resource deleted since), by event.
    pub unlocated: Vec<String>,
    /// The SQS message ids reported as batch item failures.
    pub failed_records: Vec<String>,
    /// What became of the Config re-evaluation request, when one was made.
    pub config_rule: Option<String>,
    /// Every error met, for the log.
    pub errors: Vec<String>,
}

/// The Lambda response and the summary of what was done.
#[derive(Debug, Clone)]
pub struct Outcome {
    /// `batchItemFailures`: the records SQS must deliver again.
    pub response: SqsBatchResponse,
    /// What the invocation did.
    pub summary: Summary,
}

/// The function's clients and settings, built once per cold start.
#[derive(Debug, Clone)]
pub struct Handler {
    /// The caller's account: EC2 and the DNS services (used when `settings.dns` is on).
    aws: vpce_reach_aws::Clients,
    /// The same clients acting in the other accounts of `ASSUME_ROLE_ARNS`, through their roles.
    others: Vec<(AssumedRole, vpce_reach_aws::Clients)>,
    sns: aws_sdk_sns::Client,
    config: aws_sdk_config::Client,
    settings: Settings,
    /// The function's own account, when known ([`Handler::in_account`]).
    account: Option<vpce_reach_model::AccountId>,
}

/// Failed records and errors of the invocation so far.
#[derive(Default)]
struct Failures {
    records: BTreeSet<String>,
    errors: Vec<String>,
}

impl Failures {
    fn fail<'a>(&mut self, message_ids: impl IntoIterator<Item = &'a str>, error: String) {
        let ids: Vec<&str> = message_ids.into_iter().collect();
        tracing::error!(
            error = %OneLine(&error),
            records = %OneLine(ids.join(",")),
            "records failed: SQS delivers them again"
        );
        self.records.extend(ids.into_iter().map(str::to_owned));
        self.errors.push(error);
    }
}

impl Handler {
    /// Clients from `sdk`, with the shipped timeouts and retries ([`CallLimits::SHIPPED`]),
    /// except that the Config client never retries ([`config_client`]).
    pub async fn new(sdk: &SdkConfig, settings: Settings) -> Handler {
        let mut others = Vec::with_capacity(settings.assume_roles.len());
        for role in &settings.assume_roles {
            others.push((role.clone(), role.clients(sdk).await));
        }
        let shipped = CallLimits::SHIPPED.apply(sdk);
        Handler {
            others,
            ..Handler::from_clients(
                vpce_reach_aws::Clients::new(sdk),
                aws_sdk_sns::Client::new(&shipped),
                config_client(&shipped),
                settings,
            )
        }
    }

    /// This handler with every AWS call (its retries included) bounded by the time left before
    /// `deadline`, the Lambda's ([`vpce_reach_aws::until`]): a stalled or throttled call fails
    /// and its records are redelivered, instead of Lambda killing the batch midway.
    pub fn until(&self, deadline: SystemTime) -> Handler {
        let bound = |time| vpce_reach_aws::until(deadline).measured_by(time);
        let sns = self.sns.config();
        let sns = sns
            .to_builder()
            .interceptor(bound(sns.time_source()))
            .build();
        let config = self.config.config();
        let config = config
            .to_builder()
            .interceptor(bound(config.time_source()))
            .build();
        Handler {
            aws: self.aws.until(deadline),
            others: self
                .others
                .iter()
                .map(|(role, clients)| (role.clone(), clients.until(deadline)))
                .collect(),
            sns: aws_sdk_sns::Client::from_conf(sns),
            config: aws_sdk_config::Client::from_conf(config),
            settings: self.settings.clone(),
            account: self.account.clone(),
        }
    }

    /// A handler from ready-made clients (tests point each one at its own endpoint).
    pub fn from_clients(
        aws: vpce_reach_aws::Clients,
        sns: aws_sdk_sns::Client,
        config: aws_sdk_config::Client,
        settings: Settings,
    ) -> Handler {
        Handler {
            aws,
            others: Vec::new(),
            sns,
            config,
            settings,
            account: None,
        }
    }

    /// This handler for the function's own `account` (from its ARN): findings on other
    /// accounts' components name them in the alerts, as the Config rule's evaluations do.
    pub fn in_account(mut self, account: Option<vpce_reach_model::AccountId>) -> Handler {
        self.account = account;
        self
    }

    /// Handles one SQS batch; `deadline` is the Lambda's (`Context::deadline`). Never fails as
    /// a whole: each record whose evaluation or alert could not be completed (in time) is
    /// returned in `batchItemFailures` so SQS delivers it again, and nothing is reported as
    /// fine on incomplete data.
    pub async fn handle(&self, event: SqsEvent, deadline: SystemTime) -> Outcome {
        let mut summary = Summary {
            records: event.records.len(),
            ..Summary::default()
        };
        let mut failures = Failures::default();
        let changes = read_records(&event.records, &mut summary, &mut failures);
        summary.changes = changes.len();
        let plan = self.locate(&changes, &mut summary, &mut failures).await;
        self.evaluate(&changes, &plan, deadline, &mut summary, &mut failures)
            .await;
        if let (Some(rule), false) = (&self.settings.config_rule_name, changes.is_empty()) {
            summary.config_rule = Some(self.rerun_before(rule, deadline).await);
        }
        summary.failed_records = failures.records.iter().cloned().collect();
        summary.errors = failures.errors;
        let mut response = SqsBatchResponse::default();
        response.batch_item_failures = failures.records.into_iter().map(item_failure).collect();
        Outcome { response, summary }
    }

    /// VPC id → the indexes of the changes that touched it. Changes whose lookup failed are
    /// failed; changes whose resources no longer exist are logged as unlocated.
    async fn locate(
        &self,
        changes: &[Change],
        summary: &mut Summary,
        failures: &mut Failures,
    ) -> BTreeMap<String, Vec<usize>> {
        let located = self.lookup(changes, failures).await;
        let mut plan: BTreeMap<String, Vec<usize>> = BTreeMap::new();
        for (i, change) in changes.iter().enumerate() {
            let vpcs = match &located {
                Some(located) => vpcs_of(change, located),
                // The lookup failed: this change is already a batch item failure.
                None if change.to_locate().next().is_some() => continue,
                None => BTreeSet::new(),
            };
            if vpcs.is_empty() {
                let what = format!(
                    "{} {} ({})",
                    change.event_name,
                    change.resources.join(", "),
                    change.message_id
                );
                tracing::warn!(
                    change = %OneLine(&what),
                    "no VPC found: its resources no longer exist or were not recorded"
                );
                summary.unlocated.push(what);
            }
            for vpc in vpcs {
                plan.entry(vpc).or_default().push(i);
            }
        }
        plan
    }

    /// One lookup for every resource of the batch whose VPC is unknown; `None` (and the
    /// changes needing it failed) when a lookup call failed.
    async fn lookup(&self, changes: &[Change], failures: &mut Failures) -> Option<Located> {
        let wanted: BTreeSet<String> = changes
            .iter()
            .flat_map(|c| c.to_locate().map(str::to_owned))
            .collect();
        if wanted.is_empty() {
            return Some(Located::new());
        }
        match Box::pin(vpce_reach_aws::locate_with(&self.aws, &wanted)).await {
            Ok(located) => Some(located),
            Err(e) => {
                let needing = changes.iter().filter(|c| c.to_locate().next().is_some());
                failures.fail(needing.map(|c| c.message_id.as_str()), e.to_string());
                None
            }
        }
    }

    /// One collection and one check for every VPC of the plan, then one alert per VPC, each
    /// published only if `deadline` leaves time for the call.
    async fn evaluate(
        &self,
        changes: &[Change],
        plan: &BTreeMap<String, Vec<usize>>,
        deadline: SystemTime,
        summary: &mut Summary,
        failures: &mut Failures,
    ) {
        if plan.is_empty() {
            return;
        }
        let vpc_ids: Vec<String> = plan.keys().cloned().collect();
        summary.collections += 1;
        let scope = Scope::vpcs(vpc_ids.iter().cloned());
        let progress = |line: &str| tracing::debug!(step = %OneLine(line), "collected");
        let checked = Box::pin(vpce_reach_aws::collect_and_check_accounts(
            &self.aws,
            &self.others,
            &scope,
            self.settings.dns,
            &self.settings.params,
            &progress,
        ))
        .await;
        let Checked {
            snapshot: snap,
            mut report,
            ..
        } = match checked {
            Ok(checked) => checked,
            Err(e) => {
                let all = plan
                    .values()
                    .flatten()
                    .map(|&i| changes[i].message_id.as_str());
                failures.fail(all, format!("{}: {e}", vpc_ids.join(", ")));
                return;
            }
        };
        // Findings on another account's components name it, as the Config rule's evaluations
        // do (issue 14).
        if let Some(caller) = &self.account {
            vpce_reach_model::name_accounts(&snap, &mut report, caller);
        }
        for (vpc, indexes) in plan {
            summary.vpcs_evaluated.push(vpc.clone());
            let vpc_changes: Vec<&Change> = indexes.iter().map(|&i| &changes[i]).collect();
            let Some(alert) = alert::for_vpc(&snap, &report, vpc, &vpc_changes) else {
                continue;
            };
            let records = vpc_changes.iter().map(|c| c.message_id.as_str());
            // Killed mid-batch, SQS would redeliver every record and the alerts already
            // published would go out twice: fail only the records still unalerted instead.
            if let Err(late) = deadline::time_for_one_call(SystemTime::now(), deadline) {
                failures.fail(records, format!("alert for {vpc} not published: {late}"));
                continue;
            }
            match self.publish(&alert).await {
                Ok(()) => summary.alerts.push(vpc.clone()),
                Err(e) => failures.fail(records, e),
            }
        }
    }

    /// Publishes one alert; the error is the failed call's message.
    async fn publish(&self, alert: &Alert) -> Result<(), String> {
        // Lets subscribers filter alerts by VPC with an SNS filter policy.
        let vpc = MessageAttributeValue::builder()
            .data_type("String")
            .string_value(&alert.vpc_id)
            .build()
            .map_err(|e| format!("SNS message attribute vpc_id: {e}"))?;
        self.sns
            .publish()
            .topic_arn(&self.settings.topic_arn)
            .subject(&alert.subject)
            .message(&alert.message)
            .message_attributes("vpc_id", vpc)
            .send()
            .await
            .map(|_| ())
            .map_err(|e| {
                let scope = format!("{}, alert for {}", self.settings.topic_arn, alert.vpc_id);
                CallError::from_sdk(Service::Sns, "Publish", scope, e).to_string()
            })
    }

    /// The Config re-run, if `deadline` leaves time for it: killed during this call, the
    /// whole batch would be delivered again and its alerts published twice.
    async fn rerun_before(&self, rule: &str, deadline: SystemTime) -> String {
        match deadline::time_for_one_call(SystemTime::now(), deadline) {
            Ok(()) => self.rerun_config_rule(rule).await,
            Err(late) => {
                let status = format!("{rule}: evaluation not started: {late}");
                tracing::warn!(status = %OneLine(&status), "config rule re-run");
                status
            }
        }
    }

    /// Asks Config to re-run the rule; its result is logged, never a failure of the batch (the
    /// alert is this function's job, the re-run only brings Config's verdict forward).
    async fn rerun_config_rule(&self, rule: &str) -> String {
        let result = self
            .config
            .start_config_rules_evaluation()
            .config_rule_names(rule)
            .send()
            .await;
        match result {
            Ok(_) => {
                let status = format!("{rule}: evaluation started");
                tracing::info!(status = %OneLine(&status), "config rule re-run");
                status
            }
            Err(e) => {
                let err =
                    CallError::from_sdk(Service::Config, "StartConfigRulesEvaluation", rule, e);
                let status = config_error_status(rule, &err);
                tracing::warn!(status = %OneLine(&status), "config rule re-run");
                status
            }
        }
    }
}

/// A Config client that does not retry: the SDK counts `LimitExceededException` as throttling
/// and would retry it, but StartConfigRulesEvaluation's limit is once a minute. Its endpoint is
/// the one aws-config resolved for Config (`AWS_ENDPOINT_URL_CONFIG_SERVICE` before
/// `AWS_ENDPOINT_URL`); its timeouts are `sdk`'s.
pub fn config_client(sdk: &SdkConfig) -> aws_sdk_config::Client {
    let config = aws_sdk_config::config::Builder::from(sdk)
        .retry_config(RetryConfig::disabled())
        .build();
    aws_sdk_config::Client::from_conf(config)
}

/// How a failed StartConfigRulesEvaluation is reported: the once-a-minute limit is expected
/// during a burst (the running evaluation will see this change too), anything else is the
/// call's error (which names the rule).
pub fn config_error_status(rule: &str, err: &CallError) -> String {
    match err.code.as_deref() {
        Some(CONFIG_LIMIT_EXCEEDED) => format!(
            "{rule}: an evaluation was already started within the last minute, not restarted"
        ),
        _ => err.to_string(),
    }
}

/// Logs what a batch did as one INFO event, `batch summary`, with the summary's fields (lists
/// comma-separated, errors `; `-separated). Strings from records or AWS go through
/// [`OneLine`], so they cannot start a forged line in the text format.
pub fn log_summary(s: &Summary) {
    tracing::info!(
        records = s.records,
        changes = s.changes,
        failed_calls_ignored = s.failed_calls_ignored,
        irrelevant_ignored = s.irrelevant_ignored,
        collections = s.collections,
        vpcs_evaluated = %OneLine(s.vpcs_evaluated.join(",")),
        alerts = %OneLine(s.alerts.join(",")),
        unlocated = %OneLine(s.unlocated.join(",")),
        failed_records = %OneLine(s.failed_records.join(",")),
        config_rule = %OneLine(s.config_rule.as_deref().unwrap_or("")),
        error_count = s.errors.len(),
        errors = %OneLine(s.errors.join("; ")),
        "batch summary"
    );
}

/// The VPCs a change named or touched that still exist, by the lookup's answers.
fn vpcs_of(change: &Change, located: &Located) -> BTreeSet<String> {
    change
        .to_locate()
        .flat_map(|id| located.get(id).into_iter().flatten().cloned())
        .collect()
}

fn item_failure(message_id: String) -> BatchItemFailure {
    let mut failure = BatchItemFailure::default();
    failure.item_identifier = message_id;
    failure
}

/// The changes of a batch; unreadable records are failed, others counted as ignored.
fn read_records(
    records: &[SqsMessage],
    summary: &mut Summary,
    failures: &mut Failures,
) -> Vec<Change> {
    let mut changes = Vec::new();
    for record in records {
        let message_id = record.message_id.as_deref().unwrap_or_default();
        match read_record(message_id, record.body.as_deref()) {
            Ok(Some(Classified::Change(change))) => changes.push(change),
            Ok(Some(Classified::Failed {
                event_name,
                error_code,
            })) => {
                tracing::info!(
                    event = %OneLine(&event_name),
                    error_code = %OneLine(&error_code),
                    message_id = %OneLine(message_id),
                    "ignored: the call failed, nothing changed"
                );
                summary.failed_calls_ignored += 1;
            }
            Ok(Some(Classified::Irrelevant { .. }) | None) => summary.irrelevant_ignored += 1,
            Err(e) => failures.fail([message_id], e),
        }
    }
    changes
}

/// One record: `None` for an event that is not an EC2, Route 53 or Resolver API call.
fn read_record(message_id: &str, body: Option<&str>) -> Result<Option<Classified>, String> {
    let body = body.ok_or_else(|| format!("SQS message {message_id}: no body"))?;
    let event = EventBridgeEvent::parse(message_id, body).map_err(|e| e.to_string())?;
    if !event.is_handled_api_call() {
        return Ok(None);
    }
    let call = event.api_call(message_id).map_err(|e| e.to_string())?;
    Ok(Some(changes::classify(message_id, &event.account, &call)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn start_failed(code: &str, message: &str) -> CallError {
        let call = "StartConfigRulesEvaluation";
        CallError::in_answer(Service::Config, call, "vpce-reach", code, message)
    }

    #[test]
    fn config_limit_is_a_quiet_no_op() {
        let err = start_failed("LimitExceededException", "too often");
        assert_eq!(
            config_error_status("vpce-reach", &err),
            "vpce-reach: an evaluation was already started within the last minute, not restarted"
        );
        let err = start_failed("NoSuchConfigRuleException", "no rule");
        assert_eq!(
            config_error_status("vpce-reach", &err),
            "Config StartConfigRulesEvaluation failed (vpce-reach): NoSuchConfigRuleException: \
             no rule"
        );
    }

    #[test]
    fn unreadable_records_fail_alone() {
        let mut summary = Summary::default();
        let mut failures = Failures::default();
        let records: Vec<SqsMessage> = serde_json::from_value(serde_json::json!([
            {"messageId": "bad", "body": "{oops"},
            {"messageId": "nobody"},
            {"messageId": "other", "body": "{\"id\": \"1\", \"detail-type\": \"Scheduled Event\", \"source\": \"aws.events\", \"detail\": {}}"}
        ]))
        .unwrap();
        let changes = read_records(&records, &mut summary, &mut failures);
        assert!(changes.is_empty());
        assert_eq!(
            failures.records.into_iter().collect::<Vec<_>>(),
            ["bad", "nobody"]
        );
        assert_eq!(summary.irrelevant_ignored, 1);
        assert!(
            failures.errors[0].starts_with("SQS message bad: not an EventBridge event"),
            "{:?}",
            failures.errors
        );
    }
}
