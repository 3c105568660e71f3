//! Async work that belongs to a screen and ends with it.

use leptos::prelude::{Owner, StoredValue, WithValue};
use std::future::Future;

/// Where a component's async work runs. Taken in the component's body, it lets work started
/// later (from a click, a live event or another task) be cancelled when the component is
/// removed, together with the signals it reads and writes. An answer that arrives after the
/// person left the screen is then dropped instead of read from signals that no longer exist,
/// which panics.
///
/// Each task adds a small cancel handle to the component, freed with it. `Copy`, like the
/// component's signals, and stored with them.
#[derive(Clone, Copy)]
pub struct Tasks(StoredValue<Owner>);

impl Tasks {
    /// The tasks of the component being built: call it in the component's body, where the
    /// current reactive owner is the one that disposes the component's signals.
    pub fn here() -> Self {
        // Outside any owner (never the case in a component), a fresh root is never cleaned up:
        // its tasks then simply run to the end.
        Self(StoredValue::new(Owner::current().unwrap_or_default()))
    }

    /// Runs `task` until it ends or the component is removed, whichever comes first; nothing
    /// if the component is already gone.
    pub fn spawn(self, task: impl Future<Output = ()> + 'static) {
        self.0.try_with_value(|owner| owner.with(|| leptos::task::spawn_local_scoped_with_cancellation(task)));
    }
}
