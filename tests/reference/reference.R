# R `survey` reference results for the Python survey-statistics library.
#
# Run from the repository root:
#     Rscript tests/reference/reference.R
# Reads  tests/reference/data/   (written by tests/reference/make_data.py)
# Writes tests/reference/out/    (all numbers with sprintf("%.17g"))
#
# Deterministic: no random numbers are drawn; re-running gives byte-identical output.

suppressPackageStartupMessages(library(survey))
options(warn = 1)  # print any remaining warning (e.g. non-convergence) immediately

# ---------------------------------------------------------------------------
# paths
# ---------------------------------------------------------------------------
script_arg <- grep("^--file=", commandArgs(trailingOnly = FALSE), value = TRUE)
ref_dir <- if (length(script_arg)) {
  dirname(normalizePath(sub("^--file=", "", script_arg[1])))
} else {
  file.path("tests", "reference")
}
data_dir <- file.path(ref_dir, "data")
out_dir <- file.path(ref_dir, "out")
dir.create(out_dir, showWarnings = FALSE, recursive = TRUE)

# ---------------------------------------------------------------------------
# constants
# ---------------------------------------------------------------------------
SEX <- c("female", "male")
AGE <- c("15-29", "30-44", "45-59", "60+")
REGION <- c("Nord", "Midt-Norge", "Vest", "S\u00f8r-\u00d8st")
Q <- c("Helt enig", "Delvis enig", "Verken enig eller uenig",
       "Delvis uenig", "Helt uenig", "Vet ikke")
TOP2 <- c("Helt enig", "Delvis enig")
RAKE_CONTROL <- list(maxit = 1000, epsilon = 1e-13)
HAS_WILSON <- "wilson" %in% eval(formals(svyciprop)$method)

# ---------------------------------------------------------------------------
# I/O helpers
# ---------------------------------------------------------------------------
num <- function(x) ifelse(is.na(x), "", sprintf("%.17g", x))

write_table <- function(df, name) {
  # plain CSV, UTF-8, "\n" line ends, no quoting (no value contains a comma)
  chr <- lapply(df, function(col) if (is.numeric(col)) num(col) else as.character(col))
  lines <- c(paste(names(df), collapse = ","), do.call(paste, c(chr, sep = ",")))
  con <- file(file.path(out_dir, name), open = "wb")
  writeLines(enc2utf8(lines), con, sep = "\n", useBytes = TRUE)
  close(con)
}

read_scenario <- function(s) {
  d <- read.csv(file.path(data_dir, paste0(s, ".csv")), fileEncoding = "UTF-8",
                stringsAsFactors = FALSE, na.strings = "",
                colClasses = c("integer", "character", "character", "character",
                               "character", "numeric", "numeric"))
  stopifnot(all(d$sex %in% SEX), all(d$agegrp %in% AGE),
            all(d$region %in% REGION), all(d$q %in% Q))
  d$sex <- factor(d$sex, levels = SEX)
  d$agegrp <- factor(d$agegrp, levels = AGE)
  d$region <- factor(d$region, levels = REGION)
  d$q <- factor(d$q, levels = Q)
  d$top2 <- as.numeric(d$q %in% TOP2)
  # NPS recode: 0-6 detractor (-100), 7-8 passive (0), 9-10 promoter (+100); NA stays NA
  d$nps_score <- ifelse(d$nps <= 6, -100, ifelse(d$nps <= 8, 0, 100))
  d
}

read_margins <- function(s) {
  m <- read.csv(file.path(data_dir, paste0(s, "_margins.csv")), fileEncoding = "UTF-8",
                stringsAsFactors = FALSE, colClasses = c("character", "character", "numeric"))
  mk <- function(var, lev) {
    x <- m[m$variable == var, ]
    stopifnot(setequal(x$category, lev))
    x <- x[match(lev, x$category), ]
    df <- data.frame(factor(x$category, levels = lev), Freq = x$target)
    names(df)[1] <- var
    df
  }
  list(sex = mk("sex", SEX), agegrp = mk("agegrp", AGE), region = mk("region", REGION))
}

sample_margins <- list(~sex, ~agegrp, ~region)

# population totals in the column order of model.matrix(~sex+agegrp+region)
totals_vector <- function(pm) {
  N <- sum(pm$sex$Freq)
  stopifnot(sum(pm$agegrp$Freq) == N, sum(pm$region$Freq) == N)
  v <- c(N, pm$sex$Freq[-1], pm$agegrp$Freq[-1], pm$region$Freq[-1])
  names(v) <- c("(Intercept)", paste0("sex", SEX[-1]), paste0("agegrp", AGE[-1]),
                paste0("region", REGION[-1]))
  v
}

check_margins <- function(label, w, d, pm) {
  worst <- 0
  for (v in names(pm)) {
    got <- tapply(w, d[[v]], sum)
    target <- pm[[v]]$Freq[match(names(got), as.character(pm[[v]][[v]]))]
    rel <- max(abs(got - target) / target)
    cat(sprintf("  [%s] margin %-6s max relative error %.3g\n", label, v, rel))
    worst <- max(worst, rel)
  }
  if (!(worst < 1e-9)) stop(label, ": margins not met to 1e-9 relative (", worst, ")")
  invisible(worst)
}

# ---------------------------------------------------------------------------
# estimates
# ---------------------------------------------------------------------------
ci_prop <- function(design, cat, method) {
  f <- as.formula(sprintf('~I(q == "%s")', cat))
  # On a subset() design the out-of-domain rows have weight 0; summary.glm() then warns
  # "observations with zero weight not used for calculating dispersion".  The dispersion
  # is not used by svyciprop (the variance is the design-based sandwich), so muffle it.
  ci <- withCallingHandlers(
    attr(svyciprop(f, design, method = method), "ci"),
    warning = function(w) {
      if (grepl("observations with zero weight", conditionMessage(w), fixed = TRUE))
        invokeRestart("muffleWarning")
    })
  as.numeric(ci)
}

shares_table <- function(design, domain, cats) {
  m <- svymean(~q, design, deff = TRUE)
  est <- as.numeric(coef(m)); se <- as.numeric(SE(m)); de <- as.numeric(deff(m))
  rows <- lapply(cats, function(cat) {
    k <- match(cat, Q)
    lg <- ci_prop(design, cat, "logit")
    wl <- if (HAS_WILSON) ci_prop(design, cat, "wilson") else c(NA_real_, NA_real_)
    data.frame(domain = domain, category = cat, estimate = est[k], se = se[k],
               logit_low = lg[1], logit_high = lg[2],
               wilson_low = wl[1], wilson_high = wl[2], deff = de[k],
               stringsAsFactors = FALSE)
  })
  do.call(rbind, rows)
}

estimate_all <- function(s, design, d) {
  sub_kv <- subset(design, q != "Vet ikke")

  # shares
  shares <- rbind(shares_table(design, "all", Q),
                  shares_table(sub_kv, "excl_dk", setdiff(Q, "Vet ikke")))
  write_table(shares, paste0(s, "_shares.csv"))

  # nets (top-2 box)
  m_all <- svymean(~top2, design)
  m_kv <- svymean(~top2, sub_kv)
  b_sex <- svyby(~top2, ~sex, sub_kv, svymean)
  nets <- data.frame(
    domain = c("all", "excl_dk", paste0("sex=", as.character(b_sex$sex))),
    net = "top2",
    estimate = c(coef(m_all), coef(m_kv), b_sex$top2),
    se = c(SE(m_all), SE(m_kv), b_sex$se),
    stringsAsFactors = FALSE)
  write_table(nets, paste0(s, "_nets.csv"))

  # distribution of q by sex (all respondents, all categories)
  b_q <- svyby(~q, ~sex, design, svymean)
  by_sex <- do.call(rbind, lapply(seq_len(nrow(b_q)), function(i) {
    data.frame(sex = as.character(b_q$sex[i]), category = Q,
               estimate = as.numeric(unlist(b_q[i, paste0("q", Q)])),
               se = as.numeric(unlist(b_q[i, paste0("se.q", Q)])),
               stringsAsFactors = FALSE)
  }))
  write_table(by_sex, paste0(s, "_by_sex.csv"))

  # NPS on respondents with a non-missing score
  sub_nps <- subset(design, !is.na(nps))
  m_nps <- svymean(~nps_score, sub_nps, na.rm = TRUE)
  b_nps <- svyby(~nps_score, ~sex, sub_nps, svymean, na.rm = TRUE)
  n_sex <- as.numeric(table(d$sex[!is.na(d$nps)])[as.character(b_nps$sex)])
  nps <- data.frame(
    domain = c("all", paste0("sex=", as.character(b_nps$sex))),
    nps = c(coef(m_nps), b_nps$nps_score),
    se = c(SE(m_nps), b_nps$se),
    n = c(sum(!is.na(d$nps)), n_sex),
    stringsAsFactors = FALSE)
  write_table(nps, paste0(s, "_nps.csv"))

  invisible(list(shares = shares, nets = nets, by_sex = by_sex, nps = nps))
}

# ---------------------------------------------------------------------------
# hand computation of svymean's linearisation SE after rake() (README finding (a))
# ---------------------------------------------------------------------------
# y: n x p indicator/value matrix; wdom: weights with zeros outside the domain;
# wcal: weights used in the raking adjustment (one vector, or one per margin);
# factors: the raking margins in rake() order.
hand_se <- function(y, wdom, wcal, factors, cell_mean = c("plain", "weighted")) {
  cell_mean <- match.arg(cell_mean)
  if (!is.list(wcal)) wcal <- rep(list(wcal), length(factors))
  n <- nrow(y)
  psum <- sum(wdom)
  mu <- colSums(y * wdom) / psum
  x <- sweep(y, 2, mu) * wdom / psum          # influence functions, 0 outside the domain
  for (it in 1:10) {                          # exactly 10 backfitting sweeps
    for (j in seq_along(factors)) {
      w <- wcal[[j]]; f <- factors[[j]]
      cm <- if (cell_mean == "plain") {
        apply(x / w, 2, ave, f)
      } else {
        apply(x, 2, function(col) ave(col, f, FUN = sum)) / ave(w, f, FUN = sum)
      }
      x <- x - w * cm
    }
  }
  x <- sweep(x, 2, colMeans(x))
  sqrt(diag(n / (n - 1) * crossprod(x)))
}

verify_variance <- function(s, design, d) {
  raking <- Filter(function(p) inherits(p, "raking"), design$postStrata)[[1]]
  w_final <- weights(design)
  w_attr <- lapply(raking, function(m) attr(m, "weights"))
  factors <- list(d$sex, d$agegrp, d$region)
  Y <- sapply(Q, function(k) as.numeric(d$q == k))
  in_kv <- d$q != "Vet ikke"
  cases <- list(
    list(name = "q all", y = Y, wdom = w_final, r = svymean(~q, design)),
    list(name = "q excl_dk", y = Y, wdom = w_final * in_kv,
         r = svymean(~q, subset(design, q != "Vet ikke"))),
    list(name = "top2 sex=female excl_dk", y = cbind(d$top2),
         wdom = w_final * (in_kv & d$sex == "female"),
         r = svymean(~top2, subset(design, q != "Vet ikke" & sex == "female"))),
    list(name = "nps all", y = cbind(ifelse(is.na(d$nps_score), 0, d$nps_score)),
         wdom = w_final * !is.na(d$nps),
         r = svymean(~nps_score, subset(design, !is.na(nps)), na.rm = TRUE)))
  res <- NULL
  for (cs in cases) {
    se_r <- as.numeric(SE(cs$r))
    keep <- se_r > 0
    rel <- function(se) max(abs(se[keep] - se_r[keep]) / se_r[keep])
    res <- rbind(res, data.frame(
      scenario = s, case = cs$name,
      final_weights_plain = rel(hand_se(cs$y, cs$wdom, w_final, factors, "plain")),
      attr_weights_plain = rel(hand_se(cs$y, cs$wdom, w_attr, factors, "plain")),
      final_weights_weighted_means = rel(hand_se(cs$y, cs$wdom, w_final, factors, "weighted")),
      stringsAsFactors = FALSE))
  }
  res
}

# closed forms of svyciprop(method = "logit") and of deff (README findings (c), (d))
verify_ci_deff <- function(s, design, d, shares) {
  out <- NULL
  for (dom in c("all", "excl_dk")) {
    des <- if (dom == "all") design else subset(design, q != "Vet ikke")
    w <- weights(des)
    n_dom <- sum(w != 0); psum <- sum(w)
    rows <- shares[shares$domain == dom, ]
    p <- rows$estimate; se <- rows$se
    tq <- qt(0.975, df = n_dom - 1)
    lo <- plogis(qlogis(p) - tq * se / (p * (1 - p)))
    hi <- plogis(qlogis(p) + tq * se / (p * (1 - p)))
    s2 <- sapply(rows$category, function(k) {
      y <- as.numeric(d$q == k); mu <- sum(w * y) / psum
      n_dom / (n_dom - 1) * sum(w * (y - mu)^2) / psum
    })
    deff_hand <- se^2 / (s2 * (psum - n_dom) / (psum * n_dom))
    out <- rbind(out, data.frame(
      scenario = s, domain = dom,
      logit_ci_max_abs_diff = max(abs(c(lo - rows$logit_low, hi - rows$logit_high))),
      deff_max_rel_diff = max(abs(deff_hand - rows$deff) / rows$deff),
      stringsAsFactors = FALSE))
  }
  out
}

# ---------------------------------------------------------------------------
# scenarios
# ---------------------------------------------------------------------------
var_checks <- NULL
ci_checks <- NULL

for (s in c("s1_basic", "s2_skewed")) {
  cat("== ", s, "\n", sep = "")
  d <- read_scenario(s)
  pm <- read_margins(s)
  des0 <- svydesign(ids = ~1, weights = ~base_w, data = d)
  des <- rake(des0, sample_margins, list(pm$sex, pm$agegrp, pm$region),
              control = RAKE_CONTROL)
  w <- weights(des)
  check_margins(s, w, d, pm)
  write_table(data.frame(id = d$id, weight = w), paste0(s, "_weights.csv"))
  est <- estimate_all(s, des, d)
  var_checks <- rbind(var_checks, verify_variance(s, des, d))
  ci_checks <- rbind(ci_checks, verify_ci_deff(s, des, d, est$shares))
}

# s3: bounded raking with calibrate(), then re-rake for the variance.
#
# calibrate(calfun = "raking", bounds = ...) stores its variance information as a
# "greg_calibration" object: svyrecvar() then takes residuals from a weighted linear
# regression on the calibration model matrix (GREG linearisation), not the iterative
# raking adjustment that rake() designs get.  To give the capped weights the same
# raking-style standard errors as s1/s2, we build a fresh design whose base weights ARE
# the capped weights and rake() it on the same margins.  The capped weights already meet
# the margins (to ~1e-13), so rake() leaves them unchanged (up to ~1e-13 relative), but it
# attaches the "raking" postStrata information (the margins and the weights) that
# svyrecvar() uses for the variance.  All s3 estimates come from that re-raked design.
{
  s <- "s3_capped"
  cat("== ", s, "\n", sep = "")
  d <- read_scenario(s)
  pm <- read_margins(s)
  b <- read.csv(file.path(data_dir, "s3_capped_bounds.csv"))
  lower <- b$lower[1]; upper <- b$upper[1]
  pop <- totals_vector(pm)
  des0 <- svydesign(ids = ~1, weights = ~base_w, data = d)
  cal <- calibrate(des0, ~sex + agegrp + region, population = pop, calfun = "raking",
                   bounds = c(lower, upper), maxit = 1000, epsilon = 1e-13)
  w_capped <- weights(cal)
  g <- w_capped / d$base_w
  tol <- 1e-9
  cat(sprintf("  [%s] bounds [%g, %g]: g range [%.17g, %.17g]; at upper: %d, at lower: %d\n",
              s, lower, upper, min(g), max(g),
              sum(abs(g - upper) < tol), sum(abs(g - lower) < tol)))
  if (any(g < lower - tol | g > upper + tol)) stop("s3: bounds violated")
  if (sum(abs(g - upper) < tol) + sum(abs(g - lower) < tol) == 0) stop("s3: no bound binds")
  check_margins(paste(s, "calibrate"), w_capped, d, pm)
  write_table(data.frame(id = d$id, weight = w_capped), paste0(s, "_weights.csv"))

  d$w_capped <- w_capped
  des_c <- svydesign(ids = ~1, weights = ~w_capped, data = d)
  des <- rake(des_c, sample_margins, list(pm$sex, pm$agegrp, pm$region),
              control = RAKE_CONTROL)
  moved <- max(abs(weights(des) / w_capped - 1))
  cat(sprintf("  [%s] re-rake moved the capped weights by at most %.3g (relative)\n", s, moved))
  if (!(moved < 1e-10)) stop("s3: re-rake moved the weights")
  check_margins(paste(s, "re-rake"), weights(des), d, pm)
  est <- estimate_all(s, des, d)
  var_checks <- rbind(var_checks, verify_variance(s, des, d))
  ci_checks <- rbind(ci_checks, verify_ci_deff(s, des, d, est$shares))
}

# ---------------------------------------------------------------------------
# verification report + versions
# ---------------------------------------------------------------------------
fmt3 <- function(x) sprintf("%.3g", x)
vc <- var_checks
for (k in 3:5) vc[[k]] <- fmt3(vc[[k]])
cc <- ci_checks
for (k in 3:4) cc[[k]] <- fmt3(cc[[k]])
report <- c(
  "# Hand-computed SE vs svymean SE (max relative difference over categories)",
  "# final_weights_plain: final weights, plain cell means of x/w, 10 sweeps",
  "# attr_weights_plain: weights stored in attr(margin, 'weights'), plain cell means, 10 sweeps",
  "# final_weights_weighted_means: weighted cell means instead (NOT what R does)",
  paste(names(vc), collapse = ","), do.call(paste, c(vc, sep = ",")),
  "",
  "# svyciprop(method='logit') vs plogis(qlogis(p) -/+ qt(0.975, n_dom - 1) * se / (p (1 - p)))",
  "# deff vs se^2 / (s2 * (psum - n_dom) / (psum * n_dom)), s2 = n/(n-1) weighted variance",
  paste(names(cc), collapse = ","), do.call(paste, c(cc, sep = ",")))
con <- file(file.path(out_dir, "verification.txt"), open = "wb")
writeLines(enc2utf8(report), con, sep = "\n", useBytes = TRUE)
close(con)
cat(report, sep = "\n")

versions <- c(R.version.string,
              paste0("survey ", as.character(packageVersion("survey"))),
              paste0("svyciprop wilson method available: ", HAS_WILSON))
con <- file(file.path(out_dir, "R_VERSION.txt"), open = "wb")
writeLines(versions, con, sep = "\n")
close(con)
cat(versions, sep = "\n")
