# Benchmark of R survey: rake() (default control) + svymean(~q) on synthetic data.
#
# Usage (from the repository root):
#     Rscript bench/bench_r.R [n]        # n defaults to 1000000
# Prints r_rake_seconds, r_svymean_seconds, r_total_seconds (system.time elapsed),
# plus the R / survey versions and n.

suppressPackageStartupMessages(library(survey))

args <- commandArgs(trailingOnly = TRUE)
n <- if (length(args) >= 1) as.integer(args[1]) else 1000000L
stopifnot(!is.na(n), n >= 100)

set.seed(20240601)
SEX <- c("female", "male")
AGE <- c("15-29", "30-44", "45-59", "60+")
REGION <- c("Nord", "Midt-Norge", "Vest", "S\u00f8r-\u00d8st")
Q <- c("Helt enig", "Delvis enig", "Verken enig eller uenig",
       "Delvis uenig", "Helt uenig", "Vet ikke")

# Skewed sample (young under-represented, 60+ and Sor-Ost over-represented).
d <- data.frame(
  sex = factor(sample(SEX, n, replace = TRUE, prob = c(0.55, 0.45)), levels = SEX),
  agegrp = factor(sample(AGE, n, replace = TRUE, prob = c(0.08, 0.2, 0.3, 0.42)), levels = AGE),
  region = factor(sample(REGION, n, replace = TRUE, prob = c(0.04, 0.13, 0.23, 0.6)),
                  levels = REGION))
# q depends on age and sex so that raking matters
lat <- c(-0.9, -0.3, 0.3, 0.9)[as.integer(d$agegrp)] + c(-0.35, 0.35)[as.integer(d$sex)] +
  rlogis(n)
qi <- findInterval(lat, c(-1.6, -0.6, 0.1, 1.1)) + 1L          # 1 = Helt uenig .. 5 = Helt enig
qi <- 6L - qi                                                   # 1 = Helt enig .. 5 = Helt uenig
qi[runif(n) < c(0.14, 0.08, 0.05, 0.04)[as.integer(d$agegrp)]] <- 6L  # Vet ikke
d$q <- factor(Q[qi], levels = Q)
d$base_w <- exp(rnorm(n, -0.08, 0.4))

N <- 4400000
pop_sex <- data.frame(sex = factor(SEX, levels = SEX), Freq = c(2195000, 2205000))
pop_age <- data.frame(agegrp = factor(AGE, levels = AGE),
                      Freq = c(960000, 1080000, 1060000, 1300000))
pop_region <- data.frame(region = factor(REGION, levels = REGION),
                         Freq = c(400000, 620000, 1080000, 2300000))
stopifnot(sum(pop_sex$Freq) == N, sum(pop_age$Freq) == N, sum(pop_region$Freq) == N)

design <- svydesign(ids = ~1, weights = ~base_w, data = d)

t_rake <- system.time(
  raked <- rake(design, list(~sex, ~agegrp, ~region), list(pop_sex, pop_age, pop_region))
)[["elapsed"]]
t_mean <- system.time(
  m <- svymean(~q, raked)
)[["elapsed"]]

cat(sprintf("R_VERSION %s\n", R.version.string))
cat(sprintf("survey_version %s\n", as.character(packageVersion("survey"))))
cat(sprintf("n %d\n", n))
cat(sprintf("r_rake_seconds %.3f\n", t_rake))
cat(sprintf("r_svymean_seconds %.3f\n", t_mean))
cat(sprintf("r_total_seconds %.3f\n", t_rake + t_mean))
cat(sprintf("check_first_share %.6f\n", coef(m)[1]))
