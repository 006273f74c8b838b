// Package dashboard holds hull's built-in dashboard: a single-page app
// (React, built with Vite from src/) whose build output in dist/ is
// committed and embedded in the binary. server serves it at /dashboard/.
// Rebuild with `npm ci && npm run build` in this folder;
// scripts/check-dashboard.sh fails when dist/ is stale.
package dashboard

import (
	"embed"
	"io/fs"
)

//go:embed all:dist
var dist embed.FS

// Assets returns the built dashboard: index.html at the root, hashed
// files under assets/.
func Assets() fs.FS {
	sub, err := fs.Sub(dist, "dist")
	if err != nil {
		panic(err) // the embedded tree always has dist/
	}
	return sub
}
