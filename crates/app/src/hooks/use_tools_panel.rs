//! A folded panel whose inside the tools module draws (`tools_module`): the Captures,
//! Program and throughput panels keep only their `<details>` and heading in the page's
//! own wasm. The first time the learner opens one, the module is fetched and the
//! panel's inside mounted into its element; from then on the shell hands it what it
//! shows whenever that changed. If the module cannot be fetched, the panel says so,
//! and closing and opening it tries again. The rest of the page never waits for it.

use crate::tools_module::{Panel, ToolsModule};
use std::cell::{Cell, RefCell};
use std::rc::Rc;
use yew::platform::spawn_local;
use yew::prelude::*;

#[derive(Clone, PartialEq)]
pub enum Tools {
    NotAsked,
    Loading,
    Ready,
    Failed(String),
}

/// Mounts a panel's inside into the given element, once the module is there.
pub type Mount = Rc<dyn Fn(&ToolsModule, &web_sys::Element) -> Result<Panel, String>>;

/// One tools panel's shell: whether it is open, the module's state, and the panel.
#[derive(Clone)]
pub struct ToolsPanel {
    pub open: UseStateHandle<bool>,
    pub tools: UseStateHandle<Tools>,
    /// The element the module draws into.
    pub root: NodeRef,
    panel: Rc<RefCell<Option<Panel>>>,
    /// The last JSON handed to the panel: the same again is not sent.
    sent: Rc<RefCell<String>>,
    /// When (`Date.now()`, ms) a change was last let through by `due`.
    due_at: Rc<Cell<f64>>,
}

/// While the world plays, a panel is handed what changed at most this often (real ms).
const PLAYING_UPDATE_MS: f64 = 250.0;

#[hook]
pub fn use_tools_panel() -> ToolsPanel {
    ToolsPanel {
        open: use_state(|| false),
        tools: use_state(|| Tools::NotAsked),
        root: use_node_ref(),
        panel: use_mut_ref(|| None),
        sent: use_mut_ref(String::new),
        due_at: use_memo((), |()| Cell::new(f64::NEG_INFINITY)),
    }
}

impl ToolsPanel {
    pub fn ready(&self) -> bool {
        *self.tools == Tools::Ready
    }

    /// The `<details>`'s toggle: remembers whether it is open and, the first time it
    /// opens (or after a failure), fetches the module and mounts the panel.
    pub fn ontoggle(&self, mount: Mount) -> Callback<Event> {
        let this = self.clone();
        Callback::from(move |e: Event| {
            let d: web_sys::HtmlDetailsElement = e.target_unchecked_into();
            this.open.set(d.open());
            let wanted = matches!(*this.tools, Tools::NotAsked | Tools::Failed(_));
            if d.open() && wanted {
                this.load(mount.clone());
            }
        })
    }

    fn load(&self, mount: Mount) {
        self.tools.set(Tools::Loading);
        let this = self.clone();
        spawn_local(async move {
            let drawn = async {
                let module = ToolsModule::load().await?;
                let element = this
                    .root
                    .cast::<web_sys::Element>()
                    .ok_or("The panel is no longer on the page")?;
                mount(&module, &element)
            };
            match drawn.await {
                Ok(p) => {
                    *this.panel.borrow_mut() = Some(p);
                    this.sent.borrow_mut().clear();
                    this.tools.set(Tools::Ready);
                }
                Err(why) => this.tools.set(Tools::Failed(why)),
            }
        });
    }

    /// Whether to build what the panel is handed now. What the page hands over is JSON
    /// of the whole kept trace or of every statement run, so while the world plays it
    /// is built at most a few times a second rather than every frame; once play stops
    /// (callers key their effect on `playing`), always.
    pub fn due(&self, playing: bool) -> bool {
        let now = js_sys::Date::now();
        let due = !playing || now - self.due_at.get() >= PLAYING_UPDATE_MS;
        if due {
            self.due_at.set(now);
        }
        due
    }

    /// Hands the mounted panel `json`, unless it is what it was handed last.
    pub fn update(&self, json: String) {
        let panel = self.panel.borrow();
        let Some(p) = panel.as_ref() else {
            return;
        };
        if *self.sent.borrow() == json {
            return;
        }
        // A failed update leaves the panel as it was; the next change retries.
        if p.update(&json).is_ok() {
            *self.sent.borrow_mut() = json;
        }
    }

    /// "Loading…" while the module is fetched, or why it could not be; `id` prefixes
    /// the test ids (`ID-loading`, `ID-load-error`).
    pub fn status(&self, loading: &str, id: &str) -> Html {
        match &*self.tools {
            Tools::Loading => html! {
                <p class="muted" role="status" data-testid={format!("{id}-loading")}>{ loading.to_owned() }</p>
            },
            Tools::Failed(why) => html! {
                <p class="notice" role="alert" data-testid={format!("{id}-load-error")}>
                    { format!("{why}. Close and open this panel to try again; the rest of the page works as before.") }
                </p>
            },
            Tools::NotAsked | Tools::Ready => html! {},
        }
    }
}
