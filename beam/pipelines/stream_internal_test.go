package pipelines

import (
	"reflect"
	"testing"

	"github.com/apache/beam/sdks/v2/go/pkg/beam/core/timers"
)

// TestStreamHasOneTimerFamily keeps streamFn to one timer family: with two,
// the Go SDK of Beam 2.77 waits for an end of input that never comes when
// all of a bundle's input arrives before the DoFn is set up (it expects
// one end of timers per transform, Prism sends one per family; see
// docs/guide/beam.md), and the run hangs.
func TestStreamHasOneTimerFamily(t *testing.T) {
	typ := reflect.TypeOf(streamFn{})
	families := 0
	for i := range typ.NumField() {
		if f := typ.Field(i).Type; f.Implements(reflect.TypeOf((*timers.PipelineTimer)(nil)).Elem()) {
			families++
		}
	}
	if families != 1 {
		t.Fatalf("streamFn has %d timer families, want 1", families)
	}
}
