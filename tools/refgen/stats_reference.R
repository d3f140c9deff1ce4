# Reference values for hlh-stats from R. Writes crates/hlh-stats/tests/fixtures/r_reference.json.
#
#   Rscript tools/refgen/stats_reference.R > crates/hlh-stats/tests/fixtures/r_reference.json
#
# Every case records the exact call that produced it; the file records R's and survival's versions.
# Numbers are written with 17 significant digits (full double precision); NA is null; infinities are
# the strings "Infinity" / "-Infinity".

suppressPackageStartupMessages(library(survival))

json <- function(x) {
  if (is.null(x)) return("null")
  if (is.list(x)) {
    if (!is.null(names(x)) && all(names(x) != "")) {
      items <- vapply(names(x), function(n) paste0('"', n, '": ', json(x[[n]])), "")
      return(paste0("{", paste(items, collapse = ", "), "}"))
    }
    return(paste0("[", paste(vapply(x, json, ""), collapse = ", "), "]"))
  }
  scalar <- function(v) {
    if (is.character(v)) return(paste0('"', gsub('"', '\\\\"', v), '"'))
    if (is.logical(v)) return(if (is.na(v)) "null" else if (v) "true" else "false")
    if (is.na(v)) return("null")
    if (is.infinite(v)) return(if (v > 0) '"Infinity"' else '"-Infinity"')
    sprintf("%.17g", v)
  }
  if (inherits(x, "AsIs") || length(x) != 1) {
    return(paste0("[", paste(vapply(as.list(unclass(x)), scalar, ""), collapse = ", "), "]"))
  }
  scalar(x)
}
num <- function(x) unname(as.numeric(x))
vec <- function(x) I(unname(as.numeric(x)))
call_text <- function(expr) paste(deparse(expr, width.cutoff = 500L), collapse = " ")

# ---- samples -------------------------------------------------------------------------------------
samples <- list(
  c(3.2, 1.5, 4.8, 2.2, 9.1, 5.5, 7.3),
  c(1, 2, 2, 3, 3, 3, 4, 10),
  c(42),
  c(0.5, 0.25),
  c(45, 23, 31, 38, 56, 28, 47, 41, 64, 53, 19, 44, 61, 34, 72, 40, 58, 67, 43, 78, 51)
)
probs <- c(0, 0.1, 0.25, 0.5, 0.75, 0.9, 1)
quantile_cases <- list()
for (s in samples) for (type in 1:9) {
  quantile_cases[[length(quantile_cases) + 1]] <- list(
    call = sprintf("quantile(x, probs = c(0, 0.1, 0.25, 0.5, 0.75, 0.9, 1), type = %d)", type),
    x = vec(s), type = type, probs = vec(probs), quantiles = vec(quantile(s, probs, type = type)))
}
summary_cases <- lapply(samples, function(s) list(
  call = "c(mean(x), sd(x))", x = vec(s), mean = num(mean(s)), sd = if (length(s) > 1) num(sd(s)) else NULL))

# ---- proportions ---------------------------------------------------------------------------------
proportion_cases <- list()
for (xn in list(c(0, 10), c(1, 10), c(5, 10), c(10, 10), c(19, 21), c(3, 21), c(10, 21), c(0, 1), c(1, 1),
                c(500, 1000), c(7, 365), c(1, 100000))) {
  x <- xn[1]; n <- xn[2]
  proportion_cases[[length(proportion_cases) + 1]] <- list(
    count = x, n = n,
    wilson_call = sprintf("prop.test(%d, %d, correct = FALSE)$conf.int", x, n),
    wilson = vec(suppressWarnings(prop.test(x, n, correct = FALSE))$conf.int),
    clopper_pearson_call = sprintf("binom.test(%d, %d)$conf.int", x, n),
    clopper_pearson = vec(binom.test(x, n)$conf.int))
}

# ---- paired --------------------------------------------------------------------------------------
set.seed(20221001)
paired_inputs <- list(
  list(name = "small, no ties (exact)", before = c(120, 85, 240, 64, 310, 150, 98),
       after = c(30, 22, 75, 40, 140, 20, 101)),
  list(name = "ties and zeros", before = c(5, 7, 3, 9, 4, 6, 8, 5, 2, 7),
       after = c(3, 7, 1, 6, 4, 2, 6, 1, 2, 3)),
  list(name = "crp-like, n = 20", before = round(runif(20, 90, 320), 1), after = round(runif(20, 5, 60), 1)),
  list(name = "49 non-zero differences, no ties (exact)", before = rep(0, 49), after = sample(c(-1, 1), 49, TRUE) * ((1:49) + 0.25)),
  list(name = "50 non-zero differences, no ties (normal)", before = rep(0, 50), after = (1:50) * c(1, -1, 1, 1, -1)),
  list(name = "very significant, n = 30", before = 100 + (1:30), after = 100 + (1:30) - 40 - (1:30) / 10),
  list(name = "one negative among many", before = rep(0, 12), after = c(-1.5, 2:12 + 0.25)),
  list(name = "all differences equal", before = c(1, 2, 3, 4), after = c(3, 4, 5, 6)),
  list(name = "two pairs", before = c(10, 20), after = c(8, 25))
)
paired_cases <- lapply(paired_inputs, function(case) {
  b <- case$before; a <- case$after; d <- a - b
  t <- tryCatch(t.test(a, b, paired = TRUE), error = function(e) NULL)
  w <- suppressWarnings(tryCatch(wilcox.test(a, b, paired = TRUE, conf.int = TRUE), error = function(e) NULL))
  variant <- function(exact, correct) suppressWarnings(wilcox.test(a, b, paired = TRUE, exact = exact, correct = correct))
  nz <- d[d != 0]
  exact_ok <- length(nz) == length(d) && length(unique(abs(nz))) == length(nz)
  pos <- sum(d > 0); neg <- sum(d < 0)
  list(
    name = case$name, before = vec(b), after = vec(a),
    t_call = "t.test(after, before, paired = TRUE)",
    t = if (is.null(t)) NULL else list(statistic = num(t$statistic), df = num(t$parameter), p_value = num(t$p.value),
                                       ci = vec(t$conf.int), mean_difference = num(t$estimate)),
    wilcoxon_call = "wilcox.test(after, before, paired = TRUE, conf.int = TRUE)",
    wilcoxon = if (is.null(w)) NULL else list(statistic = num(w$statistic), p_value = num(w$p.value),
                                              exact = grepl("exact", w$method), ci = vec(w$conf.int),
                                              estimate = num(w$estimate)),
    normal_corrected_call = "wilcox.test(after, before, paired = TRUE, exact = FALSE, correct = TRUE)$p.value",
    normal_corrected = num(variant(FALSE, TRUE)$p.value),
    normal_uncorrected_call = "wilcox.test(after, before, paired = TRUE, exact = FALSE, correct = FALSE)$p.value",
    normal_uncorrected = num(variant(FALSE, FALSE)$p.value),
    exact_call = "wilcox.test(after, before, paired = TRUE, exact = TRUE)$p.value (only without ties or zeros)",
    exact = if (exact_ok) num(variant(TRUE, FALSE)$p.value) else NULL,
    sign_call = "binom.test(sum(d > 0), sum(d != 0))$p.value",
    sign = list(positive = pos, negative = neg, p_value = if (pos + neg > 0) num(binom.test(pos, pos + neg)$p.value) else 1)
  )
})

# ---- Mann-Whitney --------------------------------------------------------------------------------
mw_inputs <- list(
  list(x = c(1.1, 2.5, 3.3, 4.8, 6.1), y = c(5.2, 7.7, 8.4, 9.9, 10.5, 12.0)),
  list(x = c(3, 5, 5, 7, 9, 9, 9), y = c(1, 2, 5, 6, 9, 11)),
  list(x = 1:49 + 0.5, y = (1:49) * 1.01),
  list(x = 1:60 + 0.25, y = 1:55),
  list(x = c(2), y = c(1, 3))
)
mw_cases <- lapply(mw_inputs, function(case) {
  w <- suppressWarnings(wilcox.test(case$x, case$y))
  list(call = "wilcox.test(x, y)", x = vec(case$x), y = vec(case$y), statistic = num(w$statistic),
       p_value = num(w$p.value), exact = grepl("exact", w$method))
})

# ---- Fisher and chi-square -----------------------------------------------------------------------
# R's fisher.test locates the odds ratio and its interval with uniroot(tol = .Machine$double.eps^0.25).
# fisher_precise() repeats its code with tol = 1e-13, for a reference to full precision.
fisher_precise <- function(a, b, c, d, conf.level = 0.95, tol = 1e-13) {
  m <- a + c; n <- b + d; k <- a + b; x <- a
  lo <- max(0L, k - n); hi <- min(k, m); support <- lo:hi
  logdc <- dhyper(support, m, n, k, log = TRUE)
  dnhyper <- function(ncp) { d <- logdc + log(ncp) * support; d <- exp(d - max(d)); d / sum(d) }
  mnhyper <- function(ncp) { if (ncp == 0) return(lo); if (ncp == Inf) return(hi); sum(support * dnhyper(ncp)) }
  pnhyper <- function(q, ncp, upper.tail = FALSE) {
    if (ncp == 1) return(if (upper.tail) phyper(x - 1, m, n, k, lower.tail = FALSE) else phyper(x, m, n, k))
    if (ncp == 0) return(as.numeric(if (upper.tail) q <= lo else q >= lo))
    if (ncp == Inf) return(as.numeric(if (upper.tail) q <= hi else q >= hi))
    sum(dnhyper(ncp)[if (upper.tail) support >= q else support <= q])
  }
  mle <- function(x) {
    if (x == lo) return(0); if (x == hi) return(Inf)
    mu <- mnhyper(1)
    if (mu > x) uniroot(function(t) mnhyper(t) - x, c(0, 1), tol = tol)$root
    else if (mu < x) 1 / uniroot(function(t) mnhyper(1 / t) - x, c(.Machine$double.eps, 1), tol = tol)$root
    else 1
  }
  ncp.U <- function(x, alpha) {
    if (x == hi) return(Inf)
    p <- pnhyper(x, 1)
    if (p < alpha) uniroot(function(t) pnhyper(x, t) - alpha, c(0, 1), tol = tol)$root
    else if (p > alpha) 1 / uniroot(function(t) pnhyper(x, 1 / t) - alpha, c(.Machine$double.eps, 1), tol = tol)$root
    else 1
  }
  ncp.L <- function(x, alpha) {
    if (x == lo) return(0)
    p <- pnhyper(x, 1, upper.tail = TRUE)
    if (p > alpha) uniroot(function(t) pnhyper(x, t, upper.tail = TRUE) - alpha, c(0, 1), tol = tol)$root
    else if (p < alpha) 1 / uniroot(function(t) pnhyper(x, 1 / t, upper.tail = TRUE) - alpha, c(.Machine$double.eps, 1), tol = tol)$root
    else 1
  }
  alpha <- (1 - conf.level) / 2
  list(odds_ratio = mle(x), ci = c(ncp.L(x, alpha), ncp.U(x, alpha)))
}
tables <- list(c(3, 1, 1, 3), c(19, 2, 10, 11), c(5, 0, 1, 4), c(0, 7, 6, 1), c(12, 5, 7, 13),
               c(1, 30, 28, 2), c(2, 2, 2, 2), c(100, 40, 35, 90), c(0, 0, 3, 4), c(0, 5, 0, 3))
fisher_cases <- lapply(tables, function(t) {
  matrix_2x2 <- matrix(t, nrow = 2, byrow = TRUE)
  f <- fisher.test(matrix_2x2)
  precise <- fisher_precise(t[1], t[2], t[3], t[4])
  chi <- function(correct) {
    r <- suppressWarnings(chisq.test(matrix_2x2, correct = correct))
    if (is.na(r$statistic)) NULL else list(statistic = num(r$statistic), p_value = num(r$p.value))
  }
  list(table = vec(t),
       call = "fisher.test(matrix(c(a, b, c, d), nrow = 2, byrow = TRUE))",
       p_value = num(f$p.value), odds_ratio_r = num(f$estimate), ci_r = vec(f$conf.int),
       precise_call = "fisher.test's code with uniroot(tol = 1e-13)",
       odds_ratio = num(precise$odds_ratio), ci = vec(precise$ci),
       chisq_yates_call = "chisq.test(m, correct = TRUE)", chisq_yates = chi(TRUE),
       chisq_call = "chisq.test(m, correct = FALSE)", chisq = chi(FALSE))
})

# ---- Kaplan-Meier and log-rank -------------------------------------------------------------------
km_inputs <- list(
  list(name = "fever resolution, febrile patients", time = c(1, 0, 1, 2, 1, 1, 2, 1, 7, 1, 1, 3, 4, 0, 1, 1, 5, 5, 2, 1, 1),
       event = c(1, 1, 1, 1, 1, 1, 1, 1, 0, 1, 1, 1, 1, 1, 1, 1, 1, 0, 1, 1, 1), group = NULL),
  list(name = "ties and censoring at the last time", time = c(2, 2, 3, 5, 5, 5, 8, 9, 9, 12, 12),
       event = c(1, 0, 1, 1, 1, 0, 1, 0, 1, 1, 0), group = NULL),
  list(name = "a flat at one half", time = c(1, 2, 3, 4), event = c(1, 1, 0, 1), group = NULL),
  list(name = "ends at zero", time = c(1, 3, 3, 6, 7), event = c(1, 1, 0, 1, 1), group = NULL),
  list(name = "one subject", time = c(4), event = c(1), group = NULL),
  list(name = "all censored", time = c(3, 5, 9), event = c(0, 0, 0), group = NULL),
  list(name = "three groups", time = c(6, 6, 6, 7, 10, 13, 16, 22, 23, 1, 1, 2, 2, 3, 4, 4, 5, 5, 8, 8, 9, 11, 12, 15),
       event = c(1, 1, 1, 1, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 1, 1, 1),
       group = c(rep("a", 9), rep("b", 8), rep("c", 7))),
  list(name = "two groups, one all censored", time = c(1, 2, 3, 4, 5, 6), event = c(1, 1, 1, 0, 0, 0),
       group = c("x", "x", "x", "y", "y", "y"))
)
km_cases <- lapply(km_inputs, function(case) {
  d <- data.frame(time = case$time, status = case$event)
  grouped <- !is.null(case$group)
  if (grouped) d$group <- case$group
  fits <- list()
  for (conf_type in c("log", "log-log", "plain")) {
    fit <- if (grouped) survfit(Surv(time, status) ~ group, data = d, conf.type = conf_type)
           else survfit(Surv(time, status) ~ 1, data = d, conf.type = conf_type)
    s <- summary(fit, censored = TRUE)
    strata <- if (grouped) as.character(s$strata) else rep("all", length(s$time))
    q <- quantile(fit, probs = 0.5)
    groups <- list()
    labels <- if (grouped) sort(unique(case$group)) else "all"
    for (i in seq_along(labels)) {
      rows <- if (grouped) strata == paste0("group=", labels[i]) else rep(TRUE, length(s$time))
      groups[[i]] <- list(
        group = if (grouped) labels[i] else NULL,
        time = vec(s$time[rows]), n_risk = vec(s$n.risk[rows]), n_event = vec(s$n.event[rows]),
        n_censor = vec(s$n.censor[rows]), survival = vec(s$surv[rows]), std_err = vec(s$std.err[rows]),
        lower = vec(s$lower[rows]), upper = vec(s$upper[rows]),
        median = num(if (grouped) q$quantile[i] else q$quantile),
        median_ci = vec(if (grouped) c(q$lower[i], q$upper[i]) else c(q$lower, q$upper)))
    }
    fits[[conf_type]] <- groups
  }
  logrank <- NULL
  if (grouped) {
    sd <- survdiff(Surv(time, status) ~ group, data = d)
    df <- sum(sd$exp > 0) - 1
    logrank <- list(call = "survdiff(Surv(time, status) ~ group)", statistic = num(sd$chisq), df = df,
                    p_value = num(pchisq(sd$chisq, df, lower.tail = FALSE)))
  }
  list(name = case$name, time = vec(case$time), event = vec(case$event),
       group = if (grouped) I(case$group) else NULL,
       call = "summary(survfit(Surv(time, status) ~ group, conf.type = ct), censored = TRUE); quantile(fit, 0.5)",
       fits = fits, logrank = logrank)
})

# ---- several groups: r x c Fisher and Kruskal-Wallis ----------------------------------------------
rxc_tables <- list(
  matrix(c(2, 0, 1, 0, 2, 1), nrow = 2, byrow = TRUE),
  matrix(c(7, 2, 3, 9), nrow = 2, byrow = TRUE),
  matrix(c(3, 1, 0, 2, 4, 1, 0, 2, 5), nrow = 3, byrow = TRUE),
  matrix(c(1, 0, 2, 5, 0, 3, 1, 1, 4, 2, 0, 0), nrow = 3, byrow = TRUE),
  matrix(c(12, 5, 2, 1, 1, 0), nrow = 3, byrow = TRUE),
  matrix(c(8, 3, 2, 4, 1, 6, 0, 2, 3, 3, 1, 0, 2, 2, 4), nrow = 3, byrow = TRUE),
  matrix(c(10, 0, 0, 9), nrow = 2, byrow = TRUE)
)
fisher_rxc_cases <- lapply(rxc_tables, function(m) {
  list(call = "fisher.test(table)$p.value", table = lapply(seq_len(nrow(m)), function(i) vec(m[i, ])),
       p_value = num(fisher.test(m)$p.value))
})
kw_inputs <- list(
  list(x = c(2.9, 3.0, 2.5, 2.6, 3.2, 3.8, 2.7, 4.0, 2.4, 2.8, 3.4, 3.7, 2.2, 2.0),
       g = c(1, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 3)),
  list(x = c(1, 2, 2, 3, 3, 3, 4, 4, 5, 6, 6, 7), g = c(1, 1, 2, 2, 2, 3, 3, 3, 1, 2, 3, 3)),
  list(x = c(15090, 4200, 9800, 23000, 1200, 3300, 8700, 41000, 2600), g = c(1, 1, 1, 2, 2, 2, 3, 3, 4)),
  list(x = c(5, 5, 5, 7, 5, 9), g = c(1, 1, 2, 2, 3, 3))
)
kruskal_cases <- lapply(kw_inputs, function(case) {
  k <- kruskal.test(case$x, factor(case$g))
  list(call = "kruskal.test(x, factor(g))", x = vec(case$x), g = vec(case$g),
       statistic = num(k$statistic), df = num(k$parameter), p_value = num(k$p.value))
})
landmark_times <- c(0.5, 1, 2.5, 5, 9, 12, 28, 90)
landmark_cases <- list()
for (case in km_inputs[sapply(km_inputs, function(c) is.null(c$group))]) {
  for (conf_type in c("log", "log-log", "plain")) {
    fit <- survfit(Surv(time, status) ~ 1, data = data.frame(time = case$time, status = case$event),
                   conf.type = conf_type)
    s <- summary(fit, times = landmark_times)
    landmark_cases[[length(landmark_cases) + 1]] <- list(
      name = case$name, conf_type = conf_type, time_in = vec(case$time), event = vec(case$event),
      call = "summary(survfit(Surv(time, status) ~ 1, conf.type = ct), times = c(0.5, 1, 2.5, 5, 9, 12, 28, 90))",
      times = vec(landmark_times), time = vec(s$time), n_risk = vec(s$n.risk), survival = vec(s$surv),
      std_err = vec(s$std.err), lower = vec(s$lower), upper = vec(s$upper))
  }
}

# ---- distribution tails ----------------------------------------------------------------------------
tail_cases <- list()
for (td in list(c(3, 5), c(8, 10), c(12, 29), c(25, 40), c(40, 100))) {
  tail_cases[[length(tail_cases) + 1]] <- list(call = sprintf("2 * pt(-%g, %g)", td[1], td[2]), kind = "t_two_sided",
    x = td[1], df = td[2], value = num(2 * pt(-td[1], td[2])))
}
for (z in c(2, 5, 7.5, 8.5)) tail_cases[[length(tail_cases) + 1]] <- list(call = sprintf("2 * pnorm(-%g)", z),
    kind = "normal_two_sided", x = z, df = NULL, value = num(2 * pnorm(-z)))
for (cd in list(c(10, 1), c(50, 1), c(60, 2), c(80, 3))) tail_cases[[length(tail_cases) + 1]] <- list(
    call = sprintf("pchisq(%g, %g, lower.tail = FALSE)", cd[1], cd[2]), kind = "chi_square_sf",
    x = cd[1], df = cd[2], value = num(pchisq(cd[1], cd[2], lower.tail = FALSE)))

out <- list(
  tool = R.version.string,
  survival = as.character(packageVersion("survival")),
  generated_by = "tools/refgen/stats_reference.R",
  quantiles = quantile_cases, summaries = summary_cases, proportions = proportion_cases,
  paired = paired_cases, mann_whitney = mw_cases, fisher = fisher_cases, kaplan_meier = km_cases,
  fisher_rxc = fisher_rxc_cases, kruskal_wallis = kruskal_cases, km_landmarks = landmark_cases,
  tails = tail_cases)
cat(json(out), "\n")
