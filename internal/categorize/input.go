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
