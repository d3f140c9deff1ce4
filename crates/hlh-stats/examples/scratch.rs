use hlh_stats::paired::Pairs;
fn main() {
    let n = 100_000;
    let mut state = 12345u64;
    let mut next = || { state ^= state << 13; state ^= state >> 7; state ^= state << 17; (state >> 11) as f64 / (1u64 << 53) as f64 };
    let mut b = Vec::new(); let mut a = Vec::new();
    for _ in 0..n { b.push(((38.2+1.8*next())*10.0).round()/10.0); a.push(((36.2+1.5*next())*10.0).round()/10.0); }
    for _ in 0..3 {
        let t = std::time::Instant::now();
        let p = Pairs::new(&b, &a).unwrap();
        let c = p.compare(0.95);
        eprintln!("compare {:?} {:?}", t.elapsed(), c.hodges_lehmann);
        let t = std::time::Instant::now();
        let h = hlh_stats::wilcoxon::hodges_lehmann(p.differences(), 0.95);
        eprintln!("hl {:?} {:?}", t.elapsed(), h);
        let t = std::time::Instant::now();
        let h = hlh_stats::wilcoxon::signed_rank_default(p.differences());
        eprintln!("sr {:?} {:?}", t.elapsed(), h.map(|x| x.p_value));
    }
}
