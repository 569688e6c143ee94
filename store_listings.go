package xinyong

// ListingStore is the part of Tx that keeps serious-dishonesty listings
// (issue 6). Implementations live in internal/sqlstore/listings.go.
type ListingStore interface {
	// InsertListing stores a new listing (its first version); an id stored
	// before is ECONFLICT.
	InsertListing(l Listing) error
	// UpdateListing stores l as the listing's next version if the stored
	// listing is still at fromVersion in state from; otherwise ECONFLICT
	// (a concurrent step won). ENOTFOUND when there is no such listing.
	UpdateListing(l Listing, from ListingState, fromVersion int) error
	// Listing returns the listing with the id (ENOTFOUND if none).
	Listing(id string) (Listing, error)
	// ListingVersions returns every stored version, oldest first (the history).
	ListingVersions(id string) ([]Listing, error)
	// Listings returns the listings f selects, by id.
	Listings(f ListingFilter) ([]Listing, error)
}
