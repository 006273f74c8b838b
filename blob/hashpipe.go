package blob

import (
	"context"
	"crypto/sha256"
	"hash"
	"io"
)

// HashPipe computes the size and SHA-256 of a stream on a goroutine of its
// own, so the goroutine reading the stream does not wait for the hash: the
// reader hands over each slice it has read with Add and goes on reading.
// A slice must stay unchanged until a Wait that follows its Add returns,
// or Result does. Add, Result and Close are called from one goroutine;
// Wait from any, before Result or Close.
type HashPipe struct {
	work   chan hashWork
	done   chan struct{}
	h      hash.Hash
	size   int64
	closed bool
}

type hashWork struct {
	b   []byte
	ack chan struct{} // for a Wait: closed once everything before is hashed
}

// NewHashPipe starts a pipe; Result or Close ends its goroutine.
func NewHashPipe() *HashPipe {
	p := &HashPipe{work: make(chan hashWork, 16), done: make(chan struct{}), h: sha256.New()}
	go func() {
		defer close(p.done)
		for w := range p.work {
			p.h.Write(w.b)
			if w.ack != nil {
				close(w.ack)
			}
		}
	}()
	return p
}

// Add hashes b after the slices added before it.
func (p *HashPipe) Add(b []byte) {
	if len(b) > 0 {
		p.size += int64(len(b))
		p.work <- hashWork{b: b}
	}
}

// Wait returns once every slice added before it is hashed.
func (p *HashPipe) Wait() {
	ack := make(chan struct{})
	p.work <- hashWork{ack: ack}
	<-ack
}

// Result returns the size and SHA-256 of everything added, and ends the
// pipe.
func (p *HashPipe) Result() PutResult {
	p.Close()
	r := PutResult{Size: p.size}
	p.h.Sum(r.SHA256[:0])
	return r
}

// Close ends the pipe's goroutine once it has hashed what it was given.
// It may be called more than once.
func (p *HashPipe) Close() {
	if !p.closed {
		p.closed = true
		close(p.work)
		<-p.done
	}
}

// hashBatch is the least ReadFullHashed hands over at once (but for the
// end of a buffer): reads from a socket return a few KiB each, and each
// hand-over may cost a goroutine wakeup.
const hashBatch = 128 << 10

// ReadFullHashed reads r into buf until buf is full or r ends, adding what
// it reads to p. It returns the bytes read and whether r ended. It stops
// with ctx's error once ctx is done; other errors are as for ReadFull.
func ReadFullHashed(ctx context.Context, r io.Reader, buf []byte, p *HashPipe) (n int, ended bool, err error) {
	from := 0 // start of the bytes read but not added
	defer func() { p.Add(buf[from:n]) }()
	for n < len(buf) {
		if err := ctx.Err(); err != nil {
			return n, false, err
		}
		m, err := r.Read(buf[n:])
		n += m
		if n-from >= hashBatch {
			p.Add(buf[from:n])
			from = n
		}
		if err == io.EOF {
			return n, true, nil
		}
		if err != nil {
			return n, false, err
		}
	}
	return n, false, nil
}
