// ---- ReadableStream, WritableStream, TransformStream ----
// A compact implementation of the streams: queues with a high-water mark,
// pull on demand, default readers and writers, piping, tee and async
// iteration. Writes are processed one at a time. Byte streams (type
// "bytes") and BYOB readers are in bytestreams.js.
const kRS = Symbol("readable");
const kWS = Symbol("writable");
const deferred = () => {
  let resolve, reject;
  const promise = new Promise((a, b) => { resolve = a; reject = b; });
  promise.catch(() => {});
  return { promise, resolve, reject };
};
const callSource = (obj, name, ...args) => {
  try {
    const f = obj?.[name];
    return Promise.resolve(typeof f === "function" ? f.apply(obj, args) : undefined);
  } catch (e) {
    return Promise.reject(e);
  }
};
const strategyOf = (strategy, defaultHWM) => {
  const hwm = strategy?.highWaterMark === undefined ? defaultHWM : Number(strategy.highWaterMark);
  if (Number.isNaN(hwm) || hwm < 0) throw new RangeError("highWaterMark must be a non-negative number");
  const size = typeof strategy?.size === "function" ? strategy.size : () => 1;
  return { hwm, size };
};

const rsDesired = (s) => (s.state === "errored" ? null : s.state === "closed" ? 0 : s.hwm - s.queueSize);
const rsPull = (s) => {
  if (!s.started || s.state !== "readable" || s.closeRequested) return;
  if (s.reads.length === 0 && rsDesired(s) <= 0) return;
  if (s.pulling) { s.pullAgain = true; return; }
  s.pulling = true;
  callSource(s.source, "pull", s.controller).then(() => {
    s.pulling = false;
    if (s.pullAgain) { s.pullAgain = false; rsPull(s); }
  }, (e) => rsError(s, e));
};
const rsClose = (s) => {
  if (s.state !== "readable") return;
  s.state = "closed";
  // Pending BYOB reads wait for the source's byobRequest.respond(0).
  if (s.readerMode !== "byob") for (const r of s.reads.splice(0)) r.resolve({ value: undefined, done: true });
  s.closed.resolve();
};
const rsError = (s, e) => {
  if (s.state !== "readable") return;
  s.state = "errored";
  s.error = e;
  s.queue = [];
  s.queueSize = 0;
  if (s.byte) { bsInvalidateRequest(s); s.pullIntos = []; }
  for (const r of s.reads.splice(0)) r.reject(e);
  s.closed.reject(e);
};
const rsRead = (s) => {
  s.disturbed = true;
  if (s.byte) return bsDefaultRead(s);
  if (s.queue.length > 0) {
    const { value, size } = s.queue.shift();
    s.queueSize -= size;
    if (s.closeRequested && s.queue.length === 0) rsClose(s);
    else rsPull(s);
    return Promise.resolve({ value, done: false });
  }
  if (s.state === "closed") return Promise.resolve({ value: undefined, done: true });
  if (s.state === "errored") return Promise.reject(s.error);
  const d = deferred();
  s.reads.push(d);
  rsPull(s);
  return d.promise;
};
const rsCancel = (s, reason) => {
  s.disturbed = true;
  if (s.state === "closed") return Promise.resolve();
  if (s.state === "errored") return Promise.reject(s.error);
  s.queue = [];
  s.queueSize = 0;
  if (s.byte) {
    bsInvalidateRequest(s);
    s.pullIntos = [];
    if (s.readerMode === "byob") for (const r of s.reads.splice(0)) r.resolve({ value: undefined, done: true });
  }
  rsClose(s);
  return callSource(s.source, "cancel", reason).then(() => undefined);
};

class ReadableStreamDefaultController {
  #s;
  constructor(key, s) {
    if (key !== kCreate) throw new TypeError("Illegal constructor");
    this.#s = s;
  }
  get desiredSize() { return rsDesired(this.#s); }
  enqueue(chunk) {
    const s = this.#s;
    if (s.closeRequested || s.state !== "readable") throw new TypeError("Cannot enqueue a chunk into a closed or errored stream");
    if (s.reads.length > 0) s.reads.shift().resolve({ value: chunk, done: false });
    else {
      let size;
      try { size = Number(s.sizeFn(chunk)); } catch (e) { rsError(s, e); throw e; }
      s.queue.push({ value: chunk, size });
      s.queueSize += size;
    }
    rsPull(s);
  }
  close() {
    const s = this.#s;
    if (s.closeRequested || s.state !== "readable") throw new TypeError("The stream is not in a state that permits close");
    s.closeRequested = true;
    if (s.queue.length === 0) rsClose(s);
  }
  error(e) { rsError(this.#s, e); }
}
tag(ReadableStreamDefaultController);

// ReaderBase is what both kinds of reader share: the lock on a stream,
// closed, cancel and releaseLock. this[kReader] is the locked stream's
// state, null once released.
const kReader = Symbol("reader");
class ReaderBase {
  #s;
  constructor(stream, mode, name) {
    const s = stream?.[kRS];
    if (!s) throw new TypeError(`${name} needs a ReadableStream`);
    if (s.reader) throw new TypeError("ReadableStream is locked");
    s.reader = this;
    s.readerMode = mode;
    this.#s = s;
  }
  get [kReader]() { return this.#s; }
  get closed() { return this.#s ? this.#s.closed.promise : Promise.reject(new TypeError("The reader was released")); }
  cancel(reason) {
    if (!this.#s) return Promise.reject(new TypeError("The reader was released"));
    return rsCancel(this.#s, reason);
  }
  releaseLock() {
    const s = this.#s;
    if (!s) return;
    rsRelease(s);
    this.#s = null;
  }
}

class ReadableStreamDefaultReader extends ReaderBase {
  constructor(stream) {
    super(stream, "default", "ReadableStreamDefaultReader");
    const s = this[kReader];
    if (s.state === "closed") s.closed.resolve();
  }
  read() {
    const s = this[kReader];
    if (!s) return Promise.reject(new TypeError("The reader was released"));
    return rsRead(s);
  }
}
tag(ReadableStreamDefaultReader);

class ReadableStream {
  constructor(source = {}, strategy = {}) {
    source ??= {};
    const type = source.type === undefined ? undefined : String(source.type);
    if (type !== undefined && type !== "bytes") throw new TypeError(`Invalid type '${type}' for a ReadableStream source`);
    const s = {
      state: "readable", queue: [], queueSize: 0, error: undefined, reader: null, reads: [], pulling: false, pullAgain: false,
      closeRequested: false, started: false, disturbed: false, source, closed: deferred(), byte: false,
    };
    this[kRS] = s;
    if (type === "bytes") bsSetup(this, s, source, strategy);
    else {
      const { hwm, size } = strategyOf(strategy, 1);
      Object.assign(s, { hwm, sizeFn: size });
      s.controller = new ReadableStreamDefaultController(kCreate, s);
    }
    callSource(source, "start", s.controller).then(() => { s.started = true; rsPull(s); }, (e) => rsError(s, e));
  }
  static from(iterable) {
    const it = iterable[Symbol.asyncIterator] ? iterable[Symbol.asyncIterator]() : iterable[Symbol.iterator]();
    return new ReadableStream({
      async pull(c) {
        const r = await it.next();
        if (r.done) c.close();
        else c.enqueue(r.value);
      },
      async cancel(reason) { await it.return?.(reason); },
    }, { highWaterMark: 0 });
  }
  get locked() { return this[kRS].reader !== null; }
  cancel(reason) {
    if (this.locked) return Promise.reject(new TypeError("Cannot cancel a locked stream"));
    return rsCancel(this[kRS], reason);
  }
  getReader(options) {
    const mode = options?.mode;
    if (mode === undefined) return new ReadableStreamDefaultReader(this);
    if (String(mode) === "byob") return new ReadableStreamBYOBReader(this);
    throw new TypeError(`Invalid reader mode '${mode}'`);
  }
  async pipeTo(dest, options = {}) {
    const reader = this.getReader();
    const writer = dest.getWriter();
    const signal = options.signal;
    let aborted = null;
    const onAbort = () => { aborted = signal.reason; };
    signal?.addEventListener("abort", onAbort);
    try {
      if (signal?.aborted) aborted = signal.reason;
      for (;;) {
        if (aborted !== null) throw aborted;
        let r;
        try {
          r = await reader.read();
        } catch (e) {
          if (!options.preventAbort) await writer.abort(e).catch(() => {});
          throw e;
        }
        if (r.done) break;
        try {
          await writer.ready;
          await writer.write(r.value);
        } catch (e) {
          if (!options.preventCancel) await reader.cancel(e).catch(() => {});
          throw e;
        }
      }
      if (!options.preventClose) await writer.close();
    } catch (e) {
      if (e === aborted) {
        if (!options.preventAbort) await writer.abort(e).catch(() => {});
        if (!options.preventCancel) await reader.cancel(e).catch(() => {});
      }
      throw e;
    } finally {
      signal?.removeEventListener("abort", onAbort);
      reader.releaseLock();
      writer.releaseLock();
    }
  }
  pipeThrough(transform, options) {
    this.pipeTo(transform.writable, options).catch(() => {});
    return transform.readable;
  }
  tee() {
    if (this[kRS].byte) return bsTee(this);
    const reader = this.getReader();
    let c1, c2;
    let reading = false;
    const pull = async () => {
      if (reading) return;
      reading = true;
      try {
        const r = await reader.read();
        if (r.done) { try { c1.close(); } catch {} try { c2.close(); } catch {} return; }
        try { c1.enqueue(r.value); } catch {}
        try { c2.enqueue(structuredCloneForTee(r.value)); } catch {}
      } catch (e) {
        c1.error(e); c2.error(e);
      } finally {
        reading = false;
      }
    };
    const a = new ReadableStream({ start(c) { c1 = c; }, pull });
    const b = new ReadableStream({ start(c) { c2 = c; }, pull });
    return [a, b];
  }
  values(options = {}) {
    const reader = this.getReader();
    let done = false;
    const it = {
      next: async () => {
        if (done) return { value: undefined, done: true };
        const r = await reader.read();
        if (r.done) { done = true; reader.releaseLock(); }
        return r;
      },
      return: async (value) => {
        if (!done) {
          done = true;
          if (!options.preventCancel) await reader.cancel(value);
          reader.releaseLock();
        }
        return { value, done: true };
      },
      [Symbol.asyncIterator]() { return this; },
    };
    return it;
  }
  [Symbol.asyncIterator](options) { return this.values(options); }
}
const structuredCloneForTee = (v) => v;
tag(ReadableStream);

// ---- WritableStream ----
class WritableStreamDefaultController {
  #ws; #abort = new AbortController();
  constructor(key, ws) {
    if (key !== kCreate) throw new TypeError("Illegal constructor");
    this.#ws = ws;
  }
  get signal() { return this.#abort.signal; }
  error(e) { wsError(this.#ws, e); }
  [kAbort](reason) { this.#abort.abort(reason); }
}
tag(WritableStreamDefaultController);
const wsError = (w, e) => {
  if (w.state === "errored" || w.state === "closed") return;
  w.state = "errored";
  w.error = e;
  w.closed.reject(e);
};
class WritableStreamDefaultWriter {
  #w;
  constructor(stream) {
    const w = stream?.[kWS];
    if (!w) throw new TypeError("WritableStreamDefaultWriter needs a WritableStream");
    if (w.writer) throw new TypeError("WritableStream is locked");
    w.writer = this;
    this.#w = w;
  }
  #live() {
    if (!this.#w) throw new TypeError("The writer was released");
    return this.#w;
  }
  get closed() { try { return this.#live().closed.promise; } catch (e) { return Promise.reject(e); } }
  get ready() { return Promise.resolve(); }
  get desiredSize() {
    const w = this.#live();
    return w.state === "errored" ? null : w.state === "closed" ? 0 : Math.max(0, w.hwm - w.pending);
  }
  write(chunk) {
    let w;
    try { w = this.#live(); } catch (e) { return Promise.reject(e); }
    if (w.state === "errored") return Promise.reject(w.error);
    if (w.state !== "writable") return Promise.reject(new TypeError("The stream is closing or closed"));
    w.pending++;
    const p = w.chain.then(() => {
      if (w.state === "errored") throw w.error;
      return callSource(w.sink, "write", chunk, w.controller);
    }).then(() => { w.pending--; }, (e) => { w.pending--; wsError(w, e); throw w.error; });
    w.chain = p.catch(() => {});
    return p;
  }
  close() {
    let w;
    try { w = this.#live(); } catch (e) { return Promise.reject(e); }
    if (w.state !== "writable") return Promise.reject(new TypeError("The stream is closing or closed"));
    w.state = "closing";
    const p = w.chain.then(() => callSource(w.sink, "close", w.controller)).then(() => {
      w.state = "closed";
      w.closed.resolve();
    }, (e) => { w.state = "writable"; wsError(w, e); throw e; });
    w.chain = p.catch(() => {});
    return p;
  }
  abort(reason) {
    let w;
    try { w = this.#live(); } catch (e) { return Promise.reject(e); }
    return wsAbort(w, reason);
  }
  releaseLock() {
    if (!this.#w) return;
    this.#w.writer = null;
    this.#w = null;
  }
}
tag(WritableStreamDefaultWriter);
const wsAbort = (w, reason) => {
  if (w.state === "closed" || w.state === "errored") return Promise.resolve();
  w.controller[kAbort](reason);
  wsError(w, reason);
  return callSource(w.sink, "abort", reason).then(() => undefined);
};
class WritableStream {
  constructor(sink = {}, strategy = {}) {
    const { hwm } = strategyOf(strategy, 1);
    const w = { state: "writable", error: undefined, writer: null, sink, hwm, pending: 0, closed: deferred() };
    this[kWS] = w;
    w.controller = new WritableStreamDefaultController(kCreate, w);
    w.chain = callSource(sink, "start", w.controller).catch((e) => wsError(w, e));
  }
  get locked() { return this[kWS].writer !== null; }
  getWriter() { return new WritableStreamDefaultWriter(this); }
  abort(reason) {
    if (this.locked) return Promise.reject(new TypeError("Cannot abort a locked stream"));
    return wsAbort(this[kWS], reason);
  }
  close() {
    if (this.locked) return Promise.reject(new TypeError("Cannot close a locked stream"));
    const wr = this.getWriter();
    return wr.close().finally(() => wr.releaseLock());
  }
}
tag(WritableStream);

// ---- TransformStream ----
class TransformStreamDefaultController {
  #rc; #onError;
  constructor(key, rc, onError) {
    if (key !== kCreate) throw new TypeError("Illegal constructor");
    this.#rc = rc;
    this.#onError = onError;
  }
  get desiredSize() { return this.#rc.desiredSize; }
  enqueue(chunk) { this.#rc.enqueue(chunk); }
  error(e) { this.#onError(e); }
  terminate() { try { this.#rc.close(); } catch {} }
}
tag(TransformStreamDefaultController);
class TransformStream {
  #readable; #writable;
  constructor(transformer = {}, writableStrategy = {}, readableStrategy = {}) {
    let rc;
    this.#readable = new ReadableStream({ start(c) { rc = c; } }, readableStrategy);
    let ws;
    const tc = new TransformStreamDefaultController(kCreate, {
      get desiredSize() { return rc.desiredSize; },
      enqueue: (x) => rc.enqueue(x),
      close: () => rc.close(),
    }, (e) => { rc.error(e); wsError(ws, e); });
    const started = callSource(transformer, "start", tc);
    this.#writable = new WritableStream({
      start: () => started,
      write: (chunk) => (typeof transformer.transform === "function" ? transformer.transform(chunk, tc) : tc.enqueue(chunk)),
      close: async () => {
        await callSource(transformer, "flush", tc);
        try { rc.close(); } catch {}
      },
      abort: (reason) => { rc.error(reason); },
    }, writableStrategy);
    ws = this.#writable[kWS];
  }
  get readable() { return this.#readable; }
  get writable() { return this.#writable; }
}
tag(TransformStream);

class CountQueuingStrategy {
  constructor({ highWaterMark }) { this.highWaterMark = highWaterMark; }
  get size() { return () => 1; }
}
class ByteLengthQueuingStrategy {
  constructor({ highWaterMark }) { this.highWaterMark = highWaterMark; }
  get size() { return (chunk) => chunk.byteLength; }
}
class TextEncoderStream {
  #ts = new TransformStream({ transform: (s, c) => { const b = utf8Encode(String(s)); if (b.length) c.enqueue(b); } });
  get encoding() { return "utf-8"; }
  get readable() { return this.#ts.readable; }
  get writable() { return this.#ts.writable; }
}
class TextDecoderStream {
  #ts; #d;
  constructor(label = "utf-8", options = {}) {
    const d = (this.#d = new TextDecoder(label, options));
    this.#ts = new TransformStream({
      transform: (b, c) => { const s = d.decode(b, { stream: true }); if (s) c.enqueue(s); },
      flush: (c) => { const s = d.decode(); if (s) c.enqueue(s); },
    });
  }
  get encoding() { return "utf-8"; }
  get fatal() { return this.#d.fatal; }
  get ignoreBOM() { return this.#d.ignoreBOM; }
  get readable() { return this.#ts.readable; }
  get writable() { return this.#ts.writable; }
}
for (const C of [ReadableStream, ReadableStreamDefaultReader, ReadableStreamDefaultController, WritableStream, WritableStreamDefaultWriter,
  WritableStreamDefaultController, TransformStream, TransformStreamDefaultController, CountQueuingStrategy, ByteLengthQueuingStrategy,
  TextEncoderStream, TextDecoderStream]) define(C.name, C);
// readAll collects a stream of byte chunks.
const readAllBytes = async (stream) => {
  const reader = stream.getReader();
  const parts = [];
  for (;;) {
    const r = await reader.read();
    if (r.done) break;
    parts.push(typeof r.value === "string" ? utf8Encode(r.value) : copyBytes(r.value));
  }
  reader.releaseLock();
  return concatBytes(parts);
};
