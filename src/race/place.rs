//! What the checker keys its state by: a raw address, or the identity of an object that
//! may move.
//!
//! Sync objects and memory locations live in separate maps (TSan's metamap vs shadow
//! memory), so one [`Place`] can name both a WaitGroup (sync) and its semaphore (memory).

/// The identity a sync clock or a shadow word is stored under.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(crate) enum Ident {
    /// A user's address, as passed to [`race::read`](crate::race::read) and friends.
    Addr(usize),
    /// An [`ObjectId`](super::object::ObjectId): stable across moves, never reused.
    Object(u64),
    /// A `gosync::sync::atomic` type's release-sequence clock, at the atomic's address
    /// (kept apart from `Addr`, so a user's `race::release(&a)` cannot overwrite it).
    Atomic(usize),
}

/// An annotated place: its identity, and the address printed in reports.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Place {
    pub(crate) ident: Ident,
    pub(crate) addr: usize,
}

impl Place {
    /// A user's address: identity and printed address are the same.
    #[inline]
    pub(crate) fn addr<T: ?Sized>(addr: *const T) -> Place {
        let addr = addr.cast::<()>() as usize;
        Place {
            ident: Ident::Addr(addr),
            addr,
        }
    }
}
