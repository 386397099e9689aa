package config_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/godiego/diego/internal/config"
)

type sample struct {
	Name      string          `json:"name"`
	Interval  config.Duration `json:"interval"`
	Ignored   string          `json:"ignored_key,omitempty" unused:"true"`
	Untouched bool            `json:"untouched,omitempty" unused:"true"`
	embedded
}

type embedded struct {
	LogLevel string `json:"log_level"`
	Legacy   int    `json:"legacy,omitempty" unused:"true"`
}

func (s *sample) Validate() error {
	var p config.Problems
	p.Require("name", s.Name)
	if s.Interval.D() <= 0 {
		p.Addf("interval: must be positive, got %s", s.Interval.D())
	}
	return p.Err()
}

func TestDecodeAppliesValuesOverDefaults(t *testing.T) {
	cfg := sample{Interval: config.Duration(time.Second)}
	if err := config.Decode([]byte(`{"name":"bbs","log_level":"debug"}`), &cfg); err != nil {
		t.Fatal(err)
	}
	if cfg.Name != "bbs" || cfg.LogLevel != "debug" || cfg.Interval.D() != time.Second {
		t.Fatalf("unexpected config %+v", cfg)
	}
}

func TestDecodeRejectsUnknownKeysByName(t *testing.T) {
	err := config.Decode([]byte(`{"name":"x","interval":"1s","listen_adress":"typo"}`), &sample{})
	if err == nil || !strings.Contains(err.Error(), `unknown key "listen_adress"`) {
		t.Fatalf("want unknown key error, got %v", err)
	}
}

func TestDecodeReportsEveryProblem(t *testing.T) {
	err := config.Decode([]byte(`{"interval":"0s"}`), &sample{})
	var invalid *config.InvalidError
	if !errors.As(err, &invalid) || len(invalid.Problems) != 2 {
		t.Fatalf("want two problems, got %v", err)
	}
	if !strings.Contains(err.Error(), "name: is required") || !strings.Contains(err.Error(), "interval: must be positive") {
		t.Fatalf("problems do not name their keys: %v", err)
	}
}

func TestDecodeReportsTypeErrorsWithKey(t *testing.T) {
	err := config.Decode([]byte(`{"name": 5}`), &sample{})
	if err == nil || !strings.Contains(err.Error(), `"name"`) {
		t.Fatalf("want error naming the key, got %v", err)
	}
}

func TestDurationAcceptsStringsAndNanoseconds(t *testing.T) {
	var cfg sample
	if err := config.Decode([]byte(`{"name":"x","interval":"1m30s"}`), &cfg); err != nil {
		t.Fatal(err)
	}
	if cfg.Interval.D() != 90*time.Second {
		t.Fatalf("got %s", cfg.Interval.D())
	}
	if err := config.Decode([]byte(`{"name":"x","interval":2000000000}`), &cfg); err != nil {
		t.Fatal(err)
	}
	if cfg.Interval.D() != 2*time.Second {
		t.Fatalf("got %s", cfg.Interval.D())
	}
	if err := config.Decode([]byte(`{"name":"x","interval":"soon"}`), &cfg); err == nil {
		t.Fatal("want an error for a malformed duration")
	}
	out, err := config.Duration(15 * time.Second).MarshalJSON()
	if err != nil || string(out) != `"15s"` {
		t.Fatalf("marshal: %s %v", out, err)
	}
}

func TestUnusedKeysListsOnlySetTaggedFields(t *testing.T) {
	cfg := sample{Ignored: "set", embedded: embedded{Legacy: 3}}
	got := strings.Join(config.UnusedKeys(&cfg), ",")
	if got != "ignored_key,legacy" {
		t.Fatalf("got %q", got)
	}
}
