package matcher_test

import (
	"slices"
	"testing"

	"hull/database/matcher"
)

func b(s string) []byte { return []byte(s) }

func k(index int64, key string) matcher.Key {
	return matcher.Key{Index: idx(index), Key: []byte(key)}
}

func iv(index int64, start, end string) matcher.Interval {
	return matcher.Interval{Index: idx(index), Start: b(start), End: b(end)}
}

func open(index int64, start string) matcher.Interval {
	return matcher.Interval{Index: idx(index), Start: b(start)}
}

func matches(m *matcher.Matcher, keys []matcher.Key, tokens []string) []matcher.SubscriptionID {
	var got []matcher.SubscriptionID
	m.Match(keys, tokens, func(id matcher.SubscriptionID) { got = append(got, id) })
	slices.Sort(got)
	return got
}

func TestMatchFindsExactlyTheTouchedReadSets(t *testing.T) {
	tests := []struct {
		name   string
		sets   map[matcher.SubscriptionID]matcher.ReadSet
		keys   []matcher.Key
		tokens []string
		want   []matcher.SubscriptionID
	}{
		{
			name: "a key equal to the start is inside",
			sets: map[matcher.SubscriptionID]matcher.ReadSet{1: {Intervals: []matcher.Interval{iv(1, "b", "d")}}},
			keys: []matcher.Key{k(1, "b")},
			want: []matcher.SubscriptionID{1},
		},
		{
			name: "a key equal to the end is outside",
			sets: map[matcher.SubscriptionID]matcher.ReadSet{1: {Intervals: []matcher.Interval{iv(1, "b", "d")}}},
			keys: []matcher.Key{k(1, "d")},
		},
		{
			name: "a key just below the start is outside",
			sets: map[matcher.SubscriptionID]matcher.ReadSet{1: {Intervals: []matcher.Interval{iv(1, "b", "d")}}},
			keys: []matcher.Key{k(1, "a\xff")},
		},
		{
			name: "a nil end is unbounded",
			sets: map[matcher.SubscriptionID]matcher.ReadSet{1: {Intervals: []matcher.Interval{open(1, "b")}}},
			keys: []matcher.Key{k(1, "\xff\xff\xff")},
			want: []matcher.SubscriptionID{1},
		},
		{
			name: "an empty start with a nil end holds every key",
			sets: map[matcher.SubscriptionID]matcher.ReadSet{1: {Intervals: []matcher.Interval{{Index: 1}}}},
			keys: []matcher.Key{k(1, "")},
			want: []matcher.SubscriptionID{1},
		},
		{
			name: "an interval whose end equals its start holds nothing",
			sets: map[matcher.SubscriptionID]matcher.ReadSet{1: {Intervals: []matcher.Interval{iv(1, "b", "b")}}},
			keys: []matcher.Key{k(1, "b")},
		},
		{
			name: "an interval whose end is before its start holds nothing",
			sets: map[matcher.SubscriptionID]matcher.ReadSet{1: {Intervals: []matcher.Interval{iv(1, "d", "b")}}},
			keys: []matcher.Key{k(1, "c"), k(1, "d"), k(1, "b")},
		},
		{
			name: "an empty non-nil end holds nothing",
			sets: map[matcher.SubscriptionID]matcher.ReadSet{1: {Intervals: []matcher.Interval{{Index: 1, Start: nil, End: []byte{}}}}},
			keys: []matcher.Key{k(1, "")},
		},
		{
			name: "a point read holds its key and nothing after it",
			sets: map[matcher.SubscriptionID]matcher.ReadSet{
				1: {Intervals: []matcher.Interval{iv(1, "doc", "doc\x00")}},
				2: {Intervals: []matcher.Interval{iv(1, "doc\x00", "doc\x01")}},
			},
			keys: []matcher.Key{k(1, "doc")},
			want: []matcher.SubscriptionID{1},
		},
		{
			name: "a key of another index never matches",
			sets: map[matcher.SubscriptionID]matcher.ReadSet{1: {Intervals: []matcher.Interval{{Index: 1}}}},
			keys: []matcher.Key{k(2, "b")},
		},
		{
			name: "identical intervals of many read sets all match",
			sets: map[matcher.SubscriptionID]matcher.ReadSet{
				1: {Intervals: []matcher.Interval{iv(1, "a", "c")}},
				2: {Intervals: []matcher.Interval{iv(1, "a", "c")}},
				3: {Intervals: []matcher.Interval{iv(1, "a", "c")}},
			},
			keys: []matcher.Key{k(1, "b")},
			want: []matcher.SubscriptionID{1, 2, 3},
		},
		{
			name: "a read set hit by several keys and intervals is reported once",
			sets: map[matcher.SubscriptionID]matcher.ReadSet{
				1: {Intervals: []matcher.Interval{iv(1, "a", "c"), iv(1, "b", "z"), iv(1, "a", "c"), iv(2, "", "z")}, Tokens: []string{"version"}},
			},
			keys:   []matcher.Key{k(1, "b"), k(1, "bb"), k(2, "q")},
			tokens: []string{"version"},
			want:   []matcher.SubscriptionID{1},
		},
		{
			name: "nested and overlapping intervals each match where they hold the key",
			sets: map[matcher.SubscriptionID]matcher.ReadSet{
				1: {Intervals: []matcher.Interval{iv(1, "a", "z")}},
				2: {Intervals: []matcher.Interval{iv(1, "c", "e")}},
				3: {Intervals: []matcher.Interval{iv(1, "d", "f")}},
				4: {Intervals: []matcher.Interval{iv(1, "e", "g")}},
				5: {Intervals: []matcher.Interval{open(1, "x")}},
			},
			keys: []matcher.Key{k(1, "d")},
			want: []matcher.SubscriptionID{1, 2, 3},
		},
		{
			name: "a changed token matches the read sets that depend on it",
			sets: map[matcher.SubscriptionID]matcher.ReadSet{
				1: {Tokens: []string{"version"}},
				2: {Tokens: []string{"env:KEY", "identity:alice"}},
				3: {Tokens: []string{"env:OTHER"}},
			},
			tokens: []string{"env:KEY", "version"},
			want:   []matcher.SubscriptionID{1, 2},
		},
		{
			name: "a token is not a key",
			sets: map[matcher.SubscriptionID]matcher.ReadSet{1: {Tokens: []string{"version"}}},
			keys: []matcher.Key{k(1, "version")},
		},
		{
			name: "nothing written matches nothing",
			sets: map[matcher.SubscriptionID]matcher.ReadSet{1: {Intervals: []matcher.Interval{{Index: 1}}, Tokens: []string{"version"}}},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			m := matcher.New()
			var want []matcher.SubscriptionID
			for id, rs := range tc.sets {
				m.Register(id, rs)
				if rs.Touches(tc.keys, tc.tokens) {
					want = append(want, id)
				}
			}
			slices.Sort(want)
			if got := matches(m, tc.keys, tc.tokens); !slices.Equal(got, tc.want) {
				t.Fatalf("Match = %v, want %v", got, tc.want)
			}
			if !slices.Equal(want, tc.want) {
				t.Fatalf("ReadSet.Touches says %v, want %v", want, tc.want)
			}
		})
	}
}

func TestRegistrationLifecycle(t *testing.T) {
	tests := []struct {
		name  string
		steps func(m *matcher.Matcher)
		want  []matcher.SubscriptionID
		size  int
	}{
		{
			name: "an unregistered read set no longer matches",
			steps: func(m *matcher.Matcher) {
				m.Register(1, matcher.ReadSet{Intervals: []matcher.Interval{iv(1, "a", "c")}, Tokens: []string{"version"}})
				m.Register(2, matcher.ReadSet{Intervals: []matcher.Interval{iv(1, "a", "c")}})
				m.Unregister(1)
			},
			want: []matcher.SubscriptionID{2},
			size: 1,
		},
		{
			name: "registering an id again replaces its read set",
			steps: func(m *matcher.Matcher) {
				m.Register(1, matcher.ReadSet{Intervals: []matcher.Interval{iv(1, "a", "c")}})
				m.Register(1, matcher.ReadSet{Intervals: []matcher.Interval{iv(1, "x", "y")}})
			},
			size: 1,
		},
		{
			name: "registering the same read set again keeps it, even after the caller reused its bytes",
			steps: func(m *matcher.Matcher) {
				start, end := b("a"), b("c")
				m.Register(1, matcher.ReadSet{Intervals: []matcher.Interval{{Index: 1, Start: start, End: end}}, Tokens: []string{"t"}})
				m.Register(1, matcher.ReadSet{Intervals: []matcher.Interval{iv(1, "a", "c")}, Tokens: []string{"t"}})
				start[0], end[0] = 'x', 'y'
				m.Register(1, matcher.ReadSet{Intervals: []matcher.Interval{iv(1, "a", "c")}, Tokens: []string{"t"}})
			},
			want: []matcher.SubscriptionID{1},
			size: 1,
		},
		{
			name: "registering a read set that differs only in a token replaces it",
			steps: func(m *matcher.Matcher) {
				m.Register(1, matcher.ReadSet{Intervals: []matcher.Interval{iv(1, "x", "y")}, Tokens: []string{"version"}})
				m.Register(1, matcher.ReadSet{Intervals: []matcher.Interval{iv(1, "x", "y")}, Tokens: []string{"other"}})
			},
			size: 1,
		},
		{
			name: "unregistering an unknown id changes nothing",
			steps: func(m *matcher.Matcher) {
				m.Register(1, matcher.ReadSet{Intervals: []matcher.Interval{iv(1, "a", "c")}})
				m.Unregister(7)
			},
			want: []matcher.SubscriptionID{1},
			size: 1,
		},
		{
			name: "the caller may reuse a read set's bytes after registering",
			steps: func(m *matcher.Matcher) {
				start, end := b("a"), b("c")
				m.Register(1, matcher.ReadSet{Intervals: []matcher.Interval{{Index: 1, Start: start, End: end}}})
				start[0], end[0] = 'x', 'y'
			},
			want: []matcher.SubscriptionID{1},
			size: 1,
		},
		{
			name: "a read set registered after everything left matches again",
			steps: func(m *matcher.Matcher) {
				m.Register(1, matcher.ReadSet{Intervals: []matcher.Interval{iv(1, "a", "c")}, Tokens: []string{"version"}})
				m.Unregister(1)
				m.Register(3, matcher.ReadSet{Intervals: []matcher.Interval{iv(1, "a", "c")}})
			},
			want: []matcher.SubscriptionID{3},
			size: 1,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			m := matcher.New()
			tc.steps(m)
			got := matches(m, []matcher.Key{k(1, "b")}, []string{"version"})
			if !slices.Equal(got, tc.want) {
				t.Fatalf("Match = %v, want %v", got, tc.want)
			}
			if m.Len() != tc.size {
				t.Fatalf("Len = %d, want %d", m.Len(), tc.size)
			}
		})
	}
}

func TestTheZeroMatcherMatchesNothing(t *testing.T) {
	var m matcher.Matcher
	if got := m.AppendMatches(nil, []matcher.Key{k(1, "a")}, []string{"version"}); len(got) != 0 {
		t.Fatalf("AppendMatches = %v", got)
	}
	m.Unregister(1)
}

func TestMatchCallbackMayRegisterAndUnregister(t *testing.T) {
	m := matcher.New()
	m.Register(1, matcher.ReadSet{Tokens: []string{"version"}})
	m.Match(nil, []string{"version"}, func(id matcher.SubscriptionID) {
		m.Unregister(id)
		m.Register(id+1, matcher.ReadSet{Tokens: []string{"version"}})
	})
	if got := matches(m, nil, []string{"version"}); !slices.Equal(got, []matcher.SubscriptionID{2}) {
		t.Fatalf("after re-registering in the callback: %v", got)
	}
}
