//! One user-facing name per concept: the state every tenant starts from is "demo data" — on the page, in
//! `--help`, in the command line's option and in its errors — never "fixtures" or "seed".
// Needs the `cli` feature (the default); the light build runs the other tests.
#![cfg(feature = "cli")]

use std::path::Path;
use std::process::Command;

/// Words for the demo data that a user of the mock does not know.
const STRAY: [&str; 3] = ["fixture", "seed", "seeding"];

fn stray_words(text: &str) -> Vec<String> {
    let lower = text.to_ascii_lowercase();
    STRAY
        .iter()
        .filter(|word| {
            lower
                .split(|c: char| !c.is_ascii_alphanumeric())
                .any(|w| w == **word || w == format!("{word}s"))
        })
        .map(|w| (*w).to_owned())
        .collect()
}

#[test]
fn the_page_says_demo_data() {
    let ui = Path::new(env!("CARGO_MANIFEST_DIR")).join("ui");
    let mut read = 0;
    for entry in std::fs::read_dir(&ui).unwrap() {
        let path = entry.unwrap().path();
        // Swagger UI's own bundle lives in ui/vendor/, a folder: not ours to word.
        if !path.is_file() {
            continue;
        }
        let text = std::fs::read_to_string(&path).unwrap();
        read += 1;
        assert_eq!(
            stray_words(&text),
            Vec::<String>::new(),
            "{} names the demo data otherwise",
            path.display()
        );
    }
    assert!(read >= 10, "read {read} files of the page");
}

#[test]
fn the_command_line_says_demo_data_and_still_takes_the_former_option() {
    let bin = env!("CARGO_BIN_EXE_concord-mock");
    let help = Command::new(bin).arg("--help").output().unwrap();
    let help = String::from_utf8_lossy(&help.stdout).into_owned();
    assert!(help.contains("--demo-data <FILE>"), "{help}");
    assert_eq!(
        stray_words(&help),
        vec!["seed"],
        "only the former name, named as such: {help}"
    );
    assert!(help.contains("`--seed` is its former name"), "{help}");

    let dir = tempfile::tempdir().unwrap();
    let broken = dir.path().join("demo.json");
    std::fs::write(&broken, "[1, 2]").unwrap();
    for option in ["--demo-data", "--seed"] {
        let run = Command::new(bin)
            .args(["--port", "0", option])
            .arg(&broken)
            .output()
            .unwrap();
        assert_eq!(run.status.code(), Some(2), "{option}");
        let stderr = String::from_utf8_lossy(&run.stderr);
        assert!(
            stderr.contains("the demo data must be an object {kind: {id: entity}}"),
            "{option}: {stderr}"
        );
        assert_eq!(stray_words(&stderr), Vec::<String>::new(), "{stderr}");
    }
}
