"""Reads a JUnit XML report with junitparser, a consumer CI dashboards use,
and checks it holds what leadscore test said: case, failure and skip counts."""
import sys
from junitparser import JUnitXml, Failure, Skipped, Error

path, want_cases, want_failed, want_skipped = sys.argv[1], *map(int, sys.argv[2:5])
xml = JUnitXml.fromfile(path)
cases = failed = skipped = 0
for suite in xml:
    print(f"suite {suite.name}: tests={suite.tests} failures={suite.failures} skipped={suite.skipped} errors={suite.errors}")
    for case in suite:
        cases += 1
        for r in case.result:
            if isinstance(r, (Failure, Error)):
                failed += 1
                print(f"  failed:  {case.name}: {r.message}")
            elif isinstance(r, Skipped):
                skipped += 1
                print(f"  skipped: {case.name}: {r.message}")
print(f"junitparser read {cases} cases, {failed} failed, {skipped} skipped")
if (cases, failed, skipped) != (want_cases, want_failed, want_skipped):
    sys.exit(f"want {want_cases} cases, {want_failed} failed, {want_skipped} skipped")
