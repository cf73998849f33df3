//! The language server keeps running whatever it receives: requests before `initialize`,
//! malformed JSON and framing, unknown methods, bad params, edits for unopened documents, a
//! very large document and a rapid edit burst. Each error is answered with its LSP error code.

mod lsp_support;

use lsp_support::{BAD_TF, Client, uri};
use serde_json::{Value, json};

fn error_code(m: &Value) -> i64 {
    m["error"]["code"]
        .as_i64()
        .unwrap_or_else(|| panic!("expected an error: {m}"))
}

#[test]
fn survives_hostile_traffic() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().canonicalize().unwrap();
    let mut c = Client::spawn(&root);

    // Before initialize: requests get ServerNotInitialized, notifications are dropped.
    let r = c.request("textDocument/hover", json!({}));
    assert_eq!(error_code(&r), -32002);
    c.open(&uri(&root.join("early.tf")), "terraform", 1, BAD_TF);

    // Malformed JSON body, then garbage headers: parse errors with a null id.
    c.send_raw(b"Content-Length: 9\r\n\r\n{not json");
    let e = c.wait(|m| m.get("error").is_some() && m["id"].is_null());
    assert_eq!(error_code(&e), -32700);
    c.send_raw(b"this is not a header\r\n\r\n");
    let e = c.wait(|m| m.get("error").is_some() && m["id"].is_null());
    assert_eq!(error_code(&e), -32700);
    c.send_raw(b"Content-Length: lots\r\n\r\n");
    let e = c.wait(|m| m.get("error").is_some() && m["id"].is_null());
    assert_eq!(error_code(&e), -32700);
    // Valid JSON that is not a message, and a batch: invalid request.
    c.send(&json!({"jsonrpc": "2.0", "hello": 1}));
    let e = c.wait(|m| m.get("error").is_some());
    assert_eq!(error_code(&e), -32600);
    c.send(&json!([1, 2, 3]));
    let e = c.wait(|m| m.get("error").is_some());
    assert_eq!(error_code(&e), -32600);
    c.send(&json!({"jsonrpc": "2.0", "id": {"x": 1}, "method": "shutdown"}));
    let e = c.wait(|m| m.get("error").is_some());
    assert_eq!(error_code(&e), -32600);

    // Still able to initialize after all that.
    let init = c.initialize(&root, &[]);
    assert_eq!(init["result"]["capabilities"]["positionEncoding"], "utf-16");
    assert_eq!(
        error_code(&c.request("initialize", json!({"capabilities": {}}))),
        -32600
    );

    // Unknown request and notification; bad params.
    assert_eq!(
        error_code(&c.request("nhilint/doesNotExist", json!({}))),
        -32601
    );
    c.notify("nhilint/unknownNotification", json!({"x": 1}));
    c.notify("$/cancelRequest", json!({"id": 99}));
    assert_eq!(
        error_code(&c.request("textDocument/hover", json!({"nope": true}))),
        -32602
    );
    c.notify("textDocument/didOpen", json!({"textDocument": 5}));

    // Edits and closes for documents that were never opened.
    let ghost = uri(&root.join("ghost.tf"));
    c.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": ghost, "version": 3},
               "contentChanges": [{"range": {"start": {"line": 0, "character": 0}, "end": {"line": 0, "character": 0}}, "text": "x"}]}),
    );
    c.notify(
        "textDocument/didClose",
        json!({"textDocument": {"uri": ghost}}),
    );
    c.notify(
        "textDocument/didSave",
        json!({"textDocument": {"uri": ghost}}),
    );
    let h = c.request(
        "textDocument/hover",
        json!({"textDocument": {"uri": ghost}, "position": {"line": 0, "character": 0}}),
    );
    assert!(h["result"].is_null(), "{h}");

    // Out-of-range incremental edit on an open document is clamped, not fatal.
    let main = uri(&root.join("main.tf"));
    c.open(&main, "terraform", 1, BAD_TF);
    assert_eq!(c.diagnostics(&main, Some(1)).len(), 1);
    c.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": main, "version": 2},
               "contentChanges": [{"range": {"start": {"line": 500, "character": 9}, "end": {"line": 2, "character": 0}}, "text": "\n# tail\n"}]}),
    );
    c.diagnostics(&main, Some(2));

    // A very large document (over the 5 MiB default limit): answered with no diagnostics.
    let big = uri(&root.join("big.tf"));
    let mut text = String::from(BAD_TF);
    while text.len() < 6 * 1024 * 1024 {
        text.push_str("# padding line to make a very large terraform document ..........\n");
    }
    c.open(&big, "terraform", 1, &text);
    assert!(c.diagnostics(&big, Some(1)).is_empty());
    drop(text);

    // A rapid burst of edits: the last version's diagnostics win.
    let burst = uri(&root.join("burst.tf"));
    c.open(&burst, "terraform", 1, BAD_TF);
    let clean = BAD_TF.replace("\"*\"\n      Resource", "\"s3:GetObject\"\n      Resource");
    for v in 2..=200 {
        c.change_full(&burst, v, if v % 2 == 0 { &clean } else { BAD_TF });
    }
    c.change_full(&burst, 201, BAD_TF);
    let d = c.diagnostics(&burst, Some(201));
    assert_eq!(d.len(), 1, "{d:?}");
    assert_eq!(d[0]["code"], "iam-wildcard-action");
    let published = c
        .seen
        .iter()
        .filter(|m| m["method"] == "textDocument/publishDiagnostics" && m["params"]["uri"] == burst)
        .count();
    assert!(
        published < 150,
        "burst was not coalesced: {published} publishes"
    );

    // Still answering, then a clean shutdown; requests after shutdown are refused.
    let r = c.request("shutdown", Value::Null);
    assert!(r["result"].is_null() && r.get("error").is_none(), "{r}");
    assert_eq!(
        error_code(&c.request("textDocument/hover", json!({}))),
        -32600
    );
    c.notify("exit", Value::Null);
    let status = c.child.wait().unwrap();
    assert_eq!(status.code(), Some(0));
}

#[test]
fn exit_without_shutdown_is_code_1_and_eof_ends_the_server() {
    let dir = tempfile::tempdir().unwrap();
    let mut c = Client::spawn(dir.path());
    c.initialize(dir.path(), &["utf-8"]);
    c.notify("exit", Value::Null);
    assert_eq!(c.child.wait().unwrap().code(), Some(1));

    let mut c = Client::spawn(dir.path());
    c.send_raw(b"Content-Length: 100\r\n\r\n{\"trunc");
    // Closing stdin mid-message ends the server instead of hanging.
    c.close_stdin();
    let mut c2 = c;
    let s = {
        let deadline = std::time::Instant::now() + lsp_support::TIMEOUT;
        loop {
            if let Some(s) = c2.child.try_wait().unwrap() {
                break s;
            }
            assert!(
                std::time::Instant::now() < deadline,
                "server kept running after EOF"
            );
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
    };
    assert_eq!(s.code(), Some(1));
}

/// A panic while handling a message (forced by a debug-build-only request) answers with an
/// internal error naming where it happened, never the panic's message (which can quote file
/// text), neither to the client nor on stderr; the server goes on answering.
#[test]
#[cfg(debug_assertions)]
fn a_panic_reports_its_location_not_its_message() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().canonicalize().unwrap();
    let log = root.join("stderr.txt");
    let mut c = Client::spawn_stderr(
        &root,
        std::process::Stdio::from(std::fs::File::create(&log).unwrap()),
    );
    c.initialize(&root, &[]);
    let marker = "AKIAQUOTEDFILETEXT0001";
    let r = c.request("nhilint/testPanic", json!({ "text": marker }));
    assert_eq!(error_code(&r), -32603, "{r}");
    let msg = r["error"]["message"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    assert!(
        msg.starts_with("internal error while handling a message (at src/server/mod.rs:"),
        "{msg}"
    );
    let is_log = |m: &Value| {
        m["method"] == "window/logMessage"
            && m["params"]["message"]
                .as_str()
                .is_some_and(|s| s.contains("internal error"))
    };
    let logged = match c.seen.iter().find(|m| is_log(m)).cloned() {
        Some(m) => m,
        None => c.wait(is_log),
    };
    // Still serving.
    let h = c.request(
        "textDocument/hover",
        json!({"textDocument": {"uri": uri(&root.join("x.tf"))}, "position": {"line": 0, "character": 0}}),
    );
    assert!(h.get("result").is_some(), "{h}");
    c.request("shutdown", Value::Null);
    c.notify("exit", Value::Null);
    c.child.wait().unwrap();
    let stderr = std::fs::read_to_string(&log).unwrap();
    for text in [msg.as_str(), &logged.to_string(), &stderr] {
        assert!(!text.contains(marker), "panic message leaked: {text}");
    }
}
