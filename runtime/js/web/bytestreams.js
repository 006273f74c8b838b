// ---- readable byte streams ----
// ReadableStream({ type: "bytes" }) keeps its queue as byte ranges and
// serves two kinds of readers: default readers get Uint8Array chunks, BYOB
// readers get their own views filled. Pending BYOB reads are "pull-into
// descriptors" the source fills through controller.byobRequest or by
// enqueueing. The state lives on the same record as a default stream's
// (s.byte is true); s.reads holds the pending reads of either reader kind.
//
// Buffers change hands as the standard says: enqueue(chunk) and
// read(view) transfer the ArrayBuffer (the caller's copy is detached) with
// ArrayBuffer.prototype.transfer. Were transfer missing, buffers would be
// copied instead, leaving the caller's buffer attached.
const transferBuffer = (b) => {
  if (isDetached(b)) throw new TypeError("The ArrayBuffer is detached");
  return typeof b.transfer === "function" ? b.transfer() : b.slice(0);
};
const isDetached = (b) => b.detached === true;
const kBYOB = Symbol("byobRequest");
const viewInfo = (view) => {
  const dv = view instanceof DataView;
  return { elementSize: dv ? 1 : view.BYTES_PER_ELEMENT, ctor: view.constructor, length: dv ? view.byteLength : view.length };
};

const bsSetup = (stream, s, source, strategy) => {
  if (typeof strategy?.size === "function") throw new RangeError("A byte stream's strategy cannot have a size function");
  const { hwm } = strategyOf(strategy, 0);
  let auto = source.autoAllocateChunkSize;
  if (auto !== undefined) {
    auto = Number(auto);
    if (!Number.isInteger(auto) || auto <= 0) throw new TypeError("autoAllocateChunkSize must be a positive integer");
  }
  Object.assign(s, { byte: true, hwm, autoAllocate: auto, pullIntos: [], byobRequest: null, readerMode: null });
  s.controller = new ReadableByteStreamController(kCreate, s);
};

// pullIntoView is the part of descriptor d filled so far, as a view of its kind.
const pullIntoView = (d) => new d.ctor(d.buffer, d.byteOffset, d.bytesFilled / d.elementSize);
const bsInvalidateRequest = (s) => {
  if (s.byobRequest) s.byobRequest[kBYOB] = null;
  s.byobRequest = null;
};
const bsEnqueueToQueue = (s, buffer, byteOffset, byteLength) => {
  s.queue.push({ buffer, byteOffset, byteLength });
  s.queueSize += byteLength;
};
// bsEnqueueDetached moves what a descriptor whose reader went away had
// received into the queue, for the next reader.
const bsEnqueueDetached = (s, d) => {
  if (d.bytesFilled > 0) bsEnqueueToQueue(s, d.buffer.slice(d.byteOffset, d.byteOffset + d.bytesFilled), 0, d.bytesFilled);
  s.pullIntos.shift();
};
// bsFillFromQueue copies queued bytes into d; true when d holds at least
// its minimum, in whole elements.
const bsFillFromQueue = (s, d) => {
  const maxCopy = Math.min(s.queueSize, d.byteLength - d.bytesFilled);
  const maxFilled = d.bytesFilled + maxCopy;
  let remaining = maxCopy;
  let ready = false;
  const aligned = maxFilled - (maxFilled % d.elementSize);
  if (aligned >= d.minimumFill) {
    remaining = aligned - d.bytesFilled;
    ready = true;
  }
  const dest = new Uint8Array(d.buffer);
  while (remaining > 0) {
    const head = s.queue[0];
    const n = Math.min(remaining, head.byteLength);
    dest.set(new Uint8Array(head.buffer, head.byteOffset, n), d.byteOffset + d.bytesFilled);
    if (head.byteLength === n) s.queue.shift();
    else { head.byteOffset += n; head.byteLength -= n; }
    s.queueSize -= n;
    d.bytesFilled += n;
    remaining -= n;
  }
  return ready;
};
const bsCommit = (s, d) => {
  const done = s.state === "closed";
  const value = pullIntoView(d);
  const r = s.reads.shift();
  if (r) r.resolve({ value, done });
};
const bsProcessPullIntos = (s) => {
  while (s.pullIntos.length > 0 && s.queueSize > 0) {
    const d = s.pullIntos[0];
    if (!bsFillFromQueue(s, d)) break;
    s.pullIntos.shift();
    bsCommit(s, d);
  }
};
const bsHandleDrain = (s) => {
  if (s.queueSize === 0 && s.closeRequested) rsClose(s);
  else rsPull(s);
};
// bsDefaultRead is a default reader's read on a byte stream.
const bsDefaultRead = (s) => {
  if (s.queueSize > 0) {
    const e = s.queue.shift();
    s.queueSize -= e.byteLength;
    bsHandleDrain(s);
    return Promise.resolve({ value: new Uint8Array(e.buffer, e.byteOffset, e.byteLength), done: false });
  }
  if (s.state === "closed") return Promise.resolve({ value: undefined, done: true });
  if (s.state === "errored") return Promise.reject(s.error);
  if (s.autoAllocate !== undefined) {
    s.pullIntos.push({
      buffer: new ArrayBuffer(s.autoAllocate), bufferByteLength: s.autoAllocate, byteOffset: 0, byteLength: s.autoAllocate,
      bytesFilled: 0, minimumFill: 1, elementSize: 1, ctor: Uint8Array, readerType: "default",
    });
  }
  const d = deferred();
  s.reads.push(d);
  rsPull(s);
  return d.promise;
};
// bsPullInto is a BYOB reader's read(view) once the arguments are checked.
const bsPullInto = (s, view, min) => {
  s.disturbed = true;
  if (s.state === "errored") return Promise.reject(s.error);
  const { elementSize, ctor } = viewInfo(view);
  const { byteOffset, byteLength } = view;
  let buffer;
  try { buffer = transferBuffer(view.buffer); } catch (e) { return Promise.reject(e); }
  const d = {
    buffer, bufferByteLength: buffer.byteLength, byteOffset, byteLength,
    bytesFilled: 0, minimumFill: min * elementSize, elementSize, ctor, readerType: "byob",
  };
  if (s.pullIntos.length === 0) {
    if (s.state === "closed") return Promise.resolve({ value: new ctor(buffer, d.byteOffset, 0), done: true });
    if (s.queueSize > 0) {
      if (bsFillFromQueue(s, d)) {
        const value = pullIntoView(d);
        bsHandleDrain(s);
        return Promise.resolve({ value, done: false });
      }
      if (s.closeRequested) {
        const e = new TypeError("The stream closed with a partial element pending");
        rsError(s, e);
        return Promise.reject(e);
      }
    }
  }
  s.pullIntos.push(d);
  const r = deferred();
  s.reads.push(r);
  rsPull(s);
  return r.promise;
};
const bsEnqueue = (s, chunk) => {
  if (!ArrayBuffer.isView(chunk)) throw new TypeError("A byte stream's chunk must be an ArrayBufferView");
  if (chunk.byteLength === 0) throw new TypeError("A byte stream's chunk must not be empty");
  if (chunk.buffer.byteLength === 0) throw new TypeError("A chunk's buffer must not be empty or detached");
  if (s.closeRequested || s.state !== "readable") throw new TypeError("Cannot enqueue a chunk into a closed or errored stream");
  const { byteOffset, byteLength } = chunk;
  const buffer = transferBuffer(chunk.buffer);
  if (s.pullIntos.length > 0) {
    const first = s.pullIntos[0];
    if (isDetached(first.buffer)) throw new TypeError("The BYOB request's buffer is detached");
    bsInvalidateRequest(s);
    first.buffer = transferBuffer(first.buffer);
    if (first.readerType === "none") bsEnqueueDetached(s, first);
  }
  if (s.readerMode === "default") {
    while (s.reads.length > 0 && s.queueSize > 0) {
      const e = s.queue.shift();
      s.queueSize -= e.byteLength;
      bsHandleDrain(s);
      s.reads.shift().resolve({ value: new Uint8Array(e.buffer, e.byteOffset, e.byteLength), done: false });
    }
    if (s.reads.length === 0) bsEnqueueToQueue(s, buffer, byteOffset, byteLength);
    else {
      if (s.pullIntos.length > 0) s.pullIntos.shift();
      s.reads.shift().resolve({ value: new Uint8Array(buffer, byteOffset, byteLength), done: false });
    }
  } else {
    bsEnqueueToQueue(s, buffer, byteOffset, byteLength);
    if (s.readerMode === "byob") bsProcessPullIntos(s);
  }
  rsPull(s);
};
const bsClose = (s) => {
  if (s.closeRequested || s.state !== "readable") throw new TypeError("The stream is not in a state that permits close");
  if (s.queueSize > 0) { s.closeRequested = true; return; }
  const first = s.pullIntos[0];
  if (first && first.bytesFilled % first.elementSize !== 0) {
    const e = new TypeError("The stream closed with a partial element pending");
    rsError(s, e);
    throw e;
  }
  s.closeRequested = true;
  rsClose(s);
};
// bsRespond records that the source wrote n bytes into the first
// descriptor's view (whose buffer it may have replaced).
const bsRespond = (s, n) => {
  const d = s.pullIntos[0];
  bsInvalidateRequest(s);
  if (s.state === "closed") {
    if (d.readerType === "none") s.pullIntos.shift();
    if (s.readerMode === "byob") while (s.reads.length > 0 && s.pullIntos.length > 0) bsCommit(s, s.pullIntos.shift());
  } else {
    d.bytesFilled += n;
    if (d.readerType === "none") {
      bsEnqueueDetached(s, d);
      bsProcessPullIntos(s);
    } else if (d.bytesFilled >= d.minimumFill) {
      s.pullIntos.shift();
      const rem = d.bytesFilled % d.elementSize;
      if (rem > 0) {
        const end = d.byteOffset + d.bytesFilled;
        bsEnqueueToQueue(s, d.buffer.slice(end - rem, end), 0, rem);
        d.bytesFilled -= rem;
      }
      bsCommit(s, d);
      bsProcessPullIntos(s);
    }
  }
  rsPull(s);
};
const bsCheckRespond = (s, n, state) => {
  if (state === "closed" && n !== 0) throw new TypeError("bytesWritten must be 0 once the stream is closed");
  if (state !== "closed" && n === 0) throw new TypeError("bytesWritten must be more than 0 while the stream is readable");
};

class ReadableStreamBYOBRequest {
  #view;
  constructor(key, s, view) {
    if (key !== kCreate) throw new TypeError("Illegal constructor");
    this[kBYOB] = s;
    this.#view = view;
  }
  get view() { return this[kBYOB] ? this.#view : null; }
  respond(bytesWritten) {
    const s = this[kBYOB];
    if (!s) throw new TypeError("This BYOB request has been invalidated");
    const n = Number(bytesWritten);
    if (!Number.isInteger(n) || n < 0) throw new TypeError("bytesWritten must be a non-negative integer");
    if (isDetached(this.#view.buffer)) throw new TypeError("The view's buffer is detached");
    const d = s.pullIntos[0];
    bsCheckRespond(s, n, s.state);
    if (d.bytesFilled + n > d.byteLength) throw new RangeError("bytesWritten is beyond the view's end");
    d.buffer = transferBuffer(this.#view.buffer);
    bsRespond(s, n);
  }
  respondWithNewView(view) {
    const s = this[kBYOB];
    if (!s) throw new TypeError("This BYOB request has been invalidated");
    if (!ArrayBuffer.isView(view)) throw new TypeError("respondWithNewView needs an ArrayBufferView");
    if (isDetached(view.buffer)) throw new TypeError("The view's buffer is detached");
    const d = s.pullIntos[0];
    bsCheckRespond(s, view.byteLength, s.state);
    if (d.byteOffset + d.bytesFilled !== view.byteOffset) throw new RangeError("The view's offset does not match the request's");
    if (d.bufferByteLength !== view.buffer.byteLength) throw new RangeError("The view's buffer has a different length");
    if (d.bytesFilled + view.byteLength > d.byteLength) throw new RangeError("The view is longer than the request");
    const n = view.byteLength;
    d.buffer = transferBuffer(view.buffer);
    bsRespond(s, n);
  }
}
tag(ReadableStreamBYOBRequest);

class ReadableByteStreamController {
  #s;
  constructor(key, s) {
    if (key !== kCreate) throw new TypeError("Illegal constructor");
    this.#s = s;
  }
  get byobRequest() {
    const s = this.#s;
    if (s.byobRequest === null && s.pullIntos.length > 0) {
      const d = s.pullIntos[0];
      const view = new Uint8Array(d.buffer, d.byteOffset + d.bytesFilled, d.byteLength - d.bytesFilled);
      s.byobRequest = new ReadableStreamBYOBRequest(kCreate, s, view);
    }
    return s.byobRequest;
  }
  get desiredSize() { return rsDesired(this.#s); }
  enqueue(chunk) { bsEnqueue(this.#s, chunk); }
  close() { bsClose(this.#s); }
  error(e) { rsError(this.#s, e); }
}
tag(ReadableByteStreamController);

class ReadableStreamBYOBReader extends ReaderBase {
  constructor(stream) {
    if (stream?.[kRS] && !stream[kRS].byte) throw new TypeError("ReadableStreamBYOBReader needs a byte stream (type: \"bytes\")");
    super(stream, "byob", "ReadableStreamBYOBReader");
  }
  read(view, options = {}) {
    if (!ArrayBuffer.isView(view)) return Promise.reject(new TypeError("read() needs an ArrayBufferView"));
    if (view.byteLength === 0) return Promise.reject(new TypeError("read() needs a view with a non-zero byteLength"));
    if (view.buffer.byteLength === 0) return Promise.reject(new TypeError("read() needs a view on a non-empty, attached buffer"));
    const min = options?.min === undefined ? 1 : Number(options.min);
    if (!Number.isInteger(min) || min <= 0) return Promise.reject(new TypeError("options.min must be a positive integer"));
    if (min > viewInfo(view).length) return Promise.reject(new RangeError("options.min is larger than the view"));
    const s = this[kReader];
    if (!s) return Promise.reject(new TypeError("The reader was released"));
    return bsPullInto(s, view, min);
  }
}
tag(ReadableStreamBYOBReader);

// rsRelease detaches a stream's reader of either kind: its pending reads
// fail, and a byte stream keeps only its first pull-into descriptor, now
// without a reader.
const rsRelease = (s) => {
  for (const r of s.reads.splice(0)) r.reject(new TypeError("The reader was released"));
  if (s.byte && s.pullIntos.length > 0) {
    s.pullIntos = [s.pullIntos[0]];
    s.pullIntos[0].readerType = "none";
  }
  s.reader = null;
  s.readerMode = null;
  if (s.state === "readable") {
    const e = new TypeError("The reader was released");
    s.closed.reject(e);
    s.closed = deferred();
  }
};

// bsTee splits a byte stream: each chunk read from it goes to one branch
// and a copy to the other. The source is cancelled once both are.
const bsTee = (stream) => {
  const reader = stream.getReader();
  const cs = [null, null];
  const canceled = [false, false];
  const reasons = [undefined, undefined];
  const cancelled = deferred();
  let reading = false;
  const pull = async () => {
    if (reading) return;
    reading = true;
    try {
      const r = await reader.read();
      if (r.done) {
        for (const c of cs) { try { c.close(); c.byobRequest?.respond(0); } catch {} }
        return;
      }
      const copy = r.value.slice();
      if (!canceled[0]) try { cs[0].enqueue(r.value); } catch {}
      if (!canceled[1]) try { cs[1].enqueue(copy); } catch {}
    } catch (e) {
      for (const c of cs) c.error(e);
    } finally {
      reading = false;
    }
  };
  const branch = (i) => new ReadableStream({
    type: "bytes",
    start(c) { cs[i] = c; },
    pull,
    cancel(reason) {
      canceled[i] = true;
      reasons[i] = reason;
      if (canceled[1 - i]) reader.cancel(reasons).then(cancelled.resolve, cancelled.reject);
      return cancelled.promise;
    },
  });
  return [branch(0), branch(1)];
};
for (const C of [ReadableStreamBYOBReader, ReadableByteStreamController, ReadableStreamBYOBRequest]) define(C.name, C);
