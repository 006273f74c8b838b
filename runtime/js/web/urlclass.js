// ---- the URL and URLSearchParams classes ----
const kList = Symbol("list");
const kURL = Symbol("url");
class URLSearchParams {
  constructor(init = "") {
    this[kList] = [];
    this[kURL] = null;
    if (init instanceof URLSearchParams) this[kList] = init[kList].map(([k, v]) => [k, v]);
    else if (init !== null && typeof init === "object" && typeof init[Symbol.iterator] === "function") {
      for (const pair of init) {
        const p = [...pair];
        if (p.length !== 2) throw new TypeError("Failed to construct 'URLSearchParams': Each query pair must be an iterable [name, value] tuple");
        this[kList].push([toUSV(p[0]), toUSV(p[1])]);
      }
    } else if (init !== null && typeof init === "object") {
      for (const k of Object.keys(init)) this[kList].push([toUSV(k), toUSV(init[k])]);
    } else {
      const s = toUSV(init);
      this[kList] = parseForm(s[0] === "?" ? s.slice(1) : s);
    }
  }
  #update() {
    const u = this[kURL];
    if (!u) return;
    const s = serializeForm(this[kList]);
    u.query = s === "" ? null : s;
  }
  get size() { return this[kList].length; }
  append(name, value) { this[kList].push([toUSV(name), toUSV(value)]); this.#update(); }
  delete(name, value) {
    name = toUSV(name);
    const v = value === undefined ? undefined : toUSV(value);
    this[kList] = this[kList].filter(([k, x]) => !(k === name && (v === undefined || x === v)));
    this.#update();
  }
  get(name) {
    name = toUSV(name);
    return this[kList].find(([k]) => k === name)?.[1] ?? null;
  }
  getAll(name) {
    name = toUSV(name);
    return this[kList].filter(([k]) => k === name).map(([, v]) => v);
  }
  has(name, value) {
    name = toUSV(name);
    const v = value === undefined ? undefined : toUSV(value);
    return this[kList].some(([k, x]) => k === name && (v === undefined || x === v));
  }
  set(name, value) {
    name = toUSV(name);
    value = toUSV(value);
    const i = this[kList].findIndex(([k]) => k === name);
    if (i < 0) this[kList].push([name, value]);
    else {
      this[kList][i][1] = value;
      this[kList] = this[kList].filter(([k], j) => j <= i || k !== name);
    }
    this.#update();
  }
  sort() {
    const list = this[kList].map((e, i) => [e, i]);
    list.sort(([a, i], [b, j]) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : i - j));
    this[kList] = list.map(([e]) => e);
    this.#update();
  }
  forEach(fn, thisArg) {
    for (let i = 0; i < this[kList].length; i++) fn.call(thisArg, this[kList][i][1], this[kList][i][0], this);
  }
  *entries() { for (let i = 0; i < this[kList].length; i++) yield [this[kList][i][0], this[kList][i][1]]; }
  *keys() { for (const [k] of this.entries()) yield k; }
  *values() { for (const [, v] of this.entries()) yield v; }
  [Symbol.iterator]() { return this.entries(); }
  toString() { return serializeForm(this[kList]); }
}
tag(URLSearchParams);
for (const k of ["size"]) Object.defineProperty(URLSearchParams.prototype, k, { enumerable: true });

class URL {
  #u; #params;
  constructor(url, base) {
    if (arguments.length === 0) throw new TypeError("Failed to construct 'URL': 1 argument required, but only 0 present.");
    let b = null;
    if (base !== undefined) {
      b = parseURL(toUSV(base), null);
      if (b === FAIL) throw urlError(base, "Invalid base URL");
    }
    const u = parseURL(toUSV(url), b);
    if (u === FAIL) throw urlError(url, "Invalid URL");
    this.#u = u;
    this.#params = new URLSearchParams(u.query ?? "");
    this.#params[kURL] = u;
  }
  static canParse(url, base) {
    let b = null;
    if (base !== undefined && (b = parseURL(toUSV(base), null)) === FAIL) return false;
    return parseURL(toUSV(url), b) !== FAIL;
  }
  static parse(url, base) {
    try { return new URL(url, base); } catch { return null; }
  }
  static createObjectURL() { throw new Error("URL.createObjectURL is not supported in hull"); }
  static revokeObjectURL() { throw new Error("URL.revokeObjectURL is not supported in hull"); }
  // set runs a setter state on a copy and keeps it when it succeeds.
  #set(value, state, prepare) {
    const u = copyRecord(this.#u);
    if (prepare) prepare(u);
    if (parseURL(value, null, u, state) === FAIL) return;
    this.#commit(u);
  }
  #commit(u) {
    Object.assign(this.#u, u);
    this.#params[kList] = parseForm(u.query ?? "");
  }
  get href() { return serializeURL(this.#u); }
  set href(v) {
    const u = parseURL(toUSV(v), null);
    if (u === FAIL) throw urlError(v, "Invalid URL");
    this.#commit(u);
  }
  get origin() { return originOf(this.#u); }
  get protocol() { return this.#u.scheme + ":"; }
  set protocol(v) { this.#set(toUSV(v) + ":", "schemeStart"); }
  get username() { return this.#u.username; }
  set username(v) {
    if (this.#noCredentials()) return;
    this.#u.username = pctEncodeString(toUSV(v), userinfoSet);
  }
  get password() { return this.#u.password; }
  set password(v) {
    if (this.#noCredentials()) return;
    this.#u.password = pctEncodeString(toUSV(v), userinfoSet);
  }
  #noCredentials() { return this.#u.host === null || this.#u.host === "" || this.#u.scheme === "file"; }
  get host() {
    const u = this.#u;
    if (u.host === null) return "";
    return u.port === null ? u.host : `${u.host}:${u.port}`;
  }
  set host(v) { if (!this.#u.opaque) this.#set(toUSV(v), "host"); }
  get hostname() { return this.#u.host ?? ""; }
  set hostname(v) { if (!this.#u.opaque) this.#set(toUSV(v), "hostname"); }
  get port() { return this.#u.port === null ? "" : String(this.#u.port); }
  set port(v) {
    if (this.#noCredentials()) return;
    v = toUSV(v);
    if (v === "") this.#u.port = null;
    else this.#set(v, "port");
  }
  get pathname() { return pathString(this.#u); }
  set pathname(v) {
    if (this.#u.opaque) return;
    this.#set(toUSV(v), "pathStart", (u) => { u.path = []; });
  }
  get search() { const q = this.#u.query; return q === null || q === "" ? "" : "?" + q; }
  set search(v) {
    v = toUSV(v);
    if (v === "") {
      this.#u.query = null;
      this.#params[kList] = [];
      return;
    }
    this.#set(v[0] === "?" ? v.slice(1) : v, "query", (u) => { u.query = ""; });
  }
  get searchParams() { return this.#params; }
  get hash() { const f = this.#u.fragment; return f === null || f === "" ? "" : "#" + f; }
  set hash(v) {
    v = toUSV(v);
    if (v === "") { this.#u.fragment = null; return; }
    this.#set(v[0] === "#" ? v.slice(1) : v, "fragment", (u) => { u.fragment = ""; });
  }
  toString() { return this.href; }
  toJSON() { return this.href; }
}
for (const k of ["href", "origin", "protocol", "username", "password", "host", "hostname", "port", "pathname", "search", "searchParams", "hash"]) {
  Object.defineProperty(URL.prototype, k, { enumerable: true });
}
tag(URL);
const urlError = (input, message) => {
  const e = new TypeError(`${message}: ${String(input)}`);
  e.code = "ERR_INVALID_URL";
  e.input = String(input);
  return e;
};
define("URL", URL);
define("URLSearchParams", URLSearchParams);
