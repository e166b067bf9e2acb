//! Build progress: a pure state machine over the Engine's build stream (legacy `Step N/M`
//! lines or BuildKit vertex traces) that yields display events and remembers, for a failure,
//! the failing step and the last lines of its output; and a renderer that draws those events
//! on stderr (a redrawn bar on a terminal, plain lines otherwise).

use std::collections::{BTreeMap, HashMap, HashSet, VecDeque};
use std::io::Write;

use bollard::models::{BuildInfo, BuildInfoAux};

/// How many output lines of the current (or failing) step are kept.
pub const TAIL_LINES: usize = 20;

/// Something worth showing while a build runs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Event {
    /// A build step started (or was found in the cache).
    Step {
        /// Its position, when the builder says (`3` of `Step 3/10`).
        index: Option<usize>,
        /// How many steps there are, when the builder says.
        total: Option<usize>,
        /// The instruction, e.g. `RUN npm ci`.
        label: String,
        /// Taken from the build cache.
        cached: bool,
    },
    /// A line a step printed.
    Output(String),
    /// Base-image layers being pulled: (layers complete, layers seen, bytes done, bytes total).
    Pull {
        /// Layers finished.
        done: usize,
        /// Layers seen so far.
        layers: usize,
        /// Bytes downloaded.
        current: i64,
        /// Bytes to download, as far as known.
        total: i64,
    },
}

/// Where a build failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failure {
    /// The failing step, e.g. `[build 3/7] RUN npm run build`, when known.
    pub step: Option<String>,
    /// What the builder said.
    pub message: String,
    /// The last lines the failing step printed.
    pub output: Vec<String>,
}

/// The state of one build, fed every item of the stream.
#[derive(Debug, Default)]
pub struct BuildProgress {
    /// Legacy builder: text not yet ended by a newline.
    partial: String,
    /// The step running now (its label) and its recent output.
    current: Option<String>,
    tail: VecDeque<String>,
    /// BuildKit: vertex names and recent logs by digest, and which were announced.
    names: HashMap<String, String>,
    logs: HashMap<String, VecDeque<String>>,
    announced: HashSet<String>,
    /// Layer pulls: id → (current, total, complete).
    layers: BTreeMap<String, (i64, i64, bool)>,
    /// The image id the builder reported.
    image_id: Option<String>,
    failure: Option<Failure>,
}

impl BuildProgress {
    /// Takes one item of the build stream and returns what to show.
    pub fn update(&mut self, info: &BuildInfo) -> Vec<Event> {
        let mut events = Vec::new();
        if let Some(text) = &info.stream {
            self.legacy_text(text, &mut events);
        }
        match &info.aux {
            Some(BuildInfoAux::Default(image)) => {
                if let Some(id) = &image.id {
                    self.image_id = Some(id.clone());
                }
            }
            Some(BuildInfoAux::BuildKit(status)) => {
                for vertex in &status.vertexes {
                    if !vertex.name.is_empty() {
                        self.names.insert(vertex.digest.clone(), vertex.name.clone());
                    }
                    let started = vertex.started.is_some() || vertex.cached;
                    if started && self.announced.insert(vertex.digest.clone()) && !is_internal(&vertex.name) {
                        let (index, total, label) = split_buildkit_name(&vertex.name);
                        events.push(Event::Step { index, total, label, cached: vertex.cached });
                    }
                    if !vertex.error.is_empty() && self.failure.is_none() {
                        let output =
                            self.logs.get(&vertex.digest).map(|l| l.iter().cloned().collect()).unwrap_or_default();
                        self.failure =
                            Some(Failure { step: Some(vertex.name.clone()), message: vertex.error.clone(), output });
                    }
                }
                for log in &status.logs {
                    let text = String::from_utf8_lossy(&log.msg);
                    let buffer = self.logs.entry(log.vertex.clone()).or_default();
                    for line in text.lines().map(str::trim_end).filter(|l| !l.is_empty()) {
                        push_bounded(buffer, line.to_string());
                        events.push(Event::Output(line.to_string()));
                    }
                }
                for status in &status.statuses {
                    // Layer downloads carry sizes; "exporting layers" and friends do not.
                    if status.total > 0 {
                        let complete = status.completed.is_some();
                        self.layers.insert(status.id.clone(), (status.current, status.total, complete));
                        events.push(self.pull_event());
                    }
                }
            }
            None => {}
        }
        if let (Some(id), Some(state)) = (&info.id, &info.status) {
            // Legacy pulls: "Pulling fs layer", "Downloading" (with sizes), "Pull complete".
            if info.aux.is_none() && is_layer_id(id) {
                let entry = self.layers.entry(id.clone()).or_insert((0, 0, false));
                if let Some(detail) = &info.progress_detail {
                    entry.0 = detail.current.unwrap_or(entry.0);
                    entry.1 = detail.total.unwrap_or(entry.1);
                }
                entry.2 |= state == "Pull complete" || state == "Already exists";
                events.push(self.pull_event());
            }
        }
        if let Some(detail) = &info.error_detail {
            let message = detail.message.clone().unwrap_or_else(|| "the build failed".into());
            self.fail(message);
        }
        events
    }

    /// Records a failure reported outside the stream items (a broken stream, say).
    pub fn fail(&mut self, message: String) {
        if self.failure.is_none() {
            self.failure =
                Some(Failure { step: self.current.clone(), message, output: self.tail.iter().cloned().collect() });
        }
    }

    /// The failure, if the build failed.
    pub fn failure(&self) -> Option<&Failure> {
        self.failure.as_ref()
    }

    /// The image id the builder reported, if any.
    pub fn image_id(&self) -> Option<&str> {
        self.image_id.as_deref()
    }

    fn pull_event(&self) -> Event {
        let done = self.layers.values().filter(|(_, _, complete)| *complete).count();
        let current =
            self.layers.values().map(|(current, total, complete)| if *complete { *total } else { *current }).sum();
        let total = self.layers.values().map(|(_, total, _)| *total).sum();
        Event::Pull { done, layers: self.layers.len(), current, total }
    }

    fn legacy_text(&mut self, text: &str, events: &mut Vec<Event>) {
        self.partial.push_str(text);
        while let Some(end) = self.partial.find('\n') {
            let line: String = self.partial.drain(..=end).collect();
            let line = line.trim_end();
            if let Some(rest) = line.strip_prefix("Step ") {
                // "Step 3/10 : RUN pip install -r requirements.txt"
                if let Some((position, label)) = rest.split_once(" : ") {
                    let (index, total) = position
                        .split_once('/')
                        .map_or((None, None), |(i, t)| (i.trim().parse().ok(), t.trim().parse().ok()));
                    self.current = Some(format!("step {position}: {label}"));
                    self.tail.clear();
                    events.push(Event::Step { index, total, label: label.to_string(), cached: false });
                    continue;
                }
            }
            if line.trim() == "---> Using cache" {
                if let Some(Event::Step { cached, .. }) = events.last_mut() {
                    *cached = true;
                }
                continue;
            }
            if line.is_empty() || is_legacy_noise(line) {
                continue;
            }
            push_bounded(&mut self.tail, line.to_string());
            events.push(Event::Output(line.to_string()));
        }
    }
}

fn push_bounded(buffer: &mut VecDeque<String>, line: String) {
    if buffer.len() == TAIL_LINES {
        buffer.pop_front();
    }
    buffer.push_back(line);
}

/// Lines the legacy builder prints about its own bookkeeping.
fn is_legacy_noise(line: &str) -> bool {
    let line = line.trim_start();
    line.starts_with("--->")
        || line.starts_with("Removing intermediate container")
        || line.starts_with("Successfully built")
        || line.starts_with("Successfully tagged")
        || line.starts_with("Sending build context")
}

/// BuildKit's own vertices (`[internal] load .dockerignore`, `[auth] …`) are not steps.
fn is_internal(name: &str) -> bool {
    // `copy /context /` is BuildKit unpacking the tar context the request carried.
    name.starts_with("[internal]") || name.starts_with("[auth]") || name.starts_with("copy /context") || name.is_empty()
}

/// `[build 3/7] RUN npm ci` → (3, 7, "RUN npm ci"); `exporting to image` → (None, None, it).
fn split_buildkit_name(name: &str) -> (Option<usize>, Option<usize>, String) {
    if let Some((inside, label)) = name.strip_prefix('[').and_then(|rest| rest.split_once(']')) {
        let position = inside.rsplit(' ').next().unwrap_or(inside);
        if let Some((Ok(index), Ok(total))) =
            position.split_once('/').map(|(index, total)| (index.parse(), total.parse()))
        {
            return (Some(index), Some(total), label.trim().to_string());
        }
    }
    (None, None, name.to_string())
}

fn is_layer_id(id: &str) -> bool {
    id.len() >= 12 && id.chars().all(|c| c.is_ascii_hexdigit())
}

/// Draws build events on stderr.
pub struct Renderer {
    out: Box<dyn Write + Send>,
    terminal: bool,
    verbose: bool,
    enabled: bool,
    /// Whether a redrawable line is on screen.
    drawn: bool,
    last_step: Option<(Option<usize>, Option<usize>, String)>,
}

impl Renderer {
    /// A renderer for stderr: `verbosity` < 0 shows nothing, 0 shows steps and pulls, 1+ also
    /// every line the steps print.
    pub fn stderr(verbosity: i8) -> Renderer {
        use std::io::IsTerminal;
        let terminal = std::io::stderr().is_terminal();
        Renderer::new(Box::new(std::io::stderr()), terminal, verbosity)
    }

    /// A renderer over any writer (tests).
    pub fn new(out: Box<dyn Write + Send>, terminal: bool, verbosity: i8) -> Renderer {
        Renderer { out, terminal, verbose: verbosity > 0, enabled: verbosity >= 0, drawn: false, last_step: None }
    }

    /// Shows one event.
    pub fn show(&mut self, event: &Event) {
        if !self.enabled {
            return;
        }
        // Drawing errors on stderr are not worth failing a build for.
        let _ = self.draw(event);
    }

    fn draw(&mut self, event: &Event) -> std::io::Result<()> {
        match event {
            Event::Step { index, total, label, cached } => {
                let cached = if *cached { " (cached)" } else { "" };
                let position = match (index, total) {
                    (Some(index), Some(total)) => format!("{index}/{total} "),
                    _ => String::new(),
                };
                self.last_step = Some((*index, *total, label.clone()));
                if self.terminal {
                    let bar = bar(*index, *total);
                    let line = clip(&format!("{bar}{position}{label}{cached}"), 110);
                    write!(self.out, "\r\x1b[2K{line}")?;
                    self.drawn = true;
                } else {
                    writeln!(self.out, "step {position}{label}{cached}")?;
                }
            }
            Event::Output(line) => {
                if self.verbose {
                    self.clear()?;
                    // Build output can carry tokens (a failing `curl -H …`): redacted like all output.
                    writeln!(self.out, "  | {}", crate::redact::text(line))?;
                }
            }
            Event::Pull { done, layers, current, total } => {
                let text = format!(
                    "pulling base image layers: {done}/{layers} done, {} of {}",
                    human_bytes(*current),
                    human_bytes(*total)
                );
                if self.terminal {
                    write!(self.out, "\r\x1b[2K{}", clip(&text, 110))?;
                    self.drawn = true;
                } else if done == layers && *layers > 0 {
                    writeln!(self.out, "{text}")?;
                }
            }
        }
        self.out.flush()
    }

    /// Ends the drawing (clears the redrawn line).
    pub fn finish(&mut self) {
        if self.enabled {
            let _ = self.clear();
            let _ = self.out.flush();
        }
    }

    fn clear(&mut self) -> std::io::Result<()> {
        if self.drawn {
            write!(self.out, "\r\x1b[2K")?;
            self.drawn = false;
        }
        Ok(())
    }
}

/// `[#####.....] ` from a step position.
fn bar(index: Option<usize>, total: Option<usize>) -> String {
    match (index, total) {
        (Some(index), Some(total)) if total > 0 => {
            let width = 20;
            let filled = (index.min(total) * width) / total;
            format!("[{}{}] ", "#".repeat(filled), ".".repeat(width - filled))
        }
        _ => String::new(),
    }
}

fn clip(text: &str, width: usize) -> String {
    let first = text.lines().next().unwrap_or_default();
    if first.chars().count() <= width {
        first.to_string()
    } else {
        let mut clipped: String = first.chars().take(width - 1).collect();
        clipped.push('…');
        clipped
    }
}

/// Sizes the way `docker images` shows them (decimal units).
pub fn human_bytes(bytes: i64) -> String {
    let value = bytes.max(0) as f64;
    if value >= 1e9 {
        format!("{:.2} GB", value / 1e9)
    } else if value >= 1e6 {
        format!("{:.1} MB", value / 1e6)
    } else if value >= 1e3 {
        format!("{:.1} kB", value / 1e3)
    } else {
        format!("{bytes} B")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stream(text: &str) -> BuildInfo {
        BuildInfo { stream: Some(text.to_string()), ..Default::default() }
    }

    #[test]
    fn legacy_steps_output_and_failure_tail() {
        let mut progress = BuildProgress::default();
        let mut events = Vec::new();
        for item in [
            stream("Step 1/3 : FROM python:3.12-alpine\n"),
            stream(" ---> Using cache\n ---> 1a2b3c\n"),
            stream("Step 2/3 : RUN pip install -r requirements.txt\n"),
            stream(" ---> Running in 99aa\n"),
            stream("Collecting fastapi\n"),
            stream("ERROR: No matching distribution found for fastapi==99\n"),
        ] {
            events.extend(progress.update(&item));
        }
        assert_eq!(
            events,
            vec![
                Event::Step { index: Some(1), total: Some(3), label: "FROM python:3.12-alpine".into(), cached: false },
                Event::Step {
                    index: Some(2),
                    total: Some(3),
                    label: "RUN pip install -r requirements.txt".into(),
                    cached: false
                },
                Event::Output("Collecting fastapi".into()),
                Event::Output("ERROR: No matching distribution found for fastapi==99".into()),
            ]
        );
        let error = BuildInfo {
            error_detail: Some(bollard::models::ErrorDetail {
                code: Some(1),
                message: Some("The command '/bin/sh -c pip install' returned a non-zero code: 1".into()),
            }),
            ..Default::default()
        };
        progress.update(&error);
        let failure = progress.failure().unwrap();
        assert_eq!(failure.step.as_deref(), Some("step 2/3: RUN pip install -r requirements.txt"));
        assert_eq!(failure.output.len(), 2);
        assert!(failure.message.contains("non-zero code: 1"));
    }

    #[test]
    fn split_lines_across_chunks_and_bounded_tail() {
        let mut progress = BuildProgress::default();
        progress.update(&stream("Step 1/1 : RUN seq 100\n"));
        let mut outputs = 0;
        for n in 0..100 {
            // A line split over two chunks is one line.
            outputs += progress.update(&stream("li")).len();
            outputs += progress.update(&stream(&format!("ne {n}\n"))).len();
        }
        assert_eq!(outputs, 100);
        progress.fail("boom".into());
        let failure = progress.failure().unwrap();
        assert_eq!(failure.output.len(), TAIL_LINES);
        assert_eq!(failure.output.last().map(String::as_str), Some("line 99"));
    }

    #[test]
    fn legacy_pull_progress_counts_layers() {
        let mut progress = BuildProgress::default();
        let pull = |id: &str, status: &str, current: Option<i64>, total: Option<i64>| BuildInfo {
            id: Some(id.into()),
            status: Some(status.into()),
            progress_detail: Some(bollard::models::ProgressDetail { current, total }),
            ..Default::default()
        };
        progress.update(&pull("aaaaaaaaaaaa", "Downloading", Some(10), Some(100)));
        let events = progress.update(&pull("bbbbbbbbbbbb", "Downloading", Some(5), Some(50)));
        assert_eq!(events, vec![Event::Pull { done: 0, layers: 2, current: 15, total: 150 }]);
        let events = progress.update(&pull("aaaaaaaaaaaa", "Pull complete", None, None));
        assert_eq!(events, vec![Event::Pull { done: 1, layers: 2, current: 105, total: 150 }]);
    }

    #[test]
    fn buildkit_names_and_positions() {
        assert_eq!(split_buildkit_name("[build 3/7] RUN npm ci"), (Some(3), Some(7), "RUN npm ci".into()));
        assert_eq!(split_buildkit_name("[2/2] COPY a /a"), (Some(2), Some(2), "COPY a /a".into()));
        assert_eq!(split_buildkit_name("exporting to image"), (None, None, "exporting to image".into()));
        assert!(is_internal("[internal] load .dockerignore"));
    }

    #[test]
    fn renderer_plain_lines_without_a_terminal() {
        #[derive(Clone, Default)]
        struct Shared(std::sync::Arc<std::sync::Mutex<Vec<u8>>>);
        impl Write for Shared {
            fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
                self.0.lock().unwrap().extend_from_slice(bytes);
                Ok(bytes.len())
            }
            fn flush(&mut self) -> std::io::Result<()> {
                Ok(())
            }
        }
        let buffer = Shared::default();
        let mut renderer = Renderer::new(Box::new(buffer.clone()), false, 0);
        renderer.show(&Event::Step { index: Some(1), total: Some(2), label: "COPY . .".into(), cached: true });
        renderer.show(&Event::Output("hidden unless verbose".into()));
        renderer.finish();
        let text = String::from_utf8(buffer.0.lock().unwrap().clone()).unwrap();
        assert_eq!(text, "step 1/2 COPY . . (cached)\n");

        let quiet = Shared::default();
        let mut renderer = Renderer::new(Box::new(quiet.clone()), true, -1);
        renderer.show(&Event::Step { index: None, total: None, label: "x".into(), cached: false });
        assert!(quiet.0.lock().unwrap().is_empty());
        assert_eq!(bar(Some(5), Some(10)), "[##########..........] ");
        assert_eq!(human_bytes(85_200_000), "85.2 MB");
    }
}
