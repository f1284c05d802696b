//! `check --format html` (issue 19): the page is well-formed and self-contained, the demo's
//! blocked cells name their blocking components and link to their findings and traces,
//! snapshot text with markup stays text, and headless Chromium (Debian's `chromium`, which
//! scripts/test.sh installs) renders it with its script running under the page's
//! Content-Security-Policy.
//!
//! The assertions are on cells the demo has today and keeps (events/demo/README.md's tables),
//! not on the whole page, so that new demo resources do not break them.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::{demo, vpce_reach};
use roxmltree::{Document, Node};

/// (workload ENI, endpoint, first blocking component, its finding code, direction): the
/// demo's blocked pairs (events/demo/README.md).
const BLOCKED: [(&str, &str, &str, &str, &str); 4] = [
    (
        "eni-05d9a3f7c2e1b8d64",
        "vpce-0a7c3e9f1b5d28e64",
        "sg-0b3a8e6d2f5c94a17",
        "ENI_SG_RULES_MISMATCH",
        "egress",
    ),
    (
        "eni-0c8e2f6b4a9d17a35",
        "vpce-0f4b8d2a6c9e13a57",
        "sg-08e4c2a7f1b9d6e35",
        "ENI_SG_RULES_MISMATCH",
        "egress",
    ),
    (
        "eni-0f6c1a8d3e9b54d27",
        "vpce-0c2e6a9d3f7b41c85",
        "acl-0c4d7b2a9e5f13c68",
        "SUBNET_ACL_RESTRICTION",
        "return-egress",
    ),
    (
        "eni-0b5d9f3a1e7c2468d",
        "vpce-0d5f1b8e3a6c9247f",
        "rtb-0a6c2e8f4b1d9357c",
        "NO_ROUTE_TO_DESTINATION",
        "return-egress",
    ),
];

/// The page for a snapshot directory (exit 1: the demo has findings).
fn page(dir: &Path) -> String {
    let run = vpce_reach(&["check", dir.to_str().unwrap(), "--format", "html"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    run.stdout
}

fn has_class(node: Node, class: &str) -> bool {
    node.attribute("class")
        .is_some_and(|c| c.split(' ').any(|c| c == class))
}

/// Every text under `node`, concatenated.
fn text_of(node: Node) -> String {
    node.descendants()
        .filter(|d| d.is_text())
        .filter_map(|d| d.text())
        .collect()
}

fn elements<'a>(doc: &'a Document, tag: &'a str) -> impl Iterator<Item = Node<'a, 'a>> {
    doc.descendants().filter(move |n| n.has_tag_name(tag))
}

fn by_id<'a>(doc: &'a Document, id: &str) -> Node<'a, 'a> {
    doc.descendants()
        .find(|n| n.attribute("id") == Some(id))
        .unwrap_or_else(|| panic!("no element with id {id}"))
}

/// The matrix cell of `eni`'s row and `endpoint`'s column.
fn cell<'a>(doc: &'a Document, eni: &str, endpoint: &str) -> Node<'a, 'a> {
    let row = elements(doc, "tr")
        .find(|tr| {
            tr.children()
                .any(|th| th.has_tag_name("th") && text_of(th).contains(eni))
        })
        .unwrap_or_else(|| panic!("no matrix row names {eni}"));
    row.children()
        .find(|td| td.has_tag_name("td") && td.attribute("data-endpoint") == Some(endpoint))
        .unwrap_or_else(|| panic!("row of {eni} has no cell for {endpoint}"))
}

#[test]
fn the_page_is_well_formed_xml_and_loads_nothing() {
    let html = page(&demo());
    assert!(html.starts_with("<!DOCTYPE html>\n"), "{}", &html[..80]);
    // Parsed as XML: every element closed and nested, every attribute quoted, every `&` and
    // `<` in text escaped.
    let doc = Document::parse(&html).expect("the page is well-formed XML");
    assert!(doc.root_element().has_tag_name("html"));
    // Self-contained: no element fetches anything (no src, no stylesheet link, no link off
    // the page), and the one script is inline.
    for node in doc.descendants().filter(|n| n.is_element()) {
        assert!(node.attribute("src").is_none(), "{node:?}");
        if let Some(href) = node.attribute("href") {
            assert!(href.starts_with('#'), "a link off the page: {href}");
            by_id(&doc, &href[1..]);
        }
        assert!(!node.has_tag_name("link") && !node.has_tag_name("iframe"));
    }
    assert_eq!(elements(&doc, "script").count(), 1);
    let csp = elements(&doc, "meta")
        .find(|m| m.attribute("http-equiv") == Some("Content-Security-Policy"))
        .and_then(|m| m.attribute("content"))
        .expect("a Content-Security-Policy");
    assert!(csp.starts_with("default-src 'none';"), "{csp}");
    // Ids are unique: links and traces find one element.
    let mut ids: Vec<&str> = doc
        .descendants()
        .filter_map(|n| n.attribute("id"))
        .collect();
    let count = ids.len();
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len(), count, "duplicate ids");
}

#[test]
fn the_script_hash_in_the_policy_is_the_script_s() {
    let script = vpce_reach_testkit::workspace_root().join("src/html/report.js");
    let out = Command::new("sha256sum")
        .arg(&script)
        .output()
        .expect("sha256sum (coreutils)");
    let hex = String::from_utf8(out.stdout).unwrap();
    let digest: Vec<u8> = (0..32)
        .map(|i| u8::from_str_radix(&hex[2 * i..2 * i + 2], 16).unwrap())
        .collect();
    let html = page(&demo());
    let expected = format!("script-src 'sha256-{}'", base64(&digest));
    assert!(
        html.contains(&expected),
        "update SCRIPT_SHA256 in src/html/mod.rs: the policy must allow {expected}"
    );
    let body = std::fs::read_to_string(&script).unwrap();
    assert!(
        html.contains(&format!("<script>{body}</script>")),
        "the script is inlined as it is"
    );
}

/// Standard base64 with padding (the CSP hash form).
fn base64(bytes: &[u8]) -> String {
    const ABC: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |n, (i, &b)| n | u32::from(b) << (16 - 8 * i));
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(ABC[(n >> (18 - 6 * i) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

#[test]
fn blocked_cells_name_their_component_and_link_to_finding_and_trace() {
    let html = page(&demo());
    let doc = Document::parse(&html).unwrap();
    for (eni, endpoint, component, code, direction) in BLOCKED {
        let td = cell(&doc, eni, endpoint);
        assert!(has_class(td, "blocked"), "{eni} -> {endpoint}: {td:?}");
        let text = text_of(td);
        // Labelled, not only coloured.
        assert!(text.contains("✗ blocked"), "{text}");
        let blame = td
            .descendants()
            .find(|a| has_class(*a, "blame"))
            .expect("the blamed component");
        assert_eq!(text_of(blame), component);
        assert!(text.contains(direction), "{text}");
        // Its finding group: the component's, with the code.
        let finding = by_id(&doc, &blame.attribute("href").unwrap()[1..]);
        assert_eq!(finding.attribute("data-code"), Some(code));
        let article = finding.parent().unwrap();
        assert_eq!(text_of(article.first_element_child().unwrap()), component);
        assert!(text_of(finding).contains(eni), "the finding names {eni}");
        assert!(
            finding.descendants().any(|p| has_class(p, "fix")),
            "{code} on {component} has its fix"
        );
        // Its trace: the explain output of the pair, collapsed.
        let link = td.descendants().find(|a| has_class(*a, "tr")).unwrap();
        let trace = by_id(&doc, &link.attribute("href").unwrap()[1..]);
        assert!(trace.has_tag_name("details"));
        let pre = text_of(trace);
        assert!(pre.contains(&format!("{eni} (")), "{pre}");
        assert!(pre.contains("BLOCKED"), "{pre}");
        assert!(pre.contains("fix: "), "{pre}");
    }
}

#[test]
fn reachable_cells_and_the_summary() {
    let html = page(&demo());
    let doc = Document::parse(&html).unwrap();
    // app-ref reaches SSM and S3 (the correct SG reference form).
    for endpoint in ["vpce-0a7c3e9f1b5d28e64", "vpce-0f4b8d2a6c9e13a57"] {
        let td = cell(&doc, "eni-0a1f5c8e3d7b29f46", endpoint);
        assert!(has_class(td, "reachable"), "{td:?}");
        assert!(text_of(td).contains("✓ reachable"));
    }
    // The hub's matrix lists the spoke's workload, marked as such.
    let spoke = elements(&doc, "tr")
        .find(|tr| text_of(*tr).contains("eni-0b5d9f3a1e7c2468d"))
        .unwrap();
    assert!(text_of(spoke).contains("spoke vpc-0e2a9c5d7f1b4e683"));
    // The summary agrees with the table's summary line and the JSON output's evaluations.
    let table = vpce_reach(&["check", demo().to_str().unwrap()]).stdout;
    let blocked_pairs = table
        .lines()
        .next()
        .and_then(|l| l.split(", ").find(|p| p.ends_with(" blocked")))
        .map(|p| p.trim_end_matches(" blocked").to_string())
        .expect("the table's summary line");
    let (_, json) = common::check_json(&demo(), &[]);
    let summary = by_id(&doc, "summary");
    let cells: Vec<String> = elements(&doc, "td")
        .filter(|td| td.ancestors().any(|a| a == summary))
        .map(text_of)
        .collect();
    let non_compliant = json["evaluations"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["ComplianceType"] == "NON_COMPLIANT")
        .count();
    // VPCs, workloads, endpoints, pairs, reachable, blocked, unproven; then compliance.
    assert_eq!(cells[5], blocked_pairs, "blocked pairs: {cells:?}");
    assert_eq!(cells[7], non_compliant.to_string(), "{cells:?}");
    let groups = doc
        .descendants()
        .filter(|n| has_class(*n, "finding"))
        .count();
    assert!(groups >= 6, "a group per component and code: {groups}");
}

/// The demo with markup in snapshot text: a workload's `Name` tag (shown next to its ENI) and
/// an endpoint type (quoted in a note).
const EVIL: &str =
    "</code><script>document.title='pwned'</script><img src=x onerror=\"alert(1)\"> & co";

fn evil_snapshot() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    copy_dir(&demo(), dir.path());
    let enis = dir.path().join("network-interfaces.json");
    let text = std::fs::read_to_string(&enis).unwrap();
    let text = text.replacen(
        "\"Value\": \"app-strict\"",
        &format!("\"Value\": {}", serde_json::to_string(EVIL).unwrap()),
        1,
    );
    assert!(
        text.contains("pwned"),
        "the demo's app-strict Name tag was replaced"
    );
    std::fs::write(&enis, text).unwrap();
    dir
}

fn copy_dir(from: &Path, to: &Path) {
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            std::fs::create_dir(&target).unwrap();
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

#[test]
fn markup_in_snapshot_text_stays_text() {
    let snap = evil_snapshot();
    let html = page(snap.path());
    assert!(!html.contains("<script>document"), "raw markup in the page");
    assert!(!html.contains("<img"), "raw markup in the page");
    assert!(html.contains("&lt;script&gt;document.title=&#39;pwned&#39;&lt;/script&gt;"));
    // Parsed, the tag is one text node holding exactly the tag's value.
    let doc = Document::parse(&html).expect("still well-formed");
    assert_eq!(elements(&doc, "script").count(), 1);
    assert!(elements(&doc, "img").next().is_none());
    let names: Vec<String> = doc
        .descendants()
        .filter(|n| has_class(*n, "name"))
        .map(text_of)
        .collect();
    assert!(names.contains(&format!("({EVIL})")), "{names:?}");
}

/// Debian's Chromium, or `None` (locally) when it is not installed. Under CI it must be
/// there: scripts/test.sh installs it, and a browser test that skips proves nothing.
fn chromium() -> Option<PathBuf> {
    let path = PathBuf::from("/usr/bin/chromium");
    if path.exists() {
        return Some(path);
    }
    assert!(
        std::env::var("CI").as_deref() != Ok("true"),
        "/usr/bin/chromium is missing under CI: scripts/test.sh installs it (apt-get install chromium)"
    );
    eprintln!("skipped: /usr/bin/chromium is not installed (scripts/test.sh installs it)");
    None
}

/// The DOM Chromium builds from the file, after its script ran.
fn dump_dom(browser: &Path, file: &Path) -> String {
    let profile = tempfile::tempdir().unwrap();
    let mut child = Command::new(browser)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
        ])
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .arg("--dump-dom")
        .arg(format!("file://{}", file.display()))
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("start chromium");
    // A browser that hangs must not hang the test run: killed after two minutes (a bound, not
    // a timing assertion: a normal load takes a second or two).
    let started = Instant::now();
    while child.try_wait().unwrap().is_none() {
        if started.elapsed() > Duration::from_secs(120) {
            let _ = child.kill();
            panic!("chromium did not finish loading {}", file.display());
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "chromium failed: {:?}", out.status);
    String::from_utf8(out.stdout).expect("utf-8 DOM")
}

/// The serialized `<td>` of `eni`'s row and `endpoint`'s column in Chromium's DOM (HTML, not
/// XML: found by text).
fn dom_cell<'d>(dom: &'d str, eni: &str, endpoint: &str) -> &'d str {
    let row = dom
        .split("<tr>")
        .find(|row| row.contains(&format!("<code>{eni}</code>")) && row.contains("<td"))
        .unwrap_or_else(|| panic!("no row names {eni} in the DOM"));
    let start = row
        .find(&format!("data-endpoint=\"{endpoint}\""))
        .unwrap_or_else(|| panic!("no cell for {endpoint} in {eni}'s row"));
    let cell = &row[row[..start].rfind("<td").unwrap()..];
    &cell[..cell.find("</td>").unwrap()]
}

#[test]
fn chromium_renders_the_demo_with_its_blocked_cells_and_findings() {
    let Some(browser) = chromium() else { return };
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("report.html");
    std::fs::write(&file, page(&demo())).unwrap();
    let dom = dump_dom(&browser, &file);
    // The script ran: the policy's hash is right, and the filters are shown and applied.
    assert!(
        dom.contains("<html lang=\"en\" class=\"js\">"),
        "the script did not run (Content-Security-Policy hash?): {}",
        &dom[..dom.len().min(300)]
    );
    assert!(dom.contains("groups shown</output>"), "filters applied");
    for (eni, endpoint, component, code, _) in BLOCKED {
        let td = dom_cell(&dom, eni, endpoint);
        assert!(td.starts_with("<td class=\"cell blocked\""), "{td}");
        assert!(td.contains("✗ blocked") && td.contains(component), "{td}");
        assert!(
            dom.contains(&format!("data-code=\"{code}\"")),
            "the finding of {component}"
        );
    }
    let td = dom_cell(&dom, "eni-0a1f5c8e3d7b29f46", "vpce-0a7c3e9f1b5d28e64");
    assert!(td.starts_with("<td class=\"cell reachable\""), "{td}");
}

#[test]
fn without_its_script_the_page_shows_everything() {
    let Some(browser) = chromium() else { return };
    // A reader whose viewer runs no script: the same page without its script element
    // (headless Chromium has no switch that turns scripts off for a file page).
    let html = page(&demo());
    let (before, rest) = html.split_once("<script>").unwrap();
    let after = &rest[rest.find("</script>").unwrap() + "</script>".len()..];
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("report.html");
    std::fs::write(&file, format!("{before}{after}")).unwrap();
    let dom = dump_dom(&browser, &file);
    assert!(dom.contains("<html lang=\"en\">"), "the script ran");
    // The filters, which need the script, stay hidden; every finding group is shown.
    assert!(dom.contains("<form id=\"filters\" hidden=\"hidden\">"));
    assert!(!dom.contains("<div class=\"finding\" hidden"));
    for (eni, endpoint, component, _, _) in BLOCKED {
        assert!(dom_cell(&dom, eni, endpoint).contains(component));
    }
}

#[test]
fn the_code_filter_hides_the_other_findings() {
    let Some(browser) = chromium() else { return };
    // A reader choosing a code: a probe sets the selector once the page has loaded. It is
    // put in a copy without the page's policy, which would block it (it blocks any script
    // but the page's own).
    let html = page(&demo());
    let policy = html
        .find("<meta http-equiv=\"Content-Security-Policy\"")
        .unwrap();
    let end = policy + html[policy..].find("/>").unwrap() + 2;
    let probe = "<script>addEventListener(\"load\", function () { \
        var c = document.getElementById(\"f-code\"); c.value = \"SUBNET_ACL_RESTRICTION\"; \
        c.dispatchEvent(new Event(\"change\", {bubbles: true})); });</script></body>";
    let probed = format!("{}{}", &html[..policy], &html[end..]).replace("</body>", probe);
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("report.html");
    std::fs::write(&file, probed).unwrap();
    let dom = dump_dom(&browser, &file);
    let findings: Vec<&str> = dom
        .split("<div class=\"finding\"")
        .skip(1)
        .map(|f| &f[..f.find('>').unwrap()])
        .collect();
    assert!(findings.len() > 1, "{findings:?}");
    for f in findings {
        let shown = !f.contains("hidden");
        assert_eq!(
            shown,
            f.contains("data-code=\"SUBNET_ACL_RESTRICTION\""),
            "{f}"
        );
    }
    assert!(
        dom.contains("<output id=\"f-count\">1 of "),
        "one group shown"
    );
}

#[test]
fn chromium_keeps_markup_from_the_snapshot_as_text() {
    let Some(browser) = chromium() else { return };
    let snap = evil_snapshot();
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("report.html");
    std::fs::write(&file, page(snap.path())).unwrap();
    let dom = dump_dom(&browser, &file);
    assert!(
        dom.contains("<title>vpce-reach report</title>"),
        "the title was not rewritten"
    );
    assert_eq!(
        dom.matches("<script").count(),
        1,
        "only the page's own script"
    );
    assert!(!dom.contains("<img"));
    assert!(dom.contains("&lt;script&gt;document.title='pwned'&lt;/script&gt;"));
}
