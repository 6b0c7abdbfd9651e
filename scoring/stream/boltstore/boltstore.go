// Package boltstore keeps leads' streaming states (a stream.Store) in one
// file, with bbolt (go.etcd.io/bbolt): an embedded key-value database in
// pure Go whose transactions are atomic and durable (each commit is
// written and fsynced before Update returns), with one writer at a time
// and readers beside it.
//
// bbolt rather than SQLite (modernc.org/sqlite, the pure-Go SQLite): the
// states are values under a lead id, read and written whole, which is what
// a key-value store does, in key order for Each; bbolt is one package with
// golang.org/x/sys as its only dependency, where modernc.org/sqlite brings a
// C library translated to Go (libc emulation, a dozen modules, megabytes
// of generated code) for SQL no one here runs. Its single writer is what
// a consumer of one stream is.
//
// The package is apart from scoring/stream so that a program that keeps
// states in its own database does not build bbolt.
package boltstore

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/leadscore/leadscore/scoring/stream"
)

var (
	leadsBucket   = []byte("leads")
	metaBucket    = []byte("meta")
	pendingBucket = []byte("pending")
	accountBucket = []byte("accounts")
	metaKey       = []byte("meta")
)

// Store is a stream.Store in one bbolt file.
type Store struct {
	db *bolt.DB
}

var _ stream.AccountStore = (*Store)(nil)

// ErrLocked is wrapped by Open's error when another process holds the
// file open.
var ErrLocked = errors.New("another process is using the state file")

// Open opens the store in the file at path, creating it when it does not
// exist. A file another process holds open is refused (ErrLocked) after
// waiting a second: one process writes a store at a time.
func Open(path string) (*Store, error) {
	db, err := bolt.Open(path, 0o600, &bolt.Options{Timeout: time.Second})
	if errors.Is(err, bolt.ErrTimeout) {
		return nil, fmt.Errorf("%s: %w; stop it, or give another state folder", path, ErrLocked)
	}
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	err = db.Update(func(tx *bolt.Tx) error {
		for _, b := range [][]byte{leadsBucket, metaBucket, pendingBucket, accountBucket} {
			if _, err := tx.CreateBucketIfNotExists(b); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		db.Close()
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return &Store{db: db}, nil
}

// Path returns the file of the store.
func (s *Store) Path() string { return s.db.Path() }

// View runs fn in a read-only transaction.
func (s *Store) View(fn func(stream.Tx) error) error {
	return s.db.View(func(tx *bolt.Tx) error { return fn(&boltTx{tx}) })
}

// Update runs fn in a read-write transaction, committed (and fsynced) when
// fn returns nil.
func (s *Store) Update(fn func(stream.Tx) error) error {
	return s.db.Update(func(tx *bolt.Tx) error { return fn(&boltTx{tx}) })
}

// Each calls fn with every lead, in order of lead id (bytewise).
func (s *Store) Each(fn func(stream.Lead) error) error {
	return s.db.View(func(tx *bolt.Tx) error {
		return tx.Bucket(leadsBucket).ForEach(func(k, v []byte) error {
			l, err := decodeLead(k, v)
			if err != nil {
				return err
			}
			return fn(l)
		})
	})
}

// EachAccount calls fn with every account, in order of id (bytewise).
func (s *Store) EachAccount(fn func(stream.Account) error) error {
	return s.db.View(func(tx *bolt.Tx) error {
		return tx.Bucket(accountBucket).ForEach(func(k, v []byte) error {
			a, err := decodeAccount(k, v)
			if err != nil {
				return err
			}
			return fn(a)
		})
	})
}

// Close closes the file.
func (s *Store) Close() error { return s.db.Close() }

type boltTx struct{ tx *bolt.Tx }

func (t *boltTx) Lead(id string) (stream.Lead, bool, error) {
	v := t.tx.Bucket(leadsBucket).Get([]byte(id))
	if v == nil {
		return stream.Lead{}, false, nil
	}
	l, err := decodeLead([]byte(id), v)
	return l, err == nil, err
}

func decodeLead(k, v []byte) (stream.Lead, error) {
	var l stream.Lead
	if err := json.Unmarshal(v, &l); err != nil {
		return stream.Lead{}, fmt.Errorf("the stored lead %q cannot be read (%v); rebuild the store from the leads' events", k, err)
	}
	return l, nil
}

func (t *boltTx) Put(l stream.Lead) error {
	if l.ID == "" {
		return fmt.Errorf("a lead needs an id to be stored")
	}
	v, err := json.Marshal(l)
	if err != nil {
		return err
	}
	return t.tx.Bucket(leadsBucket).Put([]byte(l.ID), v)
}

func (t *boltTx) Account(id string) (stream.Account, bool, error) {
	v := t.tx.Bucket(accountBucket).Get([]byte(id))
	if v == nil {
		return stream.Account{}, false, nil
	}
	a, err := decodeAccount([]byte(id), v)
	return a, err == nil, err
}

func decodeAccount(k, v []byte) (stream.Account, error) {
	var a stream.Account
	if err := json.Unmarshal(v, &a); err != nil {
		return stream.Account{}, fmt.Errorf("the stored account %q cannot be read (%v); rebuild the store from the leads' events", k, err)
	}
	return a, nil
}

func (t *boltTx) PutAccount(a stream.Account) error {
	if a.ID == "" {
		return fmt.Errorf("an account needs an id to be stored")
	}
	v, err := json.Marshal(a)
	if err != nil {
		return err
	}
	return t.tx.Bucket(accountBucket).Put([]byte(a.ID), v)
}

func (t *boltTx) Meta() (stream.Meta, error) {
	var m stream.Meta
	v := t.tx.Bucket(metaBucket).Get(metaKey)
	if v == nil {
		return m, nil
	}
	if err := json.Unmarshal(v, &m); err != nil {
		return m, fmt.Errorf("the store's meta data cannot be read: %v", err)
	}
	return m, nil
}

func (t *boltTx) SetMeta(m stream.Meta) error {
	v, err := json.Marshal(m)
	if err != nil {
		return err
	}
	return t.tx.Bucket(metaBucket).Put(metaKey, v)
}

func seqKey(seq uint64) []byte { return binary.BigEndian.AppendUint64(nil, seq) }

func (t *boltTx) Pending() ([]stream.Pending, error) {
	var out []stream.Pending
	err := t.tx.Bucket(pendingBucket).ForEach(func(k, v []byte) error {
		out = append(out, stream.Pending{Seq: binary.BigEndian.Uint64(k), Line: bytes.Clone(v)})
		return nil
	})
	return out, err
}

func (t *boltTx) AddPending(p stream.Pending) error {
	return t.tx.Bucket(pendingBucket).Put(seqKey(p.Seq), p.Line)
}

func (t *boltTx) DropPending(seq uint64) error {
	c := t.tx.Bucket(pendingBucket).Cursor()
	for k, _ := c.First(); k != nil && binary.BigEndian.Uint64(k) <= seq; k, _ = c.First() {
		if err := c.Delete(); err != nil {
			return err
		}
	}
	return nil
}
