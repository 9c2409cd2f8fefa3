//! Version lines: which versions cargo may unify. Two versions are on one line when semver
//! calls them compatible (same major for >= 1.0, same minor for 0.x, same patch for 0.0.x).
//! A leaf: the analysis, the wording in `diags`, the configuration and the plans all speak
//! of lines.

use std::fmt;

use semver::Version;
use serde::{Serialize, Serializer};

/// The version line of a version: same major for >= 1.0, same minor for 0.x, same patch for
/// 0.0.x, exactly the versions semver calls compatible.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Line {
    major: u64,
    minor: Option<u64>,
    patch: Option<u64>,
}

impl Line {
    pub fn of(v: &Version) -> Line {
        if v.major > 0 {
            Line {
                major: v.major,
                minor: None,
                patch: None,
            }
        } else if v.minor > 0 {
            Line {
                major: 0,
                minor: Some(v.minor),
                patch: None,
            }
        } else {
            Line {
                major: 0,
                minor: Some(0),
                patch: Some(v.patch),
            }
        }
    }
}

impl Line {
    /// Reads a line as the user writes it: `0.12`, `1`, `0.0.3` (a full version is accepted
    /// and reduced to its line).
    pub fn parse(s: &str) -> Option<Line> {
        let parts: Vec<&str> = s.trim().split('.').collect();
        if parts.is_empty() || parts.len() > 3 {
            return None;
        }
        let mut nums = [0u64; 3];
        for (i, p) in parts.iter().enumerate() {
            nums[i] = p.parse().ok()?;
        }
        Some(Line::of(&Version::new(nums[0], nums[1], nums[2])))
    }
}

impl Line {
    /// A fixed-width text whose byte order is the order of lines (`0.9` before `0.13`, `0.0.3`
    /// before `0.1`, `0.14` before `1`), for pages that sort a column of lines as text.
    pub fn sort_key(&self) -> String {
        format!(
            "{:020}.{:020}.{:020}",
            self.major,
            self.minor.unwrap_or(0),
            self.patch.unwrap_or(0)
        )
    }
}

impl fmt::Display for Line {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.major)?;
        if let Some(minor) = self.minor {
            write!(f, ".{minor}")?;
        }
        if let Some(patch) = self.patch {
            write!(f, ".{patch}")?;
        }
        Ok(())
    }
}

impl Serialize for Line {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_follow_semver_compatibility() {
        let line = |v: &str| Line::of(&Version::parse(v).expect("version")).to_string();
        assert_eq!(line("1.6.0"), "1");
        assert_eq!(line("1.0.0-rc.1"), "1");
        assert_eq!(line("0.12.3"), "0.12");
        assert_eq!(line("0.0.3"), "0.0.3");
        assert!(Line::of(&Version::new(0, 9, 2)) < Line::of(&Version::new(0, 12, 0)));
    }

    #[test]
    fn sort_keys_order_as_the_lines_do() {
        let lines: Vec<Line> = [
            "0.0.3", "0.0.10", "0.1", "0.9", "0.13", "0.14", "1", "2", "10",
        ]
        .iter()
        .map(|s| Line::parse(s).expect("line"))
        .collect();
        for pair in lines.windows(2) {
            assert!(pair[0] < pair[1], "{} < {}", pair[0], pair[1]);
            assert!(
                pair[0].sort_key() < pair[1].sort_key(),
                "{} sorts after {}",
                pair[0],
                pair[1]
            );
        }
        assert_eq!(Line::parse("0.9").expect("line").sort_key().len(), 62);
    }
}
