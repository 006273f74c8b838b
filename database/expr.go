package database

import (
	"encoding/json"
	"math"

	"hull/value"
)

// Expr is a filter expression of a serialized query.
type Expr struct {
	op    string // $eq ... $field, $literal
	args  []*Expr
	path  []string    // $field
	value value.Value // $literal; nil is undefined
}

// exprArity returns how many operands an operator takes (-1: any number).
func exprArity(op string) (int, bool) {
	switch op {
	case "$eq", "$neq", "$lt", "$lte", "$gt", "$gte", "$add", "$sub", "$mul", "$div", "$mod":
		return 2, true
	case "$neg", "$not":
		return 1, true
	case "$and", "$or":
		return -1, true
	}
	return 0, false
}

// parseExpr parses one filter expression.
func parseExpr(raw json.RawMessage) (*Expr, error) {
	var m map[string]json.RawMessage
	if err := json.Unmarshal(raw, &m); err != nil || len(m) != 1 {
		return nil, userErr("InvalidQuery", "Invalid filter expression %s", string(raw))
	}
	for op, body := range m {
		switch op {
		case "$field":
			var p string
			if err := json.Unmarshal(body, &p); err != nil {
				return nil, userErr("InvalidQuery", "Invalid $field %s", string(body))
			}
			return &Expr{op: op, path: splitPath(p)}, nil
		case "$literal":
			v, err := parseMaybeUndefined(body)
			if err != nil {
				return nil, err
			}
			return &Expr{op: op, value: v}, nil
		}
		n, ok := exprArity(op)
		if !ok {
			return nil, userErr("InvalidQuery", "Invalid filter operator %q", op)
		}
		var items []json.RawMessage
		if n == 1 {
			items = []json.RawMessage{body}
			// $neg and $not also accept a one-element array.
			var arr []json.RawMessage
			if json.Unmarshal(body, &arr) == nil && len(arr) == 1 {
				items = arr
			}
		} else if err := json.Unmarshal(body, &items); err != nil || (n > 0 && len(items) != n) {
			return nil, userErr("InvalidQuery", "Invalid arguments for %s: %s", op, string(body))
		}
		e := &Expr{op: op}
		for _, it := range items {
			a, err := parseExpr(it)
			if err != nil {
				return nil, err
			}
			e.args = append(e.args, a)
		}
		return e, nil
	}
	panic("unreachable")
}

// display renders a value in an error message.
func display(v value.Value) string {
	if v == nil {
		return "undefined"
	}
	return string(value.ToJSON(v))
}

func evalErr(format string, args ...any) error {
	return userErr("EvalError", "EvalError: "+format, args...)
}

func asBool(v value.Value) (bool, error) {
	b, ok := v.(value.Boolean)
	if !ok {
		return false, userErr("EvalError", "Cannot use value %s as a Boolean", display(v))
	}
	return bool(b), nil
}

// Eval evaluates the expression against a document. A nil result is
// undefined.
func (e *Expr) Eval(doc value.Object) (value.Value, error) {
	switch e.op {
	case "$field":
		return fieldValue(doc, e.path), nil
	case "$literal":
		return e.value, nil
	case "$and", "$or":
		want := e.op == "$or" // the value that short-circuits
		for _, a := range e.args {
			v, err := a.Eval(doc)
			if err != nil {
				return nil, err
			}
			b, err := asBool(v)
			if err != nil {
				return nil, err
			}
			if b == want {
				return value.Boolean(want), nil
			}
		}
		return value.Boolean(!want), nil
	case "$not":
		v, err := e.args[0].Eval(doc)
		if err != nil {
			return nil, err
		}
		b, err := asBool(v)
		return value.Boolean(!b), err
	case "$neg":
		v, err := e.args[0].Eval(doc)
		if err != nil {
			return nil, err
		}
		return negate(v)
	}
	l, err := e.args[0].Eval(doc)
	if err != nil {
		return nil, err
	}
	r, err := e.args[1].Eval(doc)
	if err != nil {
		return nil, err
	}
	switch e.op {
	case "$eq":
		return value.Boolean(value.Compare(l, r) == 0), nil
	case "$neq":
		return value.Boolean(value.Compare(l, r) != 0), nil
	case "$lt":
		return value.Boolean(value.Compare(l, r) < 0), nil
	case "$lte":
		return value.Boolean(value.Compare(l, r) <= 0), nil
	case "$gt":
		return value.Boolean(value.Compare(l, r) > 0), nil
	case "$gte":
		return value.Boolean(value.Compare(l, r) >= 0), nil
	}
	return arith(e.op, l, r)
}

func negate(v value.Value) (value.Value, error) {
	switch x := v.(type) {
	case value.Int64:
		if x == math.MinInt64 {
			return nil, evalErr("Negating %d overflows", int64(x))
		}
		return -x, nil
	case value.Float64:
		return -x, nil
	}
	return nil, evalErr("Cannot negate %s", display(v))
}

func arith(op string, l, r value.Value) (value.Value, error) {
	switch a := l.(type) {
	case value.Int64:
		if b, ok := r.(value.Int64); ok {
			return intArith(op, int64(a), int64(b))
		}
	case value.Float64:
		if b, ok := r.(value.Float64); ok {
			return floatArith(op, float64(a), float64(b)), nil
		}
	}
	return nil, evalErr("Cannot apply %s to %s and %s: both operands must be int64 or both float64", op, display(l), display(r))
}

func intArith(op string, a, b int64) (value.Value, error) {
	switch op {
	case "$add":
		s := a + b
		if (s > a) != (b > 0) {
			return nil, evalErr("Integer overflow in %d + %d", a, b)
		}
		return value.Int64(s), nil
	case "$sub":
		s := a - b
		if (s < a) != (b > 0) {
			return nil, evalErr("Integer overflow in %d - %d", a, b)
		}
		return value.Int64(s), nil
	case "$mul":
		if a != 0 && b != 0 {
			p := a * b
			if p/b != a || (a == -1 && b == math.MinInt64) || (b == -1 && a == math.MinInt64) {
				return nil, evalErr("Integer overflow in %d * %d", a, b)
			}
			return value.Int64(p), nil
		}
		return value.Int64(0), nil
	case "$div", "$mod":
		if b == 0 {
			return nil, evalErr("Division by zero")
		}
		if a == math.MinInt64 && b == -1 {
			return nil, evalErr("Integer overflow in %d / %d", a, b)
		}
		if op == "$div" {
			return value.Int64(a / b), nil
		}
		return value.Int64(a % b), nil
	}
	return nil, evalErr("Unknown operator %s", op)
}

func floatArith(op string, a, b float64) value.Value {
	switch op {
	case "$add":
		return value.Float64(a + b)
	case "$sub":
		return value.Float64(a - b)
	case "$mul":
		return value.Float64(a * b)
	case "$div":
		return value.Float64(a / b)
	default:
		return value.Float64(math.Mod(a, b))
	}
}
