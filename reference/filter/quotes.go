package filter

// Quotes follows the quoted strings of a filter or a PATCH path, rune by rune: inside a
// string, \" and \\ are escapes and a bare " ends it. Feed it every rune in order.
type Quotes struct {
	inString, escaped bool
}

// Outside reports whether r is outside every quoted string, the quotes themselves counting as
// inside; it moves the state past r.
func (q *Quotes) Outside(r rune) bool {
	switch {
	case !q.inString:
		q.inString = r == '"'
		return !q.inString
	case q.escaped:
		q.escaped = false
	case r == '\\':
		q.escaped = true
	case r == '"':
		q.inString = false
	}
	return false
}

// Open reports whether the runes fed so far end inside a string (an unterminated one, at
// the end of the text).
func (q *Quotes) Open() bool { return q.inString }
