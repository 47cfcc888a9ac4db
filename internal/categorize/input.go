package categorize

import "unicode/utf8"

// maxLine is the longest descriptor read at all; longer input is not a bank
// line. Lines up to it are read on their first maxDesc bytes.
const maxLine = 4096

// Reasons a descriptor cannot be read, reported in Result.Reason.
const (
	ReasonEmpty    = "empty descriptor"
	ReasonTooLong  = "descriptor longer than 4096 bytes"
	ReasonBinary   = "binary data (control characters)"
	ReasonUTF8     = "invalid UTF-8"
	ReasonScript   = "no Latin letters: this script is not read"
	ReasonNoLetter = "no letters"
)

// unreadable returns why s cannot be read, or "". It looks at the bytes
// the tokenizer reads (the first maxDesc), and at all of them for UTF-8.
func unreadable(s string) string {
	if len(s) > maxLine {
		return ReasonTooLong
	}
	head := s
	if len(head) > maxDesc {
		head = head[:maxDesc]
	}
	// Four bytes a step, into four unions, so that the loads do not wait
	// on one another.
	var s0, s1, s2, s3 uint8
	i := 0
	for ; i+4 <= len(head); i += 4 {
		b := head[i : i+4]
		s0 |= byteClass[b[0]]
		s1 |= byteClass[b[1]]
		s2 |= byteClass[b[2]]
		s3 |= byteClass[b[3]]
	}
	for ; i < len(head); i++ {
		s0 |= byteClass[head[i]]
	}
	seen := s0 | s1 | s2 | s3
	switch {
	case seen&classControl != 0:
		return ReasonBinary
	case seen&^classBlank == 0:
		return ReasonEmpty
	case seen&classHigh != 0 && !utf8.ValidString(s):
		return ReasonUTF8
	case seen&classLatin == 0 && seen&classHigh != 0:
		return ReasonScript
	case seen&classLatin == 0:
		return ReasonNoLetter
	}
	return ""
}

// Byte classes for unreadable.
const (
	classBlank   = 1 << iota // space, tab
	classControl             // other C0 controls and DEL
	classLatin               // an ASCII letter or the lead byte of an accented Latin letter
	classHigh                // any byte of a multi-byte character
	classOther               // digits, punctuation
)

var byteClass = func() (t [256]uint8) {
	for c := 0; c < 256; c++ {
		switch {
		case c == ' ' || c == '\t':
			t[c] = classBlank
		case c < 0x20 || c == 0x7F:
			t[c] = classControl
		case c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z':
			t[c] = classLatin
		case c >= 0xC3 && c <= 0xC5:
			t[c] = classLatin | classHigh
		case c >= 0x80:
			t[c] = classHigh
		default:
			t[c] = classOther
		}
	}
	return t
}()

// foldWidth returns s with the full-width forms of ASCII letters, digits
// and signs (U+FF01 to U+FF5E) and the ideographic space (U+3000) written
// as ASCII: Japanese, Chinese and Korean banks print Latin names that way
// (ＡＭＡＺＯＮ．ＣＯ．ＪＰ). Other text is returned as it is, without
// a copy.
func foldWidth(s string) string {
	if !hasWideForm(s) {
		return s
	}
	b := make([]byte, 0, len(s))
	for i := 0; i < len(s); {
		if c, ok := wideASCII(s, i); ok {
			b = append(b, c)
			i += 3
			continue
		}
		b = append(b, s[i])
		i++
	}
	return string(b)
}

// hasWideForm reports whether s holds a character foldWidth rewrites.
func hasWideForm(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] == 0xEF || s[i] == 0xE3 {
			if _, ok := wideASCII(s, i); ok {
				return true
			}
		}
	}
	return false
}

// wideASCII returns the ASCII byte of the full-width character or the
// ideographic space at s[i], if one is there.
func wideASCII(s string, i int) (byte, bool) {
	if i+2 >= len(s) {
		return 0, false
	}
	switch {
	case s[i] == 0xE3 && s[i+1] == 0x80 && s[i+2] == 0x80:
		return ' ', true
	case s[i] == 0xEF && s[i+1] == 0xBC && s[i+2] >= 0x81: // U+FF01 to U+FF3F
		return s[i+2] - 0x81 + 0x21, true
	case s[i] == 0xEF && s[i+1] == 0xBD && s[i+2] <= 0x9E: // U+FF40 to U+FF5E
		return s[i+2] - 0x80 + 0x60, true
	}
	return 0, false
}
