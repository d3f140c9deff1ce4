//! The abstract-style summary a clinician can paste into a draft, every number with its n, read from the
//! typed cohort (never recomputed).

use hlh_model::Analyte;

use crate::cohort::{Cohort, Share};

fn percent(share: &Share) -> String {
    share
        .proportion
        .map_or("–".into(), |p| format!("{:.1}%", 100.0 * p))
}

fn count_of(share: &Share) -> String {
    format!("{}/{}", share.count, share.n)
}

fn ci(share: &Share) -> String {
    match share.ci95 {
        Some([Some(lo), Some(hi)]) => format!("95% CI {:.1}–{:.1}%", 100.0 * lo, 100.0 * hi),
        _ => "95% CI not estimable".into(),
    }
}

/// Three decimals, or "< 0.001".
pub fn p_value(p: Option<f64>) -> String {
    match p {
        Some(p) if p < 0.001 => "p < 0.001".into(),
        Some(p) => format!("p = {p:.3}"),
        None => "p not estimable".into(),
    }
}

/// Groups the digits of a number's whole part by thousands with commas, as English-language journals
/// print them: "15090" → "15,090", "−12345.5" → "−12,345.5"; shorter numbers are unchanged.
pub fn with_thousands_separators(number: &str) -> String {
    let (sign, rest) = match number.char_indices().next() {
        Some((_, c)) if c == '-' || c == '\u{2212}' => number.split_at(c.len_utf8()),
        _ => ("", number),
    };
    let (whole, fraction) = rest.split_at(rest.find('.').unwrap_or(rest.len()));
    if whole.len() < 4 || !whole.bytes().all(|b| b.is_ascii_digit()) {
        return number.to_string();
    }
    let mut grouped = String::with_capacity(whole.len() + whole.len() / 3);
    for (i, digit) in whole.chars().enumerate() {
        if i > 0 && (whole.len() - i) % 3 == 0 {
            grouped.push(',');
        }
        grouped.push(digit);
    }
    format!("{sign}{grouped}{fraction}")
}

/// "1 day", "1.5 days", "2 days".
pub fn days(value: f64, printed: &str) -> String {
    if value == 1.0 {
        format!("{printed} day")
    } else {
        format!("{printed} days")
    }
}

fn short(value: Option<f64>) -> String {
    match value {
        Some(v) if v.abs() >= 100.0 => with_thousands_separators(&format!("{v:.0}")),
        Some(v) => {
            let text = format!("{v:.1}");
            text.trim_end_matches(".0").to_string()
        }
        None => "–".into(),
    }
}

pub fn summary_text(cohort: &Cohort) -> String {
    let protocol = &cohort.protocol;
    let baseline = &cohort.baseline;
    let outcomes = &cohort.outcomes;
    let n = cohort.n_patients;
    let drug = protocol.index_drug.name();
    let capitalised = format!("{}{}", drug[..1].to_uppercase(), &drug[1..]);
    let age = &baseline.age_years;
    let men = &baseline.sex_shares.male;
    let mut text = format!(
        "Among {n} patients (median age {} years, IQR {}–{}), {} ({}) were men. ",
        short(age.median),
        short(age.q1),
        short(age.q3),
        men.count,
        percent(men),
    );
    text += &format!(
        "{capitalised} was given first-line in {} ({}) and as monotherapy in {} ({}). ",
        count_of(&baseline.first_line),
        percent(&baseline.first_line),
        count_of(&baseline.monotherapy),
        percent(&baseline.monotherapy)
    );
    let response = &outcomes.response;
    // "Responded", not "was effective": the series has no control group.
    text += &format!(
        "{} patients responded ({}, {}){}{}. ",
        count_of(&response.responders),
        percent(&response.responders),
        ci(&response.responders),
        match response.unknown.count() {
            0 => String::new(),
            unknown => format!("; response could not be judged in {unknown}"),
        },
        outcomes
            .response_intention_to_treat
            .as_ref()
            .map_or(String::new(), |itt| format!(
                "; by intention to treat, {} ({})",
                count_of(itt),
                percent(itt)
            ))
    );
    let fever = &outcomes.fever_resolution;
    text += &format!(
        "Fever resolved by Day {} in {}/{} febrile patients, within a median of {} (IQR {}–{}, n = {}). ",
        protocol.fever_resolved_by_day,
        fever.resolved_by_day7.count(),
        fever.febrile_at_baseline.count(),
        fever
            .days
            .median
            .map_or_else(|| short(None), |median| days(median, &short(Some(median)))),
        short(fever.days.q1),
        short(fever.days.q3),
        fever.days.n
    );
    let mut lab_sentences = Vec::new();
    for analyte in [Analyte::Crp, Analyte::Ferritin] {
        let Some(lab) = outcomes.labs.get(&analyte) else {
            continue;
        };
        if lab.n_pairs.count() == 0 {
            continue;
        }
        let p = lab.primary_p_value(protocol.primary_paired_test);
        let test = protocol.primary_paired_test.label();
        let direction = match (lab.day0.mean, lab.day7.mean) {
            (Some(before), Some(after)) if after < before => "decreased",
            (Some(before), Some(after)) if after > before => "increased",
            _ => "did not change on average",
        };
        let unit = hlh_model::units::printed(lab.unit);
        lab_sentences.push(format!(
            "{} {direction} from a mean of {} {unit} to {} {unit} (n = {} pairs, {test} {})",
            analyte.label_in_sentence(),
            short(lab.day0.mean),
            short(lab.day7.mean),
            lab.n_pairs.count(),
            p_value(p)
        ));
    }
    if !lab_sentences.is_empty() {
        text += &format!("Between Day 0 and Day 7, {}. ", lab_sentences.join("; "));
    }
    let stopped = &outcomes.discontinued_adverse_event;
    text += &format!(
        "{capitalised} was stopped for adverse events in {} patients ({}).",
        count_of(stopped),
        percent(stopped)
    );
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thousands_are_grouped_and_days_agree_with_their_number() {
        assert_eq!(with_thousands_separators("15090"), "15,090");
        assert_eq!(with_thousands_separators("1234567.25"), "1,234,567.25");
        assert_eq!(with_thousands_separators("\u{2212}12345"), "\u{2212}12,345");
        assert_eq!(with_thousands_separators("-1000"), "-1,000");
        assert_eq!(with_thousands_separators("999"), "999");
        assert_eq!(with_thousands_separators("887.5"), "887.5");
        assert_eq!(with_thousands_separators("–"), "–");
        assert_eq!(days(1.0, "1"), "1 day");
        assert_eq!(days(1.5, "1.5"), "1.5 days");
        assert_eq!(days(0.0, "0"), "0 days");
    }
}
