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
func message(r *rand.Rand, i int) value.Object {
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
	return value.MustObject(
		value.Field{Name: "author", Value: value.String(fmt.Sprintf("user_%06d", r.IntN(50_000)))},
		value.Field{Name: "channel", Value: value.String(fmt.Sprintf("channel-%02d", i%40))},
		value.Field{Name: "body", Value: value.String(body.String())},
		value.Field{Name: "likes", Value: value.Float64(r.IntN(200))},
		value.Field{Name: "pinned", Value: value.Boolean(r.IntN(20) == 0)},
		value.Field{Name: "tags", Value: tags},
		value.Field{Name: "reactions", Value: value.MustObject(
			value.Field{Name: "up", Value: value.Float64(r.IntN(9))},
			value.Field{Name: "down", Value: value.Float64(r.IntN(3))},
		)},
	)
}

// fill inserts n messages through the database layer, fillChunk per
// transaction, and returns the table's number.
func fill(ctx context.Context, db *database.DB, n int) (value.TableNumber, error) {
	r := rand.New(rand.NewPCG(1, 2))
	for done := 0; done < n; {
		tx, err := db.Begin(ctx)
		if err != nil {
			return 0, fmt.Errorf("fill: %w", err)
		}
		for i := 0; i < fillChunk && done < n; i++ {
			if _, err := tx.Insert(ctx, table, message(r, done)); err != nil {
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
