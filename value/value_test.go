package value

import (
	"encoding/json"
	"errors"
	"math"
	"strings"
	"testing"
)

func TestNewObjectSortsDropsUndefinedAndRefusesBadNames(t *testing.T) {
	o, err := NewObject(Field{"b", Int64(2)}, Field{"a", Int64(1)}, Field{"gone", nil}, Field{"", Null{}})
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, f := range o.Fields() {
		names = append(names, f.Name)
	}
	if got := strings.Join(names, ","); got != ",a,b" {
		t.Fatalf("field order %q, want \",a,b\"", got)
	}
	cases := []struct {
		name   string
		fields []Field
		code   Code
	}{
		{"a duplicate name", []Field{{"a", Null{}}, {"a", Null{}}}, CodeDuplicateField},
		{"a $ name", []Field{{"$a", Null{}}}, CodeFieldName},
		{"a non-ASCII name", []Field{{"é", Null{}}}, CodeFieldName},
		{"a control character", []Field{{"a\n", Null{}}}, CodeFieldName},
		{"a name over 1024 characters", []Field{{strings.Repeat("x", 1025), Null{}}}, CodeFieldName},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := NewObject(c.fields...)
			var e *Error
			if !errors.As(err, &e) || e.Code != c.code {
				t.Fatalf("NewObject error %v, want code %s", err, c.code)
			}
		})
	}
}

func TestObjectWithAndWithoutLeaveTheOriginalAlone(t *testing.T) {
	o := MustObject(Field{"a", Int64(1)}, Field{"c", Int64(3)})
	added := o.With("b", Int64(2))
	replaced := o.With("a", String("x"))
	removed := o.Without("a")
	if got := string(ToJSON(o)); got != `{"a":{"$integer":"AQAAAAAAAAA="},"c":{"$integer":"AwAAAAAAAAA="}}` {
		t.Fatalf("original changed: %s", got)
	}
	if v, ok := added.Get("b"); !ok || !Equal(v, Int64(2)) || added.Len() != 3 {
		t.Fatalf("With added wrong: %s", ToJSON(added))
	}
	if v, _ := replaced.Get("a"); !Equal(v, String("x")) || replaced.Len() != 2 {
		t.Fatalf("With replaced wrong: %s", ToJSON(replaced))
	}
	if _, ok := removed.Get("a"); ok || removed.Len() != 1 {
		t.Fatalf("Without wrong: %s", ToJSON(removed))
	}
	if got := o.With("a", nil); got.Len() != 1 {
		t.Fatalf("With(nil) kept the field: %s", ToJSON(got))
	}
	if got := o.Without("zzz"); !Equal(got, o) {
		t.Fatal("Without of a missing field changed the object")
	}
	big := Object{}
	for i := 0; i < 40; i++ {
		big = big.With(string(rune('A'+i)), Int64(i))
	}
	for i := 0; i < 40; i++ {
		if v, ok := big.Get(string(rune('A' + i))); !ok || !Equal(v, Int64(i)) {
			t.Fatalf("Get on a large object missed field %d", i)
		}
	}
}

func TestEqualTreatsFloatsByTheirBits(t *testing.T) {
	cases := []struct {
		name string
		a, b Value
		want bool
	}{
		{"undefined equals undefined", nil, nil, true},
		{"undefined differs from null", nil, Null{}, false},
		{"-0 differs from +0", Float64(math.Copysign(0, -1)), Float64(0), false},
		{"NaN equals the same NaN", Float64(math.NaN()), Float64(math.NaN()), true},
		{"int 1 differs from float 1", Int64(1), Float64(1), false},
		{"nil bytes equal empty bytes", Bytes(nil), Bytes{}, true},
		{"objects with the same fields are equal", MustObject(Field{"a", Null{}}), MustObject(Field{"a", Null{}}), true},
		{"arrays of different length differ", Array{Null{}}, Array{}, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := Equal(c.a, c.b); got != c.want {
				t.Fatalf("Equal = %v, want %v", got, c.want)
			}
			if got := Compare(c.a, c.b) == 0; got != c.want {
				t.Fatalf("Compare == 0 is %v, want %v", got, c.want)
			}
		})
	}
}

func TestOtherJSONFormats(t *testing.T) {
	doc := MustObject(
		Field{"i", Int64(-33)},
		Field{"f", Float64(1)},
		Field{"z", Float64(math.Copysign(0, -1))},
		Field{"n", Float64(math.Float64frombits(0x7ff8000000000000))}, // JavaScript's NaN
		Field{"p", Float64(math.Inf(1))},
		Field{"m", Float64(math.Inf(-1))},
		Field{"b", Bytes{1, 2, 3}},
		Field{"s", String("x")},
		Field{"a", Array{Float64(1e21), Float64(1.5e-7), Float64(0.0001), Float64(123.25)}},
	)
	cases := []struct {
		name string
		enc  func(Value) []byte
		want string
	}{
		{"clean json turns ints into strings and specials into names", ToCleanJSON,
			`{"a":[1e21,1.5e-7,0.0001,123.25],"b":"AQID","f":1.0,"i":"-33","m":"-Infinity","n":"NaN","p":"Infinity","s":"x","z":-0.0}`},
		{"export json keeps ints bare and floats recognisable", ToExportJSON,
			`{"a":[1e21,1.5e-7,0.0001,123.25],"b":{"$bytes":"AQID"},"f":1.0,"i":-33,"m":{"$float":"AAAAAAAA8P8="},"n":{"$float":"AAAAAAAA+H8="},"p":{"$float":"AAAAAAAA8H8="},"s":"x","z":-0.0}`},
		{"encoded json is lossless", ToJSON,
			`{"a":[1e+21,1.5e-7,0.0001,123.25],"b":{"$bytes":"AQID"},"f":1,"i":{"$integer":"3/////////8="},"m":{"$float":"AAAAAAAA8P8="},"n":{"$float":"AAAAAAAA+H8="},"p":{"$float":"AAAAAAAA8H8="},"s":"x","z":{"$float":"AAAAAAAAAIA="}}`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := string(c.enc(doc)); got != c.want {
				t.Fatalf("\n got %s\nwant %s", got, c.want)
			}
		})
	}
}

func TestRustStyleFloatsUseFractionOrExponent(t *testing.T) {
	cases := map[float64]string{
		0: "0.0", 1: "1.0", 100: "100.0", 1e15: "1000000000000000.0", 1e16: "1e16", 1.5: "1.5",
		0.1: "0.1", 1e-5: "0.00001", 1e-6: "1e-6", 1.234e-7: "1.234e-7", 1.7976931348623157e308: "1.7976931348623157e308",
		-2.5: "-2.5", 5e-324: "5e-324", 123456789.125: "123456789.125",
	}
	for f, want := range cases {
		if got := string(appendRustFloat(nil, f)); got != want {
			t.Errorf("appendRustFloat(%v) = %s, want %s", f, got, want)
		}
	}
}

func TestFromJSONErrorsNameThePath(t *testing.T) {
	cases := []struct {
		name, json, want string
		code             Code
	}{
		{"a bad integer deep inside", `{"a":{"b":[0,1,2,{"$integer":"AQ=="}]}}`, `field "a.b[3].$integer": $integer must be 8 bytes of base64, got 1 bytes`, CodeEncoding},
		{"a $ key inside an array", `[{"x":[{"$y":1}]}]`, `field "[0].x[0]": field name "$y" starts with '$', which is reserved (only $integer, $float and $bytes objects are special)`, CodeFieldName},
		{"a bad name at the top", `{"a\u0001":1}`, "field name \"a\\x01\" must contain only printable ASCII characters", CodeFieldName},
		{"a syntax error", `{"a":[1,}`, `field "a[1]": invalid JSON at offset 8: unexpected character '}'`, CodeSyntax},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := FromJSON([]byte(c.json))
			var e *Error
			if !errors.As(err, &e) || e.Code != c.code {
				t.Fatalf("error %v, want code %s", err, c.code)
			}
			if err.Error() != c.want {
				t.Fatalf("message\n got %s\nwant %s", err, c.want)
			}
			if !errors.Is(err, &Error{Code: c.code}) {
				t.Fatal("errors.Is does not match the code")
			}
		})
	}
}

func TestFromJSONAcceptsWhitespaceEscapesAndDuplicateKeys(t *testing.T) {
	cases := []struct{ name, in, want string }{
		{"whitespace everywhere", " { \"a\" : [ 1 , true , null ] } \n", `{"a":[1,true,null]}`},
		{"escapes are decoded", `"\u00e9\ud83d\ude00\/\b"`, `"é😀/\b"`},
		{"the last duplicate key wins", `{"b":1,"a":1,"b":2}`, `{"a":1,"b":2}`},
		{"URL-safe base64 is accepted", `{"$bytes":"-_8="}`, `{"$bytes":"+/8="}`},
		{"exponents and fractions parse", `[1E2,-0.5e-3,0.0]`, `[100,-0.0005,0]`},
		{"a negative zero number becomes -0", `-0`, `{"$float":"AAAAAAAAAIA="}`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			v, err := FromJSON([]byte(c.in))
			if err != nil {
				t.Fatal(err)
			}
			if got := string(ToJSON(v)); got != c.want {
				t.Fatalf("got %s, want %s", got, c.want)
			}
		})
	}
}

func TestFromJSONRefusesValuesOverThirtyTwoMiB(t *testing.T) {
	s := strings.Repeat("x", 1<<20)
	var b strings.Builder
	b.WriteString("[")
	for i := 0; i < 33; i++ {
		if i > 0 {
			b.WriteString(",")
		}
		b.WriteString(`"` + s + `"`)
	}
	b.WriteString("]")
	_, err := FromJSON([]byte(b.String()))
	if !errors.Is(err, &Error{Code: CodeTooLarge}) {
		t.Fatalf("error %v, want CodeTooLarge", err)
	}
}

func TestValidateDocumentRules(t *testing.T) {
	id := ID{Table: FirstUserTable, Internal: InternalID{1}}.String()
	nest := func(n int) Value {
		var v Value = Null{}
		for i := 0; i < n; i++ {
			v = Array{v}
		}
		return v
	}
	cases := []struct {
		name string
		doc  Object
		code Code // "" means valid
	}{
		{"a plain document", MustObject(Field{"_id", String(id)}, Field{"_creationTime", Float64(1.5)}, Field{"a", Int64(1)}), ""},
		{"nested underscore fields", MustObject(Field{"x", MustObject(Field{"_y", Null{}})}), ""},
		{"another top-level underscore field", MustObject(Field{"_x", Null{}}), CodeDocument},
		{"an _id that is not an id", MustObject(Field{"_id", String("abc")}), CodeDocument},
		{"an _id that is a number", MustObject(Field{"_id", Float64(1)}), CodeDocument},
		{"a zero creation time", MustObject(Field{"_creationTime", Float64(0)}), CodeDocument},
		{"a NaN creation time", MustObject(Field{"_creationTime", Float64(math.NaN())}), CodeDocument},
		{"nesting of 16", MustObject(Field{"a", nest(15)}), ""},
		{"nesting of 17", MustObject(Field{"a", nest(16)}), CodeTooLarge},
		{"over 1 MiB", MustObject(Field{"a", String(strings.Repeat("x", 1<<20))}), CodeTooLarge},
		{"invalid UTF-8", MustObject(Field{"a", String("\xff")}), CodeEncoding},
		{"an undefined array element", MustObject(Field{"a", Array{nil}}), CodeEncoding},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := ValidateDocument(c.doc)
			if c.code == "" {
				if err != nil {
					t.Fatalf("ValidateDocument: %v", err)
				}
				return
			}
			var e *Error
			if !errors.As(err, &e) || e.Code != c.code {
				t.Fatalf("ValidateDocument error %v, want code %s", err, c.code)
			}
		})
	}
}

func TestValidateIdentifierRules(t *testing.T) {
	cases := map[string]bool{
		"messages": true, "_storage": true, "by_creation_time": true, "A1": true, "_a": true,
		"": false, "_": false, "__": false, "1abc": false, "a-b": false, "a.b": false, "é": false,
		strings.Repeat("a", 64): true, strings.Repeat("a", 65): false,
	}
	for s, ok := range cases {
		err := ValidateIdentifier(s)
		if (err == nil) != ok {
			t.Errorf("ValidateIdentifier(%q) = %v, want valid=%v", s, err, ok)
		}
		if err != nil && !errors.Is(err, &Error{Code: CodeIdentifier}) {
			t.Errorf("ValidateIdentifier(%q) error %v has the wrong code", s, err)
		}
	}
}

func TestToJSONWritesUndefinedAsNullAndRepairsBadUTF8(t *testing.T) {
	if got := string(ToJSON(nil)); got != "null" {
		t.Fatalf("ToJSON(nil) = %s", got)
	}
	if got := string(ToJSON(String("a\xffb"))); got != "\"a\ufffdb\"" {
		t.Fatalf("bad UTF-8 written as %q", got)
	}
}

func TestEncodingJSONWritesTheEncodedFormat(t *testing.T) {
	type envelope struct {
		Value Value `json:"value"`
	}
	cases := []struct {
		name string
		v    Value
		want string
	}{
		{"an int64 in an interface field", Int64(1), `{"value":{"$integer":"AQAAAAAAAAA="}}`},
		{"a NaN", Float64(math.Float64frombits(0x7ff8000000000000)), `{"value":{"$float":"AAAAAAAA+H8="}}`},
		{"an object", MustObject(Field{"b", Bytes{1}}, Field{"a", Array{Null{}}}), `{"value":{"a":[null],"b":{"$bytes":"AQ=="}}}`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := json.Marshal(envelope{c.v})
			if err != nil {
				t.Fatal(err)
			}
			if string(got) != c.want {
				t.Fatalf("got %s, want %s", got, c.want)
			}
		})
	}
}
