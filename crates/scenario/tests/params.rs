//! Numbers per learner: drawn from a range by the seed, the same for the same seed,
//! and still answered by the engine.

use sockscope_scenario::params::instantiate;
use sockscope_scenario::{parse_seeded, run, tours};

const SRC: &str = "param size 1000..5000 step 500
host A 10.0.0.1
host B 10.0.0.2
B: l = socket(TCP); bind(l, *:80); listen(l, 5)
A: c = socket(TCP); connect(c, 10.0.0.2:80)
B: s = accept(l)
A: send(c, $size)
net: run
say A sent $size bytes; costs are in $ here.
ask all recvq B s
";

fn drawn(seed: u64) -> u64 {
    let text = instantiate(SRC, seed).unwrap();
    let first = text.lines().next().unwrap();
    first
        .strip_prefix("# param size = ")
        .unwrap()
        .parse()
        .unwrap()
}

#[test]
fn a_seed_fixes_the_numbers_and_other_seeds_give_others() {
    assert_eq!(drawn(7), drawn(7));
    let values: std::collections::BTreeSet<u64> = (1..=20).map(drawn).collect();
    assert!(values.len() >= 4, "{values:?}");
    assert!(
        values
            .iter()
            .all(|v| (1000..=5000).contains(v) && v % 500 == 0),
        "{values:?}"
    );
}

#[test]
fn the_engine_answers_with_the_drawn_numbers() {
    for seed in [1, 2, 3] {
        let r = run(&parse_seeded(SRC, seed).unwrap());
        assert!(r.ok(), "{}", r.text());
        let answer = r.questions[0].answer.as_ref().unwrap().to_string();
        assert_eq!(answer, drawn(seed).to_string());
        assert!(r.text().contains(&format!(
            "A sent {} bytes; costs are in $ here.",
            drawn(seed)
        )));
    }
}

#[test]
fn bad_parameters_are_parse_errors_with_line_and_column() {
    let e = |src: &str| parse_seeded(src, 1).unwrap_err().to_string();
    assert_eq!(
        e("param n 5..1\n"),
        "1:7: the range of n is empty (LO must not exceed HI, and a step is at least 1)"
    );
    assert_eq!(
        e("param n five\n"),
        "1:7: the range of n is not LO..HI with whole numbers: write param NAME LO..HI, or param NAME LO..HI step S"
    );
    assert_eq!(
        e("param n 1..9\nsay $m\n"),
        "2:5: unknown parameter $m: a param line must draw it first"
    );
    assert_eq!(
        e("param n 1..9\nparam n 1..2\n"),
        "2:1: the parameter n is drawn twice"
    );
}

#[test]
fn the_big_send_exercise_draws_its_sizes_per_learner() {
    let t = tours::find("exercise-big-send").unwrap();
    assert!(t.has_params());
    let texts: std::collections::BTreeSet<String> = (1..=6)
        .map(|seed| format!("{:?}", t.parse_seeded(seed).unwrap()))
        .collect();
    assert!(texts.len() > 1, "every seed gave the same exercise");
}
