package xinyong

// SearchStore is the part of Tx that serves search and the public subject
// pages (issue 5). Implementations live in internal/sqlstore/search.go and
// the dialect packages.
type SearchStore interface {
}
