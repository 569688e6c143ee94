// Package data holds the platform's national reference data as JSON files:
// the 2024 catalogue, the 2021 measures list, the serious-dishonesty list
// types and the publication regimes. See README.md for what each file is,
// where every row comes from, and how a province replaces or supplements
// them. internal/refdata parses and validates them.
package data

import "embed"

// FS holds the reference data files.
//
//go:embed *.json
var FS embed.FS
