//! Async work that belongs to a screen and ends with it.

use leptos::prelude::{GetValue, Owner, StoredValue};
use leptos::reactive::owner::WeakOwner;
use std::future::Future;

/// Where a component's async work runs. Taken in the component's body, it lets work started
/// later (from a click, a live event or another task) be cancelled when the component is
/// removed, together with the signals it reads and writes. An answer that arrives after the
/// person left the screen is then dropped instead of read from signals that no longer exist,
/// which panics.
///
/// Each task adds a small cancel handle to the component, freed with it. `Copy`, like the
/// component's signals, and stored with them. The owner is held weakly: stored in its own
/// arena, a strong reference would keep an owner that is cleaned up when dropped alive.
#[derive(Clone, Copy)]
pub struct Tasks(StoredValue<Option<WeakOwner>>);

impl Tasks {
    /// The tasks of the component being built: call it in the component's body, where the
    /// current reactive owner is the one that disposes the component's signals.
    pub fn here() -> Self {
        Self(StoredValue::new(Owner::current().map(|owner| owner.downgrade())))
    }

    /// Runs `task` until it ends or the component is removed, whichever comes first; nothing
    /// if the component is already gone.
    pub fn spawn(self, task: impl Future<Output = ()> + 'static) {
        match self.0.try_get_value() {
            // Taken outside any owner (never in a component body): nothing ends the task.
            Some(None) => leptos::task::spawn_local(task),
            Some(Some(weak)) => {
                if let Some(owner) = weak.upgrade() {
                    owner.with(|| leptos::task::spawn_local_scoped_with_cancellation(task));
                }
            }
            // Gone with the component.
            None => {}
        }
    }
}
