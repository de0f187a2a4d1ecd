//! `seedplan run JOB.toml`: many plans (graphs × models × budgets or k) in one job, results in an
//! output folder with a manifest. Each plan's key hashes its inputs' contents, its arguments and
//! the seedplan version; a re-run skips plans whose key is unchanged and finished, so an
//! interrupted job resumes where it stopped. The manifest is rewritten atomically after every
//! plan.

use super::args::{Cli, Command, RunArgs};
use super::output::write_atomic;
use seedplan::error::{Error, Result};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Instant;

/// One graph of a job.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct JobGraph {
    /// Name used in plan names and file names.
    pub name: String,
    /// Edge list or snapshot.
    pub path: String,
    /// Extra `plan` arguments for this graph (e.g. ["--edge-meaning", "follows"]).
    #[serde(default)]
    pub args: Vec<String>,
}

/// The job file.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Job {
    /// Output folder (relative to the job file).
    pub output: String,
    /// Graphs.
    #[serde(rename = "graph")]
    pub graphs: Vec<JobGraph>,
    /// Models as MODEL:PROBS (default ic:wc).
    #[serde(default, deserialize_with = "listing_something")]
    pub models: Vec<String>,
    /// Budgets (each gives a budgeted plan; needs `--costs` in `args`).
    #[serde(default, deserialize_with = "listing_something")]
    pub budgets: Vec<f64>,
    /// Seed counts (default [10] without budgets); with budgets, each budget is planned once
    /// per seed cap (`b{budget}_k{k}`).
    #[serde(default, deserialize_with = "listing_something")]
    pub k: Vec<usize>,
    /// `plan` arguments common to every plan (e.g. ["--algo", "auto", "--seed", "7"]).
    #[serde(default)]
    pub args: Vec<String>,
}

/// A list key written as `[]`: read as its default before (`k = []` planned k = 10), it is
/// refused at its line instead.
fn listing_something<'de, D, T>(d: D) -> std::result::Result<Vec<T>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: Deserialize<'de>,
{
    let v = Vec::<T>::deserialize(d)?;
    if v.is_empty() {
        return Err(serde::de::Error::custom(
            "an empty list: give values, or leave the key out for its default",
        ));
    }
    Ok(v)
}

/// A plan's entry in the manifest.
#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct Entry {
    /// The `seedplan plan` arguments.
    pub args: Vec<String>,
    /// Hash of inputs, arguments and version.
    pub key: String,
    /// `done`, `failed` or `pending`.
    pub status: String,
    /// Output file, relative to the output folder.
    pub output: String,
    /// Error message when failed.
    pub error: Option<String>,
    /// Seconds taken.
    pub seconds: Option<f64>,
    /// Checksum of the output as written: an output emptied or changed since is made again
    /// (only its existence was checked, and a 0-byte plan passed for done).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub output_checksum: Option<String>,
}

#[derive(Debug, Default, Deserialize, Serialize)]
struct Manifest {
    seedplan_version: String,
    job: String,
    inputs: BTreeMap<String, String>,
    plans: BTreeMap<String, Entry>,
}

/// A file's size and time of last change: what tells that it was replaced or written to.
type Stamp = (u64, std::time::SystemTime);

fn stamp(path: &Path) -> Option<Stamp> {
    let m = std::fs::metadata(path).ok()?;
    Some((m.len(), m.modified().ok()?))
}

fn checksum(path: &Path) -> Result<String> {
    use std::io::Read;
    let p = path.display().to_string();
    let mut f =
        std::fs::File::open(path).map_err(|e| Error::in_file(&p, format!("cannot open: {e}")))?;
    let mut h = xxhash_rust::xxh3::Xxh3::new();
    let mut buf = vec![0u8; 1 << 20];
    loop {
        let n = f
            .read(&mut buf)
            .map_err(|e| Error::in_file(&p, format!("cannot read: {e}")))?;
        if n == 0 {
            break;
        }
        h.update(&buf[..n]);
    }
    Ok(format!("{:016x}", h.digest()))
}

/// A `warning` event (or line) of the job's log.
fn warn(json: bool, quiet: bool, name: &str, msg: String) {
    log(
        json,
        quiet,
        "warning",
        name,
        serde_json::json!({ "warning": msg }),
    );
}

fn log(json: bool, quiet: bool, event: &str, name: &str, extra: serde_json::Value) {
    if json {
        let mut v = serde_json::json!({ "event": event, "plan": name });
        if let (Some(o), Some(e)) = (v.as_object_mut(), extra.as_object()) {
            o.extend(e.clone());
        }
        note!("{v}");
    } else if !quiet {
        note!(
            "{event:<8} {name} {}",
            if extra.is_null() {
                String::new()
            } else {
                extra.to_string()
            }
        );
    }
}

/// `args` without `flag` and its value (`--flag V` or `--flag=V`).
fn without_flag(args: Vec<String>, flag: &str) -> Vec<String> {
    let mut out = Vec::with_capacity(args.len());
    let mut it = args.into_iter();
    while let Some(a) = it.next() {
        if a == flag {
            it.next();
        } else if !a.strip_prefix(flag).is_some_and(|r| r.starts_with('=')) {
            out.push(a);
        }
    }
    out
}

/// The first `plan` flag in `args` that says where or how its output goes, which a job decides
/// for every plan. Read as `plan` reads its arguments, so that a value (an account named `-o`
/// after `--include`) is not taken for a flag; arguments `plan` would refuse are left to fail
/// as that plan's error.
fn output_flag_in(args: &[String]) -> Option<&'static str> {
    use clap::CommandFactory;
    let argv = ["seedplan", "plan"]
        .into_iter()
        .map(String::from)
        .chain(args.iter().cloned());
    let m = Cli::command().try_get_matches_from(argv).ok()?;
    let (_, plan) = m.subcommand()?;
    [
        ("output", "-o/--output"),
        ("report", "--report"),
        ("format", "--format"),
        ("seeds_only", "--seeds-only"),
    ]
    .into_iter()
    .find(|(id, _)| plan.value_source(id) == Some(clap::parser::ValueSource::CommandLine))
    .map(|(_, flag)| flag)
}

/// The `plan` flags a job gives files after, besides `--graph`: found relative to the job,
/// checksummed into the plan's key.
fn names_input_file(flag: &str) -> bool {
    matches!(flag, "--costs" | "--constraints" | "--target")
}

/// `p` made absolute (against the working directory) with `.` and `..` removed lexically.
fn lexical_absolute(p: &Path) -> PathBuf {
    use std::path::Component;
    let abs = std::path::absolute(p).unwrap_or_else(|_| p.to_path_buf());
    let mut out = PathBuf::new();
    for c in abs.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => {
                out.pop();
            }
            c => out.push(c),
        }
    }
    out
}

/// One plan of a job, as `seedplan plan ARGS --format json -o OUT_DIR/OUTPUT` would run it.
fn run_plan(
    name: &str,
    args: &[String],
    out_dir: &Path,
    output: &str,
    quiet: bool,
    json: bool,
) -> Result<()> {
    let mut argv = vec!["seedplan".to_string(), "plan".to_string()];
    argv.extend(args.iter().cloned());
    argv.extend([
        "--format".into(),
        "json".into(),
        "-o".into(),
        out_dir.join(output).display().to_string(),
    ]);
    if quiet {
        argv.push("-q".into());
    }
    match super::parse(&argv) {
        Ok(Cli {
            command: Command::Plan(mut p),
            ..
        }) => {
            p.command = Some(super::shell_words(argv.iter().cloned()));
            let plan = || super::plan_cmd(p, quiet, &super::progress::StderrProgress::new(true));
            if !json {
                return plan();
            }
            // The plan's warnings and notes, each a JSON event of the job's log.
            let (outcome, said) = super::captured(plan);
            for line in said {
                let (event, text) = match line.split_once(": ") {
                    Some(("warning", rest)) => ("warning", rest),
                    Some(("note", rest)) => ("note", rest),
                    _ => ("note", line.as_str()),
                };
                log(true, quiet, event, name, serde_json::json!({ event: text }));
            }
            outcome
        }
        Ok(_) => Err(Error::usage("internal: not a plan")),
        Err(e) => Err(Error::usage(format!("{name}: bad plan arguments: {e}"))),
    }
}

/// Runs a job. With `--log-format json` an error that ends the job is one more JSON event
/// (`"event": "error"`), so the log stays a stream of JSON lines; the exit code is the same.
pub fn run(a: RunArgs, quiet: bool) -> Result<()> {
    let json = a.log_format == "json";
    match run_job(a, quiet) {
        Err(e) if json && !matches!(e, Error::Reported(_)) => {
            log(
                true,
                quiet,
                "error",
                "job",
                serde_json::json!({"error": e.to_string(), "exit_code": e.exit_code()}),
            );
            Err(Error::Reported(e.exit_code()))
        }
        r => r,
    }
}

/// Name of the lock file a run holds in its output folder.
pub const LOCK_FILE: &str = ".seedplan-run.lock";

/// Locks `dir` for this run: `DIR/.seedplan-run.lock`, locked exclusively until the file is
/// dropped or the process ends, however it ends (the system releases the lock; the file stays).
/// A folder another run holds is refused, naming that run's process id.
fn lock_output(dir: &Path) -> Result<std::fs::File> {
    use std::io::{Read, Seek, Write};
    let path = dir.join(LOCK_FILE);
    let cannot =
        |e: std::io::Error| Error::Runtime(format!("{}: cannot lock: {e}", path.display()));
    let mut f = std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .open(&path)
        .map_err(cannot)?;
    match f.try_lock() {
        Ok(()) => {}
        Err(std::fs::TryLockError::WouldBlock) => {
            let mut pid = String::new();
            let _ = f.read_to_string(&mut pid);
            let by = match pid.trim() {
                "" => String::new(),
                p => format!(" (process {p})"),
            };
            return Err(Error::Runtime(format!(
                "{}: another `seedplan run`{by} is writing to this folder; wait for it to \
                 finish, or give this job another `output`",
                dir.display()
            )));
        }
        Err(std::fs::TryLockError::Error(e)) => return Err(cannot(e)),
    }
    f.set_len(0).map_err(cannot)?;
    f.rewind().map_err(cannot)?;
    write!(f, "{}", std::process::id()).map_err(cannot)?;
    Ok(f)
}

/// The line of the job file where top-level `key` is set, if it can be found.
fn key_line(text: &str, key: &str) -> Option<u64> {
    text.lines()
        .position(|l| {
            l.trim_start()
                .strip_prefix(key)
                .is_some_and(|rest| rest.trim_start().starts_with('='))
        })
        .map(|i| i as u64 + 1)
}

/// Refuses (exit 2, before any plan runs) a job whose values no plan could take: a budget that
/// is not a positive number, a seed count of 0, a model or probability scheme `plan` does not
/// know, or plan arguments `plan` cannot parse. Each failed on its own plan, after the plans
/// before it had run, as a failed plan (exit 1).
fn check_plans(
    path: &str,
    text: &str,
    job: &Job,
    models: &[String],
    plans: &[(String, Vec<String>, Vec<PathBuf>)],
    out_dir: &Path,
) -> Result<()> {
    // A plan written over one of the job's inputs destroyed it: `output = "."` beside a cost
    // table named like a plan put the plan in its place, and the next run failed on it.
    let outputs = plans
        .iter()
        .map(|(name, _, _)| out_dir.join(format!("{name}.json")))
        .chain([out_dir.join("manifest.json")]);
    for out in outputs {
        let out = out.display().to_string();
        if let Some(input) = plans
            .iter()
            .flat_map(|(_, _, inputs)| inputs)
            .find(|i| crate::cli::output::is_existing_file(&out, &i.display().to_string()))
        {
            return Err(Error::in_file(
                path,
                format!(
                    "the job would write {out}, which is its input {}: give the job another \
                     output folder",
                    input.display()
                ),
            ));
        }
    }
    let at = |key: &str, msg: String| match key_line(text, key) {
        Some(l) => Error::at_line(path, l, msg),
        None => Error::in_file(path, msg),
    };
    if let Some(b) = job.budgets.iter().find(|b| !(b.is_finite() && **b > 0.0)) {
        return Err(at(
            "budgets",
            format!("budget {b} must be a finite number > 0"),
        ));
    }
    if job.k.contains(&0) {
        return Err(at("k", "a seed count (k) must be at least 1".into()));
    }
    for m in models {
        let (model, probs) = m.split_once(':').unwrap_or((m.as_str(), "wc"));
        if !matches!(model, "ic" | "lt") {
            return Err(at(
                "models",
                format!("model '{m}': the model must be ic or lt (as MODEL:PROBS)"),
            ));
        }
        if let Err(e) = seedplan::diffusion::ProbScheme::parse(probs) {
            return Err(at("models", format!("model '{m}': {e}")));
        }
    }
    for (name, args, _) in plans {
        let mut argv = vec!["seedplan".to_string(), "plan".to_string()];
        argv.extend(args.iter().cloned());
        let checked = match super::parse(&argv) {
            Err(e) => Err(e.to_string()),
            Ok(Cli {
                command: Command::Plan(mut p),
                ..
            }) => super::check_plan_args(&mut p)
                .map(|_| ())
                .map_err(|e| e.to_string()),
            Ok(_) => Err("not a plan".into()),
        };
        if let Err(e) = checked {
            return Err(Error::in_file(
                path,
                format!("plan '{name}': bad plan arguments: {}", e.trim_end()),
            ));
        }
    }
    Ok(())
}

fn run_job(a: RunArgs, quiet: bool) -> Result<()> {
    let json = a.log_format == "json";
    if !matches!(a.log_format.as_str(), "json" | "text") {
        return Err(Error::usage("--log-format must be text or json"));
    }
    let text = std::fs::read_to_string(&a.job)
        .map_err(|e| Error::in_file(&a.job, format!("cannot read job: {e}")))?;
    let job: Job = toml::from_str(&text).map_err(|e| {
        let line = e
            .span()
            .map(|sp| text[..sp.start.min(text.len())].matches('\n').count() as u64 + 1);
        match line {
            Some(l) => Error::at_line(&a.job, l, e.message().to_string()),
            None => Error::in_file(&a.job, e.message().to_string()),
        }
    })?;
    if job.graphs.is_empty() {
        return Err(Error::in_file(&a.job, "the job lists no [[graph]]"));
    }
    // The job's folder as the system resolves it (symlinks followed), so that `..` in a path
    // below goes where the operating system would take it.
    let base = Path::new(&a.job)
        .parent()
        .map(|p| {
            if p.as_os_str().is_empty() {
                Path::new(".")
            } else {
                p
            }
        })
        .unwrap_or(Path::new("."));
    let base = std::fs::canonicalize(base).unwrap_or_else(|_| base.to_path_buf());
    // Inputs are named by absolute paths, `.` and `..` taken out without following symlinks
    // (the path the user wrote, made absolute). A plan's key does not depend on them at all:
    // it hashes the inputs' contents in their place, so a job started from another directory,
    // or pointed through a symlink at an identical copy, skips the same plans.
    let resolve = |p: &str| -> PathBuf {
        let pb = PathBuf::from(p);
        let pb = if pb.is_absolute() { pb } else { base.join(pb) };
        lexical_absolute(&pb)
    };
    let out_dir = resolve(&job.output);
    let manifest_path = out_dir.join("manifest.json");

    // Plans: graphs × models × (budgets or k).
    let models = if job.models.is_empty() {
        vec!["ic:wc".to_string()]
    } else {
        job.models.clone()
    };
    let sizes: Vec<(String, Vec<String>)> = if !job.budgets.is_empty() {
        // With seed counts too, each budget under each cap: the counts were dropped before.
        let caps: Vec<Option<usize>> = if job.k.is_empty() {
            vec![None]
        } else {
            job.k.iter().copied().map(Some).collect()
        };
        job.budgets
            .iter()
            .flat_map(|b| {
                caps.iter().map(move |k| match k {
                    None => (format!("b{b}"), vec!["--budget".into(), b.to_string()]),
                    Some(k) => (
                        format!("b{b}_k{k}"),
                        vec!["--budget".into(), b.to_string(), "-k".into(), k.to_string()],
                    ),
                })
            })
            .collect()
    } else {
        let ks = if job.k.is_empty() {
            vec![10]
        } else {
            job.k.clone()
        };
        ks.iter()
            .map(|k| (format!("k{k}"), vec!["-k".into(), k.to_string()]))
            .collect()
    };
    let mut plans: Vec<(String, Vec<String>, Vec<PathBuf>)> = Vec::new();
    for g in &job.graphs {
        let gpath = resolve(&g.path);
        for m in &models {
            let (model, probs) = m.split_once(':').unwrap_or((m.as_str(), "wc"));
            for (tag, size_args) in &sizes {
                let name = format!(
                    "{}_{}_{}_{}",
                    g.name,
                    model,
                    probs.replace([':', '/'], "-"),
                    tag
                );
                let mut args = vec!["--graph".to_string(), gpath.display().to_string()];
                args.extend([
                    "--model".into(),
                    model.to_string(),
                    "--probs".into(),
                    probs.to_string(),
                ]);
                args.extend(size_args.iter().cloned());
                args.extend(job.args.iter().cloned());
                args.extend(g.args.iter().cloned());
                // `--costs=FILE` as two words, so that the file is found relative to the job and
                // counted in the plan's key like `--costs FILE`.
                let args: Vec<String> = args
                    .into_iter()
                    .flat_map(|a| match a.split_once('=') {
                        Some((f, v)) if names_input_file(f) => {
                            vec![f.to_string(), v.to_string()]
                        }
                        _ => vec![a],
                    })
                    .collect();
                // A graph's probability column serves its `file` models; under the others
                // `plan` refuses it (it would be ignored), and one job line serves both.
                let args = if probs == "file" {
                    args
                } else {
                    without_flag(args, "--prob-col")
                };
                // Files named in the arguments are inputs too (costs, constraints, targets).
                let mut inputs = vec![gpath.clone()];
                for w in args.windows(2) {
                    if names_input_file(&w[0]) {
                        let p = resolve(&w[1]);
                        inputs.push(p);
                    }
                }
                plans.push((name, args, inputs));
            }
        }
    }
    // A plan's name is its output file's name and its manifest key: two plans with one name
    // would overwrite each other (and a failure would delete the other's output), and a name
    // with a path in it would write outside the folder.
    let mut seen: BTreeMap<&str, usize> = BTreeMap::new();
    for (i, (name, args, _)) in plans.iter().enumerate() {
        // The job names each plan's output itself: a `--report` in its arguments was written
        // relative to the working directory, every plan over the last one's.
        if let Some(flag) = output_flag_in(args) {
            return Err(Error::in_file(
                &a.job,
                format!(
                    "plan '{name}': {flag} is not for a job's args: a job writes each plan as \
                     NAME.json in its output folder (make a report with `seedplan plan` on one)"
                ),
            ));
        }
        let safe = !name.is_empty()
            && !name.starts_with('.')
            && name
                .chars()
                .all(|c| c.is_alphanumeric() || matches!(c, '_' | '-' | '.' | '@' | '+'));
        if !safe {
            return Err(Error::in_file(
                &a.job,
                format!(
                    "plan name '{name}' (from a graph name and a model) must be a plain file \
                     name: letters, digits and _ - . @ +, not starting with a dot"
                ),
            ));
        }
        if let Some(first) = seen.insert(name.as_str(), i) {
            return Err(Error::in_file(
                &a.job,
                format!(
                    "two plans are both named '{name}' (plans {} and {}): give the [[graph]] \
                     entries distinct names, and list each model once",
                    first + 1,
                    i + 1
                ),
            ));
        }
    }
    check_plans(&a.job, &text, &job, &models, &plans, &out_dir)?;
    std::fs::create_dir_all(&out_dir)
        .map_err(|e| Error::Runtime(format!("{}: cannot create: {e}", out_dir.display())))?;
    // One run at a time per output folder, and the manifest read under the lock: two runs of
    // one job (a cron job that outlasts its interval) each did every plan.
    // A folder a run of a job used before (its lock file stays): its NAME.json files are the
    // job's even when its manifest is lost or unreadable.
    let used_before = out_dir.join(LOCK_FILE).exists();
    let _lock = lock_output(&out_dir)?;
    let mut manifest_lost = used_before;
    // A manifest that is there but unreadable is replaced, and every plan runs again: said so,
    // since a job that should have skipped its plans then takes as long as the first run.
    let mut manifest: Manifest = match std::fs::read(&manifest_path) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Manifest::default(),
        read => {
            manifest_lost = true;
            let parsed = read
                .map_err(|e| e.to_string())
                .and_then(|b| serde_json::from_slice(&b).map_err(|e| e.to_string()));
            parsed.unwrap_or_else(|why| {
                warn(
                    json,
                    quiet,
                    "job",
                    format!(
                        "{}: cannot be read ({why}); it is replaced and every plan runs",
                        manifest_path.display()
                    ),
                );
                Manifest::default()
            })
        }
    };
    // Read as written: only what it lists is the job's.
    if !manifest.plans.is_empty() {
        manifest_lost = false;
    }
    manifest.seedplan_version = env!("CARGO_PKG_VERSION").to_string();
    manifest.job = a.job.clone();
    // The manifest is written after every plan: one that cannot be is found before any plan
    // runs. A job's outputs are not the user's input, so this fails at run time (exit 1).
    let save = |manifest: &Manifest| {
        write_atomic(
            &manifest_path,
            serde_json::to_string_pretty(manifest).unwrap().as_bytes(),
        )
        .map_err(|e| match e {
            Error::Usage(m) => Error::Runtime(m),
            e => e,
        })
    };
    crate::cli::output::check_target(&manifest_path).map_err(|e| match e {
        Error::Usage(m) => Error::Runtime(format!("the manifest cannot be written: {m}")),
        e => e,
    })?;
    // Rewrite relative input paths in args to the job's base.
    for (_, args, _) in plans.iter_mut() {
        for i in 1..args.len() {
            if names_input_file(&args[i - 1]) {
                args[i] = resolve(&args[i]).display().to_string();
            }
        }
    }
    let mut failed = 0usize;
    // Each input's checksum with the size and time of change it had then: a file replaced
    // while the job runs (a new snapshot landing) is summed again, not keyed by its old sum.
    let mut sums: BTreeMap<PathBuf, (String, Option<Stamp>)> = BTreeMap::new();
    for (name, args, inputs) in &plans {
        if seedplan::limits::interrupted() {
            return Err(Error::Interrupted);
        }
        // Each input file's folder left out of the arguments (its checksum stands for its
        // contents), its name kept: the name says how the file is read (`.csv`, `.gz`).
        let key_args: Vec<String> = args
            .iter()
            .enumerate()
            .map(|(i, a)| {
                let input = i > 0 && (args[i - 1] == "--graph" || names_input_file(&args[i - 1]));
                if input {
                    let name = Path::new(a).file_name().map(|f| f.to_string_lossy());
                    format!("(input {})", name.unwrap_or_default())
                } else {
                    a.clone()
                }
            })
            .collect();
        let mut key_src = format!(
            "{}\n{}\n",
            env!("CARGO_PKG_VERSION"),
            key_args.join("\u{1f}")
        );
        // An input that cannot be read fails this plan, not the job: the others still run.
        let mut unreadable = None;
        for p in inputs {
            let now = stamp(p);
            let sum = match sums.get(p) {
                Some((s, was)) if now.is_some() && *was == now => s.clone(),
                _ => match checksum(p) {
                    Ok(s) => {
                        sums.insert(p.clone(), (s.clone(), now));
                        manifest.inputs.insert(p.display().to_string(), s.clone());
                        s
                    }
                    Err(e) => {
                        // No checksum stands for an input that cannot be read now.
                        manifest.inputs.remove(&p.display().to_string());
                        unreadable = Some(e);
                        break;
                    }
                },
            };
            key_src.push_str(&sum);
        }
        let key = match unreadable {
            Some(_) => String::new(),
            None => format!("{:016x}", xxhash_rust::xxh3::xxh3_64(key_src.as_bytes())),
        };
        let output = format!("{name}.json");
        let earlier = manifest.plans.contains_key(name) || manifest_lost;
        if let Some(e) = manifest.plans.get(name) {
            let written = out_dir.join(&e.output);
            if e.key == key && e.status == "done" {
                // Manifests of earlier releases hold no checksum: existence stands for it.
                let why = if !written.exists() {
                    "was deleted"
                } else if e
                    .output_checksum
                    .as_ref()
                    .is_none_or(|sum| checksum(&written).ok().as_ref() == Some(sum))
                {
                    log(
                        json,
                        quiet,
                        "skipped",
                        name,
                        serde_json::json!({"reason": "unchanged and done"}),
                    );
                    continue;
                } else {
                    "changed"
                };
                warn(
                    json,
                    quiet,
                    name,
                    format!(
                        "{} {why} since this job wrote it: made again",
                        written.display()
                    ),
                );
            }
        }
        log(json, quiet, "started", name, serde_json::Value::Null);
        let t0 = Instant::now();
        let outcome = match unreadable {
            Some(e) => Err(e),
            None => run_plan(name, args, &out_dir, &output, quiet, json),
        };
        // An input that changed while the plan read it: the plan is of neither version. (Its
        // size or time moved, and its contents with them: a file touched alone keeps its plan.)
        let outcome = outcome.and_then(|()| {
            let changed = |p: &PathBuf| match sums.get(p) {
                Some((sum, was)) if stamp(p) != *was => checksum(p).ok().as_ref() != Some(sum),
                _ => false,
            };
            match inputs.iter().find(|p| changed(p)) {
                Some(p) => {
                    let _ = std::fs::remove_file(out_dir.join(&output));
                    Err(Error::Runtime(format!(
                        "{}: changed while this plan read it; run the job again",
                        p.display()
                    )))
                }
                None => Ok(()),
            }
        });
        let secs = t0.elapsed().as_secs_f64();
        let entry = match &outcome {
            Ok(()) => {
                log(
                    json,
                    quiet,
                    "done",
                    name,
                    serde_json::json!({"seconds": secs, "output": output}),
                );
                Entry {
                    args: args.clone(),
                    key,
                    status: "done".into(),
                    output_checksum: checksum(&out_dir.join(&output)).ok(),
                    output,
                    error: None,
                    seconds: Some(secs),
                }
            }
            Err(Error::Interrupted) => return Err(Error::Interrupted),
            Err(e) => {
                failed += 1;
                // A plan left from an earlier run was made with other arguments: a reader of
                // the folder must not take it for this one's. A file no run of this job wrote
                // (none in the manifest) is the user's, and stays.
                let stale = out_dir.join(&output);
                if earlier && stale.exists() {
                    std::fs::remove_file(&stale).map_err(|e| {
                        Error::Runtime(format!("{}: cannot remove: {e}", stale.display()))
                    })?;
                }
                log(
                    json,
                    quiet,
                    "failed",
                    name,
                    serde_json::json!({"seconds": secs, "error": e.to_string(), "exit_code": e.exit_code()}),
                );
                Entry {
                    args: args.clone(),
                    key,
                    status: "failed".into(),
                    output,
                    error: Some(e.to_string()),
                    seconds: Some(secs),
                    output_checksum: None,
                }
            }
        };
        manifest.plans.insert(name.clone(), entry);
        save(&manifest)?;
    }
    // Plans the job no longer makes (a seed count or a graph taken out of it) stayed `done`,
    // as if made from the inputs now listed. Their files are left, their entries marked.
    for (name, e) in manifest.plans.iter_mut() {
        if e.status != "dropped" && !plans.iter().any(|(n, _, _)| n == name) {
            let left = if e.status == "done" {
                format!("its {} is left as it was", e.output)
            } else {
                "it had no output".to_string()
            };
            e.status = "dropped".into();
            warn(
                json,
                quiet,
                name,
                format!("no longer in the job: {left}, marked dropped in the manifest"),
            );
        }
    }
    save(&manifest)?;
    log(
        json,
        quiet,
        "finished",
        "job",
        serde_json::json!({"plans": plans.len(), "failed": failed}),
    );
    if failed > 0 {
        if json {
            return Err(Error::Reported(1));
        }
        return Err(Error::Runtime(format!(
            "{failed} of {} plans failed (see {})",
            plans.len(),
            manifest_path.display()
        )));
    }
    Ok(())
}
