//! Async work that belongs to a screen and ends with it.

use leptos::prelude::{GetValue, Owner, StoredValue, UpdateValue};
use leptos::reactive::owner::WeakOwner;
use std::future::Future;

/// Where a component's async work runs. Taken in the component's body, it ties work started
/// later (from a click, a live event or another task) to the reactive owner that holds the
/// component's signals: when that owner is cleaned up (the screen is left), the work is
/// cancelled before it can resume. An answer that arrives after the person left is then
/// dropped instead of read from signals that no longer exist, which panics. (A running task
/// holds its owner, so an owner that is only cleaned up when dropped, such as a list row's,
/// lives until its task ends: the task then finishes with its signals still there.)
///
/// Each task adds a small cancel handle to the owner, freed with it. `Copy`, like the
/// component's signals, and stored with them. The owner is held weakly: stored in its own
/// arena, a strong reference would keep an owner that is cleaned up when dropped alive.
/// Components have no owner of their own in Leptos: call it where the owner is the one that
/// goes with the component (a route, a `Show`, a list row), never inside a closure that
/// re-runs on updates, which would cancel the work on every update.
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

/// Which of overlapping requests is the latest (searches typed in a row, refreshes on live
/// events, files chosen in a row): answers to older ones are dropped, so one arriving late
/// never overwrites a newer one. `Copy`, stored with the component's signals.
#[derive(Clone, Copy)]
pub struct Latest(StoredValue<u32>);

impl Default for Latest {
    fn default() -> Self {
        Self(StoredValue::new(0))
    }
}

impl Latest {
    /// Starts a request that supersedes the ones before it; returns its ticket.
    pub fn start(self) -> u32 {
        self.0.update_value(|n| *n = n.wrapping_add(1));
        self.0.get_value()
    }

    /// Whether the request holding `ticket` is still the latest.
    pub fn is_latest(self, ticket: u32) -> bool {
        self.0.get_value() == ticket
    }
}
