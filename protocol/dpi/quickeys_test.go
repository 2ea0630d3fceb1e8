package dpi

import (
	"bytes"
	"crypto/hkdf"
	"crypto/sha256"
	"encoding/binary"
	"math/rand/v2"
	"testing"
)

// TestHKDFAgreesWithCrypto checks the stack-only HKDF of the QUIC keys
// against crypto/hkdf over random keys, connection ids and labels.
func TestHKDFAgreesWithCrypto(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for range 500 {
		salt, dcid := make([]byte, r.IntN(hmacBlock+1)), make([]byte, r.IntN(21))
		for _, b := range [][]byte{salt, dcid} {
			for i := range b {
				b[i] = byte(r.Uint32())
			}
		}
		want, err := hkdf.Extract(sha256.New, dcid, salt)
		if err != nil {
			t.Fatal(err)
		}
		got := hmacSHA256(salt, dcid, nil)
		if !bytes.Equal(got[:], want) {
			t.Fatalf("extract(salt %x, ikm %x) = %x, want %x", salt, dcid, got, want)
		}
		label := []string{"client in", "quic key", "quicv2 hp", ""}[r.IntN(4)]
		n := 1 + r.IntN(sha256.Size)
		info := binary.BigEndian.AppendUint16(nil, uint16(n))
		info = append(append(info, byte(6+len(label))), "tls13 "+label...)
		wantOut, err := hkdf.Expand(sha256.New, want, string(append(info, 0)), n)
		if err != nil {
			t.Fatal(err)
		}
		if out := expandLabel(got[:], label, n); !bytes.Equal(out[:n], wantOut) {
			t.Fatalf("expandLabel(%q, %d) = %x, want %x", label, n, out[:n], wantOut)
		}
	}
}
