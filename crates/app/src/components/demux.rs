//! The demultiplexer's reasoning for the selected segment (MODEL.md §6): every
//! structure on the receiving host, which of the four fields matched, its wildcards,
//! and the winner.

use crate::state::{Action, Ctx};
use sockscope_engine::demux::family_notes;
use sockscope_engine::trace::{DemuxOutcome, DemuxRecord, Event};
use yew::prelude::*;

fn mark(ok: bool) -> Html {
    if ok {
        html! { <td class="yes"><span aria-hidden="true">{ "✓" }</span><span class="visually-hidden">{ "matches" }</span></td> }
    } else {
        html! { <td class="no"><span aria-hidden="true">{ "✗" }</span><span class="visually-hidden">{ "differs" }</span></td> }
    }
}

fn table(r: &DemuxRecord) -> Html {
    html! {
        <div class="table-scroll" tabindex="0" role="region" aria-label="Candidate structures">
        <table class="demux-table">
            <caption>{ format!("Packet from {} to {}", r.src, r.dst) }</caption>
            <thead><tr>
                <th scope="col">{ "structure" }</th><th scope="col">{ "local" }</th><th scope="col">{ "remote" }</th>
                <th scope="col">{ "state" }</th><th scope="col">{ "local port" }</th><th scope="col">{ "local addr" }</th>
                <th scope="col">{ "remote addr" }</th><th scope="col">{ "remote port" }</th><th scope="col">{ "wildcards" }</th>
            </tr></thead>
            <tbody>
                { for r.candidates.iter().map(|c| {
                    let win = r.winner == Some(c.sock);
                    html! {
                        <tr class={classes!(win.then_some("winner"), (!c.matches()).then_some("nomatch"))}>
                            <th scope="row">{ format!("#{}{}", c.sock.0, if win { " ★" } else { "" }) }</th>
                            <td>{ c.local.seen_by(c.family).to_string() }</td><td>{ c.remote.seen_by(c.family).to_string() }</td>
                            <td>{ c.state.map_or("—".to_string(), |s| s.to_string()) }</td>
                            { mark(c.local_port) }{ mark(c.local_ip) }{ mark(c.remote_ip) }{ mark(c.remote_port) }
                            <td>{ if c.matches() { c.wildcards.to_string() } else { "—".into() } }</td>
                        </tr>
                    }
                }) }
            </tbody>
        </table>
        </div>
    }
}

/// The decision in a sentence, and what the address families had to do with it.
fn verdict(r: &DemuxRecord) -> String {
    let mut text = decision(r);
    for note in family_notes(r, |c| format!("Structure #{}", c.sock.0)) {
        text.push_str(&format!(" {note}."));
    }
    text
}

fn decision(r: &DemuxRecord) -> String {
    match (r.winner, r.outcome) {
        (Some(w), DemuxOutcome::Delivered) => {
            format!("Structure #{} wins: it matches all four fields with the fewest wildcards.", w.0)
        }
        (Some(w), _) => format!("Structure #{} matches, but it is not listening, so the host answers with RST.", w.0),
        (None, DemuxOutcome::PortUnreachable) => "No UDP structure matches: the datagram is discarded.".into(),
        (None, DemuxOutcome::Ignored) => "Nothing matches; a reset to nobody is ignored.".into(),
        (None, _) => "Nothing matches: the host answers with a reset (RST), and connect() fails with ECONNREFUSED.".into(),
    }
}

#[component]
pub fn DemuxInspector() -> Html {
    let ctx = use_context::<Ctx>().expect("app context");
    let close = {
        let ctx = ctx.clone();
        Callback::from(move |_: MouseEvent| ctx.dispatch(Action::SelectSegment(None)))
    };
    let Some(seg) = ctx.selected_seg else {
        return html! {
            <section class="demux" aria-label="Demultiplexing">
                <h3>{ "Demultiplexing" }</h3>
                <p class="muted">{ "Select a segment on the wire to see how its host chose the socket structure it belongs to." }</p>
            </section>
        };
    };
    let session = ctx.session.borrow();
    let record = session.trace().iter().find_map(|e| match &e.event {
        Event::Demux(r) if r.seg == Some(seg) => Some(r.clone()),
        _ => None,
    });
    let arrived_at = session.trace().iter().find_map(|e| match &e.event {
        Event::Demux(r) if r.seg == Some(seg) => Some(e.n),
        _ => None,
    });
    let go_back = arrived_at;
    let dropped = session
        .trace()
        .iter()
        .any(|e| matches!(&e.event, Event::SegmentDropped { seg: s, .. } if s == &seg));
    let in_flight = ctx.snapshot.segment(seg).map(|w| w.seg.clone());
    let body = match (record, in_flight) {
        (Some(r), _) => html! { <>{ table(&r) }<p class="verdict">{ verdict(&r) }</p>
        if r.omitted > 0 { <p class="muted">{ format!("{} more structures on that port are not listed.", r.omitted) }</p> }</> },
        (None, Some(s)) => match s.to_host {
            Some(h) => {
                let r = session.world().explain_demux(h, s.proto, s.src, s.dst);
                html! { <><p>{ "This segment is still on the wire. If it arrived now:" }</p>{ table(&r) }<p class="verdict">{ verdict(&r) }</p></> }
            }
            None => {
                html! { <p>{ "No host owns the destination address: this segment will be lost." }</p> }
            }
        },
        (None, None) if dropped => {
            html! { <p>{ "This segment was lost on the way: no host ever demultiplexed it." }</p> }
        }
        (None, None) => html! { <p>{ "This segment arrived at a crashed host." }</p> },
    };
    html! {
        <section class="demux" aria-label="Demultiplexing" data-testid="demux">
            <h3>{ format!("Demultiplexing of segment {}", seg.0) }
                <button type="button" class="small" onclick={close} aria-label="Close the demultiplexing view">{ "×" }</button></h3>
            { body }
            if let Some(k) = go_back {
                <button type="button" data-testid="demux-go-back" onclick={{
                    let ctx = ctx.clone();
                    Callback::from(move |_: MouseEvent| ctx.dispatch(Action::SeekEvent(k)))
                }} title="Replay from the start up to the moment this segment arrived">{ "Go back to when it arrived" }</button>
            }
        </section>
    }
}
