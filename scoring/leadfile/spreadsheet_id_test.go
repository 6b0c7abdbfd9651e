package leadfile

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestSpreadsheetNumber(t *testing.T) {
	for id, want := range map[string]bool{
		"5.00001E+07": true, "1E+15": true, "9.9e+10": true, " 5.1E+07 ": true,
		"50000010": false, "L0000001": false, "5.00001E-07": false, "E+07": false,
		"5.E+07": false, "12.3E+07": false, "5.00001E+": false, "00QDn0000000001": false, "1E+1x": false,
	} {
		assert.Equal(t, want, SpreadsheetNumber(id), id)
	}
}
