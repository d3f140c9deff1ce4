//! The distribution functions the tests need, from statrs, in the forms R uses: upper tails computed
//! directly (never as 1 − cdf, which loses every digit below 1e-16) and quantiles.

use statrs::distribution::{Beta, ChiSquared, ContinuousCDF, Normal, StudentsT};

fn standard_normal() -> Normal {
    Normal::standard()
}

/// P(Z > z) for a standard normal Z.
pub fn normal_sf(z: f64) -> f64 {
    standard_normal().sf(z)
}

/// The p-quantile of the standard normal (R's `qnorm(p)`).
pub fn normal_quantile(p: f64) -> f64 {
    standard_normal().inverse_cdf(p)
}

/// Two-sided p-value of a standard-normal statistic: 2·P(Z > |z|), at most 1.
pub fn normal_two_sided(z: f64) -> f64 {
    (2.0 * normal_sf(z.abs())).min(1.0)
}

fn students_t(df: f64) -> StudentsT {
    // df > 0 is guaranteed by every caller (n ≥ 2).
    StudentsT::new(0.0, 1.0, df).expect("degrees of freedom are positive")
}

/// Two-sided p-value of a t statistic: 2·P(T > |t|) (R's `2 * pt(-abs(t), df)`).
pub fn t_two_sided(t: f64, df: f64) -> f64 {
    (2.0 * students_t(df).sf(t.abs())).min(1.0)
}

/// The p-quantile of Student's t with `df` degrees of freedom (R's `qt(p, df)`).
pub fn t_quantile(p: f64, df: f64) -> f64 {
    students_t(df).inverse_cdf(p)
}

/// P(X > x) for a chi-square X with `df` degrees of freedom (R's `pchisq(x, df, lower.tail = FALSE)`).
pub fn chi_square_sf(x: f64, df: f64) -> f64 {
    ChiSquared::new(df)
        .expect("degrees of freedom are positive")
        .sf(x)
}

/// The p-quantile of Beta(a, b) (R's `qbeta(p, a, b)`).
pub fn beta_quantile(p: f64, a: f64, b: f64) -> f64 {
    Beta::new(a, b)
        .expect("shape parameters are positive")
        .inverse_cdf(p)
}
