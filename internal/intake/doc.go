// Package intake reads 双公示 files (administrative penalty and licensing
// decisions) that departments upload, as a stream of rows keyed by field code
// (CF_* for penalties, XK_* for licensing; see regulation §5.3–5.5).
//
// Open sniffs the content, never the file name: an XLSX workbook (a zip with
// xl/workbook.xml) is read with excelize's streaming row iterator; anything
// else that is text is read as CSV (UTF-8, UTF-8 with BOM, GBK or GB18030;
// comma-separated, or tab-separated when the header line has tabs and no
// commas). Memory stays flat with the size of the file.
//
// The header row maps columns to fields of the catalogue item: a header cell
// matches a field when it equals the field code (case-insensitive) or the
// Chinese label (after NFC, full-width to half-width folding and removal of
// spaces; a trailing unit such as "（万元）" and a required marker "*" are
// accepted). Title rows above the header (a merged "行政处罚信息表" banner, say)
// are skipped: the header is the first of the first ten non-blank rows that
// matches at least two fields.
//
// Problems with the whole file are returned as *xinyong.Error (EINVALID, or
// ETOOLARGE for size and row limits). Problems with one row are returned by
// Reader.Next as *RowError, and the reader stays usable.
//
// Line numbers are the row numbers a spreadsheet user sees: for CSV, the
// number of the line where the record starts, minus the extra lines taken by
// earlier multi-line (quoted) cells, so that it matches the row in Excel.
package intake
