package value

import (
	"bytes"
	"math"
	"math/rand/v2"
	"testing"
)

// randomValue builds a random value of every type, favouring the edge
// cases of the order: -0, NaNs with either sign bit, infinities, empty
// strings, bytes and containers, NUL bytes in strings and bytes, and
// values that share prefixes.
func randomValue(r *rand.Rand, depth int) Value {
	n := 8
	if depth <= 0 {
		n = 6
	}
	switch r.IntN(n) {
	case 0:
		return Null{}
	case 1:
		ints := []int64{0, 1, -1, math.MaxInt64, math.MinInt64, 255, 256, -256}
		if r.IntN(2) == 0 {
			return Int64(ints[r.IntN(len(ints))])
		}
		return Int64(r.Int64() - r.Int64())
	case 2:
		return Float64(randomFloat(r))
	case 3:
		return Boolean(r.IntN(2) == 0)
	case 4:
		return String(randomBytes(r))
	case 5:
		return Bytes(randomBytes(r))
	case 6:
		arr := Array{}
		for range r.IntN(4) {
			arr = append(arr, randomValue(r, depth-1))
		}
		return arr
	default:
		var fs []Field
		for range r.IntN(4) {
			fs = append(fs, Field{Name: string("ab_"[r.IntN(3)]) + string("ab"[r.IntN(2)])[:r.IntN(2)], Value: randomValue(r, depth-1)})
		}
		o, err := NewObject(fs...)
		if err != nil {
			return Object{} // a duplicate name: use the empty object
		}
		return o
	}
}

func randomFloat(r *rand.Rand) float64 {
	specials := []float64{0, math.Copysign(0, -1), 1, -1, 1.5, math.Inf(1), math.Inf(-1), math.NaN(),
		math.Float64frombits(0xfff8000000000000), math.Float64frombits(0x7ff0000000000001),
		math.Float64frombits(0xfff0000000000001), math.SmallestNonzeroFloat64, -math.MaxFloat64}
	switch r.IntN(3) {
	case 0:
		return specials[r.IntN(len(specials))]
	case 1:
		return math.Float64frombits(r.Uint64())
	}
	return r.NormFloat64() * 1000
}

func randomBytes(r *rand.Rand) []byte {
	alphabet := []byte{0, 0xff, 'a', 'b', 0x01, 0xc3, 0xa9}
	b := make([]byte, r.IntN(5))
	for i := range b {
		b[i] = alphabet[r.IntN(len(alphabet))]
	}
	return b
}

func randomTuple(r *rand.Rand) []Value {
	t := make([]Value, r.IntN(4))
	for i := range t {
		if r.IntN(8) == 0 {
			continue // undefined
		}
		t[i] = randomValue(r, 3)
	}
	return t
}

func compareTuples(a, b []Value) int {
	for i := 0; i < len(a) && i < len(b); i++ {
		if c := Compare(a[i], b[i]); c != 0 {
			return c
		}
	}
	switch {
	case len(a) < len(b):
		return -1
	case len(a) > len(b):
		return 1
	}
	return 0
}

func TestKeyOrderEqualsCompareForRandomValues(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for i := 0; i < 20000; i++ {
		a, b := randomValue(r, 3), randomValue(r, 3)
		if i%3 == 0 {
			b = mutate(r, a)
		}
		ka, kb := Key(a), Key(b)
		if got, want := bytes.Compare(ka, kb), Compare(a, b); got != want {
			t.Fatalf("bytes.Compare(Key(%s), Key(%s)) = %d, Compare = %d", ToJSON(a), ToJSON(b), got, want)
		}
		if Equal(a, b) != (Compare(a, b) == 0) {
			t.Fatalf("Equal(%s, %s) disagrees with Compare", ToJSON(a), ToJSON(b))
		}
		if Compare(b, a) != -Compare(a, b) {
			t.Fatalf("Compare is not antisymmetric on %s, %s", ToJSON(a), ToJSON(b))
		}
	}
}

// mutate returns a value close to v, to exercise shared prefixes.
func mutate(r *rand.Rand, v Value) Value {
	switch x := v.(type) {
	case String:
		return x + String(randomBytes(r))
	case Bytes:
		return append(Bytes{}, append(x, randomBytes(r)...)...)
	case Array:
		return append(append(Array{}, x...), randomValue(r, 1))
	case Object:
		return x.With(string("abc"[r.IntN(3)]), randomValue(r, 1))
	}
	return randomValue(r, 1)
}

func TestTupleKeysCompareLexicographically(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	for i := 0; i < 20000; i++ {
		a, b := randomTuple(r), randomTuple(r)
		if i%2 == 0 && len(a) > 0 {
			b = append(append([]Value{}, a[:r.IntN(len(a)+1)]...), randomTuple(r)...)
		}
		if got, want := bytes.Compare(Key(a...), Key(b...)), compareTuples(a, b); got != want {
			t.Fatalf("tuple keys of %v and %v compare %d, want %d", a, b, got, want)
		}
	}
}

func TestDecodeKeyInvertsKey(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	for i := 0; i < 20000; i++ {
		tuple := randomTuple(r)
		got, err := DecodeKey(Key(tuple...))
		if err != nil {
			t.Fatalf("DecodeKey(Key(%v)): %v", tuple, err)
		}
		if len(got) != len(tuple) {
			t.Fatalf("DecodeKey returned %d values, want %d", len(got), len(tuple))
		}
		for j := range tuple {
			if !Equal(got[j], tuple[j]) {
				t.Fatalf("element %d: got %v, want %v", j, got[j], tuple[j])
			}
		}
	}
}

func TestKeyEncodingEdgeCases(t *testing.T) {
	negZero := Float64(math.Copysign(0, -1))
	cases := []struct {
		name string
		less []Value
		more []Value
	}{
		{"undefined sorts before null", []Value{nil}, []Value{Null{}}},
		{"a shorter tuple sorts before its extension", []Value{String("a")}, []Value{String("a"), nil}},
		{"-0 sorts before +0", []Value{negZero}, []Value{Float64(0)}},
		{"a negative NaN sorts before -Infinity", []Value{Float64(math.Float64frombits(0xfff8000000000000))}, []Value{Float64(math.Inf(-1))}},
		{"a string sorts before the same string with a NUL", []Value{String("a"), Int64(9)}, []Value{String("a\x00")}},
		{"an empty array sorts before an array holding null", []Value{Array{}, Object{}}, []Value{Array{Null{}}}},
		{"an empty object sorts before an object with an empty field name", []Value{Object{}, Null{}}, []Value{MustObject(Field{"", Null{}})}},
		{"int64 sorts before float64 whatever the numbers", []Value{Int64(math.MaxInt64)}, []Value{Float64(math.Inf(-1))}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if bytes.Compare(Key(c.less...), Key(c.more...)) >= 0 {
				t.Fatalf("Key(%v) is not below Key(%v)", c.less, c.more)
			}
		})
	}
}

func TestPrefixSuccessorBoundsEveryExtension(t *testing.T) {
	cases := []struct {
		name string
		key  []byte
		want []byte
	}{
		{"an empty key has no successor", nil, nil},
		{"all 0xff has no successor", []byte{0xff, 0xff}, nil},
		{"the last byte is incremented", []byte{1, 2}, []byte{1, 3}},
		{"trailing 0xff bytes are dropped", []byte{1, 0xff, 0xff}, []byte{2}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := PrefixSuccessor(c.key); !bytes.Equal(got, c.want) {
				t.Fatalf("PrefixSuccessor(%x) = %x, want %x", c.key, got, c.want)
			}
		})
	}
	r := rand.New(rand.NewPCG(7, 8))
	for i := 0; i < 5000; i++ {
		prefix := Key(randomTuple(r)...)
		succ := PrefixSuccessor(prefix)
		ext := Key(append(mustDecode(t, prefix), randomTuple(r)...)...)
		if succ != nil && bytes.Compare(ext, succ) >= 0 {
			t.Fatalf("extension %x is not below successor %x", ext, succ)
		}
		if succ != nil && bytes.Compare(prefix, succ) >= 0 {
			t.Fatalf("prefix %x is not below its successor %x", prefix, succ)
		}
	}
}

func mustDecode(t *testing.T, key []byte) []Value {
	t.Helper()
	vals, err := DecodeKey(key)
	if err != nil {
		t.Fatal(err)
	}
	return vals
}

func TestDecodeKeyRefusesDamagedKeys(t *testing.T) {
	cases := map[string][]byte{
		"an unknown tag":             {0x7f},
		"a truncated number":         {tagInt64, 1, 2},
		"an unterminated string":     {tagString, 'a'},
		"a bad escape":               {tagString, 0, 7},
		"an unterminated array":      {tagArray, tagNull},
		"a bad object field mark":    {tagObject, 0x05},
		"object fields out of order": []byte{tagObject, keyField, 'b', 0, 0, tagNull, keyField, 'a', 0, 0, tagNull, keyEnd},
		"deep nesting":               bytes.Repeat([]byte{tagArray}, 200),
	}
	for name, key := range cases {
		t.Run(name, func(t *testing.T) {
			if vals, err := DecodeKey(key); err == nil {
				t.Fatalf("DecodeKey(%x) = %v, want an error", key, vals)
			}
		})
	}
}
