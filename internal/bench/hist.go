// Package bench runs the benchmark scenarios of `xinyong bench`: a
// latency histogram, a closed-loop load runner, the machine description,
// the import scenario (end to end and against a raw insert of the same
// rows), the profile scenario, the search scenario (latency per kind of
// query), and BENCHMARKS.md rows.
package bench

import (
	"math/bits"
	"time"
)

// subBits is log2 of the linear sub-buckets per power of two: 32
// sub-buckets bound the relative error of a quantile by 1/32 ≈ 3 %.
const subBits = 5

const subCount = 1 << subBits

// Hist is a log-linear latency histogram (HDR-like): values below 32 ns
// are exact, above it each power-of-two range is split into 32 linear
// buckets. The zero value is ready to use; it is not safe for concurrent
// use (give each worker its own and Merge them).
type Hist struct {
	counts [(64 - subBits + 1) * subCount]uint64
	n      uint64
	sum    float64
	min    int64
	max    int64
}

func bucketOf(v int64) int {
	if v < subCount {
		return int(v)
	}
	e := bits.Len64(uint64(v)) - subBits - 1 // v>>e in [32, 64)
	return (e+1)*subCount + int(v>>e) - subCount
}

// bucketTop returns the largest value of bucket i.
func bucketTop(i int) int64 {
	if i < subCount {
		return int64(i)
	}
	e := i/subCount - 1
	m := int64(i%subCount + subCount)
	return (m+1)<<e - 1
}

// Record adds one latency.
func (h *Hist) Record(d time.Duration) {
	v := int64(d)
	if v < 0 {
		v = 0
	}
	h.counts[bucketOf(v)]++
	if h.n == 0 || v < h.min {
		h.min = v
	}
	if v > h.max {
		h.max = v
	}
	h.n++
	h.sum += float64(v)
}

// Merge adds o's counts to h.
func (h *Hist) Merge(o *Hist) {
	if o.n == 0 {
		return
	}
	for i, c := range o.counts {
		h.counts[i] += c
	}
	if h.n == 0 || o.min < h.min {
		h.min = o.min
	}
	h.max = max(h.max, o.max)
	h.n += o.n
	h.sum += o.sum
}

// Count returns the number of values.
func (h *Hist) Count() uint64 { return h.n }

// Max returns the largest value (exact).
func (h *Hist) Max() time.Duration { return time.Duration(h.max) }

// Min returns the smallest value (exact).
func (h *Hist) Min() time.Duration { return time.Duration(h.min) }

// Mean returns the mean (exact).
func (h *Hist) Mean() time.Duration {
	if h.n == 0 {
		return 0
	}
	return time.Duration(h.sum / float64(h.n))
}

// Quantile returns the value at quantile q (0 < q ≤ 1): the top of the
// bucket holding it, never above the maximum.
func (h *Hist) Quantile(q float64) time.Duration {
	if h.n == 0 {
		return 0
	}
	rank := uint64(q*float64(h.n) + 0.5)
	rank = max(rank, 1)
	var seen uint64
	for i, c := range h.counts {
		seen += c
		if seen >= rank {
			return time.Duration(min(bucketTop(i), h.max))
		}
	}
	return time.Duration(h.max)
}
