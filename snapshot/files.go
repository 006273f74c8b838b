package snapshot

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"strconv"

	"hull/value"
)

// Format is the format of a file given to import.
type Format string

// The formats of `npx convex import --format`.
const (
	FormatJSONLines Format = "jsonLines"
	FormatJSONArray Format = "jsonArray"
	FormatCSV       Format = "csv"
	FormatZIP       Format = "zip"
)

// ParseFormat checks a format name.
func ParseFormat(s string) (Format, error) {
	switch f := Format(s); f {
	case FormatJSONLines, FormatJSONArray, FormatCSV, FormatZIP:
		return f, nil
	}
	return "", fmt.Errorf("%w: unknown import format %q (jsonLines, jsonArray, csv or zip)", ErrFormat, s)
}

// ReadTableFile calls fn for every document of a single-table file:
// JSON lines, a JSON array of objects, or CSV with a header row (cells
// that parse as numbers become float64, "true" and "false" booleans,
// empty cells are left out, the rest strings). JSON numbers are float64,
// as Convex reads user files.
func ReadTableFile(r io.Reader, f Format, fn func(value.Object) error) error {
	switch f {
	case FormatJSONLines:
		return Lines(r, func(n int, line []byte) error {
			doc, err := DecodeDocument(line, NumbersFloat)
			if err != nil {
				return formatErr("line %d: %v", n, err)
			}
			return fn(doc)
		}, "the JSON lines file")
	case FormatJSONArray:
		return readJSONArray(r, fn)
	case FormatCSV:
		return readCSV(r, fn)
	}
	return formatErr("format %q is not a single-table format", f)
}

func readJSONArray(r io.Reader, fn func(value.Object) error) error {
	dec := json.NewDecoder(r)
	dec.UseNumber()
	tok, err := dec.Token()
	if err != nil || tok != json.Delim('[') {
		return formatErr("a JSON array file must start with '['")
	}
	for n := 1; dec.More(); n++ {
		var raw any
		if err := dec.Decode(&raw); err != nil {
			return formatErr("element %d: %v", n, err)
		}
		doc, err := ObjectFromJSON(raw, NumbersFloat)
		if err != nil {
			return formatErr("element %d: %v", n, err)
		}
		if err := fn(doc); err != nil {
			return err
		}
	}
	if tok, err := dec.Token(); err != nil || tok != json.Delim(']') {
		return formatErr("the JSON array is not closed")
	}
	return nil
}

func readCSV(r io.Reader, fn func(value.Object) error) error {
	cr := csv.NewReader(r)
	cr.ReuseRecord = true
	header, err := cr.Read()
	if err != nil {
		return formatErr("CSV header: %v", err)
	}
	names := append([]string(nil), header...)
	for n := 2; ; n++ {
		rec, err := cr.Read()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return formatErr("CSV: %v", err)
		}
		fields := make([]value.Field, 0, len(rec))
		for i, cell := range rec {
			if cell == "" || i >= len(names) {
				continue
			}
			fields = append(fields, value.Field{Name: names[i], Value: csvValue(cell)})
		}
		doc, err := value.NewObject(fields...)
		if err != nil {
			return formatErr("CSV row %d: %v", n, err)
		}
		if err := fn(doc); err != nil {
			return err
		}
	}
}

func csvValue(s string) value.Value {
	switch s {
	case "true":
		return value.Boolean(true)
	case "false":
		return value.Boolean(false)
	}
	if f, err := strconv.ParseFloat(s, 64); err == nil {
		return value.Float64(f)
	}
	return value.String(s)
}
