# The R side of `make bench` (bench/bench_stats.py): the SAME respondents and margins as the
# Python side, read from the CSV files bench_stats.py writes, and the same work timed:
# svydesign() + rake() + svymean(~q) (raked linearisation SEs), median of several runs.
#
# Usage: Rscript bench/bench_r.R <respondents.csv> <margins.csv> <result.csv> <repeats>
# Prints r_median_seconds, r_runs (every run's wall seconds), r_cpu_runs (user + system CPU
# seconds of every run) and the R / survey versions; writes the
# shares and SEs of the last run to <result.csv> (category, estimate, se) for the comparison.
#
# rake() runs to convergence (epsilon 1e-11 of the weight total, maxit 200) so that its answer is
# comparable with Python's default tolerance; R's default control stops after 10 sweeps.

suppressPackageStartupMessages(library(survey))
args <- commandArgs(trailingOnly = TRUE)
stopifnot(length(args) == 4)
repeats <- as.integer(args[4])

d <- read.csv(args[1], fileEncoding = "UTF-8", stringsAsFactors = FALSE,
              colClasses = c("character", "character", "character", "character", "numeric"))
m <- read.csv(args[2], fileEncoding = "UTF-8", stringsAsFactors = FALSE,
              colClasses = c("character", "character", "numeric"))
vars <- unique(m$variable)
for (v in vars) d[[v]] <- factor(d[[v]], levels = m$category[m$variable == v])
stopifnot(!anyNA(d[vars]))
q_levels <- readLines(sub("\\.csv$", "_q_levels.txt", args[1]), encoding = "UTF-8")
d$q <- factor(d$q, levels = q_levels)
pop <- lapply(vars, function(v) {
  x <- m[m$variable == v, ]
  df <- data.frame(factor(x$category, levels = x$category), Freq = x$target)
  names(df)[1] <- v
  df
})
sample_margins <- lapply(vars, function(v) as.formula(paste0("~", v)))

run <- function() {
  des <- svydesign(ids = ~1, weights = ~base_w, data = d)
  raked <- rake(des, sample_margins, pop, control = list(maxit = 200, epsilon = 1e-11))
  svymean(~q, raked)
}
secs <- numeric(repeats)
cpu <- numeric(repeats)
for (i in seq_len(repeats)) {
  gc()
  tm <- system.time(res <- run())
  secs[i] <- tm[["elapsed"]]
  cpu[i] <- tm[["user.self"]] + tm[["sys.self"]]
}
out <- data.frame(category = q_levels, estimate = sprintf("%.17g", as.numeric(coef(res))),
                  se = sprintf("%.17g", as.numeric(SE(res))))
con <- file(args[3], open = "wb")
writeLines(enc2utf8(c("category,estimate,se", paste(out$category, out$estimate, out$se, sep = ","))), con,
           sep = "\n", useBytes = TRUE)
close(con)
cat(sprintf("R_VERSION %s\n", R.version.string))
cat(sprintf("survey_version %s\n", as.character(packageVersion("survey"))))
cat(sprintf("r_runs %s\n", paste(sprintf("%.3f", secs), collapse = " ")))
cat(sprintf("r_median_seconds %.4f\n", median(secs)))
cat(sprintf("r_cpu_runs %s\n", paste(sprintf("%.3f", cpu), collapse = " ")))
