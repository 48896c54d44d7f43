# R `survey` reference for lib/ehelse/models.py (Rao-Scott, svyglm) and replicates.py (JK1,
# bootstrap with raking redone in every replicate), on the seeded files of make_models_data.py.
#
#   Rscript tests/reference/models.R [data_dir] [out_dir]
#
# Defaults: tests/reference/models/data and tests/reference/models/out beside this script.
# Deterministic: the only random numbers are the bootstrap draws, after set.seed(); every
# number is written with sprintf("%.17g").
suppressPackageStartupMessages(library(survey))

args <- commandArgs(trailingOnly = TRUE)
here <- local({
  f <- sub("^--file=", "", grep("^--file=", commandArgs(FALSE), value = TRUE))
  if (length(f)) dirname(normalizePath(f[1])) else getwd()
})
data_dir <- if (length(args) >= 1) args[1] else file.path(here, "models", "data")
out_dir <- if (length(args) >= 2) args[2] else file.path(here, "models", "out")
dir.create(out_dir, showWarnings = FALSE, recursive = TRUE)

Q <- c("Helt enig", "Delvis enig", "Verken enig eller uenig", "Delvis uenig", "Helt uenig", "Vet ikke")
RAKE_CONTROL <- list(maxit = 1000, epsilon = 1e-13)
BOOT_REPLICATES <- 50

num <- function(x) ifelse(is.na(x), "", sprintf("%.17g", x))
write_table <- function(df, name) {
  for (k in names(df)) if (is.numeric(df[[k]])) df[[k]] <- num(df[[k]])
  con <- file(file.path(out_dir, name), open = "wb")
  writeLines(enc2utf8(c(paste(names(df), collapse = ","),
                        do.call(paste, c(df, sep = ",")))), con, sep = "\n", useBytes = TRUE)
  close(con)
}

read_scenario <- function(s) {
  d <- read.csv(file.path(data_dir, paste0(s, ".csv")), stringsAsFactors = FALSE,
                na.strings = "", encoding = "UTF-8")
  d$digital01 <- as.numeric(d$digital == "Ja")
  d$top2 <- as.numeric(d$q %in% Q[1:2])
  d$q5 <- factor(ifelse(d$q == "Vet ikke", NA, d$q), levels = Q[1:5])
  d$nps_score <- ifelse(is.na(d$nps), NA, ifelse(d$nps <= 6, -100, ifelse(d$nps <= 8, 0, 100)))
  d
}

margins <- function(s) {
  m <- read.csv(file.path(data_dir, paste0(s, "_margins.csv")), stringsAsFactors = FALSE, encoding = "UTF-8")
  lapply(c(sex = "sex", agegrp = "agegrp", region = "region"), function(v) {
    g <- m[m$variable == v, ]
    out <- data.frame(g$category, g$target, stringsAsFactors = FALSE)
    names(out) <- c(v, "Freq")
    out
  })
}
SAMPLE_MARGINS <- list(~sex, ~agegrp, ~region)

chisq_rows <- function(tab, formula, des) {
  f <- svychisq(formula, des)                       # default: statistic = "F"
  c1 <- svychisq(formula, des, statistic = "Chisq")
  data.frame(table = tab, method = c("F", "Chisq"),
             statistic = c(unname(f$statistic), unname(c1$statistic)),
             ndf = c(unname(f$parameter["ndf"]), unname(c1$parameter["df"])),
             ddf = c(unname(f$parameter["ddf"]), NA),
             p_value = c(f$p.value, c1$p.value), stringsAsFactors = FALSE)
}

glm_rows <- function(model, des) {
  m <- svyglm(digital01 ~ sex + agegrp + region + education, design = des, family = quasibinomial(),
              control = glm.control(epsilon = 1e-13, maxit = 100))
  s <- summary(m)$coefficients
  ci <- confint(m)
  data.frame(model = model, term = rownames(s), estimate = s[, 1], se = s[, 2], t = s[, 3],
             p_value = s[, 4], df = m$df.residual, ci_low = ci[, 1], ci_high = ci[, 2],
             stringsAsFactors = FALSE)
}

rep_rows <- function(kind, rr) {
  est <- function(domain, category, r) {
    data.frame(kind = kind, domain = domain, category = category, estimate = as.numeric(coef(r)),
               se = as.numeric(SE(r)), stringsAsFactors = FALSE)
  }
  q_all <- svymean(~factor(q, levels = Q), rr)
  q_excl <- svymean(~q5, subset(rr, q != "Vet ikke"))
  top2 <- svymean(~top2, subset(rr, q != "Vet ikke"))
  top2_sex <- svyby(~top2, ~sex, subset(rr, q != "Vet ikke"), svymean)
  nps_all <- svymean(~nps_score, subset(rr, !is.na(nps)))
  nps_sex <- svyby(~nps_score, ~sex, subset(rr, !is.na(nps)), svymean)
  rbind(est("all", Q, q_all), est("excl_dk", Q[1:5], q_excl), est("excl_dk", "top2", top2),
        data.frame(kind = kind, domain = paste0("excl_dk&sex=", top2_sex$sex), category = "top2",
                   estimate = top2_sex$top2, se = SE(top2_sex), stringsAsFactors = FALSE),
        est("nps_answered", "nps", nps_all),
        data.frame(kind = kind, domain = paste0("nps_answered&sex=", nps_sex$sex), category = "nps",
                   estimate = nps_sex$nps_score, se = SE(nps_sex), stringsAsFactors = FALSE))
}

for (s in c("m1", "m2")) {
  d <- read_scenario(s)
  pm <- margins(s)
  des0 <- svydesign(ids = ~1, weights = ~base_w, data = d)
  des <- rake(des0, SAMPLE_MARGINS, pm, control = RAKE_CONTROL)
  write_table(data.frame(id = d$id, weight = weights(des)), paste0(s, "_weights.csv"))

  # Rao-Scott (svychisq) on the raked design, whole sample and a subset() domain
  chi <- rbind(chisq_rows("q_agegrp", ~q + agegrp, des),
               chisq_rows("digital_education", ~digital + education, des),
               chisq_rows("q_sex_excl_dk", ~q5 + sex, subset(des, q != "Vet ikke")))
  write_table(chi, paste0(s, "_chisq.csv"))

  # svyglm quasibinomial on the raked design, whole sample and a subset() domain
  write_table(rbind(glm_rows("all", des), glm_rows("excl_dk", subset(des, q != "Vet ikke"))),
              paste0(s, "_glm.csv"))

  # replicate designs from the base-weight design, raked again in every replicate
  jk <- rake(as.svrepdesign(des0, type = "JK1", compress = FALSE), SAMPLE_MARGINS, pm, control = RAKE_CONTROL)
  des0g <- svydesign(ids = ~grp, weights = ~base_w, data = d)
  jkg <- rake(as.svrepdesign(des0g, type = "JK1", compress = FALSE), SAMPLE_MARGINS, pm, control = RAKE_CONTROL)
  set.seed(if (s == "m1") 101 else 202)
  b0 <- as.svrepdesign(des0, type = "bootstrap", replicates = BOOT_REPLICATES, compress = FALSE)
  mult <- weights(b0, "replication")
  colnames(mult) <- paste0("r", seq_len(ncol(mult)))
  write_table(data.frame(id = d$id, mult), paste0(s, "_boot_multipliers.csv"))
  bs <- rake(b0, SAMPLE_MARGINS, pm, control = RAKE_CONTROL)
  if (max(abs(weights(jk, "sampling") / weights(des) - 1)) > 1e-10) stop("JK1 full-sample weights differ")
  write_table(rbind(rep_rows("jk1", jk), rep_rows("jk1_groups", jkg), rep_rows("bootstrap", bs)),
              paste0(s, "_replicates.csv"))
  cat(sprintf("%s: n = %d, JK1 %d replicates, grouped JK1 %d, bootstrap %d (scale %.6g)\n", s, nrow(d),
              ncol(jk$repweights), ncol(jkg$repweights), ncol(bs$repweights), bs$scale))
}

con <- file(file.path(out_dir, "R_VERSION.txt"), open = "wb")
writeLines(c(R.version.string, paste0("survey ", as.character(packageVersion("survey")))), con, sep = "\n")
close(con)
