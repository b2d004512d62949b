//! Go's `bounded.go`, ported: the MD5 sum of every regular file under a directory, by a
//! bounded number of digesters, the first error winning, and every stage cancelled once
//! `md5_all` returns early. From the Go blog post "Go Concurrency Patterns: Pipelines and
//! cancellation" (Sameer Ajmani, 2014); Go's program is `scripts/go/bounded/bounded.go`.
//! Ported from Go; Copyright 2014 The Go Authors. All rights reserved. Use of this source
//! code is governed by a BSD-style license that can be found in LICENSE-GO. Rust port:
//! the gosync authors.
//!
//! ```sh
//! cargo run --example pipeline -- src                    # prints what `go run ./bounded src` prints
//! cargo run --example pipeline --features race -- src    # the same, under the race checker
//! scripts/pipeline-vs-go                                 # both, compared line by line
//! ```
//!
//! Go to Rust, stage by stage (docs/porting.md explains each):
//!
//! - `go func() { ... }()` is [`gosync::go`]; the digesters start with
//!   [`WaitGroup::go`], Go 1.25's `wg.Go`, which is Go 1.19's `wg.Add(1)` before the `go`
//!   statement and `wg.Done()` when it returns, in one call.
//! - Go's channels are [`gosync::chan`]s (`make(chan T, n)` is `chan(n)`; a `Sender` and a
//!   `Receiver` are handles, cloned per goroutine, no `Arc`), and `close(c)` is
//!   [`Sender::close`]. Dropping a handle closes nothing, as in Go.
//! - Go's `done` channel is a `chan<()>` that nobody sends on; `defer close(done)` is a
//!   guard that closes it when `md5_all` returns, by any way out.
//! - `select { case c <- r: case <-done: return }` is [`gosync::select!`], case for
//!   case: `send(c, r) => {}` and `recv(done) -> _ => return`.
//! - `for path := range paths`, shared by every digester, is `for path in &paths` on a
//!   clone of one `Receiver`.
//!
//! Every edge of the program is a gosync one (the channels, `select!`, the group, the
//! goroutines), so under `--features race` the checker sees all of them: it must report
//! no race, and no goroutine left blocked (`scripts/pipeline-vs-go` checks both).
//!
//! Differences from Go, all in the error text: the walk is Go's `filepath.Walk` (lexical
//! order, symlinks not followed, the root reported if it is a regular file), and errors
//! read as Go's (`lstat ROOT: no such file or directory`); a path is printed as
//! [`Path::display`] prints it (Go prints the raw bytes of a non-UTF-8 name).

use std::collections::BTreeMap;
use std::ffi::OsString;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use gosync::{chan, race, Receiver, Sender, WaitGroup};

/// Go's `numDigesters`: how many files are read and summed at once.
const NUM_DIGESTERS: usize = 20;

/// Go's `walkFiles`: starts a goroutine to walk the directory tree at `root` and send the
/// path of each regular file on the string channel. It sends the result of the walk on
/// the error channel. If `done` is closed, the walk is abandoned.
fn walk_files(done: &Receiver<()>, root: PathBuf) -> (Receiver<PathBuf>, Receiver<io::Result<()>>) {
    let (paths_tx, paths) = chan(0);
    let (errc_tx, errc) = chan(1);
    let done = done.clone();
    gosync::go(move || {
        // No select needed for this send, since errc is buffered.
        errc_tx.send(walk(&root, &paths_tx, &done));
        paths_tx.close(); // Go's `defer close(paths)`, which runs after the send above
    });
    (paths, errc)
}

/// Go's `filepath.Walk` with `walkFiles`'s walk function: lexical order, `lstat` (so a
/// symlink is neither followed nor sent), the first error ends the walk.
fn walk(path: &Path, paths: &Sender<PathBuf>, done: &Receiver<()>) -> io::Result<()> {
    let info = fs::symlink_metadata(path).map_err(|e| go_error("lstat", path, e))?;
    if info.is_dir() {
        let mut names: Vec<OsString> = fs::read_dir(path)
            .and_then(|dir| dir.map(|entry| Ok(entry?.file_name())).collect())
            .map_err(|e| go_error("open", path, e))?;
        names.sort();
        for name in names {
            walk(&path.join(name), paths, done)?;
        }
    } else if info.is_file() {
        gosync::select! {
            send(paths, path.to_owned()) => {}
            recv(done) -> _ => return Err(io::Error::other("walk canceled")),
        }
    }
    Ok(())
}

/// Go's `result`: the product of reading and summing a file using MD5.
struct Digest {
    path: PathBuf,
    sum: io::Result<[u8; 16]>,
}

/// Go's `digester`: reads path names from `paths` and sends digests of the corresponding
/// files on `c` until either `paths` or `done` is closed.
fn digester(done: &Receiver<()>, paths: &Receiver<PathBuf>, c: &Sender<Digest>) {
    for path in paths {
        let sum = fs::read(&path)
            .map(|data| md5::sum(&data))
            .map_err(|e| go_error("open", &path, e));
        gosync::select! {
            send(c, Digest { path, sum }) => {}
            recv(done) -> _ => return,
        }
    }
}

/// Go's `defer close(done)`: closes the channel when dropped.
struct CloseOnDrop<'a>(&'a Sender<()>);

impl Drop for CloseOnDrop<'_> {
    fn drop(&mut self) {
        self.0.close();
    }
}

/// Go's `MD5All`: reads all the files in the file tree rooted at `root` and returns a map
/// from file path to the MD5 sum of the file's contents. If the directory walk fails or
/// any read operation fails, it returns an error; in that case it does not wait for
/// in-flight read operations to complete.
fn md5_all(root: PathBuf) -> io::Result<BTreeMap<OsString, [u8; 16]>> {
    // MD5All closes the done channel when it returns; it may do so before receiving all
    // the values from c and errc.
    let (done_tx, done) = chan::<()>(0);
    let _close_done = CloseOnDrop(&done_tx); // defer close(done)

    let (paths, errc) = walk_files(&done, root);

    // Start a fixed number of goroutines to read and digest files.
    let (c_tx, c) = chan(0);
    let wg = std::sync::Arc::new(WaitGroup::new());
    for _ in 0..NUM_DIGESTERS {
        let (done, paths, c_tx) = (done.clone(), paths.clone(), c_tx.clone());
        wg.go(move || digester(&done, &paths, &c_tx)); // wg.Add(1); go func() { ...; wg.Done() }()
    }
    gosync::go({
        let wg = std::sync::Arc::clone(&wg);
        move || {
            wg.wait();
            c_tx.close();
        }
    });
    // End of pipeline.

    // The map sorts by the path's bytes, as Go's `sort.Strings` does.
    let mut m = BTreeMap::new();
    for r in &c {
        m.insert(r.path.into_os_string(), r.sum?);
    }
    // Check whether the Walk failed.
    errc.recv().expect("the walker always sends its result")?;
    Ok(m)
}

/// An error as Go's `os` package words it: `op path: text`, with the OS's text as Go's
/// `syscall.Errno` prints it (std's text, lower-cased, without " (os error N)").
fn go_error(op: &str, path: &Path, error: io::Error) -> io::Error {
    let text = error.to_string();
    let text = text.split(" (os error").next().unwrap_or(&text);
    let mut chars = text.chars();
    let text: String = chars
        .next()
        .map(|first| first.to_lowercase().chain(chars).collect())
        .unwrap_or_default();
    io::Error::new(error.kind(), format!("{op} {}: {text}", path.display()))
}

fn main() {
    // Calculate the MD5 sum of all files under the specified directory, then print the
    // results sorted by path name.
    let Some(root) = std::env::args_os().nth(1) else {
        eprintln!("usage: cargo run --example pipeline -- DIR");
        std::process::exit(2);
    };
    // Under `--features race` the whole pipeline runs inside the checker; a stage left
    // blocked once `md5_all` returns would be reported as a leaked goroutine on stderr.
    let (m, races) = race::check_if_enabled(|| md5_all(PathBuf::from(root)));
    if let Some(races) = races {
        for race in &races {
            eprintln!("{race}");
        }
        eprintln!("race checker: {} race(s)", races.len());
        if !races.is_empty() {
            std::process::exit(66); // Go's exit status for a program with races
        }
    }
    match m {
        // As Go's main: print the error and return (exit status 0).
        Err(err) => println!("{err}"),
        Ok(m) => {
            for (path, sum) in &m {
                let hex: String = sum.iter().map(|b| format!("{b:02x}")).collect();
                println!("{hex}  {}", Path::new(path).display());
            }
        }
    }
}

/// MD5 (RFC 1321), enough for this example: std has no digest, and a crate would be a
/// dependency of every example's build, the tour's included. Checked against Go's
/// `crypto/md5` by `scripts/pipeline-vs-go` on every file it sums.
mod md5 {
    /// Left rotations per round step.
    const SHIFTS: [u32; 64] = {
        let per_round = [
            [7, 12, 17, 22],
            [5, 9, 14, 20],
            [4, 11, 16, 23],
            [6, 10, 15, 21],
        ];
        let mut shifts = [0; 64];
        let mut i = 0;
        while i < 64 {
            shifts[i] = per_round[i / 16][i % 4];
            i += 1;
        }
        shifts
    };

    /// The MD5 sum of `data`.
    pub fn sum(data: &[u8]) -> [u8; 16] {
        // K[i] = floor(|sin(i + 1)| * 2^32), exact in f64 for all 64 (RFC 1321, 3.4).
        let k: Vec<u32> = (0..64)
            .map(|i| ((i as f64 + 1.0).sin().abs() * 4_294_967_296.0) as u32)
            .collect();
        let mut message = data.to_vec();
        message.push(0x80);
        while message.len() % 64 != 56 {
            message.push(0);
        }
        message.extend_from_slice(&((data.len() as u64).wrapping_mul(8)).to_le_bytes());

        let mut state: [u32; 4] = [0x6745_2301, 0xefcd_ab89, 0x98ba_dcfe, 0x1032_5476];
        for block in message.chunks_exact(64) {
            let words: Vec<u32> = block
                .chunks_exact(4)
                .map(|w| u32::from_le_bytes([w[0], w[1], w[2], w[3]]))
                .collect();
            let [mut a, mut b, mut c, mut d] = state;
            for i in 0..64 {
                let (f, g) = match i / 16 {
                    0 => ((b & c) | (!b & d), i),
                    1 => ((d & b) | (!d & c), (5 * i + 1) % 16),
                    2 => (b ^ c ^ d, (3 * i + 5) % 16),
                    _ => (c ^ (b | !d), (7 * i) % 16),
                };
                let f = f.wrapping_add(a).wrapping_add(k[i]).wrapping_add(words[g]);
                a = d;
                d = c;
                c = b;
                b = b.wrapping_add(f.rotate_left(SHIFTS[i]));
            }
            for (s, v) in state.iter_mut().zip([a, b, c, d]) {
                *s = s.wrapping_add(v);
            }
        }
        let mut out = [0; 16];
        for (chunk, word) in out.chunks_exact_mut(4).zip(state) {
            chunk.copy_from_slice(&word.to_le_bytes());
        }
        out
    }
}
