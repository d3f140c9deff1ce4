//! Splitting independent work across the cores, with results in a fixed order.

/// The cores this process may use.
pub fn cores() -> usize {
    std::thread::available_parallelism().map_or(1, usize::from)
}

/// Runs `work(0) … work(parts − 1)` on scoped threads (the caller's thread for one part) and returns
/// their results in part order, so the result does not depend on the scheduling. A panic in a part is a
/// bug in hlhkit: it is carried on, not hidden.
pub fn in_parts<T: Send>(parts: usize, work: impl Fn(usize) -> T + Sync) -> Vec<T> {
    if parts <= 1 {
        return vec![work(0)];
    }
    std::thread::scope(|scope| {
        let work = &work;
        let handles: Vec<_> = (0..parts)
            .map(|part| scope.spawn(move || work(part)))
            .collect();
        handles
            .into_iter()
            .map(|handle| {
                handle
                    .join()
                    .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
            })
            .collect()
    })
}

/// The parts' items in part order, in one vector. The later parts are appended to the first: growing a
/// large vector moves its pages rather than copying them, so joining costs the later parts only.
pub fn concatenated<T>(parts: Vec<Vec<T>>) -> Vec<T> {
    let mut parts = parts.into_iter();
    let mut all = parts.next().unwrap_or_default();
    for mut part in parts {
        all.append(&mut part);
    }
    all
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parts_come_back_in_order() {
        assert_eq!(in_parts(4, |part| part * 10), vec![0, 10, 20, 30]);
        assert_eq!(in_parts(1, |part| part + 7), vec![7]);
        assert_eq!(in_parts(0, |part| part + 7), vec![7]);
    }

    #[test]
    fn parts_are_concatenated_in_order() {
        assert_eq!(
            concatenated(vec![vec![1, 2], vec![], vec![3]]),
            vec![1, 2, 3]
        );
        assert_eq!(concatenated(Vec::<Vec<u8>>::new()), Vec::<u8>::new());
    }
}
