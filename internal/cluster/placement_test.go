package cluster

import (
	"fmt"
	"testing"
)

// TestDesignatedSpread checks that rendezvous placement spreads task ids
// evenly over members whose names differ in one character, and that a new
// member takes only its share, from every member alike.
func TestDesignatedSpread(t *testing.T) {
	const ids = 10000
	three := []string{"node-1", "node-2", "node-3"}
	four := append(append([]string(nil), three...), "node-4")
	count := map[string]int{}
	moved, movedTo4 := 0, 0
	for i := range ids {
		id := fmt.Sprintf("0190f1c2-7a3b-7c00-8000-%012d", i)
		before, after := Designated(id, three), Designated(id, four)
		count[before]++
		if before != after {
			moved++
			if after == "node-4" {
				movedTo4++
			}
		}
	}
	for _, n := range three {
		if share := float64(count[n]) / ids; share < 0.333-0.05 || share > 0.333+0.05 {
			t.Errorf("%s got %.3f of the tasks, want 1/3 ± 0.05", n, share)
		}
	}
	if share := float64(moved) / ids; share < 0.25-0.05 || share > 0.25+0.05 {
		t.Errorf("a fourth member moved %.3f of the tasks, want 1/4 ± 0.05", share)
	}
	if moved != movedTo4 {
		t.Errorf("%d tasks moved, %d of them to the new member: a join moved tasks between old members",
			moved, movedTo4)
	}
	if got := Designated("x", nil); got != "" {
		t.Errorf("Designated with no members = %q", got)
	}
}
