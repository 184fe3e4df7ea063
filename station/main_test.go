package station_test

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"testing"
	"time"

	"github.com/airlock-dev/airlock/station"
	"github.com/airlock-dev/airlock/station/sqlite"
)

// workerEnv selects a worker loop: the test binary runs itself as a
// station process (a real OS process with its own database connection).
const workerEnv = "AIRLOCK_STATION_TEST_WORKER"

func TestMain(m *testing.M) {
	switch w := os.Getenv(workerEnv); w {
	case "":
		os.Exit(m.Run())
	case "churn":
		os.Exit(runWorker(churnWorker))
	case "crash":
		os.Exit(runWorker(crashWorker))
	case "resubmit":
		os.Exit(runWorker(resubmitWorker))
	default:
		fmt.Fprintf(os.Stderr, "unknown worker %q\n", w)
		os.Exit(2)
	}
}

// workerConfig is what a worker process is told, in the environment as JSON.
type workerConfig struct {
	DB         string    `json:"db"`
	LicenseKey string    `json:"license_key"`
	Name       string    `json:"name"`
	Calls      int       `json:"calls"`
	Goroutines int       `json:"goroutines"`
	Now        time.Time `json:"now"`
	Request    []byte    `json:"request,omitempty"`
}

const workerConfigEnv = "AIRLOCK_STATION_TEST_CONFIG"

func runWorker(fn func(cfg workerConfig, st *station.Station) error) int {
	var cfg workerConfig
	if err := json.Unmarshal([]byte(os.Getenv(workerConfigEnv)), &cfg); err != nil {
		fmt.Fprintln(os.Stderr, "worker config:", err)
		return 2
	}
	store, err := sqlite.Open(cfg.DB, sqlite.Options{})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer store.Close()
	st, err := station.Open(ctx, store)
	if err == nil {
		err = st.UseSigner(ctx, seedKey("issuer"))
	}
	if err == nil {
		err = fn(cfg, st)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "worker:", err)
		return 1
	}
	return 0
}

// workerCommand is the test binary as a worker process.
func workerCommand(t testing.TB, kind string, cfg workerConfig) *exec.Cmd {
	t.Helper()
	b, err := json.Marshal(cfg)
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), workerEnv+"="+kind, workerConfigEnv+"="+string(b))
	return cmd
}

// envInt reads a size from the environment (for longer runs), else def.
func envInt(name string, def int) int {
	if n, err := strconv.Atoi(os.Getenv(name)); err == nil && n > 0 {
		return n
	}
	return def
}
