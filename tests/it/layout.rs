//! The module graph has no cycles: at every level (the crate's top-level modules, the files of each folder),
//! no two sibling modules use each other, directly or round a loop. Data flows one way (client → sync →
//! archive → report/plot), and a new `use` that bends it back fails here with the loop it makes.
//!
//! The references are read from the source text (`crate::a::b`, `super::a`, `use` lists with braces); a
//! reference to an item of an ancestor module (`super::now` from a child file) is not an edge between siblings.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// A module's path from its crate's root: `["sync", "channel"]`.
type ModulePath = Vec<String>;

/// Every module file of the crate rooted at `src` (its `lib.rs`), with its module path.
fn module_files(src: &Path) -> Vec<(ModulePath, PathBuf)> {
    let mut found = Vec::new();
    let mut stack = vec![src.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
                continue;
            }
            if path.extension().is_none_or(|e| e != "rs") {
                continue;
            }
            let relative = path.strip_prefix(src).unwrap().with_extension("");
            let mut module: ModulePath = relative.iter().map(|p| p.to_string_lossy().into_owned()).collect();
            if matches!(module.last().map(String::as_str), Some("mod" | "lib" | "main")) {
                module.pop();
            }
            found.push((module, path));
        }
    }
    found
}

/// The code of a file without its comments and without its inline `mod tests { ... }` (whose `super::` means
/// the file itself).
fn code(path: &Path) -> String {
    let text = std::fs::read_to_string(path).unwrap();
    let text = match text.find("#[cfg(test)]\nmod tests {") {
        Some(at) => &text[..at],
        None => &text,
    };
    text.lines()
        .map(|line| match line.find("//") {
            Some(at) => &line[..at],
            None => line,
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// The module paths `code` (in module `from`) refers to, resolved to absolute paths (possibly ending in an
/// item's name; the caller cuts them to the module).
fn references(from: &ModulePath, code: &str) -> Vec<ModulePath> {
    let mut found = Vec::new();
    let bytes = code.as_bytes();
    let mut at = 0;
    while at < code.len() {
        let rest = &code[at..];
        let starts = rest.starts_with("crate::") || rest.starts_with("super::");
        let boundary =
            at == 0 || !(bytes[at - 1].is_ascii_alphanumeric() || bytes[at - 1] == b'_' || bytes[at - 1] == b':');
        if !(starts && boundary) {
            at += rest.chars().next().map_or(1, char::len_utf8);
            continue;
        }
        let (base, path_text, used) = split_path(from, rest);
        for tail in expand(&path_text) {
            let mut full = base.clone();
            full.extend(tail);
            found.push(full);
        }
        at += used.max(1);
    }
    found
}

/// Splits a `crate::...`/`super::...` path at the start of `text` into its base module, the rest of the path
/// (braces included) and the bytes it took.
fn split_path(from: &ModulePath, text: &str) -> (ModulePath, String, usize) {
    let mut base: ModulePath = Vec::new();
    let mut rest = text;
    if let Some(after) = rest.strip_prefix("crate::") {
        rest = after;
    } else {
        base = from.clone();
        while let Some(after) = rest.strip_prefix("super::") {
            base.pop();
            rest = after;
        }
    }
    let mut depth = 0;
    let end = rest
        .char_indices()
        .find(|&(_, c)| {
            match c {
                '{' => depth += 1,
                '}' if depth > 0 => depth -= 1,
                _ => {}
            }
            depth == 0 && !(c.is_alphanumeric() || c == '_' || c == ':' || c == '}' || c == '{')
        })
        .map_or(rest.len(), |(i, _)| i);
    let used = text.len() - rest.len() + end;
    (base, rest[..end].to_owned(), used)
}

/// `a::{b, c::d}` → `[a, b]`, `[a, c, d]`; `a::b` → `[a, b]`.
fn expand(path: &str) -> Vec<ModulePath> {
    let path = path.trim().trim_end_matches("::");
    match path.find('{') {
        None => vec![path.split("::").filter(|s| !s.is_empty()).map(str::to_owned).collect()],
        Some(open) => {
            let head: ModulePath = path[..open]
                .split("::")
                .filter(|s| !s.is_empty())
                .map(str::to_owned)
                .collect();
            let inner = &path[open + 1..path.rfind('}').unwrap_or(path.len())];
            split_top_level(inner)
                .into_iter()
                .flat_map(|item| expand(item.split(" as ").next().unwrap_or(item)))
                .map(|tail| {
                    head.iter()
                        .cloned()
                        .chain(tail.into_iter().filter(|s| s != "self"))
                        .collect()
                })
                .collect()
        }
    }
}

/// Splits `a, b::{c, d}, e` at the commas outside braces.
fn split_top_level(text: &str) -> Vec<&str> {
    let (mut items, mut depth, mut start) = (Vec::new(), 0, 0);
    for (i, c) in text.char_indices() {
        match c {
            '{' => depth += 1,
            '}' => depth -= 1,
            ',' if depth == 0 => {
                items.push(&text[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    items.push(&text[start..]);
    items
        .into_iter()
        .map(str::trim)
        .filter(|s| !s.is_empty() && *s != "*")
        .collect()
}

/// For each parent module, the edges between its children: `child → sibling` when a file inside `child`
/// refers to something inside `sibling`.
fn sibling_edges(src: &Path) -> BTreeMap<ModulePath, BTreeSet<(String, String)>> {
    let files = module_files(src);
    let modules: BTreeSet<ModulePath> = files.iter().map(|(m, _)| m.clone()).collect();
    let mut edges: BTreeMap<ModulePath, BTreeSet<(String, String)>> = BTreeMap::new();
    for (from, path) in &files {
        for mut target in references(from, &code(path)) {
            while !target.is_empty() && !modules.contains(&target) {
                target.pop(); // an item (a function, a type) or a re-export: its module is what counts
            }
            let common = from.iter().zip(&target).take_while(|(a, b)| a == b).count();
            if common < from.len() && common < target.len() {
                let parent = from[..common].to_vec();
                edges
                    .entry(parent)
                    .or_default()
                    .insert((from[common].clone(), target[common].clone()));
            }
        }
    }
    edges
}

/// A loop among `edges`, if there is one, as the modules round it.
fn find_cycle(edges: &BTreeSet<(String, String)>) -> Option<Vec<String>> {
    let mut next: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for (a, b) in edges {
        next.entry(a).or_default().push(b);
    }
    // 0 unseen, 1 on the current path, 2 done.
    fn visit<'a>(
        node: &'a str,
        next: &BTreeMap<&'a str, Vec<&'a str>>,
        state: &mut BTreeMap<&'a str, u8>,
        path: &mut Vec<&'a str>,
    ) -> Option<Vec<String>> {
        state.insert(node, 1);
        path.push(node);
        for &to in next.get(node).into_iter().flatten() {
            match state.get(to).copied().unwrap_or(0) {
                1 => {
                    let start = path.iter().position(|n| *n == to).unwrap();
                    let mut cycle: Vec<String> = path[start..].iter().map(|s| s.to_string()).collect();
                    cycle.push(to.to_owned());
                    return Some(cycle);
                }
                0 => {
                    if let Some(cycle) = visit(to, next, state, path) {
                        return Some(cycle);
                    }
                }
                _ => {}
            }
        }
        path.pop();
        state.insert(node, 2);
        None
    }
    let mut state = BTreeMap::new();
    let nodes: Vec<&str> = next.keys().copied().collect();
    for node in nodes {
        if state.get(node).copied().unwrap_or(0) == 0
            && let Some(cycle) = visit(node, &next, &mut state, &mut Vec::new())
        {
            return Some(cycle);
        }
    }
    None
}

/// Every loop between sibling modules of the crate at `src`, one line each.
fn cycles(src: &Path) -> Vec<String> {
    sibling_edges(src)
        .iter()
        .filter_map(|(parent, edges)| {
            find_cycle(edges).map(|cycle| {
                let at = if parent.is_empty() {
                    "crate".to_owned()
                } else {
                    parent.join("::")
                };
                format!("in {at}: {}", cycle.join(" → "))
            })
        })
        .collect()
}

#[test]
fn no_module_uses_a_sibling_that_uses_it_back() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    for src in [root.join("src"), root.join("crates/itch-mock/src")] {
        let found = cycles(&src);
        assert!(
            found.is_empty(),
            "import cycles in {}:\n{}",
            src.display(),
            found.join("\n")
        );
    }
}

#[test]
fn the_checker_sees_a_cycle_through_use_lists_and_super() {
    let dir = tempfile::tempdir().unwrap();
    let src = dir.path();
    std::fs::create_dir_all(src.join("sync")).unwrap();
    std::fs::write(src.join("lib.rs"), "pub mod archive;\npub mod sync;\n").unwrap();
    std::fs::write(src.join("archive.rs"), "use crate::{error, sync::now};\n").unwrap();
    std::fs::write(
        src.join("sync/mod.rs"),
        "mod a;\nmod b;\nuse crate::archive::Archive;\n",
    )
    .unwrap();
    std::fs::write(src.join("sync/a.rs"), "use super::{b::f, now};\n// use super::c;\n").unwrap();
    std::fs::write(src.join("sync/b.rs"), "fn g() { super::a::h() }\n").unwrap();
    let mut found = cycles(src);
    found.sort();
    assert_eq!(
        found,
        ["in crate: archive → sync → archive", "in sync: a → b → a"],
        "both loops, and no edge for an ancestor's item (super::now) or a comment"
    );
    // Without the two back edges, no cycle.
    std::fs::write(src.join("archive.rs"), "use crate::error;\n").unwrap();
    std::fs::write(src.join("sync/b.rs"), "fn g() {}\n").unwrap();
    assert_eq!(cycles(src), Vec::<String>::new());
}
