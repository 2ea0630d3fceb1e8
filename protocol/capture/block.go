package capture

// blockSize is the size of the buffers a Reader reads the input into: the
// most it looks at before it consumes anything, and so the largest record
// or block whose data lies in one buffer and the largest Interface
// Description Block it reads.
const blockSize = 256 << 10

// Block is a buffer of input that a [Reader] read records into; the data
// of the frames it returns point into blocks. A Block is held by the
// Reader while it reads into it, and by whoever called [Block.Retain]; its
// buffer is read into again only once nobody holds it. So a caller that
// needs frames past the next call to [Reader.Next] (to hand them to other
// goroutines, say) retains the block of each frame it keeps ([Reader.Block])
// and releases it when done.
//
// Blocks belong to their Reader: Retain and Release must not be called
// concurrently with each other or with the Reader's methods.
type Block struct {
	buf  []byte
	refs int // holders: the Reader while current, plus Retain calls
	pool *blockPool
}

// Retain holds b: its data stays as it is until the matching Release.
func (b *Block) Retain() { b.refs++ }

// Release ends one Retain. Once no one holds b, the Reader may read into
// it again.
func (b *Block) Release() {
	b.refs--
	switch {
	case b.refs < 0:
		panic("capture: Block released more often than retained")
	case b.refs == 0 && b.pool != nil:
		b.pool.put(b)
	}
}

// blockPool keeps a Reader's free blocks of blockSize bytes.
type blockPool struct {
	free []*Block
}

// get returns a block that nobody holds, held once for the caller.
func (p *blockPool) get() *Block {
	if n := len(p.free); n > 0 {
		b := p.free[n-1]
		p.free[n-1] = nil
		p.free = p.free[:n-1]
		b.refs = 1
		return b
	}
	return &Block{buf: make([]byte, blockSize), refs: 1, pool: p}
}

func (p *blockPool) put(b *Block) { p.free = append(p.free, b) }
