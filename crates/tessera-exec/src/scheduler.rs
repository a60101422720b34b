//! The ready queue, dependency counts, memory admission and the worker loop.
//!
//! Memory: every running task reserves its stage's `out_bytes`; finished values count until
//! their last consumer is done; the whole arrays `execute` assembles are reserved before
//! anything runs. All computations of the process admit against one budget (`budget`): a
//! task starts only when its reservation fits beside what the process holds (or when
//! nothing runs anywhere, so that work always progresses); when it does not fit, kept
//! blocks of this computation that no running task uses make room: blocks of rereadable
//! sources (storage reads, see `Stage::rereadable`) are dropped and made again by the task
//! that needs them, the others are spilled to disk, later blocks first.

use crate::budget;
use crate::copy::copy_into_raw;
use crate::{owner, tasks, wire, Input, Options, TaskEvent, Value};
use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashMap};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Condvar, Mutex};
use std::time::Instant;
use tessera_core::chunks;
use tessera_core::plan::{Head, Plan, StageId, StageKind};
use tessera_core::spill::{SpillDir, SpilledBlock, Stored};
use tessera_core::{err, Block, Buffer, Error, Result};

type Key = (StageId, usize);

enum Held {
    Mem(Arc<Value>),
    /// Shared so that a task reads it back without holding the state's lock.
    Disk(Arc<SpilledBlock>),
    /// Dropped to make room: a block of a rereadable source, made again when needed.
    Dropped,
}

struct Slot {
    value: Held,
    /// Consumer tasks that still need it (+1 for kept outputs, which are never freed).
    remaining: u32,
}

struct State {
    /// Ready non-source tasks: deeper stages (closer to the outputs) first.
    ready: BinaryHeap<(usize, Reverse<StageId>, Reverse<usize>)>,
    /// Next and end position of each source stage (over the blocks this process owns).
    cursors: Vec<(StageId, usize, usize)>,
    /// Per cursor, its first position and the blocks in the order to start them (`None`:
    /// C order).
    orders: Vec<Option<(usize, Vec<usize>)>>,
    /// Inputs still missing, for tasks with at least one input done.
    pending: HashMap<Key, u32>,
    store: HashMap<Key, Slot>,
    running: usize,
    /// Running tasks that call Python (see `python_slots`).
    python_running: usize,
    outputs_left: usize,
    error: Option<Error>,
    /// Bytes of values in memory plus reservations of running tasks and of the results
    /// (this computation's share of the process's budget).
    held: usize,
    peak_held: usize,
    spilled: usize,
    spill_dir: Option<Arc<SpillDir>>,
    /// What the process held when a task last could not fit although nothing ran anywhere:
    /// it starts anyway if nobody has freed anything (by spilling) when it looks again.
    stuck_at: Option<usize>,
}

/// A task's inputs, taken when it is admitted.
#[derive(Default)]
struct Gathered {
    inputs: Vec<Vec<Input>>,
    /// Inputs on disk or dropped: (edge, position, key), and the bytes of bringing them
    /// back (a dropped block: its source task's reservation).
    to_load: Vec<(usize, usize, Key)>,
    reload_bytes: usize,
}

struct Shared<'a> {
    plan: &'a Plan,
    opts: &'a Options,
    /// Keep output blocks as separate values (for persist) instead of assembling them.
    keep: bool,
    /// This process and the number of processes (1 without a transport).
    rank: usize,
    procs: usize,
    /// For each stage, its consumers: (consumer stage, edge index).
    users_of: Vec<Vec<(StageId, usize)>>,
    depth: Vec<usize>,
    /// For each stage, which output it is (if any).
    output_of: Vec<Option<usize>>,
    /// For each stage, the stages of its kernel's further outputs (see `StageKind::Part`),
    /// whose blocks its tasks make.
    parts: Vec<Vec<StageId>>,
    /// Each result being assembled, with the address of its buffer (see `deliver`).
    outputs: Vec<Mutex<Option<(Block, usize)>>>,
    state: Mutex<State>,
    wake: Condvar,
    /// Per stage: nanoseconds spent in tasks that call Python, and their count.
    python_time: Vec<(AtomicU64, AtomicU64)>,
    /// Per stage: nanoseconds spent making blocks of a rereadable source, and their bytes.
    made: Vec<Cost>,
    /// Nanoseconds spent writing spilled blocks, and their bytes.
    spill_io: Cost,
}

/// Time spent on some bytes, to compare ways of getting a block back.
#[derive(Default)]
struct Cost {
    ns: AtomicU64,
    bytes: AtomicU64,
}

impl Cost {
    fn add(&self, t0: Instant, bytes: usize) {
        self.ns.fetch_add(t0.elapsed().as_nanos() as u64, Ordering::Relaxed);
        self.bytes.fetch_add(bytes as u64, Ordering::Relaxed);
    }
    /// Nanoseconds per byte; `None` before anything was measured.
    fn per_byte(&self) -> Option<f64> {
        let bytes = self.bytes.load(Ordering::Relaxed);
        (bytes > 0).then(|| self.ns.load(Ordering::Relaxed) as f64 / bytes as f64)
    }
}

/// Whether to drop a block and make it again rather than spill it: when making it has cost
/// less than a spill's write and read back (twice the write, per byte, as measured in this
/// computation). Until a spill has been timed, spill (so that it is).
fn remake_is_cheaper(remake: Option<f64>, spill: Option<f64>) -> bool {
    match (remake, spill) {
        (Some(r), Some(s)) => r < 2.0 * s,
        _ => false,
    }
}

/// Runs `plan` and returns its outputs as whole arrays.
pub fn execute(plan: &Plan, opts: &Options) -> Result<Vec<Block>> {
    run(plan, opts, false).map(|(blocks, _)| blocks)
}

/// Runs `plan` and returns each output's blocks (in C order of its grid), kept in memory or
/// spilled to disk as the memory limit requires.
pub fn execute_kept(plan: &Plan, opts: &Options) -> Result<Vec<Vec<Stored>>> {
    run(plan, opts, true).map(|(_, kept)| kept)
}

use tessera_core::error::human_bytes as human;

/// Refuses, before anything runs, a plan with a task that cannot fit under the limit, or
/// whose results (`result_bytes`, assembled whole) cannot fit beside its largest task.
pub fn check_memory(plan: &Plan, limit: usize, result_bytes: usize) -> Result<()> {
    for s in &plan.stages {
        let need = s.task_bytes();
        if need > limit {
            let shape = s.max_chunk_shape();
            let chunk_bytes = shape.iter().product::<usize>() * s.meta.dtype.size();
            // Shrink every axis alike so that a task needs about half the limit.
            let f = (limit as f64 / 2.0 / need as f64).powf(1.0 / shape.len().max(1) as f64);
            let fit: Vec<usize> = shape.iter().map(|&d| ((d as f64 * f).floor() as usize).max(1)).collect();
            let fit_bytes = fit.iter().product::<usize>() * s.meta.dtype.size();
            return Err(err!(
                Memory,
                s.name.clone(),
                "one task needs about {} (chunk shape {:?}, {} a chunk) but the memory limit is {}; use chunks of at most {:?} (about {}), or raise the limit (TESSERA_MEMORY_LIMIT)",
                human(need),
                shape,
                human(chunk_bytes),
                human(limit),
                fit,
                human(fit_bytes)
            ));
        }
    }
    let task = plan.stages.iter().map(|s| s.task_bytes()).max().unwrap_or(0);
    if result_bytes.saturating_add(task) > limit {
        let shapes: Vec<String> = plan.outputs.iter().map(|&s| format!("{:?} {}", plan.stages[s].meta.shape, plan.stages[s].meta.dtype)).collect();
        return Err(err!(
            Memory,
            "compute",
            "the result ({}) needs {} and its largest task about {} more, but the memory limit is {}; reduce or slice the array before computing it, compute it in pieces, persist() it instead (its blocks spill to disk), or raise the limit (TESSERA_MEMORY_LIMIT or memory_limit=)",
            shapes.join(", "),
            human(result_bytes),
            human(task),
            human(limit)
        ));
    }
    Ok(())
}

/// Bytes of the whole arrays `execute` assembles (each distinct output once).
fn result_bytes(plan: &Plan) -> usize {
    let mut outs = plan.outputs.clone();
    outs.sort_unstable();
    outs.dedup();
    outs.iter().map(|&s| plan.stages[s].meta.size().saturating_mul(plan.stages[s].meta.dtype.size())).fold(0, usize::saturating_add)
}

/// Takes `bytes` of the process's budget for a computation's results: when they fit beside
/// what other computations hold, or when nothing runs anywhere. `false`: cancelled.
fn reserve_results(bytes: usize, opts: &Options) -> bool {
    loop {
        {
            let mut u = budget::lock();
            if u.fits(bytes, opts.memory_limit) || u.running == 0 {
                u.add(bytes);
                return true;
            }
        }
        if opts.cancel.load(Ordering::Relaxed) {
            return false;
        }
        std::thread::sleep(std::time::Duration::from_millis(2));
    }
}

fn run(plan: &Plan, opts: &Options, keep: bool) -> Result<(Vec<Block>, Vec<Vec<Stored>>)> {
    if let Some(t) = &opts.transport {
        t.begin(plan)?;
    }
    let (rank, procs) = opts.transport.as_ref().map(|t| (t.rank(), t.size())).unwrap_or((0, 1));
    // With `root_only`, other processes wait only for the output blocks they make.
    let receives_outputs = !opts.root_only || rank == 0;
    let results = if keep || !receives_outputs { 0 } else { result_bytes(plan) };
    if let Some(limit) = opts.memory_limit {
        check_memory(plan, limit, results)?;
    }
    if !reserve_results(results, opts) {
        return Err(err!(Cancelled, "compute", "the computation was cancelled"));
    }
    let n = plan.stages.len();
    let mut users_of = vec![vec![]; n];
    let mut depth = vec![0; n];
    let mut parts = vec![vec![]; n];
    for (s, st) in plan.stages.iter().enumerate() {
        if let StageKind::Part { of, .. } = st.kind {
            // Made with its kernel's blocks, so ready as deep as they are.
            parts[of].push(s);
            depth[s] = depth[of];
        }
        for (e, edge) in st.edges.iter().enumerate() {
            users_of[edge.input].push((s, e));
            depth[s] = depth[s].max(depth[edge.input] + 1);
        }
    }
    let mut output_of = vec![None; n];
    for (k, &s) in plan.outputs.iter().enumerate() {
        output_of[s].get_or_insert(k);
    }
    let distinct_outputs: Vec<StageId> = (0..n).filter(|&s| output_of[s].is_some()).collect();
    // With `root_only`, other processes are done when they have run every task they own
    // (see `next_task`), not after a count of outputs.
    let outputs_left = if receives_outputs { distinct_outputs.iter().map(|&s| plan.stages[s].nblocks()).sum() } else { usize::MAX };
    // Source blocks owned by this process: those with `b * procs / n == rank`.
    let owned = |n: usize| ((rank * n).div_ceil(procs), ((rank + 1) * n).div_ceil(procs));
    // Each source runs the blocks it owns, in C order or in the order a rechunk needs them;
    // one that only some blocks of its consumers read (a slice of a persisted array) runs
    // just those.
    let (cursors, orders): (Vec<(StageId, usize, usize)>, Vec<Option<(usize, Vec<usize>)>>) = (0..n)
        .filter(|&s| plan.stages[s].is_source())
        .map(|s| {
            let (lo, hi) = owned(plan.stages[s].nblocks());
            match read_blocks(plan, &users_of, s, output_of[s].is_some()) {
                Some(blocks) => {
                    let mut mine: Vec<usize> = blocks.into_iter().filter(|b| (lo..hi).contains(b)).collect();
                    if let Some((_, order)) = demand_order(plan, &users_of, s, &mine) {
                        mine = order;
                    }
                    ((s, 0, mine.len()), Some((0, mine)))
                }
                None => ((s, lo, hi), if hi - lo > MAX_SORTED { None } else { demand_order(plan, &users_of, s, &(lo..hi).collect::<Vec<_>>()).map(|(_, o)| (lo, o)) }),
            }
        })
        .unzip();
    let state = State {
        ready: BinaryHeap::new(),
        cursors,
        orders,
        pending: HashMap::new(),
        store: HashMap::new(),
        running: 0,
        python_running: 0,
        outputs_left,
        error: None,
        held: results,
        peak_held: results,
        spilled: 0,
        spill_dir: None,
        stuck_at: None,
    };
    let shared = Shared {
        plan,
        opts,
        keep,
        rank,
        procs,
        users_of,
        depth,
        output_of: output_of.clone(),
        parts,
        outputs: plan.outputs.iter().map(|_| Mutex::new(None)).collect(),
        state: Mutex::new(state),
        wake: Condvar::new(),
        python_time: (0..n).map(|_| (AtomicU64::new(0), AtomicU64::new(0))).collect(),
        made: (0..n).map(|_| Cost::default()).collect(),
        spill_io: Cost::default(),
    };
    for o in &opts.observers {
        o.started(plan);
    }
    let width = plan.stages.iter().map(|s| s.nblocks()).max().unwrap_or(1);
    let threads = opts.threads.min(width).min(crate::max_threads()).max(1);
    let python = plan.stages.iter().any(|s| s.needs_gil());
    let work = |t: usize| match (&opts.worker_scope, python) {
        (Some(scope), true) => scope.run(&mut || shared.work(t)),
        _ => shared.work(t),
    };
    if threads == 1 {
        work(0);
    } else {
        std::thread::scope(|scope| {
            for t in 1..threads {
                let work = &work;
                scope.spawn(move || work(t));
            }
            work(0);
        });
    }
    for o in &opts.observers {
        o.finished();
    }
    let mut st = shared.state.into_inner().unwrap_or_else(|e| e.into_inner());
    // Hand this computation's share back: what is returned leaves the budget.
    {
        let mut u = budget::lock();
        u.sub(st.held);
        u.running -= st.running;
    }
    if let Some(e) = st.error.take() {
        return Err(e);
    }
    if !receives_outputs {
        return Ok((vec![], vec![]));
    }
    if keep {
        let kept = plan
            .outputs
            .iter()
            .map(|&s| {
                (0..plan.stages[s].nblocks())
                    .map(|b| match st.store.remove(&(s, b)).map(|slot| slot.value) {
                        // Persisted blocks own their memory: a view of in-memory data would
                        // see later writes to it, a view of a larger block would keep it.
                        Some(Held::Mem(v)) => match Arc::try_unwrap(v) {
                            Ok(Value::Block(b)) => Ok(Stored::Mem(b.owned())),
                            Ok(Value::Partial(_)) => Err(err!(Internal, "persist", "an output is a partial result")),
                            Err(v) => match &*v {
                                Value::Block(b) => Ok(Stored::Mem(b.clone().owned())),
                                Value::Partial(_) => Err(err!(Internal, "persist", "an output is a partial result")),
                            },
                        },
                        Some(Held::Disk(d)) => Arc::try_unwrap(d).map(Stored::Disk).map_err(|_| err!(Internal, "persist", "spilled block {b} of output stage {s} is still in use")),
                        Some(Held::Dropped) | None => Err(err!(Internal, "persist", "block {b} of output stage {s} is missing")),
                    })
                    .collect::<Result<Vec<_>>>()
            })
            .collect::<Result<Vec<_>>>()?;
        return Ok((vec![], kept));
    }
    let mut results: Vec<Option<Block>> = shared.outputs.into_iter().map(|m| m.into_inner().unwrap_or_else(|e| e.into_inner()).map(|(b, _)| b)).collect();
    let blocks = plan
        .outputs
        .iter()
        .enumerate()
        .map(|(k, &s)| {
            let first = output_of[s].expect("outputs are marked");
            // The same array may be asked for several times: move it out at its last use.
            let b = if plan.outputs[k + 1..].contains(&s) { results[first].clone() } else { results[first].take() };
            b.ok_or_else(|| err!(Internal, "compute", "output {k} was not produced"))
        })
        .collect::<Result<Vec<_>>>()?;
    Ok((blocks, vec![]))
}

impl Shared<'_> {
    fn work(&self, thread: usize) {
        loop {
            let Some(((s, b), gathered)) = self.next_task() else { return };
            // Beyond its output, a task reserved room for the inputs it brings back.
            let loaded = gathered.reload_bytes;
            let result = self.run_task(s, b, thread, gathered);
            self.complete(s, b, result, loaded);
        }
    }

    /// Starts task (`s`, `b`) if `need` bytes fit in the process's budget, or fit after
    /// spilling; `None` when it must wait. When it cannot fit and nothing runs anywhere, it
    /// starts all the same (so that work progresses) at its next look if nobody has freed
    /// memory meanwhile: other computations blocked alike spill their own blocks first. The
    /// check and the reservation happen under one lock of the budget, so that concurrent
    /// computations cannot both take the last bytes.
    fn try_start(&self, st: &mut State, s: StageId, b: usize, need: usize) -> Option<Key> {
        for spilled in [false, true] {
            if spilled {
                if let Err(e) = self.spill_until(st, need) {
                    st.error.get_or_insert(e);
                    return None;
                }
            }
            let mut u = budget::lock();
            let fits = u.fits(need, self.opts.memory_limit);
            let forced = spilled && !fits && u.running == 0 && st.stuck_at == Some(u.held);
            if spilled && !fits && u.running == 0 && !forced {
                st.stuck_at = Some(u.held);
            }
            if fits || forced {
                st.stuck_at = None;
                u.add(need);
                u.running += 1;
                st.running += 1;
                st.held += need;
                st.peak_held = st.peak_held.max(st.held);
                return Some((s, b));
            }
        }
        None
    }

    /// Counts `bytes` more held by this computation (and the process).
    fn hold(&self, st: &mut State, bytes: usize) {
        st.held += bytes;
        st.peak_held = st.peak_held.max(st.held);
        budget::lock().add(bytes);
    }

    /// Counts `bytes` no longer held.
    fn release(&self, st: &mut State, bytes: usize) {
        st.held -= bytes;
        budget::lock().sub(bytes);
    }

    /// Blocks until a task is available; `None` when the computation is over.
    fn next_task(&self) -> Option<(Key, Gathered)> {
        let plan = self.plan;
        let mut st = self.state.lock().unwrap_or_else(|e| e.into_inner());
        loop {
            if st.error.is_some() || st.outputs_left == 0 || self.owned_tasks_done(&st) {
                self.wake.notify_all();
                return None;
            }
            if self.opts.cancel.load(Ordering::Relaxed) {
                st.error = Some(err!(Cancelled, "compute", "the computation was cancelled"));
                continue;
            }
            // Whether a task waits for memory held elsewhere in the process.
            let mut blocked = false;
            if let Some(entry) = self.pop_runnable(&mut st) {
                let (_, Reverse(s), Reverse(b)) = entry;
                // A task reserves its output and the inputs it must bring back.
                let gathered = match self.gather(&st, s, b) {
                    Ok(g) => g,
                    Err(e) => {
                        st.ready.push(entry);
                        st.error.get_or_insert(e);
                        continue;
                    }
                };
                if let Some(key) = self.try_start(&mut st, s, b, plan.stages[s].out_bytes + gathered.reload_bytes) {
                    st.python_running += plan.stages[s].needs_gil() as usize;
                    return Some((key, gathered));
                }
                st.ready.push(entry);
                blocked = true;
            } else if st.ready.is_empty() {
                // Sources that call Python wait for a Python slot like other tasks.
                let python_free = |s: StageId| !plan.stages[s].needs_gil() || st.python_running < self.python_slots(s);
                if let Some(i) = furthest_behind_where(plan, &st.cursors, python_free) {
                    let (s, next, _) = st.cursors[i];
                    let b = match &st.orders[i] {
                        Some((lo, order)) => order[next - lo],
                        None => next,
                    };
                    if let Some(key) = self.try_start(&mut st, s, b, plan.stages[s].out_bytes) {
                        st.cursors[i].1 += 1;
                        st.python_running += plan.stages[s].needs_gil() as usize;
                        return Some((key, Gathered::default()));
                    }
                    blocked = true;
                } else if st.running == 0 && self.opts.transport.is_none() {
                    st.error = Some(err!(Internal, "compute", "scheduler stalled with {} output blocks left", st.outputs_left));
                    continue;
                }
            }
            if st.error.is_some() {
                continue;
            }
            match &self.opts.transport {
                // Memory that other computations free wakes nobody here: look again soon.
                None if blocked && st.running == 0 => {
                    st = self.wake.wait_timeout(st, std::time::Duration::from_millis(2)).unwrap_or_else(|e| e.into_inner()).0
                }
                None => st = self.wake.wait(st).unwrap_or_else(|e| e.into_inner()),
                Some(t) => {
                    let msgs = t.poll();
                    if msgs.is_empty() {
                        st = self.wake.wait_timeout(st, std::time::Duration::from_micros(500)).unwrap_or_else(|e| e.into_inner()).0;
                    }
                    for m in msgs {
                        if let Err(e) = self.arrived(&mut st, &m) {
                            st.error.get_or_insert(e);
                        }
                    }
                }
            }
        }
    }

    /// Takes the first ready task that may start now: tasks that call Python wait while
    /// their stage's Python slots are taken (the others stay ready, in order).
    fn pop_runnable(&self, st: &mut State) -> Option<(usize, Reverse<StageId>, Reverse<usize>)> {
        let mut waiting = vec![];
        let found = loop {
            let Some(entry) = st.ready.pop() else { break None };
            let s = entry.1 .0;
            if self.plan.stages[s].needs_gil() && st.python_running >= self.python_slots(s) {
                waiting.push(entry);
                continue;
            }
            break Some(entry);
        };
        st.ready.extend(waiting);
        found
    }

    /// How many tasks of stage `s` may call Python at once. Workers queueing for the
    /// interpreter's lock hand it over slowly (a thread switch each time), so short calls
    /// run one at a time; calls of a millisecond or more (NumPy work that releases the lock
    /// runs in parallel) get every worker.
    fn python_slots(&self, s: StageId) -> usize {
        let (ns, calls) = &self.python_time[s];
        let calls = calls.load(Ordering::Relaxed);
        if calls >= 2 && ns.load(Ordering::Relaxed) / calls >= 1_000_000 { usize::MAX } else { 1 }
    }

    /// With `root_only`, on a process other than 0: every task this process owns has run.
    /// Each task it owns has its first input made here (see `owner`), so a task not run yet
    /// waits on an unfinished source block, a running task or a missing input (`pending`).
    fn owned_tasks_done(&self, st: &State) -> bool {
        !self.receives_outputs()
            && st.running == 0
            && st.ready.is_empty()
            && st.pending.is_empty()
            && furthest_behind(self.plan, &st.cursors).is_none()
    }

    fn receives_outputs(&self) -> bool {
        !self.opts.root_only || self.rank == 0
    }

    /// Makes room for `need` bytes from kept blocks no running task uses: drops blocks of
    /// rereadable sources (not outputs), then spills the others, later blocks first.
    fn spill_until(&self, st: &mut State, need: usize) -> Result<()> {
        let Some(limit) = self.opts.memory_limit else { return Ok(()) };
        let droppable = |s: StageId| {
            self.plan.stages[s].rereadable() && self.parts[s].is_empty() && self.output_of[s].is_none() && remake_is_cheaper(self.made[s].per_byte(), self.spill_io.per_byte())
        };
        let mut victims: Vec<(Key, usize)> = st
            .store
            .iter()
            .filter_map(|(k, slot)| match &slot.value {
                Held::Mem(v) if Arc::strong_count(v) == 1 && matches!(**v, Value::Block(_)) => Some((*k, v.nbytes())),
                _ => None,
            })
            .collect();
        victims.sort_unstable_by_key(|&((s, b), _)| (!droppable(s), Reverse(b), s));
        for (key, bytes) in victims {
            if budget::held_bytes() + need <= limit {
                break;
            }
            if droppable(key.0) {
                st.store.get_mut(&key).expect("victim is stored").value = Held::Dropped;
                self.release(st, bytes);
                continue;
            }
            let dir = match &st.spill_dir {
                Some(d) => d.clone(),
                None => {
                    let d = SpillDir::create()?;
                    st.spill_dir = Some(d.clone());
                    d
                }
            };
            let slot = st.store.get_mut(&key).expect("victim is stored");
            let Held::Mem(v) = &slot.value else { continue };
            let Value::Block(block) = &**v else { continue };
            let t0 = Instant::now();
            let spilled = dir.write(block)?;
            self.spill_io.add(t0, bytes);
            slot.value = Held::Disk(Arc::new(spilled));
            self.release(st, bytes);
            st.spilled += bytes;
        }
        Ok(())
    }

    /// The inputs of task (`s`, `b`) as they are now (taken under the state's lock, so
    /// that none is spilled once the task starts), the spilled ones to read back (edge,
    /// position, key) and their bytes.
    fn gather(&self, st: &State, s: StageId, b: usize) -> Result<Gathered> {
        let stage = &self.plan.stages[s];
        let deps = stage.deps(&chunks::unravel(b, &stage.grid()), self.plan);
        let mut g = Gathered { inputs: Vec::with_capacity(deps.len()), to_load: Vec::new(), reload_bytes: 0 };
        for (e, blocks) in deps.iter().enumerate() {
            let src = stage.edges[e].input;
            let in_stage = &self.plan.stages[src];
            let grid = in_stage.grid();
            let mut v = Vec::with_capacity(blocks.len());
            for (k, &d) in blocks.iter().enumerate() {
                let slot = st.store.get(&(src, d));
                let slot = slot.ok_or_else(|| err!(Internal, "compute", "input {} block {d} of {} is missing", in_stage.name, stage.name))?;
                let value = match &slot.value {
                    Held::Mem(v) => v.clone(),
                    held => {
                        g.to_load.push((e, k, (src, d)));
                        // A dropped block reserves what its source task does.
                        g.reload_bytes += match held {
                            Held::Disk(spilled) => spilled.nbytes(),
                            _ => in_stage.out_bytes,
                        };
                        Arc::new(Value::Block(Block::from_buffer(vec![0], Buffer::zeros(in_stage.meta.dtype, 0))))
                    }
                };
                v.push(Input { value, start: chunks::block_start(&in_stage.meta.chunks, &chunks::unravel(d, &grid)) });
            }
            g.inputs.push(v);
        }
        Ok(g)
    }

    /// Runs one task from its gathered inputs, reading spilled ones back (the bytes its
    /// admission reserved).
    fn run_task(&self, s: StageId, b: usize, thread: usize, gathered: Gathered) -> Result<Vec<Arc<Value>>> {
        let stage = &self.plan.stages[s];
        let index = chunks::unravel(b, &stage.grid());
        let Gathered { inputs: mut all, to_load, .. } = gathered;
        // Bring spilled and dropped inputs back without holding the lock.
        for (e, k, key) in to_load {
            let spilled = {
                let st = self.state.lock().unwrap_or_else(|e| e.into_inner());
                match st.store.get(&key).map(|s| &s.value) {
                    Some(Held::Disk(d)) => Some(d.clone()),
                    Some(Held::Dropped) => None,
                    Some(Held::Mem(_)) => return Err(err!(Internal, "compute", "a spilled input is back in memory")),
                    None => return Err(err!(Internal, "compute", "a spilled input vanished")),
                }
            };
            let block = match spilled {
                Some(d) => d.load()?,
                None => self.remake(key)?,
            };
            all[e][k].value = Arc::new(Value::Block(block));
        }
        let inputs = all;
        let t0 = Instant::now();
        let cancel = &*self.opts.cancel;
        let dest = self.dest(s)?;
        let out = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| tasks::run(stage, &index, &inputs, cancel, dest.as_ref()))).unwrap_or_else(|p| {
            let msg = p.downcast_ref::<String>().cloned().or_else(|| p.downcast_ref::<&str>().map(|s| s.to_string())).unwrap_or_default();
            Err(err!(Internal, stage.name.clone(), "a task panicked (a bug in tessera): {msg}"))
        });
        if stage.rereadable() {
            if let Ok(vs) = &out {
                self.made[s].add(t0, vs.iter().map(Value::nbytes).sum());
            }
        }
        if stage.needs_gil() {
            let (ns, calls) = &self.python_time[s];
            ns.fetch_add(t0.elapsed().as_nanos() as u64, Ordering::Relaxed);
            calls.fetch_add(1, Ordering::Relaxed);
        }
        let out = out?;
        if out.len() != 1 + self.parts[s].len() {
            return Err(err!(Internal, stage.name.clone(), "a task made {} values for {} outputs", out.len(), 1 + self.parts[s].len()));
        }
        if !self.opts.observers.is_empty() {
            let (held, spilled) = {
                let st = self.state.lock().unwrap_or_else(|e| e.into_inner());
                (st.held, st.spilled)
            };
            let ev = TaskEvent { stage: s, held_bytes: held, spilled_bytes: spilled, name: &stage.name, block: b, thread, start: t0, end: Instant::now(), bytes: out.iter().map(Value::nbytes).sum() };
            for o in &self.opts.observers {
                o.task_done(&ev);
            }
        }
        for (p, v) in self.made_by(s).zip(&out) {
            if let (Some(k), false, true) = (self.output_of[p], self.keep, self.receives_outputs()) {
                self.deliver(k, p, &chunks::unravel(b, &self.plan.stages[p].grid()), v)?;
            }
        }
        Ok(out.into_iter().map(Arc::new).collect())
    }

    /// The stages whose block `b` task (`s`, `b`) makes: `s`, then its kernel's further
    /// outputs.
    fn made_by(&self, s: StageId) -> impl Iterator<Item = StageId> + '_ {
        std::iter::once(s).chain(self.parts[s].iter().copied())
    }

    /// Block `b` of rereadable source `s`, made again (it was dropped to make room).
    fn remake(&self, (s, b): Key) -> Result<Block> {
        let stage = &self.plan.stages[s];
        let index = chunks::unravel(b, &stage.grid());
        let t0 = Instant::now();
        let mut made = tasks::run(stage, &index, &[], &self.opts.cancel, None)?;
        match (made.pop(), made.is_empty()) {
            (Some(Value::Block(block)), true) => {
                self.made[s].add(t0, block.nbytes());
                Ok(block)
            }
            _ => Err(err!(Internal, stage.name.clone(), "a rereadable source made other than one block")),
        }
    }

    /// Copies an output block into its place in the result.
    fn deliver(&self, k: usize, s: StageId, index: &[usize], v: &Value) -> Result<()> {
        let stage = &self.plan.stages[s];
        let Value::Block(block) = v else { return Err(err!(Internal, "compute", "an output is a partial result")) };
        if stage.nblocks() == 1 {
            *self.outputs[k].lock().unwrap_or_else(|e| e.into_inner()) = Some((block.clone(), 0));
            return Ok(());
        }
        let shape = &stage.meta.shape;
        // Blocks are copied in without the lock, so that workers fill the result together.
        let (result, base) = self.result(k, s)?;
        if block.same_storage(&result) {
            return Ok(()); // written in place by its task
        }
        // SAFETY: `base` is the result's buffer, which stays in `outputs[k]` (and is neither
        // read nor moved) until every task has finished; each block of the stage lands in
        // its own region of it, and each is delivered once.
        unsafe { copy_into_raw(base as *mut u8, stage.meta.dtype, shape, &chunks::block_start(&stage.meta.chunks, index), block) };
        Ok(())
    }

    /// Output `k` (of stage `s`, several blocks) as a whole C-contiguous array and the
    /// address of its buffer, allocated by the first caller (not zeroed: every block of
    /// the stage is written into it).
    fn result(&self, k: usize, s: StageId) -> Result<(Block, usize)> {
        let meta = &self.plan.stages[s].meta;
        let mut slot = self.outputs[k].lock().unwrap_or_else(|e| e.into_inner());
        if slot.is_none() {
            let mut buf = Buffer::try_for_overwrite(meta.dtype, meta.shape.iter().product(), "compute")?;
            let base = tessera_core::with_dtype!(meta.dtype, T => <T as tessera_core::Element>::slice_mut(&mut buf).as_mut_ptr() as usize);
            *slot = Some((Block::from_buffer(meta.shape.clone(), buf), base));
        }
        Ok(slot.clone().expect("allocated above"))
    }

    /// The result a task of stage `s` writes its block straight into: where `s` is an output
    /// of several blocks stored by a fused program over the output's own chunks, or by a
    /// block kernel (which may write into it, see `BlockKernel::call_into`), on one process.
    fn dest(&self, s: StageId) -> Result<Option<Block>> {
        let stage = &self.plan.stages[s];
        let (Some(k), false, true, 1) = (self.output_of[s], self.keep, self.receives_outputs(), self.procs) else { return Ok(None) };
        let direct = match &stage.kind {
            StageKind::Fused { head: Head::Store, domain, .. } => *domain == stage.meta.chunks,
            StageKind::Blockwise { head: Head::Store, .. } => self.parts[s].is_empty(),
            _ => false,
        };
        if !direct || stage.nblocks() <= 1 {
            return Ok(None);
        }
        Ok(Some(self.result(k, s)?.0))
    }

    /// Consumer tasks of (`s`, `b`) owned by this process, and the other processes that
    /// need the value (all of them for output blocks).
    fn consumers(&self, s: StageId, index: &[usize]) -> (Vec<Key>, Vec<usize>) {
        let plan = self.plan;
        let mut users: Vec<Key> = Vec::new();
        for &(c, e) in &self.users_of[s] {
            users.extend(plan.stages[c].users(e, index).into_iter().map(|cb| (c, cb)));
        }
        if self.users_of[s].len() > 1 {
            users.sort_unstable();
            users.dedup();
        }
        if self.procs == 1 {
            return (users, vec![]);
        }
        let mut remote: Vec<usize> = Vec::new();
        users.retain(|&(c, cb)| {
            let o = owner(plan, c, cb, self.procs);
            if o != self.rank {
                remote.push(o);
            }
            o == self.rank
        });
        if self.output_of[s].is_some() {
            // Process 0 gets every output block (all processes do without `root_only`),
            // besides the owners of tasks that use it.
            if self.opts.root_only {
                remote.push(0);
            } else {
                remote = (0..self.procs).collect();
            }
        }
        remote.retain(|&r| r != self.rank);
        remote.sort_unstable();
        remote.dedup();
        (users, remote)
    }

    /// Counts one input arrival for each local consumer, queueing those now ready.
    fn arrive_at(&self, st: &mut State, users: Vec<Key>) {
        for u in users {
            let missing = match st.pending.get_mut(&u) {
                Some(m) => m,
                None => {
                    let n = distinct_deps(self.plan, u);
                    st.pending.entry(u).or_insert(n as u32)
                }
            };
            *missing -= 1;
            if *missing == 0 {
                st.pending.remove(&u);
                st.ready.push((self.depth[u.0], Reverse(u.0), Reverse(u.1)));
            }
        }
    }

    /// A value made by another process.
    fn arrived(&self, st: &mut State, msg: &[u8]) -> Result<()> {
        let (s, b, value) = wire::decode(msg)?;
        let index = chunks::unravel(b, &self.plan.stages[s].grid());
        let (users, _) = self.consumers(s, &index);
        let mut pin = 0;
        if let Some(k) = self.output_of[s] {
            if self.keep {
                pin = 1;
            } else if self.receives_outputs() {
                self.deliver(k, s, &index, &value)?;
            }
            st.outputs_left -= 1;
        }
        if !users.is_empty() || pin > 0 {
            self.hold(st, value.nbytes());
            st.store.insert((s, b), Slot { value: Held::Mem(Arc::new(value)), remaining: users.len() as u32 + pin });
        }
        self.arrive_at(st, users);
        Ok(())
    }

    /// Records a finished task that reserved its output and `loaded` bytes of inputs.
    fn complete(&self, s: StageId, b: usize, result: Result<Vec<Arc<Value>>>, loaded: usize) {
        let plan = self.plan;
        let stage = &plan.stages[s];
        let index = chunks::unravel(b, &stage.grid());
        // Consumers and their dependency lists are pure functions: compute them unlocked.
        // Each value the task made (one per output of its kernel) has its own.
        let users: Vec<Vec<Key>> = self
            .made_by(s)
            .enumerate()
            .map(|(j, p)| {
                let (users, remote) = self.consumers(p, &chunks::unravel(b, &plan.stages[p].grid()));
                if let (Ok(vs), Some(t)) = (&result, &self.opts.transport) {
                    if !remote.is_empty() {
                        let msg = wire::encode(p, b, &vs[j]);
                        for &r in &remote {
                            t.send(r, msg.clone());
                        }
                    }
                }
                users
            })
            .collect();
        let deps = dep_keys(plan, s, &index);
        let mut st = self.state.lock().unwrap_or_else(|e| e.into_inner());
        st.running -= 1;
        st.python_running -= stage.needs_gil() as usize;
        budget::lock().running -= 1;
        self.release(&mut st, stage.out_bytes + loaded);
        match result {
            Err(e) => {
                st.error.get_or_insert(e);
            }
            Ok(values) => {
                for d in deps {
                    if let Some(slot) = st.store.get_mut(&d) {
                        slot.remaining -= 1;
                        if slot.remaining == 0 {
                            if let Some(Slot { value: Held::Mem(v), .. }) = st.store.remove(&d) {
                                self.release(&mut st, v.nbytes());
                            }
                        }
                    }
                }
                for ((p, value), users) in self.made_by(s).zip(values).zip(users) {
                    if self.output_of[p].is_some() {
                        st.outputs_left -= 1;
                    }
                    let pin = (self.keep && self.output_of[p].is_some()) as u32;
                    if !users.is_empty() || pin > 0 {
                        self.hold(&mut st, value.nbytes());
                        st.store.insert((p, b), Slot { value: Held::Mem(value), remaining: users.len() as u32 + pin });
                    }
                    self.arrive_at(&mut st, users);
                }
            }
        }
        self.wake.notify_all();
    }
}

/// Blocks of source stage `s` (positions `lo..hi`) in the order a rechunk downstream first
/// needs them, so that its output blocks complete early instead of after every source
/// block was made (their pieces would be held, or spilled, meanwhile). `None` keeps C order:
/// no rechunk downstream, or too many blocks to sort cheaply.
fn demand_order(plan: &Plan, users_of: &[Vec<(StageId, usize)>], s: StageId, blocks: &[usize]) -> Option<(usize, Vec<usize>)> {
    let mut reach = vec![false; plan.stages.len()];
    let mut stack = vec![s];
    let mut rechunk = false;
    while let Some(t) = stack.pop() {
        for &(c, _) in &users_of[t] {
            if !reach[c] {
                reach[c] = true;
                rechunk |= matches!(plan.stages[c].kind, StageKind::Rechunk);
                stack.push(c);
            }
        }
    }
    if !rechunk || blocks.len() > MAX_SORTED {
        return None;
    }
    let grid = plan.stages[s].grid();
    let mut keyed: Vec<(usize, usize)> = blocks.iter().map(|&b| (first_use(plan, users_of, s, &chunks::unravel(b, &grid), 8, &mut 4096), b)).collect();
    keyed.sort_unstable();
    Some((0, keyed.into_iter().map(|(_, b)| b).collect()))
}

/// Most source blocks sorted by first use (more stay in C order).
const MAX_SORTED: usize = 100_000;

/// The blocks of source stage `s` that some consumer reads, in C order, when they are
/// fewer than all of them (`None`: all, or an output, whose blocks are all wanted): per
/// axis, the window of blocks each consumer edge reads, the union over edges.
fn read_blocks(plan: &Plan, users_of: &[Vec<(StageId, usize)>], s: StageId, output: bool) -> Option<Vec<usize>> {
    use tessera_core::plan::AxisRel;
    let grid = plan.stages[s].grid();
    if output || users_of[s].is_empty() {
        return None;
    }
    let mut window: Vec<(usize, usize)> = vec![(usize::MAX, 0); grid.len()];
    for &(c, e) in &users_of[s] {
        for (a, r) in plan.stages[c].edges[e].axes.iter().enumerate() {
            let (lo, hi) = match r {
                AxisRel::Driven { first, users, .. } => (*first as usize, *first as usize + users.len()),
                AxisRel::Range(lo, hi) => (*lo, *hi),
                AxisRel::Table { .. } => (0, grid[a]),
            };
            window[a] = (window[a].0.min(lo), window[a].1.max(hi.min(grid[a])));
        }
    }
    let window: Vec<(usize, usize)> = window.into_iter().map(|(lo, hi)| (lo.min(hi), hi)).collect();
    let count: usize = window.iter().map(|(lo, hi)| hi - lo).product();
    if count == grid.iter().product::<usize>() {
        return None;
    }
    let sels: Vec<tessera_core::plan::Sel> = window.iter().map(|&(lo, hi)| tessera_core::plan::Sel::Range(lo..hi)).collect();
    Some(tessera_core::plan::ravel_all(&sels, &grid))
}

/// The smallest rechunk block that (through up to `depth` stages, visiting at most `budget`
/// tasks) uses block `index` of `s`.
fn first_use(plan: &Plan, users_of: &[Vec<(StageId, usize)>], s: StageId, index: &[usize], depth: usize, budget: &mut usize) -> usize {
    let mut best = usize::MAX;
    for &(c, e) in &users_of[s] {
        let st = &plan.stages[c];
        for cb in st.users(e, index) {
            if *budget == 0 {
                return best;
            }
            *budget -= 1;
            if matches!(st.kind, StageKind::Rechunk) {
                best = best.min(cb);
            } else if depth > 0 {
                best = best.min(first_use(plan, users_of, c, &chunks::unravel(cb, &st.grid()), depth - 1, budget));
            }
        }
    }
    best
}

/// Which source cursor (stage, next block, end) to advance: the one furthest behind, so that
/// consumers' inputs arrive together.
pub fn furthest_behind(plan: &Plan, cursors: &[(StageId, usize, usize)]) -> Option<usize> {
    furthest_behind_where(plan, cursors, |_| true)
}

/// `furthest_behind` among the cursors whose stage `allowed` accepts.
fn furthest_behind_where(plan: &Plan, cursors: &[(StageId, usize, usize)], allowed: impl Fn(StageId) -> bool) -> Option<usize> {
    cursors
        .iter()
        .enumerate()
        .filter(|(_, (s, next, end))| next < end && allowed(*s))
        .min_by(|(_, (s1, n1, _)), (_, (s2, n2, _))| {
            let f1 = *n1 as f64 / plan.stages[*s1].nblocks() as f64;
            let f2 = *n2 as f64 / plan.stages[*s2].nblocks() as f64;
            f1.total_cmp(&f2)
        })
        .map(|(i, _)| i)
}

/// The distinct (stage, block) inputs of task (`s`, `index`).
fn dep_keys(plan: &Plan, s: StageId, index: &[usize]) -> Vec<Key> {
    let stage = &plan.stages[s];
    let mut deps: Vec<Key> = stage
        .deps(index, plan)
        .into_iter()
        .enumerate()
        .flat_map(|(e, v)| {
            let src = stage.edges[e].input;
            v.into_iter().map(move |d| (src, d))
        })
        .collect();
    if stage.edges.len() > 1 {
        deps.sort_unstable();
        deps.dedup();
    }
    deps
}

/// How many distinct inputs task (`c`, `cb`) waits for.
pub fn distinct_deps(plan: &Plan, (c, cb): Key) -> usize {
    dep_keys(plan, c, &chunks::unravel(cb, &plan.stages[c].grid())).len()
}

#[cfg(test)]
mod tests {
    use super::remake_is_cheaper;

    #[test]
    fn blocks_are_made_again_only_when_measured_cheaper_than_a_spill() {
        // Nothing spilled yet: spill, so that a spill's cost is known.
        assert!(!remake_is_cheaper(Some(0.1), None));
        assert!(!remake_is_cheaper(None, Some(1.0)));
        // A spill is a write and a read back: a read costing less than both is preferred.
        assert!(remake_is_cheaper(Some(1.5), Some(1.0)));
        assert!(!remake_is_cheaper(Some(2.5), Some(1.0)));
    }
}
