// jemalloc, not glibc's malloc: 20-25 % less CPU on a whole scan at the same peak memory
// (README "Scaling against ripgrep (issue 23)"). `retain:false` gives freed address space back
// and one arena keeps what is reserved small: scans must run under `prlimit --as` (repro 16 of
// the reliability work: 83,427 roles under 500 MB of address space); with jemalloc's defaults
// (retained mappings, 4 arenas per core) that run aborts.
#[cfg(all(unix, not(target_env = "musl")))]
#[global_allocator]
static GLOBAL: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

/// jemalloc's options (`_RJEM_MALLOC_CONF` in the environment overrides them).
#[cfg(all(unix, not(target_env = "musl")))]
#[allow(non_upper_case_globals)]
#[unsafe(export_name = "_rjem_malloc_conf")]
pub static malloc_conf: &u8 = &b"retain:false,narenas:1\0"[0];

fn main() {
    std::process::exit(nhilint::cli::main());
}
