package runtime_test

import (
	"testing"

	"hull/runtime"
)

func TestConsoleFormatting(t *testing.T) {
	tests := []struct {
		name, js, want string
	}{
		{"plain values are inspected like Node", `console.log("a", 1, -0, 2n, null, undefined, true, [1, "x"], { k: "v", "a-b": [] })`,
			`LOG 'a' 1 -0 2n null undefined true [ 1, 'x' ] { k: 'v', 'a-b': [] }`},
		{"objects nest to depth 2", `console.log({ a: { b: { c: { d: 1 } } }, arr: [[[[1]]]] })`, `LOG { a: { b: { c: [Object] } }, arr: [ [ [Array] ] ] }`},
		{"maps, sets, dates, class instances, functions and cycles", `class P { constructor() { this.x = 1 } } const o = { m: new Map([["k", 1]]), s: new Set([2]), d: new Date(0), p: new P(), f: function named() {}, g: () => 1 }; o.self = o; console.log(o)`,
			"LOG {\n  m: Map(1) { 'k' => 1 },\n  s: Set(1) { 2 },\n  d: 1970-01-01T00:00:00.000Z,\n  p: P { x: 1 },\n  f: [Function: named],\n  g: [Function: g],\n  self: [Circular *1]\n}"},
		{"typed arrays and buffers", `console.log(new Uint8Array([1, 2]), new Uint8Array([255]).buffer)`, `LOG Uint8Array(2) [ 1, 2 ] ArrayBuffer { [Uint8Contents]: <ff>, byteLength: 1 }`},
		{"format specifiers", `console.log("%s is %d years, %i%% sure, pi %f, %j %o %O!", "Ann", 42.5, 99.9, "3.14", { a: 1 }, [1], { b: "c" }, "extra")`,
			`LOG Ann is 42.5 years, 99% sure, pi 3.14, {"a":1} [ 1 ] { b: 'c' }! 'extra'`},
		{"count, assert and timers", `console.count(); console.count("x"); console.count(); console.assert(1 === 1, "no"); console.assert(false, "bad %s", "thing"); console.time("t"); console.timeEnd("t"); console.timeEnd("t")`,
			"LOG default: 1\nLOG x: 1\nLOG default: 2\nERROR Assertion failed: bad thing\nLOG t: 0.000ms\nWARN Timer 't' does not exist"},
		{"levels", `console.info("i"); console.warn("w"); console.error(new TypeError("te").name); console.debug("d")`, "INFO 'i'\nWARN 'w'\nERROR 'TypeError'\nDEBUG 'd'"},
	}
	pool := newTestPool(runtime.Options{})
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			res := runWeb(t, pool, runtime.KindQuery, tc.js)
			if res.Err != nil {
				t.Fatalf("error %s", res.Err.Message)
			}
			if got := logText(res); got != tc.want+"\n" {
				t.Fatalf("got\n%s\nwant\n%s", got, tc.want)
			}
		})
	}
}
