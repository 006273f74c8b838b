package database_test

import (
	"testing"

	"hull/database"
)

// FuzzParseQuery checks that no serialized query makes the parser panic.
func FuzzParseQuery(f *testing.F) {
	for _, s := range []string{
		`{"source":{"type":"FullTableScan","tableName":"t","order":null},"operators":[]}`,
		`{"source":{"type":"IndexRange","indexName":"t.by_a","range":[{"type":"Eq","fieldPath":"a","value":{"$undefined":null}}],"order":"desc"},"operators":[{"limit":3}]}`,
		`{"source":{"type":"Search","indexName":"t.s","filters":[{"type":"Search","fieldPath":"b","value":"x"}]},"operators":[{"filter":{"$and":[{"$eq":[{"$field":"a"},{"$literal":1}]},{"$not":{"$literal":true}}]}}]}`,
		`{"source":{"type":"FullTableScan","tableName":"t"},"operators":[{"filter":{"$neg":[{"$field":"x"}]}}]}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		_, _ = database.ParseQuery(data)
	})
}

// FuzzParseSchema checks that no schema export makes the parser panic.
func FuzzParseSchema(f *testing.F) {
	f.Add([]byte(itemsSchema))
	f.Add([]byte(`{"tables":[{"tableName":"t","indexes":[],"documentType":{"type":"union","value":[{"type":"object","value":{"a":{"fieldType":{"type":"record","keys":{"type":"string"},"values":{"fieldType":{"type":"any"},"optional":false}},"optional":true}}}]}}]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		_, _ = database.ParseSchema(data)
	})
}
