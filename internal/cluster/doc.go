// Package cluster coordinates ipfixweb nodes through etcd: membership on
// leases, the task records, admission and dedupe, task ownership and the
// fencing of every write an owner makes.
//
// Keys, under one prefix per deployment (default "/ipfixweb"):
//
//	members/<node>   the node's addresses and capacity; on its session lease
//	tasks/<id>       the task record (JSON [Record]); durable
//	live/<id>        present while the task is queued or running
//	owners/<id>      the node running the task; on that node's session lease
//	prints/<sha>     the live task of a normalised request (dedupe)
//	outputs/<sha>    the live task writing an output path
//	idem/<sha>       the task of an Idempotency-Key
//	cancel/<id>      a client asked to cancel the task
//
// Ownership of a task is the owners/<id> key. The create revision of that
// key, returned by [Store.Claim] as the claim's token, fences every later
// write of the owner: a write is a transaction that compares the key's
// create revision with the token, so once the key is gone (the owner's
// lease lapsed, or it handed the task back) or belongs to a later claim,
// nothing the old owner sends is applied.
package cluster
