//! Test-only: the made-up workspaces of `tests/support/synth.rs` (the one generator, shared
//! with the integration tests and benchmarks), and the `DepGraph` of a hand-built one, so the
//! pure stages can be unit-tested without cargo.

#[path = "../tests/support/synth.rs"]
mod synth;

pub(crate) use synth::Builder;

impl Builder {
    pub(crate) fn graph(&self) -> crate::graph::DepGraph {
        crate::graph::DepGraph::from_metadata_json(&self.metadata_json(), "test")
            .expect("valid metadata")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::{Options, analyze};

    #[test]
    fn metadata_and_lockfile_give_the_same_findings() {
        let s = Builder::synthetic(600);
        let from_json = crate::graph::DepGraph::from_metadata_json(&s.metadata_json(), "synthetic")
            .expect("valid metadata");
        let from_lock = crate::input::lockfile::graph(
            std::path::Path::new("Cargo.lock"),
            &s.cargo_lock(),
            Default::default(),
            std::path::Path::new("/synth"),
        )
        .expect("valid lockfile");
        assert_eq!(from_json.node_count(), s.package_count());
        assert_eq!(from_lock.node_count(), s.package_count());
        let summary = |g: &crate::graph::DepGraph| -> Vec<String> {
            analyze(
                g,
                &crate::manifest::spans::SpanIndex::default(),
                &Options::default(),
            )
            .iter()
            .map(|f| format!("{} {} {}", f.level.as_str(), f.code, f.krate))
            .collect()
        };
        let a = summary(&from_json);
        assert_eq!(a, summary(&from_lock));
        assert!(
            a.contains(&"error diverging-versions tonic".to_owned()),
            "{a:?}"
        );
        assert!(
            a.contains(&"note diverging-versions hyper".to_owned()),
            "{a:?}"
        );
    }

    #[test]
    fn generation_is_deterministic() {
        assert_eq!(
            Builder::synthetic(300).cargo_lock(),
            Builder::synthetic(300).cargo_lock()
        );
    }

    #[test]
    fn hand_built_declarations_keep_their_platform_and_rename() {
        let b = Builder::default()
            .member("app")
            .pkg("tonic", "0.12.3")
            .dep_with(
                "app",
                "tonic@0.12.3",
                "build",
                Some("cfg(target_os = \"linux\")"),
                Some("grpc"),
            );
        let json: serde_json::Value = serde_json::from_str(&b.metadata_json()).expect("valid JSON");
        let declared = &json["packages"][0]["dependencies"][0];
        assert_eq!(declared["target"], "cfg(target_os = \"linux\")");
        assert_eq!(declared["rename"], "grpc");
        assert_eq!(declared["kind"], "build");
        let resolved = &json["resolve"]["nodes"][0]["deps"][0];
        assert_eq!(resolved["name"], "grpc");
        assert_eq!(
            resolved["dep_kinds"][0]["target"],
            "cfg(target_os = \"linux\")"
        );
        assert_eq!(b.graph().node_count(), 2);
    }
}
