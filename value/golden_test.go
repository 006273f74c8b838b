package value

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"strings"
	"testing"
)

// golden mirrors testdata/golden.json, written by testdata/gen/gen.mjs with
// the official convex client.
type golden struct {
	Valid []struct {
		Name string `json:"name"`
		JS   string `json:"js"`
		JSON string `json:"json"`
		Size int    `json:"size"`
	} `json:"valid"`
	Invalid []struct {
		Name        string  `json:"name"`
		JSON        string  `json:"json"`
		ClientError *string `json:"clientError"`
		HullRejects bool    `json:"hullRejects"`
	} `json:"invalid"`
	Order []struct {
		JS   string `json:"js"`
		JSON string `json:"json"`
	} `json:"order"`
}

func loadGolden(t testing.TB) golden {
	t.Helper()
	data, err := os.ReadFile("testdata/golden.json")
	if err != nil {
		t.Fatalf("read golden vectors: %v", err)
	}
	var g golden
	if err := json.Unmarshal(data, &g); err != nil {
		t.Fatalf("parse golden vectors: %v", err)
	}
	if len(g.Valid) == 0 || len(g.Invalid) == 0 || len(g.Order) == 0 {
		t.Fatal("golden vectors are empty")
	}
	return g
}

func TestGoldenValidValuesRoundTripByteForByte(t *testing.T) {
	g := loadGolden(t)
	for _, c := range g.Valid {
		t.Run(c.Name, func(t *testing.T) {
			v, err := FromJSON([]byte(c.JSON))
			if err != nil {
				t.Fatalf("FromJSON(%s) for %s: %v", c.JSON, c.JS, err)
			}
			if got := string(ToJSON(v)); got != c.JSON {
				t.Errorf("ToJSON of %s:\n got %s\nwant %s", c.JS, got, c.JSON)
			}
			if got := Size(v); got != c.Size {
				t.Errorf("Size of %s = %d, client says %d", c.JS, got, c.Size)
			}
			if err := Validate(v); err != nil {
				t.Errorf("Validate(%s): %v", c.JS, err)
			}
			var decoded any
			dec := json.NewDecoder(strings.NewReader(c.JSON))
			dec.UseNumber()
			if err := dec.Decode(&decoded); err != nil {
				t.Fatalf("encoding/json cannot read %s: %v", c.JSON, err)
			}
			w, err := FromJSONAny(decoded)
			if err != nil {
				t.Fatalf("FromJSONAny for %s: %v", c.JS, err)
			}
			if !Equal(v, w) {
				t.Errorf("FromJSONAny gives %s, FromJSON gives %s", ToJSON(w), ToJSON(v))
			}
		})
	}
}

func TestGoldenInvalidEncodingsAreRefusedWithTypedErrors(t *testing.T) {
	g := loadGolden(t)
	for _, c := range g.Invalid {
		t.Run(c.Name, func(t *testing.T) {
			v, err := FromJSON([]byte(c.JSON))
			if !c.HullRejects {
				if err != nil {
					t.Fatalf("FromJSON refused an input a Convex server accepts: %v", err)
				}
				if _, err := FromJSON(ToJSON(v)); err != nil {
					t.Fatalf("re-encoding is not readable: %v", err)
				}
				return
			}
			if err == nil {
				t.Fatalf("FromJSON accepted %.80s as %.80s", c.JSON, ToJSON(v))
			}
			var e *Error
			if !errors.As(err, &e) || e.Code == "" || e.Msg == "" {
				t.Fatalf("error %v is not a typed *Error with a code and message", err)
			}
		})
	}
}

func TestGoldenOrderMatchesTheClientsCompareValues(t *testing.T) {
	g := loadGolden(t)
	vals := make([]Value, len(g.Order))
	for i, c := range g.Order {
		v, err := FromJSON([]byte(c.JSON))
		if err != nil {
			t.Fatalf("FromJSON(%s): %v", c.JSON, err)
		}
		vals[i] = v
	}
	for i := range vals {
		for j := range vals {
			want := 0
			if i < j {
				want = -1
			} else if i > j {
				want = 1
			}
			if got := Compare(vals[i], vals[j]); got != want {
				t.Errorf("Compare(%s, %s) = %d, want %d", g.Order[i].JS, g.Order[j].JS, got, want)
			}
			ki, kj := Key(vals[i]), Key(vals[j])
			if got := bytes.Compare(ki, kj); got != want {
				t.Errorf("key order of %s vs %s = %d, want %d", g.Order[i].JS, g.Order[j].JS, got, want)
			}
		}
	}
}
