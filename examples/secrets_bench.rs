//! Secrets engine throughput on a generated mixed text corpus (code, YAML, JSON, logs, minified
//! JS, prose, lock files) with planted fake secrets.
//!
//! `cargo run --release --example secrets_bench -- [DIR] [MEGABYTES]` writes the corpus to DIR
//! (default `target/secrets-corpus`, 32 MB), then times `SecretsEngine::scan_text` alone on one
//! thread over the files already in memory (best of 3) and prints MB/s and the finding count.
//! `benches/secrets.sh` runs this and then detect-secrets and secretlint on the same folder.

use nhilint::config::Config;
use nhilint::rules::RuleSet;
use nhilint::secrets::{SecretsEngine, base62_crc};
use nhilint::source::SourceFile;
use std::path::PathBuf;
use std::time::Instant;

struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    fn pick<'a>(&mut self, xs: &'a [&'a str]) -> &'a str {
        xs[self.below(xs.len())]
    }
    fn chars(&mut self, alphabet: &[u8], n: usize) -> String {
        (0..n)
            .map(|_| alphabet[self.below(alphabet.len())] as char)
            .collect()
    }
}

const AN: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
const B64: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
const HEX: &[u8] = b"0123456789abcdef";
const UP: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
const WORDS: &[&str] = &[
    "user",
    "config",
    "request",
    "handler",
    "value",
    "result",
    "items",
    "client",
    "server",
    "session",
    "message",
    "payload",
    "index",
    "token_count",
    "password_policy",
    "secret_name",
    "cache",
    "data",
    "response",
    "deploy",
    "service",
    "account",
    "region",
    "bucket",
    "queue",
];

fn secret(r: &mut Rng) -> String {
    match r.below(12) {
        0 => format!(
            "aws_access_key_id = AKIA{}\naws_secret_access_key = {}",
            r.chars(UP, 16),
            r.chars(B64, 40)
        ),
        1 => {
            let rnd = r.chars(AN, 30);
            format!("GITHUB_TOKEN=ghp_{rnd}{}", base62_crc(rnd.as_bytes()))
        }
        2 => format!("gitlab_token: glpat-{}", r.chars(AN, 20)),
        3 => format!(
            "SLACK_BOT_TOKEN=xoxb-{}-{}-{}",
            r.chars(b"0123456789", 12),
            r.chars(b"0123456789", 13),
            r.chars(AN, 24)
        ),
        4 => format!("stripe.api_key = \"sk_live_{}\"", r.chars(AN, 32)),
        5 => format!("const mapsKey = \"AIza{}\";", r.chars(AN, 35)),
        6 => {
            let rnd = r.chars(AN, 30);
            format!(
                "//registry.npmjs.org/:_authToken=npm_{rnd}{}",
                base62_crc(rnd.as_bytes())
            )
        }
        7 => format!(
            "-----BEGIN RSA PRIVATE KEY-----\n{}\n{}\n{}\n-----END RSA PRIVATE KEY-----",
            r.chars(B64, 64),
            r.chars(B64, 64),
            r.chars(B64, 40)
        ),
        8 => format!(
            "Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.eyJ{}.{}",
            r.chars(AN, 40),
            r.chars(AN, 43)
        ),
        9 => format!(
            "DATABASE_URL=postgres://app:{}@db.internal:5432/app",
            r.chars(AN, 16)
        ),
        10 => format!("sendgrid = \"SG.{}.{}\"", r.chars(AN, 22), r.chars(AN, 43)),
        _ => format!("db_password = \"{}7\"", r.chars(AN, 15)),
    }
}

fn line(r: &mut Rng, kind: usize) -> String {
    let w = |r: &mut Rng| r.pick(WORDS).to_string();
    match kind {
        0 => match r.below(6) {
            0 => format!("    {} = {}({}, {})", w(r), w(r), w(r), r.below(1000)),
            1 => format!("    # {} the {} before {}", w(r), w(r), w(r)),
            2 => format!("    token = os.environ[\"{}_TOKEN\"]", w(r).to_uppercase()),
            3 => format!("def {}_{}(self, {}):", w(r), w(r), w(r)),
            4 => format!("    return self.{}.get(\"{}\")", w(r), w(r)),
            _ => format!("    logger.info(\"{} %s\", {})", w(r), w(r)),
        },
        1 => match r.below(5) {
            0 => format!("  {}: {}", w(r), w(r)),
            1 => format!("    - name: {}-{}", w(r), r.below(99)),
            2 => "      password: ${DB_PASSWORD}".to_string(),
            3 => format!(
                "  image: registry.example.com/{}:{}.{}.{}",
                w(r),
                r.below(9),
                r.below(20),
                r.below(50)
            ),
            _ => format!("  labels: {{app: {}, tier: {}}}", w(r), w(r)),
        },
        2 => format!(
            "{{\"id\": \"{}-{}-4{}-a{}-{}\", \"sha\": \"{}\", \"{}\": {}}},",
            r.chars(HEX, 8),
            r.chars(HEX, 4),
            r.chars(HEX, 3),
            r.chars(HEX, 3),
            r.chars(HEX, 12),
            r.chars(HEX, 40),
            w(r),
            r.below(100000)
        ),
        3 => format!(
            "2025-03-{:02}T{:02}:{:02}:{:02}Z INFO {} request_id={} ip=10.{}.{}.{} status={} took={}ms",
            1 + r.below(28),
            r.below(24),
            r.below(60),
            r.below(60),
            w(r),
            r.chars(HEX, 16),
            r.below(255),
            r.below(255),
            r.below(255),
            200 + r.below(300),
            r.below(900)
        ),
        4 => {
            let mut s = String::from("!function(e){");
            for _ in 0..40 {
                s.push_str(&format!(
                    "var {}=e.{}||{};{}.{}={}.{};",
                    r.chars(b"abcdefghij", 1),
                    w(r),
                    r.below(9),
                    r.chars(b"abcdefghij", 1),
                    w(r),
                    r.chars(b"abcdefghij", 1),
                    w(r)
                ));
            }
            s.push_str("}();");
            s
        }
        5 => format!(
            "The {} sends the {} to the {} when the {} changes, see docs/{}.md for details.",
            w(r),
            w(r),
            w(r),
            w(r),
            w(r)
        ),
        _ => format!("  integrity sha512-{}==", r.chars(B64, 86)),
    }
}

/// Nanoseconds this thread has spent on a CPU (Linux schedstat), so a loaded machine does not
/// distort the per-core figure; `None` elsewhere.
fn thread_cpu_ns() -> Option<u64> {
    let s = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    s.split_whitespace().next()?.parse().ok()
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let dir = PathBuf::from(
        args.get(1)
            .map(String::as_str)
            .unwrap_or("target/secrets-corpus"),
    );
    let mb: usize = args.get(2).and_then(|s| s.parse().ok()).unwrap_or(32);
    let exts = ["py", "yaml", "json", "log", "js", "md", "lock"];
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("create corpus dir");
    let mut r = Rng(0x9e37_79b9_7f4a_7c15);
    let mut files = Vec::new();
    let mut total = 0usize;
    let mut planted = 0usize;
    let mut i = 0usize;
    while total < mb * 1024 * 1024 {
        let kind = i % exts.len();
        let mut text = String::new();
        while text.len() < 64 * 1024 {
            if r.below(1000) == 0 {
                text.push_str(&secret(&mut r));
                planted += 1;
            } else {
                text.push_str(&line(&mut r, kind));
            }
            text.push('\n');
        }
        let name = format!("f{i:05}.{}", exts[kind]);
        std::fs::write(dir.join(&name), &text).expect("write corpus file");
        total += text.len();
        files.push(SourceFile::new(name, text));
        i += 1;
    }
    let ignore: Vec<String> = std::env::var("SECRETS_BENCH_IGNORE")
        .map(|s| s.split(',').map(String::from).collect())
        .unwrap_or_default();
    let rules = RuleSet::build(&Config::default(), &["secrets".to_string()], &ignore);
    let engine = SecretsEngine::new(&rules);
    let mut best = f64::MAX;
    let mut best_cpu = f64::MAX;
    let mut found = 0;
    for _ in 0..5 {
        let start = Instant::now();
        let cpu0 = thread_cpu_ns();
        found = 0;
        for f in &files {
            found += engine.scan_text(f).len();
        }
        best = best.min(start.elapsed().as_secs_f64());
        if let (Some(a), Some(b)) = (cpu0, thread_cpu_ns()) {
            best_cpu = best_cpu.min((b - a) as f64 / 1e9);
        }
    }
    let mbytes = total as f64 / 1_048_576.0;
    if std::env::var("SECRETS_BENCH_KEYWORDS").is_ok() {
        let mut kws: Vec<String> = engine
            .detectors
            .iter()
            .flat_map(|d| d.spec.keywords.iter().map(|k| k.to_ascii_lowercase()))
            .collect();
        kws.sort();
        kws.dedup();
        let ac = aho_corasick::AhoCorasick::builder()
            .ascii_case_insensitive(true)
            .build(&kws)
            .expect("automaton");
        let mut counts = vec![0usize; kws.len()];
        for f in &files {
            for m in ac.find_overlapping_iter(f.text.as_bytes()) {
                counts[m.pattern().as_usize()] += 1;
            }
        }
        let mut top: Vec<(usize, &String)> = counts.iter().copied().zip(kws.iter()).collect();
        top.sort_by_key(|t| std::cmp::Reverse(t.0));
        for (n, k) in top.iter().take(12) {
            println!("  keyword {k:?}: {n} hits");
        }
    }
    println!(
        "corpus: {} files, {:.1} MB, {planted} planted secrets ({} detectors) in {}",
        files.len(),
        mbytes,
        engine.detectors.len(),
        dir.display()
    );
    println!(
        "nhilint secrets engine (1 thread): wall {:.3} s = {:.0} MB/s; on-CPU {:.3} s = {:.0} MB/s per core; {found} findings",
        best,
        mbytes / best,
        best_cpu,
        mbytes / best_cpu
    );
}
