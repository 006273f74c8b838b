package value

// Fixed table numbers. A table keeps its number for the life of a
// deployment, and the number is part of every id in the table, so these
// never change. Numbers below FirstUserTable belong to system tables; ids of
// any table number from 1 up parse, so data imported from elsewhere keeps
// its numbers.
const (
	// TableTables is `_tables`, the catalog of tables.
	TableTables TableNumber = 1
	// TableIndexes is `_index`, the catalog of indexes.
	TableIndexes TableNumber = 2
	// TableStorage is `_storage`, the metadata of stored files. 540 is the
	// number Convex gives its file-storage table, so storage ids minted by
	// hull look like Convex's.
	TableStorage TableNumber = 540
	// TableScheduledFunctions is `_scheduled_functions`, the scheduler's
	// jobs; it takes the number after `_storage`.
	TableScheduledFunctions TableNumber = 541
	// FirstUserTable is the number of the first user table; later user
	// tables count up from it, as on Convex (whose user ids are therefore
	// 32 characters and start with a letter from g to z).
	FirstUserTable TableNumber = 10001
)

// SystemTableNumber returns the fixed number of a system table name, if it
// has one.
func SystemTableNumber(name string) (TableNumber, bool) {
	switch name {
	case "_tables":
		return TableTables, true
	case "_index":
		return TableIndexes, true
	case "_storage":
		return TableStorage, true
	case "_scheduled_functions":
		return TableScheduledFunctions, true
	}
	return 0, false
}
