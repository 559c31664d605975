//! A yes/no choice the page keeps for the rest of the browser tab's session (session
//! storage), such as a larger ladder. Where storage is refused (a sandboxed frame) the
//! choice still works, for this page only.

use yew::prelude::*;

fn session() -> Option<web_sys::Storage> {
    #[cfg(target_arch = "wasm32")]
    {
        web_sys::window()?.session_storage().ok().flatten()
    }
    #[cfg(not(target_arch = "wasm32"))]
    {
        None
    }
}

/// The flag stored under `key` (off until set) and a callback that flips it.
#[hook]
pub fn use_session_flag(key: &'static str) -> (bool, Callback<()>) {
    let on = use_state_eq(|| {
        session()
            .and_then(|s| s.get_item(key).ok().flatten())
            .is_some_and(|v| v == "on")
    });
    let flip = {
        let on = on.clone();
        Callback::from(move |()| {
            let next = !*on;
            if let Some(s) = session() {
                let _ = s.set_item(key, if next { "on" } else { "off" });
            }
            on.set(next);
        })
    };
    (*on, flip)
}
