//! The semaphore's tests: unit tests of its contract on OS threads, and loom models of
//! the engine itself (`--cfg gosync_loom`).

/// Go's `semrelease`, then the wake-up of the waiter it readied (as `WaitGroup`'s release
/// does once every token is out): both modules' release.
#[cfg(not(gosync_shuttle))]
fn release(addr: &super::Sema) {
    release_n(addr, 1);
}

/// `n` releases in one call, as `WaitGroup`'s release of `n` waiters makes them
/// (waitgroup.go:101-103), then the wake-ups.
#[cfg(not(gosync_shuttle))]
fn release_n(addr: &super::Sema, n: u32) {
    let mut readied = super::Readied::default();
    readied.reserve(n);
    super::semrelease_n(addr, n, &mut readied);
    readied.wake_all();
}

#[cfg(not(any(gosync_loom, gosync_shuttle)))]
mod contract {
    //! Unit tests of the semaphore's contract (`shared/research/go-internals.md` §1 and the
    //! §5 "Semaphore semantics" checklist). Blocked threads are detected by polling
    //! [`queued_waiters`], never by sleeping.

    // ORDERING: the tests' own loads of a semaphore are SeqCst observations of a count that
    // no other thread changes at that moment (the point of each check); they order nothing.

    use std::sync::Mutex;
    use std::thread::{self, JoinHandle};
    use std::time::Instant;

    use super::{release, release_n};
    use crate::sema::cancel::{semacquire_until, Acquire};
    use crate::sema::{queued_waiters, semacquire, Sema, SEMTABLE, SEM_TAB_SIZE};

    /// Two semaphores whose addresses hash to the same root (`PAIR[0]` and `PAIR[1]`).
    struct SameRoot([Sema; SEM_TAB_SIZE + 1]);

    impl std::ops::Index<usize> for SameRoot {
        type Output = Sema;
        fn index(&self, i: usize) -> &Sema {
            &self.0[i * SEM_TAB_SIZE]
        }
    }

    const fn same_root() -> SameRoot {
        SameRoot([const { Sema::new() }; SEM_TAB_SIZE + 1])
    }

    /// Polls until `n` threads are queued on `addr`; fails instead of spinning if one of
    /// `threads` returned.
    fn wait_until_queued<T>(addr: &Sema, n: usize, threads: &[JoinHandle<T>]) {
        while queued_waiters(addr) != n {
            assert!(
                threads.iter().all(|t| !t.is_finished()),
                "an acquirer returned without a token"
            );
            thread::yield_now();
        }
    }

    /// `n` threads queued on `sema` one after the other (thread `id` is queued before thread
    /// `id + 1` starts), each pushing its id to `woken` once it has its token.
    fn queue_in_order(
        sema: &'static Sema,
        woken: &'static Mutex<Vec<usize>>,
        n: usize,
    ) -> Vec<JoinHandle<()>> {
        let mut threads = Vec::new();
        for id in 0..n {
            threads.push(thread::spawn(move || {
                semacquire(sema);
                woken.lock().unwrap().push(id);
            }));
            wait_until_queued(sema, id + 1, &threads);
        }
        threads
    }

    /// Polls until `done` holds `n` entries.
    fn wait_until_len(done: &Mutex<Vec<usize>>, n: usize) {
        while done.lock().unwrap().len() < n {
            thread::yield_now();
        }
    }

    /// "Every sleep is paired with a single wakeup, even if the wakeup happens before the
    /// sleep": a release with nobody waiting leaves its token, and the next acquire takes it
    /// on the fast path without queueing.
    #[test]
    fn a_token_released_before_the_sleep_is_kept_for_the_acquirer() {
        let sema = Sema::new();
        release(&sema);
        release(&sema);
        assert_eq!(sema.value(), 2);
        semacquire(&sema);
        assert_eq!(sema.value(), 1);
        semacquire(&sema);
        assert_eq!((sema.value(), queued_waiters(&sema)), (0, 0));
    }

    /// Waiters on one address are woken in the order they queued (Go: `lifo = false`).
    #[test]
    fn waiters_on_one_address_wake_in_fifo_order() {
        static SEMA: Sema = Sema::new();
        static WOKEN: Mutex<Vec<usize>> = Mutex::new(Vec::new());
        const N: usize = 5;
        let threads = queue_in_order(&SEMA, &WOKEN, N);
        for released in 1..=N {
            release(&SEMA);
            wait_until_len(&WOKEN, released);
            assert_eq!(queued_waiters(&SEMA), N - released);
        }
        for t in threads {
            t.join().unwrap();
        }
        assert_eq!(*WOKEN.lock().unwrap(), (0..N).collect::<Vec<_>>());
        assert_eq!(SEMA.value(), 0);
    }

    /// One release of many (`WaitGroup`'s release of its waiters, in one call) serves the
    /// queued waiters in FIFO order across its rounds of 32 under one lock hold, one token
    /// each, and leaves the tokens it found no queued waiter for in the semaphore.
    #[test]
    fn a_release_of_many_serves_queued_waiters_in_fifo_order_and_keeps_the_rest() {
        static SEMA: Sema = Sema::new();
        static WOKEN: Mutex<Vec<usize>> = Mutex::new(Vec::new());
        const N: usize = 40;
        let threads = queue_in_order(&SEMA, &WOKEN, N);
        // Two rounds (32 + 3): the first 35 to queue, and only they.
        release_n(&SEMA, 35);
        // The release dequeues under the root lock, before it returns.
        assert_eq!(queued_waiters(&SEMA), N - 35);
        wait_until_len(&WOKEN, 35);
        let mut woken = WOKEN.lock().unwrap().clone();
        woken.sort_unstable();
        assert_eq!(woken, (0..35).collect::<Vec<_>>());
        assert_eq!(SEMA.value(), 0);

        // Seven tokens for the five still queued: two stay for the next acquirers.
        release_n(&SEMA, 7);
        for t in threads {
            t.join().unwrap();
        }
        assert_eq!((queued_waiters(&SEMA), SEMA.value()), (0, 2));
        semacquire(&SEMA);
        semacquire(&SEMA);
        assert_eq!(SEMA.value(), 0);
    }

    /// Two addresses in one 8-byte word share a root (Go's `(addr >> 3) % 251`), so the
    /// root's `nwait` counts both; a release still wakes only a waiter of its own address.
    #[test]
    fn a_release_wakes_only_waiters_of_its_address() {
        static PAIR: SameRoot = same_root();
        static WOKEN: Mutex<Vec<usize>> = Mutex::new(Vec::new());
        let (a, b) = (&PAIR[0], &PAIR[1]);
        assert!(std::ptr::eq(
            SEMTABLE.root_for(crate::sema::address(a)),
            SEMTABLE.root_for(crate::sema::address(b))
        ));

        let on_a = thread::spawn(|| {
            semacquire(&PAIR[0]);
            WOKEN.lock().unwrap().push(0);
        });
        wait_until_queued(a, 1, std::slice::from_ref(&on_a));
        let on_b = thread::spawn(|| {
            semacquire(&PAIR[1]);
            WOKEN.lock().unwrap().push(1);
        });
        wait_until_queued(b, 1, std::slice::from_ref(&on_b));

        release(b);
        on_b.join().unwrap();
        assert_eq!(*WOKEN.lock().unwrap(), [1]);
        assert_eq!((queued_waiters(a), a.value(), b.value()), (1, 0, 0));

        release(a);
        on_a.join().unwrap();
        assert_eq!(*WOKEN.lock().unwrap(), [1, 0]);
        assert_eq!((queued_waiters(a), a.value()), (0, 0));
    }

    /// The releaser takes the token it just added on the behalf of the waiter it dequeued (Go's
    /// `handoff`, `s.ticket = 1`; gosync does it on every release, under the root lock), so the
    /// count is back to 0 when `semrelease` returns and stays 0, yet the waiter returns: it
    /// was handed the token rather than taking it.
    #[test]
    fn a_handoff_release_passes_the_token_directly_to_the_waiter() {
        static SEMA: Sema = Sema::new();
        let waiter = thread::spawn(|| semacquire(&SEMA));
        wait_until_queued(&SEMA, 1, std::slice::from_ref(&waiter));
        release(&SEMA);
        assert_eq!(SEMA.value(), 0, "the releaser consumed the token");
        waiter.join().unwrap();
        assert_eq!((SEMA.value(), queued_waiters(&SEMA)), (0, 0));
    }

    /// Without waiters for it, a release with the root's `nwait` raised
    /// by another address leaves the token in place (Go: nothing dequeued for this address).
    #[test]
    fn a_release_without_a_queued_waiter_keeps_its_token_even_on_a_busy_root() {
        static PAIR: SameRoot = same_root();
        let busy = thread::spawn(|| semacquire(&PAIR[0]));
        wait_until_queued(&PAIR[0], 1, std::slice::from_ref(&busy));
        release(&PAIR[1]);
        assert_eq!((PAIR[1].value(), queued_waiters(&PAIR[0])), (1, 1));
        semacquire(&PAIR[1]);
        assert_eq!(PAIR[1].value(), 0);
        release(&PAIR[0]);
        busy.join().unwrap();
    }

    /// A debt (a waiter that left on credit: a release counted it, its token had not come)
    /// takes the next token before a waiter queued since: a group reused once the debtor
    /// returned queues such a waiter, and it must not return before its own generation's
    /// release. gosync's release adds its tokens to the semaphore first (Go's order), where
    /// the debt takes them; a release that handed its tokens straight to the queued waiters
    /// (tried for speed: docs/performance-sleeping.md, "One hand-off") readied the later
    /// waiter instead, and loom's `withdrawn_waiter_then_reuse` and
    /// `cancelled_task_then_reuse` (tests/loom_beyond.rs) panicked "reused"; here the debt
    /// stayed and the later waiter returned.
    #[test]
    fn a_debt_takes_the_next_token_before_a_waiter_queued_since() {
        static SEMA: Sema = Sema::new();
        let owed = semacquire_until(&SEMA, Instant::now(), || false);
        assert_eq!(owed, Acquire::Owed);
        let later = thread::spawn(|| semacquire(&SEMA));
        wait_until_queued(&SEMA, 1, std::slice::from_ref(&later));
        release(&SEMA);
        assert_eq!(
            (SEMA.value(), queued_waiters(&SEMA)),
            (0, 1),
            "the token paid the debt; the later waiter still waits"
        );
        release(&SEMA);
        later.join().unwrap();
        assert_eq!((SEMA.value(), queued_waiters(&SEMA)), (0, 0));
    }

    /// The treap of addresses and each address's list, against a model (a FIFO per address),
    /// through every operation the semaphore makes: queue, dequeue, and a withdrawal from the
    /// head, the middle or the tail of a list. After every step the links are checked: the
    /// tree is ordered by address and heap-ordered by ticket, every parent link is the
    /// inverse of a child link, and each list runs head to tail through `waitlink`, back
    /// through `waitprev`, with `waittail` on its head. Many keys, one `WaitQueues`: the
    /// worst case of one root (Go issue 17953). No threads: it checks the unsafe links alone
    /// (also under Miri: `cargo +nightly miri test --lib sema::tests::treap`).
    #[test]
    fn treap_matches_a_fifo_per_address_through_queue_dequeue_and_withdrawal() {
        use std::collections::{BTreeMap, VecDeque};

        use crate::sema::sudog::{acquire_sudog, release_sudog, Sudog, SudogRef};
        use crate::sema::{l, Key, WaitQueues};

        /// Every invariant of the treap and its lists; returns the queues it holds.
        fn check(q: &mut WaitQueues) -> BTreeMap<Key, Vec<*mut Sudog>> {
            let mut found = BTreeMap::new();
            // SAFETY: every node reached is queued in `q`, which this thread owns.
            unsafe fn walk(
                t: *mut Sudog,
                parent: *mut Sudog,
                range: (Option<Key>, Option<Key>),
                found: &mut BTreeMap<Key, Vec<*mut Sudog>>,
            ) {
                if t.is_null() {
                    return;
                }
                // SAFETY: the caller's contract.
                unsafe {
                    let n = &*l(t);
                    assert_eq!(n.parent, parent, "parent link");
                    assert!(
                        range.0.map_or(true, |low| low < n.elem)
                            && range.1.map_or(true, |high| n.elem < high),
                        "ordered by key"
                    );
                    if !parent.is_null() {
                        assert!((*l(parent)).ticket <= n.ticket, "heap-ordered by ticket");
                    }
                    assert!(n.waitprev.is_null(), "a head has no waitprev");
                    let mut list = vec![t];
                    let (mut prev, mut s) = (t, n.waitlink);
                    while !s.is_null() {
                        assert_eq!((*l(s)).elem, n.elem, "a list holds one address");
                        assert_eq!(
                            (*l(s)).waitprev,
                            prev,
                            "waitprev is the inverse of waitlink"
                        );
                        list.push(s);
                        (prev, s) = (s, (*l(s)).waitlink);
                    }
                    let tail = if list.len() == 1 {
                        std::ptr::null_mut()
                    } else {
                        prev
                    };
                    assert_eq!(n.waittail, tail, "waittail is the last of the list");
                    found.insert(n.elem, list);
                    walk(n.prev, t, (range.0, Some(n.elem)), found);
                    walk(n.next, t, (Some(n.elem), range.1), found);
                }
            }
            // SAFETY: as above.
            unsafe { walk(q.treap, std::ptr::null_mut(), (None, None), &mut found) };
            found
        }

        let mut q = WaitQueues::new(7);
        let mut model: BTreeMap<Key, VecDeque<*mut Sudog>> = BTreeMap::new();
        let mut free: Vec<SudogRef> = (0..64).map(|_| acquire_sudog()).collect();
        let mut owned: Vec<SudogRef> = Vec::new(); // queued, by node
        let mut rand = 0x2545_F491_u32;
        let mut next = move |n: usize| {
            rand ^= rand << 13;
            rand ^= rand >> 17;
            rand ^= rand << 5;
            rand as usize % n
        };
        for step in 0..if cfg!(miri) { 1_500 } else { 20_000 } {
            // Addresses, and ids for groups that moved away from one (see `Sema`).
            let addr = Key {
                addr: 8 * (1 + next(12)),
                id: 1 + next(3) as u32,
            };
            match next(3) {
                0 if !free.is_empty() => {
                    let s = free.swap_remove(next(free.len()));
                    // SAFETY: `s` is ours and in no queue; `q` is this thread's.
                    unsafe { q.queue(addr, s.as_ptr()) };
                    model.entry(addr).or_default().push_back(s.as_ptr());
                    owned.push(s);
                }
                1 => {
                    // SAFETY: `q` is this thread's.
                    let got = unsafe { q.dequeue(addr) };
                    let want = model.get_mut(&addr).and_then(VecDeque::pop_front);
                    assert_eq!(got, want, "step {step}: dequeue is FIFO per address");
                    if model.get(&addr).is_some_and(VecDeque::is_empty) {
                        model.remove(&addr);
                    }
                    if let Some(s) = got {
                        let i = owned.iter().position(|o| o.as_ptr() == s).unwrap();
                        free.push(owned.swap_remove(i));
                    }
                }
                _ if !owned.is_empty() => {
                    let i = next(owned.len());
                    let s = owned[i].as_ptr();
                    // SAFETY: `s` is queued in `q`, which is this thread's.
                    let a = unsafe { (*l(s)).elem };
                    // SAFETY: as above.
                    let removed = unsafe { q.remove(a, s) };
                    assert!(removed, "step {step}: a queued node is removed");
                    let list = model.get_mut(&a).unwrap();
                    list.retain(|&x| x != s);
                    if list.is_empty() {
                        model.remove(&a);
                    }
                    free.push(owned.swap_remove(i));
                }
                _ => {}
            }
            let found = check(&mut q);
            let want: BTreeMap<Key, Vec<*mut Sudog>> = model
                .iter()
                .map(|(&a, list)| (a, list.iter().copied().collect()))
                .collect();
            assert_eq!(
                found, want,
                "step {step}: the treap holds the model's queues"
            );
        }
        for s in owned {
            // SAFETY: as above.
            let a = unsafe { (*l(s.as_ptr())).elem };
            // SAFETY: as above.
            assert!(unsafe { q.remove(a, s.as_ptr()) });
            free.push(s);
        }
        assert!(q.treap.is_null());
        free.into_iter().for_each(release_sudog);
    }

    /// Ids drawn on different threads are distinct and never 0, across more than one
    /// block per thread: the blocks are disjoint ranges of the one counter (`draw_id`).
    #[test]
    fn ids_drawn_in_blocks_are_distinct_across_threads() {
        const PER_THREAD: usize = 3 * super::super::ID_BLOCK as usize + 7;
        let drawn: Vec<u32> = thread::scope(|s| {
            let threads: Vec<_> = (0..4)
                .map(|_| {
                    s.spawn(|| {
                        (0..PER_THREAD)
                            .map(|_| super::super::draw_id())
                            .collect::<Vec<_>>()
                    })
                })
                .collect();
            threads
                .into_iter()
                .flat_map(|t| t.join().unwrap())
                .collect()
        });
        assert!(!drawn.contains(&0), "0 is no id");
        let distinct: std::collections::HashSet<_> = drawn.iter().collect();
        assert_eq!(distinct.len(), drawn.len(), "an id was drawn twice");
    }

    /// The sudog cache never hands one node to two owners, through every move it makes.
    /// Each round, two threads take three caches' worth of nodes each (refills from the
    /// central cache, then new nodes) and hand them to this thread, which holds them all
    /// at once: they must be distinct and clean (in no queue, no wake handle, not
    /// readied). Two more threads give them back (spills of half a full cache to the
    /// central one) and exit (their caches' nodes are freed), for the next round's
    /// refills. No barrier: a failed check fails the test rather than stranding a thread.
    #[test]
    fn the_sudog_cache_never_hands_out_a_node_twice_through_spills_and_refills() {
        use crate::sema::sudog::{acquire_sudog, release_sudog, Sudog, LOCAL_CAPACITY};
        const HELD: usize = 3 * LOCAL_CAPACITY;
        for _ in 0..3 {
            let taken: Vec<_> = thread::scope(|s| {
                let takers: Vec<_> = (0..2)
                    .map(|_| s.spawn(|| (0..HELD).map(|_| acquire_sudog()).collect::<Vec<_>>()))
                    .collect();
                takers.into_iter().flat_map(|t| t.join().unwrap()).collect()
            });
            let mut addresses: Vec<usize> = taken.iter().map(|n| n.as_ptr() as usize).collect();
            addresses.sort_unstable();
            addresses.dedup();
            assert_eq!(addresses.len(), taken.len(), "a node held by two owners");
            for node in &taken {
                let s = node.as_ptr();
                // SAFETY: this thread owns every node taken, none is queued.
                unsafe {
                    assert!((*Sudog::links(s)).is_empty(), "in no queue");
                    assert!((*Sudog::wake(s)).is_none(), "no wake handle");
                }
                assert!(!node.get().readied(), "not readied");
            }
            let mut taken = taken;
            let second_half = taken.split_off(HELD);
            thread::scope(|s| {
                for half in [taken, second_half] {
                    s.spawn(|| half.into_iter().for_each(release_sudog));
                }
            });
        }
    }
}

#[cfg(gosync_loom)]
mod model {
    //! loom models of the acquisition engine itself, below `WaitGroup`: what a `WaitGroup` in
    //! correct use never does (a barging acquirer), but the engine must survive.

    use std::sync::Arc as StdArc;
    use std::task::{Poll, Wake, Waker};

    use loom::sync::{Arc, Notify};
    use loom::thread;

    use super::{release, release_n};
    use crate::sema::{cancel::Acquire, semacquire, Acquisition, Sema, Slept};

    /// Wakes a model thread waiting in its poll loop. A loom `Notify`, not the thread's
    /// `unpark`: loom makes an unparked thread runnable whatever it is blocked on, and a
    /// release may wake the task after its loop has returned, when the thread is blocked
    /// in a `join`, which loom then fails ("assertion failed: state.notified").
    #[derive(Default)]
    struct Notified(Notify);
    impl Wake for Notified {
        fn wake(self: StdArc<Self>) {
            self.0.notify();
        }
    }

    /// A model thread that runs `f` on the shared semaphore.
    fn spawn_on(
        sema: &Arc<Sema>,
        f: impl FnOnce(&Sema) + Send + 'static,
    ) -> thread::JoinHandle<()> {
        let sema = Arc::clone(sema);
        thread::spawn(move || f(&sema))
    }

    /// One poll of a task's acquisition: queued (`Pending`) or done.
    fn poll_task(task: &mut Acquisition, sema: &Sema) -> Poll<Acquire> {
        task.poll(
            sema,
            |_| Slept::Pending,
            || unreachable!("a task never expires"),
        )
    }

    /// Joins the model's threads, then checks that every token was taken and no debt is
    /// left.
    fn join_then_empty(threads: impl IntoIterator<Item = thread::JoinHandle<()>>, sema: &Sema) {
        for t in threads {
            t.join().unwrap();
        }
        assert_eq!(sema.value(), 0);
    }

    /// A task queued on a semaphore whose first token a barging acquirer may take: a release
    /// that finds its token gone leaves the task queued (it dequeues no waiter without a
    /// token), and the release that brings the next token dequeues and wakes it; the task
    /// never hangs (loom reports the deadlock) and every token is taken.
    #[test]
    fn a_release_whose_token_a_barger_took_leaves_the_task_for_the_next() {
        loom::model(|| {
            let sema = Arc::new(Sema::new());
            let barger = spawn_on(&sema, semacquire);
            let releaser = spawn_on(&sema, |sema| {
                release(sema);
                release(sema);
            });
            let notified = StdArc::new(Notified::default());
            let waker = Waker::from(StdArc::clone(&notified));
            let mut task = Acquisition::task(waker.clone());
            loop {
                task.set_waker(&sema, &waker);
                let polled = poll_task(&mut task, &sema);
                if polled == Poll::Ready(Acquire::Token) {
                    break;
                }
                notified.0.wait();
            }
            join_then_empty([barger, releaser], &sema);
        });
    }

    /// A waiter that a release readied takes its token, returns, and queues again on the same
    /// node (its thread's sudog cache gives the node straight back) while the releaser may
    /// still be between readying it and waking it. The releaser touches only the wake handle
    /// it took out under the root lock, never the node after its `readied` store: loom checks
    /// every access to the node's cells, so a releaser that touched the node later would be a
    /// reported race with the node's second wait. Both waits get their tokens.
    #[test]
    fn a_readied_node_is_reused_by_its_waiter_while_its_releaser_wakes_it() {
        loom::model(|| {
            let sema = Arc::new(Sema::new());
            let waiter = spawn_on(&sema, |sema| {
                semacquire(sema);
                semacquire(sema);
            });
            release(&sema);
            release(&sema);
            join_then_empty([waiter], &sema);
        });
    }

    /// One release of two tokens (a group's release of two waiters, in one call) while a
    /// barging acquirer takes one of them: the release's round finds one token, readies
    /// one waiter at most, and leaves the other queued (or on its way) for the next
    /// release; nobody hangs (loom reports a deadlock) and every token is taken.
    #[test]
    fn a_release_of_two_whose_token_a_barger_took_leaves_a_waiter_for_the_next() {
        loom::model(|| {
            let sema = Arc::new(Sema::new());
            let acquirers: Vec<_> = (0..3).map(|_| spawn_on(&sema, semacquire)).collect();
            release_n(&sema, 2);
            release(&sema);
            join_then_empty(acquirers, &sema);
        });
    }

    /// A task that leaves on credit (its owner says a release counted it) while one
    /// release of two tokens serves it and another waiter: either the release dequeued the
    /// task first (it keeps its token) or the task's debt takes one of the two, and the
    /// release's round, finding one token, readies only the other waiter. Every waiter
    /// returns and the semaphore ends empty, with no debt left.
    #[test]
    fn a_task_leaving_on_credit_during_a_release_of_two_leaves_one_token_for_the_other() {
        loom::model(|| {
            let sema = Arc::new(Sema::new());
            let waiter = spawn_on(&sema, semacquire);
            let releaser = spawn_on(&sema, |sema| release_n(sema, 2));
            let mut task = Acquisition::task(Waker::from(StdArc::new(Notified::default())));
            let polled = poll_task(&mut task, &sema);
            if polled == Poll::Pending {
                let left = task.cancel(&sema, || false);
                assert!(matches!(left, Some(Acquire::Token | Acquire::Owed)));
            }
            join_then_empty([waiter, releaser], &sema);
        });
    }
}
