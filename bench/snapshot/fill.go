package main

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strings"

	"hull/database"
	"hull/value"
)

// table is the table the benchmark fills and copies.
const table = "messages"

// fillChunk is how many documents one fill transaction inserts.
const fillChunk = 2000

var words = strings.Fields(`the a deploy build failed passed again after merging review this branch
please check logs when you have time looks good to me ship it tomorrow morning meeting moved
coffee lunch anyone seen latest numbers dashboard slow query index missing fixed thanks`)

// message is a chat message of about 200 bytes as JSON (with its _id and
// _creationTime): strings, numbers, a boolean, an array and a nested
// object, as an app's documents are.
//
// pad > 0 adds a "text" field of pad random letters, to size a snapshot
// by bytes with fewer documents.
func message(r *rand.Rand, i, pad int) value.Object {
	var body strings.Builder
	for body.Len() < 30+r.IntN(30) {
		if body.Len() > 0 {
			body.WriteByte(' ')
		}
		body.WriteString(words[r.IntN(len(words))])
	}
	tags := value.Array{}
	for range r.IntN(3) {
		tags = append(tags, value.String(words[r.IntN(len(words))]))
	}
	fields := []value.Field{
		{Name: "author", Value: value.String(fmt.Sprintf("user_%06d", r.IntN(50_000)))},
		{Name: "channel", Value: value.String(fmt.Sprintf("channel-%02d", i%40))},
		{Name: "body", Value: value.String(body.String())},
		{Name: "likes", Value: value.Float64(r.IntN(200))},
		{Name: "pinned", Value: value.Boolean(r.IntN(20) == 0)},
		{Name: "tags", Value: tags},
		{Name: "reactions", Value: value.MustObject(
			value.Field{Name: "up", Value: value.Float64(r.IntN(9))},
			value.Field{Name: "down", Value: value.Float64(r.IntN(3))},
		)},
	}
	if pad > 0 {
		text := make([]byte, pad)
		for j := range text {
			text[j] = byte('a' + r.IntN(26))
		}
		fields = append(fields, value.Field{Name: "text", Value: value.String(string(text))})
	}
	return value.MustObject(fields...)
}

// fill inserts n messages through the database layer, fillChunk per
// transaction (each padded by pad bytes, see message), and returns the table's number.
func fill(ctx context.Context, db *database.DB, n, pad int) (value.TableNumber, error) {
	r := rand.New(rand.NewPCG(1, 2))
	for done := 0; done < n; {
		tx, err := db.Begin(ctx)
		if err != nil {
			return 0, fmt.Errorf("fill: %w", err)
		}
		for i := 0; i < fillChunk && done < n; i++ {
			if _, err := tx.Insert(ctx, table, message(r, done, pad)); err != nil {
				tx.Rollback()
				return 0, fmt.Errorf("fill: insert: %w", err)
			}
			done++
		}
		if _, err := tx.Commit(ctx); err != nil {
			return 0, fmt.Errorf("fill: commit: %w", err)
		}
	}
	tx, err := db.BeginRead(ctx, 0)
	if err != nil {
		return 0, fmt.Errorf("fill: %w", err)
	}
	defer tx.Rollback()
	number, ok := tx.TableNumber(table)
	if !ok {
		return 0, fmt.Errorf("fill: table %s missing after the fill", table)
	}
	return number, nil
}
