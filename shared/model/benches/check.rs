//! Benchmark of the whole check on synthetic snapshots: parse, evaluate, compliance.
//!
//! `cargo bench -p vpce-reach-model --bench check -- large` prints, for one size, the time of
//! each phase (best of `BENCH_RUNS`, default 5), pairs per second and the peak RSS from parsing
//! on (the generator's own memory is excluded). Sizes are `vpce_reach_synth` presets;
//! `BENCH_MISCONFIG=<percent>` overrides the share of misconfigured resources. `org` is the
//! organisation preset (issue 14): a hub VPC of endpoints, 50 spokes over a transit gateway.

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use vpce_reach_model::snapshot::{Snapshot, SnapshotBuilder};
use vpce_reach_model::{check, evaluations, RuleParameters};
use vpce_reach_synth::SynthParams;

/// The system allocator, counting allocations while `COUNTING` is on (a check's allocations
/// are much of its time). Timed runs leave it off: a locked add per allocation would slow
/// them down (parsing most, as it allocates most).
struct Counting;

static COUNTING: AtomicBool = AtomicBool::new(false);
static ALLOCATIONS: AtomicU64 = AtomicU64::new(0);

fn count() {
    if COUNTING.load(Ordering::Relaxed) {
        ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
    }
}

// SAFETY: every call is forwarded unchanged to the system allocator.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        count();
        unsafe { System.alloc(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        count();
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

fn main() {
    let size = std::env::args()
        .skip(1)
        .find(|a| !a.starts_with('-'))
        .unwrap_or_else(|| "large".into());
    let runs: usize = std::env::var("BENCH_RUNS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(5);
    let misconfig: Option<u32> = std::env::var("BENCH_MISCONFIG")
        .ok()
        .and_then(|v| v.parse().ok());
    let texts: Vec<(String, String)> = documents(&size, misconfig)
        .into_iter()
        .map(|(name, value)| (name, value.to_string()))
        .collect();
    let bytes: usize = texts.iter().map(|(_, t)| t.len()).sum();
    // The generator's JSON values are gone; measure the peak from here on (the input text
    // stays, as a file read by the CLI would).
    reset_peak_rss();

    let (parse, snap) = best(runs, || parse_all(&texts));
    let after_parse = peak_rss_kb();
    let rule = RuleParameters::default();
    let parse_allocations = allocations(|| drop(parse_all(&texts)));
    let check_allocations = allocations(|| drop(check(&snap, &rule)));
    let (eval, report) = best(runs, || check(&snap, &rule));
    let (comp, evals) = best(runs, || evaluations(&snap, &report));
    let checked = report.pairs.len();

    println!(
        "size {size}: {} MB of JSON, {} ENIs, {} endpoints, {} SGs, {} NACLs",
        bytes / 1_000_000,
        snap.network_interfaces.len(),
        snap.vpc_endpoints.len(),
        snap.security_groups.len(),
        snap.network_acls.len()
    );
    println!(
        "  workloads {}  required pairs {}  findings {}  evaluations {}",
        report.workload_count,
        checked,
        report.findings.len(),
        evals.len()
    );
    println!("  parse       {:>9.1} ms", ms(parse));
    println!(
        "  evaluate    {:>9.1} ms  ({:.0} required pairs/s)",
        ms(eval),
        checked as f64 / eval.as_secs_f64()
    );
    println!("  allocations {:>9}     (one evaluate; one parse: {parse_allocations}; reallocations included)", check_allocations);
    println!("  compliance  {:>9.1} ms", ms(comp));
    println!(
        "  full check  {:>9.1} ms  (parse + evaluate + compliance)",
        ms(parse + eval + comp)
    );
    println!(
        "  peak RSS    {:>9} MB  ({} MB after parsing)",
        peak_rss_kb() / 1024,
        after_parse / 1024
    );
}

/// The preset's documents: `small`, `medium`, `large` (`vpce_reach_synth::SynthParams`), or
/// `org` (`vpce_reach_synth::OrgParams`: a hub of endpoints and 50 spokes over a transit
/// gateway; `BENCH_MISCONFIG=0` leaves out its misconfigurations; `org:N` has N workloads).
fn documents(size: &str, misconfig: Option<u32>) -> Vec<(String, serde_json::Value)> {
    if let Some(scale) = size.strip_prefix("org") {
        // `org:N`: the same organisation with N workload ENIs (to compare with slower code).
        let org = vpce_reach_synth::OrgParams::org();
        let params = vpce_reach_synth::OrgParams {
            misconfigured: misconfig != Some(0),
            workload_enis: scale
                .strip_prefix(':')
                .and_then(|n| n.parse().ok())
                .unwrap_or(org.workload_enis),
            ..org
        };
        return vpce_reach_synth::generate_org(&params);
    }
    let mut params = SynthParams::preset(size)
        .unwrap_or_else(|| panic!("unknown size {size}: small, medium, large or org"));
    if let Some(percent) = misconfig {
        params.misconfig_percent = percent;
    }
    vpce_reach_synth::generate(&params)
}

fn parse_all(texts: &[(String, String)]) -> Snapshot {
    let mut b = SnapshotBuilder::new();
    for (name, text) in texts {
        b.add_json(name, text)
            .expect("synthetic snapshots are well-formed");
    }
    b.finish()
}

/// How many allocations and reallocations `f` makes.
fn allocations(f: impl FnOnce()) -> u64 {
    let before = ALLOCATIONS.load(Ordering::Relaxed);
    COUNTING.store(true, Ordering::Relaxed);
    f();
    COUNTING.store(false, Ordering::Relaxed);
    ALLOCATIONS.load(Ordering::Relaxed) - before
}

/// The fastest of `runs` runs, and the last result.
fn best<T>(runs: usize, mut f: impl FnMut() -> T) -> (Duration, T) {
    let mut best = Duration::MAX;
    let mut out = None;
    for _ in 0..runs.max(1) {
        // Drop the previous run's result first: two reports alive at once would double the peak.
        drop(out.take());
        let start = Instant::now();
        let value = f();
        best = best.min(start.elapsed());
        out = Some(value);
    }
    (best, out.expect("at least one run"))
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

/// Returns freed heap to the kernel, then resets its peak-RSS mark (Linux: `5` to
/// /proc/self/clear_refs); best effort. Without the trim, the generator's freed memory would
/// stay resident and count as the check's.
fn reset_peak_rss() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    {
        extern "C" {
            fn malloc_trim(pad: usize) -> i32;
        }
        // SAFETY: glibc's malloc_trim only releases free memory; it has no preconditions.
        unsafe {
            malloc_trim(0);
        }
    }
    let _ = std::fs::write("/proc/self/clear_refs", "5");
}

/// `VmHWM` of /proc/self/status, in kB (0 where unavailable).
fn peak_rss_kb() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0)
}
