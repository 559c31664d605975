//! Deterministic input mutation for the stable corpus test: a seeded generator and a
//! handful of libFuzzer-like mutations (byte changes, insertions, deletions, copies,
//! splices between seeds, interesting numbers). No dependency, so the test builds on
//! stable without libFuzzer.

/// Mutants never grow beyond this (libFuzzer's default cap is the largest seed; the
/// seeds here are well below it).
const MAX_LEN: usize = 4096;

/// Numbers at the edges of what the engine and the scenario language accept.
const INTERESTING: &[&str] = &[
    "0",
    "1",
    "-1",
    "255",
    "65535",
    "65536",
    "2147483648",
    "4294967295",
    "18446744073709551615",
    "99999999999999999999999",
];

/// Bytes that keep a text input text (and likely tokens), most of the time.
const TEXT: &[u8] = b"abcdefghijklmnopqrstuvwxyz0123456789 \n\t()[],.:;=&#-_/\"'";

/// SplitMix64: tiny, fast, and the same sequence on every platform and release.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Rng(seed)
    }

    pub fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// A number in `0..n` (`n` > 0).
    pub fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

/// Makes each new input from one seed by one to four stacked mutations.
pub struct Mutator<'a> {
    seeds: &'a [&'a [u8]],
    rng: Rng,
}

impl<'a> Mutator<'a> {
    pub fn new(seeds: &'a [&'a [u8]], rng: Rng) -> Self {
        Mutator { seeds, rng }
    }

    pub fn next_input(&mut self) -> Vec<u8> {
        let mut input = self.any_seed().to_vec();
        for _ in 0..=self.rng.below(4) {
            self.mutate(&mut input);
        }
        input.truncate(MAX_LEN);
        input
    }

    fn any_seed(&mut self) -> &'a [u8] {
        match self.seeds.len() {
            0 => &[],
            n => self.seeds[self.rng.below(n)],
        }
    }

    fn mutate(&mut self, input: &mut Vec<u8>) {
        let at = self.rng.below(input.len() + 1);
        match self.rng.below(7) {
            0 if at < input.len() => input[at] = self.byte(),
            1 => {
                let bytes: Vec<u8> = (0..=self.rng.below(8)).map(|_| self.byte()).collect();
                input.splice(at..at, bytes);
            }
            2 => {
                let end = (at + 1 + self.rng.below(16)).min(input.len());
                input.drain(at.min(end)..end);
            }
            3 => {
                let piece = self.piece(input);
                let to = self.rng.below(input.len() + 1);
                input.splice(to..to, piece);
            }
            4 => {
                let other = self.any_seed();
                let piece = self.piece(other);
                input.splice(at..at, piece);
            }
            5 => {
                let number = INTERESTING[self.rng.below(INTERESTING.len())];
                let end = digits_end(input, at);
                input.splice(at..end, number.bytes());
            }
            _ => input.truncate(at),
        }
    }

    /// Mostly text bytes (the parser's inputs), sometimes any byte at all.
    fn byte(&mut self) -> u8 {
        match self.rng.below(4) {
            0 => self.rng.next() as u8,
            _ => TEXT[self.rng.below(TEXT.len())],
        }
    }

    /// A random slice of `bytes` (whole lines are the likeliest useful unit of text,
    /// but any range will do).
    fn piece(&mut self, bytes: &[u8]) -> Vec<u8> {
        if bytes.is_empty() {
            return Vec::new();
        }
        let start = self.rng.below(bytes.len());
        let len = 1 + self.rng.below(64.min(bytes.len() - start));
        bytes[start..start + len].to_vec()
    }
}

/// The end of the run of ASCII digits starting at `at` (so a number is replaced whole).
fn digits_end(input: &[u8], at: usize) -> usize {
    let digits = input[at..]
        .iter()
        .take_while(|b| b.is_ascii_digit())
        .count();
    at + digits
}

/// FNV-1a: a stable hash for seeding per target and naming saved inputs.
pub fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, &b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}
