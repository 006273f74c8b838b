// ---- HTTP actions ----
// The glue of an HTTP action run (see httpaction.go): setup.js's
// __hull_invoke hands the router http.js exports and the request's JSON to
// pre.httpRun, which looks the route up, runs the router's runRequest and
// sends the response back. runRequest reaches back here through the
// jsSyscalls requestFromConvexJson and convexJsonFromResponse. Request and
// response bodies stream through host operations one chunk at a time; the
// bytes cross as ArrayBuffers (take: the chunk Go read, give: the chunk to
// send).
const hostRoute = g.__hull_http_route;
const hostTake = g.__hull_http_take;
const hostGive = g.__hull_http_give;
delete g.__hull_http_route;
delete g.__hull_http_take;
delete g.__hull_http_give;
if (cfg.kind === "httpAction" && pre.hostOp && pre.jsSyscalls) {
  const hostOp = pre.hostOp;
  // The most one write of a streamed response carries.
  const maxWrite = 64 << 10;
  // Bodies of the Responses convexJsonFromResponse saw, by stream id.
  const bodies = new Map();
  let nextStream = 1;
  // requestBody streams the request body from Go, one read per pull.
  const requestBody = () => new ReadableStream({
    type: "bytes",
    async pull(c) {
      const r = await hostOp("httpRead", "");
      if (r.done) { c.close(); c.byobRequest?.respond(0); }
      else c.enqueue(new Uint8Array(hostTake()));
    },
  });
  pre.jsSyscalls.set("requestFromConvexJson", ({ convexJson: j }) => {
    let body = null;
    if (j.inline) body = new Uint8Array(hostTake() ?? new ArrayBuffer(0));
    else if (j.stream) body = requestBody();
    return new Request(j.url, { method: j.method, headers: j.headerPairs, body, duplex: "half" });
  });
  pre.jsSyscalls.set("convexJsonFromResponse", ({ response }) => {
    if (!(response instanceof Response)) throw new Error("HTTP actions must return a Response");
    if (response.type === "error") throw new TypeError("HTTP actions cannot return Response.error()");
    const b = response[kBody];
    // (Not response.body: the getter would make a stream of a byte body.)
    if (response.bodyUsed || (b.stream ?? b.src?.stream)?.locked) throw new TypeError("The body of the Response the HTTP action returned is locked or has already been read");
    const headerPairs = [...response.headers];
    let streamId = null;
    if (b.src) {
      streamId = String(nextStream++);
      if (b.stream || b.src.stream) bodies.set(streamId, { stream: response.body });
      else {
        bodies.set(streamId, { bytes: b.src.bytes });
        // Convex declares the length of a body it holds in one piece.
        if (!response.headers.has("content-length")) headerPairs.push(["content-length", String(b.src.bytes.length)]);
      }
    }
    return { headerPairs, status: response.status, streamId };
  });
  // inline is a response whose body goes back with the run's result.
  const inline = (status, headers, bytes) => {
    if (bytes.length > 0 && !headers.some(([k]) => k.toLowerCase() === "content-length")) headers.push(["content-length", String(bytes.length)]);
    if (bytes.length > 0) hostGive(bytes);
    return JSON.stringify({ status, headers });
  };
  // pump streams a response body to Go, awaiting each chunk's write.
  const pump = async (stream) => {
    const reader = stream.getReader();
    for (;;) {
      const r = await reader.read();
      if (r.done) return;
      let u8;
      try {
        u8 = toU8(r.value);
      } catch {
        const e = new TypeError("The body of the Response an HTTP action returns must yield Uint8Array chunks");
        reader.cancel(e).catch(() => {});
        throw e;
      }
      for (let at = 0; at < u8.byteLength; at += maxWrite) {
        try {
          hostGive(u8.subarray(at, at + maxWrite));
          await hostOp("httpWrite", "");
        } catch (e) {
          reader.cancel(e).catch(() => {});
          throw e;
        }
      }
    }
  };
  // respond sends what runRequest returned.
  const respond = async (out) => {
    const src = out.streamId === null || out.streamId === undefined ? null : bodies.get(String(out.streamId));
    bodies.delete(String(out.streamId));
    const status = Number(out.status);
    const headers = out.headerPairs.map(([k, v]) => [String(k), String(v)]);
    if (src === null || src === undefined) return inline(status, headers, new Uint8Array(0));
    if (src.bytes) return inline(status, headers, src.bytes);
    await hostOp("httpHead", JSON.stringify({ status, headers }));
    await pump(src.stream);
    return '{"streamed":true}';
  };
  pre.httpRun = async (router, argsStr) => {
    if (router === undefined) throw new Error('Couldn\'t find default export in module "http.js".');
    if (router === null || (typeof router !== "object" && typeof router !== "function") || router.isRouter !== true) {
      throw new Error("The default export of `convex/http.js` is not a Router.");
    }
    const j = JSON.parse(argsStr);
    const match = router.lookup(j.path, j.method);
    if (match === null || match === undefined) {
      return inline(404, [["content-type", "text/plain; charset=utf-8"]], utf8Encode("No matching routes found"));
    }
    hostRoute(String(match[1]), String(match[2]));
    return respond(JSON.parse(await router.runRequest(argsStr, j.path)));
  };
}
