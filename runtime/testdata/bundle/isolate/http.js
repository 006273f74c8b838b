import {
  a as h
} from "./_deps/Z5ABNSNX.js";
import "./_deps/4HV7NZJM.js";
import {
  d as l,
  j as n,
  m as u
} from "./_deps/7Q3JL4KF.js";

// convex/http.ts
var t = u(), d = n(async () => new Response("hello")), m = n(async (o, e) => {
  let r = e.body === null ? null : await e.text();
  return Response.json(
    { method: e.method, url: e.url, headers: Object.fromEntries(e.headers), body: r, hasBody: e.body !== null },
    { status: 201, headers: { "x-handler": "inspect", "access-control-allow-origin": "https://app.example" } }
  );
}), w = n(async (o, e) => {
  let r = e.body.getReader();
  return new Response(
    new ReadableStream({
      async pull(s) {
        let a = await r.read();
        a.done ? s.close() : s.enqueue(a.value);
      }
    }),
    { headers: { "content-type": "application/octet-stream" } }
  );
}), x = n(async (o, e) => {
  let r = new URL(e.url), s = Number(r.searchParams.get("n") ?? 3), a = Number(r.searchParams.get("size") ?? 4), p = 0;
  return new Response(
    new ReadableStream({
      async pull(c) {
        if (p === s) {
          c.close();
          return;
        }
        await new Promise((i) => setTimeout(i, 1)), c.enqueue(new Uint8Array(a).fill(97 + p++ % 26));
      }
    })
  );
}), y = n(async () => {
  throw new Error("boom");
}), T = n(async () => {
  throw new l({ code: "teapot" });
}), E = n(async () => "not a response"), R = n(async () => {
  let o = !1;
  return new Response(
    new ReadableStream({
      pull(e) {
        if (!o) {
          o = !0, e.enqueue(new TextEncoder().encode("part"));
          return;
        }
        e.error(new Error("stream broke"));
      }
    })
  );
}), f = n(async (o) => {
  let e = await o.runMutation(h.messages.send, { body: "from http", author: "router" }), r = await o.runQuery(h.messages.list, {});
  return Response.json({ id: e, list: r });
}), P = n(async () => (await new Promise((o) => setTimeout(o, 6e4)), new Response("late"))), b = n(async () => new Response("exact")), G = n(async (o, e) => new Response("short " + new URL(e.url).pathname)), g = n(async (o, e) => new Response("long " + new URL(e.url).pathname));
t.route({ path: "/hello", method: "GET", handler: d });
t.route({ pathPrefix: "/files/", method: "POST", handler: d });
for (let o of ["GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"])
  t.route({ path: "/inspect", method: o, handler: m });
t.route({ path: "/echo", method: "POST", handler: w });
t.route({ path: "/chunks", method: "GET", handler: x });
t.route({ path: "/throws", method: "GET", handler: y });
t.route({ path: "/convexError", method: "GET", handler: T });
t.route({ path: "/notResponse", method: "GET", handler: E });
t.route({ path: "/breaks", method: "GET", handler: R });
t.route({ path: "/calls", method: "POST", handler: f });
t.route({ path: "/hangs", method: "GET", handler: P });
t.route({ path: "/api/exact", method: "GET", handler: b });
t.route({ pathPrefix: "/api/", method: "GET", handler: G });
t.route({ pathPrefix: "/api/v2/", method: "GET", handler: g });
var v = t;
export {
  R as breaks,
  f as calls,
  x as chunks,
  T as convexError,
  v as default,
  w as echo,
  b as exact,
  P as hangs,
  d as hello,
  m as inspect,
  g as longPrefix,
  E as notResponse,
  G as shortPrefix,
  y as throws
};
//# sourceMappingURL=http.js.map
