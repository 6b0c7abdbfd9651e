// Package mix is a weekly marketing-mix model: it explains a KPI (revenue,
// won deals, sales-ready leads) week by week as a baseline (level, trend,
// yearly seasonality, optional controls) plus each channel's spend carried
// over in time (adstock) and with diminishing returns (Hill saturation),
// and says what each channel added, its ROAS and ROI with 95% intervals,
// and how the same budget could be split better.
//
// The model is correlational: it reads what moved with what. Channels whose
// spend always moves together cannot be told apart, and no fit can tell
// cause from coincidence; Fit says so in its warnings, and experiments
// calibrate it: each LiftTest in Options is a pseudo-observation of its
// channel's effect over its weeks, weighted by its precision against the
// model's (a Gaussian prior on that effect), and Result.Calibration sets
// each test beside the model's figure before and after.
//
// The fit: channel coefficients are non-negative (spending cannot lower the
// KPI) and the regression is ridge-regularised on standardised columns. The
// hyperparameters (each channel's adstock and Hill parameters, the ridge
// penalty) are chosen on a grid by rolling-origin time-series
// cross-validation, coordinate by coordinate, deterministically. Intervals
// come from a moving-block residual bootstrap: each replicate runs the
// search and the fit again on the fitted KPI plus resampled blocks of
// residuals, so the intervals hold the uncertainty of the chosen curves as
// well as of the coefficients; the generator is seeded, so the same input
// gives the same output. In a daily model, whose days often cannot tell
// a channel's curve, each refit's KPI is fitted under curves drawn among
// those whose held-out error is within one standard error of the chosen
// ones' (fold by fold), not the chosen curves alone, so an interval
// spans the returns of the curves the data cannot choose between. The penalty is scanned on a grid (1e-4 to 0.3)
// and, from its top, steps of x3 past it while the held-out error falls
// (LambdaSteps, to 24.3); one still at the top is WarnPenaltyAtEdge,
// which withholds every verdict. The chosen penalty selects the curves
// and penalises the baseline; the fit the report reads (and each refit)
// penalises a channel by at most 1e-4, since a penalty on it shrinks its
// return by 1/(1+λ) at any number of periods. A channel's candidates
// include the straight response (Hill.Linear: no saturation), and a
// weekly geometric decay chosen on the grid is refined to the steps
// between (0.1, 0.3, 0.5, 0.7) when one predicts better. Curves that predict the held-out
// periods as well as the chosen ones, fold by fold (within one standard
// error of the paired differences), and whose own fits the fit-quality
// warnings pass, are rivals: a channel whose ROAS they put on the other
// side of break-even gets no verdict, nor a lift test's agreement, with a
// WarnCurvesDisagree warning, as does a baseline share they put more than
// BaselineSpread apart.
//
// The inputs: ReadSpend reads weekly spend; ReadCosts reads campaign costs
// with dates and SpreadCosts spreads them over weeks pro rata by days;
// WeeklyTotals adds dated outcomes (won deals, revenue, sales-ready leads)
// up by week, counting what falls before and after the weeks. A week is
// seven days from its first day at 00:00 UTC.
//
// With Data.Period Day the model is daily: adstock decays per day (the
// grid holds the weekly carry-over spans, a weekly decay d being d^(1/7)
// a day), the baseline adds six day-of-week columns, the yearly terms
// have a period of 365.25 days, the folds are 91 days and the data checks
// count days. ReadSpendBy and ReadSeries read daily files (a day or date
// column), SpreadCostsBy spreads costs by day.
//
// The linear algebra (Cholesky solves of the ridge normal equations) and the
// statistics (correlations, quantiles) are gonum's (gonum.org/v1/gonum):
// numerical code we should not write and maintain ourselves.
package mix
