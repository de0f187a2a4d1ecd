//! Process measurements (Linux): CPU time and peak resident memory. The one place outside
//! `input/` that touches the OS, kept tiny and failure-tolerant (None where unsupported).

/// User + system CPU seconds of this process, all threads.
pub fn cpu_seconds() -> f64 {
    // SAFETY-free: getrusage through libc's safe-to-call wrapper needs an out-parameter.
    let mut ru = std::mem::MaybeUninit::<libc::rusage>::zeroed();
    #[allow(unsafe_code)]
    let ok = unsafe { libc::getrusage(libc::RUSAGE_SELF, ru.as_mut_ptr()) } == 0;
    if !ok {
        return 0.0;
    }
    #[allow(unsafe_code)]
    let ru = unsafe { ru.assume_init() };
    let t = |tv: libc::timeval| tv.tv_sec as f64 + tv.tv_usec as f64 * 1e-6;
    t(ru.ru_utime) + t(ru.ru_stime)
}

/// Peak resident set size (VmHWM), bytes.
pub fn peak_rss() -> Option<u64> {
    let s = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = s.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb * 1024)
}

/// Current resident set size (VmRSS), bytes.
pub fn current_rss() -> Option<u64> {
    let s = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = s.lines().find(|l| l.starts_with("VmRSS:"))?;
    let kb: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb * 1024)
}

/// Memory this process could still take (Linux): the kernel's `MemAvailable`, or less when a
/// memory cgroup this process is in (its own or an ancestor's, v2 or v1, as `/proc/self/cgroup`
/// names them) has less room under its limit. `None` where unknown. A cgroup's use counts
/// without its inactive file cache, which the kernel reclaims before it kills (a graph file
/// just read would otherwise shrink the room). The caller reads `SEEDPLAN_MEMORY_AVAILABLE`
/// first (see `cli`).
pub fn available_memory() -> Option<u64> {
    let s = std::fs::read_to_string("/proc/meminfo").ok()?;
    let line = s.lines().find(|l| l.starts_with("MemAvailable:"))?;
    let kb: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    let mut avail = kb * 1024;
    if let Ok(groups) = std::fs::read_to_string("/proc/self/cgroup") {
        for room in cgroup_rooms(&groups, std::path::Path::new("/sys/fs/cgroup")) {
            avail = avail.min(room);
        }
    }
    Some(avail)
}

/// Room left under the memory limit of every memory cgroup on the paths `cgroups` (the text of
/// `/proc/self/cgroup`) names, from each up to the root; `root` is where cgroups are mounted.
fn cgroup_rooms(cgroups: &str, root: &std::path::Path) -> Vec<u64> {
    let read = |p: &std::path::Path| -> Option<String> { std::fs::read_to_string(p).ok() };
    let num = |p: &std::path::Path| -> Option<u64> { read(p)?.trim().parse().ok() };
    let stat = |p: &std::path::Path, key: &str| -> u64 {
        read(p)
            .and_then(|t| {
                t.lines().find_map(|l| {
                    let (k, v) = l.split_once(' ')?;
                    (k == key).then(|| v.trim().parse().ok()).flatten()
                })
            })
            .unwrap_or(0)
    };
    let mut rooms = Vec::new();
    for line in cgroups.lines() {
        let mut parts = line.splitn(3, ':');
        let (Some(_), Some(controllers), Some(path)) = (parts.next(), parts.next(), parts.next())
        else {
            continue;
        };
        // v2: "0::/path", files memory.max ("max" when unlimited) and memory.current; v1: the
        // memory controller's own hierarchy, memory.limit_in_bytes (a huge number when
        // unlimited) and memory.usage_in_bytes.
        let (base, limit, usage, stat_file, cache) = if controllers.is_empty() {
            (
                root.to_path_buf(),
                "memory.max",
                "memory.current",
                "memory.stat",
                "inactive_file",
            )
        } else if controllers.split(',').any(|c| c == "memory") {
            (
                root.join("memory"),
                "memory.limit_in_bytes",
                "memory.usage_in_bytes",
                "memory.stat",
                "total_inactive_file",
            )
        } else {
            continue;
        };
        let mut dir = base.clone();
        let rel = path.trim().trim_start_matches('/');
        if !rel.is_empty() {
            dir.push(rel);
        }
        loop {
            if let (Some(max), Some(used)) = (num(&dir.join(limit)), num(&dir.join(usage))) {
                let used = used.saturating_sub(stat(&dir.join(stat_file), cache));
                rooms.push(max.saturating_sub(used));
            }
            if dir == base || !dir.starts_with(&base) || !dir.pop() {
                break;
            }
        }
    }
    rooms
}

/// Resets the peak-RSS counter so the next `peak_rss` measures from now (Linux >= 4.0);
/// returns false where unsupported.
pub fn reset_peak_rss() -> bool {
    std::fs::write("/proc/self/clear_refs", "5").is_ok()
}

/// Sets glibc's mmap threshold to 128 KiB for the whole process: allocations that size or larger,
/// not served from memory already free in the heap, get their own memory map. The `seedplan`
/// binary calls it once at start; a program embedding the library decides for itself.
///
/// glibc's default raises that threshold as large blocks are freed, after which they come from
/// the heap: a freed RR batch or greedy scratch then stays resident, and growing an index by
/// `realloc` copies it, old and new both resident. Mapped blocks are returned when freed and grown
/// by `mremap` without a copy. Measured on soc-Slashdot0902 (`auto`, k = 50): peak 32.3 -> 27.8 MiB
/// on one thread, 37.4 -> 30.9 MiB on two, algorithm time within noise (BENCHMARKS.md).
pub fn map_large_allocations() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    {
        // SAFETY: mallopt only sets an allocator parameter, under glibc's own lock.
        #[allow(unsafe_code)]
        unsafe {
            libc::mallopt(libc::M_MMAP_THRESHOLD, 128 * 1024);
        }
    }
}

/// A one-line description of the machine: cores, memory, CPU model.
pub fn machine() -> String {
    let cores = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1);
    let mem = std::fs::read_to_string("/proc/meminfo")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("MemTotal:"))
                .and_then(|l| l.split_whitespace().nth(1)?.parse::<u64>().ok())
        })
        .map(|kb| format!("{:.1} GiB", kb as f64 / 1048576.0))
        .unwrap_or_else(|| "? GiB".into());
    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("model name"))
                .and_then(|l| l.split(':').nth(1))
                .map(|m| m.trim().to_string())
        })
        .unwrap_or_else(|| "unknown CPU".into());
    format!("{cores} cores, {mem}, {cpu}")
}

#[cfg(test)]
mod tests {
    use super::cgroup_rooms;

    /// Limits are read on the process's own cgroup and every ancestor (v1 and v2), use counts
    /// without inactive file cache, and an unlimited v2 group ("max") sets no limit.
    #[test]
    fn cgroup_room_is_the_tightest_limit_on_the_path_without_file_cache() {
        let d = tempfile::tempdir().unwrap();
        let w = |rel: &str, body: &str| {
            let p = d.path().join(rel);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(p, body).unwrap();
        };
        // v1: the job's group holds 1,000 bytes, 600 used of which 100 inactive cache; its
        // parent 5,000 with 4,500 used; the root unlimited.
        w("memory/memory.limit_in_bytes", "9223372036854771712\n");
        w("memory/memory.usage_in_bytes", "7000\n");
        w("memory/jobs/memory.limit_in_bytes", "5000\n");
        w("memory/jobs/memory.usage_in_bytes", "4500\n");
        w("memory/jobs/a/memory.limit_in_bytes", "1000\n");
        w("memory/jobs/a/memory.usage_in_bytes", "600\n");
        w(
            "memory/jobs/a/memory.stat",
            "cache 300\ntotal_inactive_file 100\n",
        );
        let rooms = cgroup_rooms("4:memory:/jobs/a\n3:cpu:/\n", d.path());
        assert_eq!(rooms.iter().min(), Some(&500), "{rooms:?}");
        assert_eq!(rooms.len(), 3);
        // v2: unlimited ("max") except the parent, 2,000 with 1,200 used, 200 inactive cache.
        w("svc/memory.max", "2000\n");
        w("svc/memory.current", "1200\n");
        w("svc/memory.stat", "anon 900\ninactive_file 200\n");
        w("svc/x/memory.max", "max\n");
        w("svc/x/memory.current", "50\n");
        assert_eq!(cgroup_rooms("0::/svc/x\n", d.path()), vec![1000]);
        // No memory controller named: nothing read.
        assert!(cgroup_rooms("3:cpu:/svc\n", d.path()).is_empty());
    }
}
