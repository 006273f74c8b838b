// ---- URL and URLSearchParams ----
const newRecord = () => ({ scheme: "", username: "", password: "", host: null, port: null, path: [], opaque: false, query: null, fragment: null });
const copyRecord = (u) => ({ ...u, path: u.opaque ? u.path : u.path.slice() });
const isWinLetter = (s) => /^[A-Za-z][:|]$/.test(s);
const isNormWinLetter = (s) => /^[A-Za-z]:$/.test(s);
const startsWithWinLetter = (cps, p) => cps.length - p >= 2 && /[A-Za-z]/.test(cps[p]) && (cps[p + 1] === ":" || cps[p + 1] === "|") &&
  (cps.length - p === 2 || "/\\?#".includes(cps[p + 2]));
const isDoubleDot = (s) => /^(\.|%2e)(\.|%2e)$/i.test(s);
const isSingleDot = (s) => /^(\.|%2e)$/i.test(s);
const shortenPath = (u) => {
  if (u.scheme === "file" && u.path.length === 1 && isNormWinLetter(u.path[0])) return;
  u.path.pop();
};
const hasCredentials = (u) => u.username !== "" || u.password !== "";
const endsAuthority = (c, special) => c === undefined || c === "/" || c === "?" || c === "#" || (special && c === "\\");

// simpleURL matches the absolute http(s) and ws(s) URLs the parser leaves
// as they are: lower-case scheme and host, no credentials, a port that is
// not the default one and has no leading zero, and only characters no
// percent-encode set touches (percent signs included: the parser keeps
// them). simpleRecord reads such a URL's record off the match, or returns
// null for what still needs the parser (dot segments, IPv4 or IDNA hosts).
const simpleURL = /^(https?|wss?):\/\/([a-z0-9-]+(?:\.[a-z0-9-]+)*)(?::([1-9][0-9]{0,4}))?((?:\/[A-Za-z0-9!$%&'()*+,\-.:;=@[\]_|~]*)*)(?:\?([!$%&()*+,\-./0-9:;=?@A-Z[\\\]^_`a-z{|}~]*))?(?:#([!#-;=?-_a-~]*))?$/;
const canonicalIPv4 = /^(?:(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])\.){3}(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])$/;
const simpleRecord = (input) => {
  const m = simpleURL.exec(input);
  if (m === null) return null;
  const [, scheme, host, port, path, query, fragment] = m;
  const last = host.slice(host.lastIndexOf(".") + 1);
  if ((/^(?:[0-9]+|0x[0-9a-f]*)$/.test(last) && !canonicalIPv4.test(host)) || /(?:^|\.)xn--/.test(host)) return null;
  if (port !== undefined && (Number(port) > 65535 || Number(port) === defaultPort(scheme))) return null;
  const segs = path === "" ? [""] : path.slice(1).split("/");
  for (const seg of segs) if (isSingleDot(seg) || isDoubleDot(seg)) return null;
  return {
    scheme, username: "", password: "", host, port: port === undefined ? null : Number(port), path: segs, opaque: false,
    query: query === undefined ? null : query, fragment: fragment === undefined ? null : fragment,
  };
};

// parseURL is the basic URL parser; with url and override it runs as a
// setter. It returns the record, or FAIL.
const parseURL = (input, base, url, override) => {
  if (!url) {
    const simple = simpleRecord(input);
    if (simple !== null) return simple;
    url = newRecord();
    input = input.replace(/^[\u0000-\u0020]+|[\u0000-\u0020]+$/g, "");
  }
  input = input.replace(/[\t\n\r]/g, "");
  const cps = Array.from(input);
  let state = override || "schemeStart";
  let buffer = "", atSign = false, brackets = false, pwToken = false;
  const special = () => isSpecialScheme(url.scheme);
  for (let p = 0; p <= cps.length; p++) {
    const c = cps[p];
    switch (state) {
      case "schemeStart":
        if (c !== undefined && /[A-Za-z]/.test(c)) { buffer += c.toLowerCase(); state = "scheme"; }
        else if (!override) { state = "noScheme"; p--; }
        else return FAIL;
        break;
      case "scheme":
        if (c !== undefined && /[A-Za-z0-9+\-.]/.test(c)) buffer += c.toLowerCase();
        else if (c === ":") {
          if (override) {
            if (special() !== isSpecialScheme(buffer)) return FAIL;
            if ((hasCredentials(url) || url.port !== null) && buffer === "file") return FAIL;
            if (url.scheme === "file" && url.host === "") return FAIL;
          }
          url.scheme = buffer;
          if (override) {
            if (url.port === defaultPort(url.scheme)) url.port = null;
            return url;
          }
          buffer = "";
          if (url.scheme === "file") state = "file";
          else if (special() && base && base.scheme === url.scheme) state = "specialRelativeOrAuthority";
          else if (special()) state = "specialAuthoritySlashes";
          else if (cps[p + 1] === "/") { state = "pathOrAuthority"; p++; }
          else { url.opaque = true; url.path = ""; state = "opaquePath"; }
        } else if (!override) { buffer = ""; state = "noScheme"; p = -1; }
        else return FAIL;
        break;
      case "noScheme":
        if (!base || (base.opaque && c !== "#")) return FAIL;
        if (base.opaque) {
          url.scheme = base.scheme; url.path = base.path; url.opaque = true; url.query = base.query; url.fragment = "";
          state = "fragment";
        } else { state = base.scheme === "file" ? "file" : "relative"; p--; }
        break;
      case "specialRelativeOrAuthority":
        if (c === "/" && cps[p + 1] === "/") { state = "specialAuthorityIgnoreSlashes"; p++; }
        else { state = "relative"; p--; }
        break;
      case "pathOrAuthority":
        if (c === "/") state = "authority";
        else { state = "path"; p--; }
        break;
      case "relative":
        url.scheme = base.scheme;
        if (c === "/" || (special() && c === "\\")) state = "relativeSlash";
        else {
          url.username = base.username; url.password = base.password; url.host = base.host; url.port = base.port;
          url.path = base.path.slice(); url.query = base.query;
          if (c === "?") { url.query = ""; state = "query"; }
          else if (c === "#") { url.fragment = ""; state = "fragment"; }
          else if (c !== undefined) { url.query = null; shortenPath(url); state = "path"; p--; }
        }
        break;
      case "relativeSlash":
        if (special() && (c === "/" || c === "\\")) state = "specialAuthorityIgnoreSlashes";
        else if (c === "/") state = "authority";
        else {
          url.username = base.username; url.password = base.password; url.host = base.host; url.port = base.port;
          state = "path"; p--;
        }
        break;
      case "specialAuthoritySlashes":
        state = "specialAuthorityIgnoreSlashes";
        if (c === "/" && cps[p + 1] === "/") p++;
        else p--;
        break;
      case "specialAuthorityIgnoreSlashes":
        if (c !== "/" && c !== "\\") { state = "authority"; p--; }
        break;
      case "authority":
        if (c === "@") {
          if (atSign) buffer = "%40" + buffer;
          atSign = true;
          for (const bc of buffer) {
            if (bc === ":" && !pwToken) { pwToken = true; continue; }
            if (pwToken) url.password += pctEncode(bc, userinfoSet);
            else url.username += pctEncode(bc, userinfoSet);
          }
          buffer = "";
        } else if (endsAuthority(c, special())) {
          if (atSign && buffer === "") return FAIL;
          p -= Array.from(buffer).length + 1;
          buffer = "";
          state = "host";
        } else buffer += c;
        break;
      case "host":
      case "hostname":
        if (override && url.scheme === "file") { p--; state = "fileHost"; }
        else if (c === ":" && !brackets) {
          if (buffer === "" || override === "hostname") return FAIL;
          const host = parseHost(buffer, !special());
          if (host === FAIL) return FAIL;
          url.host = host; buffer = ""; state = "port";
        } else if (endsAuthority(c, special())) {
          p--;
          if (special() && buffer === "") return FAIL;
          if (override && buffer === "" && (hasCredentials(url) || url.port !== null)) return FAIL;
          const host = parseHost(buffer, !special());
          if (host === FAIL) return FAIL;
          url.host = host; buffer = ""; state = "pathStart";
          if (override) return url;
        } else {
          if (c === "[") brackets = true;
          if (c === "]") brackets = false;
          buffer += c;
        }
        break;
      case "port":
        if (c !== undefined && c >= "0" && c <= "9") buffer += c;
        else if (endsAuthority(c, special()) || override) {
          if (buffer !== "") {
            const port = parseInt(buffer, 10);
            if (port > 65535) return FAIL;
            url.port = port === defaultPort(url.scheme) ? null : port;
            buffer = "";
            if (override) return url;
          }
          if (override) return FAIL;
          state = "pathStart"; p--;
        } else return FAIL;
        break;
      case "file":
        url.scheme = "file"; url.host = "";
        if (c === "/" || c === "\\") state = "fileSlash";
        else if (base && base.scheme === "file") {
          url.host = base.host; url.path = base.path.slice(); url.query = base.query;
          if (c === "?") { url.query = ""; state = "query"; }
          else if (c === "#") { url.fragment = ""; state = "fragment"; }
          else if (c !== undefined) {
            url.query = null;
            if (!startsWithWinLetter(cps, p)) shortenPath(url);
            else url.path = [];
            state = "path"; p--;
          }
        } else { state = "path"; p--; }
        break;
      case "fileSlash":
        if (c === "/" || c === "\\") state = "fileHost";
        else {
          if (base && base.scheme === "file") {
            url.host = base.host;
            if (!startsWithWinLetter(cps, p) && base.path.length > 0 && isNormWinLetter(base.path[0])) url.path.push(base.path[0]);
          }
          state = "path"; p--;
        }
        break;
      case "fileHost":
        if (c === undefined || c === "/" || c === "\\" || c === "?" || c === "#") {
          p--;
          if (!override && isWinLetter(buffer)) state = "path";
          else if (buffer === "") {
            url.host = "";
            if (override) return url;
            state = "pathStart";
          } else {
            let host = parseHost(buffer, false);
            if (host === FAIL) return FAIL;
            if (host === "localhost") host = "";
            url.host = host;
            if (override) return url;
            buffer = ""; state = "pathStart";
          }
        } else buffer += c;
        break;
      case "pathStart":
        if (special()) { state = "path"; if (c !== "/" && c !== "\\") p--; }
        else if (!override && c === "?") { url.query = ""; state = "query"; }
        else if (!override && c === "#") { url.fragment = ""; state = "fragment"; }
        else if (c !== undefined) { state = "path"; if (c !== "/") p--; }
        else if (override && url.host === null) url.path.push("");
        break;
      case "path": {
        const slash = c === "/" || (special() && c === "\\");
        if (c === undefined || slash || (!override && (c === "?" || c === "#"))) {
          if (isDoubleDot(buffer)) {
            shortenPath(url);
            if (!slash) url.path.push("");
          } else if (isSingleDot(buffer) && !slash) url.path.push("");
          else if (!isSingleDot(buffer)) {
            if (url.scheme === "file" && url.path.length === 0 && isWinLetter(buffer)) buffer = buffer[0] + ":";
            url.path.push(buffer);
          }
          buffer = "";
          if (c === "?") { url.query = ""; state = "query"; }
          if (c === "#") { url.fragment = ""; state = "fragment"; }
        } else buffer += pctEncode(c, pathSet);
        break;
      }
      case "opaquePath":
        if (c === "?") { url.query = ""; state = "query"; }
        else if (c === "#") { url.fragment = ""; state = "fragment"; }
        else if (c !== undefined) url.path += pctEncode(c, c0Set);
        break;
      case "query":
        if ((!override && c === "#") || c === undefined) {
          url.query += pctEncodeString(buffer, special() ? specialQuerySet : querySet);
          buffer = "";
          if (c === "#") { url.fragment = ""; state = "fragment"; }
        } else buffer += c;
        break;
      case "fragment":
        if (c !== undefined) url.fragment += pctEncode(c, fragmentSet);
        break;
    }
  }
  return url;
};
const pathString = (u) => (u.opaque ? u.path : u.path.map((s) => "/" + s).join(""));
const serializeURL = (u, noFragment) => {
  let out = u.scheme + ":";
  if (u.host !== null) {
    out += "//";
    if (hasCredentials(u)) out += u.username + (u.password !== "" ? ":" + u.password : "") + "@";
    out += u.host + (u.port !== null ? ":" + u.port : "");
  } else if (!u.opaque && u.path.length > 1 && u.path[0] === "") out += "/.";
  out += pathString(u);
  if (u.query !== null) out += "?" + u.query;
  if (!noFragment && u.fragment !== null) out += "#" + u.fragment;
  return out;
};
const originOf = (u) => {
  if (u.scheme === "blob") {
    const inner = parseURL(pathString(u), null);
    return inner !== FAIL && (inner.scheme === "http" || inner.scheme === "https") ? originOf(inner) : "null";
  }
  if (!isSpecialScheme(u.scheme) || u.scheme === "file") return "null";
  return `${u.scheme}://${u.host}${u.port !== null ? ":" + u.port : ""}`;
};

// ---- application/x-www-form-urlencoded ----
const formSafe = (b) => (b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x5a) || (b >= 0x61 && b <= 0x7a) || b === 0x2a || b === 0x2d || b === 0x2e || b === 0x5f;
const formEncode = (s) => {
  let out = "";
  for (const b of utf8Encode(String(s))) out += b === 0x20 ? "+" : formSafe(b) ? String.fromCharCode(b) : hex2(b);
  return out;
};
const formDecode = (s) => utf8DecodeLoose(pctDecode(s.replace(/\+/g, " ")));
const parseForm = (s) => {
  const list = [];
  for (const part of s.split("&")) {
    if (part === "") continue;
    const i = part.indexOf("=");
    list.push(i < 0 ? [formDecode(part), ""] : [formDecode(part.slice(0, i)), formDecode(part.slice(i + 1))]);
  }
  return list;
};
const serializeForm = (list) => list.map(([k, v]) => formEncode(k) + "=" + formEncode(v)).join("&");
// toUSV replaces lone surrogates, as USVString conversion does.
const toUSV = (s) => String(s).replace(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, "\ufffd");
