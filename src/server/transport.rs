//! JSON-RPC framing over stdio (`Content-Length` headers), written here rather than taken from
//! `lsp_server::Connection::stdio()` because that reader thread stops at the first malformed
//! message. This one answers framing and JSON errors with `-32700`, invalid messages with
//! `-32600`, and keeps reading.

use lsp_server::{Message, Notification, Request, RequestId, Response};
use serde_json::{Value, json};
use std::io::{BufRead, Read, Write};
use std::sync::mpsc::{Receiver, Sender};

/// Largest message body accepted (bytes); larger ones are skipped and answered with an error.
pub const MAX_BODY: usize = 64 * 1024 * 1024;
/// Longest header line accepted.
const MAX_HEADER_LINE: usize = 8 * 1024;

pub const PARSE_ERROR: i32 = -32700;
pub const INVALID_REQUEST: i32 = -32600;

/// What the reader thread hands the main loop.
#[derive(Debug)]
pub enum Incoming {
    Message(Message),
    /// Something that is not a valid message: answer it with this error (id when known).
    Invalid {
        id: Option<Value>,
        code: i32,
        message: String,
    },
    /// End of input (or an unrecoverable read error).
    Eof,
}

/// Read framed messages from `input` until EOF, sending each (converted by `wrap`) on `tx`.
/// Stops when the receiver is gone or after an `exit` notification.
pub fn read_loop<R: BufRead, E>(mut input: R, tx: Sender<E>, wrap: impl Fn(Incoming) -> E) {
    loop {
        let item = read_one(&mut input);
        let stop = matches!(item, Incoming::Eof)
            || matches!(&item, Incoming::Message(Message::Notification(n)) if n.method == "exit");
        if tx.send(wrap(item)).is_err() || stop {
            return;
        }
    }
}

enum Line {
    Eof,
    Text(String),
    TooLong,
}

fn read_line<R: BufRead>(r: &mut R) -> Line {
    let mut buf = Vec::new();
    let mut limited = r.by_ref().take(MAX_HEADER_LINE as u64);
    match limited.read_until(b'\n', &mut buf) {
        Ok(0) => Line::Eof,
        Ok(_) => {
            if !buf.ends_with(b"\n") && buf.len() >= MAX_HEADER_LINE {
                // Skip the rest of the over-long line.
                let mut sink = Vec::new();
                loop {
                    sink.clear();
                    match r.by_ref().take(64 * 1024).read_until(b'\n', &mut sink) {
                        Ok(0) => return Line::TooLong,
                        Ok(_) if sink.ends_with(b"\n") => return Line::TooLong,
                        Ok(_) => continue,
                        Err(_) => return Line::Eof,
                    }
                }
            }
            Line::Text(
                String::from_utf8_lossy(&buf)
                    .trim_end_matches(['\r', '\n'])
                    .to_string(),
            )
        }
        Err(_) => Line::Eof,
    }
}

fn read_one<R: BufRead>(r: &mut R) -> Incoming {
    let mut length: Option<Result<usize, String>> = None;
    let mut saw_header = false;
    let mut bad_header = None;
    loop {
        match read_line(r) {
            Line::Eof => return Incoming::Eof,
            Line::TooLong => bad_header = Some("header line too long".to_string()),
            Line::Text(l) if l.is_empty() => {
                if saw_header || bad_header.is_some() {
                    break;
                }
                // Blank lines between messages are tolerated.
            }
            Line::Text(l) => {
                saw_header = true;
                match l.split_once(':') {
                    Some((k, v)) if k.trim().eq_ignore_ascii_case("content-length") => {
                        length = Some(
                            v.trim()
                                .parse::<usize>()
                                .map_err(|_| format!("invalid Content-Length `{}`", v.trim())),
                        );
                    }
                    Some((k, _)) if k.trim().eq_ignore_ascii_case("content-type") => {}
                    _ => {
                        let shown: String = l.chars().take(60).collect();
                        bad_header = Some(format!("malformed header line `{shown}`"));
                    }
                }
            }
        }
    }
    let n = match (length, bad_header) {
        (Some(Ok(n)), None) => n,
        (Some(Ok(n)), Some(_)) if n <= MAX_BODY => n,
        (Some(Err(e)), _) | (None, Some(e)) => return parse_error(e),
        (Some(Ok(_)), Some(e)) => return parse_error(e),
        (None, None) => return parse_error("missing Content-Length header".into()),
    };
    if n > MAX_BODY {
        let skipped = std::io::copy(&mut r.by_ref().take(n as u64), &mut std::io::sink());
        if !matches!(skipped, Ok(k) if k == n as u64) {
            return Incoming::Eof;
        }
        return Incoming::Invalid {
            id: None,
            code: INVALID_REQUEST,
            message: format!("message of {n} bytes is larger than the {MAX_BODY}-byte limit"),
        };
    }
    let mut body = vec![0u8; n];
    if r.read_exact(&mut body).is_err() {
        return Incoming::Eof;
    }
    let value: Value = match serde_json::from_slice(&body) {
        Ok(v) => v,
        Err(e) => return parse_error(format!("invalid JSON: {e}")),
    };
    classify(value)
}

fn parse_error(message: String) -> Incoming {
    Incoming::Invalid {
        id: None,
        code: PARSE_ERROR,
        message,
    }
}

/// A JSON value → request, notification or response; anything else is an invalid request.
pub fn classify(v: Value) -> Incoming {
    let Value::Object(mut o) = v else {
        return Incoming::Invalid {
            id: None,
            code: INVALID_REQUEST,
            message: "a message must be a JSON object (batches are not supported)".into(),
        };
    };
    let raw_id = o.remove("id");
    let id = match &raw_id {
        None => None,
        Some(Value::Number(n)) => match n.as_i64().and_then(|i| i32::try_from(i).ok()) {
            Some(i) => Some(RequestId::from(i)),
            None => {
                return Incoming::Invalid {
                    id: raw_id.clone(),
                    code: INVALID_REQUEST,
                    message: "request id must be a 32-bit integer or a string".into(),
                };
            }
        },
        Some(Value::String(s)) => Some(RequestId::from(s.clone())),
        Some(_) => {
            return Incoming::Invalid {
                id: None,
                code: INVALID_REQUEST,
                message: "request id must be a 32-bit integer or a string".into(),
            };
        }
    };
    let params = o.remove("params").unwrap_or(Value::Null);
    match (o.remove("method"), id) {
        (Some(Value::String(method)), Some(id)) => {
            Incoming::Message(Message::Request(Request { id, method, params }))
        }
        (Some(Value::String(method)), None) => {
            Incoming::Message(Message::Notification(Notification { method, params }))
        }
        (None, Some(id)) if o.contains_key("result") || o.contains_key("error") => {
            let response_result = match o
                .remove("error")
                .and_then(|e| serde_json::from_value::<lsp_server::ResponseError>(e).ok())
            {
                Some(e) => Err(e),
                None => Ok(o.remove("result").unwrap_or(Value::Null)),
            };
            Incoming::Message(Message::Response(Response {
                id,
                response_result,
            }))
        }
        _ => Incoming::Invalid {
            id: raw_id,
            code: INVALID_REQUEST,
            message: "not a JSON-RPC request, notification or response".into(),
        },
    }
}

/// An error response with a raw id (`null` when the id is unknown).
pub fn error_value(id: Option<Value>, code: i32, message: &str) -> Value {
    json!({
        "jsonrpc": "2.0",
        "id": id.unwrap_or(Value::Null),
        "error": { "code": code, "message": message },
    })
}

/// Serialise a message as a JSON-RPC 2.0 value.
pub fn message_value(m: &Message) -> Value {
    let mut v = serde_json::to_value(m).unwrap_or(Value::Null);
    if let Value::Object(o) = &mut v {
        o.insert("jsonrpc".into(), Value::from("2.0"));
    }
    v
}

/// Write each value framed to `out` until the channel closes.
pub fn write_loop<W: Write>(mut out: W, rx: Receiver<Value>) {
    for v in rx {
        let body = v.to_string();
        let ok =
            write!(out, "Content-Length: {}\r\n\r\n{}", body.len(), body).and_then(|_| out.flush());
        if ok.is_err() {
            return;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn all(input: &str) -> Vec<Incoming> {
        let mut r = std::io::Cursor::new(input.as_bytes().to_vec());
        let mut v = Vec::new();
        loop {
            let m = read_one(&mut r);
            let eof = matches!(m, Incoming::Eof);
            v.push(m);
            if eof {
                return v;
            }
        }
    }

    fn frame(body: &str) -> String {
        format!("Content-Length: {}\r\n\r\n{body}", body.len())
    }

    #[test]
    fn recovers_from_garbage() {
        let input = [
            frame("{not json"),
            "garbage line\r\n\r\n".to_string(),
            "Content-Length: x\r\n\r\n".to_string(),
            frame("[1,2]"),
            frame(r#"{"jsonrpc":"2.0","id":true,"method":"m"}"#),
            frame(r#"{"jsonrpc":"2.0","id":7,"method":"shutdown"}"#),
            frame(r#"{"jsonrpc":"2.0","method":"exit"}"#),
        ]
        .concat();
        let got = all(&input);
        let codes: Vec<i32> = got
            .iter()
            .filter_map(|m| match m {
                Incoming::Invalid { code, .. } => Some(*code),
                _ => None,
            })
            .collect();
        assert_eq!(
            codes,
            vec![
                PARSE_ERROR,
                PARSE_ERROR,
                PARSE_ERROR,
                INVALID_REQUEST,
                INVALID_REQUEST
            ]
        );
        assert!(
            matches!(&got[5], Incoming::Message(Message::Request(r)) if r.method == "shutdown")
        );
        assert!(
            matches!(&got[6], Incoming::Message(Message::Notification(n)) if n.method == "exit")
        );
        assert!(matches!(got[7], Incoming::Eof));
    }

    #[test]
    fn response_value_shape() {
        let v = message_value(&Message::Response(Response::new_ok(RequestId::from(1), ())));
        assert_eq!(v["result"], Value::Null);
        assert_eq!(v["jsonrpc"], "2.0");
    }
}
