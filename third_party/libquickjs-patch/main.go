// Command libquickjs-patch rebuilds third_party/libquickjs, hull's copy of
// modernc.org/libquickjs (QuickJS transpiled to Go), from the upstream
// module: it copies the files hull builds with and applies hull's changes
// to the engine's promise machinery, so that a value set by the embedder
// (the continuation data behind AsyncLocalStorage) follows every promise
// reaction from the moment it is registered — `.then` or `await` — to the
// moment it runs.
//
//	go mod download modernc.org/libquickjs@v0.14.0
//	go run ./third_party/libquickjs-patch -src "$(go env GOMODCACHE)/modernc.org/libquickjs@v0.14.0"
//
// Each change names the function it belongs to and the text it replaces,
// and must match exactly once, so a new upstream version that moved the
// code fails loudly here instead of building a silently different engine.
// The hand-written halves are third_party/libquickjs/hull_continuation.go
// and hull_source.go (function sources kept in memory the embedder can
// leave out of its snapshots).
package main

import (
	"flag"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
)

// copied are the upstream files hull keeps besides the transpiled engines.
var copied = []string{
	"AUTHORS", "CONTRIBUTORS", "LICENSE", "LICENSE-LIBQUICKJS", "README.md",
	"go.mod", "go.sum", "libquickjs.go", "etc.go", "types_linux.go", "types_other.go",
	"libquickjs_windows.go",
}

// platforms are the transpiled engines hull keeps: the 64-bit targets a
// container or a developer's machine runs on ("windows" is one file for
// amd64 and arm64).
var platforms = []string{"linux_amd64", "linux_arm64", "darwin_amd64", "darwin_arm64", "windows"}

// edit replaces old by new, once, inside function fn.
type edit struct {
	fn, old, new string
}

var edits = []edit{
	// A reaction record grows by one value: the continuation data current
	// when the reaction was registered.
	{"_perform_promise_then",
		"rd = Xjs_mallocz(tls, ctx2, uint64(64))",
		"rd = Xjs_mallocz(tls, ctx2, uint64(hullReactionSize))"},
	{"_perform_promise_then",
		"(*TJSPromiseReactionData)(unsafe.Pointer(rd)).Fhandler = v6\n",
		"(*TJSPromiseReactionData)(unsafe.Pointer(rd)).Fhandler = v6\n\t\thullCaptureContinuation(tls, ctx2, rd)\n"},
	{"_promise_reaction_data_free",
		"\tXjs_free_rt(tls, rt1, rd)\n}",
		"\thullFreeContinuation(tls, rt1, rd)\n\tXjs_free_rt(tls, rt1, rd)\n}"},
	// Jobs carry it; the job makes it current while it runs.
	{"_perform_promise_then",
		"XJS_EnqueueJob(tls, ctx2, __ccgo_fp(_promise_reaction_job), int32(5), bp+16)",
		"hullEnqueueReaction(tls, ctx2, bp+16, rd)"},
	{"_fulfill_or_reject_promise",
		"XJS_EnqueueJob(tls, ctx2, __ccgo_fp(_promise_reaction_job), int32(5), bp+16)",
		"hullEnqueueReaction(tls, ctx2, bp+16, rd)"},
	{"_promise_reaction_job",
		"func _promise_reaction_job(",
		"func _promise_reaction_job_body("},
	// Resolving a promise with a thenable calls its then() in a later job,
	// which runs in the continuation data of the resolution.
	{"_js_promise_resolve_function_call",
		"XJS_EnqueueJob(tls, ctx2, __ccgo_fp(_js_promise_resolve_thenable_job), int32(3), bp+32)",
		"hullEnqueueThenable(tls, ctx2, bp+32)"},
	{"_js_promise_resolve_thenable_job",
		"func _js_promise_resolve_thenable_job(",
		"func _js_promise_resolve_thenable_job_body("},
	// Function sources come from the embedder's allocator, marked as
	// written once (hull_source.go), wherever they are made or dropped.
	{"_js_parse_class",
		"Xjs_free(tls, ctx, (*TJSFunctionDef)(unsafe.Pointer(*(*uintptr)(unsafe.Add(nil, bp+16)))).Fsource)",
		"hullSourceFree(tls, ctx, (*TJSFunctionDef)(unsafe.Pointer(*(*uintptr)(unsafe.Add(nil, bp+16)))).Fsource)"},
	{"_js_parse_class",
		"Fsource = Xjs_strndup(tls, ctx, class_start_ptr, ",
		"Fsource = hullSourceStrndup(tls, ctx, class_start_ptr, "},
	{"_js_parse_function_decl2",
		"\n\t\t\t\t(*TJSFunctionDef)(unsafe.Pointer(fd)).Fsource = Xjs_strndup(tls, ctx, ptr, ",
		"\n\t\t\t\t(*TJSFunctionDef)(unsafe.Pointer(fd)).Fsource = hullSourceStrndup(tls, ctx, ptr, "},
	{"_js_parse_function_decl2",
		"\n\t\t(*TJSFunctionDef)(unsafe.Pointer(fd)).Fsource = Xjs_strndup(tls, ctx, ptr, ",
		"\n\t\t(*TJSFunctionDef)(unsafe.Pointer(fd)).Fsource = hullSourceStrndup(tls, ctx, ptr, "},
	{"_js_free_function_def",
		"Xjs_free(tls, ctx1, (*TJSFunctionDef)(unsafe.Pointer(fd)).Fsource)",
		"hullSourceFree(tls, ctx1, (*TJSFunctionDef)(unsafe.Pointer(fd)).Fsource)"},
	{"_free_function_bytecode",
		"Xjs_free_rt(tls, rt1, (*TJSFunctionBytecode)(unsafe.Pointer(b)).Fdebug.Fsource)",
		"hullSourceFreeRT(tls, rt1, (*TJSFunctionBytecode)(unsafe.Pointer(b)).Fdebug.Fsource)"},
	{"_JS_ReadFunctionTag",
		"Fdebug.Fsource = Xjs_mallocz(tls, ctx1, ",
		"Fdebug.Fsource = hullSourceAlloc(tls, ctx1, "},
	// So does bytecode read back from a blob: it is written while it is
	// read (its atoms relocated) and never again.
	{"_JS_ReadFunctionTag",
		"\tif !(int32(*(*uint8)(unsafe.Pointer(bp + 16 + 18))&0x8>>3) != 0) {\n\t\tfunction_size = function_size + ",
		"\tif hullBytecodeInline && !(int32(*(*uint8)(unsafe.Pointer(bp + 16 + 18))&0x8>>3) != 0) {\n\t\tfunction_size = function_size + "},
	{"_JS_ReadFunctionBytecode",
		"\t\tbc_buf = b + uintptr(byte_code_offset)\n\t\tif _bc_get_buf(tls, s, bc_buf, bc_len) != 0 {",
		"\t\tbc_buf = hullBytecodeAlloc(tls, s, bc_len)\n\t\tif bc_buf == 0 || _bc_get_buf(tls, s, bc_buf, bc_len) != 0 {"},
}

func main() {
	src := flag.String("src", "", "directory of the upstream modernc.org/libquickjs module")
	dst := flag.String("dst", "third_party/libquickjs", "directory of hull's copy")
	flag.Parse()
	if err := run(*src, *dst); err != nil {
		slog.Error("libquickjs-patch", "err", err)
		os.Exit(1)
	}
}

func run(src, dst string) error {
	if src == "" {
		return fmt.Errorf("-src is required")
	}
	for _, name := range copied {
		b, err := os.ReadFile(filepath.Join(src, name))
		if err != nil {
			return fmt.Errorf("read upstream %s: %w", name, err)
		}
		if err := os.WriteFile(filepath.Join(dst, name), b, 0o644); err != nil {
			return fmt.Errorf("write %s: %w", name, err)
		}
	}
	for _, p := range platforms {
		name := "ccgo_" + p + ".go"
		b, err := os.ReadFile(filepath.Join(src, name))
		if err != nil {
			return fmt.Errorf("read upstream %s: %w", name, err)
		}
		out, err := patch(string(b))
		if err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
		if err := os.WriteFile(filepath.Join(dst, name), []byte(out), 0o644); err != nil {
			return fmt.Errorf("write %s: %w", name, err)
		}
	}
	return nil
}

// patch applies every edit to one transpiled engine.
func patch(code string) (string, error) {
	for _, e := range edits {
		start := strings.Index(code, "\nfunc "+e.fn+"(")
		if start < 0 {
			return "", fmt.Errorf("function %s not found", e.fn)
		}
		start++
		end := strings.Index(code[start+1:], "\nfunc ")
		if end < 0 {
			end = len(code)
		} else {
			end += start + 1
		}
		body := code[start:end]
		if n := strings.Count(body, e.old); n != 1 {
			return "", fmt.Errorf("function %s: %q found %d times, want once", e.fn, e.old, n)
		}
		code = code[:start] + strings.Replace(body, e.old, e.new, 1) + code[end:]
	}
	return code, nil
}
