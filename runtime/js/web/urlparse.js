// ---- the WHATWG URL parser: records, hosts, percent-encoding ----
const FAIL = Symbol("failure");
const specialPorts = { "ftp": 21, "file": null, "http": 80, "https": 443, "ws": 80, "wss": 443 };
const isSpecialScheme = (s) => Object.prototype.hasOwnProperty.call(specialPorts, s);
const defaultPort = (s) => (isSpecialScheme(s) ? specialPorts[s] : null);
// Percent-encode sets as predicates on a code point.
const c0Set = (c) => c < 0x20 || c > 0x7e;
const fragmentSet = (c) => c0Set(c) || c === 0x20 || c === 0x22 || c === 0x3c || c === 0x3e || c === 0x60;
const querySet = (c) => c0Set(c) || c === 0x20 || c === 0x22 || c === 0x23 || c === 0x3c || c === 0x3e;
const specialQuerySet = (c) => querySet(c) || c === 0x27;
const pathSet = (c) => querySet(c) || c === 0x3f || c === 0x5e || c === 0x60 || c === 0x7b || c === 0x7d;
const userinfoSet = (c) => pathSet(c) || c === 0x2f || c === 0x3a || c === 0x3b || c === 0x3d || c === 0x40 || (c >= 0x5b && c <= 0x5d) || c === 0x7c;
const hex2 = (b) => "%" + (b < 16 ? "0" : "") + b.toString(16).toUpperCase();
// pctEncode encodes one code point (a one- or two-unit string).
const pctEncode = (ch, set) => {
  const c = ch.codePointAt(0);
  if (!set(c)) return ch;
  let out = "";
  for (const b of utf8Encode(ch)) out += hex2(b);
  return out;
};
const pctEncodeString = (s, set) => {
  let out = "";
  for (const ch of s) out += pctEncode(ch, set);
  return out;
};
const isHexDigit = (c) => c !== undefined && /^[0-9A-Fa-f]$/.test(c);
// pctDecode turns a string into bytes, decoding %XX sequences.
const pctDecode = (s) => {
  const b = utf8Encode(s);
  const out = new Uint8Array(b.length);
  let o = 0;
  const hexv = (x) => (x >= 0x30 && x <= 0x39 ? x - 0x30 : x >= 0x41 && x <= 0x46 ? x - 55 : x >= 0x61 && x <= 0x66 ? x - 87 : -1);
  for (let i = 0; i < b.length; i++) {
    if (b[i] === 0x25 && i + 2 < b.length && hexv(b[i + 1]) >= 0 && hexv(b[i + 2]) >= 0) {
      out[o++] = hexv(b[i + 1]) * 16 + hexv(b[i + 2]);
      i += 2;
    } else out[o++] = b[i];
  }
  return out.subarray(0, o);
};
const utf8DecodeLoose = (b) => new TextDecoder("utf-8", { ignoreBOM: true }).decode(b);

// ---- hosts ----
const parseIPv6 = (s) => {
  const a = [0, 0, 0, 0, 0, 0, 0, 0];
  let piece = 0, compress = null, p = 0;
  const isDigit = (c) => c !== undefined && c >= "0" && c <= "9";
  if (s[0] === ":") {
    if (s[1] !== ":") return FAIL;
    p = 2; piece = 1; compress = 1;
  }
  while (p < s.length) {
    if (piece === 8) return FAIL;
    if (s[p] === ":") {
      if (compress !== null) return FAIL;
      p++; piece++; compress = piece;
      continue;
    }
    let value = 0, length = 0;
    while (length < 4 && isHexDigit(s[p])) { value = value * 16 + parseInt(s[p], 16); p++; length++; }
    if (s[p] === ".") {
      if (length === 0 || piece > 6) return FAIL;
      p -= length;
      let seen = 0;
      while (p < s.length) {
        let v4 = null;
        if (seen > 0) {
          if (s[p] === "." && seen < 4) p++;
          else return FAIL;
        }
        if (!isDigit(s[p])) return FAIL;
        while (isDigit(s[p])) {
          const n = s.charCodeAt(p) - 48;
          if (v4 === null) v4 = n;
          else if (v4 === 0) return FAIL;
          else v4 = v4 * 10 + n;
          if (v4 > 255) return FAIL;
          p++;
        }
        a[piece] = a[piece] * 256 + v4;
        seen++;
        if (seen === 2 || seen === 4) piece++;
      }
      if (seen !== 4) return FAIL;
      break;
    } else if (s[p] === ":") {
      p++;
      if (p >= s.length) return FAIL;
    } else if (p < s.length) return FAIL;
    a[piece++] = value;
  }
  if (compress !== null) {
    let swaps = piece - compress;
    piece = 7;
    while (piece !== 0 && swaps > 0) {
      const t = a[piece]; a[piece] = a[compress + swaps - 1]; a[compress + swaps - 1] = t;
      piece--; swaps--;
    }
  } else if (piece !== 8) return FAIL;
  return a;
};
const serializeIPv6 = (a) => {
  let best = -1, bestLen = 1;
  for (let i = 0; i < 8;) {
    if (a[i] !== 0) { i++; continue; }
    let j = i;
    while (j < 8 && a[j] === 0) j++;
    if (j - i > bestLen) { best = i; bestLen = j - i; }
    i = j;
  }
  let out = "";
  for (let i = 0; i < 8; i++) {
    if (i === best) { out += i === 0 ? "::" : ":"; i += bestLen - 1; continue; }
    out += a[i].toString(16) + (i < 7 ? ":" : "");
  }
  return out;
};
const parseIPv4Number = (s) => {
  if (s === "") return FAIL;
  let radix = 10;
  if (/^0[xX]/.test(s)) { s = s.slice(2); radix = 16; }
  else if (s.length > 1 && s[0] === "0") { s = s.slice(1); radix = 8; }
  if (s === "") return 0;
  const re = radix === 10 ? /^[0-9]+$/ : radix === 16 ? /^[0-9A-Fa-f]+$/ : /^[0-7]+$/;
  if (!re.test(s)) return FAIL;
  return parseInt(s, radix);
};
const endsInNumber = (host) => {
  const parts = host.split(".");
  if (parts[parts.length - 1] === "") {
    if (parts.length === 1) return false;
    parts.pop();
  }
  const last = parts[parts.length - 1];
  if (last !== "" && /^[0-9]+$/.test(last)) return true;
  return parseIPv4Number(last) !== FAIL;
};
const parseIPv4 = (host) => {
  const parts = host.split(".");
  if (parts[parts.length - 1] === "" && parts.length > 1) parts.pop();
  if (parts.length > 4) return FAIL;
  const nums = [];
  for (const p of parts) {
    const n = parseIPv4Number(p);
    if (n === FAIL) return FAIL;
    nums.push(n);
  }
  for (let i = 0; i < nums.length - 1; i++) if (nums[i] > 255) return FAIL;
  if (nums[nums.length - 1] >= 256 ** (5 - nums.length)) return FAIL;
  let v = nums[nums.length - 1];
  for (let i = 0; i < nums.length - 1; i++) v += nums[i] * 256 ** (3 - i);
  return [v >>> 24, (v >>> 16) & 255, (v >>> 8) & 255, v & 255].join(".");
};
const punycode = (label) => {
  const cps = Array.from(label, (c) => c.codePointAt(0));
  const base = 36, tMin = 1, tMax = 26;
  let n = 128, delta = 0, bias = 72;
  let out = cps.filter((c) => c < 128).map((c) => String.fromCharCode(c)).join("");
  let h = out.length;
  const b = h;
  if (b > 0) out += "-";
  const adapt = (d, points, first) => {
    d = first ? Math.floor(d / 700) : d >> 1;
    d += Math.floor(d / points);
    let k = 0;
    while (d > 455) { d = Math.floor(d / 35); k += base; }
    return k + Math.floor((36 * d) / (d + 38));
  };
  const digit = (d) => String.fromCharCode(d + 22 + (d < 26 ? 75 : 0));
  while (h < cps.length) {
    let m = Infinity;
    for (const c of cps) if (c >= n && c < m) m = c;
    delta += (m - n) * (h + 1);
    n = m;
    for (const c of cps) {
      if (c < n) delta++;
      if (c !== n) continue;
      let q = delta;
      for (let k = base; ; k += base) {
        const t = k <= bias ? tMin : k >= bias + tMax ? tMax : k - bias;
        if (q < t) break;
        out += digit(t + ((q - t) % (base - t)));
        q = Math.floor((q - t) / (base - t));
      }
      out += digit(q);
      bias = adapt(delta, h + 1, h === b);
      delta = 0;
      h++;
    }
    delta++;
    n++;
  }
  return out;
};
const forbiddenHost = /[\u0000\t\n\r #/:<>?@[\\\]^|]/;
const forbiddenDomain = /[\u0000-\u001f #%/:<>?@[\\\]^|\u007f]/;
const domainToASCII = (domain) => {
  const labels = domain.normalize("NFC").toLowerCase().replace(/[\u3002\uff0e\uff61]/g, ".").split(".");
  const out = labels.map((l) => (/^[\x00-\x7f]*$/.test(l) ? l : "xn--" + punycode(l))).join(".");
  if (out === "" || forbiddenDomain.test(out)) return FAIL;
  return out;
};
const parseHost = (input, notSpecial) => {
  if (input[0] === "[") {
    if (input[input.length - 1] !== "]") return FAIL;
    const a = parseIPv6(input.slice(1, -1));
    return a === FAIL ? FAIL : "[" + serializeIPv6(a) + "]";
  }
  if (notSpecial) {
    if (forbiddenHost.test(input)) return FAIL;
    return pctEncodeString(input, c0Set);
  }
  const ascii = domainToASCII(utf8DecodeLoose(pctDecode(input)));
  if (ascii === FAIL) return FAIL;
  return endsInNumber(ascii) ? parseIPv4(ascii) : ascii;
};
