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
/// cgroup (v2 or v1) caps this process's memory below it. `None` where unknown. The environment
/// variable `SEEDPLAN_MEMORY_AVAILABLE` (a size: `512M`, `8G`) overrides it, for a container
/// whose `/proc` tells the host's memory, and for tests.
pub fn available_memory() -> Option<u64> {
    if let Ok(v) = std::env::var("SEEDPLAN_MEMORY_AVAILABLE") {
        return crate::limits::parse_size(&v).ok();
    }
    let s = std::fs::read_to_string("/proc/meminfo").ok()?;
    let line = s.lines().find(|l| l.starts_with("MemAvailable:"))?;
    let kb: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    let mut avail = kb * 1024;
    let read = |p: &str| -> Option<u64> { std::fs::read_to_string(p).ok()?.trim().parse().ok() };
    // cgroup v2 ("max" when unlimited, which does not parse), then v1 (a huge number then).
    for (max, used) in [
        ("/sys/fs/cgroup/memory.max", "/sys/fs/cgroup/memory.current"),
        (
            "/sys/fs/cgroup/memory/memory.limit_in_bytes",
            "/sys/fs/cgroup/memory/memory.usage_in_bytes",
        ),
    ] {
        if let (Some(m), Some(u)) = (read(max), read(used)) {
            avail = avail.min(m.saturating_sub(u));
            break;
        }
    }
    Some(avail)
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
