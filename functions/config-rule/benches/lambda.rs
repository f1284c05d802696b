//! The Config rule at scale (issue 18, target 2): the `config-rule` binary run as Lambda runs
//! it (the test kit's Runtime API emulator), EC2 a fake endpoint serving a synthetic account in
//! EC2's own XML, paged ([`FakeEc2`]), Config an HTTP capture that accepts every
//! `PutEvaluations`. A scheduled invocation evaluates the whole region and puts every
//! evaluation (Config holds none: the capture knows no earlier verdicts).
//!
//! ```sh
//! cargo bench -p vpce-reach-config-rule --bench lambda -- [small|medium|large] [RUNS]
//! BENCH_WRAP="valgrind --tool=callgrind --callgrind-out-file=cg.out" cargo bench ... -- large 1
//! ```
//!
//! Reports, from `/proc` of the function's process alone (the servers run in this process):
//! the CPU time (user + system) and wall time of each invocation, the process's CPU time at
//! startup, and its peak RSS (`VmHWM`) after every run. `BENCH_WRAP` runs the binary under a
//! profiler (a command line, e.g. callgrind or `perf record -g -o perf.data`), whose output
//! splits the time by phase (BENCHMARKS.md, "The Config rule at scale").
//!
//! A bench binary, not a test: nothing here is timed against a bound.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use vpce_reach_synth::SynthParams;
use vpce_reach_testkit::{
    template_function, workspace_root, FakeEc2, FunctionProcess, HttpCapture, Invocation, PostKind,
    RuntimeApi,
};

/// The function's logical id in template.yaml: its variables and timeout.
const FUNCTION: &str = "ConfigRuleFunction";

fn main() {
    // `cargo bench` passes `--bench`; the preset and run count follow it.
    let args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with("--"))
        .collect();
    let preset = args.first().map_or("large", String::as_str);
    let runs: usize = args.get(1).and_then(|n| n.parse().ok()).unwrap_or(3);
    let params = match preset {
        "small" => SynthParams::small(),
        "medium" => SynthParams::medium(),
        "large" => SynthParams::large(),
        other => {
            eprintln!("unknown preset {other:?}: small, medium or large");
            std::process::exit(2);
        }
    };
    let fake = {
        let documents = vpce_reach_synth::generate(&params);
        println!("preset {preset}: {}", counts(&documents));
        FakeEc2::serve(&documents)
    };
    let config = HttpCapture::config();
    let api = RuntimeApi::start();
    let binary = binary();
    let env = template_function(FUNCTION).env(&[
        ("AWS_ENDPOINT_URL_EC2", fake.endpoint_url().as_str()),
        (
            "AWS_ENDPOINT_URL_CONFIG_SERVICE",
            config.endpoint_url().as_str(),
        ),
        ("ASSUME_ROLE_ARNS", ""),
        // The synthetic account has no DNS data; the DNS services are not emulated.
        ("CHECK_DNS", "false"),
        ("PUT_UNCHANGED", "false"),
        (
            "AWS_LAMBDA_LOG_LEVEL",
            std::env::var("AWS_LAMBDA_LOG_LEVEL")
                .as_deref()
                .unwrap_or("info"),
        ),
    ]);
    let mut function = FunctionProcess::start(&binary, &api, env);
    api.wait_for_next_calls(1);
    let pid = function.id();
    println!(
        "startup: {:.0} ms CPU, peak RSS {:.1} MiB",
        cpu(pid).as_secs_f64() * 1e3,
        peak_rss_mib(pid)
    );
    for run in 1..=runs {
        invoke(&api, &config, pid, run, &function);
    }
    println!(
        "EC2 requests: {} DescribeNetworkInterfaces, {} DescribeSecurityGroups, {} DescribeNetworkAcls, {} DescribeRouteTables (pages, all runs)",
        fake.calls("DescribeNetworkInterfaces"),
        fake.calls("DescribeSecurityGroups"),
        fake.calls("DescribeNetworkAcls"),
        fake.calls("DescribeRouteTables"),
    );
    // `BENCH_LOG=1` (with `AWS_LAMBDA_LOG_LEVEL=debug` in the bench's environment): what the
    // function logged, each describe call's end included.
    if std::env::var_os("BENCH_LOG").is_some() {
        println!("{}", function.log());
    }
    // A profiler writes its data when the profiled process ends; dropping `function` kills
    // it outright (SIGKILL), so end it with SIGINT first and give the profiler time to write.
    if wrapped() {
        let _ = std::process::Command::new("kill")
            .args(["-INT", &pid.to_string()])
            .status();
        // Wait for it to end rather than a fixed 10 s: on a loaded machine callgrind's dump
        // took longer, and the SIGKILL of `drop` left an empty profile.
        function.wait_exit();
    }
}

/// One scheduled invocation; prints its CPU and wall time, the puts and the peak RSS so far.
fn invoke(
    api: &RuntimeApi,
    config: &HttpCapture,
    pid: u32,
    run: usize,
    function: &FunctionProcess,
) {
    let id = format!("bench-{run}");
    let puts_before = config.bodies_of("PutEvaluations");
    let before = cpu(pid);
    let start = Instant::now();
    // Under a profiler (`BENCH_WRAP`) the run is 50-100x slower: the deadline is an hour, or
    // the rule would refuse to put (its budget is checked against the deadline left). Set
    // `TESTKIT_SAFETY_TIMEOUT_S` as well, or the emulator gives up waiting after 180 s.
    let timeout = if wrapped() {
        Duration::from_secs(3600)
    } else {
        template_function(FUNCTION).timeout
    };
    let sampling = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(true));
    let sampler = rss_timeline(pid, std::sync::Arc::clone(&sampling));
    api.invoke(Invocation::new(&id, scheduled_event()).deadline_in(timeout));
    let posted = api.outcome(&id);
    let wall = start.elapsed();
    sampling.store(false, std::sync::atomic::Ordering::SeqCst);
    let timeline = sampler.join().unwrap_or_default();
    // The process may still be finishing the post when the answer arrives; its next `/next`
    // marks the end of the invocation.
    api.wait_for_next_calls(run + 1);
    let used = cpu(pid) - before;
    if posted.kind != PostKind::Response {
        eprintln!(
            "invocation failed: {}\n{}",
            posted.error_message(),
            function.log()
        );
        std::process::exit(1);
    }
    let puts = config.bodies_of("PutEvaluations");
    let new_puts = &puts[puts_before.len()..];
    let evaluations: usize = new_puts
        .iter()
        .map(|b| b["Evaluations"].as_array().map_or(0, Vec::len))
        .sum();
    println!(
        "run {run}: CPU {:.0} ms, wall {:.0} ms, {evaluations} evaluations in {} PutEvaluations, peak RSS {:.1} MiB",
        used.as_secs_f64() * 1e3,
        wall.as_secs_f64() * 1e3,
        new_puts.len(),
        peak_rss_mib(pid),
    );
    if std::env::var_os("BENCH_TIMELINE").is_some() {
        println!("  RSS (MiB) every 100 ms: {timeline}");
    }
}

/// `BENCH_TIMELINE=1`: the process's RSS every 100 ms while `on`, to see which phase holds
/// the peak (collection, check, put).
fn rss_timeline(
    pid: u32,
    on: std::sync::Arc<std::sync::atomic::AtomicBool>,
) -> std::thread::JoinHandle<String> {
    std::thread::spawn(move || {
        let mut out = Vec::new();
        while on.load(std::sync::atomic::Ordering::SeqCst) {
            let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
            let rss = status
                .lines()
                .find_map(|l| l.strip_prefix("VmRSS:"))
                .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
                .unwrap_or(0.0);
            out.push(format!("{:.0}", rss / 1024.0));
            std::thread::sleep(Duration::from_millis(100));
        }
        out.join(" ")
    })
}

/// `events/config-rule/scheduled.json` with the default rule parameters.
fn scheduled_event() -> String {
    let path = workspace_root().join("events/config-rule/scheduled.json");
    let text = std::fs::read_to_string(&path).expect("the sample scheduled event");
    let mut event: serde_json::Value = serde_json::from_str(&text).expect("sample event JSON");
    event["ruleParameters"] = "{}".into();
    event.to_string()
}

/// True when the function runs under a profiler (`BENCH_WRAP`).
fn wrapped() -> bool {
    std::env::var("BENCH_WRAP").is_ok_and(|w| !w.trim().is_empty())
}

/// The binary to run: `config-rule`, or a script running it under `BENCH_WRAP`.
fn binary() -> PathBuf {
    let binary = PathBuf::from(env!("CARGO_BIN_EXE_config-rule"));
    match std::env::var("BENCH_WRAP") {
        Ok(wrap) if !wrap.trim().is_empty() => wrapper(&wrap, &binary),
        _ => binary,
    }
}

/// A shell script that `exec`s `wrap binary` (the function starts with a cleared
/// environment, so the script sets `PATH`); the process id stays the profiled process's.
fn wrapper(wrap: &str, binary: &Path) -> PathBuf {
    let path = std::env::temp_dir().join(format!("config-rule-wrapped-{}", std::process::id()));
    let script = format!(
        "#!/bin/sh\nPATH=/usr/local/bin:/usr/bin:/bin\nexec {wrap} '{}' \"$@\"\n",
        binary.display()
    );
    std::fs::write(&path, script).expect("write the wrapper script");
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).expect("chmod");
    path
}

/// The process's CPU time so far (user + system, `/proc/PID/stat` fields 14 and 15).
fn cpu(pid: u32) -> Duration {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    // Fields after the command name, which is in parentheses and may hold spaces.
    let rest = stat.rsplit_once(')').map_or("", |(_, r)| r);
    let fields: Vec<u64> = rest
        .split_whitespace()
        .skip(11)
        .take(2)
        .filter_map(|f| f.parse().ok())
        .collect();
    // Clock ticks: 100 per second on Linux (`getconf CLK_TCK`).
    Duration::from_millis(fields.iter().sum::<u64>() * 10)
}

/// `VmHWM` of `/proc/PID/status`, in MiB.
fn peak_rss_mib(pid: u32) -> f64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
        .map_or(0.0, |kib| kib / 1024.0)
}

/// "10 Vpcs, 10480 NetworkInterfaces, ...".
fn counts(documents: &[(String, serde_json::Value)]) -> String {
    vpce_reach_synth::count_objects(documents)
        .iter()
        .map(|(k, n)| format!("{n} {k}"))
        .collect::<Vec<_>>()
        .join(", ")
}
