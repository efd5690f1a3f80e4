//! The progress bar on stderr (`indicatif`): inputs, bytes, throughput and, once a quick
//! metadata-only count of the roots has finished, an ETA. Shown only when stderr is a terminal
//! and `--quiet` is not given; it never prints a value, only counts.
//!
//! Bytes come from two counters: the walk's (inputs finished) and a live one the scanner adds
//! to per block read and takes back when the input ends (`Scanner::with_progress`), so one
//! large input moves the bar while it is read instead of at its end. Between the take-back and
//! the walk's count of the finished input their sum dips briefly; the bar never goes back.

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering::Relaxed};
use std::thread::JoinHandle;
use std::time::Duration;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use piiscan::report::plural;
use piiscan::scan::walk::Progress;

/// A running progress display; [`Display::finish`] stops and clears it.
pub struct Display {
    stop: Arc<AtomicBool>,
    threads: Vec<JoinHandle<()>>,
}

/// Whether a progress display is wanted: stderr is a terminal and `--quiet` was not given.
pub fn wanted(quiet: bool) -> bool {
    use std::io::IsTerminal;
    !quiet && std::io::stderr().is_terminal()
}

/// Starts a display for a walk over `paths`, reading `live` (bytes read of inputs still being
/// scanned, see the module doc); returns the counters to hand to the walk.
pub fn start(paths: &[PathBuf], live: Arc<AtomicU64>) -> (Arc<Progress>, Display) {
    let progress = Arc::new(Progress::default());
    let stop = Arc::new(AtomicBool::new(false));
    let total = Arc::new(AtomicU64::new(0));
    let counted = Arc::new(AtomicBool::new(false));
    let mut threads = Vec::new();
    {
        // Sizes only (no reads), so the ETA appears quickly and costs little.
        let (paths, total, counted, stop) =
            (paths.to_vec(), total.clone(), counted.clone(), stop.clone());
        threads.push(std::thread::spawn(move || {
            for p in paths.iter().filter(|p| p.as_os_str() != "-") {
                for e in ignore::WalkBuilder::new(p)
                    .standard_filters(false)
                    .build()
                    .flatten()
                {
                    if stop.load(Relaxed) {
                        return;
                    }
                    if let Ok(m) = e.metadata()
                        && m.is_file()
                    {
                        total.fetch_add(m.len(), Relaxed);
                    }
                }
            }
            counted.store(true, Relaxed);
        }));
    }
    {
        let (progress, stop) = (progress.clone(), stop.clone());
        threads.push(std::thread::spawn(move || {
            let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr());
            let spinner =
                ProgressStyle::with_template("{spinner} {msg} {bytes} read ({bytes_per_sec})");
            let mut with_eta = ProgressStyle::with_template(
                "{bar:30} {msg} {bytes}/{total_bytes} ({bytes_per_sec}, ETA {eta})",
            )
            .ok();
            if let Ok(style) = spinner {
                bar.set_style(style);
            }
            let mut styled_eta = false;
            let mut shown = 0;
            while !stop.load(Relaxed) {
                let inputs = progress.inputs.load(Relaxed);
                bar.set_message(plural(inputs, "input", "inputs"));
                shown = position(shown, progress.bytes.load(Relaxed), live.load(Relaxed));
                bar.set_position(shown);
                if !styled_eta && counted.load(Relaxed) {
                    bar.set_length(total.load(Relaxed));
                    if let Some(style) = with_eta.take() {
                        bar.set_style(style);
                    }
                    styled_eta = true;
                }
                std::thread::sleep(Duration::from_millis(100));
            }
            bar.finish_and_clear();
        }));
    }
    (progress, Display { stop, threads })
}

/// The bar's next position: bytes of finished inputs plus bytes read so far of the others,
/// never behind what was shown before.
fn position(shown: u64, finished: u64, live: u64) -> u64 {
    shown.max(finished.saturating_add(live))
}

impl Display {
    /// Stops the display and clears the bar.
    pub fn finish(self) {
        self.stop.store(true, Relaxed);
        for t in self.threads {
            let _ = t.join();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::position;

    #[test]
    fn the_bar_counts_live_bytes_and_never_goes_back() {
        // A large input half read: the bar is there, not at 0.
        assert_eq!(position(0, 0, 512), 512);
        // The input ended: its live bytes were taken back before the walk counted it.
        assert_eq!(position(512, 0, 0), 512);
        // The walk counted it.
        assert_eq!(position(512, 1024, 0), 1024);
        assert_eq!(position(1024, 1024, 100), 1124);
    }
}
