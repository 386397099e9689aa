package locketmodels

import (
	"errors"
	"testing"
)

func TestNormalized(t *testing.T) {
	cases := []struct {
		in       *Resource
		wantType string
		wantCode TypeCode
	}{
		{&Resource{Type: "lock"}, "lock", TypeCode_LOCK},
		{&Resource{Type: "presence"}, "presence", TypeCode_PRESENCE},
		{&Resource{TypeCode: TypeCode_PRESENCE}, "presence", TypeCode_PRESENCE},
		{&Resource{Type: "lock", TypeCode: TypeCode_PRESENCE}, "presence", TypeCode_PRESENCE},
		{&Resource{Type: "odd"}, "odd", TypeCode_UNKNOWN},
	}
	for _, c := range cases {
		got := Normalized(c.in)
		if got.Type != c.wantType || got.TypeCode != c.wantCode {
			t.Errorf("Normalized(%v) = %q/%v, want %q/%v", c.in, got.Type, got.TypeCode, c.wantType, c.wantCode)
		}
	}
}

func TestValidateType(t *testing.T) {
	valid := []struct {
		name string
		code TypeCode
	}{{"lock", 0}, {"presence", 0}, {"", TypeCode_LOCK}, {"lock", TypeCode_LOCK}, {"", TypeCode_PRESENCE}, {"presence", TypeCode_PRESENCE}}
	for _, v := range valid {
		if err := ValidateType(v.name, v.code); err != nil {
			t.Errorf("ValidateType(%q, %v) = %v", v.name, v.code, err)
		}
	}
	invalid := []struct {
		name string
		code TypeCode
	}{{"", 0}, {"odd", 0}, {"presence", TypeCode_LOCK}, {"lock", TypeCode_PRESENCE}, {"", TypeCode(7)}}
	for _, v := range invalid {
		if err := ValidateType(v.name, v.code); !errors.Is(err, ErrInvalidType) {
			t.Errorf("ValidateType(%q, %v) = %v, want ErrInvalidType", v.name, v.code, err)
		}
	}
}
