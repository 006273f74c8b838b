package persistence

import "fmt"

// ValidateCommits checks the shape of a write group before a backend
// touches its database: timestamps strictly rising and in range, each
// revision at its commit's ts. Backends call it at the top of Write.
func ValidateCommits(commits []Commit) error {
	for i, c := range commits {
		if i > 0 && c.TS <= commits[i-1].TS {
			return fmt.Errorf("write: commit ts %d follows %d: %w", c.TS, commits[i-1].TS, ErrTSNotRising)
		}
		if c.TS <= 0 || c.TS == Latest {
			return fmt.Errorf("write: commit ts %d out of range", c.TS)
		}
		for _, r := range c.Documents {
			if r.TS != c.TS {
				return fmt.Errorf("write: revision of %v at ts %d inside commit %d", r.ID, r.TS, c.TS)
			}
		}
	}
	return nil
}
