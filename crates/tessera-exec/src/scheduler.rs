//! The ready queue, dependency counts and worker loop.

use crate::copy::copy_into;
use crate::{tasks, Input, Options, TaskEvent, Value};
use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashMap};
use std::sync::atomic::Ordering;
use std::sync::{Arc, Condvar, Mutex};
use std::time::Instant;
use tessera_core::chunks;
use tessera_core::plan::{Plan, StageId};
use tessera_core::{err, Block, Buffer, Error, Result};

type Key = (StageId, usize);

struct State {
    /// Ready non-source tasks: deeper stages (closer to the outputs) first.
    ready: BinaryHeap<(usize, Reverse<StageId>, Reverse<usize>)>,
    /// Next block of each source stage.
    cursors: Vec<(StageId, usize)>,
    /// Inputs still missing, for tasks with at least one input done.
    pending: HashMap<Key, u32>,
    /// Finished values and how many consumer tasks still need them.
    store: HashMap<Key, (Arc<Value>, u32)>,
    running: usize,
    outputs_left: usize,
    error: Option<Error>,
}

struct Shared<'a> {
    plan: &'a Plan,
    opts: &'a Options,
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
    let state = State {
        ready: BinaryHeap::new(),
        cursors: (0..n).filter(|&s| plan.stages[s].is_source()).map(|s| (s, 0)).collect(),
        pending: HashMap::new(),
        store: HashMap::new(),
        running: 0,
        outputs_left: distinct_outputs.iter().map(|&s| plan.stages[s].nblocks()).sum(),
        error: None,
    };
    let shared = Shared {
        plan,
        opts,
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
    let st = shared.state.into_inner().unwrap_or_else(|e| e.into_inner());
    if let Some(e) = st.error {
        return Err(e);
    }
    let mut results: Vec<Option<Block>> = shared.outputs.into_iter().map(|m| m.into_inner().unwrap_or_else(|e| e.into_inner())).collect();
    plan.outputs
        .iter()
        .enumerate()
        .map(|(k, &s)| {
            let first = output_of[s].expect("outputs are marked");
            let b = if first == k { results[k].take() } else { results[first].clone() };
            b.ok_or_else(|| err!(Internal, "compute", "output {k} was not produced"))
        })
        .collect()
}

impl Shared<'_> {
    fn work(&self, thread: usize) {
        loop {
            let Some((s, b)) = self.next_task() else { return };
            let result = self.run_task(s, b, thread);
            self.complete(s, b, result);
        }
    }

    /// Blocks until a task is available; `None` when the computation is over.
    fn next_task(&self) -> Option<Key> {
        let mut st = self.state.lock().unwrap_or_else(|e| e.into_inner());
        loop {
            if st.error.is_some() || st.outputs_left == 0 {
                self.wake.notify_all();
                return None;
            }
            if self.opts.cancel.load(Ordering::Relaxed) {
                st.error = Some(err!(Cancelled, "compute", "the computation was cancelled"));
                continue;
            }
            if let Some((_, Reverse(s), Reverse(b))) = st.ready.pop() {
                st.running += 1;
                return Some((s, b));
            }
            // Start the source furthest behind, so that consumers' inputs arrive together.
            let plan = self.plan;
            let pick = st
                .cursors
                .iter()
                .enumerate()
                .filter(|(_, (s, next))| *next < plan.stages[*s].nblocks())
                .min_by(|(_, (s1, n1)), (_, (s2, n2))| {
                    let f1 = *n1 as f64 / plan.stages[*s1].nblocks() as f64;
                    let f2 = *n2 as f64 / plan.stages[*s2].nblocks() as f64;
                    f1.total_cmp(&f2)
                })
                .map(|(i, _)| i);
            if let Some(i) = pick {
                let (s, b) = st.cursors[i];
                st.cursors[i].1 += 1;
                st.running += 1;
                return Some((s, b));
            }
            if st.running == 0 {
                st.error = Some(err!(Internal, "compute", "scheduler stalled with {} output blocks left", st.outputs_left));
                continue;
            }
            st = self.wake.wait(st).unwrap_or_else(|e| e.into_inner());
        }
    }

    fn run_task(&self, s: StageId, b: usize, thread: usize) -> Result<Arc<Value>> {
        let stage = &self.plan.stages[s];
        let index = chunks::unravel(b, &stage.grid());
        let deps = stage.deps(&index, self.plan);
        let inputs: Vec<Vec<Input>> = {
            let st = self.state.lock().unwrap_or_else(|e| e.into_inner());
            let mut all = Vec::with_capacity(deps.len());
            for (e, blocks) in deps.iter().enumerate() {
                let src = stage.edges[e].input;
                let in_stage = &self.plan.stages[src];
                let grid = in_stage.grid();
                let mut v = Vec::with_capacity(blocks.len());
                for &d in blocks {
                    let value = st.store.get(&(src, d)).map(|x| x.0.clone());
                    let value = value.ok_or_else(|| err!(Internal, "compute", "input {} block {d} of {} is missing", in_stage.name, stage.name))?;
                    v.push(Input { value, start: chunks::block_start(&in_stage.meta.chunks, &chunks::unravel(d, &grid)) });
                }
                all.push(v);
            }
            all
        };
        let t0 = Instant::now();
        let cancel = &*self.opts.cancel;
        let out = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| tasks::run(stage, &index, &inputs, cancel)))
            .unwrap_or_else(|p| {
                let msg = p.downcast_ref::<String>().cloned().or_else(|| p.downcast_ref::<&str>().map(|s| s.to_string())).unwrap_or_default();
                Err(err!(Internal, stage.name.clone(), "a task panicked (a bug in tessera): {msg}"))
            })?;
        if !self.opts.observers.is_empty() {
            let ev = TaskEvent { stage: s, name: &stage.name, block: b, thread, start: t0, end: Instant::now(), bytes: out.nbytes() };
            for o in &self.opts.observers {
                o.task_done(&ev);
            }
        }
        if let Some(k) = self.output_of[s] {
            self.deliver(k, s, &index, &out)?;
        }
        Ok(Arc::new(out))
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
            *slot = Some(Block::from_buffer(shape.clone(), Buffer::zeros(stage.meta.dtype, shape.iter().product())));
        }
        let whole = slot.take().expect("allocated above");
        let mut buf = whole.try_into_buffer().map_err(|_| err!(Internal, "compute", "output buffer is shared"))?;
        copy_into(&mut buf, shape, &chunks::block_start(&stage.meta.chunks, index), block);
        *slot = Some(Block::from_buffer(shape.clone(), buf));
        Ok(())
    }

    fn complete(&self, s: StageId, b: usize, result: Result<Arc<Value>>) {
        let plan = self.plan;
        let stage = &plan.stages[s];
        let index = chunks::unravel(b, &stage.grid());
        // Consumers and their dependency lists are pure functions: compute them unlocked.
        let mut users: Vec<Key> = Vec::new();
        for &(c, e) in &self.users_of[s] {
            users.extend(plan.stages[c].users(e, &index).into_iter().map(|cb| (c, cb)));
        }
        if self.users_of[s].len() > 1 {
            users.sort_unstable();
            users.dedup();
        }
        let mut deps: Vec<Key> = stage.deps(&index, plan).into_iter().enumerate().flat_map(|(e, v)| {
            let src = stage.edges[e].input;
            v.into_iter().map(move |d| (src, d))
        }).collect();
        if stage.edges.len() > 1 {
            deps.sort_unstable();
            deps.dedup();
        }
        let mut st = self.state.lock().unwrap_or_else(|e| e.into_inner());
        st.running -= 1;
        match result {
            Err(e) => {
                st.error.get_or_insert(e);
            }
            Ok(value) => {
                for d in deps {
                    if let Some(entry) = st.store.get_mut(&d) {
                        entry.1 -= 1;
                        if entry.1 == 0 {
                            st.store.remove(&d);
                        }
                    }
                }
                if self.output_of[s].is_some() {
                    st.outputs_left -= 1;
                }
                if !users.is_empty() {
                    st.store.insert((s, b), (value, users.len() as u32));
                }
                for u in users {
                    let missing = match st.pending.get_mut(&u) {
                        Some(m) => m,
                        None => {
                            let n = distinct_deps(plan, u);
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
        }
        self.wake.notify_all();
    }
}

fn distinct_deps(plan: &Plan, (c, cb): Key) -> usize {
    let stage = &plan.stages[c];
    let deps = stage.deps(&chunks::unravel(cb, &stage.grid()), plan);
    if deps.len() == 1 {
        return deps[0].len();
    }
    let mut all: Vec<Key> = deps.into_iter().enumerate().flat_map(|(e, v)| {
        let src = stage.edges[e].input;
        v.into_iter().map(move |d| (src, d))
    }).collect();
    all.sort_unstable();
    all.dedup();
    all.len()
}
