package client_test

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/airlock-dev/airlock/client/clienttest"
	"github.com/airlock-dev/airlock/client/internal/record"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var update = flag.Bool("update", false, "rewrite testdata/state/*.state from fresh homes")

// fuzzKey seals the seed records in testdata/state.
var fuzzKey = func() []byte {
	k, err := record.SealKey(bytes.Repeat([]byte{1}, 32))
	if err != nil {
		panic(err)
	}
	return k
}()

// TestStateSeeds keeps testdata/state current: real states (fresh, with
// leases, pending requests and tombstones) re-sealed under fuzzKey.
func TestStateSeeds(t *testing.T) {
	seeds := map[string]func(m *machine){
		"fresh": func(m *machine) {},
		"pending": func(m *machine) {
			m.request(t0, "render")
			m.request(t0.Add(time.Hour))
		},
		"leases": func(m *machine) {
			m.station.Limits = map[string]uint64{"render": 100}
			id, _ := m.activate(t0, "model", "render")
			m.activate(t0)
			require.NoError(m.t, m.client().Record("render", 12, t0.Add(3*time.Hour)))
			m.refreshReq(id, t0.Add(4*time.Hour))
		},
		"ended": func(m *machine) {
			a, _ := m.activate(t0)
			b, _ := m.activate(t0)
			ret := m.giveBack(a, t0.Add(3*time.Hour))
			deact, err := m.station.Deactivate(ret.Proof, t0.Add(4*time.Hour))
			require.NoError(m.t, err)
			_, err = m.apply(deact, t0.Add(4*time.Hour))
			require.NoError(m.t, err)
			rev, err := m.station.Revoke(b, t0.Add(5*time.Hour))
			require.NoError(m.t, err)
			_, err = m.apply(rev, t0.Add(5*time.Hour))
			require.NoError(m.t, err)
		},
	}
	for name, setup := range seeds {
		path := filepath.Join("testdata", "state", name+".state")
		if *update {
			m := newMachine(t, "ws-lab-042", clienttest.NewStation(1))
			setup(m)
			body := m.state()
			body = body[bytes.IndexByte(body, '\n')+1:]
			st, err := record.Decode(body)
			require.NoError(t, err)
			st.Created = t0.Unix() // the seeds do not depend on the day they were made
			data, err := record.Marshal(fuzzKey, st)
			require.NoError(t, err)
			require.NoError(t, os.MkdirAll(filepath.Dir(path), 0o755))
			require.NoError(t, os.WriteFile(path, data, 0o644))
		}
		data, err := os.ReadFile(path)
		require.NoError(t, err, "run go test ./client -run TestStateSeeds -update")
		st, err := record.Parse(fuzzKey, data)
		require.NoError(t, err, name)
		again, err := record.Marshal(fuzzKey, st)
		require.NoError(t, err)
		assert.Equal(t, data, again, name)
	}
}

// FuzzStateRecord: the state record parser never panics, returns nil with
// every error, and gives back exactly its input when it accepts it. Each
// input is tried as a whole file and, sealed, as a body, so the JSON
// decoder is reached past the MAC.
func FuzzStateRecord(f *testing.F) {
	files, _ := filepath.Glob(filepath.Join("testdata", "state", "*.state"))
	for _, p := range files {
		data, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
		f.Add(data[bytes.IndexByte(data, '\n')+1:])
	}
	f.Add([]byte("{}\n"))
	f.Add([]byte(`{"version":1,"generation":1,"product":"x","created":1,"high_water":1,"trust":"","pending":null,"leases":null,"tombstones":null}` + "\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		st, err := record.Parse(fuzzKey, data)
		checkParsed(t, data, st, err)
		sealed := record.Seal(fuzzKey, data)
		st, err = record.Parse(fuzzKey, sealed)
		checkParsed(t, sealed, st, err)
	})
}

func checkParsed(t *testing.T, data []byte, st *record.State, err error) {
	if err != nil {
		if st != nil {
			t.Fatalf("error %v with a non-nil state", err)
		}
		return
	}
	again, err := record.Marshal(fuzzKey, st)
	if err != nil {
		t.Fatalf("accepted state does not marshal: %v", err)
	}
	if !bytes.Equal(again, data) {
		t.Fatalf("round trip differs:\n in: %q\nout: %q", data, again)
	}
}
