//! Who is signed in. The server decides what each role may do; the app only hides what a role
//! cannot use.

use kycard_core::wire::{Role, SessionUser};
use leptos::prelude::*;

/// The signed-in user, shared through context; `None` when signed out.
#[derive(Debug, Clone, Copy)]
pub struct Session {
    /// The user, once known.
    pub user: RwSignal<Option<SessionUser>>,
    /// Whether the first `GET /session` has answered.
    pub checked: RwSignal<bool>,
}

impl Session {
    /// Whether the user's role covers `role`.
    pub fn can(&self, role: Role) -> bool {
        self.user.with(|u| u.as_ref().is_some_and(|u| u.role.covers(role)))
    }
}

/// The session from context.
pub fn session() -> Session {
    expect_context::<Session>()
}
