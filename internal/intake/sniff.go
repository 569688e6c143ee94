package intake

import (
	"bytes"
	"unicode/utf8"

	"golang.org/x/text/encoding/simplifiedchinese"

	"xinyong"
)

// sampleSize is the prefix used to detect the encoding and the delimiter.
const sampleSize = 64 << 10

// sniffResult is what the sample says about a CSV file.
type sniffResult struct {
	format string
	bom    int  // bytes of BOM to skip
	gb     bool // decode with GB18030
	comma  rune
}

// sniffCSV looks at the first bytes of a text file. eof says the sample is
// the whole file.
func sniffCSV(sample []byte, eof bool) (sniffResult, error) {
	res := sniffResult{comma: ','}
	switch {
	case bytes.HasPrefix(sample, []byte{0xEF, 0xBB, 0xBF}):
		res.format, res.bom = FormatCSVUTF8BOM, 3
	case bytes.HasPrefix(sample, []byte{0xFF, 0xFE}), bytes.HasPrefix(sample, []byte{0xFE, 0xFF}):
		return res, xinyong.Errorf(xinyong.EINVALID, "不支持 UTF-16 编码的文本（Excel“Unicode 文本”），请另存为“CSV UTF-8”或 .xlsx (UTF-16 text is not supported; save as CSV UTF-8 or xlsx)")
	}
	body := sample[res.bom:]
	if len(body) == 0 && eof {
		return res, errEmpty()
	}
	if isBinary(body) {
		return res, errBinary()
	}
	// Cut at the last line break so no character is split (0x0A is never
	// part of a multi-byte character in UTF-8, GBK or GB18030).
	if !eof {
		if i := bytes.LastIndexByte(body, '\n'); i >= 0 {
			body = body[:i+1]
		}
	}
	switch {
	case validUTF8Prefix(body, eof):
		if res.format == "" {
			res.format = FormatCSVUTF8
		}
	case res.bom > 0:
		return res, xinyong.Errorf(xinyong.EINVALID, "文件以 UTF-8 BOM 开头，但内容不是有效的 UTF-8 (UTF-8 BOM but invalid UTF-8 content)")
	default:
		gbk, ok := validGB(body, eof)
		if !ok {
			return res, errBinary()
		}
		res.gb = true
		if gbk {
			res.format = FormatCSVGBK
		} else {
			res.format = FormatCSVGB18030
		}
	}
	res.comma = sniffComma(body)
	return res, nil
}

func errBinary() error {
	return xinyong.Errorf(xinyong.EINVALID, "文件不是文本（可能是二进制文件或不支持的编码），请上传 CSV（UTF-8 或 GBK）或 .xlsx (binary content or unsupported encoding; upload CSV in UTF-8 or GBK, or xlsx)")
}

// isBinary reports NUL bytes or many control characters.
func isBinary(b []byte) bool {
	if bytes.IndexByte(b, 0) >= 0 {
		return true
	}
	ctl := 0
	for _, c := range b {
		if c < 0x20 && c != '\t' && c != '\n' && c != '\r' && c != '\f' && c != '\v' && c != 0x1A {
			ctl++
		}
	}
	return ctl > 0 && ctl*100 > len(b)
}

// validUTF8Prefix reports whether b is valid UTF-8, allowing a character cut
// at the end when b is not the whole file.
func validUTF8Prefix(b []byte, eof bool) bool {
	if utf8.Valid(b) {
		return true
	}
	if eof {
		return false
	}
	for cut := 1; cut <= 3 && cut < len(b); cut++ {
		if utf8.Valid(b[:len(b)-cut]) {
			return true
		}
	}
	return false
}

// validGB checks b as GB18030 (which contains GBK): ok reports that every
// byte sequence is well formed and maps to a character; gbk that no
// four-byte sequence was needed.
func validGB(b []byte, eof bool) (gbk, ok bool) {
	gbk = true
	for i := 0; i < len(b); {
		c0 := b[i]
		if c0 < 0x80 {
			i++
			continue
		}
		if c0 == 0x80 { // € in code page 936
			i++
			continue
		}
		if c0 == 0xFF {
			return false, false
		}
		if i+1 >= len(b) {
			return gbk, !eof
		}
		c1 := b[i+1]
		switch {
		case (0x40 <= c1 && c1 < 0x7F) || (0x80 <= c1 && c1 < 0xFF):
			i += 2
		case 0x30 <= c1 && c1 < 0x3A:
			if i+3 >= len(b) {
				return gbk, !eof
			}
			if c2, c3 := b[i+2], b[i+3]; c2 < 0x81 || c2 == 0xFF || c3 < 0x30 || c3 > 0x39 {
				return false, false
			}
			gbk = false
			i += 4
		default:
			return false, false
		}
	}
	// Well-formed; now check every sequence maps to a character.
	dec := simplifiedchinese.GB18030.NewDecoder()
	out, err := dec.Bytes(trimPartialGB(b))
	if err != nil || bytes.Contains(out, []byte("\uFFFD")) {
		return false, false
	}
	return gbk, true
}

// trimPartialGB drops an incomplete trailing GB sequence.
func trimPartialGB(b []byte) []byte {
	for i := 0; i < len(b); {
		c0 := b[i]
		n := 1
		if c0 >= 0x81 && c0 != 0xFF {
			n = 2
			if i+1 < len(b) && b[i+1] >= 0x30 && b[i+1] <= 0x39 {
				n = 4
			}
		}
		if i+n > len(b) {
			return b[:i]
		}
		i += n
	}
	return b
}

// sniffComma picks tab when the first line with a comma or a tab has tabs
// and no commas, and comma otherwise.
func sniffComma(b []byte) rune {
	for len(b) > 0 {
		line := b
		if i := bytes.IndexByte(b, '\n'); i >= 0 {
			line, b = b[:i], b[i+1:]
		} else {
			b = nil
		}
		hasComma, hasTab := bytes.IndexByte(line, ',') >= 0, bytes.IndexByte(line, '\t') >= 0
		switch {
		case hasTab && !hasComma:
			return '\t'
		case hasComma:
			return ','
		}
	}
	return ','
}
