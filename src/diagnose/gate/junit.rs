//! `-o junit`: JUnit XML for CI test reports. One test case per object diagnose checked
//! (workloads, pods, Services, Ingresses, autoscalers, claims, budgets, nodes), named
//! `Kind/name` in class `namespace.Kind`; a `<failure>` for each finding on it that meets
//! `--fail-on`, the findings below it in `<system-out>`.

use std::collections::BTreeMap;

use super::{Gated, Threshold};

/// Escapes text for XML 1.0 content and attributes; characters XML cannot carry (control
/// characters other than tab, newline and carriage return) are replaced.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\t' | '\n' | '\r' => out.push(c),
            c if c.is_control() || matches!(c, '\u{FFFE}' | '\u{FFFF}') => out.push('\u{FFFD}'),
            c => out.push(c),
        }
    }
    out
}

/// The JUnit document.
pub fn render(gated: &Gated, threshold: Threshold) -> String {
    // (namespace, kind, name) → indexes of its findings.
    let mut cases: BTreeMap<(String, String, String), Vec<usize>> = BTreeMap::new();
    for checked in &gated.report.checked {
        let object = &checked.object;
        cases.entry((object.namespace.clone(), object.kind.clone(), object.name.clone())).or_default();
    }
    for (index, finding) in gated.report.findings.iter().enumerate() {
        let object = &finding.object;
        cases.entry((object.namespace.clone(), object.kind.clone(), object.name.clone())).or_default().push(index);
    }
    let failures: usize =
        cases.values().map(|indexes| indexes.iter().filter(|&&i| gated.fails(i, threshold)).count()).sum();
    let suite = format!("todo-ai diagnose {}", gated.report.summary.namespace);
    let mut xml = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    xml.push_str(&format!(
        "<testsuites name=\"todo-ai diagnose\" tests=\"{}\" failures=\"{failures}\" errors=\"0\">\n",
        cases.len()
    ));
    xml.push_str(&format!(
        "  <testsuite name=\"{}\" tests=\"{}\" failures=\"{failures}\" errors=\"0\" skipped=\"0\">\n",
        escape(&suite),
        cases.len()
    ));
    for ((namespace, kind, name), indexes) in &cases {
        let class = if namespace.is_empty() { kind.clone() } else { format!("{namespace}.{kind}") };
        let case_name = format!("{kind}/{name}");
        let (failing, other): (Vec<usize>, Vec<usize>) = indexes.iter().partition(|&&i| gated.fails(i, threshold));
        if failing.is_empty() && other.is_empty() {
            xml.push_str(&format!(
                "    <testcase classname=\"{}\" name=\"{}\"/>\n",
                escape(&class),
                escape(&case_name)
            ));
            continue;
        }
        xml.push_str(&format!("    <testcase classname=\"{}\" name=\"{}\">\n", escape(&class), escape(&case_name)));
        for index in failing {
            let finding = &gated.report.findings[index];
            let mut body = format!("{} {}: {}", finding.severity.name(), finding.code, finding.message);
            for line in &finding.evidence {
                body.push_str(&format!("\nevidence: {line}"));
            }
            for line in &finding.fix {
                body.push_str(&format!("\nfix: {line}"));
            }
            body.push_str(&format!("\nid: {}", gated.ids.get(index).map(String::as_str).unwrap_or_default()));
            xml.push_str(&format!(
                "      <failure type=\"{}\" message=\"{}\">{}</failure>\n",
                escape(finding.code.as_str()),
                escape(&format!("{}: {}", finding.code, finding.message)),
                escape(&body)
            ));
        }
        if !other.is_empty() {
            let lines: Vec<String> = other
                .iter()
                .map(|&index| {
                    let finding = &gated.report.findings[index];
                    format!(
                        "{} {} [{}]: {}",
                        finding.severity.name(),
                        finding.code,
                        gated.status(index).name(),
                        finding.message
                    )
                })
                .collect();
            xml.push_str(&format!("      <system-out>{}</system-out>\n", escape(&lines.join("\n"))));
        }
        xml.push_str("    </testcase>\n");
    }
    xml.push_str("  </testsuite>\n</testsuites>\n");
    xml
}
