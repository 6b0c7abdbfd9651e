package boltstore_test

import (
	"encoding/json"
	"errors"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/leadscore/leadscore/scoring"
	"github.com/leadscore/leadscore/scoring/stream"
	"github.com/leadscore/leadscore/scoring/stream/boltstore"
)

// Both stores keep what is put in a committed transaction, nothing of one
// rolled back, and give leads back in id order.
func TestStores(t *testing.T) {
	for name, open := range map[string]func(t *testing.T) stream.Store{
		"memory": func(*testing.T) stream.Store { return stream.NewMemoryStore() },
		"bolt": func(t *testing.T) stream.Store {
			s, err := boltstore.Open(filepath.Join(t.TempDir(), "state.db"))
			require.NoError(t, err)
			return s
		},
	} {
		t.Run(name, func(t *testing.T) {
			s := open(t)
			defer s.Close()
			testStore(t, s)
		})
	}
}

func testStore(t *testing.T, s stream.Store) {
	at := time.Date(2026, 9, 1, 10, 0, 0, 0, time.UTC)
	a := stream.Lead{ID: "L-2", State: json.RawMessage(`{"v":1}`), Fields: json.RawMessage(`{"title":"VP"}`),
		Dispositions: []scoring.Disposition{{At: at, Status: scoring.Accepted}},
		Standing:     &stream.Standing{Stage: "sql", Grade: "A", SalesReady: true}, Next: at.Add(time.Hour)}
	a.Apply("e1", 2)
	a.Apply("e2", 2)
	a.Apply("e3", 2)
	assert.Equal(t, []string{"e2", "e3"}, a.Applied, "the window keeps the latest ids")
	assert.True(t, a.Seen("e3"))
	assert.False(t, a.Seen("e1"))

	require.NoError(t, s.Update(func(tx stream.Tx) error {
		require.NoError(t, tx.Put(a))
		require.NoError(t, tx.Put(stream.Lead{ID: "L-1"}))
		got, ok, err := tx.Lead("L-2")
		require.NoError(t, err)
		assert.True(t, ok, "a transaction sees its own puts")
		assert.Equal(t, a, got)
		require.NoError(t, tx.AddPending(stream.Pending{Seq: 1, Line: json.RawMessage(`{"seq":1}`)}))
		require.NoError(t, tx.AddPending(stream.Pending{Seq: 2, Line: json.RawMessage(`{"seq":2}`)}))
		return tx.SetMeta(stream.Meta{Fingerprint: "f", Seq: 2, Offset: 100, Line: 3, Clock: at})
	}))
	boom := errors.New("boom")
	err := s.Update(func(tx stream.Tx) error {
		require.NoError(t, tx.Put(stream.Lead{ID: "L-3"}))
		require.NoError(t, tx.SetMeta(stream.Meta{Seq: 9}))
		require.NoError(t, tx.DropPending(2))
		return boom
	})
	assert.ErrorIs(t, err, boom)

	require.NoError(t, s.View(func(tx stream.Tx) error {
		got, ok, err := tx.Lead("L-2")
		require.NoError(t, err)
		assert.True(t, ok)
		assert.Equal(t, a, got)
		_, ok, err = tx.Lead("L-3")
		require.NoError(t, err)
		assert.False(t, ok, "a rolled back put is not kept")
		m, err := tx.Meta()
		require.NoError(t, err)
		assert.Equal(t, stream.Meta{Fingerprint: "f", Seq: 2, Offset: 100, Line: 3, Clock: at}, m)
		p, err := tx.Pending()
		require.NoError(t, err)
		assert.Equal(t, []stream.Pending{{Seq: 1, Line: json.RawMessage(`{"seq":1}`)}, {Seq: 2, Line: json.RawMessage(`{"seq":2}`)}}, p)
		return nil
	}))
	require.NoError(t, s.Update(func(tx stream.Tx) error { return tx.DropPending(1) }))
	var ids []string
	require.NoError(t, s.Each(func(l stream.Lead) error { ids = append(ids, l.ID); return nil }))
	assert.Equal(t, []string{"L-1", "L-2"}, ids)
	require.NoError(t, s.View(func(tx stream.Tx) error {
		p, err := tx.Pending()
		require.NoError(t, err)
		assert.Equal(t, []stream.Pending{{Seq: 2, Line: json.RawMessage(`{"seq":2}`)}}, p)
		return nil
	}))
}

// What was committed is there after the file is closed and opened again;
// a second process (here, a second Open) is refused while the first holds
// the file.
func TestReopenAndLock(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state.db")
	s, err := boltstore.Open(path)
	require.NoError(t, err)
	require.NoError(t, s.Update(func(tx stream.Tx) error { return tx.Put(stream.Lead{ID: "L-1", Applied: []string{"e1"}}) }))
	_, err = boltstore.Open(path)
	assert.ErrorIs(t, err, boltstore.ErrLocked)
	require.NoError(t, s.Close())

	s, err = boltstore.Open(path)
	require.NoError(t, err)
	defer s.Close()
	require.NoError(t, s.View(func(tx stream.Tx) error {
		l, ok, err := tx.Lead("L-1")
		require.NoError(t, err)
		assert.True(t, ok)
		assert.Equal(t, []string{"e1"}, l.Applied)
		return nil
	}))
}
