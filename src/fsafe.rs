//! Reading files of a scanned repository without blocking or exhausting memory on them.
//!
//! A repository can hold FIFOs, sockets, devices and symlinks to them (or to `/dev/zero`). They
//! are never opened by path: the type is checked with `symlink_metadata` first, the open is
//! non-blocking and does not follow a final symlink, and the opened handle is checked again
//! (`fstat`) before a byte is read. Reads are bounded by a byte limit.

use std::fs::File;
use std::io::Read;
use std::path::Path;

/// Why a file was not read.
#[derive(Debug)]
pub enum ReadError {
    /// Not a regular file: `"directory"`, `"fifo"`, `"socket"`, `"device"`, `"symlink"`.
    NotRegular(&'static str),
    /// Larger than the limit (the size seen).
    TooLarge(u64),
    Io(std::io::Error),
}

impl std::fmt::Display for ReadError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ReadError::NotRegular(k) => write!(f, "not a regular file ({k})"),
            ReadError::TooLarge(n) => write!(f, "too large ({n} bytes)"),
            ReadError::Io(e) => write!(f, "{e}"),
        }
    }
}

/// The kind of a file type that is not a regular file or directory, by name.
pub fn kind_name(ft: &std::fs::FileType) -> &'static str {
    if ft.is_file() {
        return "file";
    }
    if ft.is_dir() {
        return "directory";
    }
    if ft.is_symlink() {
        return "symlink";
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if ft.is_fifo() {
            return "fifo";
        }
        if ft.is_socket() {
            return "socket";
        }
        if ft.is_block_device() || ft.is_char_device() {
            return "device";
        }
    }
    "special file"
}

/// Open `path` for reading only if it is a regular file (not a symlink), without blocking.
pub fn open_regular(path: &Path) -> Result<File, ReadError> {
    open_regular_len(path).map(|(f, _)| f)
}

/// [`open_regular`] with the file's length as `fstat` gave it.
fn open_regular_len(path: &Path) -> Result<(File, u64), ReadError> {
    let meta = std::fs::symlink_metadata(path).map_err(ReadError::Io)?;
    if !meta.is_file() {
        return Err(ReadError::NotRegular(kind_name(&meta.file_type())));
    }
    let mut opts = std::fs::OpenOptions::new();
    opts.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        // Swapped for a FIFO or a symlink between the check and the open: still no blocking
        // open, no followed link; fstat below refuses it.
        opts.custom_flags(libc::O_NONBLOCK | libc::O_NOFOLLOW | libc::O_CLOEXEC);
    }
    let f = opts.open(path).map_err(ReadError::Io)?;
    let m = f.metadata().map_err(ReadError::Io)?;
    if !m.is_file() {
        return Err(ReadError::NotRegular(kind_name(&m.file_type())));
    }
    Ok((f, m.len()))
}

/// Read a regular file of at most `max` bytes.
pub fn read_regular(path: &Path, max: u64) -> Result<Vec<u8>, ReadError> {
    let (f, len) = open_regular_len(path)?;
    if len > max {
        return Err(ReadError::TooLarge(len));
    }
    let mut buf = Vec::with_capacity(len as usize);
    f.take(max.saturating_add(1))
        .read_to_end(&mut buf)
        .map_err(ReadError::Io)?;
    if buf.len() as u64 > max {
        return Err(ReadError::TooLarge(buf.len() as u64));
    }
    Ok(buf)
}

/// [`read_regular`] into one shared buffer allocated at the size `fstat` gives: the text a
/// scan keeps is the buffer the file was read into, not a copy of it. A file whose size
/// changes while it is read is read again with [`read_regular`].
pub fn read_regular_shared(path: &Path, max: u64) -> Result<std::sync::Arc<[u8]>, ReadError> {
    use std::io::ErrorKind::Interrupted;
    let (mut f, len) = open_regular_len(path)?;
    if len > max {
        return Err(ReadError::TooLarge(len));
    }
    let zeroed = std::sync::Arc::<[u8]>::new_zeroed_slice(len as usize);
    // SAFETY: all-zero bytes are valid `u8` values.
    let mut buf: std::sync::Arc<[u8]> = unsafe { zeroed.assume_init() };
    let Some(dst) = std::sync::Arc::get_mut(&mut buf) else {
        return read_regular(path, max).map(Into::into);
    };
    let mut filled = 0;
    while filled < dst.len() {
        match f.read(&mut dst[filled..]) {
            Ok(0) => break,
            Ok(n) => filled += n,
            Err(e) if e.kind() == Interrupted => {}
            Err(e) => return Err(ReadError::Io(e)),
        }
    }
    let mut probe = [0u8; 1];
    let grew = loop {
        match f.read(&mut probe) {
            Ok(n) => break n > 0,
            Err(e) if e.kind() == Interrupted => {}
            Err(e) => return Err(ReadError::Io(e)),
        }
    };
    if filled != dst.len() || grew {
        return read_regular(path, max).map(Into::into);
    }
    Ok(buf)
}

/// Create a FIFO (tests and fixtures).
#[cfg(unix)]
pub fn mkfifo(path: &Path) {
    use std::os::unix::ffi::OsStrExt;
    let c = std::ffi::CString::new(path.as_os_str().as_bytes()).expect("no NUL in path");
    // SAFETY: `c` is a valid NUL-terminated path for the duration of the call.
    let rc = unsafe { libc::mkfifo(c.as_ptr(), 0o644) };
    assert_eq!(rc, 0, "mkfifo {}", path.display());
}

/// A small regular text file (git metadata, ignore files), or `None`.
pub fn read_small_text(path: &Path, max: u64) -> Option<String> {
    let b = read_regular(path, max).ok()?;
    String::from_utf8(b).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_special_files_and_large_ones() {
        let d = tempfile::tempdir().unwrap();
        let f = d.path().join("a.txt");
        std::fs::write(&f, "hello").unwrap();
        assert_eq!(read_regular(&f, 5).unwrap(), b"hello");
        assert!(matches!(read_regular(&f, 4), Err(ReadError::TooLarge(5))));
        assert_eq!(&*read_regular_shared(&f, 5).unwrap(), b"hello");
        assert!(matches!(
            read_regular_shared(&f, 4),
            Err(ReadError::TooLarge(5))
        ));
        assert!(matches!(
            read_regular_shared(d.path(), 10),
            Err(ReadError::NotRegular("directory"))
        ));
        assert!(matches!(
            read_regular(d.path(), 10),
            Err(ReadError::NotRegular("directory"))
        ));
        #[cfg(unix)]
        {
            let z = d.path().join("zero");
            std::os::unix::fs::symlink("/dev/zero", &z).unwrap();
            assert!(matches!(
                read_regular(&z, 10),
                Err(ReadError::NotRegular("symlink"))
            ));
            assert!(matches!(
                read_regular(Path::new("/dev/zero"), 10),
                Err(ReadError::NotRegular("device"))
            ));
            let fifo = d.path().join("fifo");
            mkfifo(&fifo);
            assert!(matches!(
                read_regular(&fifo, 10),
                Err(ReadError::NotRegular("fifo"))
            ));
        }
    }
}
