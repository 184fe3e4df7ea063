package station_test

import "github.com/airlock-dev/airlock/station"

func crashWorker(cfg workerConfig, st *station.Station) error    { return nil }
func resubmitWorker(cfg workerConfig, st *station.Station) error { return nil }
