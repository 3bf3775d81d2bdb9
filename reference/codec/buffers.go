package codec

import "sync"

// Buffers is a pool of buffers to Append into: Get hands one out, Put takes it back unless it
// grew beyond the pool's limit (a long page, left to the garbage collector). Create it with
// NewBuffers; it is safe for concurrent use.
type Buffers struct {
	pool sync.Pool
	max  int
}

// NewBuffers returns a pool of buffers of size bytes to start with, keeping none beyond max.
func NewBuffers(size, max int) *Buffers {
	b := &Buffers{max: max}
	b.pool.New = func() any { buf := make([]byte, 0, size); return &buf }
	return b
}

// Get returns an empty buffer.
func (b *Buffers) Get() *[]byte {
	buf := b.pool.Get().(*[]byte)
	*buf = (*buf)[:0]
	return buf
}

// Put hands buf back, as used grew it (used is what Append returned for it). The caller must
// not touch used afterwards.
func (b *Buffers) Put(buf *[]byte, used []byte) {
	if cap(used) <= b.max {
		*buf = used[:0]
		b.pool.Put(buf)
	}
}
