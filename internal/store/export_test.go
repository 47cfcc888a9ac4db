package store

// RowsPerInsert is how many rows one SQLite INSERT statement carries, so
// tests can size batches that fill, overflow and split statements.
const RowsPerInsert = rowsPerInsert
