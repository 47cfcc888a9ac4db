package categorize

import (
	"strings"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// maxLine is the longest descriptor read at all; longer input is not a bank
// line. Lines up to it are read on their first maxDesc bytes.
const maxLine = 4096

// Reasons a descriptor cannot be read, reported in Result.Reason.
const (
	ReasonEmpty    = "empty descriptor"
	ReasonTooLong  = "descriptor longer than 4096 bytes"
	ReasonBinary   = "binary data (control characters)"
	ReasonUTF8     = "invalid UTF-8"
	ReasonScript   = "no Latin letters or Japanese: this script is not read"
	ReasonNoLetter = "no letters"
	// ReasonKanji is given for a line in kanji without kana that nothing
	// decided: it was read as Japanese, but it may be Chinese, which the
	// engine does not read.
	ReasonKanji = "kanji without kana: read as Japanese; Chinese is not read"
)

// readable returns s as the engine reads it, with full-width and
// half-width forms folded (see hasWideForm), and why it cannot be read, or
// "".
func readable(s string) (string, string) {
	reason, high := unreadable(s)
	if high && (reason == "" || reason == ReasonScript) && hasWideForm(s) {
		// Japanese, Chinese and Korean banks print Latin names in
		// full-width letters (ＡＭＡＺＯＮ．ＣＯ．ＪＰ), and Japanese card
		// statements print katakana in half-width forms (ﾛｰｿﾝ, read as
		// ローソン): Unicode's compatibility form (NFKC) folds both.
		s = norm.NFKC.String(s)
		reason, _ = unreadable(s)
	}
	return s, reason
}

// unreadable returns why s cannot be read, or "", and whether s holds a
// character outside ASCII. It looks at the bytes the tokenizer reads (the
// first maxDesc), and at all of them for UTF-8.
func unreadable(s string) (string, bool) {
	if len(s) > maxLine {
		return ReasonTooLong, false
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
	high := seen&classHigh != 0
	switch {
	case seen&classControl != 0:
		return ReasonBinary, high
	case seen&^classBlank == 0:
		return ReasonEmpty, high
	case seen&classHigh != 0 && !utf8.ValidString(s):
		return ReasonUTF8, high
	case seen&classLatin == 0 && seen&classHigh != 0:
		if !japanese(head) {
			return ReasonScript, high
		}
	case seen&classLatin == 0:
		return ReasonNoLetter, high
	}
	return "", high
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

// hasWideForm reports whether s holds a character of Unicode's halfwidth
// and fullwidth forms block (U+FF00 to U+FFEF, three bytes opening with
// EF BC, EF BD, EF BE or EF BF) or the ideographic space (U+3000).
func hasWideForm(s string) bool {
	for i := strings.IndexByte(s, 0xEF); i >= 0 && i+1 < len(s); {
		if s[i+1] >= 0xBC && s[i+1] <= 0xBF {
			return true
		}
		j := strings.IndexByte(s[i+1:], 0xEF)
		if j < 0 {
			break
		}
		i += 1 + j
	}
	return strings.Contains(s, "\u3000")
}

// kanjiOnly reports whether s holds kanji and no kana: Japanese or
// Chinese.
func kanjiOnly(s string) bool {
	kanji := false
	for _, r := range s {
		switch {
		case r >= 0x3040 && r <= 0x30FF:
			return false
		case r >= 0x4E00 && r <= 0x9FFF:
			kanji = true
		}
	}
	return kanji
}

// japanese reports whether s holds kana or kanji, the scripts of Japanese,
// which the engine reads: its bank words and its chains' names.
func japanese(s string) bool {
	for _, r := range s {
		if r >= 0x3040 && r <= 0x30FF || r >= 0x4E00 && r <= 0x9FFF {
			return true
		}
	}
	return false
}
