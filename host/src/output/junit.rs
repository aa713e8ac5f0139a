//! `--format junit`: JUnit XML for CI test reports (GitLab `artifacts:reports:junit`, Jenkins
//! `junit`). One `<testsuite>` per document; one `<testcase>` per finding: a `<failure>` when it
//! fails the gate, `<skipped>` when suppressed, passing (with the message as output) when below
//! `--fail-on`. A document without findings is one passing case, so the report lists every
//! checked file; a document that could not be checked is an `<error>` case.

use std::collections::BTreeMap;
use std::io::Write;

use quick_xml::Writer;
use quick_xml::events::{BytesDecl, BytesText, Event};

use super::{Ctx, sev_str};
use crate::runtime::wit::{DocError, Finding};

enum Case<'a> {
    Finding(&'a Finding),
    Error(&'a DocError),
    Clean,
}

fn case_name(f: &Finding) -> String {
    let mut n = f.rule_id.clone();
    if let Some(a) = &f.address {
        n.push(' ');
        n.push_str(a);
    }
    if let Some(a) = &f.attribute {
        n.push(' ');
        n.push_str(a);
    }
    if let Some(s) = &f.span {
        n.push_str(&format!(" {}:{}:{}", f.path, s.line, s.column));
    }
    n
}

fn details(f: &Finding) -> String {
    let mut d = format!("{}[{}]: {}\n", sev_str(f.severity), f.rule_id, f.message);
    match &f.span {
        Some(s) => d.push_str(&format!("  --> {}:{}:{}\n", f.path, s.line, s.column)),
        None => d.push_str(&format!("  --> {}\n", f.path)),
    }
    if let Some(a) = &f.address {
        d.push_str(&format!("  resource: {a}\n"));
    }
    if let Some(a) = &f.attribute {
        d.push_str(&format!("  attribute: {a}\n"));
    }
    if !f.remediation.is_empty() {
        d.push_str(&format!("  fix: {}\n", f.remediation));
    }
    d
}

pub fn render(w: &mut dyn Write, cx: &Ctx<'_>) -> std::io::Result<()> {
    // Document order as checked; BTreeMap keyed by that index keeps the XML deterministic.
    let mut order: Vec<&str> = cx
        .report
        .documents
        .iter()
        .map(|d| d.path.as_str())
        .collect();
    for p in cx
        .report
        .errors
        .iter()
        .map(|e| e.path.as_str())
        .chain(cx.report.findings.iter().map(|f| f.path.as_str()))
    {
        if !order.contains(&p) {
            order.push(p);
        }
    }
    let mut suites: BTreeMap<usize, Vec<Case>> = BTreeMap::new();
    for f in &cx.report.findings {
        let i = order.iter().position(|p| *p == f.path).unwrap_or(0);
        suites.entry(i).or_default().push(Case::Finding(f));
    }
    for e in &cx.report.errors {
        let i = order.iter().position(|p| *p == e.path).unwrap_or(0);
        suites.entry(i).or_default().push(Case::Error(e));
    }
    for i in 0..order.len() {
        suites.entry(i).or_insert_with(|| vec![Case::Clean]);
    }

    let tally = |cases: &[Case]| {
        let (mut fail, mut err, mut skip) = (0, 0, 0);
        for c in cases {
            match c {
                Case::Finding(f) if f.suppressed.is_some() => skip += 1,
                Case::Finding(f) if cx.fails(f) => fail += 1,
                Case::Error(_) => err += 1,
                _ => {}
            }
        }
        (cases.len(), fail, err, skip)
    };
    let mut total = suites.values().fold((0, 0, 0, 0), |acc, c| {
        let t = tally(c);
        (acc.0 + t.0, acc.1 + t.1, acc.2 + t.2, acc.3 + t.3)
    });
    // Each file the walk left out is a skipped test of its own suite.
    total.0 += cx.skipped.len();
    total.3 += cx.skipped.len();

    let mut x = Writer::new_with_indent(&mut *w, b' ', 2);
    x.write_event(Event::Decl(BytesDecl::new("1.0", Some("UTF-8"), None)))?;
    x.create_element("testsuites")
        .with_attribute(("name", "tfguard"))
        .with_attribute(("tests", total.0.to_string().as_str()))
        .with_attribute(("failures", total.1.to_string().as_str()))
        .with_attribute(("errors", total.2.to_string().as_str()))
        .with_attribute(("skipped", total.3.to_string().as_str()))
        .write_inner_content(|x| {
            for (i, cases) in &suites {
                let path = order.get(*i).copied().unwrap_or("");
                let t = tally(cases);
                x.create_element("testsuite")
                    .with_attribute(("name", path))
                    .with_attribute(("tests", t.0.to_string().as_str()))
                    .with_attribute(("failures", t.1.to_string().as_str()))
                    .with_attribute(("errors", t.2.to_string().as_str()))
                    .with_attribute(("skipped", t.3.to_string().as_str()))
                    .write_inner_content(|x| {
                        for c in cases {
                            write_case(x, cx, path, c)?;
                        }
                        Ok(())
                    })?;
            }
            for s in cx.skipped {
                x.create_element("testsuite")
                    .with_attribute(("name", s.path.as_str()))
                    .with_attribute(("tests", "1"))
                    .with_attribute(("failures", "0"))
                    .with_attribute(("errors", "0"))
                    .with_attribute(("skipped", "1"))
                    .write_inner_content(|x| {
                        x.create_element("testcase")
                            .with_attribute(("classname", s.path.as_str()))
                            .with_attribute(("name", "not checked"))
                            .write_inner_content(|x| {
                                x.create_element("skipped")
                                    .with_attribute((
                                        "message",
                                        format!("not checked: {}", s.reason).as_str(),
                                    ))
                                    .write_empty()?;
                                Ok(())
                            })?;
                        Ok(())
                    })?;
            }
            Ok(())
        })?;
    drop(x);
    writeln!(w)
}

fn write_case<W: Write>(
    x: &mut Writer<W>,
    cx: &Ctx<'_>,
    path: &str,
    case: &Case<'_>,
) -> std::io::Result<()> {
    match case {
        Case::Clean => {
            x.create_element("testcase")
                .with_attribute(("classname", path))
                .with_attribute(("name", "no findings"))
                .write_empty()?;
        }
        Case::Error(e) => {
            let loc = e
                .span
                .map(|s| format!("{}:{}:{}", e.path, s.line, s.column))
                .unwrap_or_else(|| e.path.clone());
            x.create_element("testcase")
                .with_attribute(("classname", path))
                .with_attribute(("name", "document"))
                .write_inner_content(|x| {
                    x.create_element("error")
                        .with_attribute(("message", e.message.as_str()))
                        .with_attribute((
                            "type",
                            if e.unsupported {
                                "unsupported"
                            } else {
                                "parse"
                            },
                        ))
                        .write_text_content(BytesText::new(&format!("{loc}: {}", e.message)))?;
                    Ok(())
                })?;
        }
        Case::Finding(f) => {
            x.create_element("testcase")
                .with_attribute(("classname", path))
                .with_attribute(("name", case_name(f).as_str()))
                .write_inner_content(|x| {
                    if let Some(s) = &f.suppressed {
                        x.create_element("skipped")
                            .with_attribute((
                                "message",
                                format!("suppressed: {} ({})", s.reason, s.origin).as_str(),
                            ))
                            .write_empty()?;
                    } else if cx.fails(f) {
                        x.create_element("failure")
                            .with_attribute(("message", f.message.as_str()))
                            .with_attribute(("type", f.rule_id.as_str()))
                            .write_text_content(BytesText::new(&details(f)))?;
                    } else {
                        x.create_element("system-out")
                            .write_text_content(BytesText::new(&details(f)))?;
                    }
                    Ok(())
                })?;
        }
    }
    Ok(())
}
