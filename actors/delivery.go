package actors

import "github.com/ipfixweb/ipfixweb/internal/task"

// DeliveryOf returns the collector stream's figures of a progress report
// as a task shows them, or nil when the task has no collector.
func DeliveryOf(p Progress) *task.Delivery { return deliveryOf(p) }
