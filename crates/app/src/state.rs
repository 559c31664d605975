//! One `State`, changed only by `Action`s through the reducer.

use sockscope_engine::snapshot::Snapshot;
use sockscope_engine::{Call, Endpoint, Family, HostId, Proto, World, WorldConfig};
use std::rc::Rc;
use yew::Reducible;

/// The world the page opens with: a client and a web server that listens on port 80.
pub fn default_world() -> World {
    let mut w = World::new(WorldConfig::default());
    let client = w
        .add_host("client", &["10.0.0.1".parse().expect("literal")])
        .expect("fresh world");
    let server = w
        .add_host("server", &["10.0.0.2".parse().expect("literal")])
        .expect("fresh world");
    w.spawn(client, "browser").expect("host is up");
    let httpd = w.spawn(server, "httpd").expect("host is up");
    let socket = Call::Socket {
        proto: Proto::Tcp,
        family: Family::V4,
    };
    if let Ok(sockscope_engine::CallReply::Returned(Ok(v))) = w.call(httpd, socket) {
        let fd = v.fd().expect("socket() returns a descriptor");
        let _ = w.call(
            httpd,
            Call::Bind {
                fd,
                addr: Endpoint::new(None, Some(80)),
            },
        );
        let _ = w.call(httpd, Call::Listen { fd, backlog: 5 });
    }
    w
}

#[derive(Clone, Debug)]
pub struct State {
    pub world: World,
    pub snapshot: Snapshot,
}

impl Default for State {
    fn default() -> Self {
        State::from_world(default_world())
    }
}

impl State {
    pub fn from_world(world: World) -> Self {
        let snapshot = world.snapshot();
        State { world, snapshot }
    }

    pub fn host_name(&self, id: HostId) -> &str {
        self.snapshot
            .hosts
            .iter()
            .find(|h| h.id == id)
            .map_or("?", |h| h.name.as_str())
    }
}

pub enum Action {
    /// Start again from the default world.
    Reset,
}

impl Reducible for State {
    type Action = Action;

    fn reduce(self: Rc<Self>, action: Action) -> Rc<Self> {
        match action {
            Action::Reset => Rc::new(State::default()),
        }
    }
}
