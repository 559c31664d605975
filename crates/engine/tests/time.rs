//! The time surface (`poll_timeout`, `busy`, `step`, `run_until`, `run_until_idle`,
//! `deliver`): one test per promise of its contract (see `World::poll_timeout`).

mod common;
#[cfg(target_arch = "wasm32")]
wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);
use common::*;
use sockscope_engine::*;

/// A listener on B:80 and A's connect() to it, blocked: the SYN is on the wire.
fn connecting() -> Lab {
    let mut lab = lab(WorldConfig::default());
    let Lab { w, pa, pb, .. } = &mut lab;
    listen_on(w, *pb, "*:80", 5);
    let c = tcp_socket(w, *pa);
    connect_blocks(w, *pa, c, "10.0.0.2:80");
    lab
}

#[cfg_attr(not(target_arch = "wasm32"), test)]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
fn poll_timeout_is_none_when_nothing_is_scheduled() {
    let mut lab = lab(WorldConfig::default());
    assert_eq!(lab.w.poll_timeout(), None);
    assert!(!lab.w.busy());
    listen_on(&mut lab.w, lab.pb, "*:80", 5);
    assert_eq!(lab.w.poll_timeout(), None, "a listener schedules nothing");
}

#[cfg_attr(not(target_arch = "wasm32"), test)]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
fn poll_timeout_is_some_while_busy_and_never_before_now() {
    let mut lab = lab(WorldConfig::default());
    let (_, c, _) = connected(&mut lab, 80);
    let w = &mut lab.w;
    ok(w, lab.pa, Call::Send { fd: c, len: 16_000 });
    let mut steps = 0;
    while let Some(t) = w.poll_timeout() {
        assert!(
            t >= w.now(),
            "next job at {t}, before the clock ({})",
            w.now()
        );
        assert!(w.step());
        assert!(
            !w.busy() || w.poll_timeout().is_some(),
            "busy, nothing scheduled"
        );
        steps += 1;
        assert!(steps < 10_000, "the world never went quiet");
    }
    assert!(steps > 0 && !w.busy());
}

#[cfg_attr(not(target_arch = "wasm32"), test)]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
fn poll_timeout_stays_some_for_background_timers_when_idle() {
    // The closer waits in TIME_WAIT, in the background.
    let mut lab = lab_time_wait();
    let w = &mut lab.w;
    assert_eq!(w.run_until_idle(1000), RunOutcome::Idle);
    assert!(!w.busy());
    let tw = w.config().time_wait_us;
    let at = w.poll_timeout().expect("the TIME_WAIT timer is scheduled");
    assert!(at > w.now() && at <= w.now() + tw);
}

/// A and B both closed; A closed first, so it will wait in TIME_WAIT.
fn lab_time_wait() -> Lab {
    let mut lab = lab(WorldConfig::default());
    let (_, c, s) = connected(&mut lab, 80);
    ok(&mut lab.w, lab.pa, Call::Close { fd: c });
    lab.w.run_until_idle(1000);
    ok(&mut lab.w, lab.pb, Call::Close { fd: s });
    lab
}

#[cfg_attr(not(target_arch = "wasm32"), test)]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
fn step_runs_one_job_and_moves_the_clock_to_it() {
    let mut lab = connecting();
    let w = &mut lab.w;
    let at = w.poll_timeout().expect("the SYN is on its way");
    let before = w.jobs_run();
    assert!(w.step());
    assert_eq!(w.now(), at);
    assert_eq!(w.jobs_run(), before + 1);
}

#[cfg_attr(not(target_arch = "wasm32"), test)]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
fn step_is_false_and_changes_nothing_when_nothing_is_scheduled() {
    let mut lab = lab(WorldConfig::default());
    let w = &mut lab.w;
    let (now, jobs, trace) = (w.now(), w.jobs_run(), w.trace().len());
    assert!(!w.step());
    assert_eq!((w.now(), w.jobs_run(), w.trace().len()), (now, jobs, trace));
}

#[cfg_attr(not(target_arch = "wasm32"), test)]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
fn run_until_stops_at_max_events() {
    let mut lab = connecting();
    let w = &mut lab.w;
    let far = w.now() + 10 * SEC;
    let before = w.jobs_run();
    assert_eq!(w.run_until(far, 2), RunOutcome::Limit);
    assert_eq!(w.jobs_run(), before + 2);
    assert!(w.now() < far, "the clock stands at the last job's time");
    // Calling again goes on from there.
    assert_eq!(w.run_until(far, u64::MAX), RunOutcome::Reached);
    assert_eq!(w.now(), far);
    assert_eq!(returned(w, lab.pa), Ok(Value::Zero));
}

#[cfg_attr(not(target_arch = "wasm32"), test)]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
fn run_until_runs_nothing_due_later_and_moves_the_clock_to_t() {
    let mut lab = connecting();
    let w = &mut lab.w;
    let arrives = w.poll_timeout().expect("the SYN is on its way");
    let t = arrives - 1;
    let before = w.jobs_run();
    assert_eq!(w.run_until(t, u64::MAX), RunOutcome::Reached);
    assert_eq!(w.now(), t);
    assert_eq!(w.jobs_run(), before, "nothing was due by {t}");
    assert_eq!(w.poll_timeout(), Some(arrives));
    // A job due exactly at `t` is due by `t`.
    assert_eq!(w.run_until(arrives, u64::MAX), RunOutcome::Reached);
    assert_eq!(w.jobs_run(), before + 1);
}

#[cfg_attr(not(target_arch = "wasm32"), test)]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
fn run_until_never_moves_the_clock_back() {
    let mut lab = connecting();
    let w = &mut lab.w;
    w.run_until(5 * SEC, u64::MAX);
    assert_eq!(w.run_until(SEC, u64::MAX), RunOutcome::Reached);
    assert_eq!(w.now(), 5 * SEC);
}

#[cfg_attr(not(target_arch = "wasm32"), test)]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
fn run_until_with_max_events_0_only_moves_the_clock_when_nothing_is_due() {
    let mut lab = connecting();
    let w = &mut lab.w;
    let arrives = w.poll_timeout().unwrap();
    let before = w.jobs_run();
    assert_eq!(w.run_until(arrives - 1, 0), RunOutcome::Reached);
    assert_eq!(w.now(), arrives - 1);
    assert_eq!(w.run_until(arrives, 0), RunOutcome::Limit);
    assert_eq!(
        w.now(),
        arrives - 1,
        "a run stopped by its limit leaves the clock"
    );
    assert_eq!(w.jobs_run(), before);
}

#[cfg_attr(not(target_arch = "wasm32"), test)]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
fn run_until_idle_stops_at_max_events_while_busy() {
    let mut lab = connecting();
    let w = &mut lab.w;
    let before = w.jobs_run();
    assert_eq!(w.run_until_idle(1), RunOutcome::Limit);
    assert_eq!(w.jobs_run(), before + 1);
    assert!(w.busy());
    assert_eq!(w.run_until_idle(1000), RunOutcome::Idle);
    assert!(!w.busy());
}

#[cfg_attr(not(target_arch = "wasm32"), test)]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
fn run_until_idle_leaves_the_clock_at_the_last_job() {
    let mut lab = lab_time_wait();
    let w = &mut lab.w;
    assert_eq!(w.run_until_idle(1000), RunOutcome::Idle);
    let last = w.now();
    assert!(
        w.poll_timeout().unwrap() > last,
        "TIME_WAIT did not move the clock"
    );
}

#[cfg_attr(not(target_arch = "wasm32"), test)]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
fn deliver_counts_arrivals_and_stops_when_idle() {
    let mut lab = connecting();
    let w = &mut lab.w;
    assert_eq!(w.deliver(1), 1, "the SYN");
    // SYN+ACK and ACK are left; then the world is idle.
    assert_eq!(w.deliver(100), 2);
    assert!(!w.busy());
    assert_eq!(w.deliver(1), 0);
}

#[cfg_attr(not(target_arch = "wasm32"), test)]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
fn a_call_that_can_return_has_returned_before_the_next_job() {
    let mut lab = connecting();
    let w = &mut lab.w;
    w.deliver(2); // the SYN at B, the SYN+ACK at A
    assert_eq!(returned(w, lab.pa), Ok(Value::Zero));
}

#[cfg_attr(not(target_arch = "wasm32"), test)]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
fn poll_timeout_never_reports_a_cancelled_timer() {
    let mut lab = lab(WorldConfig::default());
    let (_, c, _) = connected(&mut lab, 80);
    let w = &mut lab.w;
    // Every data segment re-arms the retransmission timer; the last ACK cancels it.
    ok(w, lab.pa, Call::Send { fd: c, len: 10_000 });
    assert_eq!(w.run_until_idle(1000), RunOutcome::Idle);
    assert_eq!(w.poll_timeout(), None);
    w.check_invariants().unwrap();
}

#[cfg_attr(not(target_arch = "wasm32"), test)]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
fn the_same_calls_and_driver_give_the_same_trace() {
    let run = || {
        let mut lab = lab(WorldConfig {
            loss: 0.3,
            ..WorldConfig::default()
        });
        let (_, c, s) = connected(&mut lab, 80);
        let w = &mut lab.w;
        ok(w, lab.pa, Call::Send { fd: c, len: 16_000 });
        w.run_until(w.now() + 300 * MS, 50);
        w.deliver(3);
        let _ = w.call(lab.pb, Call::Recv { fd: s, len: 16_000 });
        w.run_until_idle(100_000);
        serde_json::to_string(&w.drain_trace()).unwrap()
    };
    assert_eq!(run(), run());
}
