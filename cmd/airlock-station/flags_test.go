package main

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/airlock-dev/airlock/station"
)

func TestParseDuration(t *testing.T) {
	tests := []struct {
		in      string
		want    time.Duration
		wantErr string
	}{
		{in: "720h", want: 720 * time.Hour},
		{in: "30d", want: 720 * time.Hour},
		{in: "1d12h", want: 36 * time.Hour},
		{in: " 90m ", want: 90 * time.Minute},
		{in: "0d", want: 0},
		{in: "", wantErr: "is not like 720h, 30d or 1d12h"},
		{in: "d", wantErr: "is not like"},
		{in: "2w", wantErr: "is not like"},
		{in: "-5h", wantErr: "is negative"},
		{in: "1d-5h", wantErr: "is negative"},
		{in: "999999d", wantErr: "too many days"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := parseDuration(tt.in)
			if tt.wantErr != "" {
				assert.ErrorContains(t, err, tt.wantErr)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
		})
	}
}

func TestParseFeatures(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		want    []station.Feature
		wantErr string
	}{
		{name: "plain", in: "render,model", want: []station.Feature{{Name: "model"}, {Name: "render"}}},
		{name: "limits", in: "export=100, model ,", want: []station.Feature{{Name: "export", Limit: 100}, {Name: "model"}}},
		{name: "empty", in: " , ", wantErr: "no features given"},
		{name: "twice", in: "a,a=3", wantErr: "a is named twice"},
		{name: "zero limit", in: "a=0", wantErr: `limit "0" of a is not a whole number above 0`},
		{name: "bad limit", in: "a=x", wantErr: `limit "x"`},
		{name: "bad name", in: "-a", wantErr: `name "-a"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := parseFeatures(tt.in)
			if tt.wantErr != "" {
				assert.ErrorContains(t, err, tt.wantErr)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
		})
	}
}

func TestParseTermEnd(t *testing.T) {
	tests := []struct {
		in      string
		want    time.Time
		wantErr bool
	}{
		{in: "2027-12-31", want: time.Date(2028, 1, 1, 0, 0, 0, 0, time.UTC)},
		{in: "2027-06-30T18:00:00+02:00", want: time.Date(2027, 6, 30, 16, 0, 0, 0, time.UTC)},
		{in: "none"},
		{in: "31.12.2027", wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := parseTermEnd(tt.in)
			if tt.wantErr {
				assert.Error(t, err)
				return
			}
			require.NoError(t, err)
			assert.True(t, tt.want.Equal(got), "%s", got)
		})
	}
}

func TestGroupFlag(t *testing.T) {
	var g groupFlag
	require.NoError(t, g.Set("eng=ana,ben"))
	require.NoError(t, g.Set("eng=cy"))
	require.NoError(t, g.Set("ops="))
	assert.Equal(t, map[string][]string{"eng": {"ana", "ben", "cy"}, "ops": nil}, g.groups)
	assert.Error(t, g.Set("noequals"))
	assert.Error(t, g.Set("=ana"))
}
