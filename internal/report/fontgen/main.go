// Command fontgen extracts one face of a TrueType collection (.ttc) into a
// standalone TrueType file (.ttf). Debian's fonts-wqy-microhei ships only
// wqy-microhei.ttc, which gopdf cannot read; face 0 (WenQuanYi Micro Hei)
// extracted by this program is committed as internal/report/fonts/wqy-microhei.ttf.
//
//	go run ./internal/report/fontgen -in /usr/share/fonts/truetype/wqy/wqy-microhei.ttc -face 0 -out internal/report/fonts/wqy-microhei.ttf
//
// The table data are copied unchanged (their checksums stay valid); only the
// table directory is rewritten with new offsets, and head.checkSumAdjustment
// is recomputed for the new file.
package main

import (
	"encoding/binary"
	"errors"
	"flag"
	"fmt"
	"os"
	"sort"
)

func main() {
	in := flag.String("in", "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc", "the TrueType collection")
	face := flag.Int("face", 0, "the face to extract")
	out := flag.String("out", "internal/report/fonts/wqy-microhei.ttf", "the TrueType file to write")
	flag.Parse()
	data, err := os.ReadFile(*in)
	if err != nil {
		fail(err)
	}
	ttf, err := Extract(data, *face)
	if err != nil {
		fail(err)
	}
	if err := os.WriteFile(*out, ttf, 0o644); err != nil {
		fail(err)
	}
	fmt.Printf("%s: face %d, %d bytes\n", *out, *face, len(ttf))
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "fontgen:", err)
	os.Exit(1)
}

type table struct {
	tag                      [4]byte
	checksum, offset, length uint32
}

// Extract returns face n of the collection ttc as a standalone sfnt file.
func Extract(ttc []byte, n int) ([]byte, error) {
	be := binary.BigEndian
	if len(ttc) < 12 || string(ttc[:4]) != "ttcf" {
		return nil, errors.New("not a TrueType collection (no ttcf header)")
	}
	count := int(be.Uint32(ttc[8:12]))
	if n < 0 || n >= count || len(ttc) < 12+4*count {
		return nil, fmt.Errorf("face %d out of range (the collection has %d)", n, count)
	}
	off := int(be.Uint32(ttc[12+4*n:]))
	if off+12 > len(ttc) {
		return nil, errors.New("face offset beyond the file")
	}
	sfntVersion := ttc[off : off+4]
	numTables := int(be.Uint16(ttc[off+4:]))
	dir := off + 12
	if dir+16*numTables > len(ttc) {
		return nil, errors.New("table directory beyond the file")
	}
	tables := make([]table, numTables)
	for i := range tables {
		r := ttc[dir+16*i:]
		copy(tables[i].tag[:], r[:4])
		tables[i].checksum, tables[i].offset, tables[i].length = be.Uint32(r[4:]), be.Uint32(r[8:]), be.Uint32(r[12:])
		if int(tables[i].offset)+int(tables[i].length) > len(ttc) {
			return nil, fmt.Errorf("table %s beyond the file", tables[i].tag[:])
		}
	}
	sort.Slice(tables, func(i, j int) bool { return string(tables[i].tag[:]) < string(tables[j].tag[:]) })
	// Header: sfnt version, numTables, searchRange, entrySelector, rangeShift.
	head := 12 + 16*numTables
	out := make([]byte, head, head+len(ttc))
	copy(out, sfntVersion)
	be.PutUint16(out[4:], uint16(numTables))
	es := 0
	for 1<<(es+1) <= numTables {
		es++
	}
	be.PutUint16(out[6:], uint16(16<<es))
	be.PutUint16(out[8:], uint16(es))
	be.PutUint16(out[10:], uint16(16*numTables-16<<es))
	headAt := -1
	for i, t := range tables {
		at := len(out)
		out = append(out, ttc[t.offset:t.offset+t.length]...)
		for len(out)%4 != 0 {
			out = append(out, 0)
		}
		r := out[12+16*i:]
		copy(r[:4], t.tag[:])
		be.PutUint32(r[4:], t.checksum)
		be.PutUint32(r[8:], uint32(at))
		be.PutUint32(r[12:], t.length)
		if string(t.tag[:]) == "head" && t.length >= 12 {
			headAt = at
		}
	}
	if headAt >= 0 {
		be.PutUint32(out[headAt+8:], 0)
		var sum uint32
		for i := 0; i+4 <= len(out); i += 4 {
			sum += be.Uint32(out[i:])
		}
		be.PutUint32(out[headAt+8:], 0xB1B0AFBA-sum)
	}
	return out, nil
}
