package runtime_test

import (
	"testing"

	"hull/runtime"
)

// QuickJS implements Unicode property escapes itself; these vectors pin
// that down, since validation libraries (zod's email check) rely on them.
func TestUnicodePropertyEscapes(t *testing.T) {
	runWebCases(t, []runtime.Kind{runtime.KindQuery}, []webCase{
		{"letters, numbers and scripts match", `return [/^\p{L}+$/u.test("héllo世界"), /^\p{L}+$/u.test("abc1"), /\p{N}/u.test("٣"), /^\p{Script=Greek}+$/u.test("αβγ"), /\p{Lu}/u.test("a"), /\P{L}/u.test("1")]`,
			`[true,false,true,true,false,true]`},
		{"emoji and extended pictographic match", `return [/\p{Extended_Pictographic}/u.test("ok 👍"), /\p{Emoji_Presentation}/u.test("abc")]`, `[true,false]`},
		{"an unknown property is a SyntaxError", `try { new RegExp("\\p{NoSuchProperty}", "u"); return "compiled" } catch (e) { return e.name }`, `"SyntaxError"`},
	})
}
