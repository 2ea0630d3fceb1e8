package e2e

import (
	"crypto/sha256"
	"encoding/hex"
	"os"
	"testing"
)

func fileSHA(tb testing.TB, path string) string {
	tb.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		tb.Fatal(err)
	}
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}
