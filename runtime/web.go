package runtime

import (
	"crypto/rand"
	"embed"
	"encoding/hex"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"
)

// The Web platform globals (TextEncoder, URL, streams, Request/Response,
// crypto.subtle, Intl basics and the rest) are JavaScript files under
// js/web, run right after setup.js in the same compiled script, plus the
// stateless Go host functions of web_*.go they call.

//go:embed js/web/*.js
var webFS embed.FS

// webFiles is the order the files of js/web are concatenated in: each may
// use what the files before it define.
var webFiles = []string{
	"base.js", "asynccontext.js", "encoding.js", "events.js", "clone.js", "urlparse.js", "url.js", "urlclass.js", "streams.js", "bytestreams.js",
	"fetchtypes.js", "request.js", "httpaction.js", "crypto.js", "cryptokeys.js", "cryptoops.js", "console.js", "intl.js",
}

// globalsJS is the script install() runs in every engine: setup.js between
// the line that keeps what setup.js deletes and the Web globals.
var globalsJS = webPrelude + "\n" + setupJS + "\n" + webBundle()

const webPrelude = `globalThis.__hull_web_pre = { cfg: globalThis.__hull_cfg, log: globalThis.__hull_log };`

func webBundle() string {
	var b strings.Builder
	b.WriteString("(() => {\n")
	for _, f := range webFiles {
		src, err := webFS.ReadFile("js/web/" + f)
		if err != nil {
			panic(fmt.Sprintf("runtime: embedded %s: %v", f, err))
		}
		b.WriteString(compactJS(string(src)))
	}
	b.WriteString("})();\n")
	return b.String()
}

// registerWeb defines the Go functions the Web globals call. They keep no
// state: everything the globals remember lives in the JS heap.
func registerWeb(vm VM) error {
	for name, fn := range map[string]func([]any) (any, error){
		"__hull_web_crypto": webCrypto,
		"__hull_web_random": webRandom,
		"__hull_web_utf8":   webUTF8,
	} {
		if err := vm.Register(name, fn); err != nil {
			return fmt.Errorf("runtime: register %s: %w", name, err)
		}
	}
	return nil
}

// webRandom is __hull_web_random(n), n a decimal string: n bytes (at most 65536) from the
// system's secure generator, as hex. Actions use it; queries and
// mutations use the seeded generator instead.
func webRandom(args []any) (any, error) {
	if len(args) != 1 {
		return nil, fmt.Errorf("random takes (n)")
	}
	s, _ := args[0].(string)
	n, err := strconv.Atoi(s)
	if err != nil || n < 0 || n > 65536 {
		return nil, fmt.Errorf("random: bad length %v", args[0])
	}
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		return nil, fmt.Errorf("random: %w", err)
	}
	return hex.EncodeToString(b), nil
}

// webUTF8 is __hull_web_utf8(op, x), the fast path of TextEncoder and
// TextDecoder for long inputs: "e" encodes the string x to UTF-8 bytes,
// "d" decodes the bytes x. It answers null when x is not valid (a lone
// surrogate, a bad byte sequence), which the JS code then handles itself
// with the replacements the Encoding standard asks for.
func webUTF8(args []any) (any, error) {
	if len(args) != 2 {
		return nil, fmt.Errorf("utf8 takes (op, x)")
	}
	switch op, _ := args[0].(string); op {
	case "e":
		s, ok := args[1].(string)
		if !ok || !utf8.ValidString(s) {
			return nil, nil
		}
		return []byte(s), nil
	case "d":
		b, ok := args[1].([]byte)
		if !ok || !utf8.Valid(b) {
			return nil, nil
		}
		return string(b), nil
	}
	return nil, fmt.Errorf("utf8: unknown op %v", args[0])
}

// compactJS drops comment lines, blank lines and indentation: QuickJS keeps
// each function's source text in the heap, and every engine copies its
// heap back after each call. The files have no multi-line literals, so
// this is safe for them.
func compactJS(src string) string {
	var b strings.Builder
	for line := range strings.SplitSeq(src, "\n") {
		line = strings.TrimLeft(line, " \t")
		if line == "" || strings.HasPrefix(line, "//") {
			continue
		}
		b.WriteString(line)
		b.WriteByte('\n')
	}
	return b.String()
}
