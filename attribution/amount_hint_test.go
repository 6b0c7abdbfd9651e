package attribution_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/leadscore/leadscore/attribution"
)

// An amount that is not a plain number says what to drop from it; one in
// Go's own syntax (hexadecimal, underscores) is refused.
func TestParseAmountSaysWhatToDrop(t *testing.T) {
	for in, want := range map[string]string{
		"24,000":  `want a number of at least 0, got "24,000"; write the amount without thousands separators, with a point before the decimals, such as 24000 or 1200.50`,
		"$300":    `want a number of at least 0, got "$300"; write the amount without its currency sign, such as 1200.50`,
		"€1200":   `want a number of at least 0, got "€1200"; write the amount without its currency sign, such as 1200.50`,
		"1 200":   `want a number of at least 0, got "1 200"; write the amount without spaces, such as 24000`,
		"0x1p10":  `want a number of at least 0, got "0x1p10"`,
		"1_000":   `want a number of at least 0, got "1_000"`,
		"NaN":     `NaN is not a number one can add up; write the amount, or 0`,
		"1200.50": ``,
	} {
		v, err := attribution.ParseAmount(in)
		if want == "" {
			require.NoError(t, err, in)
			require.Equal(t, 1200.5, v)
			continue
		}
		require.EqualError(t, err, want, in)
	}
}
