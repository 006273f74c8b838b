package app

import (
	"strings"

	"hull/runtime"
)

// HTTP routes of components. A parent mounts a child's http.js under a
// path prefix (app.use(c, {httpPrefix: "/c/"})); a request goes, as on
// Convex, to the instance whose routes match it best: an exact route of
// the current instance's http.js wins, then the longest of its prefix
// routes and its children's mounts; a mount passes the rest of the path
// ("/" + what follows the prefix) on to the child, which routes it the
// same way. What matches nothing goes to the current instance's http.js
// (which answers 404), or to no router at all.

// routeHTTP picks the instance that serves method and path in v and the
// path its router sees; ok is false when no instance has routes for it.
func routeHTTP(v *Version, method, path string) (component, routed string, ok bool) {
	current := ""
	for {
		code := v.code(current)
		hasRouter := code != nil && code.hasModule("http.js")
		mounts := childMounts(v, current)
		if !hasRouter && len(mounts) == 0 {
			return "", "", false
		}
		if hasRouter && routeExact(code.HTTPRoutes, method, path) {
			return current, path, true
		}
		best, bestLen, isMount := "", -1, false
		if hasRouter {
			if n := routePrefix(code.HTTPRoutes, method, path); n >= 0 {
				bestLen = n
			}
		}
		for child, prefix := range mounts {
			if strings.HasPrefix(path, prefix) && len(prefix) > bestLen {
				best, bestLen, isMount = child, len(prefix), true
			}
		}
		if isMount {
			path = "/" + strings.TrimPrefix(path, mounts[best])
			current = best
			continue
		}
		if hasRouter {
			return current, path, true
		}
		return "", "", false
	}
}

// childMounts lists the HTTP prefixes of the mounted children of the
// instance at parent.
func childMounts(v *Version, parent string) map[string]string {
	out := map[string]string{}
	for p, c := range v.Components {
		if !c.Unmounted && c.HTTPPrefix != "" && parentPath(p) == parent {
			out[p] = c.HTTPPrefix
		}
	}
	return out
}

// routeExact reports whether an exact route takes method at path (HEAD
// is served by GET routes).
func routeExact(routes []runtime.HTTPRoute, method, path string) bool {
	for _, r := range routes {
		if !r.PathPrefix && r.Path == path && methodMatches(r.Method, method) {
			return true
		}
	}
	return false
}

// routePrefix returns the length of the longest prefix route that takes
// method at path, or -1.
func routePrefix(routes []runtime.HTTPRoute, method, path string) int {
	best := -1
	for _, r := range routes {
		if r.PathPrefix && strings.HasPrefix(path, r.Path) && methodMatches(r.Method, method) && len(r.Path) > best {
			best = len(r.Path)
		}
	}
	return best
}

func methodMatches(route, method string) bool {
	return route == method || (method == "HEAD" && route == "GET")
}

// sitePrefix is where the instance at path is served below the site
// origin: its ancestors' mounts joined ("" when it is not mounted).
func sitePrefix(v *Version, path string) string {
	prefix := ""
	for p := path; p != ""; p = parentPath(p) {
		c, ok := v.component(p)
		if !ok || c.HTTPPrefix == "" {
			return ""
		}
		prefix = strings.TrimSuffix(c.HTTPPrefix, "/") + prefix
	}
	return prefix
}

// hasModule reports whether the code includes the module at path.
func (c *Code) hasModule(path string) bool {
	for _, m := range c.Modules {
		if m.Path == path {
			return true
		}
	}
	return false
}
