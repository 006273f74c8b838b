package app

import (
	"sync"

	"hull/database"
	"hull/value"
)

// validators caches parsed validator JSON by its text.
type validators struct {
	m sync.Map // string -> *database.Validator or error
}

func (vs *validators) get(js string) (*database.Validator, error) {
	if c, ok := vs.m.Load(js); ok {
		if v, ok := c.(*database.Validator); ok {
			return v, nil
		}
		return nil, c.(error)
	}
	v, err := database.ParseValidator([]byte(js))
	if err != nil {
		vs.m.Store(js, err)
		return nil, err
	}
	vs.m.Store(js, v)
	return v, nil
}

// check validates the encoded value data against validator JSON js and
// returns the user-facing failure (prefixed with kind), or "".
// Ids in the value are checked against the tables of the instance at
// component.
func (a *App) check(component, kind, js string, path FunctionPath, data []byte) string {
	if js == "" || js == "null" {
		return ""
	}
	v, err := a.validators.get(js)
	if err != nil {
		return kind + ": the function's validator could not be read: " + err.Error()
	}
	val, err := value.FromJSON(data)
	if err != nil {
		return kind + ": " + err.Error()
	}
	tableOf := func(n value.TableNumber) (string, bool) { return a.db.TableNameIn(component, n) }
	if msg := v.Check(val, tableOf); msg != "" {
		return kind + ": " + msg + "\n(in " + path.String() + ")"
	}
	return ""
}

func (a *App) checkArgs(component string, fi FunctionInfo, path FunctionPath, args []byte) string {
	return a.check(component, "ArgumentValidationError", fi.Args, path, args)
}

func (a *App) checkReturns(component string, fi FunctionInfo, path FunctionPath, ret []byte) string {
	if len(ret) == 0 {
		ret = []byte("null")
	}
	return a.check(component, "ReturnsValidationError", fi.Returns, path, ret)
}
