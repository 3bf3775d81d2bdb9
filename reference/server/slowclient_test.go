package server

import (
	"bufio"
	"fmt"
	"net"
	"runtime"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// stalledUpload connects to addr and sends an authenticated POST /Users that declares a
// 1 MiB body and then stops after a few bytes.
func stalledUpload(t *testing.T, addr, token string) net.Conn {
	t.Helper()
	conn, err := net.Dial("tcp", addr)
	require.NoError(t, err)
	t.Cleanup(func() { _ = conn.Close() })
	_, err = fmt.Fprintf(conn, "POST %s/Users HTTP/1.1\r\nHost: %s\r\nAuthorization: Bearer %s\r\n"+
		"Content-Type: application/scim+json\r\nContent-Length: %d\r\n\r\n{\"userName\":", BasePath, addr, token, 1<<20-1)
	require.NoError(t, err)
	return conn
}

// closedWithin reports whether the server ends conn (answers and closes, or just closes)
// within limit.
func closedWithin(conn net.Conn, limit time.Duration) bool {
	_ = conn.SetReadDeadline(time.Now().Add(limit))
	r := bufio.NewReader(conn)
	for {
		if _, err := r.ReadByte(); err != nil {
			ne, ok := err.(net.Error)
			return !ok || !ne.Timeout()
		}
	}
}

// heapInuse returns the live heap after a collection.
func heapInuse() uint64 {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapInuse
}

func TestSlowClients(t *testing.T) {
	t.Run("stalled uploads hold no memory and are shed", func(t *testing.T) {
		run, err := Start(t.Context(), Config{ReadTimeout: 2 * time.Second})
		require.NoError(t, err)
		defer run.Close()
		before := heapInuse()
		const n = 100
		conns := make([]net.Conn, n)
		for i := range conns {
			conns[i] = stalledUpload(t, run.Addr(), run.Token)
		}
		time.Sleep(500 * time.Millisecond) // let the server take every request in (not a timing assert)
		grown := int64(heapInuse()) - int64(before)
		t.Logf("%d stalled 1 MiB uploads: heap grew %d KiB", n, grown/1024)
		assert.Less(t, grown, int64(16<<20), "memory follows the bytes that arrived, not Content-Length (%d x 1 MiB declared)", n)
		for i, c := range conns {
			assert.True(t, closedWithin(c, 30*time.Second), "stalled upload %d is shed after the read timeout", i)
		}
	})
	t.Run("idle keep-alive connections are closed", func(t *testing.T) {
		run, err := Start(t.Context(), Config{IdleTimeout: 2 * time.Second})
		require.NoError(t, err)
		defer run.Close()
		conn, err := net.Dial("tcp", run.Addr())
		require.NoError(t, err)
		defer conn.Close()
		_, err = fmt.Fprintf(conn, "GET %s/Users HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer %s\r\n\r\n", BasePath, run.Token)
		require.NoError(t, err)
		assert.True(t, closedWithin(conn, 30*time.Second), "an idle keep-alive connection is closed after the idle timeout")
	})
	t.Run("shutdown with a stalled upload is clean", func(t *testing.T) {
		run, err := Start(t.Context(), Config{ReadTimeout: time.Hour})
		require.NoError(t, err)
		conn := stalledUpload(t, run.Addr(), run.Token)
		time.Sleep(200 * time.Millisecond)
		start := time.Now()
		assert.NoError(t, run.Close(), "a stalled client does not make shutdown fail")
		assert.Less(t, time.Since(start), 15*time.Second, "shutdown does not wait for the stalled client")
		assert.True(t, closedWithin(conn, 10*time.Second), "the stalled connection is closed")
	})
}
