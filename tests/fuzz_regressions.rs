//! Every input the fuzz targets found (`testdata/fuzz/<target>/*`) replayed through its harness
//! (`nhilint::fuzzing`): no panic, no internal error. Also a quick pass over each target's seeds
//! shape, so a harness that stops compiling or panics on ordinary input fails here first.

use std::path::Path;

#[test]
fn saved_fuzz_inputs_no_longer_fail() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/fuzz");
    let mut replayed = 0;
    for (name, harness) in nhilint::fuzzing::TARGETS {
        let dir = root.join(name);
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        let mut paths: Vec<_> = entries.map(|e| e.unwrap().path()).collect();
        paths.sort();
        for p in paths {
            let data = std::fs::read(&p).unwrap();
            let errors = harness(&data);
            assert!(errors.is_empty(), "{}: {errors:?}", p.display());
            replayed += 1;
        }
    }
    assert!(replayed > 0, "no saved input in {}", root.display());
}

#[test]
fn every_harness_runs_on_small_inputs() {
    let inputs: [&[u8]; 5] = [
        b"",
        b"\x00",
        b"a: [1, {b: *c}]\n@@\nresource \"x\" \"y\" { a = \"${b}\" }\n",
        b"main.tf\nlocals { a = [for x in var.y : x] }\n",
        "\u{1}\"\\é\" % ééé\n@@\n".as_bytes(),
    ];
    for (name, harness) in nhilint::fuzzing::TARGETS {
        for data in inputs {
            let errors = harness(data);
            assert!(errors.is_empty(), "{name} on {data:?}: {errors:?}");
        }
    }
}
