//! Layering: no module imports another that imports it back, in the guest or the host (issue
//! 12). A module is a top-level file or folder of `src/`; an import is a `crate::x` path
//! outside comments and test modules.

mod common;
use common::{repo, walk};
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

type Graph = BTreeMap<String, BTreeSet<String>>;

fn graph(src: &Path) -> Graph {
    let tops: BTreeSet<String> = std::fs::read_dir(src)
        .expect("src")
        .filter_map(|e| {
            let p = e.ok()?.path();
            let name = p.file_name()?.to_str()?.to_string();
            Some(name.strip_suffix(".rs").unwrap_or(&name).to_string())
        })
        .filter(|n| n != "lib" && n != "main")
        .collect();
    let re = regex::Regex::new(r"crate::([a-z_]+)").expect("regex");
    let mut files = Vec::new();
    walk(src, &mut files);
    let mut g = Graph::new();
    for f in files
        .iter()
        .filter(|f| f.extension().is_some_and(|e| e == "rs"))
    {
        let rel = f.strip_prefix(src).expect("under src");
        let first = rel.components().next().expect("component");
        let name = first.as_os_str().to_string_lossy();
        let top = name.strip_suffix(".rs").unwrap_or(&name).to_string();
        if !tops.contains(&top) {
            continue;
        }
        let text = std::fs::read_to_string(f).expect("read");
        let code = text.split("#[cfg(test)]").next().unwrap_or_default();
        for line in code.lines().filter(|l| !l.trim_start().starts_with("//")) {
            for c in re.captures_iter(line) {
                let to = c[1].to_string();
                if to != top && tops.contains(&to) {
                    g.entry(top.clone()).or_default().insert(to);
                }
            }
        }
    }
    g
}

/// Every cycle, each as the list of its modules, found by depth-first search.
fn cycles(g: &Graph) -> Vec<Vec<String>> {
    fn dfs(
        g: &Graph,
        start: &str,
        at: &str,
        path: &mut Vec<String>,
        out: &mut BTreeSet<Vec<String>>,
    ) {
        for next in g.get(at).into_iter().flatten() {
            if next == start {
                let mut c = path.clone();
                c.sort();
                out.insert(c);
            } else if !path.contains(next) && next.as_str() > start {
                path.push(next.clone());
                dfs(g, start, next, path, out);
                path.pop();
            }
        }
    }
    let mut out = BTreeSet::new();
    for start in g.keys() {
        dfs(g, start, start, &mut vec![start.clone()], &mut out);
    }
    out.into_iter().collect()
}

#[test]
fn the_cycle_finder_finds_a_planted_cycle() {
    let mut g = Graph::new();
    g.entry("a".into()).or_default().insert("b".into());
    g.entry("b".into()).or_default().insert("c".into());
    assert!(cycles(&g).is_empty());
    g.entry("c".into()).or_default().insert("a".into());
    assert_eq!(cycles(&g), [vec!["a".to_string(), "b".into(), "c".into()]]);
}

#[test]
fn no_import_cycles_in_the_guest() {
    let c = cycles(&graph(&repo().join("guest/src")));
    assert!(c.is_empty(), "import cycles between guest modules: {c:?}");
}

#[test]
fn no_import_cycles_in_the_host() {
    let c = cycles(&graph(&repo().join("host/src")));
    assert!(c.is_empty(), "import cycles between host modules: {c:?}");
}
