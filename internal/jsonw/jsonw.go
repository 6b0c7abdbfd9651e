// Package jsonw appends JSON strings and numbers to a byte slice exactly
// as encoding/json writes them, for encoders written by hand where
// encoding/json's reflection costs too much (a row per lead or per
// account of a million).
package jsonw

import (
	"math"
	"strconv"
	"unicode/utf8"
)

const hex = "0123456789abcdef"

// AppendString appends s as a JSON string as encoding/json writes it:
// escaping what JSON requires (\b, \f, \n, \r, \t by name, other control
// characters as \u00XX), U+2028 and U+2029, and invalid UTF-8 as U+FFFD;
// with html, also <, > and & (json.Marshal's default; an Encoder with
// SetEscapeHTML(false) leaves them).
func AppendString(buf []byte, s string, html bool) []byte {
	buf = append(buf, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' && (!html || c != '<' && c != '>' && c != '&') {
				i++
				continue
			}
			buf = append(buf, s[start:i]...)
			switch c {
			case '"', '\\':
				buf = append(buf, '\\', c)
			case '\b':
				buf = append(buf, '\\', 'b')
			case '\f':
				buf = append(buf, '\\', 'f')
			case '\n':
				buf = append(buf, '\\', 'n')
			case '\r':
				buf = append(buf, '\\', 'r')
			case '\t':
				buf = append(buf, '\\', 't')
			default:
				buf = append(buf, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xf])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			buf = append(buf, s[start:i]...)
			buf = append(buf, `\ufffd`...)
			i += size
			start = i
			continue
		}
		if r == '\u2028' || r == '\u2029' {
			buf = append(buf, s[start:i]...)
			buf = append(buf, '\\', 'u', '2', '0', '2', hex[r&0xf])
			i += size
			start = i
			continue
		}
		i += size
	}
	buf = append(buf, s[start:]...)
	return append(buf, '"')
}

// AppendFloat appends v as encoding/json writes a float64: as short as it
// reads back, with an exponent below 1e-6 and from 1e21 up (1e-7,
// 1e+21). NaN and infinities, which encoding/json refuses, are null.
func AppendFloat(buf []byte, v float64) []byte {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return append(buf, "null"...)
	}
	if abs := math.Abs(v); abs == 0 || abs >= 1e-6 && abs < 1e21 {
		return strconv.AppendFloat(buf, v, 'f', -1, 64)
	}
	buf = strconv.AppendFloat(buf, v, 'e', -1, 64)
	if n := len(buf); n >= 4 && buf[n-4] == 'e' && buf[n-3] == '-' && buf[n-2] == '0' {
		buf[n-2] = buf[n-1] // e-07 as e-7, as encoding/json writes it
		buf = buf[:n-1]
	}
	return buf
}

// AppendStrings appends a JSON array of strings (null for nil, as
// encoding/json writes a nil slice).
func AppendStrings(buf []byte, ss []string, html bool) []byte {
	if ss == nil {
		return append(buf, "null"...)
	}
	buf = append(buf, '[')
	for i, s := range ss {
		if i > 0 {
			buf = append(buf, ',')
		}
		buf = AppendString(buf, s, html)
	}
	return append(buf, ']')
}
