//! Every relative link in the project's Markdown points at a file of the checkout (a link to a file outside
//! the repository, or one that moved, fails here instead of in a reader's browser).

use concord_spec::SpecDir;

#[test]
fn relative_links_in_markdown_resolve_to_files_of_the_checkout() {
    let root = SpecDir::checked_out().workspace();
    let link = regex::Regex::new(r"\]\(([^)\s]+)\)").unwrap();
    let mut checked = 0;
    let mut broken = Vec::new();
    let files = std::process::Command::new("git")
        .args(["ls-files", "*.md"])
        .current_dir(&root)
        .output()
        .expect("git runs");
    for file in String::from_utf8(files.stdout).unwrap().lines() {
        let path = root.join(file);
        let text = std::fs::read_to_string(&path).unwrap();
        for cap in link.captures_iter(&text) {
            let target = &cap[1];
            if target.contains("://") || target.starts_with('#') || target.starts_with("mailto:") {
                continue;
            }
            let target = target.split('#').next().unwrap();
            let resolved = path.parent().unwrap().join(target);
            checked += 1;
            let inside = resolved
                .canonicalize()
                .is_ok_and(|p| p.starts_with(root.canonicalize().unwrap()));
            if !inside {
                broken.push(format!("{file}: {target}"));
            }
        }
    }
    assert!(checked > 5, "only {checked} links read");
    assert!(
        broken.is_empty(),
        "links that do not resolve inside the checkout: {broken:#?}"
    );
}
