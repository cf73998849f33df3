//! Panic containment. A panic while reading or analysing one file, rendering one kustomization,
//! running one rule or rendering one report must not end the run: [`catch`] turns it into a
//! [`Panic`] that the caller reports as an `errors[]` entry naming the file or the rule, and
//! every other finding is still reported.
//!
//! The panic message is never shown: Rust's messages quote the text being sliced, which can be
//! a secret or hold terminal control characters. Only the source location is kept. Inside
//! [`catch`] the process-wide hook prints nothing; outside it the previous hook runs as before
//! (and inside it too in fuzz builds, `--cfg fuzzing`, so that the fuzzer sees every panic).

use std::cell::{Cell, RefCell};
use std::panic::{self, AssertUnwindSafe};
use std::sync::Once;

thread_local! {
    static DEPTH: Cell<u32> = const { Cell::new(0) };
    static LAST: RefCell<Option<String>> = const { RefCell::new(None) };
}

/// A contained panic: where it happened (`src/lang/json.rs:171`) and, for a failure of a shared
/// stage re-raised to every user of it, what failed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Panic {
    pub location: String,
    /// Set when a shared stage failed (e.g. "the terraform project analysis"): every rule
    /// that needs it reports the same error, once.
    pub stage: Option<String>,
}

impl Panic {
    /// `internal error {what} (at src/x.rs:12; please report it)`, or the failed stage's
    /// message when the panic came from a shared stage.
    pub fn message(&self, what: &str) -> String {
        match &self.stage {
            Some(stage) => format!(
                "internal error in {stage} (at {}; please report it)",
                self.location
            ),
            None => format!(
                "internal error {what} (at {}; please report it)",
                self.location
            ),
        }
    }

    /// Re-raise this panic as the failure of a shared stage (without running the panic hook).
    pub fn resume_as_stage(self, stage: &str) -> ! {
        panic::resume_unwind(Box::new(Panic {
            location: self.location,
            stage: Some(self.stage.unwrap_or_else(|| stage.to_string())),
        }))
    }
}

/// Install the hook that keeps contained panics quiet (idempotent; [`catch`] calls it).
pub fn install_hook() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        let previous = panic::take_hook();
        panic::set_hook(Box::new(move |info| {
            // Fuzz builds let libFuzzer's hook see contained panics (it aborts: a finding).
            if DEPTH.with(Cell::get) > 0 && !cfg!(fuzzing) {
                let loc = info
                    .location()
                    .map(|l| format!("{}:{}", l.file(), l.line()))
                    .unwrap_or_else(|| "unknown location".to_string());
                LAST.with(|c| *c.borrow_mut() = Some(loc));
            } else {
                previous(info);
            }
        }));
    });
}

/// Run `f`; a panic inside it becomes `Err(Panic)` instead of unwinding further.
pub fn catch<T>(f: impl FnOnce() -> T) -> Result<T, Panic> {
    install_hook();
    DEPTH.with(|d| d.set(d.get() + 1));
    LAST.with(|c| c.borrow_mut().take());
    let r = panic::catch_unwind(AssertUnwindSafe(f));
    DEPTH.with(|d| d.set(d.get() - 1));
    r.map_err(|payload| match payload.downcast::<Panic>() {
        Ok(p) => *p,
        Err(_) => Panic {
            location: LAST
                .with(|c| c.borrow_mut().take())
                .unwrap_or_else(|| "unknown location".to_string()),
            stage: None,
        },
    })
}

/// A resource budget: `default`, or the positive number in the environment variable `var`
/// (tests use small budgets to reach them quickly; a huge repository may need bigger ones).
pub fn budget_from_env(var: &str, default: usize) -> usize {
    std::env::var(var)
        .ok()
        .and_then(|v| v.trim().parse().ok())
        .filter(|&b: &usize| b > 0)
        .unwrap_or(default)
}

/// With `NHILINT_TIMINGS` set, print on stderr how long the process has run when a scan phase
/// ends (`timing walk: 23.8 ms`); the benches use it to see where a scan's time goes.
pub fn phase(what: &str) {
    use std::sync::OnceLock;
    static T0: OnceLock<std::time::Instant> = OnceLock::new();
    let t0 = T0.get_or_init(std::time::Instant::now);
    if timings() {
        eprintln!("timing {what}: {:.1} ms", t0.elapsed().as_secs_f64() * 1e3);
    }
}

/// Is `NHILINT_TIMINGS` set (see [`phase`])?
pub fn timings() -> bool {
    static ON: std::sync::OnceLock<bool> = std::sync::OnceLock::new();
    *ON.get_or_init(|| std::env::var_os("NHILINT_TIMINGS").is_some())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn contains_a_panic_and_keeps_its_location() {
        let r: Result<(), Panic> = catch(|| {
            let s = "é";
            let _ = &s[..1];
        });
        let p = r.unwrap_err();
        assert!(p.location.starts_with("src/guard.rs:"), "{p:?}");
        assert_eq!(p.stage, None);
        let m = p.message("while analysing this file");
        assert!(m.starts_with("internal error while analysing this file (at src/guard.rs:"));
        assert!(
            !m.contains('é'),
            "the panic message (file text) is never shown: {m}"
        );
    }

    #[test]
    fn nested_and_stage_failures() {
        let r = catch(|| catch(|| panic!("inner")).map(|_| 1));
        assert!(r.unwrap().is_err());
        let r: Result<(), Panic> = catch(|| {
            let p = catch(|| panic!("x")).unwrap_err();
            p.resume_as_stage("the terraform project analysis")
        });
        let p = r.unwrap_err();
        assert_eq!(
            p.message("in rule `x`"),
            format!(
                "internal error in the terraform project analysis (at {}; please report it)",
                p.location
            )
        );
        assert_eq!(catch(|| 7), Ok(7));
    }
}
