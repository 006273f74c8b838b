package app

import (
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/andybalholm/brotli"
)

// MaxPushBytes caps a decompressed push body. Convex's own default is
// 200 MB; a push bigger than this is refused rather than buffered.
const MaxPushBytes = 200 << 20

// ReadBody reads a request body, decompressing it when contentEncoding is
// "br", and refuses bodies that decompress past limit (a decompression bomb
// costs at most limit bytes of memory).
func ReadBody(r io.Reader, contentEncoding string, limit int64) ([]byte, error) {
	switch strings.ToLower(strings.TrimSpace(contentEncoding)) {
	case "", "identity":
	case "br":
		r = brotli.NewReader(r)
	default:
		return nil, &Error{Status: 415, Code: "UnsupportedContentEncoding",
			Message: fmt.Sprintf("Content-Encoding %q is not supported; send the body uncompressed or with br.", contentEncoding)}
	}
	data, err := io.ReadAll(io.LimitReader(r, limit+1))
	if err != nil {
		var ae *Error
		if errors.As(err, &ae) {
			return nil, ae
		}
		return nil, &Error{Status: 400, Code: "BadRequestBody",
			Message: "The request body could not be read or decompressed (corrupt or truncated).", Err: err}
	}
	if int64(len(data)) > limit {
		return nil, &Error{Status: 413, Code: "RequestTooLarge",
			Message: fmt.Sprintf("The request body is larger than %d bytes after decompression.", limit)}
	}
	return data, nil
}
