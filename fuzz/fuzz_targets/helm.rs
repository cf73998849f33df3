#![no_main]
// Harness: nhilint::fuzzing::helm (replayed on saved inputs by tests/fuzz_regressions.rs).
libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let _ = nhilint::fuzzing::helm(data);
});
