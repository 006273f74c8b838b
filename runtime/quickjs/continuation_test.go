package quickjs_test

import "testing"

// The engine carries the continuation data current when a reaction is
// registered to the moment it runs, whatever is current when the promise
// settles or when the job queue runs.
func TestContinuationDataFollowsPromiseReactions(t *testing.T) {
	cases := []struct {
		name, src, want string
	}{
		{"await of a promise settled later from another continuation", `
			let settle;
			const p = new Promise((r) => { settle = r; });
			__hull_continuation_set("A");
			(async () => { await p; log.push(__hull_continuation_get()); })();
			__hull_continuation_set("B");
			settle(1);
			__hull_continuation_set("C");`, "A"},
		{"await of a plain value", `
			__hull_continuation_set("A");
			(async () => { await 5; log.push(__hull_continuation_get()); await null; log.push(__hull_continuation_get()); })();
			__hull_continuation_set(undefined);`, "A,A"},
		{"then callbacks registered in different continuations", `
			const p = Promise.resolve(1);
			__hull_continuation_set("A");
			p.then(() => log.push(__hull_continuation_get()));
			__hull_continuation_set("B");
			p.then(() => log.push(__hull_continuation_get()));
			__hull_continuation_set(undefined);`, "A,B"},
		{"a thenable's then runs in the continuation of the resolution", `
			const thenable = { then(res) { log.push(__hull_continuation_get()); res(2); } };
			__hull_continuation_set("T");
			Promise.resolve(thenable);
			__hull_continuation_set(undefined);`, "T"},
		{"a change made inside a job does not leak out of it", `
			__hull_continuation_set("A");
			Promise.resolve().then(() => { __hull_continuation_set("inner"); });
			__hull_continuation_set("B");
			Promise.resolve().then(() => { log.push(__hull_continuation_get()); });
			__hull_continuation_set(undefined);`, "B"},
		{"nested async functions keep their own", `
			const inner = async (tag) => { __hull_continuation_set(tag); await null; return __hull_continuation_get(); };
			__hull_continuation_set("outer");
			(async () => { const x = await inner("in"); log.push(x, __hull_continuation_get()); })();
			__hull_continuation_set(undefined);`, "in,in"},
		{"async generators and for await keep it per consumer", `
			async function* gen() { yield 1; await null; yield 2; }
			const consume = async (tag) => { __hull_continuation_set(tag); for await (const x of gen()) log.push(tag + x + ":" + __hull_continuation_get()); };
			consume("a"); consume("b");
			__hull_continuation_set(undefined);`, "a1:a,b1:b,a2:a,b2:b"},
		{"Promise.all and race settle in the awaiting continuation", `
			let settle;
			const slow = new Promise((r) => { settle = r; });
			__hull_continuation_set("W");
			(async () => { await Promise.all([slow, Promise.resolve(1)]); log.push("all:" + __hull_continuation_get()); })();
			(async () => { await Promise.race([slow, new Promise(() => {})]); log.push("race:" + __hull_continuation_get()); })();
			__hull_continuation_set("X");
			settle();
			__hull_continuation_set(undefined);`, "all:W,race:W"},
		{"objects survive as the same value", `
			const store = { id: 7 };
			__hull_continuation_set(store);
			(async () => { await null; log.push(__hull_continuation_get() === store); })();
			__hull_continuation_set(undefined);`, "true"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			vm := newTestVM(t)
			if _, err := vm.Eval("globalThis.log = [];" + c.src); err != nil {
				t.Fatal(err)
			}
			drain(t, vm)
			got, err := vm.Eval("String(log)")
			if err != nil {
				t.Fatal(err)
			}
			if got != c.want {
				t.Fatalf("got %q, want %q", got, c.want)
			}
		})
	}
}

// The continuation data lives in the engine's memory, so restoring a
// snapshot puts it back too.
func TestRestoringASnapshotResetsContinuationData(t *testing.T) {
	vm := newTestVM(t)
	if err := vm.Snapshot(); err != nil {
		t.Fatal(err)
	}
	if _, err := vm.Eval(`__hull_continuation_set({ left: "behind" }); Promise.resolve().then(() => {});`); err != nil {
		t.Fatal(err)
	}
	drain(t, vm)
	if err := vm.Restore(); err != nil {
		t.Fatal(err)
	}
	got, err := vm.Eval(`String(__hull_continuation_get())`)
	if err != nil {
		t.Fatal(err)
	}
	if got != "undefined" {
		t.Fatalf("after restore: %q, want undefined", got)
	}
}
