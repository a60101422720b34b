//! tessera over MPI: run the same program on every rank (`mpirun -n 4 prog`, `srun -n 16 prog`);
//! `compute()` lowers the same plan everywhere, each task runs on one owner rank, results
//! travel by MPI point-to-point messages to the ranks that consume them, and every rank
//! receives the outputs. Reductions follow the same tree as a single-process run, so the
//! results are the same bits for any number of ranks.
//!
//! Every compute starts with a handshake: the ranks exchange what they are about to run (a
//! fingerprint of the plan, and how many computes they ran before), and the end of the
//! program ([`Mpi::finalize`], or dropping the [`Mpi`]) takes part in the same exchange. A
//! rank that runs a different plan, a different number of computes, or leaves the program
//! while others compute, makes every rank see the disagreement: rank 0 prints which rank
//! does what, and the job is aborted instead of waiting forever.
//!
//! ```no_run
//! let mpi = tessera_mpi::Mpi::init().expect("MPI");
//! let x = tessera::random::default_rng(0).normal(0.0, 0.1, &[800_000_000], 50_000_000).unwrap();
//! let m = mpi.compute(&x.mean().unwrap()).unwrap();
//! if mpi.rank() == 0 { println!("mean is {}", m.get_f64(&[])); }
//! ```

use mpi::collective::CommunicatorCollectives;
use mpi::environment::Universe;
use mpi::point_to_point::{Destination, MatchedReceiveVec, Source};
use mpi::request::StaticScope;
use mpi::topology::{Communicator, SimpleCommunicator};
use mpi::Threading;
use std::fmt::Write as _;
use std::sync::atomic::{AtomicBool, AtomicU32, AtomicU64, Ordering};
use std::sync::mpsc::{channel, Receiver, Sender};
use std::sync::{Arc, Mutex, OnceLock};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};
use tessera::{Array, Block, ComputeOptions, Result};
use tessera_core::plan::{Leaf, Plan, StageKind};
use tessera_exec::Transport;

/// The MPI environment of this process (initialised once; finalised on drop).
pub struct Mpi {
    universe: Mutex<Option<Universe>>,
    rank: usize,
    size: usize,
    /// Each compute gets its own message tag, the same on every rank.
    epoch: AtomicU32,
    agreement: Arc<Agreement>,
}

static INIT: OnceLock<()> = OnceLock::new();

impl Mpi {
    /// Initialises MPI with full thread support. Call once per process.
    pub fn init() -> std::result::Result<Mpi, String> {
        if INIT.set(()).is_err() {
            return Err("MPI can be initialised only once per process".into());
        }
        let (universe, level) = mpi::initialize_with_threading(Threading::Multiple).ok_or("MPI_Init_thread failed (already initialised?)")?;
        if level < Threading::Serialized {
            return Err(format!("the MPI library offers only {level:?} thread support; tessera needs Serialized or better"));
        }
        let world = universe.world();
        let (rank, size) = (world.rank() as usize, world.size() as usize);
        let timeout = std::env::var("TESSERA_MPI_TIMEOUT").ok().and_then(|t| t.trim().parse::<f64>().ok()).filter(|t| *t > 0.0).map(Duration::from_secs_f64);
        let agreement = Arc::new(Agreement { rank, size, computes: AtomicU64::new(0), timeout });
        Ok(Mpi { universe: Mutex::new(Some(universe)), rank, size, epoch: AtomicU32::new(0), agreement })
    }
    pub fn rank(&self) -> usize {
        self.rank
    }
    pub fn size(&self) -> usize {
        self.size
    }
    /// Options that run a computation across all ranks of `MPI_COMM_WORLD`.
    pub fn options(&self, base: ComputeOptions) -> (ComputeOptions, Arc<MpiTransport>) {
        let tag = (self.epoch.fetch_add(1, Ordering::Relaxed) % 30000) as i32 + 1;
        let t = Arc::new(MpiTransport::new(self.agreement.clone(), tag, base.cancel.clone()));
        let mut o = base;
        o.transport = Some(t.clone());
        (o, t)
    }
    /// Computes `x` on all ranks; every rank gets the result. On an error, prints the
    /// rank's message on stderr and aborts the whole job, so that no rank waits forever.
    pub fn compute(&self, x: &Array) -> Result<Block> {
        self.compute_with(x, ComputeOptions::default())
    }
    pub fn compute_with(&self, x: &Array, base: ComputeOptions) -> Result<Block> {
        let (opts, t) = self.options(base);
        let r = x.compute_with(&opts);
        t.finish();
        match r {
            Ok(b) => Ok(b),
            Err(e) => self.abort(&e.to_string()),
        }
    }
    /// Prints `message` with this rank's number and aborts every rank.
    pub fn abort(&self, message: &str) -> ! {
        self.agreement.abort(message)
    }
    /// Finalises MPI now (also done on drop), after checking with every other rank that
    /// they end the program too, having run as many computes: a rank that leaves while
    /// others start a compute would leave them waiting forever, so the job is aborted
    /// instead, naming the rank that left.
    pub fn finalize(&self) {
        let cause = if std::thread::panicking() { "a panic" } else { "the end of the program" };
        self.finalize_because(cause)
    }
    /// [`finalize`](Self::finalize), naming why this rank ends (e.g. `an uncaught
    /// ValueError: ...`) in the message other ranks see if they still compute.
    pub fn finalize_because(&self, cause: &str) {
        let mut u = self.universe.lock().unwrap_or_else(|e| e.into_inner());
        if u.is_some() {
            self.agreement.agree(Step::End, &|| format!("left the program ({cause}) after {}", computes(self.agreement.computes.load(Ordering::Relaxed))), None);
            u.take();
        }
    }
}

impl Drop for Mpi {
    fn drop(&mut self) {
        self.finalize();
    }
}

fn computes(n: u64) -> String {
    format!("{n} compute{}", if n == 1 { "" } else { "s" })
}

/// What a rank is about to do, exchanged by all ranks.
#[derive(Clone, Copy)]
enum Step {
    Compute(u64),
    End,
}

/// The handshake every rank goes through before each compute and at the end.
struct Agreement {
    rank: usize,
    size: usize,
    /// Computes this rank started.
    computes: AtomicU64,
    /// Abort when the others do not arrive within this time (`TESSERA_MPI_TIMEOUT`, seconds).
    timeout: Option<Duration>,
}

/// Bytes of a rank's description in the message after a disagreement.
const DESCRIPTION: usize = 1024;

impl Agreement {
    /// Waits until every rank reaches a handshake and returns if they all do the same `step`
    /// after as many computes. Otherwise every rank learns what each one does, rank 0
    /// prints it and the job is aborted. `describe` says what this rank does, for that
    /// message. `cancel` (set on Ctrl-C) stops the wait by aborting the job.
    fn agree(&self, step: Step, describe: &dyn Fn() -> String, cancel: Option<&AtomicBool>) {
        let index = match step {
            Step::Compute(_) => self.computes.fetch_add(1, Ordering::Relaxed) + 1,
            Step::End => self.computes.load(Ordering::Relaxed),
        };
        if self.size == 1 {
            return;
        }
        let mine: [u64; 3] = match step {
            Step::Compute(fingerprint) => [1, index, fingerprint],
            Step::End => [2, index, 0],
        };
        let mut all = vec![0u64; 3 * self.size];
        let world = SimpleCommunicator::world();
        mpi::request::scope(|scope| {
            let mut req = world.immediate_all_gather_into(scope, &mine[..], &mut all[..]);
            let start = Instant::now();
            let mut warn_after = Duration::from_secs(60);
            let mut spins = 0u64;
            loop {
                match req.test() {
                    Ok(_) => break,
                    Err(r) => req = r,
                }
                let waited = start.elapsed();
                let at = || match step {
                    Step::Compute(_) => format!("the start of compute {index}"),
                    Step::End => format!("the end of the program (after {})", computes(index)),
                };
                if cancel.is_some_and(|c| c.load(Ordering::Relaxed)) {
                    self.abort(&format!("interrupted while waiting for the other ranks at {}", at()));
                }
                if let Some(t) = self.timeout.filter(|t| waited > *t) {
                    self.abort(&format!(
                        "the other ranks did not reach {} within {:.1} s (TESSERA_MPI_TIMEOUT): a rank is busy elsewhere, stuck, or runs different computes",
                        at(),
                        t.as_secs_f64()
                    ));
                }
                if waited > warn_after {
                    eprintln!("tessera: rank {} of {} has waited {} s for the other ranks at {}", self.rank, self.size, waited.as_secs(), at());
                    warn_after *= 2;
                }
                // Spin briefly (all ranks usually arrive together), then back off up to 1 ms.
                spins += 1;
                if spins < 1000 {
                    std::thread::yield_now();
                } else {
                    std::thread::sleep(Duration::from_micros((spins - 1000).clamp(20, 1000)));
                }
            }
        });
        if all.chunks(3).all(|r| r == mine) {
            return;
        }
        // Every rank got here: exchange descriptions and report.
        let mut text = describe().into_bytes();
        text.resize(DESCRIPTION, 0);
        let mut texts = vec![0u8; DESCRIPTION * self.size];
        world.all_gather_into(&text[..], &mut texts[..]);
        if self.rank == 0 {
            let mut groups: Vec<(String, Vec<usize>)> = Vec::new();
            for (r, t) in texts.chunks(DESCRIPTION).enumerate() {
                let t = String::from_utf8_lossy(&t[..t.iter().position(|&b| b == 0).unwrap_or(t.len())]).into_owned();
                match groups.iter_mut().find(|(g, _)| *g == t) {
                    Some((_, ranks)) => ranks.push(r),
                    None => groups.push((t, vec![r])),
                }
            }
            let mut msg = String::from(
                "tessera: the ranks of this MPI job disagree (every rank must run the same computes on the same arrays, in the same order):\n",
            );
            for (t, ranks) in &groups {
                let names: Vec<String> = ranks.iter().map(|r| r.to_string()).collect();
                let _ = writeln!(msg, "  rank{} {} of {}: {t}", if ranks.len() > 1 { "s" } else { "" }, names.join(", "), self.size);
            }
            msg.push_str("tessera: aborting every rank\n");
            eprint!("{msg}");
            world.abort(1);
        }
        // Rank 0 aborts the job; should it not, abort from here.
        std::thread::sleep(Duration::from_secs(10));
        world.abort(1)
    }
    fn abort(&self, message: &str) -> ! {
        eprintln!("tessera: rank {} of {} failed: {message}", self.rank, self.size);
        SimpleCommunicator::world().abort(1)
    }
}

/// A hash of everything in `plan` that all ranks must agree on: stages, their operations,
/// shapes, chunks, seeds and scalars (not the values of in-memory data).
fn fingerprint(plan: &Plan) -> u64 {
    struct Fnv(u64);
    impl std::fmt::Write for Fnv {
        fn write_str(&mut self, s: &str) -> std::fmt::Result {
            for b in s.bytes() {
                self.0 = (self.0 ^ b as u64).wrapping_mul(0x100000001b3);
            }
            Ok(())
        }
    }
    let mut h = Fnv(0xcbf29ce484222325);
    for s in &plan.stages {
        let inputs: Vec<usize> = s.edges.iter().map(|e| e.input).collect();
        let _ = write!(h, "{} {:?} {inputs:?} ", s.name, s.meta);
        let _ = match &s.kind {
            StageKind::Fused { leaves, program, head, domain, .. } => {
                for l in leaves {
                    let _ = match l {
                        Leaf::Data { block } => write!(h, "data {} {:?};", block.dtype(), block.shape()),
                        l => write!(h, "{l:?};"),
                    };
                }
                write!(h, "{program:?} {head:?} {domain:?}")
            }
            StageKind::Blocks(b) => write!(h, "blocks {}", b.len()),
            k => write!(h, "{k:?}"),
        };
        let _ = h.write_str("\n");
    }
    let _ = write!(h, "outputs {:?}", plan.outputs);
    h.0
}

/// What a plan computes, for the message after a disagreement.
fn describe(plan: &Plan, fingerprint: u64) -> String {
    // Name, shape (as Python writes it) and dtype; a fused stage by the shape it reads.
    let stage = |i: usize| {
        let s = &plan.stages[i];
        let shape: Vec<usize> = match &s.kind {
            StageKind::Fused { domain, .. } if s.is_source() => domain.iter().map(|c| c.len()).collect(),
            _ => s.meta.shape.clone(),
        };
        let dims: Vec<String> = shape.iter().map(|d| d.to_string()).collect();
        let comma = if dims.len() == 1 { "," } else { "" };
        format!("{} ({}{comma}) {}", s.name, dims.join(", "), s.meta.dtype)
    };
    let outputs: Vec<String> = plan.outputs.iter().map(|&o| stage(o)).collect();
    let sources: Vec<String> = (0..plan.stages.len()).filter(|&i| plan.stages[i].is_source()).take(4).map(stage).collect();
    format!(
        "outputs [{}] from [{}]{}, {} tasks (plan {fingerprint:016x})",
        outputs.join(", "),
        sources.join(", "),
        if sources.len() < plan.stages.iter().filter(|s| s.is_source()).count() { ", ..." } else { "" },
        plan.task_count()
    )
}

/// Sends and receives on a communication thread that alone calls MPI during a compute;
/// sends are non-blocking, so two ranks sending to each other never deadlock.
pub struct MpiTransport {
    agreement: Arc<Agreement>,
    tag: i32,
    cancel: Arc<AtomicBool>,
    outbox: Mutex<Sender<(usize, Vec<u8>)>>,
    /// The communication thread's end of the outbox, until it starts (after the handshake,
    /// so that only one thread calls MPI at a time).
    receiver: Mutex<Option<Receiver<(usize, Vec<u8>)>>>,
    inbox: Arc<Mutex<Vec<Vec<u8>>>>,
    stop: Arc<AtomicBool>,
    thread: Mutex<Option<JoinHandle<()>>>,
}

impl MpiTransport {
    fn new(agreement: Arc<Agreement>, tag: i32, cancel: Arc<AtomicBool>) -> MpiTransport {
        let (tx, rx) = channel();
        MpiTransport {
            agreement,
            tag,
            cancel,
            outbox: Mutex::new(tx),
            receiver: Mutex::new(Some(rx)),
            inbox: Arc::new(Mutex::new(Vec::new())),
            stop: Arc::new(AtomicBool::new(false)),
            thread: Mutex::new(None),
        }
    }
    /// Starts the communication thread (once).
    fn start(&self) {
        if let Some(rx) = self.receiver.lock().unwrap_or_else(|e| e.into_inner()).take() {
            let (ib, st, tag) = (self.inbox.clone(), self.stop.clone(), self.tag);
            *self.thread.lock().unwrap_or_else(|e| e.into_inner()) = Some(std::thread::spawn(move || comm_loop(rx, ib, st, tag)));
        }
    }
    /// Waits until every message this rank sent has left, then stops the thread.
    pub fn finish(&self) {
        self.stop.store(true, Ordering::Release);
        if let Some(t) = self.thread.lock().unwrap_or_else(|e| e.into_inner()).take() {
            let _ = t.join();
        }
    }
}

impl Drop for MpiTransport {
    fn drop(&mut self) {
        self.finish();
    }
}

impl Transport for MpiTransport {
    fn rank(&self) -> usize {
        self.agreement.rank
    }
    fn size(&self) -> usize {
        self.agreement.size
    }
    fn send(&self, dest: usize, bytes: Vec<u8>) {
        self.start();
        let _ = self.outbox.lock().unwrap_or_else(|e| e.into_inner()).send((dest, bytes));
    }
    fn poll(&self) -> Vec<Vec<u8>> {
        self.start();
        std::mem::take(&mut *self.inbox.lock().unwrap_or_else(|e| e.into_inner()))
    }
    /// The handshake: every rank checks that all run this plan as the same compute.
    fn begin(&self, plan: &Plan) -> Result<()> {
        let f = fingerprint(plan);
        let a = &self.agreement;
        let n = a.computes.load(Ordering::Relaxed) + 1;
        a.agree(Step::Compute(f), &|| format!("started compute {n}: {}", describe(plan, f)), Some(&self.cancel));
        self.start();
        Ok(())
    }
}

fn comm_loop(rx: Receiver<(usize, Vec<u8>)>, inbox: Arc<Mutex<Vec<Vec<u8>>>>, stop: Arc<AtomicBool>, tag: i32) {
    let world = SimpleCommunicator::world();
    // In-flight sends; their buffers are leaked into 'static until MPI is done with them.
    let mut sending: Vec<(mpi::request::Request<'static, [u8], StaticScope>, *mut [u8])> = Vec::new();
    let mut idle = 0u32;
    loop {
        let mut busy = false;
        while let Ok((dest, bytes)) = rx.try_recv() {
            let buf: &'static mut [u8] = Box::leak(bytes.into_boxed_slice());
            let ptr: *mut [u8] = buf;
            let req = world.process_at_rank(dest as i32).immediate_send_with_tag(StaticScope, &*buf, tag);
            sending.push((req, ptr));
            busy = true;
        }
        let mut still = Vec::with_capacity(sending.len());
        for (req, ptr) in sending.drain(..) {
            match req.test() {
                // SAFETY: MPI no longer reads the buffer; it came from Box::leak above.
                Ok(_) => drop(unsafe { Box::from_raw(ptr) }),
                Err(req) => still.push((req, ptr)),
            }
        }
        sending = still;
        while let Some(probed) = world.any_process().immediate_matched_probe_with_tag(tag) {
            let (data, _) = probed.matched_receive_vec::<u8>();
            inbox.lock().unwrap_or_else(|e| e.into_inner()).push(data);
            busy = true;
        }
        if stop.load(Ordering::Acquire) && sending.is_empty() {
            // Drain anything queued after the stop was requested.
            match rx.try_recv() {
                Ok(item) => {
                    let (dest, bytes) = item;
                    world.process_at_rank(dest as i32).send_with_tag(&bytes[..], tag);
                    continue;
                }
                Err(_) => return,
            }
        }
        // Back off when idle (50 us up to 1 ms): messages are few (only where subtrees meet)
        // and the cores belong to the computing threads.
        idle = if busy { 0 } else { idle.saturating_add(1) };
        if idle > 0 {
            std::thread::sleep(Duration::from_micros((50 + 10 * idle as u64).min(1000)));
        }
    }
}
