// Go's side of gosync's wake-up benchmarks (dev/benches/waitgroup.rs: WakeWaiters,
// DistinctGroups), for scripts/bench-vs-go. Go's own suite has no wake-up benchmark.
//
//	go test -run XXX -bench . -cpu 2 .
//
// A round: arm the group(s), start the waiters, wait (untimed) until every waiter is
// asleep in the runtime semaphore, then time from the first Done to the last waiter's
// return, as the Rust side does. ns/op is per round.
package wakeup

import (
	"bytes"
	"runtime"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
)

// asleepInSemacquire counts the goroutines parked in a runtime semaphore: WaitGroup.Wait
// parks there, in state "semacquire". The benchmark itself never waits on one (it spins
// with Gosched), so every such goroutine is a waiter.
func asleepInSemacquire(buf []byte) int {
	n := runtime.Stack(buf, true)
	if n == len(buf) {
		panic("stack buffer too small")
	}
	return bytes.Count(buf[:n], []byte(" [semacquire"))
}

func benchWake(b *testing.B, groups, waiters int) {
	buf := make([]byte, 16<<20)
	wgs := make([]sync.WaitGroup, groups)
	var returned int64
	b.StopTimer()
	for i := 0; i < b.N; i++ {
		for g := range wgs {
			wgs[g].Add(1)
		}
		atomic.StoreInt64(&returned, 0)
		for w := 0; w < waiters; w++ {
			go func(wg *sync.WaitGroup) {
				wg.Wait()
				atomic.AddInt64(&returned, 1)
			}(&wgs[w%groups])
		}
		for asleepInSemacquire(buf) < waiters {
			runtime.Gosched()
		}
		b.StartTimer()
		for g := range wgs {
			wgs[g].Done()
		}
		for atomic.LoadInt64(&returned) < int64(waiters) {
			runtime.Gosched()
		}
		b.StopTimer()
	}
}

// BenchmarkWakeWaiters: one Done releasing N parked waiters of one group.
func BenchmarkWakeWaiters(b *testing.B) {
	for _, n := range []int{1, 4, 16, 64} {
		b.Run(strconv.Itoa(n), func(b *testing.B) { benchWake(b, 1, n) })
	}
}

// BenchmarkDistinctGroups: N groups with one parked waiter each, all released
// (the semaphore table's many-addresses case, Go issue 38420).
func BenchmarkDistinctGroups(b *testing.B) {
	for _, n := range []int{10, 100, 1000} {
		b.Run(strconv.Itoa(n), func(b *testing.B) { benchWake(b, n, n) })
	}
}
