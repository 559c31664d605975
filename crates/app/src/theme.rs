//! The page's colours: light, dark, or whatever the system prefers. One place for the
//! names (the `theme=` option, the button, the `data-theme` attribute of the page)
//! and for the order the button cycles through.

use std::fmt;

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Theme {
    #[default]
    System,
    Light,
    Dark,
}

impl Theme {
    /// Every theme, in the order the button goes through them from `System`.
    pub const CYCLE: [Theme; 3] = [Theme::System, Theme::Dark, Theme::Light];

    /// The name in links, on the button and in the stylesheet's `data-theme`.
    pub fn name(self) -> &'static str {
        match self {
            Theme::System => "system",
            Theme::Light => "light",
            Theme::Dark => "dark",
        }
    }

    /// The theme the button switches to.
    pub fn next(self) -> Theme {
        let i = Self::CYCLE.iter().position(|&t| t == self).unwrap_or(0);
        Self::CYCLE[(i + 1) % Self::CYCLE.len()]
    }

    /// Reads a name as `theme=` gives it; empty means the system's.
    pub fn parse(name: &str) -> Option<Theme> {
        match name {
            "" => Some(Theme::System),
            name => Self::CYCLE.into_iter().find(|t| t.name() == name),
        }
    }
}

impl fmt::Display for Theme {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

#[cfg(test)]
mod tests {
    use super::Theme;

    #[test]
    fn the_button_cycles_system_dark_light() {
        assert_eq!(Theme::System.next(), Theme::Dark);
        assert_eq!(Theme::Dark.next(), Theme::Light);
        assert_eq!(Theme::Light.next(), Theme::System);
    }

    #[test]
    fn every_name_reads_back() {
        for t in Theme::CYCLE {
            assert_eq!(Theme::parse(t.name()), Some(t));
        }
        assert_eq!(Theme::parse(""), Some(Theme::System));
        assert_eq!(Theme::parse("<script>"), None);
    }
}
