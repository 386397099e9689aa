package models

import (
	"testing"
	"time"
)

func TestActionValidation(t *testing.T) {
	run := &RunAction{Path: "p", User: "u"}
	badRun := &RunAction{}
	cases := []struct {
		name string
		a    Validator
		want string
	}{
		{"nil action", (*Action)(nil), ""},
		{"empty action", &Action{}, "Invalid field: inner-action"},
		{"download ok", &DownloadAction{From: "f", To: "t", User: "u"}, ""},
		{"download missing all", &DownloadAction{}, "Invalid field: from, Invalid field: to, Invalid field: user"},
		{"download value without algorithm", &DownloadAction{From: "f", To: "t", User: "u", ChecksumValue: "v"},
			"Invalid field: checksum algorithm"},
		{"download algorithm without value", &DownloadAction{From: "f", To: "t", User: "u", ChecksumAlgorithm: "md5"},
			"Invalid field: checksum value"},
		{"download unknown algorithm", &DownloadAction{From: "f", To: "t", User: "u", ChecksumAlgorithm: "crc", ChecksumValue: "v"},
			"Invalid field: invalid algorithm"},
		{"download algorithm case-insensitive", &DownloadAction{From: "f", To: "t", User: "u", ChecksumAlgorithm: "SHA256", ChecksumValue: "v"}, ""},
		{"upload ok", &UploadAction{From: "f", To: "t", User: "u"}, ""},
		{"upload missing all", &UploadAction{}, "Invalid field: to, Invalid field: from, Invalid field: user"},
		{"run ok", run, ""},
		{"run missing all", badRun, "Invalid field: path, Invalid field: user"},
		{"timeout ok", Timeout(run, time.Second), ""},
		{"timeout missing all", &TimeoutAction{}, "Invalid field: action, Invalid field: timeout_ms"},
		{"timeout nested error", Timeout(badRun, time.Second), "Invalid field: path, Invalid field: user"},
		{"timeout empty inner", &TimeoutAction{Action: &Action{}, TimeoutMs: 1}, "Invalid field: inner-action"},
		{"try ok", Try(run), ""},
		{"try missing", &TryAction{}, "Invalid field: action"},
		{"try nested", Try(badRun), "Invalid field: path, Invalid field: user"},
		{"emit ok", EmitProgressFor(run, "a", "b", "c"), ""},
		{"emit missing", &EmitProgressAction{}, "Invalid field: action"},
		{"parallel ok", Parallel(run), ""},
		{"parallel empty", &ParallelAction{}, "Invalid field: actions"},
		{"parallel nil entry", &ParallelAction{Actions: []*Action{WrapAction(run), nil}}, "Invalid field: action at index 1"},
		{"serial ok", Serial(run, run), ""},
		{"serial empty", &SerialAction{Actions: []*Action{}}, "Invalid field: actions"},
		{"serial nested", Serial(run, badRun), "Invalid field: path, Invalid field: user"},
		{"codependent ok", Codependent(run), ""},
		{"codependent empty", &CodependentAction{}, "Invalid field: actions"},
		{"codependent nil entry", &CodependentAction{Actions: []*Action{nil}}, "Invalid field: action at index 0"},
		{"deeply nested", WrapAction(Serial(Try(Timeout(Parallel(badRun), 0)))),
			"Invalid field: path, Invalid field: user, Invalid field: timeout_ms"},
	}
	for _, c := range cases {
		expectValidation(t, c.name, c.a, c.want)
	}
}

func TestWrapUnwrap(t *testing.T) {
	inners := []ActionInterface{
		&DownloadAction{}, &UploadAction{}, &RunAction{}, &TimeoutAction{}, &EmitProgressAction{},
		&TryAction{}, &ParallelAction{}, &SerialAction{}, &CodependentAction{},
	}
	types := []string{ActionTypeDownload, ActionTypeUpload, ActionTypeRun, ActionTypeTimeout, ActionTypeEmitProgress,
		ActionTypeTry, ActionTypeParallel, ActionTypeSerial, ActionTypeCodependent}
	for i, inner := range inners {
		a := WrapAction(inner)
		if UnwrapAction(a) != inner {
			t.Errorf("%T does not round trip", inner)
		}
		if inner.ActionType() != types[i] {
			t.Errorf("%T: type %q", inner, inner.ActionType())
		}
	}
	if WrapAction(nil) != nil || UnwrapAction(nil) != nil || UnwrapAction(&Action{}) != nil {
		t.Error("nil handling")
	}
	if got := Timeout(&RunAction{}, 1500*time.Millisecond).TimeoutMs; got != 1500 {
		t.Errorf("timeout ms %d", got)
	}
}

func TestResourceLimitsOptionals(t *testing.T) {
	var l ResourceLimits
	if l.NofileExists() || l.NprocExists() {
		t.Fatal("unset limits must not exist")
	}
	l.SetNofile(0)
	l.SetNproc(7)
	if !l.NofileExists() || l.GetNofile() != 0 || !l.NprocExists() || l.GetNproc() != 7 {
		t.Fatalf("got %v", &l)
	}
}
