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

// unreadable returns why s cannot be read, or "".
func unreadable(s string) string {
	if len(s) > maxLine {
		return ReasonTooLong
	}
	latin, high, blank := false, false, true
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == ' ' || c == '\t':
			continue
		case c < 0x20 || c == 0x7F:
			return ReasonBinary
		case c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z':
			latin = true
		case c >= 0xC3 && c <= 0xC5:
			latin, high = true, true // accented Latin letters
		case c >= 0x80:
			high = true
		}
		blank = false
	}
	switch {
	case blank:
		return ReasonEmpty
	case high && !utf8.ValidString(s):
		return ReasonUTF8
	case !latin && high:
		return ReasonScript
	case !latin:
		return ReasonNoLetter
	}
	return ""
}
