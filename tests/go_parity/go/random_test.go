// The randomized differential: single-goroutine programs of Add (edge deltas
// included), Done, and Wait where Go's counter is zero, drawn from a seed. Go draws and
// runs each program, recovering every panic and going on from the state it left, and
// writes ops and outcomes as data (random-<seed>.txt); the Rust side
// (tests/go_parity/random.rs) replays the ops through gosync and compares op by op.
package parity

import (
	"flag"
	"fmt"
	"math"
	"strings"
	"sync"
	"testing"
)

var (
	seed     = flag.Uint64("seed", 1, "seed of the random programs")
	programs = flag.Int("programs", 2000, "how many random programs to draw")
)

// splitMix64 is Steele, Lea and Flood's SplitMix64: small, portable, and the same
// sequence on every Go version (math/rand promises no such thing across releases).
type splitMix64 struct{ state uint64 }

func (s *splitMix64) next() uint64 {
	s.state += 0x9e3779b97f4a7c15
	z := s.state
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9
	z = (z ^ (z >> 27)) * 0x94d049bb133111eb
	return z ^ (z >> 31)
}

func (s *splitMix64) below(n int) int { return int(s.next() % uint64(n)) }

// edgeDeltas are the deltas where Go's int-to-state arithmetic shows: the shift drops
// the high 32 bits, and the counter wraps as an int32.
var edgeDeltas = []int{
	0, 1, -1, 2, -2,
	math.MaxInt32, math.MinInt32, 1 << 31, -(1 << 31) + 1,
	1 << 32, -(1 << 32), 1<<32 + 1, -(1 << 32) + 1, 1<<32 - 1,
	math.MaxInt64, math.MinInt64, math.MinInt64 + 1,
}

// panicCodes numbers each panic text in order of first appearance; the file's header
// maps the numbers back to Go's exact text.
type panicCodes struct{ texts []string }

func (p *panicCodes) code(result string) string {
	if !strings.HasPrefix(result, "panic: ") {
		return result
	}
	text := strings.TrimPrefix(result, "panic: ")
	for i, t := range p.texts {
		if t == text {
			return fmt.Sprintf("p%d", i+1)
		}
	}
	p.texts = append(p.texts, text)
	return fmt.Sprintf("p%d", len(p.texts))
}

// runProgram draws one program and runs it on a fresh WaitGroup, returning its tokens
// "op:outcome:counter" with op one of a<delta>, d, w.
func runProgram(rng *splitMix64, codes *panicCodes) []string {
	var wg sync.WaitGroup
	ops := 1 + rng.below(20)
	tokens := make([]string, 0, ops)
	for i := 0; i < ops; i++ {
		counter, _ := goState(&wg)
		var op string
		var call func()
		switch k := rng.below(10); {
		case k < 5:
			delta := rng.below(7) - 3
			if rng.below(2) == 0 {
				delta = edgeDeltas[rng.below(len(edgeDeltas))]
			}
			op, call = fmt.Sprintf("a%d", delta), func() { wg.Add(delta) }
		case k < 8:
			op, call = "d", wg.Done
		case counter == 0:
			op, call = "w", wg.Wait
		default: // bring the counter back to zero, so that later waits are possible
			delta := -int(counter)
			op, call = fmt.Sprintf("a%d", delta), func() { wg.Add(delta) }
		}
		result := codes.code(outcome(call))
		after, _ := goState(&wg)
		tokens = append(tokens, fmt.Sprintf("%s:%s:%d", op, result, after))
	}
	return tokens
}

// TestRandomPrograms writes random-<seed>.txt: a header, one line per panic text, one
// line per program.
func TestRandomPrograms(t *testing.T) {
	rng := splitMix64{state: *seed}
	codes := &panicCodes{}
	body := make([]string, *programs)
	for i := range body {
		body[i] = fmt.Sprintf("program %d: %s", i, strings.Join(runProgram(&rng, codes), " "))
	}
	lines := []string{fmt.Sprintf("# seed %d, %d programs, drawn and run by tests/go_parity/go/random_test.go", *seed, *programs)}
	for i, text := range codes.texts {
		lines = append(lines, fmt.Sprintf("panic p%d: %s", i+1, text))
	}
	writeOutcomes(t, fmt.Sprintf("random-%d.txt", *seed), append(lines, body...))
}
