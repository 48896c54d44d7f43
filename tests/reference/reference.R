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
  # helpers for contrasts of a domain against the total: domain totals of y and of 1
  d$one <- 1
  d$a60 <- as.numeric(d$agegrp == "60+")
  d$top2_a60 <- d$top2 * d$a60
  d$fem <- as.numeric(d$sex == "female")
  d$nps0 <- ifelse(is.na(d$nps_score), 0, d$nps_score)
  d$nps_fem <- d$nps0 * d$fem
  d$a3044 <- factor(ifelse(d$agegrp == "30-44", "in", "out"), levels = c("in", "out"))
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

# svyby(..., svymean, covmat = TRUE) as survey computes it: each domain's influence functions
# (svymean(influence = TRUE) on design[by == level, ]) side by side, then svyrecvar() with the
# design's raking information. survey 4.1.1's own svyby(covmat = TRUE) stops with "number of
# items to replace is not a multiple of replacement length" on a calibrated (raked) design,
# whose domains keep every row with weight 0 (svyby then indexes the n-row influence matrix by
# the domain's rows); this is its covmat code with that indexing left out.
svyby_cov <- function(formula, by, design) {
  levs <- levels(by)
  res <- lapply(levs, function(l) svymean(formula, design[by %in% l, ], influence = TRUE))
  infl <- do.call(cbind, lapply(res, function(r) as.matrix(attr(r, "influence"))))
  stopifnot(nrow(infl) == nrow(design))
  v <- svyrecvar(infl, design$cluster, design$strata, design$fpc, postStrata = design$postStrata)
  est <- vapply(res, coef, numeric(1))
  names(est) <- levs
  dimnames(v) <- list(levs, levs)
  structure(est, var = v, statistic = "mean", class = "svystat")
}

ci_prop_var <- function(design, var, method) {
  f <- as.formula(sprintf("~I(%s == 1)", var))
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

  # comparisons within the survey, with the linearised covariance of the raked design
  b_sex_cov <- svyby_cov(~top2, d$sex, sub_kv)
  c_sex <- svycontrast(b_sex_cov, c(1, -1))                                   # female - male
  b_age_cov <- svyby_cov(~top2, d$a3044, sub_kv)
  c_age <- svycontrast(b_age_cov, c(1, -1))                                   # 30-44 - rest
  t60 <- svytotal(~top2_a60 + a60 + top2 + one, sub_kv)
  c_60 <- svycontrast(t60, quote(top2_a60 / a60 - top2 / one))                # 60+ - total
  b_nps_cov <- svyby_cov(~nps0, d$sex, sub_nps)
  c_nps <- svycontrast(b_nps_cov, c(1, -1))                                   # female - male
  tn <- svytotal(~nps_fem + fem + nps0 + one, sub_nps)
  c_nps_tot <- svycontrast(tn, quote(nps_fem / fem - nps0 / one))             # female - total
  contrasts <- data.frame(
    contrast = c("top2 excl_dk female-male", "top2 excl_dk 30-44-rest", "top2 excl_dk 60+-total",
                 "nps female-male", "nps female-total"),
    difference = c(coef(c_sex), coef(c_age), coef(c_60), coef(c_nps), coef(c_nps_tot)),
    se = c(SE(c_sex), SE(c_age), SE(c_60), SE(c_nps), SE(c_nps_tot)),
    stringsAsFactors = FALSE)
  write_table(contrasts, paste0(s, "_contrasts.csv"))

  # Korn-Graubard (svyciprop method "beta") on the full sample, excl_dk, and small domains
  kg_rows <- list()
  doms <- list(all = design, excl_dk = sub_kv,
               "excl_dk&region=Nord" = subset(sub_kv, region == "Nord"),
               "excl_dk&agegrp=15-29" = subset(sub_kv, agegrp == "15-29"))
  for (dn in names(doms)) {
    des_d <- doms[[dn]]
    cats <- if (dn == "all") Q else setdiff(Q, "Vet ikke")
    for (cat in cats) {
      if (sum(weights(des_d) > 0 & des_d$variables$q == cat) == 0) next
      ci <- ci_prop(des_d, cat, "beta")
      kg_rows[[length(kg_rows) + 1]] <- data.frame(domain = dn, category = cat, kg_low = ci[1], kg_high = ci[2],
                                                   stringsAsFactors = FALSE)
    }
  }
  write_table(do.call(rbind, kg_rows), paste0(s, "_kg.csv"))

  # intervals of a net and of NPS in a domain, with the domain's degrees of freedom
  ci_rows <- list()
  for (lev in SEX) {
    dn <- subset(sub_kv, sex == lev)
    lg <- ci_prop_var(dn, "top2", "logit")
    ci_rows[[length(ci_rows) + 1]] <- data.frame(what = "top2 excl_dk", domain = paste0("sex=", lev),
                                                 low = lg[1], high = lg[2], df = degf(dn), stringsAsFactors = FALSE)
    dp <- subset(sub_nps, sex == lev)
    m <- svymean(~nps_score, dp, na.rm = TRUE)
    ci <- confint(m, df = degf(dp))
    ci_rows[[length(ci_rows) + 1]] <- data.frame(what = "nps", domain = paste0("sex=", lev),
                                                 low = ci[1], high = ci[2], df = degf(dp), stringsAsFactors = FALSE)
  }
  dn <- subset(sub_kv, region == "Nord")
  lg <- ci_prop_var(dn, "top2", "logit")
  ci_rows[[length(ci_rows) + 1]] <- data.frame(what = "top2 excl_dk", domain = "region=Nord",
                                               low = lg[1], high = lg[2], df = degf(dn), stringsAsFactors = FALSE)
  write_table(do.call(rbind, ci_rows), paste0(s, "_domain_ci.csv"))

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
  # the same raking by calibrate(calfun = "raking") with its DEFAULT control (epsilon 1e-7 on
  # |target - total| / (1 + target), Newton), and by rake() with its default control
  # (maxit 10, cells moving by < 1 unit between sweeps): how far each default is from converged
  cal_def <- calibrate(des0, ~sex + agegrp + region, population = totals_vector(pm), calfun = "raking")
  rk_def <- suppressWarnings(rake(des0, sample_margins, list(pm$sex, pm$agegrp, pm$region)))
  write_table(data.frame(id = d$id, calibrate_default = weights(cal_def), rake_default = weights(rk_def)),
              paste0(s, "_weights_default.csv"))
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
# bounded raking: seeded cases (make_data.py) with each bound binding, by calibrate()
# ---------------------------------------------------------------------------
{
  cases <- read.csv(file.path(data_dir, "bounded_cases.csv"), fileEncoding = "UTF-8", stringsAsFactors = FALSE)
  bnds <- read.csv(file.path(data_dir, "bounded_bounds.csv"), stringsAsFactors = FALSE)
  pm <- read_margins("s2_skewed")
  pop <- totals_vector(pm)
  out_w <- list(); out_s <- list()
  for (k in seq_len(nrow(bnds))) {
    cs <- bnds$case[k]
    dk <- cases[cases$case == cs, ]
    dk$sex <- factor(dk$sex, levels = SEX)
    dk$agegrp <- factor(dk$agegrp, levels = AGE)
    dk$region <- factor(dk$region, levels = REGION)
    des0 <- svydesign(ids = ~1, weights = ~base_w, data = dk)
    cal <- tryCatch(
      calibrate(des0, ~sex + agegrp + region, population = pop, calfun = "raking",
                bounds = c(bnds$lower[k], bnds$upper[k]), maxit = 1000, epsilon = 1e-11),
      error = function(e) NULL, warning = function(w) NULL)
    ok <- !is.null(cal)
    out_s[[k]] <- data.frame(case = cs, r_converged = as.integer(ok))
    if (ok) out_w[[k]] <- data.frame(case = cs, id = dk$id, weight = weights(cal))
  }
  write_table(do.call(rbind, out_s), "bounded_status.csv")
  write_table(do.call(rbind, out_w), "bounded_weights.csv")
  cat(sprintf("== bounded cases: R calibrate converged in %d of %d\n",
              sum(sapply(out_s, function(x) x$r_converged)), nrow(bnds)))
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
