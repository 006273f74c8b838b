// Writes ../golden.json: test vectors for hull's value package, produced by
// the official convex npm client (convexToJson, jsonToConvex, compareValues,
// getConvexSize). Run from the repository root:
//
//	node value/testdata/gen/gen.mjs
//
// The client is loaded from test/e2e/node_modules, where it is pinned.
import { createRequire } from "node:module";
import { writeFileSync } from "node:fs";

const require = createRequire(new URL("../../../test/e2e/package.json", import.meta.url));
const { convexToJson, jsonToConvex, compareValues, getConvexSize } = require("convex/values");
const clientVersion = require("convex/package.json").version;

// A small deterministic generator (xorshift64*) so the file is stable.
let state = 0x9e3779b97f4a7c15n;
function next64() {
  state ^= state >> 12n;
  state ^= (state << 25n) & 0xffffffffffffffffn;
  state ^= state >> 27n;
  return (state * 0x2545f4914f6cdd1dn) & 0xffffffffffffffffn;
}
function floatFromBits(bits) {
  const view = new DataView(new ArrayBuffer(8));
  view.setBigUint64(0, bits);
  return view.getFloat64(0);
}
function bitsExpr(bits) {
  return `floatFromBits(0x${bits.toString(16).padStart(16, "0")}n)`;
}
function bytesExpr(arr) {
  return `new Uint8Array([${arr.join(",")}]).buffer`;
}

// evalJS evaluates a case's JS expression with the helpers in scope.
function evalJS(expr) {
  return Function("floatFromBits", "range", `"use strict"; return (${expr});`)(
    floatFromBits,
    (n) => Array.from({ length: n }, (_, i) => i),
  );
}

const valid = [
  // null and booleans
  ["null", "null"], ["true", "true"], ["false", "false"],
  // int64 boundaries
  ["zero int", "0n"], ["one", "1n"], ["minus one", "-1n"], ["255", "255n"], ["256", "256n"],
  ["2^31", "2n**31n"], ["-2^31", "-(2n**31n)"], ["2^32", "2n**32n"], ["2^53 + 1", "2n**53n + 1n"],
  ["2^62", "2n**62n"], ["max int64", "2n**63n - 1n"], ["min int64", "-(2n**63n)"],
  ["min int64 + 1", "-(2n**63n) + 1n"], ["-2^53 - 1", "-(2n**53n) - 1n"],
  // special floats
  ["NaN", "NaN"], ["Infinity", "Infinity"], ["-Infinity", "-Infinity"], ["negative zero", "-0"],
  ["positive zero", "0"], ["negative NaN", bitsExpr(0xfff8000000000000n)],
  // ordinary floats
  ["one float", "1"], ["minus one float", "-1"], ["one and a half", "1.5"], ["tenth", "0.1"],
  ["0.1 + 0.2", "0.1 + 0.2"], ["third", "1/3"], ["pi", "Math.PI"], ["large integer float", "123456789012"],
  ["max safe integer", "Number.MAX_SAFE_INTEGER"], ["2^53 + 2", "2**53 + 2"], ["1e20", "1e20"],
  ["1e21", "1e21"], ["1.5e21", "1.5e21"], ["-1e21", "-1e21"], ["1e-6", "1e-6"], ["1e-7", "1e-7"],
  ["1.5e-7", "1.5e-7"], ["-1e-7", "-1e-7"], ["0.000001234", "0.000001234"], ["123e-20", "123e-20"],
  ["max float", "Number.MAX_VALUE"], ["min normal", "2.2250738585072014e-308"], ["min subnormal", "5e-324"],
  ["epsilon", "Number.EPSILON"], ["1e300", "1e300"], ["1e-300", "-1e-300"], ["creation time", "1732641234567.123"],
  ["100", "100"], ["1e16", "1e16"], ["1e15 + 0.5", "1e15 + 0.5"],
  // strings
  ["empty string", '""'], ["ascii string", '"hello world"'], ["latin string", '"ünïcödé"'],
  ["cjk string", '"日本語テキスト"'], ["emoji string", '"😀 astral 𝄞"'],
  ["control characters", '"\\u0000\\u0001\\u0008\\t\\n\\u000b\\f\\r\\u001f\\u007f"'],
  ["quotes and backslashes", '"a\\"b\\\\c/d"'], ["line separators", '"\\u2028\\u2029"'],
  ["html-ish string", '"</script><b>&amp;</b>"'], ["NUL inside", '"a\\u0000b"'],
  ["replacement character", '"\\ufffd"'], ["BMP edge", '"\\uffff\\ud7ff\\ue000"'],
  // bytes
  ["empty bytes", bytesExpr([])], ["one zero byte", bytesExpr([0])], ["three bytes", bytesExpr([1, 2, 3])],
  ["bytes with + and /", bytesExpr([251, 255, 191])], ["two bytes", bytesExpr([255, 254])],
  ["all byte values", "new Uint8Array(range(256)).buffer"],
  // arrays
  ["empty array", "[]"], ["array of null", "[null]"], ["mixed array", '[1n, 1, "1", true, null, -0]'],
  ["nested arrays", "[[[]], [[1n]], []]"], ["array of objects", "[{}, {a: 1}, []]"],
  // objects
  ["empty object", "({})"], ["one field", "({a: 1})"], ["fields are sorted", "({b: 1, a: 2, C: 3, _x: 4})"],
  ["empty field name", '({"": null})'], ["punctuation field names", '({"a b": true, "~": false, "!": 1n, "a.b": 2})'],
  ["undefined fields are dropped", "({a: undefined, b: 1})"], ["underscore fields", '({_id: "x", _creationTime: 1})'],
  ["nested objects", "({a: {b: {c: [1n, {d: NaN}]}}})"], ["system-looking nested", "({x: {_y: -Infinity}})"],
  ["long field name", "({['k'.repeat(1024)]: 1})"],
  ["document", '({_id: "j57000820c20a1g7104gm2rc1m70ynr8", _creationTime: 1732641234567.5, name: "Ada", tags: ["x"], n: 3n})'],
];

// Random floats from random bit patterns, and random decimals.
for (let i = 0; i < 150; i++) {
  const bits = next64();
  valid.push([`random float bits ${i}`, bitsExpr(bits)]);
}
for (let i = 0; i < 50; i++) {
  const mant = Number(next64() % 1000000n);
  const exp = Number(next64() % 60n) - 30;
  valid.push([`random decimal ${i}`, `${mant}e${exp}`]);
}
for (let i = 0; i < 20; i++) {
  const bits = next64();
  valid.push([`random int64 ${i}`, `BigInt.asIntN(64, 0x${bits.toString(16)}n)`]);
}

const cases = valid.map(([name, js]) => {
  const v = evalJS(js);
  const json = JSON.stringify(convexToJson(v));
  // The client must read back what it wrote.
  const back = jsonToConvex(JSON.parse(json));
  if (JSON.stringify(convexToJson(back)) !== json) throw new Error(`round trip changed ${name}`);
  return { name, js, json, size: getConvexSize(v) };
});

const longKey = "k".repeat(1025);
const deep = (n) => "[".repeat(n) + "]".repeat(n);
const deepObj = (n) => '{"a":'.repeat(n - 1) + "{}" + "}".repeat(n - 1);
// [name, json text, hull must reject, note]
const invalidInputs = [
  ["$integer without padding", '{"$integer":"AQAAAAAAAAA"}', true],
  ["$integer of 7 bytes", '{"$integer":"AQAAAAAAAA=="}', true],
  ["$integer of 10 bytes", '{"$integer":"AQAAAAAAAAAAAA=="}', true],
  ["$integer that is a number", '{"$integer":1}', true],
  ["$integer with a bad character", '[1,{"$integer":"AQAAAAA*AAA="}]', true, "the client's base64 decoder ignores unknown characters; the server refuses them"],
  ["$float holding 1.0", '{"$float":"AAAAAAAA8D8="}', true],
  ["$float holding a subnormal", '{"$float":"AQAAAAAAAAA="}', true],
  ["$float of 3 bytes", '{"$float":"AAAA"}', true],
  ["$float that is null", '{"$float":null}', true],
  ["$bytes that is a number", '{"$bytes":5}', true],
  ["$bytes of bad length", '{"$bytes":"A"}', true],
  ["unknown $ key", '{"$foo":1}', true],
  ["legacy $set", '{"$set":[]}', true],
  ["legacy $map", '{"$map":[]}', true],
  ["$integer beside another key", '{"$integer":"AQAAAAAAAAA=","a":1}', true],
  ["nested $ key", '{"a":{"b":[{"$bad":1}]}}', true],
  ["field name with a control character", '{"a\\u0001":1}', true],
  ["field name with non-ASCII", '{"é":1}', true],
  ["field name with DEL", '{"a\\u007f":1}', true],
  ["field name too long", `{"${longKey}":1}`, true],
  ["truncated object", "{", true],
  ["trailing comma", "[1,]", true],
  ["leading zero", "01", true],
  ["bare NaN", "NaN", true],
  ["single quotes", "'a'", true],
  ["trailing garbage", "1 2", true],
  // The client decodes these, but a Convex server refuses them, and so does hull.
  ["lone surrogate escape", '"\\ud800"', true, "JSON.parse keeps lone surrogates; the server requires valid Unicode"],
  ["number overflowing float64", "1e400", true, "JSON.parse gives Infinity; the server refuses out-of-range numbers"],
  ["commit timestamp placeholder", '{"$commitTs":null}', true, "an internal placeholder, never a value on the wire"],
  ["array longer than 8192", JSON.stringify(Array(8193).fill(null)), true, "the client does not check limits"],
  ["nesting deeper than 64", deep(65), true, "the client does not check limits"],
  ["object nesting deeper than 64", deepObj(65), true, "the client does not check limits"],
  ["object with 1025 fields", JSON.stringify(Object.fromEntries(Array.from({ length: 1025 }, (_, i) => [`f${i}`, null]))), true, "the client does not check limits"],
  // The client refuses these, but a Convex server accepts them, and so does hull.
  ["$float holding +0", '{"$float":"AAAAAAAAAAA="}', false, "the server accepts +0 in $float"],
];
const limitOK = [
  ["array of exactly 8192", JSON.stringify(Array(8192).fill(null))],
  ["nesting of exactly 64", deep(64)],
  ["object with exactly 1024 fields", JSON.stringify(Object.fromEntries(Array.from({ length: 1024 }, (_, i) => [`f${i}`, null])))],
];

const invalid = invalidInputs.map(([name, json, hullRejects, note]) => {
  let clientError = null;
  try {
    jsonToConvex(JSON.parse(json));
  } catch (e) {
    clientError = e.message.slice(0, 200);
  }
  const c = { name, json, clientError, hullRejects };
  if (note) c.note = note;
  return c;
});
for (const [name, json] of limitOK) {
  jsonToConvex(JSON.parse(json));
  invalid.push({ name, json, clientError: null, hullRejects: false, note: "at the limit, accepted" });
}

// The total order: distinct values sorted by the client's compareValues.
const orderExprs = [
  "null", "-(2n**63n)", "-1n", "0n", "1n", "2n**63n - 1n",
  bitsExpr(0xfff8000000000000n), "-Infinity", "-Number.MAX_VALUE", "-1.5", "-1", "-5e-324", "-0", "0", "5e-324",
  "1", "1.5", "Number.MAX_VALUE", "Infinity", "NaN",
  "false", "true",
  '""', '"\\u0000"', '"A"', '"Z"', '"a"', '"a\\u0000"', '"ab"', '"b"', '"é"', '"\\uffff"', '"😀"',
  bytesExpr([]), bytesExpr([0]), bytesExpr([0, 0]), bytesExpr([1]), bytesExpr([255]),
  "[]", "[null]", "[null, null]", "[0n]", "[1]", "[true]", '["a"]', "[[]]", "[{}]",
  "({})", '({"": null})', "({a: null})", "({a: 1n})", "({a: 1})", "({a: 1, b: null})", "({a: 2})", "({b: null})", "({b: []})",
];
const order = orderExprs.map((js) => ({ js, v: evalJS(js) }));
order.sort((x, y) => compareValues(x.v, y.v));
for (let i = 1; i < order.length; i++) {
  if (compareValues(order[i - 1].v, order[i].v) >= 0) throw new Error(`not strictly ordered: ${order[i].js}`);
}

const out = {
  generatedBy: `value/testdata/gen/gen.mjs with convex ${clientVersion}`,
  valid: cases,
  invalid,
  order: order.map(({ js, v }) => ({ js, json: JSON.stringify(convexToJson(v)) })),
};
writeFileSync(new URL("../golden.json", import.meta.url), JSON.stringify(out, null, 1) + "\n");
console.log(`wrote ${cases.length} valid, ${invalid.length} invalid, ${order.length} ordered cases`);
