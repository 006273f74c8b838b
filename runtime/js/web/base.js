// The Web platform globals of a function run. The files of this folder are
// concatenated, in the order web.go lists them, into one function body that
// runs right after setup.js: they share its scope, so helpers defined here
// are visible to every later file. __hull_web_pre holds what setup.js
// deletes before this code runs (the configuration and the log function).
"use strict";
const g = globalThis;
const pre = g.__hull_web_pre;
delete g.__hull_web_pre;
const cfg = JSON.parse(pre.cfg);
const hostLog = pre.log;
const deterministic = cfg.kind === "query" || cfg.kind === "mutation" || cfg.kind === "analyze";
const hostCrypto = g.__hull_web_crypto;
const hostRandom = g.__hull_web_random;
const hostUtf8 = g.__hull_web_utf8;
delete g.__hull_web_crypto;
delete g.__hull_web_random;
delete g.__hull_web_utf8;
// setup.js has installed the frozen Date and the seeded Math.random.
const seededRandom = Math.random;
const DateNow = () => g.Date.now();

// define installs a global the way Web globals are: writable, configurable
// and not enumerable.
const define = (name, value) => {
  Object.defineProperty(g, name, { value, writable: true, configurable: true, enumerable: false });
};
// lazy installs globals built on first use: factory returns an object of
// name -> value, and is called at most once for the whole group.
const lazy = (names, factory) => {
  let built = null;
  for (const name of names) {
    Object.defineProperty(g, name, {
      configurable: true,
      enumerable: false,
      get() {
        built ??= factory();
        define(name, built[name]);
        return built[name];
      },
      set(v) {
        define(name, v);
      },
    });
  }
};
const lazyValue = (factory) => {
  let v, done = false;
  return () => {
    if (!done) { v = factory(); done = true; }
    return v;
  };
};
// Fix a class's toStringTag, as Web classes have one.
const tag = (cls, name = cls.name) => {
  Object.defineProperty(cls.prototype, Symbol.toStringTag, { value: name, configurable: true });
  return cls;
};

// ---- DOMException ----
const domCodes = {
  IndexSizeError: 1, HierarchyRequestError: 3, WrongDocumentError: 4, InvalidCharacterError: 5,
  NoModificationAllowedError: 7, NotFoundError: 8, NotSupportedError: 9, InUseAttributeError: 10,
  InvalidStateError: 11, SyntaxError: 12, InvalidModificationError: 13, NamespaceError: 14,
  InvalidAccessError: 15, TypeMismatchError: 17, SecurityError: 18, NetworkError: 19, AbortError: 20,
  URLMismatchError: 21, QuotaExceededError: 22, TimeoutError: 23, InvalidNodeTypeError: 24, DataCloneError: 25,
};
class DOMException extends Error {
  #name;
  constructor(message = "", options = "Error") {
    super(String(message));
    if (options !== null && typeof options === "object") {
      this.#name = "name" in options ? String(options.name) : "Error";
      if ("cause" in options) Object.defineProperty(this, "cause", { value: options.cause, writable: true, configurable: true });
    } else this.#name = String(options);
  }
  get name() { return this.#name; }
  get code() { return domCodes[this.#name] ?? 0; }
}
{
  const legacy = [
    "INDEX_SIZE_ERR", "DOMSTRING_SIZE_ERR", "HIERARCHY_REQUEST_ERR", "WRONG_DOCUMENT_ERR", "INVALID_CHARACTER_ERR",
    "NO_DATA_ALLOWED_ERR", "NO_MODIFICATION_ALLOWED_ERR", "NOT_FOUND_ERR", "NOT_SUPPORTED_ERR", "INUSE_ATTRIBUTE_ERR",
    "INVALID_STATE_ERR", "SYNTAX_ERR", "INVALID_MODIFICATION_ERR", "NAMESPACE_ERR", "INVALID_ACCESS_ERR",
    "VALIDATION_ERR", "TYPE_MISMATCH_ERR", "SECURITY_ERR", "NETWORK_ERR", "ABORT_ERR", "URL_MISMATCH_ERR",
    "QUOTA_EXCEEDED_ERR", "TIMEOUT_ERR", "INVALID_NODE_TYPE_ERR", "DATA_CLONE_ERR",
  ];
  legacy.forEach((k, i) => {
    Object.defineProperty(DOMException, k, { value: i + 1, enumerable: true });
    Object.defineProperty(DOMException.prototype, k, { value: i + 1, enumerable: true });
  });
  tag(DOMException);
}
define("DOMException", DOMException);

// ---- bytes helpers ----
const toU8 = (b) => {
  if (b instanceof Uint8Array) return b;
  if (ArrayBuffer.isView(b)) return new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
  if (b instanceof ArrayBuffer) return new Uint8Array(b);
  if (typeof SharedArrayBuffer === "function" && b instanceof SharedArrayBuffer) return new Uint8Array(b);
  throw new TypeError("The provided value is not of type '(ArrayBuffer or ArrayBufferView)'");
};
const copyBytes = (b) => toU8(b).slice();
const concatBytes = (parts) => {
  let n = 0;
  for (const p of parts) n += p.length;
  const out = new Uint8Array(n);
  let o = 0;
  for (const p of parts) { out.set(p, o); o += p.length; }
  return out;
};
const latin1 = (u8) => {
  let s = "";
  for (let i = 0; i < u8.length; i += 0x2000) s += String.fromCharCode.apply(null, u8.subarray(i, i + 0x2000));
  return s;
};
const b64chars = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
const b64index = new Int16Array(128).fill(-1);
for (let i = 0; i < 64; i++) b64index[b64chars.charCodeAt(i)] = i;
const bytesToB64 = (u8) => {
  let out = "";
  const n = u8.length;
  let i = 0;
  const parts = [];
  for (; i + 2 < n; i += 3) {
    const v = (u8[i] << 16) | (u8[i + 1] << 8) | u8[i + 2];
    out += b64chars[v >> 18] + b64chars[(v >> 12) & 63] + b64chars[(v >> 6) & 63] + b64chars[v & 63];
    if (out.length > 8192) { parts.push(out); out = ""; }
  }
  if (i < n) {
    const v = (u8[i] << 16) | ((i + 1 < n ? u8[i + 1] : 0) << 8);
    out += b64chars[v >> 18] + b64chars[(v >> 12) & 63] + (i + 1 < n ? b64chars[(v >> 6) & 63] : "=") + "=";
  }
  parts.push(out);
  return parts.join("");
};
// b64ToBytes decodes forgiving base64 (RFC 4648 alphabet, optional padding);
// it returns null when the input is not valid.
const b64ToBytes = (s) => {
  s = s.replace(/[\t\n\f\r ]/g, "");
  if (s.length % 4 === 0) s = s.replace(/==?$/, "");
  if (s.length % 4 === 1) return null;
  const out = new Uint8Array((s.length * 3) >> 2);
  let acc = 0, bits = 0, o = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    const v = c < 128 ? b64index[c] : -1;
    if (v < 0) return null;
    acc = ((acc << 6) | v) & 0xffffff;
    bits += 6;
    if (bits >= 8) { bits -= 8; out[o++] = (acc >> bits) & 255; }
  }
  return out;
};
const b64url = (u8) => bytesToB64(u8).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
const fromB64url = (s) => b64ToBytes(String(s).replace(/-/g, "+").replace(/_/g, "/"));
