//! The bad-input corpus (`tests/bad_inputs/MANIFEST.toml`): every case exits with its code,
//! names the file, line and problem, never panics, and leaves no output file.

use assert_cmd::Command;
use std::path::PathBuf;

#[derive(serde::Deserialize)]
struct Manifest {
    case: Vec<Case>,
}

#[derive(serde::Deserialize)]
struct Case {
    name: String,
    args: Vec<String>,
    expect: Vec<String>,
    #[serde(default = "two")]
    exit: i32,
}

fn two() -> i32 {
    2
}

#[test]
fn every_bad_input_is_rejected_clearly() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/bad_inputs");
    let m: Manifest =
        toml::from_str(&std::fs::read_to_string(dir.join("MANIFEST.toml")).unwrap()).unwrap();
    assert!(m.case.len() >= 20);
    let work = tempfile::tempdir().unwrap();
    for entry in std::fs::read_dir(&dir).unwrap() {
        let p = entry.unwrap().path();
        std::fs::copy(&p, work.path().join(p.file_name().unwrap())).unwrap();
    }
    for c in &m.case {
        let out = Command::cargo_bin("seedplan")
            .unwrap()
            .current_dir(work.path())
            .args(&c.args)
            .output()
            .unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(c.exit), "{}: stderr {err}", c.name);
        for e in &c.expect {
            assert!(
                err.contains(e.as_str()),
                "{}: stderr {err:?} lacks {e:?}",
                c.name
            );
        }
        assert!(!err.contains("panicked"), "{}: {err}", c.name);
        assert!(
            !work.path().join("out.json").exists(),
            "{}: left out.json",
            c.name
        );
        assert!(out.stdout.is_empty(), "{}: wrote to stdout", c.name);
    }
}
