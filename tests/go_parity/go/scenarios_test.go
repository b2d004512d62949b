// Deterministic WaitGroup scenarios, each recorded op by op. Their Rust twins are in
// tests/go_parity/scenarios.rs, in the same order and with the same names; the outcome
// lines go to golden/scenarios.txt.
//
// Multi-goroutine scenarios only record what Go makes certain: a waiter is started and
// then polled for (waiters == n in the state word, runtime.Gosched between polls, never
// a sleep), its result is recorded after it returns, and the semaphore is read only when
// no goroutine is between its wake-up and its return.
package parity

import (
	"fmt"
	"math"
	"runtime"
	"sync"
	"testing"
)

// recorder runs one scenario's ops on one WaitGroup and keeps one line per op.
type recorder struct {
	name  string
	wg    sync.WaitGroup
	lines []string
}

func (r *recorder) record(step, result string) {
	r.lines = append(r.lines, fmt.Sprintf("%s | %s | %s", r.name, step, result))
}

// op runs one call on this goroutine and records its outcome and the state word after it.
func (r *recorder) op(step string, f func()) {
	result := outcome(f)
	counter, waiters := goState(&r.wg)
	r.record(step, fmt.Sprintf("%s; counter=%d waiters=%d", result, counter, waiters))
}

func (r *recorder) add(delta int) { r.op(fmt.Sprintf("add(%d)", delta), func() { r.wg.Add(delta) }) }
func (r *recorder) done()         { r.op("done", r.wg.Done) }
func (r *recorder) wait()         { r.op("wait", r.wg.Wait) }

// state records the whole state; call it only when no goroutine is inside a call.
func (r *recorder) state() {
	counter, waiters := goState(&r.wg)
	sema := goSema(&r.wg)
	r.record("state", fmt.Sprintf("counter=%d waiters=%d sema=%d", counter, waiters, sema))
}

// startWaiters starts n goroutines calling Wait and returns once all n are registered.
func (r *recorder) startWaiters(n int) []chan string {
	_, before := goState(&r.wg)
	results := make([]chan string, n)
	for i := range results {
		results[i] = make(chan string, 1)
		go func(result chan<- string) { result <- outcome(r.wg.Wait) }(results[i])
	}
	for {
		if _, waiters := goState(&r.wg); waiters == before+uint32(n) {
			break
		}
		runtime.Gosched()
	}
	r.record(fmt.Sprintf("%d waiters parked", n), "ok")
	return results
}

// joinWaiters records each waiter's result, in start order.
func (r *recorder) joinWaiters(results []chan string) {
	for i, result := range results {
		r.record(fmt.Sprintf("waiter %d returns", i), <-result)
	}
}

// doneElsewhere calls Done on n other goroutines, one after the other, each returning
// before the next starts, and records each outcome.
func (r *recorder) doneElsewhere(n int) {
	for i := 0; i < n; i++ {
		result := make(chan string, 1)
		go func() { result <- outcome(r.wg.Done) }()
		r.record(fmt.Sprintf("goroutine %d done", i), <-result)
	}
}

var scenarios = []struct {
	name string
	run  func(r *recorder)
}{
	// Single goroutine: Go's arithmetic, its panics, and the state each panic leaves.
	{"zero_value_wait", func(r *recorder) { r.wait(); r.state() }},
	{"wait_twice_on_zero", func(r *recorder) { r.wait(); r.wait() }},
	{"add_zero", func(r *recorder) { r.add(0); r.state() }},
	{"add_done_wait", func(r *recorder) { r.add(1); r.done(); r.wait(); r.state() }},
	{"add_two_done_twice", func(r *recorder) { r.add(2); r.done(); r.done(); r.wait() }},
	{"add_negative_delta_to_zero", func(r *recorder) { r.add(5); r.add(-5); r.wait() }},
	{"reuse_sequentially", func(r *recorder) {
		r.add(1)
		r.done()
		r.wait()
		r.add(2)
		r.done()
		r.done()
		r.wait()
	}},
	{"done_on_zero", func(r *recorder) { r.done(); r.state() }},
	{"done_twice_on_zero", func(r *recorder) { r.done(); r.done(); r.state() }},
	{"negative_then_add_back_to_zero", func(r *recorder) { r.done(); r.add(1); r.wait(); r.state() }},
	{"negative_then_add_past_zero", func(r *recorder) { r.done(); r.add(3); r.done(); r.done(); r.wait() }},
	{"negative_then_add_still_negative", func(r *recorder) { r.done(); r.done(); r.add(1); r.add(1); r.wait() }},
	{"add_1_shl_32_is_noop", func(r *recorder) { r.add(1 << 32); r.wait() }},
	{"add_1_shl_32_plus_1_is_add_1", func(r *recorder) { r.add(1<<32 + 1); r.done(); r.wait() }},
	{"add_1_shl_32_minus_1_is_add_minus_1", func(r *recorder) { r.add(1<<32 - 1); r.state() }},
	{"add_minus_1_shl_32_is_noop", func(r *recorder) { r.add(-(1 << 32)); r.wait() }},
	{"add_minus_1_shl_32_plus_1_is_add_1", func(r *recorder) { r.add(-(1 << 32) + 1); r.done(); r.wait() }},
	{"add_1_shl_31", func(r *recorder) { r.add(1 << 31); r.state() }},
	{"add_minus_1_shl_31", func(r *recorder) { r.add(-(1 << 31)); r.state() }},
	{"add_1_shl_31_twice_wraps_to_zero", func(r *recorder) { r.add(1 << 31); r.add(1 << 31); r.wait() }},
	{"add_max_int32_then_one", func(r *recorder) { r.add(math.MaxInt32); r.add(1); r.state() }},
	{"add_max_int32_twice", func(r *recorder) { r.add(math.MaxInt32); r.add(math.MaxInt32) }},
	{"add_max_int32_and_back", func(r *recorder) { r.add(math.MaxInt32); r.add(-math.MaxInt32); r.wait() }},
	{"add_min_int32_then_done_wraps", func(r *recorder) { r.add(math.MinInt32); r.done(); r.state() }},
	{"add_max_int64", func(r *recorder) { r.add(math.MaxInt64); r.state() }},
	{"add_min_int64_is_noop", func(r *recorder) { r.add(math.MinInt64); r.wait() }},
	{"add_min_int64_plus_1_is_add_1", func(r *recorder) { r.add(math.MinInt64 + 1); r.done(); r.wait() }},

	// Several goroutines, where Go's outcome is certain.
	{"surplus_done_then_add_releases_parked_waiter", func(r *recorder) {
		r.done()
		w := r.startWaiters(1)
		r.state()
		r.add(1)
		r.joinWaiters(w)
		r.state()
	}},
	{"several_waiters_released_by_one_done", func(r *recorder) {
		r.add(1)
		w := r.startWaiters(4)
		r.state()
		r.done()
		r.joinWaiters(w)
		r.state()
	}},
	{"reuse_after_every_waiter_returned", func(r *recorder) {
		for generation := 0; generation < 3; generation++ {
			r.add(2)
			w := r.startWaiters(2)
			r.doneElsewhere(2)
			r.joinWaiters(w)
			r.state()
		}
	}},
	{"counter_moves_while_waiters_parked", func(r *recorder) {
		r.add(1)
		w := r.startWaiters(3)
		r.add(0)
		r.add(5)
		r.add(-5)
		r.state()
		r.done()
		r.joinWaiters(w)
		r.state()
	}},
	{"waiters_parked_in_two_batches", func(r *recorder) {
		r.add(2)
		first := r.startWaiters(2)
		r.done()
		second := r.startWaiters(3)
		r.state()
		r.done()
		r.joinWaiters(first)
		r.joinWaiters(second)
		r.state()
	}},
	{"negative_counter_with_waiter_partial_add", func(r *recorder) {
		r.done()
		r.done()
		w := r.startWaiters(1)
		r.add(1)
		r.add(1)
		r.joinWaiters(w)
		r.state()
	}},
	{"wrapping_negative_delta_releases_parked_waiter", func(r *recorder) {
		r.done()
		w := r.startWaiters(1)
		r.add(-(1 << 32) + 1)
		r.joinWaiters(w)
		r.state()
	}},
	{"shifted_out_delta_keeps_waiter_parked", func(r *recorder) {
		r.add(1)
		w := r.startWaiters(1)
		r.add(1 << 32)
		r.add(-(1 << 32))
		r.state()
		r.done()
		r.joinWaiters(w)
		r.state()
	}},
	{"max_int64_delta_releases_parked_waiter", func(r *recorder) {
		r.add(1)
		w := r.startWaiters(2)
		r.add(math.MaxInt64)
		r.joinWaiters(w)
		r.state()
	}},
	{"waiter_on_min_int32_counter", func(r *recorder) {
		r.add(1 << 31)
		w := r.startWaiters(1)
		r.add(1 << 31)
		r.joinWaiters(w)
		r.state()
	}},
	{"done_elsewhere_releases_waiters", func(r *recorder) {
		r.add(3)
		w := r.startWaiters(2)
		r.doneElsewhere(3)
		r.joinWaiters(w)
		r.state()
	}},
	{"surplus_done_elsewhere_with_parked_waiter", func(r *recorder) {
		r.add(1)
		first := r.startWaiters(1)
		r.doneElsewhere(1)
		r.joinWaiters(first)
		r.doneElsewhere(1)
		r.state()
		second := r.startWaiters(1)
		r.add(1)
		r.joinWaiters(second)
		r.state()
	}},
}

// TestScenarios runs every scenario on a fresh WaitGroup and writes scenarios.txt.
func TestScenarios(t *testing.T) {
	var lines []string
	for _, s := range scenarios {
		r := &recorder{name: s.name}
		s.run(r)
		lines = append(lines, r.lines...)
	}
	writeOutcomes(t, "scenarios.txt", lines)
}
