package runtime_test

import (
	"strings"
	"testing"

	"hull/runtime"
)

func TestIntlBasics(t *testing.T) {
	// V8's Intl (ICU) keeps the sign of a negative number that rounds to
	// zero, as the specification says; hull's en-US Intl for QuickJS drops
	// it.
	negZero := `"0"`
	if onV8() {
		negZero = `"-0"`
	}
	runWebCases(t, []runtime.Kind{runtime.KindQuery, runtime.KindAction}, []webCase{
		{"numbers group and round like en-US", `return [(1234567.891).toLocaleString(), (1234.5).toLocaleString("en-US", { minimumFractionDigits: 2 }), (0.125).toLocaleString(undefined, { maximumFractionDigits: 2 }),
			new Intl.NumberFormat().format(-0.0001), (12345).toLocaleString("en-US", { useGrouping: false }), (5).toLocaleString("en", { minimumIntegerDigits: 3 })]`,
			`["1,234,567.891","1,234.50","0.13",` + negZero + `,"12345","005"]`},
		{"percent and currency styles", `const usd = new Intl.NumberFormat("en-US", { style: "currency", currency: "USD" }); return [usd.format(1234.5), usd.format(-3), new Intl.NumberFormat("en-US", { style: "currency", currency: "EUR" }).format(7),
			new Intl.NumberFormat("en-US", { style: "percent" }).format(0.256), new Intl.NumberFormat("en-US", { style: "percent", maximumFractionDigits: 1 }).format(0.2567), usd.formatToParts(1000.1).map((p) => p.type).join(","), usd.resolvedOptions().minimumFractionDigits]`,
			`["$1,234.50","-$3.00","€7.00","26%","25.7%","currency,integer,group,integer,decimal,fraction",2]`},
		{"dates format in UTC", `const d = new Date(Date.UTC(2024, 0, 2, 15, 4, 5)); return [d.toLocaleDateString(), d.toLocaleTimeString(), d.toLocaleString("en-US"),
			d.toLocaleDateString("en-US", { year: "numeric", month: "long", day: "numeric" }), d.toLocaleDateString("en-US", { weekday: "short", month: "short", day: "numeric" }),
			new Intl.DateTimeFormat("en-US", { dateStyle: "full", timeStyle: "short" }).format(d), new Intl.DateTimeFormat("en-US", { dateStyle: "medium" }).format(d),
			new Intl.DateTimeFormat("en-US", { dateStyle: "short", timeStyle: "long" }).format(d), new Intl.DateTimeFormat(undefined, { hour: "2-digit", minute: "2-digit", hour12: false }).format(d),
			new Intl.DateTimeFormat().resolvedOptions().timeZone, new Intl.DateTimeFormat("en-US", { month: "2-digit", day: "2-digit", year: "numeric" }).formatToParts(d).map((p) => p.type + ":" + p.value).join(" ")]`,
			`["1/2/2024","3:04:05 PM","1/2/2024, 3:04:05 PM","January 2, 2024","Tue, Jan 2","Tuesday, January 2, 2024 at 3:04 PM","Jan 2, 2024","1/2/24, 3:04:05 PM UTC","15:04","UTC","month:01 literal:/ day:02 literal:/ year:2024"]`},
		{"collation and plural rules", `return [["b", "a10", "a2", "A"].sort(new Intl.Collator("en", { numeric: true }).compare), new Intl.PluralRules("en-US").select(1), new Intl.PluralRules("en-US", { type: "ordinal" }).select(22)]`,
			`[["A","a2","a10","b"],"one","two"]`},
	})
}

func TestIntlLimitsFailLoudly(t *testing.T) {
	pool := newTestPool(runtime.Options{})
	// V8 has the whole of Intl: what hull's en-US Intl refuses works.
	wantLimited := !onV8()
	for _, js := range []string{
		`(1).toLocaleString("de-DE")`,
		`new Intl.NumberFormat("en-US", { notation: "compact" })`,
		`new Intl.NumberFormat("en-US", { style: "currency", currency: "JPY" })`,
		`new Intl.DateTimeFormat("en-US", { timeZone: "America/New_York" })`,
		`new Intl.RelativeTimeFormat("en")`,
	} {
		res := runWeb(t, pool, runtime.KindQuery, js)
		if !wantLimited {
			if res.Err != nil {
				t.Errorf("%s: got %+v, want it to work", js, res.Err)
			}
			continue
		}
		if res.Err == nil || !strings.Contains(res.Err.Message, "Intl support is limited in hull") {
			t.Errorf("%s: got %+v, want the limited-Intl error", js, res.Err)
		}
	}
}

func TestIntlDatesWithoutADateUseTheCallsClock(t *testing.T) {
	runWebCases(t, []runtime.Kind{runtime.KindQuery, runtime.KindMutation}, []webCase{
		{"format and formatToParts of no date read the frozen clock",
			`const f = new Intl.DateTimeFormat("en-US", { year: "numeric", month: "numeric", day: "numeric", hour: "numeric", minute: "numeric", second: "numeric" });
			 return [f.format(), f.formatToParts().length > 0, f.format() === f.format(new Date())]`,
			`["11/14/2023, 10:13:20 PM",true,true]`},
	})
}
