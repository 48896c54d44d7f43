# R side of bench/bench_microdata.py: haven::read_sav -> svydesign -> rake -> svymean of every question.
#
# Usage: Rscript bench/bench_microdata.R file.sav margins.csv questions.csv out.csv
# margins.csv: source, code, target (population totals per code of each raking variable);
# questions.csv: question, source, numeric. Writes question, code, estimate, se to out.csv and
# prints r_read_seconds, r_rake_seconds, r_svymean_seconds, r_total_seconds, r_peak_mb.

suppressPackageStartupMessages({library(haven); library(survey)})
args <- commandArgs(trailingOnly = TRUE)
stopifnot(length(args) == 4)

peak_mb <- function() {
  s <- readLines("/proc/self/status")
  as.numeric(strsplit(trimws(sub("VmHWM:", "", s[grepl("^VmHWM:", s)])), " +")[[1]][1]) / 1024
}

t0 <- proc.time()[["elapsed"]]
d <- haven::read_sav(args[1], user_na = FALSE)   # user-missing 99 -> NA
d <- as.data.frame(zap_labels(d))
t_read <- proc.time()[["elapsed"]]

margins <- read.csv(args[2], stringsAsFactors = FALSE)
questions <- read.csv(args[3], stringsAsFactors = FALSE)
vars <- unique(margins$source)
for (v in vars) d[[v]] <- factor(d[[v]], levels = sort(unique(margins$code[margins$source == v])))
pops <- lapply(vars, function(v) {
  m <- margins[margins$source == v, ]
  out <- data.frame(factor(m$code, levels = levels(d[[v]])), m$target)
  names(out) <- c(v, "Freq")
  out
})
N <- sum(pops[[1]]$Freq)
d$w0 <- N / nrow(d)
des <- svydesign(ids = ~1, weights = ~w0, data = d)
raked <- rake(des, lapply(vars, function(v) as.formula(paste0("~", v))), pops,
              control = list(maxit = 100, epsilon = 1e-9, verbose = FALSE))
t_rake <- proc.time()[["elapsed"]]

rows <- list()
for (i in seq_len(nrow(questions))) {
  q <- questions$question[i]
  src <- questions$source[i]
  sub <- subset(raked, !is.na(d[[src]]))
  if (isTRUE(as.logical(questions$numeric[i]))) {
    x <- sub$variables[[src]]
    sub$variables$nps_g <- ifelse(x <= 6, -1, ifelse(x <= 8, 0, 1))
    m <- svymean(~nps_g, sub, na.rm = TRUE)
    rows[[length(rows) + 1]] <- data.frame(question = q, code = "nps", estimate = coef(m)[[1]],
                                           se = SE(m)[[1]])
  } else {
    sub$variables$qq <- factor(sub$variables[[src]])
    m <- svymean(~qq, sub, na.rm = TRUE)
    rows[[length(rows) + 1]] <- data.frame(question = q, code = sub("^qq", "", names(coef(m))),
                                           estimate = unname(coef(m)), se = unname(SE(m)))
  }
}
t_end <- proc.time()[["elapsed"]]
write.csv(do.call(rbind, rows), args[4], row.names = FALSE)
cat(sprintf("r_read_seconds=%.2f r_rake_seconds=%.2f r_svymean_seconds=%.2f r_total_seconds=%.2f r_peak_mb=%.0f\n",
            t_read - t0, t_rake - t_read, t_end - t_rake, t_end - t0, peak_mb()))
