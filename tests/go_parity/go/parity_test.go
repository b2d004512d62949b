// The Go side of gosync's parity suite: the recorder every scenario writes through, and
// a mirror of sync.WaitGroup's fields so a scenario can read Go's state word.
//
// The Rust side (tests/go_parity/*.rs) renders the same lines from gosync, and
// tests/go_parity/golden/ holds what Go printed. scripts/go-oracle regenerates the
// goldens with this module and fails if they change.
package parity

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"unsafe"
)

var outDir = flag.String("out", "", "directory to write the outcome files into (none: print nothing)")

// waitGroupMirror is Go 1.19's sync.WaitGroup without its zero-size noCopy: the state
// word (counter high, waiters low) and the semaphore. On 64-bit targets state1 is at
// offset 0 and 8-aligned, so state() uses it as is (checked in TestMirrorLayout).
type waitGroupMirror struct {
	state1 uint64
	state2 uint32
}

// goState reads Go's state word with an atomic load, as Add and Wait do.
func goState(wg *sync.WaitGroup) (counter int32, waiters uint32) {
	state := atomic.LoadUint64(&(*waitGroupMirror)(unsafe.Pointer(wg)).state1)
	return int32(state >> 32), uint32(state)
}

// goSema reads Go's semaphore count. Under -race, Wait and Add annotate the semaphore as
// plain memory (race.Write/race.Read), so this read is left uninstrumented; callers read
// it only when no goroutine is between a wake-up and its return.
//
//go:norace
func goSema(wg *sync.WaitGroup) uint32 {
	return (*waitGroupMirror)(unsafe.Pointer(wg)).state2
}

func TestMirrorLayout(t *testing.T) {
	if unsafe.Sizeof(sync.WaitGroup{}) != unsafe.Sizeof(waitGroupMirror{}) || unsafe.Sizeof(uintptr(0)) != 8 {
		t.Fatalf("the mirror assumes Go 1.19's 64-bit WaitGroup layout")
	}
	var wg sync.WaitGroup
	wg.Add(3)
	if c, w := goState(&wg); c != 3 || w != 0 || goSema(&wg) != 0 {
		t.Fatalf("mirror reads counter=%d waiters=%d after Add(3)", c, w)
	}
}

// outcome runs f as one op, recovering a panic as Go's test code would: "ok" or
// "panic: <exact text>".
func outcome(f func()) (result string) {
	defer func() {
		if p := recover(); p != nil {
			result = fmt.Sprintf("panic: %v", p)
		}
	}()
	f()
	return "ok"
}

// writeOutcomes writes lines to <out>/<name> when -out is given.
func writeOutcomes(t *testing.T, name string, lines []string) {
	if *outDir == "" {
		return
	}
	path := filepath.Join(*outDir, name)
	if err := os.WriteFile(path, []byte(strings.Join(lines, "\n")+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
}
