import { httpRouter } from "convex/server";
import { ConvexError } from "convex/values";
import { httpAction } from "./_generated/server";
import { api } from "./_generated/api";

const http = httpRouter();

export const hello = httpAction(async () => new Response("hello"));

// inspect answers with what the handler saw of its request.
export const inspect = httpAction(async (_ctx, req) => {
  const body = req.body === null ? null : await req.text();
  return Response.json(
    { method: req.method, url: req.url, headers: Object.fromEntries(req.headers), body, hasBody: req.body !== null },
    { status: 201, headers: { "x-handler": "inspect", "access-control-allow-origin": "https://app.example" } },
  );
});

// echo streams the request body back chunk by chunk, as it arrives.
export const echo = httpAction(async (_ctx, req) => {
  const reader = req.body!.getReader();
  return new Response(
    new ReadableStream({
      async pull(c) {
        const r = await reader.read();
        if (r.done) c.close();
        else c.enqueue(r.value);
      },
    }),
    { headers: { "content-type": "application/octet-stream" } },
  );
});

// chunks writes ?n= chunks of ?size= bytes ("a", "b", ...), one per pull.
export const chunks = httpAction(async (_ctx, req) => {
  const u = new URL(req.url);
  const n = Number(u.searchParams.get("n") ?? 3);
  const size = Number(u.searchParams.get("size") ?? 4);
  let i = 0;
  return new Response(
    new ReadableStream({
      async pull(c) {
        if (i === n) {
          c.close();
          return;
        }
        await new Promise((r) => setTimeout(r, 1));
        c.enqueue(new Uint8Array(size).fill(97 + (i++ % 26)));
      },
    }),
  );
});

export const throws = httpAction(async () => {
  throw new Error("boom");
});

export const convexError = httpAction(async () => {
  throw new ConvexError({ code: "teapot" });
});

export const notResponse = httpAction(async () => "not a response" as unknown as Response);

// breaks fails after the head and a first chunk went out.
export const breaks = httpAction(async () => {
  let sent = false;
  return new Response(
    new ReadableStream({
      pull(c) {
        if (!sent) {
          sent = true;
          c.enqueue(new TextEncoder().encode("part"));
          return;
        }
        c.error(new Error("stream broke"));
      },
    }),
  );
});

// calls runs a query and a mutation through the action ctx.
export const calls = httpAction(async (ctx) => {
  const id = await ctx.runMutation(api.messages.send, { body: "from http", author: "router" });
  const list = await ctx.runQuery(api.messages.list, {});
  return Response.json({ id, list });
});

export const hangs = httpAction(async () => {
  await new Promise((r) => setTimeout(r, 60_000));
  return new Response("late");
});

export const exact = httpAction(async () => new Response("exact"));
export const shortPrefix = httpAction(async (_ctx, req) => new Response("short " + new URL(req.url).pathname));
export const longPrefix = httpAction(async (_ctx, req) => new Response("long " + new URL(req.url).pathname));

http.route({ path: "/hello", method: "GET", handler: hello });
http.route({ pathPrefix: "/files/", method: "POST", handler: hello });
for (const method of ["GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"] as const) {
  http.route({ path: "/inspect", method, handler: inspect });
}
http.route({ path: "/echo", method: "POST", handler: echo });
http.route({ path: "/chunks", method: "GET", handler: chunks });
http.route({ path: "/throws", method: "GET", handler: throws });
http.route({ path: "/convexError", method: "GET", handler: convexError });
http.route({ path: "/notResponse", method: "GET", handler: notResponse });
http.route({ path: "/breaks", method: "GET", handler: breaks });
http.route({ path: "/calls", method: "POST", handler: calls });
http.route({ path: "/hangs", method: "GET", handler: hangs });
http.route({ path: "/api/exact", method: "GET", handler: exact });
http.route({ pathPrefix: "/api/", method: "GET", handler: shortPrefix });
http.route({ pathPrefix: "/api/v2/", method: "GET", handler: longPrefix });

export default http;
