// Package clusterpb holds the protobuf messages that ipfixweb nodes send
// each other through protoactor-go's remote layer. The Go code is
// generated from cluster.proto and committed; regenerate it with
// go generate after changing the .proto file (it needs protoc, from
// Debian's protobuf-compiler, and protoc-gen-go v1.36.12 on the PATH).
package clusterpb

//go:generate protoc --go_out=. --go_opt=paths=source_relative cluster.proto
