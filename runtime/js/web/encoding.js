// ---- TextEncoder, TextDecoder, atob, btoa ----
// Inputs longer than this are encoded and decoded in Go when they are
// valid UTF-16 / UTF-8 (the common case); the JS code below handles the
// rest, replacements included.
const hostUtf8Min = 64;
const utf8Encode = (s) => {
  const n = s.length;
  if (n > hostUtf8Min) {
    const b = hostUtf8("e", s);
    if (b !== null) return new Uint8Array(b);
  }
  let ascii = true;
  for (let i = 0; i < n; i++) if (s.charCodeAt(i) > 0x7f) { ascii = false; break; }
  if (ascii) {
    const out = new Uint8Array(n);
    for (let i = 0; i < n; i++) out[i] = s.charCodeAt(i);
    return out;
  }
  const out = new Uint8Array(n * 3);
  return out.slice(0, utf8EncodeInto(s, out).written);
};
// utf8EncodeInto writes whole characters of s while they fit.
const utf8EncodeInto = (s, out) => {
  let o = 0, i = 0;
  const n = s.length, cap = out.length;
  for (; i < n; i++) {
    let c = s.charCodeAt(i);
    let units = 1;
    if (c >= 0xd800 && c < 0xdc00 && i + 1 < n) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d < 0xe000) { c = 0x10000 + ((c - 0xd800) << 10) + (d - 0xdc00); units = 2; }
      else c = 0xfffd;
    } else if (c >= 0xd800 && c < 0xe000) c = 0xfffd;
    if (c < 0x80) {
      if (o + 1 > cap) break;
      out[o++] = c;
    } else if (c < 0x800) {
      if (o + 2 > cap) break;
      out[o++] = 0xc0 | (c >> 6); out[o++] = 0x80 | (c & 63);
    } else if (c < 0x10000) {
      if (o + 3 > cap) break;
      out[o++] = 0xe0 | (c >> 12); out[o++] = 0x80 | ((c >> 6) & 63); out[o++] = 0x80 | (c & 63);
    } else {
      if (o + 4 > cap) break;
      out[o++] = 0xf0 | (c >> 18); out[o++] = 0x80 | ((c >> 12) & 63); out[o++] = 0x80 | ((c >> 6) & 63); out[o++] = 0x80 | (c & 63);
    }
    i += units - 1;
  }
  return { read: i, written: o };
};
class TextEncoder {
  get encoding() { return "utf-8"; }
  encode(input = "") { return utf8Encode(String(input)); }
  encodeInto(source, destination) {
    if (!(destination instanceof Uint8Array)) throw new TypeError("TextEncoder.encodeInto: destination must be a Uint8Array");
    return utf8EncodeInto(String(source), destination);
  }
}
tag(TextEncoder);

const utf8Labels = new Set(["utf-8", "utf8", "unicode-1-1-utf-8", "unicode11utf8", "unicode20utf8", "x-unicode20utf8"]);
class TextDecoder {
  #fatal; #ignoreBOM; #needed = 0; #seen = 0; #cp = 0; #lower = 0x80; #upper = 0xbf; #bomDone = false;
  constructor(label = "utf-8", options = {}) {
    const l = String(label).trim().toLowerCase();
    if (!utf8Labels.has(l)) throw new RangeError(`The encoding label provided ('${label}') is invalid or not supported in hull (only utf-8 is).`);
    this.#fatal = Boolean(options?.fatal);
    this.#ignoreBOM = Boolean(options?.ignoreBOM);
  }
  get encoding() { return "utf-8"; }
  get fatal() { return this.#fatal; }
  get ignoreBOM() { return this.#ignoreBOM; }
  decode(input, options = {}) {
    const stream = Boolean(options?.stream);
    const b = input === undefined || input === null ? new Uint8Array(0) : toU8(input);
    if (b.length > hostUtf8Min && this.#needed === 0 && (this.#bomDone || this.#ignoreBOM || !(b[0] === 0xef && b[1] === 0xbb && b[2] === 0xbf))) {
      const s = hostUtf8("d", b);
      if (s !== null) {
        this.#bomDone = stream;
        return s;
      }
    }
    const units = [];
    const parts = [];
    const emit = (cp) => {
      if (!this.#bomDone) {
        this.#bomDone = true;
        if (cp === 0xfeff && !this.#ignoreBOM) return;
      }
      if (cp < 0x10000) units.push(cp);
      else { cp -= 0x10000; units.push(0xd800 + (cp >> 10), 0xdc00 + (cp & 0x3ff)); }
      if (units.length >= 0x2000) { parts.push(String.fromCharCode.apply(null, units)); units.length = 0; }
    };
    const fail = () => {
      if (this.#fatal) {
        this.#reset();
        throw new TypeError("The encoded data was not valid for encoding utf-8");
      }
      emit(0xfffd);
    };
    for (let i = 0; i < b.length; i++) {
      const byte = b[i];
      if (this.#needed === 0) {
        if (byte <= 0x7f) emit(byte);
        else if (byte >= 0xc2 && byte <= 0xdf) { this.#needed = 1; this.#cp = byte & 0x1f; }
        else if (byte >= 0xe0 && byte <= 0xef) {
          if (byte === 0xe0) this.#lower = 0xa0;
          if (byte === 0xed) this.#upper = 0x9f;
          this.#needed = 2; this.#cp = byte & 0xf;
        } else if (byte >= 0xf0 && byte <= 0xf4) {
          if (byte === 0xf0) this.#lower = 0x90;
          if (byte === 0xf4) this.#upper = 0x8f;
          this.#needed = 3; this.#cp = byte & 7;
        } else fail();
        continue;
      }
      if (byte < this.#lower || byte > this.#upper) {
        this.#cp = this.#needed = this.#seen = 0;
        this.#lower = 0x80; this.#upper = 0xbf;
        fail();
        i--;
        continue;
      }
      this.#lower = 0x80; this.#upper = 0xbf;
      this.#cp = (this.#cp << 6) | (byte & 0x3f);
      if (++this.#seen === this.#needed) {
        const cp = this.#cp;
        this.#cp = this.#needed = this.#seen = 0;
        emit(cp);
      }
    }
    if (!stream) {
      if (this.#needed !== 0) {
        this.#cp = this.#needed = this.#seen = 0;
        this.#lower = 0x80; this.#upper = 0xbf;
        fail();
      }
      this.#bomDone = false;
    }
    parts.push(String.fromCharCode.apply(null, units));
    return parts.join("");
  }
  #reset() {
    this.#cp = this.#needed = this.#seen = 0;
    this.#lower = 0x80; this.#upper = 0xbf;
    this.#bomDone = false;
  }
}
tag(TextDecoder);
define("TextEncoder", TextEncoder);
define("TextDecoder", TextDecoder);

define("btoa", function btoa(data) {
  if (arguments.length === 0) throw new TypeError("btoa: 1 argument required, but only 0 present.");
  const s = String(data);
  const u8 = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c > 255) throw new DOMException("Invalid character", "InvalidCharacterError");
    u8[i] = c;
  }
  return bytesToB64(u8);
});
define("atob", function atob(data) {
  if (arguments.length === 0) throw new TypeError("atob: 1 argument required, but only 0 present.");
  const u8 = b64ToBytes(String(data));
  if (u8 === null) throw new DOMException("The string to be decoded is not correctly encoded.", "InvalidCharacterError");
  return latin1(u8);
});
