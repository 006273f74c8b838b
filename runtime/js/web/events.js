// ---- Event, EventTarget, AbortController, AbortSignal ----
const kStop = Symbol("stop");
const kTarget = Symbol("target");
const reportError = (e) => {
  try { g.console.error(e); } catch { /* nothing left to report to */ }
};
class Event {
  #type; #bubbles; #cancelable; #composed; #canceled = false; #stop = 0; #phase = 0; #time;
  constructor(type, init = {}) {
    if (arguments.length === 0) throw new TypeError("Failed to construct 'Event': 1 argument required, but only 0 present.");
    this.#type = String(type);
    this.#bubbles = Boolean(init?.bubbles);
    this.#cancelable = Boolean(init?.cancelable);
    this.#composed = Boolean(init?.composed);
    this.#time = deterministic ? 0 : DateNow();
    this[kTarget] = null;
    this.currentTarget = null;
  }
  get type() { return this.#type; }
  get target() { return this[kTarget]; }
  get srcElement() { return this[kTarget]; }
  get eventPhase() { return this.#phase; }
  get bubbles() { return this.#bubbles; }
  get cancelable() { return this.#cancelable; }
  get composed() { return this.#composed; }
  get defaultPrevented() { return this.#canceled; }
  get returnValue() { return !this.#canceled; }
  set returnValue(v) { if (!v) this.preventDefault(); }
  get cancelBubble() { return this.#stop > 0; }
  set cancelBubble(v) { if (v) this.stopPropagation(); }
  get isTrusted() { return false; }
  get timeStamp() { return this.#time; }
  composedPath() { return this[kTarget] ? [this[kTarget]] : []; }
  preventDefault() { if (this.#cancelable) this.#canceled = true; }
  stopPropagation() { this.#stop = Math.max(this.#stop, 1); }
  stopImmediatePropagation() { this.#stop = 2; }
  get [kStop]() { return this.#stop; }
  set [kStop](phase) { this.#phase = phase; }
}
for (const [k, v] of [["NONE", 0], ["CAPTURING_PHASE", 1], ["AT_TARGET", 2], ["BUBBLING_PHASE", 3]]) {
  Object.defineProperty(Event, k, { value: v, enumerable: true });
  Object.defineProperty(Event.prototype, k, { value: v, enumerable: true });
}
tag(Event);
class CustomEvent extends Event {
  #detail;
  constructor(type, init = {}) {
    super(type, init);
    this.#detail = init?.detail ?? null;
  }
  get detail() { return this.#detail; }
}
tag(CustomEvent);

const kListeners = Symbol("listeners");
class EventTarget {
  constructor() {
    Object.defineProperty(this, kListeners, { value: new Map() });
  }
  addEventListener(type, callback, options) {
    if (callback === null || callback === undefined) return;
    const opts = typeof options === "boolean" ? { capture: options } : (options ?? {});
    const capture = Boolean(opts.capture);
    if (opts.signal?.aborted) return;
    type = String(type);
    let list = this[kListeners].get(type);
    if (!list) this[kListeners].set(type, (list = []));
    if (list.some((l) => l.callback === callback && l.capture === capture)) return;
    const entry = { callback, capture, once: Boolean(opts.once), removed: false };
    list.push(entry);
    opts.signal?.addEventListener("abort", () => this.removeEventListener(type, callback, { capture }));
  }
  removeEventListener(type, callback, options) {
    const capture = typeof options === "boolean" ? options : Boolean(options?.capture);
    const list = this[kListeners].get(String(type));
    if (!list) return;
    const i = list.findIndex((l) => l.callback === callback && l.capture === capture);
    if (i >= 0) { list[i].removed = true; list.splice(i, 1); }
  }
  dispatchEvent(event) {
    if (!(event instanceof Event)) throw new TypeError("Failed to execute 'dispatchEvent' on 'EventTarget': parameter 1 is not of type 'Event'.");
    event[kTarget] = this;
    event.currentTarget = this;
    event[kStop] = 2;
    const list = this[kListeners].get(event.type);
    for (const l of list ? [...list] : []) {
      if (l.removed) continue;
      if (l.once) this.removeEventListener(event.type, l.callback, { capture: l.capture });
      try {
        if (typeof l.callback === "function") l.callback.call(this, event);
        else if (typeof l.callback?.handleEvent === "function") l.callback.handleEvent(event);
      } catch (e) {
        reportError(e);
      }
      if (event[kStop] === 2) break;
    }
    event.currentTarget = null;
    event[kStop] = 0;
    return !event.defaultPrevented;
  }
}
tag(EventTarget);
// onabort-style handler properties.
const handlerProperty = (proto, name) => {
  const key = Symbol(name);
  Object.defineProperty(proto, "on" + name, {
    configurable: true,
    enumerable: true,
    get() { return this[key]?.handler ?? null; },
    set(fn) {
      if (!this[key]) {
        const holder = { handler: null };
        this[key] = holder;
        this.addEventListener(name, (e) => (typeof holder.handler === "function" ? holder.handler.call(this, e) : undefined));
      }
      this[key].handler = typeof fn === "function" ? fn : null;
    },
  });
};

const kAbort = Symbol("abort");
const kCreate = Symbol("create");
class AbortSignal extends EventTarget {
  #aborted = false; #reason = undefined;
  constructor(key) {
    if (key !== kCreate) throw new TypeError("Illegal constructor");
    super();
  }
  get aborted() { return this.#aborted; }
  get reason() { return this.#reason; }
  throwIfAborted() { if (this.#aborted) throw this.#reason; }
  [kAbort](reason) {
    if (this.#aborted) return;
    this.#aborted = true;
    this.#reason = reason === undefined ? new DOMException("This operation was aborted", "AbortError") : reason;
    this.dispatchEvent(new Event("abort"));
  }
  static abort(reason) {
    const s = new AbortSignal(kCreate);
    s[kAbort](reason);
    return s;
  }
  static timeout(ms) {
    if (deterministic) throw new Error("Can't use AbortSignal.timeout in queries and mutations. Please consider using an action.");
    const s = new AbortSignal(kCreate);
    g.setTimeout(() => s[kAbort](new DOMException("The operation was aborted due to timeout", "TimeoutError")), Number(ms));
    return s;
  }
  static any(signals) {
    const s = new AbortSignal(kCreate);
    for (const x of signals) {
      if (x.aborted) { s[kAbort](x.reason); return s; }
    }
    for (const x of signals) x.addEventListener("abort", () => s[kAbort](x.reason), { once: true });
    return s;
  }
}
handlerProperty(AbortSignal.prototype, "abort");
tag(AbortSignal);
class AbortController {
  #signal = new AbortSignal(kCreate);
  get signal() { return this.#signal; }
  abort(reason) { this.#signal[kAbort](reason); }
}
tag(AbortController);
define("Event", Event);
define("CustomEvent", CustomEvent);
define("EventTarget", EventTarget);
define("AbortSignal", AbortSignal);
define("AbortController", AbortController);
