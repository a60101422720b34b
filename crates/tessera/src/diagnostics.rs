//! Watching computations: a progress bar, a task profiler and a resource sampler, each an
//! [`Observer`] to pass in `ComputeOptions::observers`. The profile page is one
//! self-contained HTML file (inline SVG, no network needed).

use crate::{Observer, TaskEvent};
use std::fmt::Write as _;
use std::io::Write as _;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tessera_core::plan::Plan;

/// Prints `[####      ] | 40% Completed |  1.2s` like Dask's, updating in place.
pub struct ProgressBar {
    total: AtomicUsize,
    done: AtomicUsize,
    start: Mutex<Option<Instant>>,
    last_print: Mutex<Instant>,
    /// Minimum time between redraws.
    pub interval: Duration,
    pub width: usize,
    out: Mutex<Box<dyn std::io::Write + Send>>,
}

impl Default for ProgressBar {
    fn default() -> Self {
        ProgressBar::to_writer(Box::new(std::io::stdout()))
    }
}

impl ProgressBar {
    pub fn to_writer(out: Box<dyn std::io::Write + Send>) -> ProgressBar {
        ProgressBar {
            total: AtomicUsize::new(0),
            done: AtomicUsize::new(0),
            start: Mutex::new(None),
            last_print: Mutex::new(Instant::now()),
            interval: Duration::from_millis(100),
            width: 40,
            out: Mutex::new(out),
        }
    }
    /// Tasks done and in total so far.
    pub fn counts(&self) -> (usize, usize) {
        (self.done.load(Ordering::Relaxed), self.total.load(Ordering::Relaxed))
    }
    /// The bar's text for `done` of `total` tasks after `elapsed`.
    pub fn line(done: usize, total: usize, elapsed: Duration, width: usize) -> String {
        let frac = if total == 0 { 1.0 } else { done as f64 / total as f64 };
        let filled = (frac * width as f64) as usize;
        format!(
            "[{}{}] | {:>3}% Completed | {}",
            "#".repeat(filled),
            " ".repeat(width - filled),
            (frac * 100.0) as usize,
            format_time(elapsed.as_secs_f64())
        )
    }
    fn draw(&self, end: bool) {
        let (done, total) = self.counts();
        let elapsed = self.start.lock().unwrap_or_else(|e| e.into_inner()).map(|s| s.elapsed()).unwrap_or_default();
        let mut out = self.out.lock().unwrap_or_else(|e| e.into_inner());
        let _ = write!(out, "\r{}", ProgressBar::line(done, total, elapsed, self.width));
        if end {
            let _ = writeln!(out);
        }
        let _ = out.flush();
    }
}

/// Dask's time format: `1.23 s`, `2min 3.0s`, `1hr 2min`.
pub fn format_time(t: f64) -> String {
    if t < 60.0 {
        format!("{t:5.2} s")
    } else if t < 3600.0 {
        format!("{}min {:4.1}s", (t / 60.0) as u64, t % 60.0)
    } else {
        format!("{}hr {}min", (t / 3600.0) as u64, ((t % 3600.0) / 60.0) as u64)
    }
}

impl Observer for ProgressBar {
    fn started(&self, plan: &Plan) {
        self.total.fetch_add(plan.task_count(), Ordering::Relaxed);
        self.start.lock().unwrap_or_else(|e| e.into_inner()).get_or_insert_with(Instant::now);
    }
    fn task_done(&self, _event: &TaskEvent) {
        self.done.fetch_add(1, Ordering::Relaxed);
        // Only one thread draws, and at most every `interval`.
        if let Ok(mut last) = self.last_print.try_lock() {
            if last.elapsed() >= self.interval {
                *last = Instant::now();
                drop(last);
                self.draw(false);
            }
        }
    }
    fn finished(&self) {
        self.draw(true);
    }
}

/// One task as the profiler saw it; times in seconds since the profile began.
#[derive(Clone, Debug)]
pub struct TaskRecord {
    pub name: String,
    pub stage: usize,
    pub block: usize,
    pub thread: usize,
    pub start: f64,
    pub end: f64,
    pub bytes: usize,
}

/// Records every task of the computations it watches.
pub struct Profiler {
    origin: Instant,
    records: Mutex<Vec<TaskRecord>>,
}

impl Default for Profiler {
    fn default() -> Self {
        Profiler { origin: Instant::now(), records: Mutex::new(Vec::new()) }
    }
}

impl Observer for Profiler {
    fn task_done(&self, e: &TaskEvent) {
        let r = TaskRecord {
            name: e.name.to_string(),
            stage: e.stage,
            block: e.block,
            thread: e.thread,
            start: e.start.duration_since(self.origin).as_secs_f64(),
            end: e.end.duration_since(self.origin).as_secs_f64(),
            bytes: e.bytes,
        };
        self.records.lock().unwrap_or_else(|e| e.into_inner()).push(r);
    }
}

impl Profiler {
    pub fn results(&self) -> Vec<TaskRecord> {
        let mut v = self.records.lock().unwrap_or_else(|e| e.into_inner()).clone();
        v.sort_by(|a, b| a.start.total_cmp(&b.start));
        v
    }
    /// Chrome trace-event JSON (opens in Perfetto and chrome://tracing).
    pub fn to_chrome_trace(&self) -> String {
        let mut s = String::from("{\"traceEvents\":[");
        for (i, r) in self.results().iter().enumerate() {
            if i > 0 {
                s.push(',');
            }
            let _ = write!(
                s,
                "{{\"name\":\"{}\",\"cat\":\"task\",\"ph\":\"X\",\"ts\":{:.3},\"dur\":{:.3},\"pid\":1,\"tid\":{},\"args\":{{\"stage\":{},\"block\":{},\"bytes\":{}}}}}",
                escape(&r.name),
                r.start * 1e6,
                (r.end - r.start) * 1e6,
                r.thread,
                r.stage,
                r.block,
                r.bytes
            );
        }
        s.push_str("],\"displayTimeUnit\":\"ms\"}");
        s
    }
}

/// Samples the process's memory (RSS) and CPU use on a background thread.
pub struct ResourceProfiler {
    samples: Arc<Mutex<Vec<ResourceSample>>>,
    stop: Arc<AtomicBool>,
    thread: Mutex<Option<std::thread::JoinHandle<()>>>,
    origin: Instant,
}

#[derive(Clone, Copy, Debug)]
pub struct ResourceSample {
    pub time: f64,
    pub rss_bytes: u64,
    /// Percent of one core, like `top`.
    pub cpu_percent: f64,
}

impl ResourceProfiler {
    /// Starts sampling every `dt`.
    pub fn start(dt: Duration) -> ResourceProfiler {
        let samples = Arc::new(Mutex::new(Vec::new()));
        let stop = Arc::new(AtomicBool::new(false));
        let origin = Instant::now();
        let (s2, st2) = (samples.clone(), stop.clone());
        let thread = std::thread::spawn(move || {
            let mut last = (Instant::now(), cpu_seconds());
            while !st2.load(Ordering::Relaxed) {
                // Waits `dt`, waking early when stopped (`stop` unparks this thread).
                let deadline = Instant::now().checked_add(dt);
                while !st2.load(Ordering::Relaxed) {
                    match deadline.map(|d| d.saturating_duration_since(Instant::now())) {
                        Some(left) if left.is_zero() => break,
                        Some(left) => std::thread::park_timeout(left),
                        None => std::thread::park(),
                    }
                }
                if st2.load(Ordering::Relaxed) {
                    break;
                }
                let now = (Instant::now(), cpu_seconds());
                let wall = now.0.duration_since(last.0).as_secs_f64().max(1e-9);
                let cpu = 100.0 * (now.1 - last.1) / wall;
                s2.lock().unwrap_or_else(|e| e.into_inner()).push(ResourceSample {
                    time: now.0.duration_since(origin).as_secs_f64(),
                    rss_bytes: rss_bytes(),
                    cpu_percent: cpu,
                });
                last = now;
            }
        });
        ResourceProfiler { samples, stop, thread: Mutex::new(Some(thread)), origin }
    }
    /// Stops sampling (also on drop).
    pub fn stop(&self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(t) = self.thread.lock().unwrap_or_else(|e| e.into_inner()).take() {
            t.thread().unpark();
            let _ = t.join();
        }
    }
    pub fn results(&self) -> Vec<ResourceSample> {
        self.samples.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }
    pub fn origin(&self) -> Instant {
        self.origin
    }
}

impl Drop for ResourceProfiler {
    fn drop(&mut self) {
        self.stop();
    }
}

/// Resident set size of this process, from /proc (0 where unavailable).
pub fn rss_bytes() -> u64 {
    std::fs::read_to_string("/proc/self/statm")
        .ok()
        .and_then(|s| s.split_whitespace().nth(1).and_then(|p| p.parse::<u64>().ok()))
        .map(|pages| pages * 4096)
        .unwrap_or(0)
}

/// User plus system CPU seconds of this process.
fn cpu_seconds() -> f64 {
    let Ok(stat) = std::fs::read_to_string("/proc/self/stat") else { return 0.0 };
    let after = stat.rsplit(')').next().unwrap_or("");
    let f: Vec<&str> = after.split_whitespace().collect();
    let ticks = |i: usize| f.get(i).and_then(|v| v.parse::<f64>().ok()).unwrap_or(0.0);
    (ticks(11) + ticks(12)) / 100.0
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

/// A self-contained HTML page: the task stream (one row per worker thread, tasks coloured
/// by operation, details on hover) and, when given, memory and CPU over time.
pub fn profile_html(tasks: &[TaskRecord], resources: &[ResourceSample], title: &str) -> String {
    let t_end = tasks.iter().map(|r| r.end).chain(resources.iter().map(|r| r.time)).fold(1e-9f64, f64::max);
    let t_start = tasks.iter().map(|r| r.start).fold(t_end, f64::min).min(resources.first().map(|r| r.time).unwrap_or(t_end));
    let span = (t_end - t_start).max(1e-9);
    let threads = tasks.iter().map(|r| r.thread).max().map(|m| m + 1).unwrap_or(1);
    let (w, row, left) = (1000.0, 28.0, 70.0);
    let x = |t: f64| left + (t - t_start) / span * (w - left - 10.0);
    let mut names: Vec<&str> = tasks.iter().map(|r| r.name.as_str()).collect();
    names.sort_unstable();
    names.dedup();
    let color = |n: &str| PALETTE[names.iter().position(|m| *m == n).unwrap_or(0) % PALETTE.len()];
    let mut svg = String::new();
    let h = row * threads as f64 + 40.0;
    let _ = write!(svg, "<svg id=\"tasks\" xmlns=\"http://www.w3.org/2000/svg\" width=\"{w}\" height=\"{h}\">");
    for t in 0..threads {
        let _ = write!(svg, "<text x=\"4\" y=\"{}\" font-size=\"12\">worker {t}</text>", row * t as f64 + 18.0);
    }
    for r in tasks {
        let (x0, x1) = (x(r.start), x(r.end));
        let _ = write!(
            svg,
            "<rect class=\"task\" x=\"{x0:.2}\" y=\"{:.1}\" width=\"{:.2}\" height=\"{:.1}\" fill=\"{}\"><title>{} (stage {}, block {})&#10;worker {}&#10;{:.6} s - {:.6} s ({:.3} ms)&#10;{} bytes</title></rect>",
            row * r.thread as f64 + 4.0,
            (x1 - x0).max(0.5),
            row - 8.0,
            color(&r.name),
            escape(&r.name),
            r.stage,
            r.block,
            r.thread,
            r.start - t_start,
            r.end - t_start,
            (r.end - r.start) * 1e3,
            r.bytes
        );
    }
    let _ = write!(svg, "<text x=\"{left}\" y=\"{}\" font-size=\"12\">0 s</text><text x=\"{}\" y=\"{}\" font-size=\"12\" text-anchor=\"end\">{:.3} s</text></svg>", h - 8.0, w - 10.0, h - 8.0, span);
    let mut legend = String::new();
    for n in &names {
        let _ = write!(legend, "<span style=\"background:{};padding:2px 8px;margin-right:6px\">{}</span>", color(n), escape(n));
    }
    let mut res = String::new();
    if !resources.is_empty() {
        let (rh, top) = (160.0, 10.0);
        let max_rss = resources.iter().map(|r| r.rss_bytes).max().unwrap_or(1).max(1) as f64;
        let max_cpu = resources.iter().map(|r| r.cpu_percent).fold(100.0, f64::max);
        let pts = |f: &dyn Fn(&ResourceSample) -> f64| {
            resources.iter().map(|r| format!("{:.1},{:.1}", x(r.time), top + rh - f(r) * rh)).collect::<Vec<_>>().join(" ")
        };
        let _ = write!(
            res,
            "<h2>Resources</h2><svg id=\"resources\" xmlns=\"http://www.w3.org/2000/svg\" width=\"{w}\" height=\"{}\">\
             <polyline fill=\"none\" stroke=\"#1f77b4\" stroke-width=\"2\" points=\"{}\"><title>memory (RSS), peak {:.1} MiB</title></polyline>\
             <polyline fill=\"none\" stroke=\"#d62728\" stroke-width=\"2\" points=\"{}\"><title>CPU %, peak {:.0}%</title></polyline>\
             <text x=\"4\" y=\"20\" font-size=\"12\" fill=\"#1f77b4\">memory (peak {:.1} MiB)</text>\
             <text x=\"4\" y=\"36\" font-size=\"12\" fill=\"#d62728\">CPU (peak {:.0}%)</text></svg>",
            rh + 2.0 * top,
            pts(&|r| r.rss_bytes as f64 / max_rss),
            max_rss / 1048576.0,
            pts(&|r| r.cpu_percent / max_cpu),
            max_cpu,
            max_rss / 1048576.0,
            max_cpu
        );
    }
    format!(
        "<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>{t}</title>\
         <style>body{{font-family:sans-serif;margin:20px}} rect.task:hover{{stroke:#000;stroke-width:1}}</style></head>\
         <body><h1>{t}</h1><p>{} tasks on {} workers over {:.3} s</p><div>{legend}</div><h2>Task stream</h2>{svg}{res}</body></html>",
        tasks.len(),
        threads,
        span,
        t = escape(title)
    )
}

const PALETTE: [&str; 10] = ["#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f", "#edc948", "#b07aa1", "#ff9da7", "#9c755f", "#bab0ac"];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn progress_line_matches_dask() {
        assert_eq!(ProgressBar::line(4, 4, Duration::from_millis(2010), 40), format!("[{}] | 100% Completed |  2.01 s", "#".repeat(40)));
        assert_eq!(ProgressBar::line(1, 4, Duration::from_millis(0), 8), "[##      ] |  25% Completed |  0.00 s");
    }

    #[test]
    fn profile_page_has_one_bar_per_task() {
        let recs: Vec<TaskRecord> = (0..5)
            .map(|i| TaskRecord { name: "normal".into(), stage: 0, block: i, thread: i % 2, start: i as f64, end: i as f64 + 0.5, bytes: 8 })
            .collect();
        let html = profile_html(&recs, &[], "profile");
        assert_eq!(html.matches("<rect class=\"task\"").count(), 5);
        // Self-contained: nothing is loaded from elsewhere.
        assert!(!html.contains("src=") && !html.contains("href="));
    }
}
