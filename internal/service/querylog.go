package service

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"time"

	"github.com/rs/zerolog"

	"github.com/aurora-dev/aur/internal/store"
)

// QueryLog records queries off the request path, for the long-running
// faces (aur serve, aur mcp): RecordQuery queues the record and returns
// at once, and one goroutine writes what has queued in one transaction
// (store.RecordQueries). A query then never waits for SQLite's writer
// lock, which an index run holds for a batch at a time, and eight
// concurrent clients cost one commit per batch instead of one each.
//
// The price: the record's id is not known when the response is sent, so
// query_id is 0 in the JSON of these faces. A full queue (the writer
// stuck on a failing disk) drops records and counts them rather than
// holding requests. Close flushes what is queued.
type QueryLog struct {
	db      queryWriter
	log     zerolog.Logger
	ch      chan store.QueryWrite
	done    chan struct{}
	dropped atomic.Int64
	// queued and handled count records taken and records written (or
	// given up), for Flush.
	queued, handled atomic.Int64
	failed          func(error)
	mu              sync.RWMutex // held for writing only to close ch
	closed          bool
}

// queryWriter is where a QueryLog writes: a Store.
type queryWriter interface {
	RecordQueries(ctx context.Context, ws []store.QueryWrite) error
}

// QueryLogSize is how many records may wait to be written.
const QueryLogSize = 4096

// maxBatch bounds the records written in one transaction.
const maxBatch = 256

// ErrQueryLogClosed is returned by RecordQuery after Close.
var ErrQueryLogClosed = errors.New("query log closed")

// NewQueryLog starts a query log writing to db. failed, if set, hears of
// each batch that could not be written.
func NewQueryLog(db queryWriter, log zerolog.Logger, failed func(error)) *QueryLog {
	l := &QueryLog{db: db, log: log, ch: make(chan store.QueryWrite, QueryLogSize), done: make(chan struct{}), failed: failed}
	go l.run()
	return l
}

// RecordQuery queues a record; it returns id 0.
func (l *QueryLog) RecordQuery(ctx context.Context, rec store.QueryRecord, accessed []int64, tokens []string) (int64, error) {
	l.mu.RLock()
	defer l.mu.RUnlock()
	if l.closed {
		return 0, ErrQueryLogClosed
	}
	select {
	case l.ch <- store.QueryWrite{Rec: rec, Accessed: accessed, Tokens: tokens}:
		l.queued.Add(1)
		return 0, nil
	default:
		if n := l.dropped.Add(1); n == 1 || n%1000 == 0 {
			l.log.Warn().Int64("dropped", n).Msg("query log full: records dropped")
		}
		return 0, nil
	}
}

// Dropped is how many records a full queue dropped.
func (l *QueryLog) Dropped() int64 { return l.dropped.Load() }

// Pending is how many records wait to be written.
func (l *QueryLog) Pending() int { return len(l.ch) }

func (l *QueryLog) run() {
	defer close(l.done)
	batch := make([]store.QueryWrite, 0, maxBatch)
	for w := range l.ch {
		batch = append(batch[:0], w)
	drain:
		for len(batch) < maxBatch {
			select {
			case w, ok := <-l.ch:
				if !ok {
					break drain
				}
				batch = append(batch, w)
			default:
				break drain
			}
		}
		l.write(batch)
		l.handled.Add(int64(len(batch)))
	}
}

// Flush waits until the records queued before it are written (or given
// up), or ctx ends: a report over the log (aur serve's /v1/stats) then
// counts every query the service has answered.
func (l *QueryLog) Flush(ctx context.Context) error {
	want := l.queued.Load()
	for l.handled.Load() < want {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-l.done:
			return nil
		case <-time.After(2 * time.Millisecond):
		}
	}
	return nil
}

func (l *QueryLog) write(batch []store.QueryWrite) {
	// A busy database (an index run's batch) is waited for by
	// busy_timeout; a failure after that is retried once, then the batch
	// is given up: the log must not grow without bound.
	ctx := context.Background()
	err := l.db.RecordQueries(ctx, batch)
	if err != nil {
		time.Sleep(100 * time.Millisecond)
		err = l.db.RecordQueries(ctx, batch)
	}
	if err != nil {
		l.log.Warn().Err(err).Int("records", len(batch)).Msg("query log: records not written")
		if l.failed != nil {
			l.failed(err)
		}
	}
}

// Close stops taking records and writes those queued, waiting at most
// until ctx is done.
func (l *QueryLog) Close(ctx context.Context) error {
	l.mu.Lock()
	if !l.closed {
		l.closed = true
		close(l.ch)
	}
	l.mu.Unlock()
	select {
	case <-l.done:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
