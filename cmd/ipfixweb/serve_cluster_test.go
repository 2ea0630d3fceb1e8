package main

import (
	"bytes"
	"context"
	"strings"
	"testing"
)

// TestServeClusterFlags checks the cluster flags serve refuses before it
// starts anything.
func TestServeClusterFlags(t *testing.T) {
	cases := []struct {
		name string
		args []string
		want string
	}{
		{name: "no listen address", args: []string{"--cluster-etcd", "http://127.0.0.1:2379"},
			want: "--cluster-listen is required"},
		{name: "no URL", args: []string{"--cluster-etcd", " , ", "--cluster-listen", "127.0.0.1:0"},
			want: "--cluster-etcd: no URL"},
		{name: "short lease", args: []string{"--cluster-etcd", "http://127.0.0.1:2379",
			"--cluster-listen", "127.0.0.1:0", "--cluster-ttl", "500ms"},
			want: "--cluster-ttl must be at least 1s"},
		{name: "listen without etcd", args: []string{"--cluster-listen", "127.0.0.1:0"},
			want: "need --cluster-etcd"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var out, errb bytes.Buffer
			code := run(context.Background(), append([]string{"serve"}, tc.args...), &out, &errb)
			if code != 2 || !strings.Contains(errb.String(), tc.want) {
				t.Errorf("exit %d, stderr %q; want 2 and %q", code, errb.String(), tc.want)
			}
		})
	}
}
