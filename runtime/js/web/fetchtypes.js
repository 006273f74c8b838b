// ---- Headers, Blob, File, FormData ----
const tokenRe = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
const trimHTTP = (v) => String(v).replace(/^[\t\n\r ]+|[\t\n\r ]+$/g, "");
const kHeaders = Symbol("headers");
const kGuard = Symbol("guard");
const checkHeader = (name, value) => {
  if (!tokenRe.test(name)) throw new TypeError(`Header name is not valid: "${name}"`);
  if (/[\0\r\n]/.test(value)) throw new TypeError(`Header value is not valid: "${value}"`);
};
class Headers {
  constructor(init) {
    this[kHeaders] = [];
    this[kGuard] = "none";
    if (init === undefined || init === null) return;
    if (init instanceof Headers) {
      for (const [k, v] of init[kHeaders]) this[kHeaders].push([k, v]);
    } else if (typeof init === "object" && typeof init[Symbol.iterator] === "function") {
      for (const pair of init) {
        const p = [...pair];
        if (p.length !== 2) throw new TypeError("Failed to construct 'Headers': Each header pair must be an iterable [name, value] tuple");
        this.append(p[0], p[1]);
      }
    } else if (typeof init === "object") {
      for (const k of Object.keys(init)) this.append(k, init[k]);
    } else throw new TypeError("Failed to construct 'Headers': The provided value is not of type 'HeadersInit'");
  }
  #mutable() { if (this[kGuard] === "immutable") throw new TypeError("Headers are immutable"); }
  append(name, value) {
    name = String(name); value = trimHTTP(value);
    checkHeader(name, value);
    this.#mutable();
    this[kHeaders].push([name.toLowerCase(), value]);
  }
  delete(name) {
    name = String(name);
    if (!tokenRe.test(name)) throw new TypeError(`Header name is not valid: "${name}"`);
    this.#mutable();
    const n = name.toLowerCase();
    this[kHeaders] = this[kHeaders].filter(([k]) => k !== n);
  }
  get(name) {
    name = String(name);
    if (!tokenRe.test(name)) throw new TypeError(`Header name is not valid: "${name}"`);
    const n = name.toLowerCase();
    const vs = this[kHeaders].filter(([k]) => k === n).map(([, v]) => v);
    return vs.length === 0 ? null : vs.join(", ");
  }
  getSetCookie() { return this[kHeaders].filter(([k]) => k === "set-cookie").map(([, v]) => v); }
  has(name) {
    name = String(name);
    if (!tokenRe.test(name)) throw new TypeError(`Header name is not valid: "${name}"`);
    const n = name.toLowerCase();
    return this[kHeaders].some(([k]) => k === n);
  }
  set(name, value) {
    name = String(name); value = trimHTTP(value);
    checkHeader(name, value);
    this.#mutable();
    const n = name.toLowerCase();
    const i = this[kHeaders].findIndex(([k]) => k === n);
    if (i < 0) this[kHeaders].push([n, value]);
    else {
      this[kHeaders][i][1] = value;
      this[kHeaders] = this[kHeaders].filter(([k], j) => j <= i || k !== n);
    }
  }
  // The sorted and combined list, as iteration sees it.
  #sorted() {
    const names = [...new Set(this[kHeaders].map(([k]) => k))].sort();
    const out = [];
    for (const n of names) {
      if (n === "set-cookie") for (const v of this.getSetCookie()) out.push([n, v]);
      else out.push([n, this.get(n)]);
    }
    return out;
  }
  forEach(fn, thisArg) { for (const [k, v] of this.#sorted()) fn.call(thisArg, v, k, this); }
  *entries() { yield* this.#sorted(); }
  *keys() { for (const [k] of this.#sorted()) yield k; }
  *values() { for (const [, v] of this.#sorted()) yield v; }
  [Symbol.iterator]() { return this.entries(); }
}
tag(Headers);

const kBytes = Symbol("bytes");
const kType = Symbol("type");
const blobType = (t) => (t === undefined ? "" : /^[\x20-\x7e]*$/.test(String(t)) ? String(t).toLowerCase() : "");
class Blob {
  constructor(parts = [], options = {}) {
    if (parts === null || typeof parts !== "object" || typeof parts[Symbol.iterator] !== "function") {
      throw new TypeError("Failed to construct 'Blob': The provided value cannot be converted to a sequence.");
    }
    const chunks = [];
    for (const p of parts) {
      if (p instanceof Blob) chunks.push(p[kBytes]);
      else if (p instanceof ArrayBuffer || ArrayBuffer.isView(p)) chunks.push(copyBytes(p));
      else chunks.push(utf8Encode(toUSV(p)));
    }
    this[kBytes] = concatBytes(chunks);
    this[kType] = blobType(options?.type);
  }
  get size() { return this[kBytes].length; }
  get type() { return this[kType]; }
  slice(start = 0, end = this.size, contentType = "") {
    const n = this.size;
    const rel = (x) => (x < 0 ? Math.max(n + x, 0) : Math.min(x, n));
    const s = rel(Math.trunc(Number(start)) || 0), e = rel(Math.trunc(Number(end)) || 0);
    const b = new Blob([], { type: contentType });
    b[kBytes] = this[kBytes].slice(s, Math.max(s, e));
    return b;
  }
  text() { return Promise.resolve(utf8DecodeLoose(this[kBytes])); }
  arrayBuffer() { return Promise.resolve(this[kBytes].slice().buffer); }
  bytes() { return Promise.resolve(this[kBytes].slice()); }
  stream() {
    const bytes = this[kBytes];
    return bytesStream(bytes);
  }
}
tag(Blob);
// bytesStream is a byte stream of a copy of bytes.
const bytesStream = (bytes) => new ReadableStream({
  type: "bytes",
  start(c) {
    if (bytes.length > 0) c.enqueue(bytes.slice());
    c.close();
  },
});
class File extends Blob {
  #name; #lastModified;
  constructor(parts, name, options = {}) {
    if (arguments.length < 2) throw new TypeError("Failed to construct 'File': 2 arguments required.");
    super(parts, options);
    this.#name = toUSV(name);
    this.#lastModified = options?.lastModified === undefined ? DateNow() : Number(options.lastModified);
  }
  get name() { return this.#name; }
  get lastModified() { return this.#lastModified; }
  get webkitRelativePath() { return ""; }
}
tag(File);

const formValue = (value, filename) => {
  if (!(value instanceof Blob)) return toUSV(value);
  if (value instanceof File && filename === undefined) return value;
  return new File([value], filename === undefined ? "blob" : toUSV(filename), { type: value.type, lastModified: value.lastModified });
};
class FormData {
  #list = [];
  constructor(form) {
    if (form !== undefined) throw new TypeError("Failed to construct 'FormData': forms are not supported in hull");
  }
  append(name, value, filename) { this.#list.push([toUSV(name), formValue(value, filename)]); }
  delete(name) { name = toUSV(name); this.#list = this.#list.filter(([k]) => k !== name); }
  get(name) { name = toUSV(name); return this.#list.find(([k]) => k === name)?.[1] ?? null; }
  getAll(name) { name = toUSV(name); return this.#list.filter(([k]) => k === name).map(([, v]) => v); }
  has(name) { name = toUSV(name); return this.#list.some(([k]) => k === name); }
  set(name, value, filename) {
    name = toUSV(name);
    const v = formValue(value, filename);
    const i = this.#list.findIndex(([k]) => k === name);
    if (i < 0) this.#list.push([name, v]);
    else {
      this.#list[i][1] = v;
      this.#list = this.#list.filter(([k], j) => j <= i || k !== name);
    }
  }
  forEach(fn, thisArg) { for (const [k, v] of this.#list.slice()) fn.call(thisArg, v, k, this); }
  *entries() { for (let i = 0; i < this.#list.length; i++) yield [this.#list[i][0], this.#list[i][1]]; }
  *keys() { for (const [k] of this.entries()) yield k; }
  *values() { for (const [, v] of this.entries()) yield v; }
  [Symbol.iterator]() { return this.entries(); }
}
tag(FormData);
define("Headers", Headers);
define("Blob", Blob);
define("File", File);
define("FormData", FormData);

// ---- multipart/form-data ----
const encodeMultipart = (fd) => {
  let boundary = "----hullformdata";
  for (let i = 0; i < 24; i++) boundary += "0123456789abcdef"[Math.floor(seededRandom() * 16)];
  const esc = (s) => s.replace(/\r\n|\r|\n/g, "\r\n").replace(/\n/g, "%0A").replace(/\r/g, "%0D").replace(/"/g, "%22");
  const parts = [];
  for (const [name, v] of fd) {
    let head = `--${boundary}\r\nContent-Disposition: form-data; name="${esc(name)}"`;
    if (typeof v === "string") {
      parts.push(utf8Encode(head + "\r\n\r\n" + v.replace(/\r(?!\n)|(?<!\r)\n/g, "\r\n") + "\r\n"));
    } else {
      head += `; filename="${esc(v.name)}"\r\nContent-Type: ${v.type || "application/octet-stream"}\r\n\r\n`;
      parts.push(utf8Encode(head), v[kBytes], utf8Encode("\r\n"));
    }
  }
  parts.push(utf8Encode(`--${boundary}--\r\n`));
  return { bytes: concatBytes(parts), type: `multipart/form-data; boundary=${boundary}` };
};
const indexOfBytes = (hay, needle, from) => {
  outer: for (let i = from; i + needle.length <= hay.length; i++) {
    for (let j = 0; j < needle.length; j++) if (hay[i + j] !== needle[j]) continue outer;
    return i;
  }
  return -1;
};
const decodeMultipart = (bytes, contentType) => {
  const m = /boundary=(?:"([^"]+)"|([^;]+))/i.exec(contentType);
  if (!m) throw new TypeError("Missing boundary in multipart/form-data");
  const delim = utf8Encode("--" + (m[1] ?? m[2]).trim());
  const fd = new FormData();
  let pos = indexOfBytes(bytes, delim, 0);
  if (pos < 0) throw new TypeError("Failed to parse body as FormData");
  for (;;) {
    pos += delim.length;
    if (bytes[pos] === 0x2d && bytes[pos + 1] === 0x2d) break;
    pos += 2;
    const headEnd = indexOfBytes(bytes, utf8Encode("\r\n\r\n"), pos);
    const next = indexOfBytes(bytes, delim, pos);
    if (headEnd < 0 || next < 0) throw new TypeError("Failed to parse body as FormData");
    const head = utf8DecodeLoose(bytes.subarray(pos, headEnd));
    const body = bytes.slice(headEnd + 4, next - 2);
    const name = /name="([^"]*)"/i.exec(head)?.[1] ?? "";
    const filename = /filename="([^"]*)"/i.exec(head)?.[1];
    const type = /content-type:\s*([^\r\n]+)/i.exec(head)?.[1] ?? "";
    if (filename === undefined) fd.append(name, utf8DecodeLoose(body));
    else fd.append(name, new File([body], filename, { type }));
    pos = next;
  }
  return fd;
};
