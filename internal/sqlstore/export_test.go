package sqlstore

// ListRecordsQuery exposes the record list query to the external tests.
var ListRecordsQuery = listRecordsQuery
