package pgstore

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/aurora-dev/aur/internal/store"
)

// ErrNoProject is returned for a project the database does not hold.
var ErrNoProject = errors.New("no such project in the database")

// Project is one repository in the database. Its reads run on the pool
// (each statement sees the latest committed generation) or, for a
// Snapshot, in one read-only transaction (every statement sees the same
// generation).
type Project struct {
	db   *DB
	q    querier
	id   int64
	name string
}

// Project returns the project called name, creating it when create is
// set (an index run); otherwise ErrNoProject if there is none.
func (db *DB) Project(ctx context.Context, name string, create bool) (*Project, error) {
	if name == "" {
		return nil, errors.New("project name is empty")
	}
	var id int64
	err := retry(ctx, func(ctx context.Context) error {
		return db.pool.QueryRow(ctx, `SELECT id FROM projects WHERE name = $1`, name).Scan(&id)
	})
	if errors.Is(err, pgx.ErrNoRows) && create {
		// Only when missing: an index run of the project holds its row
		// locked, and an INSERT … ON CONFLICT would wait for it.
		if _, err := db.pool.Exec(ctx, `INSERT INTO projects(name, store_id) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING`,
			name, newID()); err != nil {
			return nil, fmt.Errorf("create project %q: %w", name, err)
		}
		err = db.pool.QueryRow(ctx, `SELECT id FROM projects WHERE name = $1`, name).Scan(&id)
	}
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, fmt.Errorf("%w: %q (index it with aur mem index --project %s)", ErrNoProject, name, name)
	}
	if err != nil {
		return nil, fmt.Errorf("project %q: %w", name, err)
	}
	return &Project{db: db, q: db.pool, id: id, name: name}, nil
}

// Name returns the project's name.
func (p *Project) Name() string { return p.name }

// ID returns the project's row id.
func (p *Project) ID() int64 { return p.id }

// Path identifies the project for cache keys and messages.
func (p *Project) Path() string { return "postgres:" + p.name }

// ReadOnly reports false: a PostgreSQL store's permissions are the
// server's business.
func (p *Project) ReadOnly() bool { return false }

// Snapshot returns the project read through one REPEATABLE READ,
// read-only transaction: every read sees the same generation, whatever
// index runs commit meanwhile. done ends the transaction.
func (p *Project) Snapshot(ctx context.Context) (snap *Project, done func(), err error) {
	var tx pgx.Tx
	err = retry(ctx, func(ctx context.Context) error {
		var err error
		tx, err = p.db.pool.BeginTx(ctx, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly})
		return err
	})
	if err != nil {
		return nil, nil, fmt.Errorf("snapshot: %w", err)
	}
	s := *p
	s.q = tx
	return &s, func() { tx.Rollback(context.WithoutCancel(ctx)) }, nil //nolint:errcheck
}

// ProjectInfo is a line of aur mem projects.
type ProjectInfo struct {
	Name       string    `json:"name"`
	Root       string    `json:"root"`
	Generation int64     `json:"generation"`
	Files      int64     `json:"files"`
	Chunks     int64     `json:"chunks"`
	LastIndex  time.Time `json:"last_index,omitzero"`
}

// Projects lists the database's projects by name.
func (db *DB) Projects(ctx context.Context) ([]ProjectInfo, error) {
	rows, err := db.pool.Query(ctx, `SELECT p.name, p.root, p.generation,
		(SELECT count(*) FROM files f WHERE f.project_id = p.id), p.chunk_count, p.last_index
		FROM projects p ORDER BY p.name`)
	if err != nil {
		return nil, fmt.Errorf("list projects: %w", err)
	}
	defer rows.Close()
	var out []ProjectInfo
	for rows.Next() {
		var pi ProjectInfo
		var last int64
		if err := rows.Scan(&pi.Name, &pi.Root, &pi.Generation, &pi.Files, &pi.Chunks, &last); err != nil {
			return nil, err
		}
		if last > 0 {
			pi.LastIndex = time.UnixMilli(last)
		}
		out = append(out, pi)
	}
	return out, rows.Err()
}

func newID() string {
	var b [8]byte
	if _, err := rand.Read(b[:]); err != nil {
		return strconv.FormatInt(time.Now().UnixNano(), 36)
	}
	return hex.EncodeToString(b[:])
}

// Meta returns a project fact by store.Meta* key, "" if unset.
func (p *Project) Meta(ctx context.Context, key string) (string, error) {
	return meta(ctx, p.q, p.id, key)
}

func meta(ctx context.Context, q querier, id int64, key string) (string, error) {
	var v string
	var err error
	switch key {
	case store.MetaRoot:
		err = q.QueryRow(ctx, `SELECT root FROM projects WHERE id = $1`, id).Scan(&v)
	case store.MetaGeneration:
		err = q.QueryRow(ctx, `SELECT generation::text FROM projects WHERE id = $1`, id).Scan(&v)
	case store.MetaChunkCount:
		err = q.QueryRow(ctx, `SELECT chunk_count::text FROM projects WHERE id = $1`, id).Scan(&v)
	case store.MetaAvgTerms:
		err = q.QueryRow(ctx, `SELECT avg_body_terms FROM projects WHERE id = $1`, id).Scan(&v)
	case store.MetaID:
		err = q.QueryRow(ctx, `SELECT store_id FROM projects WHERE id = $1`, id).Scan(&v)
	case store.MetaLastIndex:
		err = q.QueryRow(ctx, `SELECT CASE WHEN last_index = 0 THEN '' ELSE last_index::text END FROM projects WHERE id = $1`, id).Scan(&v)
	default:
		err = q.QueryRow(ctx, `SELECT value FROM project_meta WHERE project_id = $1 AND key = $2`, id, key).Scan(&v)
	}
	if errors.Is(err, pgx.ErrNoRows) {
		return "", nil
	}
	return v, err
}

// Corpus returns the statistics of the visible generation.
func (p *Project) Corpus(ctx context.Context) (store.CorpusStats, error) {
	var c store.CorpusStats
	var n int64
	var avg string
	if err := p.q.QueryRow(ctx, `SELECT chunk_count, avg_body_terms, generation FROM projects WHERE id = $1`, p.id).
		Scan(&n, &avg, &c.Generation); err != nil {
		return c, fmt.Errorf("corpus stats: %w", err)
	}
	c.Chunks = int(n)
	c.AvgBodyTerms, _ = strconv.ParseFloat(avg, 64)
	return c, nil
}

// Generation returns the visible generation.
func (p *Project) Generation(ctx context.Context) (int64, error) {
	var g int64
	err := p.q.QueryRow(ctx, `SELECT generation FROM projects WHERE id = $1`, p.id).Scan(&g)
	return g, err
}

// Stamp identifies what the index holds, for cache keys: the project's
// random id and its generation.
func (p *Project) Stamp(ctx context.Context) (string, error) {
	var id string
	var g int64
	if err := p.q.QueryRow(ctx, `SELECT store_id, generation FROM projects WHERE id = $1`, p.id).Scan(&id, &g); err != nil {
		return "", err
	}
	return id + "/" + strconv.FormatInt(g, 10), nil
}

// DocFreq returns, for each token, the number of chunks holding it.
func (p *Project) DocFreq(ctx context.Context, tokens []string) (map[string]int, error) {
	out := make(map[string]int, len(tokens))
	if len(tokens) == 0 {
		return out, nil
	}
	rows, err := p.q.Query(ctx, `SELECT term, df FROM terms WHERE project_id = $1 AND term = ANY($2)`, p.id, tokens)
	if err != nil {
		return nil, fmt.Errorf("document frequencies: %w", err)
	}
	defer rows.Close()
	if err := store.ScanCounts(rows, out); err != nil {
		return nil, err
	}
	return out, nil
}

// ChunksByID returns the chunks with the given ids, with their paths, in
// no particular order.
func (p *Project) ChunksByID(ctx context.Context, ids []int64) ([]store.Chunk, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	rows, err := p.q.Query(ctx, `SELECT `+store.ChunkColumns+`
		FROM chunks c JOIN files f ON f.id = c.file_id WHERE c.project_id = $1 AND c.id = ANY($2)`, p.id, ids)
	if err != nil {
		return nil, fmt.Errorf("read chunks: %w", err)
	}
	defer rows.Close()
	return store.ScanChunks(rows, len(ids))
}

// AccessHistories returns the access history of chunks by stable key.
func (p *Project) AccessHistories(ctx context.Context, keys []int64) (map[int64]store.Access, error) {
	out := map[int64]store.Access{}
	if len(keys) == 0 {
		return out, nil
	}
	rows, err := p.q.Query(ctx, `SELECT chunk_key, n, oldest, recent, context FROM chunk_access
		WHERE project_id = $1 AND chunk_key = ANY($2)`, p.id, keys)
	if err != nil {
		return nil, fmt.Errorf("access history: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var k, n, oldest int64
		var recent, context string
		if err := rows.Scan(&k, &n, &oldest, &recent, &context); err != nil {
			return nil, err
		}
		out[k] = store.Access{History: store.DecodeHistory(n, oldest, recent), Context: strings.Fields(context)}
	}
	return out, rows.Err()
}

// FileHistories returns the git history of files by path.
func (p *Project) FileHistories(ctx context.Context, paths []string) (map[string]store.History, error) {
	out := map[string]store.History{}
	if len(paths) == 0 {
		return out, nil
	}
	rows, err := p.q.Query(ctx, `SELECT path, n, oldest, recent FROM file_history
		WHERE project_id = $1 AND path = ANY($2)`, p.id, paths)
	if err != nil {
		return nil, fmt.Errorf("file history: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var path, recent string
		var n, oldest int64
		if err := rows.Scan(&path, &n, &oldest, &recent); err != nil {
			return nil, err
		}
		out[path] = store.DecodeHistory(n, oldest, recent)
	}
	return out, rows.Err()
}

// FilePaths lists every indexed file's id and path, in path order.
func (p *Project) FilePaths(ctx context.Context) ([]store.FilePath, error) {
	rows, err := p.q.Query(ctx, `SELECT id, path FROM files WHERE project_id = $1 ORDER BY path`, p.id)
	if err != nil {
		return nil, fmt.Errorf("list files: %w", err)
	}
	defer rows.Close()
	var out []store.FilePath
	for rows.Next() {
		var f store.FilePath
		if err := rows.Scan(&f.ID, &f.Path); err != nil {
			return nil, err
		}
		out = append(out, f)
	}
	return out, rows.Err()
}

// Languages lists the languages of the indexed chunks.
func (p *Project) Languages(ctx context.Context) ([]string, error) {
	rows, err := p.q.Query(ctx, `SELECT DISTINCT language FROM chunks WHERE project_id = $1 ORDER BY language`, p.id)
	if err != nil {
		return nil, fmt.Errorf("list languages: %w", err)
	}
	return pgx.CollectRows(rows, pgx.RowTo[string])
}

// Pool returns the connection pool of the project's database.
func (p *Project) Pool() *pgxpool.Pool { return p.db.pool }
