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
	// ListingQueue returns one page of the listings q selects, in queue
	// order (QueueDue soonest first, listings without a due date last,
	// then by id), every condition applied before the page is cut; and how
	// many q selects in all.
	ListingQueue(q ListingQueueQuery) ([]Listing, int, error)
	PublicListingStore
}

// PublicListingStore is the part of Tx that serves the public
// serious-dishonesty list pages (issue 6). It is part of ListingStore.
type PublicListingStore interface {
	// PublicListings returns one page of the listings q selects with their
	// subjects, newest listing day first (a listing without one last),
	// then by id; and how many q selects in all. It narrows exactly as
	// ListingPublic decides, from the conditions the caller states in q;
	// ListingPublic still decides each listing returned.
	PublicListings(q PublicListingQuery) ([]SubjectListing, int, error)
}

// MaxPublicListingPage is the most listings PublicListings returns at once.
const MaxPublicListingPage = 100

// PublicListingQuery selects the listings the public may see on a day:
// listed, published when listed, with a decision document, in force on On
// (listed on or before it, ending after it or never), of one of ListTypes,
// and not about a natural person born after AdultBornBy (a minor on On).
// It only narrows the read to what ListingPublic can show (the public
// column is Listing.Disclosable, AdultBornBy is xinyong.AdultBornBy);
// ListingPublic still decides each listing shown.
type PublicListingQuery struct {
	ListTypes   []string // the published list types to include; none selects nothing
	On          Date
	AdultBornBy Date // the last birth day of a person who is of age on On
	Offset      int
	Limit       int // at most MaxPublicListingPage; 0: 20
}

// SubjectListing is a listing with its subject.
type SubjectListing struct {
	Listing Listing
	Subject Subject
}
