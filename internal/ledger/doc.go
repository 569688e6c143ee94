// Package ledger is Xinyong's tamper-evident yet erasable log: an
// append-only RFC 6962 Merkle tree whose leaves commit to records, their
// withdrawals and workflow events, with C2SP tlog-checkpoint signed notes
// over its root.
//
// # Salted commitments and erasure
//
// A leaf (see [Leaf]) never contains the content it is about. It holds the
// kind of event, the object type, id and version, the time, and a
// [Commit]ment: SHA-256 over a domain-separated, length-prefixed encoding of
// a fresh 32-byte random salt ([NewSalt]) and the content. The salt is stored
// beside the content in the database, not in the log. Anyone holding the
// content and the salt can recompute the commitment and, with an inclusion
// proof, show that this exact content was logged at that position. When the
// law requires the content to be erased (for example when a publication
// period ends or a record is withdrawn), the content and the salt are deleted
// together: the leaf, the tree and every checkpoint stay verifiable, while the
// commitment alone reveals nothing (the 256-bit salt defeats guessing even for
// low-entropy content such as a name or an ID number).
//
// Leaves are encoded canonically by [Leaf.Bytes] ("xinyong-leaf/v1" then
// length-prefixed fields) and hashed with the RFC 6962 leaf hash
// ([Leaf.Hash]); interior nodes use the RFC 6962 node hash, so any RFC 6962
// tool can check proofs and any note verifier can check checkpoints.
//
// # Node storage
//
// The application stores node hashes itself, through the [NodeStore]
// interface that a database transaction implements. A node (level, index) is
// stored under [NodeKey], the dense numbering of
// golang.org/x/mod/sumdb/tlog.StoredHashIndex: only the nodes of complete
// (perfect) subtrees are stored, a tree of size n uses exactly the keys
// 0 .. tlog.StoredHashCount(n)-1, and appending leaves only writes keys above
// those, so keys are append-ordered and never rewritten.
//
// [Append] loads the compact range of the current tree (at most log2(n)+1
// nodes, see compact.RangeNodes), appends the new leaf hashes and writes every
// node that becomes complete, including the level-0 leaf hashes. Ephemeral
// nodes (roots of incomplete subtrees on the right edge) are never stored;
// [Root], [InclusionProof] and [ConsistencyProof] recompute them from stored
// nodes. Proofs may be produced for any past size, so old checkpoints remain
// provable.
//
// [Builder] recomputes a tree from its leaf hashes in O(log n) memory, for
// `xinyong ledger verify`: re-derive each leaf hash from the stored leaf rows,
// feed them to a Builder, and compare its root with the signed checkpoints
// (and, through Builder.OnNode, with every stored node).
//
// # Checkpoints and keys
//
// A [Checkpoint] is the C2SP tlog-checkpoint body "<origin>\n<size>\n<base64
// root>\n", signed as a golang.org/x/mod/sumdb/note note with an Ed25519 key
// kept in a file outside the database ([LoadOrCreateKey]). The origin equals
// the key name. [OpenCheckpoint] verifies the signature and parses the body
// strictly.
package ledger
