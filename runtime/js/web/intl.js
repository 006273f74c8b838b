// ---- Intl ----
// V8 has the whole of Intl (ICU, time zone UTC); hull only makes a
// DateTimeFormat given no date use the call's clock, which is frozen in
// queries and mutations, as new Date() is.
// QuickJS has no Intl. hull provides number and date formatting for en-US
// in UTC, which covers common code; anything else throws an Error naming
// what is not supported.
if (typeof g.Intl === "object") {
  const proto = g.Intl.DateTimeFormat.prototype;
  const format = Object.getOwnPropertyDescriptor(proto, "format");
  Object.defineProperty(proto, "format", {
    get() { const f = format.get.call(this); return (d) => f(d === undefined ? g.Date.now() : d); },
    configurable: true,
  });
  const toParts = proto.formatToParts;
  Object.defineProperty(proto, "formatToParts", {
    value: function formatToParts(d) { return toParts.call(this, d === undefined ? g.Date.now() : d); },
    writable: true, configurable: true,
  });
} else {
const intlLimited = (what) => new Error(`Intl support is limited in hull (en-US, UTC): ${what} is not supported`);
const checkLocale = (locales) => {
  const list = locales === undefined ? [] : Array.isArray(locales) ? locales : [locales];
  for (const l of list) if (!/^en(-US)?$/i.test(String(l))) throw intlLimited(`locale "${l}"`);
};
const checkOptions = (options, allowed) => {
  for (const k of Object.keys(options ?? {})) {
    if (options[k] !== undefined && !allowed.has(k)) throw intlLimited(`option "${k}"`);
  }
};
const currencies = { USD: ["$", 2], EUR: ["€", 2] };
const numberOptions = new Set(["style", "currency", "currencyDisplay", "minimumFractionDigits", "maximumFractionDigits", "minimumIntegerDigits", "useGrouping", "localeMatcher"]);
class NumberFormat {
  #o;
  constructor(locales, options = {}) {
    checkLocale(locales);
    options ??= {};
    checkOptions(options, numberOptions);
    const style = options.style ?? "decimal";
    if (!["decimal", "percent", "currency"].includes(style)) throw intlLimited(`style "${style}"`);
    let cur = null;
    if (style === "currency") {
      if (options.currency === undefined) throw new TypeError("Currency code is required with currency style.");
      cur = String(options.currency).toUpperCase();
      if (!currencies[cur]) throw intlLimited(`currency "${cur}"`);
      if (!["symbol", "narrowSymbol", "code", undefined].includes(options.currencyDisplay)) throw intlLimited(`currencyDisplay "${options.currencyDisplay}"`);
    }
    const defMin = style === "currency" ? currencies[cur][1] : 0;
    const defMax = style === "currency" ? currencies[cur][1] : style === "percent" ? 0 : 3;
    let min = options.minimumFractionDigits === undefined ? undefined : Number(options.minimumFractionDigits);
    let max = options.maximumFractionDigits === undefined ? undefined : Number(options.maximumFractionDigits);
    for (const x of [min, max]) if (x !== undefined && !(x >= 0 && x <= 100)) throw new RangeError("maximumFractionDigits value is out of range.");
    if (min === undefined) min = Math.min(defMin, max ?? defMin);
    if (max === undefined) max = Math.max(defMax, min);
    if (min > max) throw new RangeError("maximumFractionDigits value is out of range.");
    this.#o = {
      locale: "en-US", numberingSystem: "latn", style, currency: cur ?? undefined, currencyDisplay: cur ? options.currencyDisplay ?? "symbol" : undefined,
      minimumIntegerDigits: Number(options.minimumIntegerDigits ?? 1), minimumFractionDigits: min, maximumFractionDigits: max,
      useGrouping: options.useGrouping === false ? false : "auto", notation: "standard", signDisplay: "auto",
    };
  }
  formatToParts(value) {
    const o = this.#o;
    let n = typeof value === "bigint" ? Number(value) : Number(value);
    const parts = [];
    const neg = n < 0 || Object.is(n, -0);
    if (neg) { parts.push({ type: "minusSign", value: "-" }); n = -n; }
    if (o.style === "currency") {
      parts.push({ type: "currency", value: o.currencyDisplay === "code" ? o.currency : currencies[o.currency][0] });
      if (o.currencyDisplay === "code") parts.push({ type: "literal", value: "\u00a0" });
    }
    if (o.style === "percent") n *= 100;
    if (Number.isNaN(n)) parts.push({ type: "nan", value: "NaN" });
    else if (!Number.isFinite(n)) parts.push({ type: "infinity", value: "∞" });
    else {
      let [int, frac = ""] = n.toFixed(o.maximumFractionDigits).split(".");
      while (frac.length > o.minimumFractionDigits && frac.endsWith("0")) frac = frac.slice(0, -1);
      int = int.padStart(o.minimumIntegerDigits, "0");
      if (neg && /^0*$/.test(int + frac)) parts.shift();
      const groups = [];
      if (o.useGrouping === false) groups.push(int);
      else for (let i = int.length; i > 0; i -= 3) groups.unshift(int.slice(Math.max(0, i - 3), i));
      groups.forEach((grp, i) => {
        if (i > 0) parts.push({ type: "group", value: "," });
        parts.push({ type: "integer", value: grp });
      });
      if (frac) parts.push({ type: "decimal", value: "." }, { type: "fraction", value: frac });
    }
    if (o.style === "percent") parts.push({ type: "percentSign", value: "%" });
    return parts;
  }
  format(value) { return this.formatToParts(value).map((p) => p.value).join(""); }
  resolvedOptions() { return Object.fromEntries(Object.entries(this.#o).filter(([, v]) => v !== undefined)); }
  static supportedLocalesOf(l) { return (Array.isArray(l) ? l : l === undefined ? [] : [l]).filter((x) => /^en(-US)?$/i.test(x)); }
}
Object.defineProperty(NumberFormat.prototype, "format", {
  get() { const f = NumberFormat.prototype.formatToParts.bind(this); return (v) => f(v).map((p) => p.value).join(""); },
  configurable: true,
});
tag(NumberFormat, "Intl.NumberFormat");

const monthNames = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"];
const dayNames = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"];
const dateOptions = new Set(["timeZone", "weekday", "year", "month", "day", "hour", "minute", "second", "hour12", "hourCycle", "timeZoneName", "dateStyle", "timeStyle", "localeMatcher", "formatMatcher", "fractionalSecondDigits"]);
const dateStyles = {
  full: { weekday: "long", year: "numeric", month: "long", day: "numeric" },
  long: { year: "numeric", month: "long", day: "numeric" },
  medium: { year: "numeric", month: "short", day: "numeric" },
  short: { year: "2-digit", month: "numeric", day: "numeric" },
};
const timeStyles = {
  full: { hour: "numeric", minute: "2-digit", second: "2-digit", timeZoneName: "long" },
  long: { hour: "numeric", minute: "2-digit", second: "2-digit", timeZoneName: "short" },
  medium: { hour: "numeric", minute: "2-digit", second: "2-digit" },
  short: { hour: "numeric", minute: "2-digit" },
};
class DateTimeFormat {
  #o;
  constructor(locales, options = {}, defaults = "date") {
    checkLocale(locales);
    options ??= {};
    checkOptions(options, dateOptions);
    const tz = options.timeZone === undefined ? "UTC" : String(options.timeZone);
    if (!/^(utc|etc\/utc|gmt|etc\/gmt)$/i.test(tz)) throw intlLimited(`timeZone "${tz}" (only UTC)`);
    const o = { ...options };
    if (o.dateStyle || o.timeStyle) {
      if (o.dateStyle && !dateStyles[o.dateStyle]) throw new RangeError(`Value ${o.dateStyle} out of range for dateStyle`);
      if (o.timeStyle && !timeStyles[o.timeStyle]) throw new RangeError(`Value ${o.timeStyle} out of range for timeStyle`);
    } else if (!["weekday", "year", "month", "day", "hour", "minute", "second"].some((k) => o[k] !== undefined)) {
      if (defaults !== "time") Object.assign(o, { year: "numeric", month: "numeric", day: "numeric" });
      if (defaults !== "date") Object.assign(o, { hour: "numeric", minute: "2-digit", second: "2-digit" });
    }
    this.#o = { locale: "en-US", calendar: "gregory", numberingSystem: "latn", timeZone: "UTC", ...o, timeZone: "UTC" };
  }
  formatToParts(date = DateNow()) {
    const d = new Date(typeof date === "number" ? date : date instanceof Date ? date.getTime() : Number(date));
    if (Number.isNaN(d.getTime())) throw new RangeError("Invalid time value");
    const o = this.#o;
    const parts = [];
    const lit = (v) => parts.push({ type: "literal", value: v });
    const dateOpts = o.dateStyle ? dateStyles[o.dateStyle] : o;
    const timeOpts = o.timeStyle ? timeStyles[o.timeStyle] : o.dateStyle ? {} : o;
    const pad2 = (n) => String(n).padStart(2, "0");
    const y = d.getUTCFullYear(), mo = d.getUTCMonth(), day = d.getUTCDate();
    const year = dateOpts.year === "2-digit" ? pad2(y % 100) : String(y);
    const textMonth = ["long", "short", "narrow"].includes(dateOpts.month);
    const monthText = dateOpts.month === "long" ? monthNames[mo] : dateOpts.month === "short" ? monthNames[mo].slice(0, 3) : dateOpts.month === "narrow" ? monthNames[mo][0] : dateOpts.month === "2-digit" ? pad2(mo + 1) : String(mo + 1);
    const dayText = dateOpts.day === "2-digit" ? pad2(day) : String(day);
    if (dateOpts.weekday) {
      const w = dayNames[d.getUTCDay()];
      parts.push({ type: "weekday", value: dateOpts.weekday === "long" ? w : dateOpts.weekday === "short" ? w.slice(0, 3) : w[0] });
      if (dateOpts.month || dateOpts.day || dateOpts.year) lit(", ");
    }
    if (textMonth) {
      parts.push({ type: "month", value: monthText });
      if (dateOpts.day) { lit(" "); parts.push({ type: "day", value: dayText }); }
      if (dateOpts.year) { lit(dateOpts.day ? ", " : " "); parts.push({ type: "year", value: year }); }
    } else {
      const seq = [];
      if (dateOpts.month) seq.push({ type: "month", value: monthText });
      if (dateOpts.day) seq.push({ type: "day", value: dayText });
      if (dateOpts.year) seq.push({ type: "year", value: year });
      seq.forEach((p, i) => { if (i > 0) lit("/"); parts.push(p); });
    }
    const hasDate = parts.length > 0;
    if (timeOpts.hour || timeOpts.minute || timeOpts.second) {
      if (hasDate) lit(o.dateStyle === "full" || o.dateStyle === "long" ? " at " : ", ");
      const h12 = timeOpts.hour12 !== false && o.hour12 !== false && o.hourCycle !== "h23" && o.hourCycle !== "h24";
      const h = d.getUTCHours();
      const tp = [];
      if (timeOpts.hour) tp.push({ type: "hour", value: h12 ? String(h % 12 || 12) : (timeOpts.hour === "2-digit" || !h12 ? pad2(h) : String(h)) });
      if (timeOpts.minute) tp.push({ type: "minute", value: pad2(d.getUTCMinutes()) });
      if (timeOpts.second) tp.push({ type: "second", value: pad2(d.getUTCSeconds()) });
      tp.forEach((p, i) => { if (i > 0) lit(":"); parts.push(p); });
      if (timeOpts.hour && h12) { lit(" "); parts.push({ type: "dayPeriod", value: h < 12 ? "AM" : "PM" }); }
    }
    const tzName = timeOpts.timeZoneName ?? o.timeZoneName;
    if (tzName) { lit(" "); parts.push({ type: "timeZoneName", value: tzName === "long" ? "Coordinated Universal Time" : "UTC" }); }
    return parts;
  }
  format(date) { return this.formatToParts(date).map((p) => p.value).join(""); }
  formatRange(a, b) { return `${this.format(a)} – ${this.format(b)}`; }
  resolvedOptions() { return { ...this.#o }; }
  static supportedLocalesOf(l) { return NumberFormat.supportedLocalesOf(l); }
}
tag(DateTimeFormat, "Intl.DateTimeFormat");
class Collator {
  constructor(locales, options = {}) {
    checkLocale(locales);
    checkOptions(options, new Set(["usage", "sensitivity", "numeric", "localeMatcher", "ignorePunctuation"]));
    this.numeric = Boolean(options?.numeric);
    this.base = options?.sensitivity === "base" || options?.sensitivity === "accent";
  }
  get compare() {
    return (a, b) => {
      a = String(a); b = String(b);
      if (this.base) { a = a.toLowerCase(); b = b.toLowerCase(); }
      if (this.numeric) {
        const re = /(\d+)|(\D+)/g;
        const x = a.match(re) ?? [], y = b.match(re) ?? [];
        for (let i = 0; i < Math.min(x.length, y.length); i++) {
          const nx = /^\d/.test(x[i]) && /^\d/.test(y[i]);
          const c = nx ? Number(x[i]) - Number(y[i]) : x[i].localeCompare(y[i]);
          if (c !== 0) return Math.sign(c);
        }
        return Math.sign(x.length - y.length);
      }
      return Math.sign(a.localeCompare(b));
    };
  }
  resolvedOptions() { return { locale: "en-US", usage: "sort", sensitivity: this.base ? "base" : "variant", numeric: this.numeric }; }
}
class PluralRules {
  #ordinal;
  constructor(locales, options = {}) {
    checkLocale(locales);
    this.#ordinal = options?.type === "ordinal";
  }
  select(n) {
    n = Number(n);
    if (!this.#ordinal) return n === 1 ? "one" : "other";
    const t = n % 10, h = n % 100;
    return t === 1 && h !== 11 ? "one" : t === 2 && h !== 12 ? "two" : t === 3 && h !== 13 ? "few" : "other";
  }
  resolvedOptions() { return { locale: "en-US", type: this.#ordinal ? "ordinal" : "cardinal" }; }
}
const unsupportedIntl = (name) => function () { throw intlLimited(`Intl.${name}`); };
lazy(["Intl"], () => ({
  Intl: Object.defineProperty({
    NumberFormat, DateTimeFormat, Collator, PluralRules,
    RelativeTimeFormat: unsupportedIntl("RelativeTimeFormat"), ListFormat: unsupportedIntl("ListFormat"),
    Segmenter: unsupportedIntl("Segmenter"), DisplayNames: unsupportedIntl("DisplayNames"),
    getCanonicalLocales: (l) => { checkLocale(l); return l === undefined ? [] : ["en-US"]; },
    supportedValuesOf: () => { throw intlLimited("Intl.supportedValuesOf"); },
  }, Symbol.toStringTag, { value: "Intl" }),
}));
{
  const numberProto = Number.prototype;
  Object.defineProperty(numberProto, "toLocaleString", {
    value: function toLocaleString(locales, options) { return new NumberFormat(locales, options).format(this.valueOf()); },
    writable: true, configurable: true,
  });
  let dateProto = g.Date.prototype;
  while (!Object.prototype.hasOwnProperty.call(dateProto, "getTime")) dateProto = Object.getPrototypeOf(dateProto);
  const localized = (name, defaults) => Object.defineProperty(dateProto, name, {
    value: { [name](locales, options) { return new DateTimeFormat(locales, options, defaults).format(this); } }[name],
    writable: true, configurable: true,
  });
  localized("toLocaleString", "all");
  localized("toLocaleDateString", "date");
  localized("toLocaleTimeString", "time");
}
}
