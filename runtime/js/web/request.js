// ---- Request and Response ----
const kBody = Symbol("body");
// extractBody turns a BodyInit into { bytes | stream, type }.
const extractBody = (init) => {
  if (init === null || init === undefined) return null;
  if (typeof init === "string") return { bytes: utf8Encode(init), type: "text/plain;charset=UTF-8" };
  if (init instanceof URLSearchParams) return { bytes: utf8Encode(init.toString()), type: "application/x-www-form-urlencoded;charset=UTF-8" };
  if (init instanceof FormData) return encodeMultipart(init);
  if (init instanceof Blob) return { bytes: init[kBytes], type: init.type || null };
  if (init instanceof ArrayBuffer || ArrayBuffer.isView(init)) return { bytes: copyBytes(init), type: null };
  if (init instanceof ReadableStream) {
    if (init.locked || init[kRS].disturbed) throw new TypeError("The body stream is locked or has been read");
    return { stream: init, type: null };
  }
  return { bytes: utf8Encode(toUSV(init)), type: "text/plain;charset=UTF-8" };
};
// Body is the shared part of Request and Response.
class Body {
  constructor(body) {
    this[kBody] = { src: body, used: false, stream: null };
  }
  get body() {
    const b = this[kBody];
    if (!b.src) return null;
    if (!b.stream) {
      if (b.src.stream) b.stream = b.src.stream;
      else {
        b.stream = bytesStream(b.src.bytes);
      }
    }
    return b.stream;
  }
  get bodyUsed() {
    const b = this[kBody];
    return b.used || (b.stream !== null && b.stream[kRS].disturbed);
  }
  async #consume() {
    if (this.bodyUsed) throw new TypeError("Body is unusable: Body has already been read");
    const b = this[kBody];
    if (!b.src) { b.used = true; return new Uint8Array(0); }
    if (b.stream || b.src.stream) {
      const s = this.body;
      if (s.locked) throw new TypeError("Body is unusable: the body stream is locked");
      b.used = true;
      return readAllBytes(s);
    }
    b.used = true;
    return b.src.bytes;
  }
  async arrayBuffer() { return (await this.#consume()).slice().buffer; }
  async bytes() { return (await this.#consume()).slice(); }
  async text() { return utf8DecodeLoose(await this.#consume()); }
  async json() { return JSON.parse(await this.text()); }
  async blob() {
    const bytes = await this.#consume();
    return new Blob([bytes], { type: this.headers.get("content-type") ?? "" });
  }
  async formData() {
    const type = this.headers.get("content-type") ?? "";
    const bytes = await this.#consume();
    if (/^application\/x-www-form-urlencoded/i.test(type)) {
      const fd = new FormData();
      for (const [k, v] of parseForm(utf8DecodeLoose(bytes))) fd.append(k, v);
      return fd;
    }
    if (/^multipart\/form-data/i.test(type)) return decodeMultipart(bytes, type);
    throw new TypeError(`Could not parse content as FormData (content-type ${type || "missing"})`);
  }
  // cloneBody gives a copy of the body, teeing a stream.
  static cloneBody(from) {
    if (from.bodyUsed) throw new TypeError("Body has already been used");
    const b = from[kBody];
    if (!b.src) return null;
    if (b.src.stream || b.stream) {
      const [x, y] = from.body.tee();
      b.src = { stream: x, type: b.src.type };
      b.stream = x;
      return { stream: y, type: b.src.type };
    }
    return b.src;
  }
}
const withContentType = (headers, body) => {
  if (body?.type && !headers.has("content-type")) headers.append("content-type", body.type);
};

const methods = { DELETE: 1, GET: 1, HEAD: 1, OPTIONS: 1, POST: 1, PUT: 1, PATCH: 0 };
const normalizeMethod = (m) => {
  m = String(m);
  if (!tokenRe.test(m)) throw new TypeError(`'${m}' is not a valid HTTP method.`);
  const up = m.toUpperCase();
  if (up === "CONNECT" || up === "TRACE" || up === "TRACK") throw new TypeError(`'${m}' HTTP method is unsupported.`);
  return methods[up] === 1 ? up : m;
};
const kReq = Symbol("request");
class Request extends Body {
  constructor(input, init = {}) {
    if (arguments.length === 0) throw new TypeError("Failed to construct 'Request': 1 argument required, but only 0 present.");
    init ??= {};
    let from = null;
    let url;
    if (input instanceof Request) { from = input; url = input.url; }
    else {
      try { url = new URL(input).href; } catch { throw new TypeError(`Failed to construct 'Request': Invalid URL: ${String(input)}`); }
    }
    const method = init.method !== undefined ? normalizeMethod(init.method) : from ? from.method : "GET";
    let body = null;
    if (init.body !== undefined && init.body !== null) {
      body = extractBody(init.body);
      if (body.stream && init.duplex !== "half") throw new TypeError("Failed to construct 'Request': The duplex member must be specified for a request with a streaming body");
    }
    else if (from && init.body === undefined) {
      body = from[kBody].src ? Body.cloneBody(from) : null;
      if (from[kBody].src) from[kBody].used = true;
    }
    if (body && (method === "GET" || method === "HEAD")) throw new TypeError("Request with GET/HEAD method cannot have body.");
    super(body);
    const headers = new Headers(init.headers !== undefined ? init.headers : from?.headers);
    withContentType(headers, body);
    const signal = init.signal !== undefined ? init.signal : from?.signal;
    const own = new AbortController();
    if (signal) {
      if (signal.aborted) own.abort(signal.reason);
      else signal.addEventListener("abort", () => own.abort(signal.reason), { once: true });
    }
    this[kReq] = {
      url, method, headers, signal: own.signal,
      redirect: init.redirect ?? from?.redirect ?? "follow",
      credentials: init.credentials ?? from?.credentials ?? "same-origin",
      mode: init.mode ?? from?.mode ?? "cors",
      cache: init.cache ?? from?.cache ?? "default",
      referrer: init.referrer ?? from?.referrer ?? "about:client",
      referrerPolicy: init.referrerPolicy ?? from?.referrerPolicy ?? "",
      integrity: init.integrity ?? from?.integrity ?? "",
      keepalive: Boolean(init.keepalive ?? from?.keepalive ?? false),
    };
  }
  get url() { return this[kReq].url; }
  get method() { return this[kReq].method; }
  get headers() { return this[kReq].headers; }
  get signal() { return this[kReq].signal; }
  get redirect() { return this[kReq].redirect; }
  get credentials() { return this[kReq].credentials; }
  get mode() { return this[kReq].mode; }
  get cache() { return this[kReq].cache; }
  get referrer() { return this[kReq].referrer; }
  get referrerPolicy() { return this[kReq].referrerPolicy; }
  get integrity() { return this[kReq].integrity; }
  get keepalive() { return this[kReq].keepalive; }
  get destination() { return ""; }
  get duplex() { return "half"; }
  clone() {
    if (this.bodyUsed) throw new TypeError("Failed to execute 'clone' on 'Request': Request body is already used");
    const r = new Request(this.url, { method: this.method, headers: this.headers, signal: this.signal, redirect: this.redirect });
    r[kBody] = { src: Body.cloneBody(this), used: false, stream: null };
    return r;
  }
}
tag(Request);

const nullBodyStatus = (s) => s === 101 || s === 103 || s === 204 || s === 205 || s === 304;
const redirectStatus = (s) => s === 301 || s === 302 || s === 303 || s === 307 || s === 308;
const kRes = Symbol("response");
class Response extends Body {
  constructor(body = null, init = {}) {
    init ??= {};
    const status = init.status === undefined ? 200 : Number(init.status);
    if (!Number.isInteger(status) || status < 200 || status > 599) {
      throw new RangeError(`Failed to construct 'Response': The status provided (${init.status}) is outside the range [200, 599].`);
    }
    const statusText = init.statusText === undefined ? "" : String(init.statusText);
    if (!/^[\t\x20-\x7e\x80-\xff]*$/.test(statusText)) throw new TypeError("Failed to construct 'Response': Invalid statusText");
    const b = extractBody(body);
    if (b && nullBodyStatus(status)) throw new TypeError("Response with null body status cannot have body");
    super(b);
    const headers = new Headers(init.headers);
    withContentType(headers, b);
    this[kRes] = { status, statusText, headers, type: "default", url: "", redirected: false };
  }
  static json(data, init = {}) {
    const text = JSON.stringify(data);
    if (text === undefined) throw new TypeError("Failed to execute 'json' on 'Response': The data is not JSON serializable");
    const headers = new Headers(init?.headers);
    if (!headers.has("content-type")) headers.set("content-type", "application/json");
    return new Response(text, { ...init, headers });
  }
  static redirect(url, status = 302) {
    const href = new URL(url).href;
    if (!redirectStatus(status)) throw new RangeError(`Failed to execute 'redirect' on 'Response': Invalid status code ${status}`);
    const r = new Response(null, { status, headers: { location: href } });
    r.headers[kGuard] = "immutable";
    return r;
  }
  static error() {
    const r = new Response(null, { status: 200 });
    Object.assign(r[kRes], { status: 0, type: "error" });
    r.headers[kGuard] = "immutable";
    return r;
  }
  get status() { return this[kRes].status; }
  get statusText() { return this[kRes].statusText; }
  get ok() { return this[kRes].status >= 200 && this[kRes].status <= 299; }
  get headers() { return this[kRes].headers; }
  get type() { return this[kRes].type; }
  get url() { return this[kRes].url; }
  get redirected() { return this[kRes].redirected; }
  clone() {
    if (this.bodyUsed) throw new TypeError("Failed to execute 'clone' on 'Response': Response body is already used");
    const r = new Response(null, { status: this.status >= 200 ? this.status : 200, statusText: this.statusText, headers: this.headers });
    Object.assign(r[kRes], { ...this[kRes], headers: r.headers });
    r[kBody] = { src: Body.cloneBody(this), used: false, stream: null };
    return r;
  }
}
tag(Response);
define("Request", Request);
define("Response", Response);

// ---- fetch with streamed request bodies ----
// setup.js's fetch sends a body in one piece. A ReadableStream body goes
// through a body pipe instead (see async_fetch.go): Go's HTTP client reads
// the request body from an io.Pipe, and pumpBody writes the stream's chunks
// into it one at a time, each write finishing once the client took it.
// Responses get byte-stream bodies.
if (!deterministic && typeof g.fetch === "function" && pre.hostOp) {
  const baseFetch = g.fetch;
  const hostOp = pre.hostOp;
  const pipeOp = (op, id, data = "") => hostOp(op, `${id}:${data}`);
  // pumpBody copies the stream into pipe id; st.error is the stream's own
  // error, if it failed.
  const pumpBody = async (reader, id, st) => {
    for (;;) {
      let r;
      try {
        r = await reader.read();
        if (!r.done && !(ArrayBuffer.isView(r.value) || r.value instanceof ArrayBuffer)) throw new TypeError("The request body stream must yield Uint8Array chunks");
      } catch (e) {
        st.error = e;
        reader.cancel(e).catch(() => {});
        await pipeOp("bodyError", id, e?.message ?? String(e)).catch(() => {});
        return;
      }
      try {
        if (r.done) { await pipeOp("bodyClose", id); return; }
        if (r.value.byteLength > 0) await pipeOp("bodyWrite", id, bytesToB64(toU8(r.value)));
      } catch (e) {
        reader.cancel(e).catch(() => {});
        return;
      }
    }
  };
  const streamedFetch = async (req, stream) => {
    if (stream.locked || stream[kRS].disturbed) throw new TypeError("Failed to fetch: the request body stream is locked or has been read");
    const id = await hostOp("bodyOpen", "");
    const headers = [...req.headers];
    const reader = stream.getReader();
    req[kBody].used = true;
    const st = { error: null };
    pumpBody(reader, id, st);
    let res;
    try {
      res = await baseFetch(req.url, { method: req.method, headers, redirect: req.redirect, signal: req.signal, [pre.bodyPipe]: id });
    } catch (e) {
      reader.cancel(e).catch(() => {});
      const se = st.error;
      if (se) throw new TypeError(`fetch failed: the request body stream errored: ${se?.message ?? String(se)}`, { cause: se });
      throw e;
    }
    return res;
  };
  // byteBody makes a response's body a byte stream.
  const byteBody = (res) => {
    const b = res?.[kBody];
    const src = b?.src?.stream;
    if (!src || src[kRS].byte || b.stream) return res;
    const reader = src.getReader();
    const stream = new ReadableStream({
      type: "bytes",
      async pull(c) {
        for (;;) {
          const r = await reader.read();
          if (r.done) { c.close(); c.byobRequest?.respond(0); return; }
          if (r.value.byteLength > 0) { c.enqueue(toU8(r.value)); return; }
        }
      },
      cancel: (reason) => reader.cancel(reason),
    });
    b.src = { stream, type: b.src.type };
    return res;
  };
  g.fetch = async function fetch(input, init) {
    const req = input instanceof Request && init === undefined ? input : new Request(input, init);
    const stream = req[kBody].src?.stream;
    return byteBody(await (stream ? streamedFetch(req, stream) : baseFetch(req)));
  };
}
