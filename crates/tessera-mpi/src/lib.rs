//! tessera over MPI: run the same program on every rank (`mpirun -n 4 prog`, `srun -n 16 prog`);
//! `compute()` lowers the same plan everywhere, each task runs on one owner rank, results
//! travel by MPI point-to-point messages to the ranks that consume them, and every rank
//! receives the outputs. Reductions follow the same tree as a single-process run, so the
//! results are the same bits for any number of ranks.
//!
//! ```no_run
//! let mpi = tessera_mpi::Mpi::init().expect("MPI");
//! let x = tessera::random::default_rng(0).normal(0.0, 0.1, &[800_000_000], 50_000_000).unwrap();
//! let m = mpi.compute(&x.mean().unwrap()).unwrap();
//! if mpi.rank() == 0 { println!("mean is {}", m.get_f64(&[])); }
//! ```

use mpi::environment::Universe;
use mpi::point_to_point::{Destination, MatchedReceiveVec, Source};
use mpi::request::StaticScope;
use mpi::topology::{Communicator, SimpleCommunicator};
use mpi::Threading;
use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};
use std::sync::mpsc::{channel, Receiver, Sender};
use std::sync::{Arc, Mutex, OnceLock};
use std::thread::JoinHandle;
use std::time::Duration;
use tessera::{Array, Block, ComputeOptions, Result};
use tessera_exec::Transport;

/// The MPI environment of this process (initialised once; finalised on drop).
pub struct Mpi {
    universe: Mutex<Option<Universe>>,
    rank: usize,
    size: usize,
    /// Each compute gets its own message tag, the same on every rank.
    epoch: AtomicU32,
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
        Ok(Mpi { universe: Mutex::new(Some(universe)), rank, size, epoch: AtomicU32::new(0) })
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
        let t = Arc::new(MpiTransport::start(self.rank, self.size, tag));
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
        eprintln!("tessera: rank {} of {} failed: {message}", self.rank, self.size);
        SimpleCommunicator::world().abort(1)
    }
    /// Finalises MPI now (also done on drop).
    pub fn finalize(&self) {
        self.universe.lock().unwrap_or_else(|e| e.into_inner()).take();
    }
}

/// Sends and receives on a communication thread that alone calls MPI during a compute;
/// sends are non-blocking, so two ranks sending to each other never deadlock.
pub struct MpiTransport {
    rank: usize,
    size: usize,
    outbox: Mutex<Sender<(usize, Vec<u8>)>>,
    inbox: Arc<Mutex<Vec<Vec<u8>>>>,
    stop: Arc<AtomicBool>,
    thread: Mutex<Option<JoinHandle<()>>>,
}

impl MpiTransport {
    fn start(rank: usize, size: usize, tag: i32) -> MpiTransport {
        let (tx, rx) = channel();
        let inbox = Arc::new(Mutex::new(Vec::new()));
        let stop = Arc::new(AtomicBool::new(false));
        let (ib, st) = (inbox.clone(), stop.clone());
        let thread = std::thread::spawn(move || comm_loop(rx, ib, st, tag));
        MpiTransport { rank, size, outbox: Mutex::new(tx), inbox, stop, thread: Mutex::new(Some(thread)) }
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
        self.rank
    }
    fn size(&self) -> usize {
        self.size
    }
    fn send(&self, dest: usize, bytes: Vec<u8>) {
        let _ = self.outbox.lock().unwrap_or_else(|e| e.into_inner()).send((dest, bytes));
    }
    fn poll(&self) -> Vec<Vec<u8>> {
        std::mem::take(&mut *self.inbox.lock().unwrap_or_else(|e| e.into_inner()))
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
