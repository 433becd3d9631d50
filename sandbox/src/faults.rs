//! Fault injection: transient failures and response delays, decided before a request is
//! processed so that a faulted call never delivers or changes anything.

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde::{Deserialize, Serialize};
use std::time::Duration;

/// What to inject. `Default` injects nothing.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Faults {
    /// Probability (0..=1) that a token-requiring call fails; half of the failures answer
    /// `{"errcode":-1,"errmsg":"system error"}`, the other half HTTP 502.
    pub transient_rate: f64,
    /// Every WeChat-side response is delayed this long.
    pub delay: Option<Duration>,
    /// Seed of the fault dice, so a run is reproducible.
    pub seed: u64,
}

/// The outcome of one roll.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Fault {
    /// `{"errcode":-1,"errmsg":"system error rid: …"}` with HTTP 200.
    SystemError,
    /// An empty HTTP 502 (as a failing gateway would answer).
    BadGateway,
}

/// The current settings and their dice.
pub(crate) struct FaultState {
    pub faults: Faults,
    rng: StdRng,
}

impl FaultState {
    pub fn new(faults: Faults) -> Self {
        let rng = StdRng::seed_from_u64(faults.seed);
        FaultState { faults, rng }
    }

    /// Rolls for one token-requiring call.
    pub fn roll(&mut self) -> Option<Fault> {
        let rate = self.faults.transient_rate;
        if rate.is_nan() || rate <= 0.0 {
            return None;
        }
        if self.rng.random::<f64>() >= rate.min(1.0) {
            return None;
        }
        if self.rng.random::<bool>() {
            Some(Fault::SystemError)
        } else {
            Some(Fault::BadGateway)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn zero_rate_never_faults_and_full_rate_always_does() {
        let mut none = FaultState::new(Faults::default());
        assert!((0..100).all(|_| none.roll().is_none()));
        let mut all = FaultState::new(Faults { transient_rate: 1.0, delay: None, seed: 7 });
        let rolls: Vec<_> = (0..200).map(|_| all.roll()).collect();
        assert!(rolls.iter().all(|r| r.is_some()));
        assert!(rolls.contains(&Some(Fault::SystemError)));
        assert!(rolls.contains(&Some(Fault::BadGateway)));
    }

    #[test]
    fn same_seed_same_sequence() {
        let f = Faults { transient_rate: 0.5, delay: None, seed: 42 };
        let mut a = FaultState::new(f.clone());
        let mut b = FaultState::new(f);
        let xa: Vec<_> = (0..50).map(|_| a.roll()).collect();
        let xb: Vec<_> = (0..50).map(|_| b.roll()).collect();
        assert_eq!(xa, xb);
    }
}
