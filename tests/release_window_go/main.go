// The Go side of tests/release_window.rs: the same misuse at the same two points, run
// on Go 1.19's own WaitGroup code (package wgcopy). Run: `GOMAXPROCS=1 go run .`
// (GOMAXPROCS=1 so the waiter has registered before Done; a case whose hook did not
// fire says so).
package main

import (
	"fmt"
	"runtime"

	"pt/wgcopy"
)

// try returns what recover() returns for f, or nil.
func try(f func()) (r interface{}) {
	defer func() { r = recover() }()
	f()
	return nil
}

func settle() {
	for i := 0; i < 1000; i++ {
		runtime.Gosched()
	}
}

// window parks one waiter (counter 1), then calls Done with inner run inside its
// release window (v == 0, w == 1).
func window(name string, inner func(wg *wgcopy.WaitGroup) interface{}) {
	var wg wgcopy.WaitGroup
	wg.Add(1)
	waiter := make(chan interface{}, 1)
	go func() { waiter <- try(wg.Wait) }()
	settle()
	var innerR interface{} = "HOOK DID NOT FIRE"
	wgcopy.AddHook = func(v int32, w uint32) {
		if v == 0 && w == 1 {
			innerR = inner(&wg)
		}
	}
	outer := try(wg.Done)
	fmt.Printf("%-14s inner: %v\n%-14s outer: %v\n%-14s after: %s\n", name, innerR, "", outer, "", wg.Snap())
	// Clean up as the Rust test does: bring the counter back to zero.
	if c := wg.Counter(); c != 0 {
		wg.Add(-int(c))
	}
	fmt.Printf("%-14s waiter: %v\n", "", <-waiter)
}

func main() {
	window("Add(1)", func(wg *wgcopy.WaitGroup) interface{} { return try(func() { wg.Add(1) }) })
	window("Add(1<<32+1)", func(wg *wgcopy.WaitGroup) interface{} { return try(func() { wg.Add(1<<32 + 1) }) })
	window("Add(-1)", func(wg *wgcopy.WaitGroup) interface{} { return try(func() { wg.Add(-1) }) })
	window("Add(0)", func(wg *wgcopy.WaitGroup) interface{} {
		r := try(func() { wg.Add(0) })
		fmt.Println("    inside, after Add(0):", wg.Snap())
		return r
	})
	window("Wait", func(wg *wgcopy.WaitGroup) interface{} {
		r := try(wg.Wait)
		fmt.Println("    inside, after Wait:", wg.Snap())
		return r
	})

	// Reuse: the woken waiter calls Add(1) right after its Semacquire.
	var wg wgcopy.WaitGroup
	wg.Add(1)
	waiter := make(chan interface{})
	go func() {
		wgcopy.WakeHook = func() { fmt.Println("reuse          Add(1) at wake:", try(func() { wg.Add(1) })) }
		waiter <- try(wg.Wait)
	}()
	settle()
	wg.Done()
	fmt.Printf("reuse          wait: %v\n               after: %s\n", <-waiter, wg.Snap())
}
