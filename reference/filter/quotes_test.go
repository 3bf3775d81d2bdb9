package filter

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestQuotesFollowStringsAndEscapes(t *testing.T) {
	tests := []struct {
		text    string
		outside string // the runes Outside reported outside every string
		open    bool
	}{
		{`userName eq "a"`, `userName eq `, false},
		{`emails[value eq "x]y"]`, `emails[value eq ]`, false},
		{`a eq "say \"hi\" [" and b`, `a eq  and b`, false},
		{`a eq "back\\" or b`, `a eq  or b`, false},
		{`a eq "unterminated`, `a eq `, true},
	}
	for _, tt := range tests {
		t.Run(tt.text, func(t *testing.T) {
			var q Quotes
			var got []rune
			for _, r := range tt.text {
				if q.Outside(r) {
					got = append(got, r)
				}
			}
			assert.Equal(t, tt.outside, string(got))
			assert.Equal(t, tt.open, q.Open())
		})
	}
}
