# Converts Robyn's simulated weekly data set (R/data/dt_simulated_weekly.RData
# in facebookexperimental/Robyn) to CSV, and derives the inputs of
# leadscore mix for the weeks of Robyn's demo (2016-01-01 to 2018-12-31).
# Run from this folder: Rscript convert.R path/to/dt_simulated_weekly.RData
args <- commandArgs(trailingOnly = TRUE)
load(args[1])
d <- as.data.frame(dt_simulated_weekly)
d$DATE <- format(d$DATE, "%Y-%m-%d")
num <- function(x) trimws(formatC(x, digits = 15, format = "g"))
out <- d
for (c in names(out)) if (is.numeric(out[[c]])) out[[c]] <- num(out[[c]])
write.csv(out, "dt_simulated_weekly.csv", row.names = FALSE, quote = FALSE)

w <- d[d$DATE >= "2016-01-01" & d$DATE <= "2018-12-31", ]
channels <- c(tv = "tv_S", ooh = "ooh_S", print = "print_S", facebook = "facebook_S", search = "search_S")
spend <- do.call(rbind, lapply(names(channels), function(ch) {
  data.frame(week = w$DATE, channel = ch, spend = num(w[[channels[[ch]]]]))
}))
spend <- spend[order(spend$week), ]
write.csv(spend, "spend.csv", row.names = FALSE, quote = FALSE)
write.csv(data.frame(week = w$DATE, revenue = num(w$revenue)), "kpi.csv", row.names = FALSE, quote = FALSE)
write.csv(data.frame(week = w$DATE,
                     competitor_sales_B = num(w$competitor_sales_B),
                     event1 = as.integer(w$events == "event1"),
                     event2 = as.integer(w$events == "event2"),
                     newsletter = num(w$newsletter)),
          "controls.csv", row.names = FALSE, quote = FALSE)
