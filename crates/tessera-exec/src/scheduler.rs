//! The ready queue, dependency counts, memory admission and the worker loop.
//!
//! Memory: every running task reserves its stage's `out_bytes`; finished values count until
//! their last consumer is done. A task starts only when its reservation fits beside what
//! is held (or when nothing runs, so that work always progresses); when it does not fit,
//! kept blocks that no running task uses are spilled to disk, later blocks first.

use crate::copy::copy_into;
use crate::{owner, tasks, wire, Input, Options, TaskEvent, Value};
use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashMap};
use std::sync::atomic::Ordering;
use std::sync::{Arc, Condvar, Mutex};
use std::time::Instant;
use tessera_core::chunks;
use tessera_core::plan::{Plan, StageId, StageKind};
use tessera_core::spill::{SpillDir, SpilledBlock, Stored};
use tessera_core::{err, Block, Buffer, Error, Result};

type Key = (StageId, usize);

enum Held {
    Mem(Arc<Value>),
    Disk(SpilledBlock),
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
    outputs_left: usize,
    error: Option<Error>,
    /// Bytes of values in memory plus reservations of running tasks.
    held: usize,
    peak_held: usize,
    spilled: usize,
    spill_dir: Option<Arc<SpillDir>>,
    /// Values on disk now: a task may have to read its inputs back.
    on_disk: usize,
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
    outputs: Vec<Mutex<Option<Block>>>,
    state: Mutex<State>,
    wake: Condvar,
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

/// Refuses, before anything runs, a plan with a task that cannot fit under the limit.
pub fn check_memory(plan: &Plan, limit: usize) -> Result<()> {
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
    Ok(())
}

fn run(plan: &Plan, opts: &Options, keep: bool) -> Result<(Vec<Block>, Vec<Vec<Stored>>)> {
    if let Some(t) = &opts.transport {
        t.begin(plan)?;
    }
    if let Some(limit) = opts.memory_limit {
        check_memory(plan, limit)?;
    }
    let n = plan.stages.len();
    let mut users_of = vec![vec![]; n];
    let mut depth = vec![0; n];
    for (s, st) in plan.stages.iter().enumerate() {
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
    let (rank, procs) = opts.transport.as_ref().map(|t| (t.rank(), t.size())).unwrap_or((0, 1));
    // With `root_only`, other processes are done when they have run every task they own
    // (see `next_task`), not after a count of outputs.
    let receives_outputs = !opts.root_only || rank == 0;
    let outputs_left = if receives_outputs { distinct_outputs.iter().map(|&s| plan.stages[s].nblocks()).sum() } else { usize::MAX };
    // Source blocks owned by this process: those with `b * procs / n == rank`.
    let owned = |n: usize| ((rank * n).div_ceil(procs), ((rank + 1) * n).div_ceil(procs));
    let cursors: Vec<(StageId, usize, usize)> = (0..n)
        .filter(|&s| plan.stages[s].is_source())
        .map(|s| {
            let (lo, hi) = owned(plan.stages[s].nblocks());
            (s, lo, hi)
        })
        .collect();
    let orders = cursors.iter().map(|&(s, lo, hi)| demand_order(plan, &users_of, s, lo, hi)).collect();
    let state = State {
        ready: BinaryHeap::new(),
        cursors,
        orders,
        pending: HashMap::new(),
        store: HashMap::new(),
        running: 0,
        outputs_left,
        error: None,
        held: 0,
        peak_held: 0,
        spilled: 0,
        spill_dir: None,
        on_disk: 0,
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
        outputs: plan.outputs.iter().map(|_| Mutex::new(None)).collect(),
        state: Mutex::new(state),
        wake: Condvar::new(),
    };
    for o in &opts.observers {
        o.started(plan);
    }
    let width = plan.stages.iter().map(|s| s.nblocks()).max().unwrap_or(1);
    let threads = opts.threads.min(width).max(1);
    if threads == 1 {
        shared.work(0);
    } else {
        std::thread::scope(|scope| {
            for t in 1..threads {
                let sh = &shared;
                scope.spawn(move || sh.work(t));
            }
            shared.work(0);
        });
    }
    for o in &opts.observers {
        o.finished();
    }
    let mut st = shared.state.into_inner().unwrap_or_else(|e| e.into_inner());
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
                        Some(Held::Mem(v)) => match Arc::try_unwrap(v) {
                            Ok(Value::Block(b)) => Ok(Stored::Mem(b)),
                            Ok(Value::Partial(_)) => Err(err!(Internal, "persist", "an output is a partial result")),
                            Err(v) => match &*v {
                                Value::Block(b) => Ok(Stored::Mem(b.clone())),
                                Value::Partial(_) => Err(err!(Internal, "persist", "an output is a partial result")),
                            },
                        },
                        Some(Held::Disk(d)) => Ok(Stored::Disk(d)),
                        None => Err(err!(Internal, "persist", "block {b} of output stage {s} is missing")),
                    })
                    .collect::<Result<Vec<_>>>()
            })
            .collect::<Result<Vec<_>>>()?;
        return Ok((vec![], kept));
    }
    let mut results: Vec<Option<Block>> = shared.outputs.into_iter().map(|m| m.into_inner().unwrap_or_else(|e| e.into_inner())).collect();
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
            let Some((s, b)) = self.next_task() else { return };
            let (result, loaded) = self.run_task(s, b, thread);
            self.complete(s, b, result, loaded);
        }
    }

    fn fits(&self, st: &State, need: usize) -> bool {
        self.opts.memory_limit.is_none_or(|limit| st.held + need <= limit)
    }

    /// Admits a task needing `need` bytes: fits, or fits after spilling, or nothing runs.
    fn admit(&self, st: &mut State, need: usize) -> bool {
        if self.fits(st, need) {
            return true;
        }
        if let Err(e) = self.spill_until(st, need) {
            st.error.get_or_insert(e);
            return false;
        }
        self.fits(st, need) || st.running == 0
    }

    /// Blocks until a task is available; `None` when the computation is over.
    fn next_task(&self) -> Option<Key> {
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
            if let Some(&(_, Reverse(s), Reverse(b))) = st.ready.peek() {
                // While values are on disk, a task may read its inputs back: reserve them too.
                let stage = &plan.stages[s];
                let need = stage.out_bytes + if st.on_disk > 0 { stage.in_bytes } else { 0 };
                if self.admit(&mut st, need) {
                    st.ready.pop();
                    return Some(self.start(&mut st, s, b));
                }
            } else {
                if let Some(i) = furthest_behind(plan, &st.cursors) {
                    let (s, next, _) = st.cursors[i];
                    let b = match &st.orders[i] {
                        Some((lo, order)) => order[next - lo],
                        None => next,
                    };
                    if self.admit(&mut st, plan.stages[s].out_bytes) {
                        st.cursors[i].1 += 1;
                        return Some(self.start(&mut st, s, b));
                    }
                } else if st.running == 0 && self.opts.transport.is_none() {
                    st.error = Some(err!(Internal, "compute", "scheduler stalled with {} output blocks left", st.outputs_left));
                    continue;
                }
            }
            if st.error.is_some() {
                continue;
            }
            match &self.opts.transport {
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

    fn start(&self, st: &mut State, s: StageId, b: usize) -> Key {
        st.running += 1;
        st.held += self.plan.stages[s].out_bytes;
        st.peak_held = st.peak_held.max(st.held);
        (s, b)
    }

    /// Spills kept blocks no running task uses, later blocks first, until `need` fits.
    fn spill_until(&self, st: &mut State, need: usize) -> Result<()> {
        let Some(limit) = self.opts.memory_limit else { return Ok(()) };
        let mut victims: Vec<(Key, usize)> = st
            .store
            .iter()
            .filter_map(|(k, slot)| match &slot.value {
                Held::Mem(v) if Arc::strong_count(v) == 1 && matches!(**v, Value::Block(_)) => Some((*k, v.nbytes())),
                _ => None,
            })
            .collect();
        victims.sort_unstable_by_key(|&((s, b), _)| (Reverse(b), s));
        for (key, bytes) in victims {
            if st.held + need <= limit {
                break;
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
            let spilled = dir.write(block)?;
            slot.value = Held::Disk(spilled);
            st.on_disk += 1;
            st.held -= bytes;
            st.spilled += bytes;
        }
        Ok(())
    }

    /// Runs one task; also returns the bytes of spilled inputs it loaded.
    fn run_task(&self, s: StageId, b: usize, thread: usize) -> (Result<Arc<Value>>, usize) {
        let stage = &self.plan.stages[s];
        let index = chunks::unravel(b, &stage.grid());
        let deps = stage.deps(&index, self.plan);
        let mut loaded = 0;
        let inputs: Result<Vec<Vec<Input>>> = (|| {
            let mut all = Vec::with_capacity(deps.len());
            let mut to_load: Vec<(usize, usize, Key)> = Vec::new();
            {
                let st = self.state.lock().unwrap_or_else(|e| e.into_inner());
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
                            Held::Disk(_) => {
                                to_load.push((e, k, (src, d)));
                                Arc::new(Value::Block(Block::from_buffer(vec![0], Buffer::zeros(in_stage.meta.dtype, 0))))
                            }
                        };
                        v.push(Input { value, start: chunks::block_start(&in_stage.meta.chunks, &chunks::unravel(d, &grid)) });
                    }
                    all.push(v);
                }
            }
            // Read spilled inputs back without holding the lock.
            for (e, k, key) in to_load {
                let block = {
                    let st = self.state.lock().unwrap_or_else(|e| e.into_inner());
                    match st.store.get(&key).map(|s| &s.value) {
                        Some(Held::Disk(d)) => d.load()?,
                        Some(Held::Mem(v)) => match &**v {
                            Value::Block(b) => b.clone(),
                            Value::Partial(_) => return Err(err!(Internal, "compute", "a spilled value is a partial result")),
                        },
                        None => return Err(err!(Internal, "compute", "a spilled input vanished")),
                    }
                };
                loaded += block.nbytes();
                all[e][k].value = Arc::new(Value::Block(block));
            }
            if loaded > 0 {
                let mut st = self.state.lock().unwrap_or_else(|e| e.into_inner());
                st.held += loaded;
                st.peak_held = st.peak_held.max(st.held);
            }
            Ok(all)
        })();
        let inputs = match inputs {
            Ok(i) => i,
            Err(e) => return (Err(e), loaded),
        };
        let t0 = Instant::now();
        let cancel = &*self.opts.cancel;
        let out = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| tasks::run(stage, &index, &inputs, cancel))).unwrap_or_else(|p| {
            let msg = p.downcast_ref::<String>().cloned().or_else(|| p.downcast_ref::<&str>().map(|s| s.to_string())).unwrap_or_default();
            Err(err!(Internal, stage.name.clone(), "a task panicked (a bug in tessera): {msg}"))
        });
        let out = match out {
            Ok(v) => v,
            Err(e) => return (Err(e), loaded),
        };
        if !self.opts.observers.is_empty() {
            let (held, spilled) = {
                let st = self.state.lock().unwrap_or_else(|e| e.into_inner());
                (st.held, st.spilled)
            };
            let ev = TaskEvent { stage: s, held_bytes: held, spilled_bytes: spilled, name: &stage.name, block: b, thread, start: t0, end: Instant::now(), bytes: out.nbytes() };
            for o in &self.opts.observers {
                o.task_done(&ev);
            }
        }
        if let (Some(k), false, true) = (self.output_of[s], self.keep, self.receives_outputs()) {
            if let Err(e) = self.deliver(k, s, &index, &out) {
                return (Err(e), loaded);
            }
        }
        (Ok(Arc::new(out)), loaded)
    }

    /// Copies an output block into its place in the result.
    fn deliver(&self, k: usize, s: StageId, index: &[usize], v: &Value) -> Result<()> {
        let stage = &self.plan.stages[s];
        let Value::Block(block) = v else { return Err(err!(Internal, "compute", "an output is a partial result")) };
        let mut slot = self.outputs[k].lock().unwrap_or_else(|e| e.into_inner());
        if stage.nblocks() == 1 {
            *slot = Some(block.clone());
            return Ok(());
        }
        let shape = &stage.meta.shape;
        if slot.is_none() {
            *slot = Some(Block::from_buffer(shape.clone(), Buffer::try_zeros(stage.meta.dtype, shape.iter().product(), "compute")?));
        }
        let whole = slot.take().expect("allocated above");
        let mut buf = whole.try_into_buffer().map_err(|_| err!(Internal, "compute", "output buffer is shared"))?;
        copy_into(&mut buf, shape, &chunks::block_start(&stage.meta.chunks, index), block);
        *slot = Some(Block::from_buffer(shape.clone(), buf));
        Ok(())
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
            st.held += value.nbytes();
            st.peak_held = st.peak_held.max(st.held);
            st.store.insert((s, b), Slot { value: Held::Mem(Arc::new(value)), remaining: users.len() as u32 + pin });
        }
        self.arrive_at(st, users);
        Ok(())
    }

    fn complete(&self, s: StageId, b: usize, result: Result<Arc<Value>>, loaded: usize) {
        let plan = self.plan;
        let stage = &plan.stages[s];
        let index = chunks::unravel(b, &stage.grid());
        // Consumers and their dependency lists are pure functions: compute them unlocked.
        let (users, remote) = self.consumers(s, &index);
        if let (Ok(v), Some(t)) = (&result, &self.opts.transport) {
            if !remote.is_empty() {
                let msg = wire::encode(s, b, v);
                for &r in &remote {
                    t.send(r, msg.clone());
                }
            }
        }
        let deps = dep_keys(plan, s, &index);
        let mut st = self.state.lock().unwrap_or_else(|e| e.into_inner());
        st.running -= 1;
        st.held -= stage.out_bytes + loaded;
        match result {
            Err(e) => {
                st.error.get_or_insert(e);
            }
            Ok(value) => {
                for d in deps {
                    if let Some(slot) = st.store.get_mut(&d) {
                        slot.remaining -= 1;
                        if slot.remaining == 0 {
                            match st.store.remove(&d) {
                                Some(Slot { value: Held::Mem(v), .. }) => st.held -= v.nbytes(),
                                Some(Slot { value: Held::Disk(_), .. }) => st.on_disk -= 1,
                                None => {}
                            }
                        }
                    }
                }
                if self.output_of[s].is_some() {
                    st.outputs_left -= 1;
                }
                let pin = (self.keep && self.output_of[s].is_some()) as u32;
                if !users.is_empty() || pin > 0 {
                    st.held += value.nbytes();
                    st.peak_held = st.peak_held.max(st.held);
                    st.store.insert((s, b), Slot { value: Held::Mem(value), remaining: users.len() as u32 + pin });
                }
                self.arrive_at(&mut st, users);
            }
        }
        self.wake.notify_all();
    }
}

/// Blocks of source stage `s` (positions `lo..hi`) in the order a rechunk downstream first
/// needs them, so that its output blocks complete early instead of after every source
/// block was made (their pieces would be held, or spilled, meanwhile). `None` keeps C order:
/// no rechunk downstream, or too many blocks to sort cheaply.
fn demand_order(plan: &Plan, users_of: &[Vec<(StageId, usize)>], s: StageId, lo: usize, hi: usize) -> Option<(usize, Vec<usize>)> {
    const MAX_SORTED: usize = 100_000;
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
    if !rechunk || hi - lo > MAX_SORTED {
        return None;
    }
    let grid = plan.stages[s].grid();
    let mut keyed: Vec<(usize, usize)> = (lo..hi).map(|b| (first_use(plan, users_of, s, &chunks::unravel(b, &grid), 8, &mut 4096), b)).collect();
    keyed.sort_unstable();
    Some((lo, keyed.into_iter().map(|(_, b)| b).collect()))
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
    cursors
        .iter()
        .enumerate()
        .filter(|(_, (_, next, end))| next < end)
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
