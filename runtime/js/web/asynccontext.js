// ---- AsyncLocalStorage and AsyncResource ----
// The globals the CLI's bundler makes of `node:async_hooks`. Stores live in
// the engine's continuation data (handed over by setup.js): a Map from
// AsyncLocalStorage to store that the engine carries from where a promise
// reaction is registered (.then, await) to where it runs, so a store set by
// run() is visible after any number of awaits inside it and nowhere else.
{
  const { get: getData, set: setData } = pre.continuation;
  const current = () => { const d = getData(); return d instanceof Map ? d : undefined; };
  const within = (ctx, fn, thisArg, args) => {
    const prev = getData();
    setData(ctx);
    try { return fn.apply(thisArg, args); } finally { setData(prev); }
  };
  const without = (ctx, key) => {
    if (!ctx || !ctx.has(key)) return ctx;
    const next = new Map(ctx);
    next.delete(key);
    return next.size ? next : undefined;
  };
  const mustBeFunction = (fn) => { if (typeof fn !== "function") throw new TypeError(`The "fn" argument must be of type function. Received ${fn === null ? "null" : typeof fn}`); };
  class AsyncLocalStorage {
    #enabled = true;
    getStore() { return this.#enabled ? current()?.get(this) : undefined; }
    run(store, fn, ...args) {
      this.#enabled = true;
      const next = new Map(current());
      next.set(this, store);
      return within(next, fn, undefined, args);
    }
    exit(fn, ...args) { return within(without(current(), this), fn, undefined, args); }
    enterWith(store) {
      this.#enabled = true;
      const next = new Map(current());
      next.set(this, store);
      setData(next);
    }
    disable() {
      this.#enabled = false;
      setData(without(current(), this));
    }
    static bind(fn) {
      mustBeFunction(fn);
      const ctx = current();
      return function (...args) { return within(ctx, fn, this, args); };
    }
    static snapshot() {
      const ctx = current();
      return (fn, ...args) => within(ctx, fn, undefined, args);
    }
  }
  class AsyncResource {
    #ctx;
    constructor(type) {
      if (typeof type !== "string") throw new TypeError(`The "type" argument must be of type string. Received ${typeof type}`);
      this.type = type;
      this.#ctx = current();
    }
    runInAsyncScope(fn, thisArg, ...args) { return within(this.#ctx, fn, thisArg, args); }
    bind(fn, thisArg) {
      mustBeFunction(fn);
      const ctx = this.#ctx;
      return function (...args) { return within(ctx, fn, thisArg ?? this, args); };
    }
    emitDestroy() { return this; }
    asyncId() { return -1; }
    triggerAsyncId() { return -1; }
    static bind(fn, type, thisArg) {
      mustBeFunction(fn);
      return new AsyncResource(type || fn.name || "bound-anonymous-fn").bind(fn, thisArg);
    }
  }
  g.AsyncLocalStorage = AsyncLocalStorage;
  g.AsyncResource = AsyncResource;
}
