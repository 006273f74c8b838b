//go:build cgo && hull_v8 && darwin && amd64

package v8

// The prebuilt V8 static library and its link flags.
import _ "github.com/tommie/v8go/deps/darwin_amd64"
