package runtime_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"

	"hull/runtime"
)

// In actions, AsyncLocalStorage stores follow awaits on the host's
// asynchronous operations (timers, fetch) and reach timer callbacks, as in
// Node.
func TestAsyncLocalStorageInActions(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, r.URL.Query().Get("v"))
	}))
	defer srv.Close()
	pool := newTestPool(runtime.Options{})
	cases := []struct {
		name, body, want string
	}{
		{"a store survives awaiting a timer", `
			const als = new AsyncLocalStorage();
			return JSON.stringify(await als.run("t", async () => { await new Promise((r) => setTimeout(r, 1)); return als.getStore(); }));`,
			`"t"`},
		{"a timer callback sees the store of the code that set it", `
			const als = new AsyncLocalStorage();
			const seen = await new Promise((done) => { als.run("cb", () => setTimeout(() => done(als.getStore()), 1)); });
			return JSON.stringify([seen, als.getStore() ?? null]);`,
			`["cb",null]`},
		{"concurrent fetches each keep their own store", `
			const als = new AsyncLocalStorage();
			const one = (v) => als.run(v, async () => {
				const body = await (await fetch("` + srv.URL + `/?v=" + v)).text();
				return als.getStore() + "=" + body;
			});
			return JSON.stringify(await Promise.all([one("x"), one("y"), one("z")]));`,
			`["x=x","y=y","z=z"]`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			res := runAction(t, pool, c.body)
			if res.Err != nil {
				t.Fatalf("error: %s", res.Err.Message)
			}
			jsonEqual(t, res.Value, c.want)
		})
	}
}
