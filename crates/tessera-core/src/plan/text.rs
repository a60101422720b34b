//! The plan as text (`explain()`).

use super::*;

impl Plan {
    /// Total number of tasks.
    pub fn task_count(&self) -> usize {
        self.stages.iter().map(|s| s.tasks()).sum()
    }
    /// The plan as text: one line per stage with its fused operations.
    pub fn text(&self) -> String {
        use std::fmt::Write;
        let mut out = String::new();
        for (i, s) in self.stages.iter().enumerate() {
            let inputs: Vec<String> = s.edges.iter().map(|e| format!("s{}", e.input)).collect();
            let ops = match &s.kind {
                StageKind::Fused { program, head, .. } => {
                    let mut v = vec![program_text(program)];
                    v.extend(head_text(head));
                    v.join(" -> ")
                }
                StageKind::Combine { axes, .. } => format!("combine(axes={axes:?})"),
                StageKind::Rechunk => "rechunk".into(),
                StageKind::Reshape => "reshape".into(),
                StageKind::Blocks(_) => "persisted".into(),
                StageKind::Blockwise { kernel, args, head, .. } => {
                    // Arguments computed in the task show their programs.
                    let mut v: Vec<String> = args
                        .iter()
                        .filter_map(|a| match a {
                            BlockArg::Program { program, .. } => Some(program_text(program)),
                            BlockArg::Edge(_) => None,
                        })
                        .collect();
                    v.push(format!("blockwise({})", kernel.name()));
                    v.extend(head_text(head));
                    v.join(" -> ")
                }
                StageKind::Gather { spec, .. } => format!("gather(axis={}, runs={})", spec.axis, spec.segs().len()),
                StageKind::Part { of, k } => format!("output {k} of s{of}"),
                StageKind::Regions { spec, views, .. } => {
                    let b: Vec<String> = spec.axes.iter().map(|a| a.boundary.name()).collect();
                    format!("{}({}){}", spec.name, b.join(", "), if *views { " views" } else { "" })
                }
            };
            let _ = writeln!(
                out,
                "s{i} {} [{}] tasks={} shape={:?} {} bytes/task={} inputs=[{}]",
                s.name,
                ops,
                s.tasks(),
                s.meta.shape,
                s.meta.dtype,
                s.task_bytes(),
                inputs.join(", ")
            );
        }
        out
    }
}

pub(super) fn program_text(program: &[(Instr, DType)]) -> String {
    program.iter().map(|(i, _)| instr_name(i)).collect::<Vec<_>>().join(" -> ")
}

/// A partial head as it shows in plans: `sum_chunk(axes=[0])`.
pub(super) fn head_text(head: &Head) -> Option<String> {
    match head {
        Head::Partial { op, axes } => Some(format!("{}_chunk(axes={axes:?})", op.name())),
        Head::Store => None,
    }
}

pub(super) fn instr_name(i: &Instr) -> String {
    match i {
        Instr::Leaf(l) => format!("leaf{l}"),
        Instr::Unary(op, _) => op.name().into(),
        Instr::Binary(op, ..) | Instr::BinaryScalar { op, .. } => op.name().into(),
        Instr::Cast(_) => "astype".into(),
        Instr::Where(..) => "where".into(),
    }
}
