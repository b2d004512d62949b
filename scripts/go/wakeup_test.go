// Go's side of gosync's wake-up benchmarks (dev/benches/sleeping.rs: WakeWaiters and
// DistinctGroups with OS threads, WakeTasks and DistinctGroupsTasks with tokio tasks; Go
// has only goroutines, so one Go benchmark stands beside both), for scripts/bench-vs-go.
// Go's own suite has no wake-up benchmark.
//
//	go test -run XXX -bench . -cpu 2 -benchtime 100x .
//
// A round: arm the group(s), start the waiters, wait (untimed) until every waiter is
// asleep in the runtime semaphore, then time from the first Done to the last waiter's
// return, as the Rust side does (see benchWake for the metrics).
package wakeup

import (
	"bytes"
	"runtime"
	"sort"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"
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

// benchWake times each round itself (time.Now around the release) instead of with
// b.StartTimer/b.StopTimer: those call runtime.ReadMemStats, which stops the world and
// restarts the scheduler's idle Ps right before the clock would start. It reports
// "ns/round", the mean round, and "ns/median10", criterion's estimator for its flat
// sampling (benches/sleeping.rs): the rounds in 10 consecutive samples, each sample's
// mean, and the median of the 10. Go's own ns/op here includes the untimed set-up.
func benchWake(b *testing.B, groups, waiters int) {
	buf := make([]byte, 16<<20)
	wgs := make([]sync.WaitGroup, groups)
	rounds := make([]time.Duration, b.N)
	var returned int64
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
		start := time.Now()
		for g := range wgs {
			wgs[g].Done()
		}
		for atomic.LoadInt64(&returned) < int64(waiters) {
			runtime.Gosched()
		}
		rounds[i] = time.Since(start)
	}
	var total time.Duration
	for _, r := range rounds {
		total += r
	}
	b.ReportMetric(float64(total.Nanoseconds())/float64(b.N), "ns/round")
	b.ReportMetric(median10(rounds), "ns/median10")
}

// median10 is criterion's flat-sampling estimate: the median of the means of 10
// consecutive samples of equal size (fewer when there are fewer rounds).
func median10(rounds []time.Duration) float64 {
	samples := 10
	if len(rounds) < samples {
		samples = len(rounds)
	}
	per := len(rounds) / samples
	means := make([]float64, samples)
	for s := range means {
		var sum time.Duration
		for _, r := range rounds[s*per : (s+1)*per] {
			sum += r
		}
		means[s] = float64(sum.Nanoseconds()) / float64(per)
	}
	sort.Float64s(means)
	if samples%2 == 1 {
		return means[samples/2]
	}
	return (means[samples/2-1] + means[samples/2]) / 2
}

// sizes: the threads' N (1, 16, 64, 256) and the tasks' N (1, 16, 256, 4096).
var sizes = []int{1, 16, 64, 256, 4096}

// BenchmarkWakeWaiters: one Done releasing N parked waiters of one group.
func BenchmarkWakeWaiters(b *testing.B) {
	for _, n := range sizes {
		b.Run(strconv.Itoa(n), func(b *testing.B) { benchWake(b, 1, n) })
	}
}

// BenchmarkDistinctGroups: N groups with one parked waiter each, all released
// (the semaphore table's many-addresses case, Go issue 38420).
func BenchmarkDistinctGroups(b *testing.B) {
	for _, n := range sizes {
		b.Run(strconv.Itoa(n), func(b *testing.B) { benchWake(b, n, n) })
	}
}
