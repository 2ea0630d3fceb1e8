package actors

import (
	"strconv"

	"github.com/asynkron/protoactor-go/actor"
)

// stageOf names the stage a child of the task is, for a person reading
// the task's error: "reader", "shard 3" or "writer".
func (t *taskActor) stageOf(child *actor.PID) string {
	switch {
	case child.Equal(t.reader):
		return "reader"
	case child.Equal(t.writer):
		return "writer"
	}
	for i, s := range t.shards {
		if child.Equal(s) {
			return "shard " + strconv.Itoa(i)
		}
	}
	return child.Id
}
