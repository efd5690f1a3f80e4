//! The progress bar on stderr (`indicatif`): inputs, bytes, throughput and, once a quick
//! metadata-only count of the roots has finished, an ETA. Shown only when stderr is a terminal
//! and `--quiet` is not given; it never prints a value, only counts.

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering::Relaxed};
use std::thread::JoinHandle;
use std::time::Duration;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use piiscan::walk::Progress;

/// A running progress display; [`Display::finish`] stops and clears it.
pub struct Display {
    stop: Arc<AtomicBool>,
    threads: Vec<JoinHandle<()>>,
}

/// Starts a display for a walk over `paths` when stderr is a terminal; returns the counters to
/// hand to the walk.
pub fn start(paths: &[PathBuf], quiet: bool) -> (Option<Arc<Progress>>, Option<Display>) {
    use std::io::IsTerminal;
    if quiet || !std::io::stderr().is_terminal() {
        return (None, None);
    }
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
            while !stop.load(Relaxed) {
                let inputs = progress.inputs.load(Relaxed);
                bar.set_message(format!("{inputs} inputs"));
                bar.set_position(progress.bytes.load(Relaxed));
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
    (Some(progress), Some(Display { stop, threads }))
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
