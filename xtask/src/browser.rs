//! The two browsers every browser suite runs in. Chromium comes from Debian with its
//! chromedriver; Firefox is Debian's firefox-esr with geckodriver from the Rust crate
//! registry (no browser build is ever downloaded).

use std::fmt;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Browser {
    Chromium,
    Firefox,
}

impl Browser {
    /// The name the e2e harness reads from SOCKSCOPE_BROWSER.
    pub fn name(self) -> &'static str {
        match self {
            Browser::Chromium => "chromium",
            Browser::Firefox => "firefox",
        }
    }
}

impl fmt::Display for Browser {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}
