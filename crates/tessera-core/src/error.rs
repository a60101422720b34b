//! The one error type. Every error names the operation and the values at fault.

use std::fmt;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ErrorKind {
    /// Shapes that do not fit together (broadcasting, reshape, concatenation).
    Shape,
    /// An axis out of range or repeated.
    Axis,
    /// An index or slice out of bounds.
    Index,
    /// An invalid chunk specification.
    Chunks,
    /// A dtype an operation does not accept.
    DType,
    /// A bad argument value (negative size, zero step, ...).
    Value,
    /// The computation was cancelled.
    Cancelled,
    /// A task cannot fit under the memory limit.
    Memory,
    /// A bug in tessera: an invariant did not hold.
    Internal,
    /// Reading or writing a store failed (a missing path, a corrupt chunk, a read-only
    /// store); the message names the store, the path and the block.
    Io,
    /// A user's function (a `map_blocks` callable, ...) failed; `Error::payload` holds its
    /// own error, which the front end re-raises unchanged.
    User,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Error {
    pub kind: ErrorKind,
    /// The operation being built or run, e.g. `"add"`, `"rechunk"`.
    pub op: String,
    pub message: String,
    /// The front end's own error object (a Python exception), carried through the core.
    pub payload: Option<Payload>,
}

/// An opaque error object; errors compare equal whatever their payloads.
#[derive(Clone)]
pub struct Payload(pub std::sync::Arc<dyn std::any::Any + Send + Sync>);

impl fmt::Debug for Payload {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Payload(..)")
    }
}

impl PartialEq for Payload {
    fn eq(&self, _: &Self) -> bool {
        true
    }
}

impl Eq for Payload {}

impl Error {
    pub fn new(kind: ErrorKind, op: impl Into<String>, message: impl Into<String>) -> Self {
        Error { kind, op: op.into(), message: message.into(), payload: None }
    }
    /// A user function's failure, carrying its own error object.
    pub fn user(op: impl Into<String>, message: impl Into<String>, payload: std::sync::Arc<dyn std::any::Any + Send + Sync>) -> Self {
        Error { kind: ErrorKind::User, op: op.into(), message: message.into(), payload: Some(Payload(payload)) }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.op, self.message)
    }
}

impl std::error::Error for Error {}

pub type Result<T> = std::result::Result<T, Error>;

/// Bytes for messages: "512.0 MiB".
pub fn human_bytes(bytes: usize) -> String {
    let b = bytes as f64;
    if b >= 1073741824.0 {
        format!("{:.1} GiB", b / 1073741824.0)
    } else if b >= 1048576.0 {
        format!("{:.1} MiB", b / 1048576.0)
    } else if b >= 1024.0 {
        format!("{:.1} KiB", b / 1024.0)
    } else {
        format!("{bytes} B")
    }
}

/// `bail!(Kind, "op", "format {}", args)` returns an `Err` of that kind.
#[macro_export]
macro_rules! bail {
    ($kind:ident, $op:expr, $($fmt:tt)+) => {
        return Err($crate::error::Error::new($crate::error::ErrorKind::$kind, $op, format!($($fmt)+)))
    };
}

/// `err!(Kind, "op", "format {}", args)` builds an `Error` of that kind.
#[macro_export]
macro_rules! err {
    ($kind:ident, $op:expr, $($fmt:tt)+) => {
        $crate::error::Error::new($crate::error::ErrorKind::$kind, $op, format!($($fmt)+))
    };
}
