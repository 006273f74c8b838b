// Package matchertest builds realistic subscription workloads for
// measuring package matcher: many read sets over a few indexes, and
// commits constructed to touch a chosen fraction of them.
package matchertest

import (
	"encoding/binary"
	"math/rand/v2"
	"strconv"

	"hull/database/matcher"
	"hull/persistence"
)

// The indexes of the workload's app: a chat with channels, a global feed
// and user profiles.
const (
	MessagesByID      persistence.IndexID = 1 // written, never read by a subscription
	MessagesByChannel persistence.IndexID = 2 // channel, then time
	MessagesByTime    persistence.IndexID = 3 // the feed, paginated
	UsersByID         persistence.IndexID = 4 // point reads
)

const (
	// ChannelSize is how many read sets watch each channel.
	ChannelSize = 100
	// FeedWindow is how many read sets' feed pages hold each feed key.
	FeedWindow = 10
	// Users is the number of distinct identities.
	Users    = 500
	feedStep = 16 // key distance between consecutive page starts
)

// Workload is n read sets and a source of commits against them.
type Workload struct {
	ReadSets []matcher.ReadSet
	r        *rand.Rand
	n        int
}

// New builds n read sets. Read set i is a chat page: it reads
//   - its channel (i / ChannelSize, channels numbered by even numbers so
//     odd ones fall between them) as one prefix range of MessagesByChannel,
//     the same interval as the other ChannelSize read sets of the channel;
//   - one page of the feed, [i·step, (i+FeedWindow)·step) of
//     MessagesByTime, so every feed key is in FeedWindow pages;
//   - two user profiles by id, point reads [id, id+"\x00") of UsersByID,
//     unique to the read set;
//   - the tokens "version" and its identity "identity:user-(i % Users)".
func New(n int, seed uint64) *Workload {
	w := &Workload{r: rand.New(rand.NewPCG(seed, 1)), n: n}
	w.ReadSets = make([]matcher.ReadSet, n)
	for i := range w.ReadSets {
		w.ReadSets[i] = w.ReadSet(i)
	}
	return w
}

// ReadSet returns read set i (see New).
func (w *Workload) ReadSet(i int) matcher.ReadSet {
	ch := channelKey(2 * (i / ChannelSize))
	u0, u1 := userKey(2*i), userKey(2*i+1)
	return matcher.ReadSet{
		Intervals: []matcher.Interval{
			{Index: MessagesByChannel, Start: ch, End: successorPrefix(ch)},
			{Index: MessagesByTime, Start: u64(uint64(i) * feedStep), End: u64(uint64(i+FeedWindow) * feedStep)},
			{Index: UsersByID, Start: u0, End: append(u0, 0)},
			{Index: UsersByID, Start: u1, End: append(u1, 0)},
		},
		Tokens: []string{"version", "identity:user-" + strconv.Itoa(i%Users)},
	}
}

// Commit returns the keys of a commit of 10 written keys touching about
// overlap of the read sets (0, 0.01, 0.1 are exact for n = 10,000):
//   - 0: new messages and profiles nobody reads (ids between the read
//     ones, channels between the watched ones, the feed past its end);
//   - up to 1%: keys in the feed, each in FeedWindow pages, pages apart;
//   - above: messages in distinct channels, each watched by ChannelSize.
func (w *Workload) Commit(overlap float64) []matcher.Key {
	keys := make([]matcher.Key, 0, 10)
	target := int(overlap * float64(w.n))
	switch {
	case target == 0:
		for j := range 10 {
			switch j % 4 {
			case 0:
				keys = append(keys, matcher.Key{Index: MessagesByID, Key: u64(w.r.Uint64())})
			case 1:
				keys = append(keys, matcher.Key{Index: MessagesByChannel, Key: append(channelKey(2*w.r.IntN(w.n/ChannelSize)+1), u64(w.r.Uint64())...)})
			case 2:
				keys = append(keys, matcher.Key{Index: UsersByID, Key: append(userKey(2*w.r.IntN(w.n)), 'x')})
			default:
				keys = append(keys, matcher.Key{Index: MessagesByTime, Key: u64(uint64(w.n+FeedWindow+w.r.IntN(w.n)) * feedStep)})
			}
		}
	case target <= 10*FeedWindow:
		// Distinct pages FeedWindow apart: each key hits its own FeedWindow pages.
		slotsN := w.n/FeedWindow - 1
		for _, s := range w.r.Perm(slotsN)[:10] {
			keys = append(keys, matcher.Key{Index: MessagesByTime, Key: u64(uint64((s+1)*FeedWindow)*feedStep - 1)})
		}
	default:
		for _, c := range w.r.Perm(w.n / ChannelSize)[:10] {
			keys = append(keys, matcher.Key{Index: MessagesByChannel, Key: append(channelKey(2*c), u64(w.r.Uint64())...)})
		}
	}
	return keys
}

func u64(x uint64) []byte { return binary.BigEndian.AppendUint64(nil, x) }

func channelKey(c int) []byte { return append([]byte("ch"), u64(uint64(c))...) }

func userKey(u int) []byte { return append([]byte("user"), u64(uint64(u))...) }

// successorPrefix returns the least key after every key starting with p
// (p has no trailing 0xff bytes here).
func successorPrefix(p []byte) []byte {
	s := append([]byte{}, p...)
	s[len(s)-1]++
	return s
}
