//! Where things are, as the reports show them: paths relative to the workspace root, and
//! the lines of a text. A leaf module, so configuration, manifests and reports can all use it.

use std::path::Path;

/// `path` relative to `root` with `/` separators, or as given when it is outside the root.
pub fn relative(root: &Path, path: &Path) -> String {
    let Ok(rel) = path.strip_prefix(root) else {
        return path.to_string_lossy().into_owned();
    };
    rel.components()
        .map(|c| c.as_os_str().to_string_lossy())
        .collect::<Vec<_>>()
        .join("/")
}

/// The byte offset where each line of `text` starts (the first is 0).
pub fn line_starts(text: &str) -> Vec<usize> {
    std::iter::once(0)
        .chain(text.match_indices('\n').map(|(i, _)| i + 1))
        .collect()
}

/// 1-based line of a byte offset.
pub fn line_of(text: &str, offset: usize) -> usize {
    text.as_bytes()[..offset.min(text.len())]
        .iter()
        .filter(|&&b| b == b'\n')
        .count()
        + 1
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_inside_the_root_are_shown_relative_with_slashes() {
        let root = Path::new("/ws");
        assert_eq!(
            relative(root, Path::new("/ws/crates/a/Cargo.toml")),
            "crates/a/Cargo.toml"
        );
        assert_eq!(
            relative(root, Path::new("other/Cargo.toml")),
            "other/Cargo.toml"
        );
    }

    #[test]
    fn an_absolute_path_outside_the_root_is_shown_as_given() {
        let root = Path::new("/ws");
        assert_eq!(
            relative(root, Path::new("/elsewhere/Cargo.toml")),
            "/elsewhere/Cargo.toml"
        );
        assert_eq!(relative(root, Path::new("/ws")), "");
    }

    #[test]
    fn lines_are_counted_from_one_and_start_after_each_newline() {
        let text = "a\nbc\n\nd";
        assert_eq!(line_starts(text), [0, 2, 5, 6]);
        assert_eq!(
            [0, 1, 2, 5, 6, 99].map(|o| line_of(text, o)),
            [1, 1, 2, 3, 4, 4]
        );
    }
}
