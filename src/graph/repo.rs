//! This repository's own identity (`owner/name` on GitHub, `group/sub/project` on GitLab), read
//! offline from `.git/config` (remote `origin`), overridable by `[org] repository` in config.

use std::path::{Path, PathBuf};

/// `owner/name` of the repository holding `root`, or `None` when it cannot be told.
pub fn this_repository(root: &Path, config: &crate::config::Config) -> Option<String> {
    if let Some(r) = &config.org.repository {
        let r = r.trim().trim_matches('/');
        if !r.is_empty() {
            return Some(r.trim_end_matches(".git").to_string());
        }
    }
    let cfg = git_config_path(root)?;
    // Bounded read of a regular file: a git config is small; a FIFO or device is refused.
    let text = crate::fsafe::read_small_text(&cfg, 1024 * 1024)?;
    origin_url(&text).and_then(|u| repo_from_url(&u))
}

/// The `config` file of the git repository containing `root` (walking up), following the
/// `gitdir:` file of worktrees and submodules and the `commondir` of linked worktrees.
pub fn git_config_path(root: &Path) -> Option<PathBuf> {
    let repo = crate::git::find_repo(root)?;
    Some(repo.common_dir.join("config")).filter(|p| p.is_file())
}

/// The url of `[remote "origin"]` in a git config text.
pub fn origin_url(text: &str) -> Option<String> {
    let mut in_origin = false;
    for line in text.lines() {
        let l = line.trim();
        if l.starts_with('[') {
            let inner = l.trim_start_matches('[').trim_end_matches(']').trim();
            in_origin = inner == "remote \"origin\"" || inner == "remote.origin";
            continue;
        }
        if in_origin
            && let Some((k, v)) = l.split_once('=')
            && k.trim().eq_ignore_ascii_case("url")
        {
            let v = v.trim().trim_matches('"').to_string();
            if !v.is_empty() {
                return Some(v);
            }
        }
    }
    None
}

/// `owner/name` from a remote url: `https://github.com/acme/app.git`, `git@github.com:acme/app`,
/// `ssh://git@gitlab.com:2222/group/sub/project.git`. Local paths give `None`.
pub fn repo_from_url(url: &str) -> Option<String> {
    let u = url.trim();
    let path = if let Some((scheme, rest)) = u.split_once("://") {
        if scheme == "file" {
            return None;
        }
        // Drop credentials and host (with port).
        let rest = rest.rsplit_once('@').map(|(_, r)| r).unwrap_or(rest);
        let (_host, p) = rest.split_once('/')?;
        p.to_string()
    } else if let Some((before, p)) = u.split_once(':') {
        // scp-like `user@host:owner/name`; a Windows drive `C:\` or a bare path is not a remote.
        if before.contains('/') || before.len() == 1 || p.starts_with('\\') {
            return None;
        }
        p.to_string()
    } else {
        return None;
    };
    let p = path.trim_matches('/');
    let p = p.strip_suffix(".git").unwrap_or(p).trim_end_matches('/');
    let parts: Vec<&str> = p.split('/').filter(|s| !s.is_empty()).collect();
    if parts.len() < 2 || parts.iter().any(|s| *s == ".." || *s == ".") {
        return None;
    }
    Some(parts.join("/"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn url_forms() {
        for (u, want) in [
            ("https://github.com/acme/app.git", Some("acme/app")),
            ("https://token@github.com/acme/app", Some("acme/app")),
            ("git@github.com:acme/app.git", Some("acme/app")),
            ("ssh://git@github.com/acme/app.git", Some("acme/app")),
            (
                "ssh://git@gitlab.example.com:2222/grp/sub/proj.git",
                Some("grp/sub/proj"),
            ),
            ("https://gitlab.com/grp/sub/proj/", Some("grp/sub/proj")),
            ("/srv/git/app.git", None),
            ("../app", None),
            ("file:///srv/git/app.git", None),
            ("C:\\repos\\app", None),
        ] {
            assert_eq!(repo_from_url(u).as_deref(), want, "{u}");
        }
    }

    #[test]
    fn origin_section() {
        let text = "[core]\n\tbare = false\n[remote \"upstream\"]\n\turl = https://github.com/other/x\n[remote \"origin\"]\n\turl = git@github.com:acme/app.git\n\tfetch = +refs/heads/*:refs/remotes/origin/*\n";
        assert_eq!(
            origin_url(text).as_deref(),
            Some("git@github.com:acme/app.git")
        );
        assert_eq!(origin_url("[remote \"upstream\"]\nurl = x\n"), None);
    }

    #[test]
    fn reads_git_dir_and_override() {
        let d = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(d.path().join(".git")).unwrap();
        std::fs::create_dir_all(d.path().join("infra")).unwrap();
        std::fs::write(
            d.path().join(".git/config"),
            "[remote \"origin\"]\n\turl = https://github.com/acme/app.git\n",
        )
        .unwrap();
        let c = crate::config::Config::default();
        assert_eq!(
            this_repository(&d.path().join("infra"), &c).as_deref(),
            Some("acme/app")
        );
        let mut c2 = crate::config::Config::default();
        c2.org.repository = Some("acme/renamed".into());
        assert_eq!(
            this_repository(d.path(), &c2).as_deref(),
            Some("acme/renamed")
        );
    }

    #[test]
    fn reads_linked_worktree() {
        let d = tempfile::tempdir().unwrap();
        let main = d.path().join("main/.git");
        std::fs::create_dir_all(main.join("worktrees/wt")).unwrap();
        std::fs::write(
            main.join("config"),
            "[remote \"origin\"]\n\turl = git@gitlab.com:grp/proj.git\n",
        )
        .unwrap();
        std::fs::write(main.join("worktrees/wt/commondir"), "../..\n").unwrap();
        let wt = d.path().join("wt");
        std::fs::create_dir_all(&wt).unwrap();
        std::fs::write(
            wt.join(".git"),
            format!("gitdir: {}\n", main.join("worktrees/wt").display()),
        )
        .unwrap();
        assert_eq!(
            this_repository(&wt, &crate::config::Config::default()).as_deref(),
            Some("grp/proj")
        );
    }
}
