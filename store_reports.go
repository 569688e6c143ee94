package xinyong

// ReportStore is the part of Tx that keeps issued credit reports (issue 5).
// Implementations live in internal/sqlstore/reports.go.
type ReportStore interface {
}
