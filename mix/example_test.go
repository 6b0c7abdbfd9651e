package mix_test

import (
	"fmt"

	"github.com/leadscore/leadscore/mix"
)

// Fit a model to three years of simulated weeks whose truth is known, and
// compare. Social's interval is wider than its estimate: the model will
// not say whether it pays back.
func ExampleFit() {
	data, truth, err := mix.Simulate(mix.Simulation{Weeks: 156, Seed: 1, Trend: 0.2, Season: 0.1, Noise: 0.05})
	if err != nil {
		fmt.Println(err)
		return
	}
	r, err := mix.Fit(data, mix.Options{Seed: 1})
	if err != nil {
		fmt.Println(err)
		return
	}
	for i, ch := range r.Channels {
		fmt.Printf("%-6s true ROAS %.2f, estimated %.2f (95%% %.2f to %.2f): %s\n",
			ch.Name, truth.Channels[i].ROAS, ch.ROAS.Value, ch.ROAS.Low, ch.ROAS.High, ch.Verdict)
	}
	fmt.Printf("baseline share: true %.0f%%, estimated %.0f%%\n", 100*truth.BaselineShare, 100*r.BaselineShare)
	// Output:
	// tv     true ROAS 1.40, estimated 1.39 (95% 0.97 to 1.63): about break-even
	// search true ROAS 2.50, estimated 2.37 (95% 1.99 to 3.07): pays back
	// social true ROAS 0.80, estimated 0.54 (95% 0.09 to 0.92): withheld
	// baseline share: true 61%, estimated 63%
}
